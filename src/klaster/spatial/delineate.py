"""Delineate an industry's spatial clusters by density-based clustering of its firms.

DBSCAN (Ester et al. 1996) with employee weights: with ``sample_weight`` a firm is a
core point when the employees within ``eps`` (itself included) reach ``min_weight``,
so one large plant counts as much as many small shops (scikit-learn's weighted DBSCAN).
HDBSCAN (Campello, Moulavi & Sander 2013; scikit-learn) needs no ``eps`` but
scikit-learn's implementation takes no weights: it clusters firms, and employment is
reported per cluster. Lon/lat use the haversine metric (``eps`` in km), projected x/y
the Euclidean one (``eps`` in the CRS unit).

Each cluster gets its convex hull (scipy.spatial.ConvexHull, Barber et al. 1996; in
lon/lat degrees for geographic data, which is fine for clusters of city-to-region
size), its firms, employment and the regions it spans when the table has ``region``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl

from klaster.errors import DataError
from klaster.fileio import atomic_output
from klaster.spatial.kernels import EARTH_RADIUS_KM
from klaster.spatial.points import is_geographic

__all__ = ["clusters_geojson", "delineate", "write_geojson"]


def _hull(xy: np.ndarray) -> dict:
    """GeoJSON geometry of the convex hull of ``xy`` (Point/LineString when degenerate)."""
    from scipy.spatial import ConvexHull, QhullError

    uniq = np.unique(xy, axis=0)
    if len(uniq) == 1:
        return {"type": "Point", "coordinates": uniq[0].tolist()}
    if len(uniq) >= 3:
        try:
            hull = ConvexHull(uniq)
            ring = uniq[hull.vertices]  # counter-clockwise in 2-D (RFC 7946 exterior)
            ring = np.vstack([ring, ring[:1]])
            return {"type": "Polygon", "coordinates": [ring.tolist()]}
        except QhullError:
            pass  # collinear points: fall through to the segment
    # collinear: the segment between the two most distant points along the main axis
    centred = uniq - uniq.mean(axis=0)
    axis = np.linalg.svd(centred, full_matrices=False)[2][0]
    proj = centred @ axis
    return {"type": "LineString",
            "coordinates": [uniq[proj.argmin()].tolist(), uniq[proj.argmax()].tolist()]}


def _area(geom: dict, geographic: bool) -> float:
    """Hull area: shoelace formula; lon/lat first projected equirectangularly at the
    hull's mean latitude (km², error well under 1 % for hulls below ~100 km)."""
    if geom["type"] != "Polygon":
        return 0.0
    ring = np.asarray(geom["coordinates"][0], dtype=np.float64)
    if geographic:
        lat0 = math.radians(ring[:, 1].mean())
        k = math.pi / 180.0 * EARTH_RADIUS_KM
        ring = np.column_stack([ring[:, 0] * k * math.cos(lat0), ring[:, 1] * k])
    x, y = ring[:, 0], ring[:, 1]
    return float(abs(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])) / 2.0)


