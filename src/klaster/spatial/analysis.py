"""Table-level entry points: Kd and M of industries of a canonical point table.

These take the point table of klaster.spatial.points (columns id, industry, weight,
[region], lon/lat or x/y) and return Polars frames; the arithmetic lives in kd.py, m.py,
montecarlo.py and kernels.py.
"""

from __future__ import annotations

import zlib

import numpy as np
import polars as pl

from klaster.errors import DataError
from klaster.spatial.kd import KdOptions, distance_grid, kd_test, median_site_distance
from klaster.spatial.m import m_test
from klaster.spatial.points import SiteCoords, site_coords

__all__ = ["industry_rows", "industry_seed", "kd_grid", "kd_industry", "m_industry"]


def industry_seed(seed: int, industry: str) -> np.random.SeedSequence:
    """Seed of one industry's simulations: independent of run order (resumable runs)."""
    return np.random.SeedSequence([int(seed), zlib.crc32(industry.encode("utf-8"))])


def industry_rows(points: pl.DataFrame) -> dict[str, np.ndarray]:
    """Row positions of each industry's firms, largest industries first."""
    idx = points.select("industry").with_row_index("_r").group_by("industry",
                                                                  maintain_order=True) \
        .agg(pl.col("_r"))
    out = {r["industry"]: np.asarray(r["_r"], dtype=np.int64) for r in idx.iter_rows(named=True)}
    return dict(sorted(out.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def _rows(points: pl.DataFrame, industry: str) -> np.ndarray:
    rows = np.flatnonzero((points["industry"] == industry).to_numpy())
    if len(rows) == 0:
        raise DataError(f"industry {industry!r} has no firms in the point table",
                        field="industry")
    return rows


def kd_grid(sites: SiteCoords, options: KdOptions, seed: int = 0) -> np.ndarray:
    """Distance grid of Kd: 0 .. max_distance (default: median distance between sites)."""
    dmax = options.max_distance if options.max_distance is not None \
        else median_site_distance(sites, seed=seed)
    return distance_grid(dmax, options.n_grid)


def kd_industry(points: pl.DataFrame, industry: str, *, other: str | None = None,
                options: KdOptions | None = None, n_sim: int = 99, seed: int = 0,
                sites: SiteCoords | None = None, grid: np.ndarray | None = None):
    """Kd of ``industry`` (or its co-localisation with ``other``) with bands.

    Returns (curve, summary) — columns documented in :func:`klaster.spatial.kd.kd_test`.
    All rows of ``points`` are the sites of the random-labelling counterfactual.
    """
    options = options if options is not None else KdOptions()
    sites = sites if sites is not None else site_coords(points)
    grid = grid if grid is not None else kd_grid(sites, options, seed)
    w = points["weight"].to_numpy()
    rows = _rows(points, industry)
    oth = None
    if other is not None:
        orow = _rows(points, other)
        oth = (other, orow, w[orow])
    key = industry if other is None else f"{industry}\x00{other}"
    return kd_test(sites, rows, w[rows], industry=industry, grid=grid, options=options,
                   n_sim=n_sim, seed=industry_seed(seed, key), other=oth)


def m_industry(points: pl.DataFrame, industry: str, *, other: str | None = None,
               radii: np.ndarray | None = None, max_distance: float | None = None,
               n_radii: int = 50, weighted: bool = True, n_sim: int = 99,
               seed: int = 0, function: str = "M",
               bandwidth: float | None = None) -> pl.DataFrame:
    """M (Marcon & Puech 2010; ``function="M"``) or m (Lang, Marcon & Puech 2015;
    ``"m"``) of ``industry`` (toward ``other``) with bands per distance.

    Radii default to ``n_radii`` steps up to ``max_distance`` (default: the median
    distance between sites), from dmax / n_radii for M (M(0) is undefined) and from 0
    for m. Columns: see :func:`klaster.spatial.m.m_test`. A DataError when the
    industry has fewer than 2 firms and no ``other`` (nothing to measure).
    """
    sites = site_coords(points)
    if radii is None:
        dmax = max_distance if max_distance is not None else median_site_distance(sites,
                                                                                   seed=seed)
        radii = np.linspace(dmax / n_radii, dmax, n_radii) if function == "M" \
            else np.linspace(0.0, dmax, n_radii + 1)
    w = points["weight"].to_numpy() if weighted else np.ones(points.height)
    ref = _rows(points, industry)
    target = None if other is None else _rows(points, other)
    if other is None and len(ref) < 2:
        raise DataError(f"industry {industry!r} has {len(ref)} firm: {function} of an "
                        "industry with itself needs at least 2", field="industry")
    key = industry if other is None else f"{industry}\x00{other}"
    return m_test(sites, w, ref, industry=industry, radii=radii, target=target, other=other,
                  n_sim=n_sim, seed=industry_seed(seed, function + "\x00" + key),
                  function=function, bandwidth=bandwidth)
