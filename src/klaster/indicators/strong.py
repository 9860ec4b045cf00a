"""US Cluster Mapping Project "strong cluster" flags (Delgado, Porter & Stern 2016; Porter 2003).

The US Cluster Mapping Project marks a regional cluster as strong when it is both
specialised and of meaningful size relative to the other regions' instances of the same
cluster. Here, per cluster x year, the percentiles are taken over the regions with
employment > 0 in that cluster (quantiles linearly interpolated, NumPy's default
``method="linear"``):

    size_ok     = employment > P25(employment)  AND  establishments > P25(establishments)
    strong      = LQ >= P75(LQ) AND LQ >= 1 AND size_ok
    strong10    = LQ >= P90(LQ) AND LQ >= 1 AND size_ok
    significant = LQ >  P50(LQ) AND size_ok
    qualifying  = LQ >  P25(LQ) AND size_ok

Only traded clusters are rated (local clusters serve the local market, so relative
specialisation is not meaningful for them — Porter 2003): their flags are null. A region
with employment 0 in the cluster gets False; a row whose employment is null (not
published) gets null.
"""

from __future__ import annotations

import polars as pl

from klaster.indicators._checks import require_columns
from klaster.indicators._groups import (
    Groups,
    SortedGroups,
    cluster_year_groups,
    floats,
    per_row,
)

FLAG_COLUMNS = ("strong", "strong10", "significant", "qualifying")


def strong_flags(frame: pl.DataFrame, *, groups: Groups | None = None) -> pl.DataFrame:
    """Add the four US flags to ``frame``.

    Takes columns ``cluster, cluster_type, year, employment, establishments, lq`` (any
    other columns are passed through unchanged, row order kept). Returns the same frame
    with Boolean columns ``strong, strong10, significant, qualifying`` appended.
    """
    require_columns(
        frame, ("cluster", "cluster_type", "year", "employment", "establishments", "lq"),
        "indicator table",
    )
    groups = groups or cluster_year_groups(frame)
    if groups is not None:
        out = _thresholds_dense(frame, groups)
    else:
        out = _thresholds_hashed(frame)
    lq = pl.col("lq")
    size_ok = (pl.col("employment") > pl.col("_emp25")) & (
        pl.col("establishments") > pl.col("_est25")
    )
    rules = {
        "strong": (lq >= pl.col("_lq75")) & (lq >= 1.0) & size_ok,
        "strong10": (lq >= pl.col("_lq90")) & (lq >= 1.0) & size_ok,
        "significant": (lq > pl.col("_lq50")) & size_ok,
        "qualifying": (lq > pl.col("_lq25")) & size_ok,
    }
    is_local = pl.col("cluster_type") != "traded"
    flags = out.select(
        pl.when(is_local)
        .then(pl.lit(None, dtype=pl.Boolean))
        .when(pl.col("employment").is_null())
        .then(pl.lit(None, dtype=pl.Boolean))  # unpublished: unknown, not False
        .when(pl.col("employment") == 0)
        .then(pl.lit(False))
        .otherwise(rule)
        .alias(name)
        for name, rule in rules.items()
    )
    return frame.with_columns(flags.get_columns())


_QUANTILES = (0.25, 0.50, 0.75, 0.90)


def _thresholds_hashed(frame: pl.DataFrame) -> pl.DataFrame:
    """Thresholds per row by a hashed group-by (any key types, nulls allowed)."""
    positive = frame.filter((pl.col("employment") > 0) & (pl.col("cluster_type") == "traded"))
    # Percentiles per cluster x year over regions with employment > 0 (Delgado, Porter &
    # Stern 2016, section 5); "linear" = NumPy's default interpolation.
    thresholds = positive.group_by("cluster", "year").agg(
        *[
            pl.col("lq").quantile(q, interpolation="linear").alias(f"_lq{int(q * 100)}")
            for q in _QUANTILES
        ],
        pl.col("employment").quantile(0.25, interpolation="linear").alias("_emp25"),
        pl.col("establishments").quantile(0.25, interpolation="linear").alias("_est25"),
    )
    # The thresholds are joined to the key columns only and the flags appended: joining
    # them to the whole (wide) frame would copy every column of it (issue 14).
    return frame.select("cluster", "year").join(
        thresholds, on=["cluster", "year"], how="left", maintain_order="left"
    ).drop("cluster", "year").hstack(
        frame.select("cluster_type", "employment", "establishments", "lq"))


def _thresholds_dense(frame: pl.DataFrame, groups: Groups) -> pl.DataFrame:
    """The same thresholds from dense cluster x year codes: the same percentiles over the
    same rows (nulls left out, as Polars' quantile does), by sorting each value column
    once (klaster.indicators._groups) instead of a hashed group-by and a join."""
    g = groups.g
    emp, emp_ok = floats(frame["employment"])
    est, est_ok = floats(frame["establishments"])
    lq, lq_ok = floats(frame["lq"])
    kind = frame["cluster_type"]
    # Compared as it is (Enum or Categorical: by code, no text pass over the rows).
    traded = ((kind if isinstance(kind.dtype, (pl.Enum, pl.Categorical)) else kind.cast(pl.Utf8))
              == "traded").fill_null(False).to_numpy()
    positive = emp_ok & traded
    positive[positive] = emp[positive] > 0
    by_lq = SortedGroups(groups, lq, positive & lq_ok).quantiles(_QUANTILES)
    cols = [per_row(by_lq[:, j], g, f"_lq{int(q * 100)}") for j, q in enumerate(_QUANTILES)]
    cols.append(per_row(SortedGroups(groups, emp, positive).quantiles((0.25,))[:, 0], g,
                        "_emp25"))
    cols.append(per_row(SortedGroups(groups, est, positive & est_ok).quantiles((0.25,))
                        [:, 0], g, "_est25"))
    return pl.DataFrame(cols).hstack(
        frame.select("cluster_type", "employment", "establishments", "lq"))
