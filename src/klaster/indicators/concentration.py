"""Industry-level geographic concentration and regional specialisation indices.

Input is the canonical statistics table (STATS_SCHEMA: region, industry, year,
employment, establishments, ...). Notation per year: E_ri employment of industry i in
region r; E_i = sum_r E_ri; E_r = sum_i E_ri; E = sum E_ri (all regions and industries in
the table are the benchmark economy). s_ri = E_ri / E_i is the region's share of the
industry; x_r = E_r / E is the region's share of all employment.

Regions or industries without a row count as zero employment (the indices are sums over
every region of the year, computed in closed form from the published cells only, with
NumPy per year). Rows whose employment is null (not published) are left out of
every sum; their number is reported per output row in ``unpublished_cells``, and an
industry x year with only unpublished (or only zero) cells still gets a row with null
indices, so nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from klaster._keys import enum_from_codes, text_codes
from klaster.errors import DataError
from klaster.indicators._checks import reject_duplicates, reject_negative, require_columns

CONCENTRATION_COLUMNS = (
    "industry", "year", "employment", "regions", "unpublished_cells",
    "gini", "hoover", "eg_raw", "herfindahl", "herfindahl_method", "eg_gamma", "ms_gamma",
)
SPECIALISATION_COLUMNS = ("region", "year", "employment", "industries", "krugman_index")

HerfindahlMethod = Literal["plants", "equal_size_within_cell"]


def prepare_panel(stats: pl.DataFrame) -> IndustryPanel:
    """Check the statistics table once and index it for :func:`concentration` and
    :func:`krugman_specialisation`; pass the result to both instead of the table to
    avoid checking and indexing the same table twice."""
    if isinstance(stats, IndustryPanel):
        return stats
    require_columns(stats, ("region", "industry", "year", "employment"), "statistics table")
    cols = ["region", "industry", "year", "employment"]
    if "establishments" in stats.columns:
        cols.append("establishments")
    # Codes as Enum: the physical codes are then dense indices 0..n-1 into the sorted
    # code lists, which the NumPy kernels use as matrix rows and columns.
    # Coded once each (klaster._keys: one hashing pass, no text unique + cast).
    keys = {c: _enum_key(stats[c].cast(pl.Utf8)) for c in ("region", "industry")}
    regions, industries = (keys[c].dtype.categories.alias(c) for c in ("region", "industry"))
    base = stats.select(cols).with_columns(
        keys["region"], keys["industry"],
        pl.col("year").cast(pl.Int32),
        *[pl.col(c).cast(pl.Float64) for c in cols[3:]],
    )
    for c in ("region", "industry", "year"):
        if base[c].null_count():
            row = int(base.with_row_index("_r").filter(pl.col(c).is_null())["_r"][0]) + 1
            raise DataError(f"statistics table: empty {c} in data row {row}", line=row + 1, field=c)
    reject_negative(base, ("employment", "establishments"), "statistics table")
    codes = base.select(
        pl.col("region").to_physical().cast(pl.Int64),
        pl.col("industry").to_physical().cast(pl.Int64),
    )
    r, i = (np.require(codes[c].to_numpy(), dtype=np.int64, requirements=["C", "W"])
            for c in ("region", "industry"))
    # Dense year index: a binary search among the few distinct years (a dense rank of
    # 9 million rows sorts them all, several times slower).
    years_sorted = base["year"].unique().sort().to_numpy()
    y = np.searchsorted(years_sorted, base["year"].to_numpy()).astype(np.int64)
    n_years = len(years_sorted)
    # Numba is imported when a concentration index is computed, not by every command
    # that maps clusters (klaster.mapping imports klaster.indicators)
    from klaster.indicators._kernels import first_duplicate_cell

    if first_duplicate_cell(y, r, i, n_years, regions.len(), industries.len()) >= 0:
        reject_duplicates(base, ["region", "industry", "year"], "statistics table")  # names it
    unpublished = (
        base.filter(pl.col("employment").is_null())
        .group_by("industry", "year")
        .agg(pl.len().cast(pl.Int64).alias("unpublished_cells"))
    )
    # Filtering copies every column (11 million rows: a few tenths of a second and
    # several hundred MB of fresh pages); a table with every cell published is used as
    # it is (issue 14).
    cells = (base.filter(pl.col("employment").is_not_null())
             if base["employment"].null_count() else base)
    return IndustryPanel(regions, industries, unpublished, tuple(_years(cells)),
                         "establishments" in cols)


def _enum_key(text: pl.Series) -> pl.Series:
    """A text key as an Enum over its sorted values (nulls stay null)."""
    coded = text_codes(text)
    if coded is None:  # nulls: named by the caller's check
        return text.cast(pl.Enum(text.unique().drop_nulls().sort()))
    return enum_from_codes(text.name, *coded)


@dataclass(frozen=True)
class IndustryPanel:
    """A checked statistics table indexed for the concentration kernels."""

    regions: pl.Series  # sorted codes: row index -> region
    industries: pl.Series  # sorted codes: column index -> industry
    unpublished: pl.DataFrame  # industry (Enum), year, unpublished_cells
    years: tuple  # (year, r, i, employment, establishments) NumPy arrays per year
    has_establishments: bool


def _years(cells: pl.DataFrame):
    """Yield (year, r, i, employment, establishments) NumPy arrays per year.

    The columns leave Polars once, sorted by year (Polars' parallel sort), as whole
    arrays (region/industry as their UInt32 Enum codes), and are sliced per year.
    """
    if not cells["year"].is_sorted():  # tables often come year by year already
        cells = cells.sort("year")

    def array(series: pl.Series, dtype) -> np.ndarray:
        # One dtype and a writable, contiguous buffer whatever Polars hands over (it may
        # be a read-only zero-copy view, or a narrower Enum code type), so the Numba
        # kernels always meet the same signature and never recompile mid-run.
        return np.require(series.to_numpy(), dtype=dtype, requirements=["C", "W"])

    year = array(cells["year"], np.int32)
    r = array(cells["region"].to_physical(), np.uint32)
    i = array(cells["industry"].to_physical(), np.uint32)
    e = array(cells["employment"], np.float64)
    n = (array(cells["establishments"].fill_null(np.nan), np.float64)
         if "establishments" in cells.columns else None)
    bounds = np.flatnonzero(np.diff(year)) + 1
    for a, b in zip(np.r_[0, bounds], np.r_[bounds, year.size]):
        if b > a:
            yield int(year[a]), r[a:b], i[a:b], e[a:b], None if n is None else n[a:b]


def _concentration_year(year, r, i, e, n, n_reg, n_ind, approx_h) -> pl.DataFrame:
    """Indices of every industry of one year from its published cells (sparse arrays).

    Sums run over the cells with employment > 0; regions without such a cell hold
    s_ri = 0, and their terms are added in closed form (formulas in
    :func:`concentration`; evaluated by the Numba kernel ``concentration_year``):

    * Hoover (1936): 1/2 sum_r |s_ri - x_r|; a region without the industry adds x_r.
    * Ellison & Glaeser (1997) raw G = sum_r (s_ri - x_r)^2; an absent region adds x_r^2.
    * Locational Gini (Krugman 1991; Amiti 1998): Lorenz curve of cumulative s against
      cumulative x with regions in ascending LQ = s / x; absent regions come first with
      s = 0 and add no area, so Gini = 1 - sum_k x_k (S_k + S_{k-1}).
    * Plant Herfindahl with equal plant size within each cell: cell r holds n_ri plants of
      size E_ri / n_ri, so H = sum_r E_ri^2 / (n_ri E_i^2).
    """
    if n is None or not approx_h:
        n = np.full(e.size, np.nan)
    from klaster.indicators._kernels import concentration_year

    listed, e_i, regions, gini, hoover, g, sum_s2, h, sum_x2 = concentration_year(
        r, i, e, n, n_reg, n_ind, bool(approx_h))
    listed = np.nonzero(listed)[0]
    has = e_i[listed] > 0  # an industry with no employment has no distribution: nulls

    def pick(values):
        return np.where(has, values[listed], np.nan)

    return pl.DataFrame({
        "_code": listed.astype(np.uint32),
        "year": np.full(listed.size, year, dtype=np.int32),
        "employment": e_i[listed],
        "regions": regions[listed],
        "gini": pick(gini), "hoover": pick(hoover), "eg_raw": pick(g), "herfindahl": pick(h),
        "_sum_s2": pick(sum_s2), "_sum_x2": np.where(has, sum_x2, np.nan),
    })


def concentration(
    stats: pl.DataFrame | IndustryPanel,
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
    panel = prepare_panel(stats)
    if herfindahl is None and not panel.has_establishments:
        raise DataError("statistics table lacks 'establishments', needed to approximate the "
                        "plant Herfindahl (or pass herfindahl=)", field="establishments")
    n_reg, n_ind = panel.regions.len(), panel.industries.len()
    parts = []
    for year, r, i, e, n in panel.years:
        parts.append(_concentration_year(year, r, i, e, n, n_reg, n_ind, herfindahl is None))
    schema = {"_code": pl.UInt32, "year": pl.Int32, "employment": pl.Float64, "regions": pl.Int64,
              "gini": pl.Float64, "hoover": pl.Float64, "eg_raw": pl.Float64,
              "herfindahl": pl.Float64, "_sum_s2": pl.Float64, "_sum_x2": pl.Float64}
    per = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    per = per.with_columns(
        panel.industries.gather(per["_code"]).alias("industry"),
        *[pl.col(c).fill_nan(None) for c in ("gini", "hoover", "eg_raw", "herfindahl", "_sum_s2")],
    )
    if herfindahl is None:
        per = per.with_columns(pl.lit("equal_size_within_cell").alias("herfindahl_method"))
    else:
        require_columns(herfindahl, ("industry", "year", "herfindahl"), "herfindahl table")
        h = herfindahl.select(
            pl.col("industry").cast(pl.Utf8), pl.col("year").cast(pl.Int32),
            pl.col("herfindahl").cast(pl.Float64),
        )
        per = (
            per.drop("herfindahl")
            .join(h, on=["industry", "year"], how="left")
            .with_columns(
                pl.when(pl.col("herfindahl").is_not_null()).then(pl.lit("plants"))
                .alias("herfindahl_method")
            )
        )
    h_, sx2 = pl.col("herfindahl"), pl.col("_sum_x2")
    gamma_ok = h_.is_not_null() & (h_ < 1.0) & (sx2 < 1.0)
    return (
        # Full join: an industry x year with only unpublished cells still gets its row
        # (null indices, its count of unpublished cells).
        per.join(panel.unpublished.with_columns(pl.col("industry").cast(pl.Utf8)),
                 on=["industry", "year"], how="full", coalesce=True)
        .with_columns(
            pl.col("unpublished_cells").fill_null(0),
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
        .sort("industry", "year")
    )


def krugman_specialisation(stats: pl.DataFrame | IndustryPanel) -> pl.DataFrame:
    """Krugman (1991) specialisation index per region x year.

    K_r = sum_i |E_ri / E_r - E_i / E| over all industries of the table (industries the
    region lacks contribute E_i / E). 0 = same industry mix as the benchmark economy
    (the sum of all regions in the table), 2 = no industry in common. Note: Krugman
    compared two regions; comparing each region with the whole is the usual variant.

    Takes the canonical statistics table (region, industry, year, employment).
    Returns ``SPECIALISATION_COLUMNS`` sorted by region, year.
    """
    panel = prepare_panel(stats)
    n_reg, n_ind = panel.regions.len(), panel.industries.len()
    parts = []
    for year, r, i, e, _ in panel.years:
        e_i = np.bincount(i, weights=e, minlength=n_ind)
        v = e_i / e.sum()  # benchmark industry mix
        e_r = np.bincount(r, weights=e, minlength=n_reg)
        # Sparse form of sum_i |v_ri - v_i|: the region's cells give |v_ri - v_i|, and every
        # industry it lacks gives v_i, i.e. 1 - sum over its cells of v_i.
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = np.abs(e / e_r[r] - v[i])
        k = (np.bincount(r, weights=dev, minlength=n_reg) + 1.0
             - np.bincount(r, weights=v[i], minlength=n_reg))
        # Every region with a published cell gets a row; with no employment its index is
        # undefined (null).
        has = np.bincount(r, minlength=n_reg) > 0
        k = np.where(e_r > 0, k, np.nan)
        parts.append(pl.DataFrame({
            "_code": np.nonzero(has)[0].astype(np.uint32),
            "year": np.full(int(has.sum()), year, dtype=np.int32),
            "employment": e_r[has],
            "industries": np.bincount(r, weights=(e > 0).astype(float), minlength=n_reg)[has].astype(np.int64),
            "krugman_index": k[has],
        }))
    out = pl.concat(parts) if parts else pl.DataFrame(
        schema={"_code": pl.UInt32, "year": pl.Int32, "employment": pl.Float64,
                "industries": pl.Int64, "krugman_index": pl.Float64})
    return (
        out.with_columns(panel.regions.gather(out["_code"]).alias("region"),
                         pl.col("krugman_index").fill_nan(None))
        .select(SPECIALISATION_COLUMNS)
        .sort("region", "year")
    )
