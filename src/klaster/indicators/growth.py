"""Change of regional clusters between two years."""

from __future__ import annotations

import polars as pl

from klaster.errors import DataError
from klaster.indicators._checks import require_columns
from klaster.indicators.shiftshare import SHIFT_SHARE_COLUMNS, shift_share
from klaster.schema import CHANGE_COLUMNS


def change(indicators: pl.DataFrame, start_year: int, end_year: int) -> pl.DataFrame:
    """Growth of each region x cluster between ``start_year`` and ``end_year``.

    Takes an indicator table (at least ``region, cluster, cluster_name, cluster_type,
    year, employment, lq``). Returns ``CHANGE_COLUMNS + SHIFT_SHARE_COLUMNS`` in order,
    one row per region x cluster present in either year, sorted by region, cluster:

    * ``cagr`` = (E_end / E_start) ** (1 / (end_year - start_year)) - 1, the compound
      annual growth rate; null when E_start is 0 or null, or E_end is null (growth from
      nothing has no rate);
    * ``job_creation`` = E_end - E_start (absolute change);
    * ``lq_change`` = LQ_end - LQ_start;
    * the shift-share components SHIFT_SHARE_COLUMNS (Dunn 1960 and the
      Esteban-Marquillas 1972 split of the competitive effect; see
      :mod:`klaster.indicators.shiftshare`), appended after CHANGE_COLUMNS.

    A region x cluster absent from one of the two years has null values for that year
    (absent means "not in the table", which for suppressed statistics is not the same
    as zero), so its cagr, job_creation and lq_change are null.
    """
    require_columns(
        indicators,
        ("region", "cluster", "cluster_name", "cluster_type", "year", "employment", "lq"),
        "indicator table",
    )
    if end_year <= start_year:
        raise DataError(f"end_year ({end_year}) must be after start_year ({start_year})",
                        field="end_year")
    years = set(indicators["year"].unique().to_list())
    for name, y in (("start_year", start_year), ("end_year", end_year)):
        if y not in years:
            raise DataError(f"{name} {y} is not in the indicator table (years: {sorted(years)})",
                            field=name)
    key = ["region", "cluster"]
    cols = ["region", "cluster", "cluster_name", "cluster_type", "employment", "lq"]
    # Columns first, then rows: filtering the whole indicator table would copy all of
    # its columns (issue 14).
    narrow = indicators.select(*cols, "year")
    start = narrow.filter(pl.col("year") == start_year).drop("year")
    end = narrow.filter(pl.col("year") == end_year).drop("year")
    both = start.join(end, on=key, how="full", coalesce=True, suffix="_end")
    span = float(end_year - start_year)
    e0, e1 = pl.col("employment"), pl.col("employment_end")
    table = (
        both.with_columns(
            pl.coalesce("cluster_name", "cluster_name_end").alias("cluster_name"),
            pl.coalesce("cluster_type", "cluster_type_end").alias("cluster_type"),
            pl.lit(start_year, dtype=pl.Int32).alias("year_start"),
            pl.lit(end_year, dtype=pl.Int32).alias("year_end"),
            e0.alias("employment_start"),
            e1.alias("employment_end"),
            pl.when(e0 > 0).then((e1 / e0) ** (1.0 / span) - 1.0).otherwise(None).alias("cagr"),
            (e1 - e0).alias("job_creation"),
            pl.col("lq").alias("lq_start"),
            pl.col("lq_end"),
            (pl.col("lq_end") - pl.col("lq")).alias("lq_change"),
        )
        .select(CHANGE_COLUMNS)
        .sort(key)
    )
    return shift_share(table).select(*CHANGE_COLUMNS, *SHIFT_SHARE_COLUMNS)
