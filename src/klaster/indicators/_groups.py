"""Per-group order statistics over dense group codes, with NumPy (no hashing).

The strong-cluster percentiles (klaster.indicators.strong) and the star cut-offs
(klaster.indicators.stars) are order statistics of a value within each cluster x year.
A hashed group-by sorting every group's list costs most of those steps on county-scale
tables (issue 14); here the rows are put in (group, value) order by two sorts over the
whole column — values first, then a stable sort by group code — and each group's
statistics are read off its contiguous slice by index arithmetic.
"""

from __future__ import annotations

import numpy as np
import polars as pl


def key_codes(series: pl.Series) -> tuple[np.ndarray, int] | None:
    """Dense integer codes 0..n-1 of a Categorical/Enum key column (as NumPy), and n.

    The physical codes of an Enum are already dense; a Categorical's are ids in Polars'
    global string cache, made dense by a lookup (two passes, no hashing, no sort).
    None when the column has nulls or another type.
    """
    if series.null_count() or not isinstance(series.dtype, (pl.Categorical, pl.Enum)):
        return None
    phys = series.to_physical().to_numpy()
    if isinstance(series.dtype, pl.Enum):
        return phys, len(series.dtype.categories)
    if phys.size == 0:
        return phys.astype(np.int64), 0
    used = np.bincount(phys) > 0
    lut = np.cumsum(used) - 1
    return lut[phys], int(used.sum())


def year_codes(series: pl.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(dense year index per row, sorted distinct years), or None with null years."""
    if series.null_count():
        return None
    years = series.to_numpy()
    distinct = np.unique(series.unique().to_numpy())
    return np.searchsorted(distinct, years), distinct


def cluster_year_groups(frame: pl.DataFrame) -> tuple[np.ndarray, int] | None:
    """Dense cluster x year group code per row and the number of groups, or None when
    the cluster column is not Categorical/Enum or a key has nulls."""
    c, y = key_codes(frame["cluster"]), year_codes(frame["year"])
    if c is None or y is None:
        return None
    (c, n_c), (y, years) = c, y
    return c.astype(np.int64) * years.size + y, n_c * years.size


class SortedGroups:
    """The values of the selected rows, sorted within each group.

    g: group code per row (0..n_groups-1); values: float per row; select: Boolean mask
    of the rows that count (rows with null values must be left out by the caller).
    """

    def __init__(self, g: np.ndarray, n_groups: int, values: np.ndarray, select: np.ndarray):
        rows = np.flatnonzero(select)
        v = values[rows]
        order = np.argsort(v)
        gv = g[rows][order]
        # A stable sort by group keeps the value order inside each group (radix sort
        # for narrow integer codes).
        narrow = np.uint16 if n_groups <= 1 << 16 else np.int64
        by_group = np.argsort(gv.astype(narrow), kind="stable")
        self.sorted = v[order][by_group]
        self.counts = np.bincount(gv, minlength=n_groups)
        self.starts = np.concatenate(([0], np.cumsum(self.counts)[:-1]))

    def quantile(self, q: float) -> np.ndarray:
        """Linear-interpolation quantile per group (Polars' and NumPy's "linear":
        position q (n - 1), lower + (upper - lower) * fraction); NaN for an empty group."""
        n = self.counts
        has = n > 0
        pos = (n - 1).astype(np.float64) * q
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, n - 1)
        frac = pos - lo
        at_lo = np.where(has, self.starts + lo, 0)
        at_hi = np.where(has, self.starts + hi, 0)
        if self.sorted.size == 0:
            return np.full(n.size, np.nan)
        lower, upper = self.sorted[at_lo], self.sorted[at_hi]
        out = np.where(frac > 0, lower + (upper - lower) * frac, lower)
        return np.where(has, out, np.nan)

    def largest(self, k: np.ndarray) -> np.ndarray:
        """The k-th largest value per group (k >= 1 per group); NaN for an empty group."""
        n = self.counts
        has = (n > 0) & (k >= 1) & (k <= n)
        if self.sorted.size == 0:
            return np.full(n.size, np.nan)
        at = np.where(has, self.starts + n - k, 0)
        return np.where(has, self.sorted[at], np.nan)


def per_row(values: np.ndarray, g: np.ndarray, name: str) -> pl.Series:
    """Group values gathered to the rows; NaN (empty group) becomes null."""
    return pl.Series(name, values[g], nan_to_null=True)


def floats(series: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """(float values with nulls as NaN, not-null mask) of a numeric column."""
    s = series.cast(pl.Float64)
    valid = s.is_not_null().to_numpy()
    return (s.fill_null(np.nan) if s.null_count() else s).to_numpy(), valid
