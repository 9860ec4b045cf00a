"""Proximity (relatedness) between activities from their co-location across regions.

All kernels take dense NumPy matrices (rows = regions, columns = activities) and return
an activities x activities matrix; :func:`proximity_table` turns one into a long table.
The co-occurrence matrix C = M^T M (one BLAS product) is the common fast path.

* ``"hidalgo"`` — Hidalgo, Klinger, Barabasi & Hausmann (2007), the product space:
  phi_ij = min(P(M_i | M_j), P(M_j | M_i)) = C_ij / max(u_i, u_j), u = ubiquity
  (number of regions where the activity is present). Diagonal 1 (0 for an activity
  present nowhere); as the ``ecomplexity`` package computes it.
* ``"prob"`` — probability index of EconGeo's ``relatedness(method = "prob")``
  (Balland 2016; Steijn 2017): co-occurrence over its expectation when pairs are drawn
  without repetition. With c the co-occurrence with a zero diagonal, s_i = sum_j c_ij,
  T = sum_ij c_ij: e_ij = T/2 * (s_i/T * s_j/(T - s_i) + s_j/T * s_i/(T - s_j)) and
  r_ij = c_ij / e_ij (0 where undefined, 0 on the diagonal). r > 1: co-located more often
  than chance.
* ``"correlation"`` — Pearson correlation of RCA across regions (as in ``ecomplexity``'s
  continuous proximity), rescaled to (1 + r) / 2 so that it lies in [0, 1] and can weigh a
  density; ``rescale=False`` gives r itself (used by cluster derivation, Delgado, Porter &
  Stern 2016). Undefined correlations (an activity with constant RCA) are 0 (r) / 0.5.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import polars as pl

from klaster.errors import DataError

ProximityMethod = Literal["hidalgo", "prob", "correlation"]
METHODS = ("hidalgo", "prob", "correlation")


def cooccurrence(presence: np.ndarray) -> np.ndarray:
    """C = M^T M: C_ij = number of regions where activities i and j are both present."""
    m = np.asarray(presence)
    if m.ndim == 2 and m.shape[0] < 1 << 24 and ((m == 0) | (m == 1)).all():
        # 0/1 entries: every partial sum is an integer below 2^24, which float32 holds
        # exactly, so the single-precision product (half the memory traffic and twice
        # the SIMD width of float64) gives exactly the same counts.
        m32 = m.astype(np.float32)
        return (m32.T @ m32).astype(np.float64)
    m = m.astype(np.float64)
    return m.T @ m


def proximity_hidalgo(presence: np.ndarray) -> np.ndarray:
    """Minimum of the two conditional probabilities (Hidalgo et al. 2007)."""
    c = cooccurrence(presence)
    u = np.diag(c).copy()  # ubiquity: M is 0/1, so C_ii = sum_r M_ri
    # phi_ij = C_ij / max(u_i, u_j) is min(C_ij/u_i, C_ij/u_j) in one division.
    den = np.maximum(u[:, None], u[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(den > 0, c / den, 0.0)
    return phi


def proximity_prob(presence: np.ndarray) -> np.ndarray:
    """EconGeo's probability index (Balland 2016; Steijn 2017) on C = M^T M."""
    c = cooccurrence(presence)
    np.fill_diagonal(c, 0.0)
    s = c.sum(axis=0)
    t = c.sum()
    si, sj = s[:, None], s[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        # Expected co-occurrence when the T/2 pairs are drawn without repetition.
        e = (si / t * (sj / (t - si)) + sj / t * (si / (t - sj))) * (t / 2.0)
        r = c / e
    r[~np.isfinite(r)] = 0.0
    np.fill_diagonal(r, 0.0)
    return r


def proximity_correlation(rca: np.ndarray, *, rescale: bool = True) -> np.ndarray:
    """Pearson correlation of RCA (or LQ) columns across regions; (1 + r)/2 if rescale."""
    x = np.asarray(rca, dtype=np.float64)
    x = x - x.mean(axis=0, keepdims=True)
    norm = np.sqrt((x * x).sum(axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = x / norm
    z[:, norm == 0] = 0.0  # constant column: correlation undefined -> 0
    r = z.T @ z
    r = np.clip(r, -1.0, 1.0)
    idx = np.flatnonzero(norm > 0)
    r[idx, idx] = 1.0
    return (1.0 + r) / 2.0 if rescale else r


def proximity_matrix(method: ProximityMethod, presence: np.ndarray,
                     rca: np.ndarray | None = None) -> np.ndarray:
    """Dispatch on ``method`` ("hidalgo", "prob" or "correlation"; the last needs rca)."""
    if method == "hidalgo":
        return proximity_hidalgo(presence)
    if method == "prob":
        return proximity_prob(presence)
    if method == "correlation":
        if rca is None:
            raise DataError("correlation proximity needs the RCA matrix", field="rca")
        return proximity_correlation(rca)
    raise DataError(f"unknown proximity method {method!r}; use one of {METHODS}",
                    field="method")


def proximity_table(phi: np.ndarray, activities: list[str], *, min_value: float = 0.0,
                    include_self: bool = False) -> pl.DataFrame:
    """Long table ``activity_1, activity_2, proximity`` (both orders of each pair) of the
    entries > ``min_value`` (all entries when ``min_value`` is None)."""
    n = len(activities)
    if phi.shape != (n, n):
        raise DataError(f"proximity matrix is {phi.shape}, expected {(n, n)}", field="proximity")
    keep = np.ones_like(phi, dtype=bool) if min_value is None else phi > min_value
    if not include_self:
        np.fill_diagonal(keep, False)
    i, j = np.nonzero(keep)
    names = np.asarray(activities, dtype=object)
    return pl.DataFrame({"activity_1": names[i].tolist(), "activity_2": names[j].tolist(),
                         "proximity": phi[i, j]},
                        schema={"activity_1": pl.Utf8, "activity_2": pl.Utf8,
                                "proximity": pl.Float64})
