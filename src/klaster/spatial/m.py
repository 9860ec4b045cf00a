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
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from klaster.spatial.kd import _chunks
from klaster.spatial.kernels import m_sums
from klaster.spatial.montecarlo import Labelling, envelope, run_monte_carlo
from klaster.spatial.points import SiteCoords

__all__ = ["MStatistic", "m_test", "radius_thresholds"]


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


def m_test(sites: SiteCoords, site_w: np.ndarray, ref: np.ndarray, *, industry: str,
           radii: np.ndarray, target: np.ndarray | None = None, other: str | None = None,
           n_sim: int = 99, seed: int | np.random.SeedSequence = 0,
           alpha_local: float = 0.05, alpha_global: float = 0.05) -> pl.DataFrame:
    """M with local and global (Duranton & Overman 2005 rule) bands per radius.

    ``ref``: rows of the industry; ``target``: rows of the second industry for
    co-localisation (default: ``ref``). Returns columns industry, other, distance, m,
    local_lo, local_hi, global_lo, global_hi, concentrated (m > global_hi),
    dispersed (m < global_lo). Bands are computed on the radii where the observed and
    every simulated M are defined; elsewhere they are null.
    """
    stat = MStatistic(sites, np.asarray(radii, dtype=np.float64), site_w, ref,
                      ref if target is None else target)
    obs, sims = run_monte_carlo(stat, sites.coords.shape[0], n_sim, seed)
    keep = np.isfinite(obs) & np.isfinite(sims).all(axis=0)
    bands = {k: np.full(len(radii), np.nan) for k in
             ("local_lo", "local_hi", "global_lo", "global_hi")}
    if keep.any():
        env = envelope(sims[:, keep], alpha_local=alpha_local, alpha_global=alpha_global)
        for k, arr in bands.items():
            arr[keep] = getattr(env, k)
    frame = pl.DataFrame({
        "industry": [industry] * len(radii),
        "other": pl.Series([other] * len(radii), dtype=pl.Utf8),
        "distance": np.asarray(radii, dtype=np.float64), "m": obs, **bands,
    }).with_columns(pl.col(c).fill_nan(None) for c in ["m", *bands])
    return frame.with_columns(
        (pl.col("m") > pl.col("global_hi")).fill_null(False).alias("concentrated"),
        (pl.col("m") < pl.col("global_lo")).fill_null(False).alias("dispersed"))
