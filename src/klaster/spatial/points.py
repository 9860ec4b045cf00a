"""Firm point tables: load, validate, and turn into kernel-ready coordinates.

Canonical point table (Polars), one row per firm (establishment) at its site:

* ``id`` (Utf8) — firm identifier, unique; optional in the file (nothing needs it):
  when absent, the file's line number;
* ``industry`` (Utf8) — industry code, never missing;
* ``weight`` (Float64) — employees (or any size), > 0; 1.0 when the file has none;
* ``region`` (Utf8, optional) — administrative region, used by delineation;
* either ``lon``, ``lat`` (Float64, degrees WGS84: great-circle distances in km) or
  ``x``, ``y`` (Float64, projected coordinates: Euclidean distances in the CRS unit).

**Coordinate reference systems** (pyproj knows every EPSG code and PROJ string). A
geographic CRS (EPSG:4326 WGS84, EPSG:4258 ETRS89, …) means columns lon/lat in degrees;
they are converted to WGS84 lon/lat and distances are great-circle distances in km on
the sphere of the Gaussian mean radius of curvature at the data's mean latitude, which
is within ±e²cos²φ/2 of the ellipsoidal (geodesic) distance in any direction there
(0.13 % at 52° N; Torge & Müller 2012, Geodesy, §3.2: M ≤ √(MN) ≤ N). A projected CRS means x/y in
its unit; when its scale factor over the data's area departs from 1 by more than 1 %
(Web Mercator in Europe: ~60 %), Euclidean distances would be wrong, so the points are
converted to lon/lat and measured on the sphere instead (a ``reprojected`` issue says
so). Coordinates that cannot be in the stated CRS are refused with file, line and
field: lon/lat outside [−180, 180] × [−90, 90], and projected x/y outside the CRS's
area of use (EPSG's, widened by 25 % on each side) or all inside [−180, 180] ×
[−90, 90] (degrees passed with a projected CRS).

The set of all rows is the set of observed *sites* of the economy: random-labelling
counterfactuals (Duranton & Overman 2005) relocate an industry's firms among them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from klaster.errors import DataError, IssueLog
from klaster.spatial.kernels import unit_vectors

__all__ = ["SiteCoords", "crs_unit", "gaussian_radius_km", "is_geographic", "load_points",
           "resolve_crs", "site_coords", "validate_points"]

# GRS80 / WGS84 ellipsoid (the two differ by 0.1 mm in the semi-minor axis)
ELLIPSOID_A_KM = 6378.137
ELLIPSOID_E2 = 0.00669438002290
# a projected CRS whose distance scale over the data departs more from 1 is not used
# for Euclidean distances (see module docstring)
MAX_SCALE_ERROR = 0.01


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


def resolve_crs(crs: str):
    """The pyproj CRS of a user's ``--crs`` (EPSG code, WKT or PROJ string)."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        out = CRS.from_user_input(crs.strip() if isinstance(crs, str) else crs)
    except CRSError as exc:
        raise DataError(f"unknown coordinate reference system {crs!r}: {exc}",
                        field="crs") from exc
    if not (out.is_geographic or out.is_projected):
        raise DataError(f"{out.name} is neither geographic (lon/lat) nor projected (x/y); "
                        "klaster needs one of these", field="crs")
    return out


def crs_unit(crs) -> str:
    """Distance unit of results for a CRS: km (geographic) or the projected unit."""
    crs = resolve_crs(crs) if isinstance(crs, str) else crs
    if crs.is_geographic:
        return "km"
    return crs.axis_info[0].unit_name if crs.axis_info else "CRS unit"


