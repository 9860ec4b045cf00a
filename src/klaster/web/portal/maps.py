"""Offline SVG maps: points (organisations, clusters) over optional region outlines.

No tiles, no third-party JavaScript: the page gets an inline SVG. Outlines come from the
GeoJSON files named in ``KLASTER_MAP_GEOJSON`` (comma-separated paths, WGS84), e.g. the
Polish voivodeships; without them only the points are drawn.

Projection: equirectangular with the longitude scaled by cos(mean latitude) (the
"plate carrée" with a standard parallel, Snyder 1987, ch. 12) — adequate at the scale
of one country or region, and trivially invertible for tests.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from functools import lru_cache

WIDTH = 600.0


@dataclass(frozen=True)
class MapPoint:
    label: str
    lat: float
    lon: float
    url: str = ""
    kind: str = ""


@lru_cache(maxsize=4)
def _outline_rings(paths: str) -> tuple[tuple[tuple[float, float], ...], ...]:
    rings = []
    for path in [p.strip() for p in paths.split(",") if p.strip()]:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        for feature in data.get("features", []):
            geom = feature.get("geometry") or {}
            polys = {"Polygon": [geom.get("coordinates", [])],
                     "MultiPolygon": geom.get("coordinates", [])}.get(geom.get("type"), [])
            for poly in polys:
                for ring in poly[:1]:  # outer ring only: holes do not matter at this scale
                    rings.append(tuple((float(x), float(y)) for x, y, *_ in ring))
    return tuple(rings)


def svg_map(points: list[MapPoint], *, width: float = WIDTH) -> dict:
    """Project ``points`` into an SVG of ``width``; returns viewBox, circles and outlines."""
    pts = [p for p in points if p.lat is not None and p.lon is not None]
    if not pts:
        return {"empty": True, "width": width, "height": width / 2, "circles": [],
                "outlines": []}
    lat0 = sum(p.lat for p in pts) / len(pts)
    k = math.cos(math.radians(lat0))
    xs = [p.lon * k for p in pts]
    ys = [-p.lat for p in pts]
    pad = 0.6  # degrees of margin around the points
    x0, x1 = min(xs) - pad, max(xs) + pad
    y0, y1 = min(ys) - pad, max(ys) + pad
    scale = width / (x1 - x0)
    height = (y1 - y0) * scale

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (round((lon * k - x0) * scale, 1), round((-lat - y0) * scale, 1))

    circles = [{"x": xy(p.lon, p.lat)[0], "y": xy(p.lon, p.lat)[1], "label": p.label,
                "url": p.url, "kind": p.kind} for p in pts]
    outlines = []
    geo = os.environ.get("KLASTER_MAP_GEOJSON", "")
    if geo:
        for ring in _outline_rings(geo):
            lons = [c[0] for c in ring]
            lats = [c[1] for c in ring]
            # Skip rings entirely outside the view.
            if (max(lons) * k < x0 or min(lons) * k > x1 or -min(lats) < y0
                    or -max(lats) > y1):
                continue
            coords = []
            last = None
            for lon, lat in ring:
                p = xy(lon, lat)
                if p != last:
                    coords.append(f"{p[0]},{p[1]}")
                    last = p
            outlines.append("M" + " L".join(coords) + " Z")
    return {"empty": False, "width": width, "height": round(height, 1), "circles": circles,
            "outlines": outlines}
