"""RCA (revealed comparative advantage) and presence matrices from the statistics table.

RCA is the location quotient (Balassa 1965; Hidalgo et al. 2007 call it RCA, regional
studies call it LQ): RCA_ra = (X_ra / X_r) / (X_a / X), with X the counts of one value
column (employment by default). It is *not* re-implemented here: the table is fed to
:func:`klaster.indicators.location_quotients` with every industry as its own
"cluster", and its ``lq`` column is the RCA.

Benchmark economy (the denominator X_a / X): by default all regions of the table for
that year ("national totals"), even when ``regions`` restricts the regions studied; or
an explicit ``reference`` table of national totals per industry.

Presence (Hidalgo et al. 2007): M_ra = 1 when RCA_ra >= threshold (default 1), else 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from klaster._keys import coded_keys
from klaster.errors import DataError, IssueLog
from klaster.indicators import location_quotients, reference_from_clusters

RCA_COLUMNS = ("region", "industry", "year", "value", "rca", "presence")


@dataclass(frozen=True)
class RcaMatrix:
    """Dense region x activity matrices of one year.

    ``regions`` and ``activities`` are sorted code lists (row and column labels);
    ``values`` the counts (0 where the table has no row), ``rca`` the RCA (0 where it is
    undefined: a region or benchmark activity without employment), ``presence`` M (0/1
    floats). ``unpublished`` counts the cells whose value was null (not published): they
    count as 0 in every sum.
    """

    regions: list[str]
    activities: list[str]
    year: int
    values: np.ndarray
    rca: np.ndarray
    presence: np.ndarray
    threshold: float
    unpublished: int = 0


def _pick_year(stats: pl.DataFrame, year: int | None) -> int:
    years = stats["year"].drop_nulls().unique().sort().to_list()
    if not years:
        raise DataError("statistics table has no rows with a year", field="year")
    if year is None:
        if len(years) > 1:
            raise DataError(f"statistics table has several years {years}; choose one with "
                            "year=...", field="year")
        return int(years[0])
    if year not in years:
        raise DataError(f"year {year} is not in the statistics table (has {years})",
                        field="year")
    return int(year)


def rca_table(
    stats: pl.DataFrame,
    *,
    year: int | None = None,
    value: str = "employment",
    threshold: float = 1.0,
    regions: list[str] | None = None,
    reference: pl.DataFrame | None = None,
    issues: IssueLog | None = None,
) -> pl.DataFrame:
    """RCA and presence per region x industry for one year.

    Takes the canonical statistics table (STATS_SCHEMA: region, industry, year and the
    ``value`` column). ``regions``: study only these regions (the benchmark stays all
    regions of the table unless ``reference`` is given). ``reference``: national totals,
    columns ``industry, <value>`` (optional ``year``), used as the benchmark instead.
    Null values (unpublished) count as zero and are recorded in ``issues`` (kind
    "unpublished").

    Returns ``RCA_COLUMNS``: region, industry, year, value, rca (null where undefined),
    presence (bool: rca >= threshold), one row per region x industry of the table.
    """
    lq = _rca_frame(stats, year=year, value=value, threshold=threshold, regions=regions,
                    reference=reference, issues=issues)
    return lq.sort("region", "cluster").select(
        pl.col("region").cast(pl.Utf8), pl.col("cluster").cast(pl.Utf8).alias("industry"),
        "year",
        pl.col("employment").alias("value"),
        pl.col("lq").alias("rca"),
        (pl.col("lq").fill_null(0.0) >= threshold).alias("presence"),
    )


def _rca_frame(
    stats: pl.DataFrame,
    *,
    year: int | None,
    value: str,
    threshold: float,
    regions: list[str] | None,
    reference: pl.DataFrame | None,
    issues: IssueLog | None,
) -> pl.DataFrame:
    """klaster.indicators' location_quotients output for :func:`rca_table` (unsorted).

    Without ``reference`` the keys are Enums over the sorted codes, so their integer codes
    index the dense matrices of :func:`presence_matrix` directly (no text round trip);
    with one, Categorical (a national reference may name industries the table lacks)."""
    for col in ("region", "industry", "year", value):
        if col not in stats.columns:
            raise DataError(f"statistics table lacks column '{col}'", field=col)
    if not threshold > 0:
        raise DataError(f"presence threshold must be > 0, got {threshold}", field="threshold")
    y = _pick_year(stats, year)
    # A one-year table is used as it is (filtering would copy every column).
    one_year = stats["year"].null_count() == 0 and stats["year"].n_unique() == 1
    cells = stats if one_year else stats.filter(pl.col("year") == y)
    nulls = cells.filter(pl.col(value).is_null())
    if nulls.height and issues is not None:
        for r, i in nulls.select("region", "industry").iter_rows():
            issues.add("unpublished", f"{value} not published; counted as 0 in RCA",
                       region=r, industry=i, year=y, field=value)
    # Every industry is its own "cluster" so that the indicators engine's LQ is the RCA.
    # Keys go in as Enum (or Categorical), which the indicators engine uses as they are
    # (it would otherwise cast 3 text columns per row itself).
    if reference is None:
        # Coded once each (klaster._keys: Enums over the sorted codes, one hashing pass).
        cells = coded_keys(cells.with_columns(pl.col("region", "industry").cast(pl.Utf8)),
                           ("region", "industry"))
        keys = {c: cells.schema[c] if isinstance(cells.schema[c], pl.Enum)
                else pl.Enum(cells[c].unique().drop_nulls().sort())
                for c in ("region", "industry")}
    else:
        keys = {"region": pl.Categorical, "industry": pl.Categorical}

    def key(c: str) -> pl.Expr:
        return pl.col(c) if cells.schema[c] == keys[c] else pl.col(c).cast(pl.Utf8).cast(keys[c])

    table = cells.select(
        key("region"),
        key("industry").alias("cluster"),
        pl.lit("traded", dtype=pl.Categorical).alias("cluster_type"),
        pl.col("year").cast(pl.Int32),
        pl.col(value).cast(pl.Float64).fill_null(0.0).alias("employment"),
        pl.lit(0.0).alias("establishments"),
        pl.lit(0.0).alias("payroll"),
    ).with_columns(pl.col("cluster").alias("cluster_name"))
    if reference is not None:
        if "industry" not in reference.columns or value not in reference.columns:
            raise DataError(f"reference table needs columns 'industry' and '{value}'",
                            field="industry" if "industry" not in reference.columns else value)
        ref = reference
        if "year" in ref.columns:
            ref = ref.filter(pl.col("year") == y)
        bench = ref.select(pl.col("industry").cast(pl.Utf8).alias("cluster"),
                           pl.lit(y, dtype=pl.Int32).alias("year"),
                           pl.col(value).cast(pl.Float64).alias("employment"),
                           pl.lit("traded").alias("cluster_type"))
    elif regions is None:
        # National totals = every region of the table: the indicators engine's own
        # benchmark (reference=None) is exactly that sum, by direct addressing over the
        # Enum codes, without building and checking a reference table (issue 14).
        return location_quotients(table)
    else:
        # National totals = every region of the table, whatever subset is studied.
        bench = reference_from_clusters(table).select("cluster", "cluster_type", "year",
                                                      "employment")
    if regions is not None:
        known = set(table["region"].cast(pl.Utf8).unique().to_list())
        missing = [r for r in regions if r not in known]
        if missing:
            raise DataError(f"region(s) {missing[:5]} not in the statistics table for {y}",
                            field="region")
        table = table.filter(pl.col("region").cast(pl.Utf8).is_in(list(regions)))
    return location_quotients(table, reference=bench)


def rca_matrix(table: pl.DataFrame, *, threshold: float = 1.0, unpublished: int = 0
               ) -> RcaMatrix:
    """Dense matrices from an :func:`rca_table` result (RCA_COLUMNS, one year).

    Regions x industries absent from the table are 0 (no employment, no presence).
    """
    years = table["year"].unique().to_list()
    if len(years) != 1:
        raise DataError(f"rca table must hold one year, has {sorted(years)}", field="year")
    regions = table["region"].unique().sort()
    acts = table["industry"].unique().sort()
    idx = table.select(
        pl.col("region").cast(pl.Enum(regions)).to_physical().alias("r"),
        pl.col("industry").cast(pl.Enum(acts)).to_physical().alias("a"),
        pl.col("value"), pl.col("rca").fill_null(0.0), pl.col("presence"),
    )
    r = idx["r"].to_numpy().astype(np.int64)
    a = idx["a"].to_numpy().astype(np.int64)
    shape = (len(regions), len(acts))
    values = np.zeros(shape)
    rca = np.zeros(shape)
    pres = np.zeros(shape)
    values[r, a] = idx["value"].to_numpy()
    rca[r, a] = idx["rca"].to_numpy()
    pres[r, a] = idx["presence"].to_numpy().astype(float)
    return RcaMatrix(regions.to_list(), acts.to_list(), int(years[0]), values, rca, pres,
                     threshold, unpublished)


def presence_matrix(
    stats: pl.DataFrame,
    *,
    year: int | None = None,
    value: str = "employment",
    threshold: float = 1.0,
    regions: list[str] | None = None,
    reference: pl.DataFrame | None = None,
    issues: IssueLog | None = None,
) -> RcaMatrix:
    """Statistics table -> :class:`RcaMatrix` (options as :func:`rca_table`)."""
    y = _pick_year(stats, year) if "year" in stats.columns else year
    unpublished = 0
    if value in stats.columns and "year" in stats.columns:
        unpublished = stats.filter((pl.col("year") == y) & pl.col(value).is_null()).height
    lq = _rca_frame(stats, year=y, value=value, threshold=threshold, regions=regions,
                    reference=reference, issues=issues)
    if not isinstance(lq.schema["region"], pl.Enum):
        table = lq.sort("region", "cluster").select(
            pl.col("region").cast(pl.Utf8), pl.col("cluster").cast(pl.Utf8).alias("industry"),
            "year", pl.col("employment").alias("value"), pl.col("lq").alias("rca"),
            (pl.col("lq").fill_null(0.0) >= threshold).alias("presence"))
        return rca_matrix(table, threshold=threshold, unpublished=unpublished)
    # Enum keys: their codes are positions in the sorted code lists, so the matrices are
    # filled straight from them (what rca_matrix(rca_table(...)) gives, without turning
    # 3 million keys into text and back).
    axes = []
    for col in ("region", "cluster"):
        code = lq[col].to_physical().to_numpy().astype(np.int64)
        used = np.flatnonzero(np.bincount(code, minlength=len(lq.schema[col].categories)))
        position = np.zeros(len(lq.schema[col].categories), dtype=np.int64)
        position[used] = np.arange(used.size)
        axes.append((lq.schema[col].categories.gather(used).to_list(), position[code]))
    (regions_, r), (acts, a) = axes
    shape = (len(regions_), len(acts))
    values, rca, pres = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    # One flat index for the three matrices (a 2-D fancy index recomputes it each time).
    flat = r * shape[1] + a
    lq_rca = lq["lq"].fill_null(0.0).to_numpy()
    values.ravel()[flat] = lq["employment"].to_numpy()
    rca.ravel()[flat] = lq_rca
    pres.ravel()[flat] = lq_rca >= threshold
    return RcaMatrix(regions_, acts, int(y), values, rca, pres, threshold, unpublished)
