"""M of Marcon & Puech (2010): relative density of an industry in firms' neighbourhoods.

For reference firms i of industry S and target industry T (T = S for concentration,
T ≠ S for co-localisation), at radius r (Marcon & Puech 2010, eq. 6, weighted):

    M(r) = Σ_i [ Σ_{j≠i, c_j=T, d_ij≤r} w_j / Σ_{j≠i, d_ij≤r} w_j ]
           / Σ_i [ (W_T − w_i·[c_i=T]) / (W − w_i) ]

W the weight of all firms, W_T of industry T. M = 1 means the neighbourhoods of S's
firms hold T's share of the economy; M > 1 relative concentration. M is cumulative in
r and needs every firm's weight (the whole economy is the reference), so each
evaluation is O(n_S · N) time and O(N + grid) memory (kernels.m_sums). A reference firm
whose neighbourhood within r is empty has an undefined ratio and is left out of both
sums at that r; a radius where every neighbourhood is empty gives M = NaN.

Counterfactual: the same random labelling as Kd (klaster.spatial.montecarlo): the
marks (industry, weight) of all firms are permuted over the sites.

**m, the density counterpart of M** (Lang, Marcon & Puech 2015, working paper; 2020,
Annals of Regional Science 64, 243–265; dbmss's ``mhat``): the same ratio with the
neighbours *at* distance r instead of *within* r, counted by a Gaussian kernel:

    m(r) = Σ_i [ Σ_{j≠i, c_j=T} w_j k(r − d_ij) / Σ_{j≠i} w_j k(r − d_ij) ]
           / Σ_i [ (W_T − w_i·[c_i=T]) / (W − w_i) ],     k(u) = φ(u / h),

without reflection at 0 (as dbmss), h = R's bw.nrd0 of the unweighted distances
between reference and target firms (pairs within the industry when T = S) up to
2 × max r — dbmss's choice, the same as its Kd — recomputed for every simulated
labelling as dbmss recomputes it for every simulated pattern. A reference firm with no
neighbour within 9 h of r is left out at that r (as for M; dbmss would return NA).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from klaster.spatial.kd import _Binning, _chunks, dbmss_bandwidth, pair_histogram
from klaster.spatial.kernels import m_density_sums, m_sums
from klaster.spatial.montecarlo import Labelling, envelope, run_monte_carlo
from klaster.spatial.points import SiteCoords

__all__ = ["MStatistic", "MDensityStatistic", "m_test", "radius_thresholds"]


def radius_thresholds(sites: SiteCoords, radii: np.ndarray) -> np.ndarray:
    """Radii as the squared quantity the kernel compares: d² or the squared unit chord."""
    r = np.asarray(radii, dtype=np.float64)
    if sites.geographic:
        return (2.0 * np.sin(np.minimum(r / sites.radius, np.pi) / 2.0)) ** 2
    return r * r


@dataclass
class MStatistic:
    """M of reference rows ``ref`` toward target rows ``target`` (row positions).

    ``site_w``: weight of every firm/site (ones for the unweighted M). observed() and
    simulate() return M at ``radii`` (the Monte Carlo protocol of montecarlo.py).
    """

    sites: SiteCoords
    radii: np.ndarray
    site_w: np.ndarray
    ref: np.ndarray
    target: np.ndarray
    thresholds: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.thresholds = radius_thresholds(self.sites, self.radii)
        n = self.sites.coords.shape[0]
        self.site_w = np.ascontiguousarray(self.site_w, dtype=np.float64)
        self.ref = np.ascontiguousarray(self.ref, dtype=np.int64)
        self.is_target = np.zeros(n, dtype=np.bool_)
        self.is_target[self.target] = True

    def _m(self, ref, w, is_target) -> np.ndarray:
        num, den = m_sums(self.sites.coords, ref, w, is_target, self.sites.geographic,
                          self.thresholds, _chunks(len(ref) * len(w)))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)

    def observed(self) -> np.ndarray:
        return self._m(self.ref, self.site_w, self.is_target)

    def simulate(self, labelling: Labelling, rng: np.random.Generator) -> np.ndarray:
        perm = labelling.permutation(rng)  # firm of row r moves to site perm[r]
        w = np.empty_like(self.site_w)
        w[perm] = self.site_w
        tgt = np.empty_like(self.is_target)
        tgt[perm] = self.is_target
        return self._m(np.ascontiguousarray(perm[self.ref]), w, tgt)


@dataclass
class MDensityStatistic:
    """m of Lang, Marcon & Puech (2015) of rows ``ref`` toward rows ``target``.

    ``bandwidth``: fixed h (None: dbmss's rule, see the module docstring, per curve);
    ``last_h`` holds the bandwidth of the last curve, ``observed_h`` the observed one.
    """

    sites: SiteCoords
    radii: np.ndarray
    site_w: np.ndarray
    ref: np.ndarray
    target: np.ndarray
    bandwidth: float | None = None
    n_bins: int = 16384
    last_h: float = field(init=False, default=float("nan"))

    def __post_init__(self) -> None:
        n = self.sites.coords.shape[0]
        self.radii = np.ascontiguousarray(self.radii, dtype=np.float64)
        self.site_w = np.ascontiguousarray(self.site_w, dtype=np.float64)
        self.ref = np.ascontiguousarray(self.ref, dtype=np.int64)
        self.target = np.ascontiguousarray(self.target, dtype=np.int64)
        self.same = np.array_equal(np.sort(self.ref), np.sort(self.target))
        self.is_target = np.zeros(n, dtype=np.bool_)
        self.is_target[self.target] = True
        self.binning = _Binning.for_sites(self.sites, self.n_bins, 2.0 * self.radii.max())

    def _h(self, ref: np.ndarray, target: np.ndarray) -> float:
        if self.bandwidth is not None:
            return self.bandwidth
        hist = pair_histogram(self.sites, self.binning, ref, np.ones(len(ref)),
                              None if self.same else target,
                              None if self.same else np.ones(len(target)))
        return dbmss_bandwidth(hist[0], self.binning)

    def _m(self, ref, w, is_target, target) -> np.ndarray:
        h = self._h(ref, target)
        self.last_h = h
        reach = float(self.radii.max()) + 9.0 * h
        t_max = radius_thresholds(self.sites, np.array([reach]))[0]
        num, den = m_density_sums(self.sites.coords, ref, w, is_target,
                                  self.sites.geographic, self.sites.radius, self.radii, h,
                                  t_max, _chunks(len(ref) * len(w)))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)

    def observed(self) -> np.ndarray:
        out = self._m(self.ref, self.site_w, self.is_target, self.target)
        self.observed_h = self.last_h
        return out

    def simulate(self, labelling: Labelling, rng: np.random.Generator) -> np.ndarray:
        perm = labelling.permutation(rng)  # firm of row r moves to site perm[r]
        w = np.empty_like(self.site_w)
        w[perm] = self.site_w
        tgt = np.empty_like(self.is_target)
        tgt[perm] = self.is_target
        return self._m(np.ascontiguousarray(perm[self.ref]), w, tgt,
                       np.ascontiguousarray(perm[self.target]))


def m_test(sites: SiteCoords, site_w: np.ndarray, ref: np.ndarray, *, industry: str,
           radii: np.ndarray, target: np.ndarray | None = None, other: str | None = None,
           n_sim: int = 99, seed: int | np.random.SeedSequence = 0,
           alpha_local: float = 0.05, alpha_global: float = 0.05,
           function: str = "M", bandwidth: float | None = None) -> pl.DataFrame:
    """M (``function="M"``) or m (``"m"``) with local and global bands per distance.

    ``ref``: rows of the industry; ``target``: rows of the second industry for
    co-localisation (default: ``ref``). Returns columns industry, other, function,
    distance, m (the value of M or m), local_lo, local_hi (5 %/95 %),
    local_lo_dbmss, local_hi_dbmss (2.5 %/97.5 %), global_lo, global_hi, concentrated
    (m > global_hi), dispersed (m < global_lo), bandwidth (m only; null for M). Bands
    are computed on the distances where the observed and every simulated value are
    defined; elsewhere they are null. Raises ValueError when M/m of an industry with
    itself has fewer than 2 firms (every value would be undefined).
    """
    tgt = ref if target is None else target
    if target is None and len(ref) < 2:
        raise ValueError(f"{function} of an industry with itself needs at least 2 firms, "
                         f"{industry!r} has {len(ref)}")
    if function == "M":
        stat = MStatistic(sites, np.asarray(radii, dtype=np.float64), site_w, ref, tgt)
    elif function == "m":
        stat = MDensityStatistic(sites, np.asarray(radii, dtype=np.float64), site_w, ref,
                                 tgt, bandwidth)
    else:
        raise ValueError(f"function must be 'M' or 'm', not {function!r}")
    obs, sims = run_monte_carlo(stat, sites.coords.shape[0], n_sim, seed)
    keep = np.isfinite(obs) & np.isfinite(sims).all(axis=0)
    bands = {k: np.full(len(radii), np.nan) for k in
             ("local_lo", "local_hi", "local_lo_dbmss", "local_hi_dbmss", "global_lo",
              "global_hi")}
    if keep.any():
        env = envelope(sims[:, keep], alpha_local=alpha_local, alpha_global=alpha_global)
        for k, arr in bands.items():
            arr[keep] = getattr(env, k)
    h = getattr(stat, "observed_h", None)
    frame = pl.DataFrame({
        "industry": [industry] * len(radii),
        "other": pl.Series([other] * len(radii), dtype=pl.Utf8),
        "function": [function] * len(radii),
        "distance": np.asarray(radii, dtype=np.float64), "m": obs, **bands,
    }).with_columns(pl.col(c).fill_nan(None) for c in ["m", *bands])
    return frame.with_columns(
        (pl.col("m") > pl.col("global_hi")).fill_null(False).alias("concentrated"),
        (pl.col("m") < pl.col("global_lo")).fill_null(False).alias("dispersed"),
        pl.lit(h, dtype=pl.Float64).alias("bandwidth"))