def delineate(points: pl.DataFrame, industry: str, *, method: str = "dbscan",
              eps: float | None = None, min_weight: float = 10.0, min_samples: int = 5,
              min_cluster_size: int = 5, weighted: bool = True):
    """Clusters of one industry's firms. Returns (clusters, firms) Polars frames.

    DBSCAN needs ``eps`` (km for lon/lat, CRS unit for x/y) and ``min_weight``: the
    employees (weighted) or firms (``weighted=False``) within eps that make a core
    firm. HDBSCAN uses ``min_cluster_size`` and ``min_samples`` (firm counts).

    clusters: cluster (1 = largest employment), firms, employment, regions (list, when
    the table has ``region``), n_regions, centre_1/centre_2 (employment-weighted mean
    lon/lat or x/y), area (km² for lon/lat, CRS unit² for x/y), geometry (GeoJSON hull
    as a JSON string). firms: id, industry, weight, cluster (null = noise).
    """
    if method not in ("dbscan", "hdbscan"):
        raise DataError(f"unknown method {method!r}; use dbscan or hdbscan", field="method")
    sel = points.filter(pl.col("industry") == industry)
    if sel.height == 0:
        raise DataError(f"industry {industry!r} has no firms in the point table",
                        field="industry")
    geographic = is_geographic(points)
    cols = ("lon", "lat") if geographic else ("x", "y")
    xy = sel.select(cols).to_numpy().astype(np.float64)
    w = sel["weight"].to_numpy().astype(np.float64)
    if geographic:
        X, metric = np.radians(xy[:, ::-1]), "haversine"  # sklearn wants (lat, lon) radians
    else:
        X, metric = xy, "euclidean"
    if method == "dbscan":
        from sklearn.cluster import DBSCAN

        if eps is None or not eps > 0:
            raise DataError("DBSCAN needs a positive eps (km for lon/lat)", field="eps")
        radius = eps / EARTH_RADIUS_KM if geographic else eps
        # sklearn wants an int min_samples; with sample_weight it is compared with the
        # summed weights, so ceil() keeps the rule "weight within eps >= min_weight"
        model = DBSCAN(eps=radius, min_samples=max(1, math.ceil(min_weight)), metric=metric,
                       algorithm="ball_tree")
        labels = model.fit(X, sample_weight=w if weighted else None).labels_
    else:
        from sklearn.cluster import HDBSCAN

        if sel.height < 2:
            labels = np.full(sel.height, -1)
        else:
            labels = HDBSCAN(min_cluster_size=max(2, min_cluster_size),
                             min_samples=min_samples, metric=metric, copy=True,
                             algorithm="ball_tree").fit(X).labels_
    # renumber clusters by employment, largest first
    raw = sorted({int(c) for c in labels if c >= 0},
                 key=lambda c: (-w[labels == c].sum(), c))
    new = {c: k + 1 for k, c in enumerate(raw)}
    cluster = np.array([new.get(int(c), 0) for c in labels])
    rows = []
    has_region = "region" in sel.columns
    for k in range(1, len(raw) + 1):
        m = cluster == k
        geom = _hull(xy[m])
        ww = w[m]
        row = {"cluster": k, "firms": int(m.sum()), "employment": float(ww.sum()),
               "centre_1": float((xy[m, 0] * ww).sum() / ww.sum()),
               "centre_2": float((xy[m, 1] * ww).sum() / ww.sum()),
               "area": _area(geom, geographic), "geometry": json.dumps(geom)}
        if has_region:
            regs = sorted({r for r in sel["region"].filter(pl.Series(m)).to_list()
                           if r is not None})
            row["regions"] = regs
            row["n_regions"] = len(regs)
        rows.append(row)
    schema = {"cluster": pl.Int64, "firms": pl.Int64, "employment": pl.Float64,
              "centre_1": pl.Float64, "centre_2": pl.Float64, "area": pl.Float64,
              "geometry": pl.Utf8}
    if has_region:
        schema |= {"regions": pl.List(pl.Utf8), "n_regions": pl.Int64}
    clusters = pl.DataFrame(rows, schema=schema)
    firms = sel.select("id", "industry", "weight").with_columns(
        pl.Series("cluster", cluster, dtype=pl.Int64).replace(0, None))
    return clusters, firms


def clusters_geojson(clusters: pl.DataFrame, *, industry: str, geographic: bool,
                     crs: str | None = None) -> dict:
    """GeoJSON FeatureCollection of delineated clusters (one Feature per hull).

    Lon/lat data gives RFC 7946 GeoJSON. Projected data keeps its own coordinates and
    names the CRS in a top-level ``crs`` member (the pre-RFC 2008 GeoJSON convention),
    because klaster does not reproject.
    """
    feats = []
    for r in clusters.iter_rows(named=True):
        props = {k: v for k, v in r.items() if k != "geometry"}
        props["industry"] = industry
        feats.append({"type": "Feature", "geometry": json.loads(r["geometry"]),
                      "properties": props})
    fc = {"type": "FeatureCollection", "features": feats}
    if not geographic:
        fc["crs"] = {"type": "name", "properties": {"name": crs or "unknown"}}
    return fc


def write_geojson(fc: dict, path: str | Path) -> Path:
    """Write a FeatureCollection atomically (UTF-8 JSON)."""
    path = Path(path)
    with atomic_output(path) as tmp:
        tmp.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return path
