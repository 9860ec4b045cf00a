"""Per-group order statistics over dense group codes, with NumPy (no hashing).

The strong-cluster percentiles (klaster.indicators.strong) and the star cut-offs
(klaster.indicators.stars) are order statistics of a value within each cluster x year.
A hashed group-by sorting every group's list costs most of those steps on county-scale
tables (issue 14); here the rows are put in group order by one radix sort of the dense
group codes, and each group's order statistics are selected from its contiguous slice.
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
    if years.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=years.dtype)
    y0, y1 = int(years.min()), int(years.max())
    if y1 - y0 < 1 << 16:
        # A span of years: direct addressing (no hashing, no binary search).
        offset = years.astype(np.int64) - y0
        present = np.bincount(offset, minlength=y1 - y0 + 1) > 0
        index = np.cumsum(present) - 1
        return index[offset], (np.flatnonzero(present) + y0).astype(years.dtype)
    distinct = np.unique(series.unique().to_numpy())
    return np.searchsorted(distinct, years), distinct


class Groups:
    """Dense group code per row (0..n-1) and, computed once and shared by every
    statistic, the rows in group order (a stable radix sort of the narrow codes)."""

    def __init__(self, g: np.ndarray, n: int):
        self.g, self.n = g, n
        self._order: np.ndarray | None = None
        self._selected: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    @property
    def order(self) -> np.ndarray:
        if self._order is None:
            narrow = np.uint16 if self.n <= 1 << 16 else np.int64
            self._order = np.argsort(self.g.astype(narrow), kind="stable")
        return self._order

    def selected(self, select: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the rows of the Boolean mask ``select`` in group order, their count per
        group). The strong flags and stars ask for the same few masks several times (one
        per value column), so each distinct mask is worked out once."""
        for mask, rows, counts in self._selected:
            if np.array_equal(mask, select):
                return rows, counts
        rows = self.order[select[self.order]]
        counts = np.bincount(self.g[rows], minlength=self.n)
        self._selected.append((select, rows, counts))
        return rows, counts


def cluster_year_groups(frame: pl.DataFrame) -> Groups | None:
    """Cluster x year groups of ``frame``, or None when the cluster column is not
    Categorical/Enum or a key has nulls."""
    c, y = key_codes(frame["cluster"]), year_codes(frame["year"])
    if c is None or y is None:
        return None
    (c, n_c), (y, years) = c, y
    return Groups(c.astype(np.int64) * years.size + y, n_c * years.size)


# Up to this many groups each group is read by selection (np.partition, linear time) in a
# loop over the groups; beyond, the per-group loop would cost more than a full sort.
_LOOP_GROUPS = 8192


class SortedGroups:
    """Order statistics of the selected rows' values within each group.

    groups: :class:`Groups`; values: float per row; select: Boolean mask of the rows
    that count (rows with null values must be left out by the caller). The rows come in
    group order from ``groups.order``; then each group's order statistics come from np.partition on its slice (few
    groups), or the values are fully sorted within groups (many groups).
    """

    def __init__(self, groups: Groups, values: np.ndarray, select: np.ndarray):
        g, n_groups = groups.g, groups.n
        self.loop = n_groups <= _LOOP_GROUPS
        if self.loop:
            rows, self.counts = groups.selected(select)  # selected rows, in group order
            self.values = values[rows]
        else:
            rows = np.flatnonzero(select)
            v = values[rows]
            order = np.argsort(v)
            by_group = np.argsort(g[rows][order], kind="stable")
            self.values = v[order][by_group]  # sorted within each group
            self.counts = np.bincount(g[select], minlength=n_groups)
        self.starts = np.concatenate(([0], np.cumsum(self.counts)[:-1])).astype(np.int64)

    def _order_stats(self, ranks: np.ndarray) -> np.ndarray:
        """Value of 0-based ascending rank ``ranks[group, j]`` per group (rank within
        0..n-1 for non-empty groups); NaN for empty groups."""
        n = self.counts
        out = np.full(ranks.shape, np.nan)
        if self.loop:
            for grp in np.flatnonzero(n):
                seg = self.values[self.starts[grp]:self.starts[grp] + n[grp]]
                want = ranks[grp]
                # A handful of ranks: a Python set is far cheaper than np.unique on a
                # tiny array, called once per group (thousands of groups).
                out[grp] = np.partition(seg, sorted(set(want.tolist())))[want]
        else:
            has = n > 0
            at = np.where(has[:, None], self.starts[:, None] + ranks, 0)
            if self.values.size:
                out[has] = self.values[at[has]]
        return out

    def quantiles(self, qs: tuple[float, ...]) -> np.ndarray:
        """Linear-interpolation quantiles per group, shape (groups, len(qs)) (Polars' and
        NumPy's "linear": position q (n - 1), lower + (upper - lower) * fraction); NaN
        for an empty group."""
        n = np.maximum(self.counts, 1)[:, None]
        pos = (n - 1).astype(np.float64) * np.asarray(qs)[None, :]
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, n - 1)
        frac = pos - lo
        both = self._order_stats(np.concatenate([lo, hi], axis=1))
        lower, upper = both[:, :len(qs)], both[:, len(qs):]
        return np.where(frac > 0, lower + (upper - lower) * frac, lower)

    def largest(self, k: np.ndarray) -> np.ndarray:
        """The k-th largest value per group; NaN for an empty group or k outside 1..n."""
        n = self.counts
        ok = (k >= 1) & (k <= n)
        ranks = np.where(ok, n - k, 0)[:, None]
        return np.where(ok, self._order_stats(ranks)[:, 0], np.nan)


def per_row(values: np.ndarray, g: np.ndarray, name: str) -> pl.Series:
    """Group values gathered to the rows; NaN (empty group) becomes null."""
    return pl.Series(name, values[g], nan_to_null=True)


def floats(series: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """(float values with nulls as NaN, not-null mask) of a numeric column."""
    s = series.cast(pl.Float64)
    valid = s.is_not_null().to_numpy()
    return (s.fill_null(np.nan) if s.null_count() else s).to_numpy(), valid