def _projected_checks(frame: pl.DataFrame, crs, path: Path, cols: dict[str, str],
                      issues: IssueLog | None) -> pl.DataFrame:
    """Refuse x/y that cannot be in ``crs``; measure its distance scale over the data.

    Returns the frame, converted to lon/lat (WGS84) when the projection's scale factor
    departs from 1 by more than MAX_SCALE_ERROR somewhere in the data's bounding box.
    """
    from pyproj import Proj, Transformer

    x, y = frame["x"], frame["y"]
    name = crs.to_string()
    degrees = ((x.abs() <= 180) & (y.abs() <= 90)).all()
    if degrees and crs.axis_info and crs.axis_info[0].unit_name != "degree":
        raise DataError(f"every coordinate lies within ±180, ±90: these look like "
                        f"longitude/latitude degrees, not {name} "
                        f"{crs.axis_info[0].unit_name}s; pass --crs EPSG:4326 (or the "
                        "geographic CRS of the data) and columns lon/lat",
                        file=path, line=2, field=cols["x"])
    area = crs.area_of_use
    if area is not None:
        to_xy = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        x0, y0, x1, y1 = to_xy.transform_bounds(area.west, area.south, area.east,
                                               area.north, densify_pts=21)
        mx, my = 0.25 * (x1 - x0), 0.25 * (y1 - y0)
        for c, lo, hi in (("x", x0 - mx, x1 + mx), ("y", y0 - my, y1 + my)):
            bad = (frame[c] < lo) | (frame[c] > hi)
            if bad.any():
                raise DataError(
                    f"{c} = {frame[c].filter(bad)[0]:,.6g} cannot be in {name} "
                    f"({area.name}: {c} from {lo:,.0f} to {hi:,.0f} with a 25 % margin); "
                    "is --crs right?", file=path, line=_line(frame, bad), field=cols[c])
    # scale factor at the corners and centre of the data's bounding box
    to_ll = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    xs = np.array([x.min(), x.max(), x.min(), x.max(), (x.min() + x.max()) / 2])
    ys = np.array([y.min(), y.min(), y.max(), y.max(), (y.min() + y.max()) / 2])
    lon, lat = to_ll.transform(xs, ys)
    try:
        f = Proj(crs).get_factors(lon, lat)
        scale = np.concatenate([f.meridional_scale, f.parallel_scale])
    except Exception:  # noqa: BLE001 - projections without factors: trust the CRS
        scale = np.ones(1)
    err = float(np.nanmax(np.abs(scale - 1.0))) if np.isfinite(scale).any() else 0.0
    if err <= MAX_SCALE_ERROR:
        return frame
    lon, lat = to_ll.transform(x.to_numpy(), y.to_numpy())
    if issues is not None:
        issues.add("reprojected", f"{name} stretches distances by up to {err:.1%} over "
                   "these points; distances are measured on the sphere (km) instead",
                   file=str(path), field="crs")
    return frame.drop("x", "y").with_columns(pl.Series("lon", lon), pl.Series("lat", lat))


