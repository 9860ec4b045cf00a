"""Firm point tables: load, validate, and turn into kernel-ready coordinates.

Canonical point table (Polars), one row per firm (establishment) at its site:

* ``id`` (Utf8) — firm identifier, unique;
* ``industry`` (Utf8) — industry code, never missing;
* ``weight`` (Float64) — employees (or any size), > 0; 1.0 when the file has none;
* ``region`` (Utf8, optional) — administrative region, used by delineation;
* either ``lon``, ``lat`` (Float64, degrees WGS84: great-circle distances in km) or
  ``x``, ``y`` (Float64, projected coordinates: Euclidean distances in the CRS unit).

The set of all rows is the set of observed *sites* of the economy: random-labelling
counterfactuals (Duranton & Overman 2005) relocate an industry's firms among them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from klaster.errors import DataError, IssueLog
from klaster.spatial.kernels import EARTH_RADIUS_KM, unit_vectors

__all__ = ["SiteCoords", "is_geographic", "load_points", "site_coords", "validate_points"]

GEOGRAPHIC_CRS = {"epsg:4326", "wgs84", "lonlat", "crs84", "ogc:crs84"}


def is_geographic(points: pl.DataFrame) -> bool:
    """True when the table has ``lon``/``lat`` columns, False for ``x``/``y``."""
    if {"lon", "lat"} <= set(points.columns):
        return True
    if {"x", "y"} <= set(points.columns):
        return False
    raise DataError("point table needs columns lon/lat or x/y", field="lon")


def _read(path: Path) -> pl.DataFrame:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise DataError("file not found", file=path)
    try:
        if suffix == ".parquet":
            return pl.read_parquet(path)
        if suffix in (".csv", ".txt"):
            return pl.read_csv(path, infer_schema=False, encoding="utf8")
    except pl.exceptions.ComputeError as exc:
        raise DataError(f"cannot read: {exc}", file=path) from exc
    raise DataError(f"unknown point file format {suffix!r}; use .csv or .parquet", file=path)


def _line(frame: pl.DataFrame, mask: pl.Series) -> int:
    # header is line 1, first data row is line 2 (as in a text editor)
    return int(frame.with_row_index("_r").filter(mask)["_r"][0]) + 2


def load_points(path: str | Path, *, mapping: dict[str, str] | None = None,
                crs: str = "EPSG:4326", issues: IssueLog | None = None) -> pl.DataFrame:
    """Read a CSV/Parquet firm file into the canonical point table (columns above).

    ``mapping`` maps canonical names to the file's columns (e.g. ``{"id": "osm_id",
    "industry": "value"}``); unmapped canonical names are looked up as-is. ``crs``
    says whether the two coordinate columns are lon/lat (EPSG:4326, the default) or a
    projected system (any other value: columns ``x``/``y``). Errors name file, line
    and field; see :func:`validate_points`.
    """
    path = Path(path)
    raw = _read(path)
    mapping = dict(mapping or {})
    geographic = crs.strip().lower() in GEOGRAPHIC_CRS
    coords = ("lon", "lat") if geographic else ("x", "y")
    wanted = ["id", "industry", *coords]
    optional = ["weight", "region"]
    cols: dict[str, str] = {}
    for name in wanted + optional:
        src = mapping.get(name, name)
        if src in raw.columns:
            cols[name] = src
        elif name in wanted:
            raise DataError(f"column {src!r} not found (columns: {', '.join(raw.columns)})",
                            file=path, line=1, field=src)
        elif name in mapping:
            raise DataError(f"mapped column {src!r} not found", file=path, line=1, field=src)
    frame = raw.select([pl.col(src).alias(name) for name, src in cols.items()])
    # Parse numbers strictly: a cell that is not a number is an error at its line.
    for name in [*coords, *(["weight"] if "weight" in cols else [])]:
        parsed = frame[name].cast(pl.Utf8).str.strip_chars().cast(pl.Float64, strict=False)
        bad = parsed.is_null() & frame[name].is_not_null() \
            & (frame[name].cast(pl.Utf8).str.strip_chars() != "")
        if bad.any():
            line = _line(frame, bad)
            raise DataError(f"not a number: {frame[name].filter(bad)[0]!r}", file=path,
                            line=line, field=cols[name])
        frame = frame.with_columns(parsed.alias(name))
    frame = frame.with_columns(pl.col("id").cast(pl.Utf8), pl.col("industry").cast(pl.Utf8)
                               .str.strip_chars())
    if "region" in cols:
        frame = frame.with_columns(pl.col("region").cast(pl.Utf8))
    if "weight" not in cols:
        frame = frame.with_columns(pl.lit(1.0).alias("weight"))
    return validate_points(frame, file=path, source_names=cols)


def validate_points(points: pl.DataFrame, *, file: str | Path | None = None,
                    source_names: dict[str, str] | None = None) -> pl.DataFrame:
    """Check a canonical point table; return it with canonical column order and types.

    Errors (DataError with the 1-based line, header = line 1): missing or empty id,
    duplicate id, missing industry, missing coordinate, lon outside [-180, 180] or lat
    outside [-90, 90], non-finite projected coordinate, missing or non-positive weight.
    Several firms at one site are allowed (shared buildings are real).
    """
    names = source_names or {}
    geographic = is_geographic(points)
    coords = ["lon", "lat"] if geographic else ["x", "y"]

    def fail(msg: str, mask: pl.Series, field: str) -> None:
        raise DataError(msg, file=file, line=_line(points, mask), field=names.get(field, field))

    for col in ["id", "industry", *coords]:
        if col not in points.columns:
            raise DataError("column missing", file=file, field=names.get(col, col))
    if "weight" not in points.columns:
        points = points.with_columns(pl.lit(1.0).alias("weight"))
    points = points.with_columns(pl.col(c).cast(pl.Float64) for c in [*coords, "weight"])
    ids = points["id"].cast(pl.Utf8)
    if (m := ids.is_null() | (ids.str.strip_chars() == "")).any():
        fail("missing firm identifier", m, "id")
    if (m := ids.is_duplicated()).any():
        first = ids.filter(m)[0]
        dup = ids == first
        idx = np.flatnonzero(dup.to_numpy())
        raise DataError(f"duplicate firm identifier {first!r} (first on line {idx[0] + 2})",
                        file=file, line=int(idx[1]) + 2, field=names.get("id", "id"))
    ind = points["industry"].cast(pl.Utf8)
    if (m := ind.is_null() | (ind.str.strip_chars() == "")).any():
        fail("missing industry code", m, "industry")
    for c in coords:
        v = points[c]
        if (m := v.is_null() | v.is_nan()).any():
            fail("missing coordinate", m, c)
        if (m := v.is_infinite()).any():
            fail("coordinate is not finite", m, c)
    if geographic:
        if (m := (points["lon"] < -180) | (points["lon"] > 180)).any():
            fail(f"longitude {points['lon'].filter(m)[0]} outside [-180, 180]", m, "lon")
        if (m := (points["lat"] < -90) | (points["lat"] > 90)).any():
            fail(f"latitude {points['lat'].filter(m)[0]} outside [-90, 90]", m, "lat")
    w = points["weight"]
    if (m := w.is_null() | w.is_nan()).any():
        fail("missing weight", m, "weight")
    if (m := (w <= 0) | w.is_infinite()).any():
        fail(f"weight must be positive and finite, got {w.filter(m)[0]}", m, "weight")
    order = ["id", "industry", "weight", *(["region"] if "region" in points.columns else []),
             *coords]
    return points.select(order).with_columns(pl.col("id").cast(pl.Utf8),
                                             pl.col("industry").cast(pl.Utf8))


@dataclass(frozen=True)
class SiteCoords:
    """Kernel-ready coordinates of all sites of a point table (row order kept).

    ``coords`` is (n, 3) unit vectors for geographic tables and (n, 2) for projected
    ones; ``radius`` is the Earth radius in km (geographic) and ``extent`` an upper
    bound of any pair distance, in km or the CRS unit.
    """

    coords: np.ndarray
    geographic: bool
    radius: float
    extent: float
    unit: str


def site_coords(points: pl.DataFrame) -> SiteCoords:
    """Coordinates of every row of ``points`` for the kernels (see :class:`SiteCoords`)."""
    if is_geographic(points):
        xyz = unit_vectors(points["lon"].to_numpy(), points["lat"].to_numpy())
        # An upper bound of the great-circle distance: the chord of the bounding box of
        # the unit vectors, turned into an arc (then capped at half the circumference).
        span = xyz.max(axis=0) - xyz.min(axis=0) if len(xyz) else np.zeros(3)
        c = min(2.0, float(np.sqrt((span ** 2).sum())))
        extent = 2.0 * EARTH_RADIUS_KM * float(np.arcsin(c / 2.0))
        return SiteCoords(xyz, True, EARTH_RADIUS_KM, max(extent, 1e-9), "km")
    xy = np.ascontiguousarray(points.select("x", "y").to_numpy().astype(np.float64))
    span = xy.max(axis=0) - xy.min(axis=0) if len(xy) else np.zeros(2)
    extent = float(np.sqrt((span ** 2).sum()))
    return SiteCoords(xy, False, 0.0, max(extent, 1e-9), "crs unit")
