"""Industry-level geographic concentration and regional specialisation indices.

Input is the canonical statistics table (STATS_SCHEMA: region, industry, year,
employment, establishments, ...). Notation per year: E_ri employment of industry i in
region r; E_i = sum_r E_ri; E_r = sum_i E_ri; E = sum E_ri (all regions and industries in
the table are the benchmark economy). s_ri = E_ri / E_i is the region's share of the
industry; x_r = E_r / E is the region's share of all employment.

Regions or industries without a row count as zero employment (the indices are sums over
every region of the year, computed sparsely). Rows whose employment is null (not
published) are left out of every sum; their number is reported per output row in
``unpublished_cells`` so nothing is dropped silently.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from klaster.errors import DataError
from klaster.indicators._checks import reject_duplicates, reject_negative, require_columns

CONCENTRATION_COLUMNS = (
    "industry", "year", "employment", "regions", "unpublished_cells",
    "gini", "hoover", "eg_raw", "herfindahl", "herfindahl_method", "eg_gamma", "ms_gamma",
)
SPECIALISATION_COLUMNS = ("region", "year", "employment", "industries", "krugman_index")

HerfindahlMethod = Literal["plants", "equal_size_within_cell"]


def _prepare(stats: pl.DataFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    require_columns(stats, ("region", "industry", "year", "employment"), "statistics table")
    cols = ["region", "industry", "year", "employment"]
    if "establishments" in stats.columns:
        cols.append("establishments")
    # Text keys as Categorical: joins and group-bys hash integers instead of strings,
    # several times faster on county-scale panels; cast back to text on output.
    base = stats.select(cols).with_columns(
        pl.col("region").cast(pl.Utf8).cast(pl.Categorical),
        pl.col("industry").cast(pl.Utf8).cast(pl.Categorical),
        pl.col("year").cast(pl.Int32),
        pl.col("employment").cast(pl.Float64),
    )
    reject_negative(base, ("employment", "establishments"), "statistics table")
    reject_duplicates(base, ["region", "industry", "year"], "statistics table")
    lf = base.lazy()
    unpublished = lf.filter(pl.col("employment").is_null())
    return lf.filter(pl.col("employment").is_not_null()), unpublished


def concentration(
    stats: pl.DataFrame,
    *,
    herfindahl: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Concentration of each industry across regions, per industry x year.

    Takes the canonical statistics table (region, industry, year, employment and, for the
    approximated Herfindahl, establishments). ``herfindahl`` optionally gives the plant
    Herfindahl from plant-level data: columns ``industry, year, herfindahl``.

    Returns ``CONCENTRATION_COLUMNS`` sorted by industry, year:

    * ``gini``: locational Gini (Krugman 1991; Amiti 1998) — one minus twice the area
      under the Lorenz curve that orders regions by LQ_ri = s_ri / x_r and plots
      cumulative x_r against cumulative s_ri. 0 = spread like all employment.
    * ``hoover``: Hoover (1936) coefficient of localisation, 1/2 sum_r |s_ri - x_r|.
    * ``eg_raw``: Ellison & Glaeser (1997) raw concentration G = sum_r (s_ri - x_r)^2.
    * ``herfindahl``: plant Herfindahl H = sum_j z_j^2 over plants j. Without plant data
      it is approximated from establishment counts, assuming equal plant size within each
      region x industry cell: H ~= sum_r E_ri^2 / (n_ri E_i^2), n_ri establishments
      (``herfindahl_method = "equal_size_within_cell"``; this is a lower bound of the
      true H, since unequal plants raise it). Null when a cell with employment has no
      establishment count. ``"plants"`` when H was given.
    * ``eg_gamma``: Ellison & Glaeser (1997, eq. 5)
      gamma = (G - (1 - sum_r x_r^2) H) / ((1 - sum_r x_r^2)(1 - H)).
    * ``ms_gamma``: Maurel & Sedillot (1999, eq. 6)
      gamma = ((sum_r s_ri^2 - sum_r x_r^2) / (1 - sum_r x_r^2) - H) / (1 - H).
    Gammas are null when H is null or H >= 1, or when one region holds all employment.
    """
    lf, unpublished = _prepare(stats)
    if herfindahl is None and "establishments" not in stats.columns:
        raise DataError("statistics table lacks 'establishments', needed to approximate the "
                        "plant Herfindahl (or pass herfindahl=)", field="establishments")
    region = lf.group_by("region", "year").agg(pl.col("employment").sum().alias("_e_r"))
    year = region.group_by("year").agg(pl.col("_e_r").sum().alias("_e"))
    region = region.join(year, on="year").with_columns((pl.col("_e_r") / pl.col("_e")).alias("_x"))
    sum_x2 = region.group_by("year").agg((pl.col("_x") ** 2).sum().alias("_sum_x2"))
    industry = lf.group_by("industry", "year").agg(pl.col("employment").sum().alias("_e_i"))

    cells = (
        lf.join(industry, on=["industry", "year"])
        .join(region.select("region", "year", "_x"), on=["region", "year"])
        .filter(pl.col("_e_i") > 0)  # an industry with no employment has no distribution
        .with_columns((pl.col("employment") / pl.col("_e_i")).alias("_s"))
        .with_columns((pl.col("_s") / pl.col("_x")).alias("_lq"))
    )
    # Lorenz curve order: ascending LQ within industry x year (Krugman 1991); sorting
    # inside each group is cheaper than one global sort.
    by_lq = {c: pl.col(c).sort_by("_lq") for c in ("_s", "_x")}
    aggs = [
        pl.col("_e_i").first().alias("employment"),
        (pl.col("employment") > 0).sum().cast(pl.Int64).alias("regions"),
        # Lorenz area by trapezoids: regions absent from the industry sit at the start of
        # the curve with s = 0 and add no area; each present region adds
        # x_r * (S_k + S_{k-1}) = x_r * (2 S_k - s_r).
        (1.0 - (by_lq["_x"] * (2.0 * by_lq["_s"].cum_sum() - by_lq["_s"])).sum()).alias("gini"),
        (pl.col("_s") - pl.col("_x")).abs().sum().alias("_abs_dev"),
        pl.col("_x").sum().alias("_x_present"),
        ((pl.col("_s") - pl.col("_x")) ** 2).sum().alias("_sq_dev"),
        (pl.col("_x") ** 2).sum().alias("_x2_present"),
        (pl.col("_s") ** 2).sum().alias("_sum_s2"),
    ]
    if herfindahl is None:
        e, n = pl.col("employment"), pl.col("establishments")
        missing_n = ((e > 0) & (n.is_null() | (n <= 0))).any()
        aggs.append(
            pl.when(missing_n).then(None)
            .otherwise((pl.when(e > 0).then(e**2 / (n * pl.col("_e_i") ** 2)).otherwise(0.0)).sum())
            .alias("herfindahl")
        )
    per = cells.group_by("industry", "year").agg(aggs).join(sum_x2, on="year")
    if herfindahl is None:
        per = per.with_columns(pl.lit("equal_size_within_cell").alias("herfindahl_method"))
    else:
        require_columns(herfindahl, ("industry", "year", "herfindahl"), "herfindahl table")
        h = herfindahl.lazy().select(
            pl.col("industry").cast(pl.Utf8).cast(pl.Categorical), pl.col("year").cast(pl.Int32),
            pl.col("herfindahl").cast(pl.Float64),
        )
        per = per.join(h, on=["industry", "year"], how="left").with_columns(
            pl.when(pl.col("herfindahl").is_not_null()).then(pl.lit("plants")).alias("herfindahl_method")
        )
    n_unpub = unpublished.group_by("industry", "year").agg(pl.len().cast(pl.Int64).alias("unpublished_cells"))
    h_, sx2 = pl.col("herfindahl"), pl.col("_sum_x2")
    gamma_ok = h_.is_not_null() & (h_ < 1.0) & (sx2 < 1.0)
    out = (
        per.join(n_unpub, on=["industry", "year"], how="left")
        .with_columns(
            pl.col("unpublished_cells").fill_null(0),
            # Hoover (1936): absent regions contribute |0 - x_r| = x_r.
            (0.5 * (pl.col("_abs_dev") + 1.0 - pl.col("_x_present"))).alias("hoover"),
            # Ellison & Glaeser (1997): absent regions contribute (0 - x_r)^2.
            (pl.col("_sq_dev") + sx2 - pl.col("_x2_present")).alias("eg_raw"),
        )
        .with_columns(
            # Ellison & Glaeser (1997), eq. (5).
            pl.when(gamma_ok).then(
                (pl.col("eg_raw") - (1.0 - sx2) * h_) / ((1.0 - sx2) * (1.0 - h_))
            ).alias("eg_gamma"),
            # Maurel & Sedillot (1999), eq. (6).
            pl.when(gamma_ok).then(
                ((pl.col("_sum_s2") - sx2) / (1.0 - sx2) - h_) / (1.0 - h_)
            ).alias("ms_gamma"),
        )
        .select(CONCENTRATION_COLUMNS)
        .with_columns(pl.col("industry").cast(pl.Utf8))
        .sort("industry", "year")
    )
    return out.collect()


