"""Geography for maps: which region a point lies in, region values, choropleth classes.

Framework-free (NumPy + the built-in boundaries of klaster.reports.geo); the web map
(klaster.web.portal.maps) only calls these functions.

* :func:`points_in_polygon` / :func:`assign_regions` — the even-odd (ray casting) rule:
  a point is inside when a ray from it crosses the polygon's rings an odd number of
  times (Shimrat 1962, Algorithm 112; Haines 1994, "Point in polygon strategies",
  Graphics Gems IV). Counting over *all* rings of a (multi)polygon handles holes
  (Minsk city is a hole in Minsk Region) without telling outer and inner rings apart.
  Coordinates are treated as planar lon/lat, which is exact for the question "which
  side of this edge" as long as edges are short (OSM boundary edges are metres long).
* :func:`admin1_values` — values per statistical region (NUTS 2 codes, or the
  boundaries' own ISO 3166-2 codes) carried onto the admin-1 boundaries. In Poland a
  NUTS 2021 level-2 region is a voivodeship, except Mazowieckie, split into PL91
  (Warszawski stołeczny) and PL92 (Mazowiecki regionalny); a location quotient of the
  union is the employment-weighted mean of the parts' quotients (below).
* :func:`count_classes`, :data:`LQ_BREAKS`, :func:`classify` — choropleth classes.
* :func:`web_boundaries` — the boundaries rounded and trimmed for a browser.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "LQ_BREAKS",
    "RegionIndex",
    "admin1_values",
    "assign_regions",
    "classify",
    "count_classes",
    "feature_rings",
    "nuts2_admin1",
    "points_in_polygon",
    "region_name",
    "union_lq",
    "web_boundaries",
]

ID_PROPERTY = "iso_3166_2"
NAME_PROPERTIES = ("name_local", "name_en", "name_pl", "name_be", "name_ru")


def feature_rings(geometry: Mapping[str, Any]) -> list[np.ndarray]:
    """Every ring of a Polygon or MultiPolygon geometry as an (n, 2) lon/lat array."""
    gtype = geometry.get("type")
    coords = geometry.get("coordinates") or []
    polys = [coords] if gtype == "Polygon" else coords if gtype == "MultiPolygon" else []
    return [np.asarray(ring, dtype=float)[:, :2] for poly in polys for ring in poly
            if len(ring) >= 3]


def points_in_polygon(lon, lat, rings: Sequence[np.ndarray]) -> np.ndarray:
    """Boolean array: which points (lon[i], lat[i]) lie inside the polygon ``rings``.

    Even-odd rule: for each edge (x1, y1)–(x2, y2) that straddles the horizontal line
    through the point (exactly one end strictly above it), the ray to +x crosses the
    edge when the point is left of the edge's x at that latitude. The half-open test
    ``(y1 > y) != (y2 > y)`` counts a vertex lying on the ray once, not twice.
    Vectorised over points × edges of one ring at a time.
    """
    x = np.asarray(lon, dtype=float).reshape(-1)
    y = np.asarray(lat, dtype=float).reshape(-1)
    inside = np.zeros(x.shape, dtype=bool)
    for ring in rings:
        if len(ring) < 3:
            continue
        # Points outside the ring's bounding box cannot change parity.
        near = ((x >= ring[:, 0].min()) & (x <= ring[:, 0].max())
                & (y >= ring[:, 1].min()) & (y <= ring[:, 1].max()))
        if not near.any():
            continue
        px, py = x[near][:, None], y[near][:, None]
        x1, y1 = ring[:, 0][None, :], ring[:, 1][None, :]
        nxt = np.roll(ring, -1, axis=0)  # closes the ring whether or not first == last
        x2, y2 = nxt[:, 0][None, :], nxt[:, 1][None, :]
        straddle = (y1 > py) != (y2 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_cross = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
        crossings = np.count_nonzero(straddle & (px < x_cross), axis=1)
        inside[near] ^= (crossings % 2).astype(bool)
    return inside


class RegionIndex:
    """Features' rings converted to arrays once, with each feature's bounding box, so
    that assigning points repeatedly (each map request) does not re-read the GeoJSON.
    Where features overlap (they should not in an admin-1 layer) the first feature in
    file order wins."""

    def __init__(self, geometry: Mapping[str, Any], *, id_property: str = ID_PROPERTY):
        self.features: list[tuple[str | None, list[np.ndarray], tuple[float, ...]]] = []
        for feature in geometry.get("features", []):
            rings = feature_rings(feature.get("geometry") or {})
            if not rings:
                continue
            allpts = np.vstack(rings)
            box = (allpts[:, 0].min(), allpts[:, 1].min(), allpts[:, 0].max(),
                   allpts[:, 1].max())
            self.features.append(((feature.get("properties") or {}).get(id_property),
                                  rings, box))

    def assign(self, lon, lat) -> list[str | None]:
        """The id of the feature each point lies in; None outside every feature or for
        a missing coordinate."""
        x = np.asarray([np.nan if v is None else v for v in lon], dtype=float)
        y = np.asarray([np.nan if v is None else v for v in lat], dtype=float)
        out: list[str | None] = [None] * len(x)
        todo = np.isfinite(x) & np.isfinite(y)
        for fid, rings, (x0, y0, x1, y1) in self.features:
            idx = np.flatnonzero(todo & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
            if not len(idx):
                continue
            hit = idx[points_in_polygon(x[idx], y[idx], rings)]
            for i in hit:
                out[i] = fid
            todo[hit] = False
        return out


def assign_regions(lon, lat, geometry: Mapping[str, Any], *,
                   id_property: str = ID_PROPERTY) -> list[str | None]:
    """The id (``properties[id_property]``) of the feature each point lies in, or None
    (see :class:`RegionIndex`, which a caller assigning many times should keep)."""
    return RegionIndex(geometry, id_property=id_property).assign(lon, lat)


# --- region values --------------------------------------------------------------------


def nuts2_admin1(geometry: Mapping[str, Any]) -> dict[str, str]:
    """NUTS 2021 level-2 code → admin-1 feature id, from the features' ``nuts2_2021``
    property ("PL84" → "PL-PD"; "PL91+PL92" gives both codes → "PL-MZ"; LT01, the
    capital region, is Vilnius County). LT02 covers Lithuania's nine other counties, so
    it maps to no single feature and is left out (an LQ of LT02 says nothing about one
    county)."""
    owners: dict[str, set[str]] = {}
    for f in geometry.get("features", []):
        props = f.get("properties") or {}
        for code in str(props.get("nuts2_2021") or "").split("+"):
            if code:
                owners.setdefault(code, set()).add(props[ID_PROPERTY])
    return {code: next(iter(ids)) for code, ids in owners.items() if len(ids) == 1}


def union_lq(parts: Iterable[tuple[float, float]]) -> float | None:
    """Location quotient of a union of regions from (LQ, total employment) of each part.

    LQ_r = (e_ir / E_r) / ref_i with the same reference share ref_i for every part, so
    the union's quotient is ((Σ e_ir) / (Σ E_r)) / ref_i = Σ LQ_r E_r / Σ E_r: the
    employment-weighted mean. None when a part lacks its LQ or employment (a union
    cannot be shaded from half its parts).
    """
    num = den = 0.0
    parts = list(parts)
    if not parts:
        return None
    for lq, total in parts:
        if lq is None or total is None or not math.isfinite(lq) or not total > 0:
            return None
        num += lq * total
        den += total
    return num / den


def admin1_values(lq: Mapping[str, float | None], employment: Mapping[str, float | None],
                  geometry: Mapping[str, Any]) -> dict[str, float]:
    """An analysis's LQ per region code carried onto admin-1 features (id → LQ).

    A region code equal to a feature id (an analysis on the built-in boundaries) is
    used directly, then one equal to the feature's whole NUTS 2 code, union codes
    included ("PL91+PL92": an older-vintage Mazowieckie, PL12, kept whole by
    klaster.taxonomy.nuts); otherwise a feature made of several NUTS 2 regions gets
    :func:`union_lq` of all of its parts. ``employment`` is each region's total
    employment (the weights of the union).
    """
    out: dict[str, float] = {}
    for f in geometry.get("features", []):
        props = f.get("properties") or {}
        fid = props.get(ID_PROPERTY)
        whole = str(props.get("nuts2_2021") or "")
        if not fid:
            continue
        for code in (fid, whole):
            if code and lq.get(code) is not None:
                out[fid] = float(lq[code])
                break
        else:
            codes = [c for c in whole.split("+") if c]
            if len(codes) > 1 and all(c in lq for c in codes):
                value = union_lq((lq[c], employment.get(c)) for c in codes)
                if value is not None:
                    out[fid] = value
    # LT02 is one NUTS 2 region of nine counties: its LQ says nothing about one county.
    shared = {fid for code, fid in _shared_codes(geometry)}
    return {k: v for k, v in out.items() if k not in shared or k in lq}


def _shared_codes(geometry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(NUTS 2 code, feature id) of codes that several features carry (LT02)."""
    owners: dict[str, list[str]] = {}
    for f in geometry.get("features", []):
        props = f.get("properties") or {}
        code = str(props.get("nuts2_2021") or "")
        if code:
            owners.setdefault(code, []).append(props[ID_PROPERTY])
    return [(c, fid) for c, ids in owners.items() if len(ids) > 1 for fid in ids]


