"""European Cluster Observatory star ratings (Ketels & Protsiv; European Cluster Observatory).

Each regional cluster earns up to three stars (per cluster x year):

* size: the region is among the top ``size_top`` (default 10 %) of regions by
  employment in that cluster;
* specialisation: LQ >= ``specialisation_lq`` (default 2);
* focus: the cluster's share of the region's employment (``region_share``) is among
  the top ``focus_top`` (default 10 %) of regions for that cluster.

"Top p" is rank-based, over the regions with employment > 0 in the cluster x year
(n of them): a region qualifies when its competition rank (1 = largest; tied values share
the best rank) is <= k, k = ceil(p * n). So at least one region qualifies when n >= 1, and
every region tied at the boundary qualifies. Regions with employment 0 get no stars
(False, stars 0); rows with null employment get null.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from klaster.errors import DataError
from klaster.indicators._checks import require_columns
from klaster.indicators._groups import (
    Groups,
    SortedGroups,
    cluster_year_groups,
    floats,
    per_row,
)

STAR_COLUMNS = ("star_size", "star_specialisation", "star_focus", "stars")

# ceil(p * n) with a guard: 0.1 * 30 is 3.0000000000000004 in binary floating point, and
# ceil of it would wrongly give 4.
_EPS = 1e-9


@dataclass(frozen=True)
class StarThresholds:
    """Thresholds of the European Cluster Observatory star rating."""

    size_top: float = 0.10
    specialisation_lq: float = 2.0
    focus_top: float = 0.10

    def __post_init__(self) -> None:
        for name in ("size_top", "focus_top"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise DataError(f"StarThresholds.{name} must be in (0, 1], got {value}", field=name)
        if self.specialisation_lq < 0:
            raise DataError("StarThresholds.specialisation_lq must be >= 0", field="specialisation_lq")


DEFAULT_STARS = StarThresholds()


def top_k(n: pl.Expr, share: float) -> pl.Expr:
    """k = ceil(share * n) regions make the "top share" (see module docstring)."""
    return (n.cast(pl.Float64) * share - _EPS).ceil()


def star_ratings(frame: pl.DataFrame, thresholds: StarThresholds = DEFAULT_STARS, *,
                 groups: Groups | None = None) -> pl.DataFrame:
    """Add star columns to ``frame``.

    Takes columns ``cluster, year, employment, region_share, lq`` (others pass through,
    row order kept). Returns the frame with Boolean ``star_size, star_specialisation,
    star_focus`` and Int32 ``stars`` (0..3) appended.
    """
    require_columns(frame, ("cluster", "year", "employment", "region_share", "lq"), "indicator table")
    group = ["cluster", "year"]
    # Competition rank <= k  <=>  fewer than k regions have a larger value  <=>  the
    # value is >= the k-th largest value of the group (ties all qualify). So one group-by
    # finding the k-th largest employment and region share replaces two ranked windows.
    groups = groups or cluster_year_groups(frame)
    if groups is not None:
        cuts = _cuts_dense(frame, thresholds, groups)
    else:
        n = pl.len()
        cut = frame.filter(pl.col("employment") > 0).group_by(group).agg(
            pl.col("employment").sort(descending=True)
            .get(top_k(n, thresholds.size_top).cast(pl.Int64) - 1).alias("_size_cut"),
            pl.col("region_share").sort(descending=True)
            .get(top_k(n, thresholds.focus_top).cast(pl.Int64) - 1).alias("_focus_cut"),
        )
        # Cut-offs joined to the key columns only (a join to the whole wide frame would
        # copy every column of it; issue 14).
        cuts = frame.select(group).join(cut, on=group, how="left", maintain_order="left"
                                        ).drop(group)
    zero = pl.col("employment") == 0

    def gate(rule: pl.Expr) -> pl.Expr:
        return (
            pl.when(pl.col("employment").is_null())
            .then(pl.lit(None, dtype=pl.Boolean))  # unpublished: unknown, not False
            .when(zero)
            .then(pl.lit(False))
            .otherwise(rule)
        )

    stars = cuts.hstack(frame.select("employment", "lq", "region_share")).select(
        gate(pl.col("employment") >= pl.col("_size_cut")).alias("star_size"),
        gate(pl.col("lq") >= thresholds.specialisation_lq).alias("star_specialisation"),
        gate(pl.col("region_share") >= pl.col("_focus_cut")).alias("star_focus"),
    )
    return frame.with_columns(stars.with_columns(
        (
            pl.col("star_size").cast(pl.Int32)
            + pl.col("star_specialisation").cast(pl.Int32)
            + pl.col("star_focus").cast(pl.Int32)
        ).alias("stars")
    ).get_columns())


def _cuts_dense(frame: pl.DataFrame, thresholds: StarThresholds, groups: Groups
                ) -> pl.DataFrame:
    """The k-th largest employment and region share per cluster x year among the rows
    with employment > 0 (k from the number of such rows), gathered to every row — from
    dense group codes (klaster.indicators._groups), without a hashed group-by."""
    g, n_groups = groups.g, groups.n
    emp, emp_ok = floats(frame["employment"])
    share, share_ok = floats(frame["region_share"])
    positive = emp_ok.copy()
    positive[positive] = emp[positive] > 0
    n = np.bincount(g[positive], minlength=n_groups).astype(np.float64)

    def k(p: float) -> np.ndarray:  # top_k(), on the group sizes
        return np.ceil(n * p - _EPS).astype(np.int64)

    # A null region share (no regional total) is sorted first by Polars' descending
    # sort, i.e. it ranks as the largest: it is kept out of the values and counted in k.
    size = SortedGroups(groups, emp, positive)
    nulls = np.bincount(g[positive & ~share_ok], minlength=n_groups)
    focus = SortedGroups(groups, share, positive & share_ok)
    k_focus = k(thresholds.focus_top) - nulls
    return pl.DataFrame([
        per_row(size.largest(k(thresholds.size_top)), g, "_size_cut"),
        per_row(focus.largest(k_focus), g, "_focus_cut"),
    ])