def krugman_specialisation(stats: pl.DataFrame) -> pl.DataFrame:
    """Krugman (1991) specialisation index per region x year.

    K_r = sum_i |E_ri / E_r - E_i / E| over all industries of the table (industries the
    region lacks contribute E_i / E). 0 = same industry mix as the benchmark economy
    (the sum of all regions in the table), 2 = no industry in common. Note: Krugman
    compared two regions; comparing each region with the whole is the usual variant.

    Takes the canonical statistics table (region, industry, year, employment).
    Returns ``SPECIALISATION_COLUMNS`` sorted by region, year.
    """
    lf, _ = _prepare(stats)
    industry = lf.group_by("industry", "year").agg(pl.col("employment").sum().alias("_e_i"))
    total = industry.group_by("year").agg(pl.col("_e_i").sum().alias("_e"))
    region = lf.group_by("region", "year").agg(pl.col("employment").sum().alias("_e_r"))
    return (
        lf.join(industry, on=["industry", "year"])
        .join(total, on="year")
        .join(region, on=["region", "year"])
        .filter(pl.col("_e_r") > 0)
        .with_columns(
            (pl.col("employment") / pl.col("_e_r")).alias("_v_r"),
            (pl.col("_e_i") / pl.col("_e")).alias("_v"),
        )
        .group_by("region", "year")
        .agg(
            pl.col("_e_r").first().alias("employment"),
            (pl.col("employment") > 0).sum().cast(pl.Int64).alias("industries"),
            ((pl.col("_v_r") - pl.col("_v")).abs().sum() + 1.0 - pl.col("_v").sum()).alias("krugman_index"),
        )
        .select(SPECIALISATION_COLUMNS)
        .with_columns(pl.col("region").cast(pl.Utf8))
        .sort("region", "year")
        .collect()
    )
