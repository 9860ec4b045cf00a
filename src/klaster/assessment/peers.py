"""Position of a cluster among its peers: percentile ranks of yearly KPIs."""

from __future__ import annotations

import polars as pl

from klaster.errors import DataError


def peer_percentiles(snapshots: pl.DataFrame) -> pl.DataFrame:
    """Percentile rank of each cluster's KPI value among clusters with a value for that
    KPI and year.

    Takes columns ``cluster_id``, ``year``, ``kpi``, ``value`` (one row per cluster, year
    and KPI; null values allowed). Returns the same rows (same order) plus ``n_peers``
    (clusters with a value for that KPI and year) and ``percentile`` (Float64, null where
    the value is null).

    Percentile rank with ties at mid-rank (the "mean" definition of
    ``scipy.stats.percentileofscore``; Roscoe 1975, *Fundamental Research Statistics*):
    ``(below + 0.5 × equal) / n × 100`` where ``below`` counts peers with a smaller value
    and ``equal`` those with the same value, the cluster itself included. Tied clusters
    share one percentile; a single cluster is at 50; the result lies in (0, 100) and never
    decreases as the value increases.
    """
    need = {"cluster_id", "year", "kpi", "value"}
    lacking = need - set(snapshots.columns)
    if lacking:
        raise DataError(f"snapshots lack column(s) {', '.join(sorted(lacking))}",
                        field=min(lacking))
    dup = ~pl.struct("cluster_id", "year", "kpi").is_first_distinct()
    dup = snapshots.select(dup).to_series()
    if dup.any():  # name the second occurrence (data row i is line i + 1 under a header)
        row = int(dup.arg_max())
        raise DataError("a cluster has two values for one KPI and year", line=row + 2,
                        field="kpi")
    df = snapshots.with_columns(pl.col("value").cast(pl.Float64))
    group = ["year", "kpi"]
    valid = pl.col("value").is_not_null()
    n = valid.sum().over(group)
    # Average rank among non-null values = below + (equal + 1) / 2, so
    # below + equal / 2 = average rank − 0.5.
    rank = pl.col("value").rank("average").over(group)
    return df.with_columns(
        n.cast(pl.Int64).alias("n_peers"),
        pl.when(valid).then((rank - 0.5) / n * 100).otherwise(None).alias("percentile"),
    )