def load_points(path: str | Path, *, mapping: dict[str, str] | None = None,
                crs: str = "EPSG:4326", issues: IssueLog | None = None) -> pl.DataFrame:
    """Read a CSV/Parquet firm file into the canonical point table (columns above).

    ``mapping`` maps canonical names to the file's columns (e.g. ``{"id": "osm_id",
    "industry": "value"}``); unmapped canonical names are looked up as-is. ``crs``
    (pyproj: any EPSG code, WKT or PROJ string) says whether the two coordinate columns
    are lon/lat (a geographic CRS; EPSG:4326 by default) or projected x/y; see the
    module docstring for the checks. Errors name file, line and field; see
    :func:`validate_points`.
    """
    path = Path(path)
    pcrs = resolve_crs(crs)
    raw = _read(path)
    mapping = dict(mapping or {})
    geographic = pcrs.is_geographic
    coords = ("lon", "lat") if geographic else ("x", "y")
    wanted = ["industry", *coords]
    optional = ["id", "weight", "region"]
    cols: dict[str, str] = {}
    for name in wanted + optional:
        src = mapping.get(name, name)
        if src in raw.columns:
            cols[name] = src
        elif name in wanted:
            hint = ""
            other = ("x", "y") if geographic else ("lon", "lat")
            if all(mapping.get(c, c) in raw.columns for c in other):
                hint = (f" — the file has {'/'.join(other)}: is --crs {crs} right? "
                        f"{crs} is {'geographic (lon/lat)' if geographic else 'projected (x/y)'}")
            raise DataError(f"column {src!r} not found (columns: {', '.join(raw.columns)})"
                            + hint, file=path, line=1, field=src)
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
    if "id" not in cols:  # the line number identifies the firm
        frame = frame.with_columns(pl.int_range(2, frame.height + 2).cast(pl.Utf8)
                                   .alias("id"))
    frame = frame.with_columns(pl.col("id").cast(pl.Utf8), pl.col("industry").cast(pl.Utf8)
                               .str.strip_chars())
    if "region" in cols:
        frame = frame.with_columns(pl.col("region").cast(pl.Utf8))
    if "weight" not in cols:
        frame = frame.with_columns(pl.lit(1.0).alias("weight"))
    out = validate_points(frame, file=path, source_names=cols)
    if geographic:
        if pcrs.axis_info and pcrs.axis_info[0].unit_name != "degree":
            raise DataError(f"{pcrs.name} measures angles in {pcrs.axis_info[0].unit_name}; "
                            "klaster reads lon/lat in degrees", field="crs")
        if not pcrs.equals("EPSG:4326", ignore_axis_order=True):
            from pyproj import Transformer

            lon, lat = Transformer.from_crs(pcrs, "EPSG:4326", always_xy=True).transform(
                out["lon"].to_numpy(), out["lat"].to_numpy())
            out = out.with_columns(pl.Series("lon", lon), pl.Series("lat", lat))
        return out
    out = _projected_checks(out, pcrs, path, cols, issues)
    return out if "x" in out.columns else validate_points(out, file=path)


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

    for col in ["industry", *coords]:
        if col not in points.columns:
            raise DataError("column missing", file=file, field=names.get(col, col))
    if "id" not in points.columns:  # optional: the line number (header = line 1)
        points = points.with_columns(pl.int_range(2, points.height + 2).cast(pl.Utf8)
                                     .alias("id"))
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


def gaussian_radius_km(lat_deg: float) -> float:
    """Gaussian mean radius of curvature √(M·N) of the GRS80 ellipsoid at a latitude.

    √(MN) = a·√(1 − e²) / (1 − e² sin²φ) (Torge & Müller 2012, Geodesy, §3.2): the
    sphere that osculates the ellipsoid best around φ, so great-circle distances on it
    are within about ±e²cos²φ/2 of the geodesic distances nearby (0.13 % at 52° N,
    0.34 % at the equator). 6,383 km at 52° N (Poland), against 6,371.0 km for the
    mean Earth radius, whose east-west error there is 0.32 %.
    """
    s2 = math.sin(math.radians(lat_deg)) ** 2
    return ELLIPSOID_A_KM * math.sqrt(1.0 - ELLIPSOID_E2) / (1.0 - ELLIPSOID_E2 * s2)


def site_coords(points: pl.DataFrame) -> SiteCoords:
    """Coordinates of every row of ``points`` for the kernels (see :class:`SiteCoords`)."""
    if is_geographic(points):
        lat = points["lat"].to_numpy()
        radius = gaussian_radius_km(float(lat.mean()) if len(lat) else 0.0)
        xyz = unit_vectors(points["lon"].to_numpy(), lat)
        # An upper bound of the great-circle distance: the chord of the bounding box of
        # the unit vectors, turned into an arc (then capped at half the circumference).
        span = xyz.max(axis=0) - xyz.min(axis=0) if len(xyz) else np.zeros(3)
        c = min(2.0, float(np.sqrt((span ** 2).sum())))
        extent = 2.0 * radius * float(np.arcsin(c / 2.0))
        return SiteCoords(xyz, True, radius, max(extent, 1e-9), "km")
    xy = np.ascontiguousarray(points.select("x", "y").to_numpy().astype(np.float64))
    span = xy.max(axis=0) - xy.min(axis=0) if len(xy) else np.zeros(2)
    extent = float(np.sqrt((span ** 2).sum()))
    return SiteCoords(xy, False, 0.0, max(extent, 1e-9), "crs unit")