# --- choropleth classes ---------------------------------------------------------------

# Location-quotient classes: below 0.8 under-represented, 0.8–1.25 about the reference
# share (a band around 1 so that noise does not read as specialisation), 1.25–2
# above it, 2 and more: the European Cluster Observatory's specialisation star
# (klaster.indicators.stars, StarThresholds.specialisation_lq = 2).
LQ_BREAKS: tuple[float, ...] = (0.8, 1.25, 2.0)


def count_classes(max_count: int, k: int = 4) -> list[tuple[int, int]]:
    """Classes of whole counts for a choropleth: (low, high) inclusive, the first (0, 0).

    Zero is its own class ("no cluster here"); 1..max_count is cut into at most ``k``
    equal-width classes of whole numbers (width ⌈max/k⌉), so with few clusters each
    count gets its own class and the legend never shows an empty range.
    """
    if max_count < 0:
        raise ValueError("max_count must be >= 0")
    classes = [(0, 0)]
    if max_count == 0:
        return classes
    width = math.ceil(max_count / k)
    low = 1
    while low <= max_count:
        high = min(low + width - 1, max_count)
        classes.append((low, high))
        low = high + 1
    return classes


def classify(value: float, breaks: Sequence[float]) -> int:
    """Index of the class of ``value`` given ascending upper-exclusive ``breaks``:
    class i holds breaks[i-1] <= value < breaks[i] (len(breaks) + 1 classes)."""
    return int(np.searchsorted(np.asarray(breaks, dtype=float), value, side="right"))


# --- boundaries for the browser -------------------------------------------------------


def _round_ring(ring: Sequence[Sequence[float]], digits: int) -> list[list[float]]:
    out: list[list[float]] = []
    for p in ring:
        q = [round(float(p[0]), digits), round(float(p[1]), digits)]
        if not out or q != out[-1]:
            out.append(q)
    if out and out[0] != out[-1]:
        out.append(list(out[0]))
    return out


def web_boundaries(geometry: Mapping[str, Any], *, digits: int = 3) -> dict[str, Any]:
    """The boundaries as a compact GeoJSON FeatureCollection for a web map.

    Coordinates rounded to ``digits`` decimals (3 ≈ 110 m north–south, well under one
    pixel at the zoom that shows a whole country) with repeated positions dropped;
    rings that collapse below 4 positions are dropped. Properties kept: the id, the
    country, the NUTS 2 code and the names (local, en, pl, be, ru).
    """
    features = []
    for f in geometry.get("features", []):
        props = f.get("properties") or {}
        geom = f.get("geometry") or {}
        polys = ([geom.get("coordinates")] if geom.get("type") == "Polygon"
                 else geom.get("coordinates") or [])
        out_polys = []
        for poly in polys:
            rings = [r for r in (_round_ring(ring, digits) for ring in poly) if len(r) >= 4]
            if rings:
                out_polys.append(rings)
        if not out_polys:
            continue
        keep = {"id": props.get(ID_PROPERTY), "country": props.get("country"),
                "nuts2": props.get("nuts2_2021")}
        keep.update({k: props.get(k) for k in NAME_PROPERTIES})
        features.append({"type": "Feature", "id": props.get(ID_PROPERTY), "properties": keep,
                         "geometry": {"type": "MultiPolygon", "coordinates": out_polys}})
    return {"type": "FeatureCollection", "features": features}


def region_name(props: Mapping[str, Any], language: str) -> str:
    """A region's name in ``language`` (pl, be, ru, en) where the data has one, else
    its local name (Minsk has no Belarusian name in the OSM extract: "Минск")."""
    lang = (language or "en").split("-")[0]
    return (props.get(f"name_{lang}") or props.get("name_local") or props.get("name_en")
            or props.get("name") or props.get(ID_PROPERTY) or "")
