"""Region x cluster x year indicators: size, wage, shares and location quotients.

The engine works on a *cluster table* (one row per region x cluster x year):
``region, cluster, cluster_name, cluster_type, year, employment, establishments,
payroll`` — the canonical statistics aggregated through cluster definitions
(klaster.taxonomy.apply_definitions). :func:`cluster_indicators` does that aggregation
and then calls :func:`indicators_from_clusters`.

Benchmark economy (the "national" side of the LQ and of ``national_share``):

* ``reference=None`` (default): the sum of the regions in the table;
* ``reference=<table>``: explicit totals, one row per cluster x year with columns
  ``cluster, year, employment`` (optional ``cluster_type``), e.g. a national table
  aggregated with the same definitions; build one with :func:`reference_from_clusters`.
  The benchmark total is the sum of the reference's employment over its clusters (of the
  same type when ``lq_denominator="type"``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import polars as pl

from klaster._keys import coded_keys
from klaster.errors import DataError, IssueLog
from klaster.indicators._checks import reject_duplicates, reject_negative, require_columns
from klaster.indicators._groups import cluster_year_groups, key_codes, year_codes
from klaster.indicators.stars import DEFAULT_STARS, StarThresholds, star_ratings
from klaster.indicators.strong import strong_flags
from klaster.schema import CLUSTER_TYPES, INDICATOR_COLUMNS
from klaster.taxonomy import apply_definitions

CLUSTER_TABLE_COLUMNS = (
    "region", "cluster", "cluster_name", "cluster_type", "year",
    "employment", "establishments", "payroll",
)
KEY = ["region", "cluster", "year"]
LqDenominator = Literal["total", "type"]


def _cast_cluster_table(table: pl.DataFrame) -> pl.DataFrame:
    require_columns(table, CLUSTER_TABLE_COLUMNS, "cluster table")
    # Text keys become Categorical for the joins and group-bys (integer hashing is several
    # times faster on county-scale tables); they are cast back to text on output. Keys
    # that come in Categorical or Enum (klaster.relatedness.rca) are used as they are.
    def key(c: str) -> pl.Expr:
        if table.schema[c] == pl.Categorical or isinstance(table.schema[c], pl.Enum):
            return pl.col(c)
        return pl.col(c).cast(pl.Utf8).cast(pl.Categorical)

    out = table.select(
        key("region"), key("cluster"),
        # Only carried along: its text (or categories) as given, no cast of every row.
        pl.col("cluster_name"),
        key("cluster_type"),
        pl.col("year").cast(pl.Int32),
        *[pl.col(c).cast(pl.Float64) for c in ("employment", "establishments", "payroll")],
    )
    wrong = ~pl.col("cluster_type").is_in(CLUSTER_TYPES)
    if out.select(wrong.any()).item():
        # The row index that names the first bad row is built only on failure.
        bad = out.with_row_index("_row").filter(wrong)
        raise DataError(
            f"cluster table: cluster_type must be one of {CLUSTER_TYPES}, got "
            f"{bad['cluster_type'][0]!r} for cluster {bad['cluster'][0]!r} (data row "
            f"{int(bad['_row'][0]) + 1})",
            field="cluster_type",
        )
    reject_negative(out, ("employment", "establishments", "payroll"), "cluster table")
    reject_duplicates(out, KEY, "cluster table")
    return out


def reference_from_clusters(table: pl.DataFrame) -> pl.DataFrame:
    """Benchmark totals from a cluster table of a (larger) region set.

    Takes a cluster table (region, cluster, cluster_type, year, employment, ...).
    Returns ``cluster, cluster_type, year, employment``: employment summed over regions.
    """
    require_columns(table, ("cluster", "cluster_type", "year", "employment"), "reference cluster table")
    return (
        table.group_by("cluster", "cluster_type", "year")
        .agg(pl.col("employment").cast(pl.Float64).sum())
        .sort("cluster", "year")
    )


def _benchmark(table: pl.DataFrame, reference: pl.DataFrame | None) -> pl.DataFrame:
    """Benchmark employment per cluster x year: ``cluster, cluster_type, year, bench_c``."""
    if reference is None:
        return table.group_by("cluster", "cluster_type", "year").agg(
            pl.col("employment").sum().alias("bench_c")
        )
    require_columns(reference, ("cluster", "year", "employment"), "reference table")
    # The reference's clusters take the table's key type (an Enum table, as from
    # klaster.relatedness.rca, needs a reference within its categories).
    key = table.schema["cluster"] if isinstance(table.schema["cluster"], pl.Enum) \
        else pl.Categorical
    ref = reference.select(
        pl.col("cluster").cast(pl.Utf8).cast(key),
        pl.col("year").cast(pl.Int32),
        pl.col("employment").cast(pl.Float64).alias("bench_c"),
        *([pl.col("cluster_type").cast(pl.Utf8).cast(pl.Categorical)]
          if "cluster_type" in reference.columns else []),
    )
    reject_negative(ref, ("bench_c",), "reference table")
    reject_duplicates(ref, ["cluster", "year"], "reference table")
    if "cluster_type" not in ref.columns:
        types = table.select("cluster", "cluster_type").unique()
        ref = ref.join(types, on="cluster", how="left")
        if ref["cluster_type"].null_count():
            missing = ref.filter(pl.col("cluster_type").is_null())["cluster"][0]
            raise DataError(
                f"reference table: cluster {missing!r} has no cluster_type (add a cluster_type "
                "column to the reference, or include the cluster in the regional table)",
                field="cluster_type",
            )
    # Every cluster x year of the regional table must have a benchmark value: a missing
    # one would silently give a null LQ.
    need = table.select("cluster", "year").unique()
    gap = need.join(ref, on=["cluster", "year"], how="anti")
    if gap.height:
        row = gap.sort("cluster", "year").row(0, named=True)
        raise DataError(
            f"reference table has no row for cluster {row['cluster']!r}, year {row['year']} "
            f"({gap.height} cluster x year pairs of the regional table are missing)",
            field="cluster",
        )
    return ref


def location_quotients(
    table: pl.DataFrame,
    *,
    lq_denominator: LqDenominator = "total",
    reference: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Size, wage, shares and location quotients from a cluster table (no flags, stars).

    Takes the cluster table (columns ``CLUSTER_TABLE_COLUMNS``; options as
    :func:`indicators_from_clusters`). Returns those columns (keys Categorical) plus
    ``wage, region_share, national_share, lq``, in the row order of ``table``. This is the LQ
    that klaster.relatedness uses as RCA (Balassa 1965).
    """
    if lq_denominator not in ("total", "type"):
        raise DataError(f"lq_denominator must be 'total' or 'type', got {lq_denominator!r}",
                        field="lq_denominator")
    t = _cast_cluster_table(table)
    denom_keys = ["year"] if lq_denominator == "total" else ["year", "cluster_type"]
    by_type = lq_denominator == "type"
    bench = None
    if reference is not None:
        bench = _benchmark(t, reference)
        bench_total = bench.group_by(denom_keys).agg(pl.col("bench_c").sum().alias("bench_t"))
        bench = bench.join(bench_total, on=denom_keys, how="left")
    totals = _dense_totals(t, bench, by_type=by_type)
    if totals is not None:
        out = t.hstack(totals)
    else:
        if bench is None:
            bench = _benchmark(t, None)
            bench = bench.join(bench.group_by(denom_keys).agg(
                pl.col("bench_c").sum().alias("bench_t")), on=denom_keys, how="left")
        # Region totals as window sums over the table itself (no join back); the
        # benchmark side is small (clusters x years) and is joined.
        out = t.with_columns(
            pl.col("employment").sum().over(["region", *denom_keys]).alias("_region_d"),
        ).with_columns(
            (pl.col("_region_d") if lq_denominator == "total"
             else pl.col("employment").sum().over("region", "year")).alias("_region_all"),
        ).join(
            bench.select("cluster", "year", "bench_c", "bench_t"),
            on=["cluster", "year"], how="left", maintain_order="left",
        )

    def ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
        # A zero denominator leaves the ratio undefined (null), never inf or NaN.
        return pl.when(den > 0).then(num / den).otherwise(None)

    emp = pl.col("employment")
    out = out.with_columns(
        # Payroll and wage keep the input units (CBP: USD 1,000 per year, so wage is
        # thousands of USD per employee).
        ratio(pl.col("payroll"), emp).alias("wage"),
        ratio(emp, pl.col("_region_all")).alias("region_share"),
        ratio(emp, pl.col("bench_c")).alias("national_share"),
        # Location quotient (Isard 1960; as used by Porter 2003 and Delgado, Porter &
        # Stern 2016): LQ = (E_rc / E_r^D) / (E_Nc / E_N^D), D = total or same type.
        ratio(
            ratio(emp, pl.col("_region_d")),
            ratio(pl.col("bench_c"), pl.col("bench_t")),
        ).alias("lq"),
    )
    return out.drop("_region_all", "_region_d", "bench_c", "bench_t")


def _dense_totals(t: pl.DataFrame, bench: pl.DataFrame | None, *, by_type: bool
                  ) -> pl.DataFrame | None:
    """Per row: ``_region_all``, ``_region_d``, ``bench_c``, ``bench_t`` by direct
    addressing (``np.bincount`` over dense region x year and cluster x year keys; a lookup
    for an explicit benchmark), instead of hashed window sums, group-bys and a join over
    the whole table — the same sums (issue 14). ``bench``: None (the table's regions are
    the benchmark) or :func:`_benchmark` with ``bench_t``. None when a key has nulls
    (then the hashed path runs)."""
    r, c, y = key_codes(t["region"]), key_codes(t["cluster"]), year_codes(t["year"])
    if r is None or c is None or y is None:
        return None
    (r, n_r), (c, n_c), (y, years) = r, c, y
    n_y = years.size
    emp = t["employment"]
    # Null employment (unpublished) adds nothing, as in Polars' sum.
    e = (emp.fill_null(0.0) if emp.null_count() else emp).to_numpy()
    ry = r.astype(np.int64) * n_y + y
    region_all = np.bincount(ry, weights=e, minlength=n_r * n_y)[ry]
    traded = None
    if by_type:
        traded = (t["cluster_type"].cast(pl.Utf8) == "traded").to_numpy().astype(np.int64)
        ryt = ry * 2 + traded
        region_d = np.bincount(ryt, weights=e, minlength=n_r * n_y * 2)[ryt]
    else:
        region_d = region_all
    if bench is None:
        # Benchmark = the sum of the table's regions: per cluster x year, then per year
        # (or year x type) over the clusters.
        cy = c.astype(np.int64) * n_y + y
        bench_c = np.bincount(cy, weights=e, minlength=n_c * n_y)
        year_of = np.arange(n_c * n_y) % n_y
        if traded is None:
            bench_t = np.bincount(year_of, weights=bench_c, minlength=n_y)[y]
        else:
            type_of = np.bincount(cy, weights=traded, minlength=n_c * n_y) > 0
            key = year_of * 2 + type_of
            bench_t = np.bincount(key, weights=bench_c, minlength=n_y * 2)[y * 2 + traded]
        return pl.DataFrame([
            pl.Series("_region_all", region_all), pl.Series("_region_d", region_d),
            pl.Series("bench_c", bench_c[cy]), pl.Series("bench_t", bench_t)])
    # Benchmark rows located by (physical cluster code, year index): the benchmark's
    # cluster column has the table's key type (klaster.indicators.core._benchmark).
    phys = t["cluster"].to_physical().to_numpy().astype(np.int64)
    b_phys = bench["cluster"].to_physical()
    b_year = bench["year"].to_numpy()
    b_y = np.searchsorted(years, b_year)
    keep = (b_y < n_y) & (years[np.minimum(b_y, n_y - 1)] == b_year) & b_phys.is_not_null().to_numpy()
    size = int(max(phys.max(initial=-1), b_phys.max() or 0)) + 1
    slot = np.full(size * n_y, -1, dtype=np.int64)
    b_rows = np.flatnonzero(keep)
    slot[b_phys.to_numpy()[keep].astype(np.int64) * n_y + b_y[keep]] = b_rows
    at = slot[phys * n_y + y]
    found = at >= 0

    def pick(col: str) -> pl.Series:
        v = bench[col].cast(pl.Float64)
        v = (v.fill_null(np.nan) if v.null_count() else v).to_numpy()[np.maximum(at, 0)]
        # No benchmark row, or a null one: null, as after the left join.
        return pl.Series(col, np.where(found, v, np.nan), nan_to_null=True)

    return pl.DataFrame([
        pl.Series("_region_all", region_all), pl.Series("_region_d", region_d),
        pick("bench_c"), pick("bench_t")])


def indicators_from_clusters(
    table: pl.DataFrame,
    *,
    lq_denominator: LqDenominator = "total",
    reference: pl.DataFrame | None = None,
    stars: StarThresholds = DEFAULT_STARS,
) -> pl.DataFrame:
    """All region x cluster x year indicators from a cluster table.

    Takes the cluster table (columns ``CLUSTER_TABLE_COLUMNS``); see the module
    docstring for ``reference``. ``lq_denominator="total"`` divides by all employment in
    the table; ``"type"`` by the employment of the same cluster type (traded or local),
    as the US Cluster Mapping Project does (Delgado, Porter & Stern 2016).

    Returns ``INDICATOR_COLUMNS`` in that order, sorted by region, cluster, year.
    """
    out = coded_indicators(table, lq_denominator=lq_denominator, reference=reference,
                           stars=stars)
    # Every step keeps the row order of `table`, so its own text columns can be put back
    # instead of turning the Categorical keys into strings again.
    if all(table.schema[c] == pl.Utf8 for c in TEXT_KEYS):
        out = out.with_columns(table.get_column(c) for c in TEXT_KEYS)
    return as_text(out, ("region", "cluster", "year"))


TEXT_KEYS = ("region", "cluster", "cluster_name", "cluster_type")


def coded_indicators(
    table: pl.DataFrame,
    *,
    lq_denominator: LqDenominator = "total",
    reference: pl.DataFrame | None = None,
    stars: StarThresholds = DEFAULT_STARS,
) -> pl.DataFrame:
    """:func:`indicators_from_clusters` with the keys left coded (Categorical or Enum, in
    the row order of ``table``), for callers that go on to join or group by them
    (klaster.mapping: the change table); :func:`as_text` finishes the table."""
    out = location_quotients(table, lq_denominator=lq_denominator, reference=reference)
    # One cluster x year grouping (dense codes, rows in group order) serves both.
    groups = cluster_year_groups(out)
    out = strong_flags(out, groups=groups)
    return star_ratings(out, stars, groups=groups).select(INDICATOR_COLUMNS)


def as_text(frame: pl.DataFrame, order: tuple[str, ...]) -> pl.DataFrame:
    """The key columns of ``frame`` (those of TEXT_KEYS it has) as text, rows sorted by
    ``order`` (a table already in that order, as apply_definitions returns, is not
    sorted again)."""
    def text(c: str) -> pl.Series:
        col = frame[c]
        if isinstance(col.dtype, pl.Enum) and not col.null_count():
            # Each row's value looked up by its code (faster than a cast, issue 14).
            return col.dtype.categories.gather(col.to_physical()).alias(c)
        return col.cast(pl.Utf8)

    out = frame.with_columns(text(c) for c in TEXT_KEYS
                             if c in frame.columns and frame.schema[c] != pl.Utf8)
    if not _in_order(out, order):
        out = out.sort(*order)
    return out


def _in_order(frame: pl.DataFrame, keys: tuple[str, ...]) -> bool:
    """True when the rows are sorted by ``keys`` (nulls absent), checked in one pass."""
    if frame.select(pl.any_horizontal(pl.col(k).is_null().any() for k in keys)).item():
        return False
    rule = pl.col(keys[-1]) >= pl.col(keys[-1]).shift(1)
    for k in reversed(keys[:-1]):
        rule = (pl.col(k) > pl.col(k).shift(1)) | ((pl.col(k) == pl.col(k).shift(1)) & rule)
    return bool(frame.select(rule.fill_null(True).all()).item())


def aggregate_clusters(
    stats: pl.DataFrame, definitions: pl.DataFrame, *, issues: IssueLog | None = None
) -> pl.DataFrame:
    """Canonical stats + cluster definitions -> cluster table (CLUSTER_TABLE_COLUMNS).

    The allocation rule (counts times share, summed per region x cluster x year) is
    klaster.taxonomy.apply_definitions; it is only called here, never re-implemented.
    """
    return apply_definitions(stats, definitions, issues=issues)


def cluster_indicators(
    stats: pl.DataFrame,
    definitions: pl.DataFrame,
    *,
    lq_denominator: LqDenominator = "total",
    reference: pl.DataFrame | None = None,
    stars: StarThresholds = DEFAULT_STARS,
    issues: IssueLog | None = None,
) -> pl.DataFrame:
    """Indicators from the canonical statistics table (STATS_SCHEMA) and cluster
    definitions (DEFINITIONS_SCHEMA). Options as :func:`indicators_from_clusters`;
    ``issues`` collects the codes that are in no cluster (kind "unmapped_code").

    Returns ``INDICATOR_COLUMNS`` in that order, one row per region x cluster x year.
    """
    # Region and industry coded once (klaster._keys), the cluster table's keys left as
    # Enums through the indicators and made text at the end (issue 14).
    clusters = apply_definitions(coded_keys(stats, ("region", "industry")), definitions,
                                 issues=issues, keys="enum")
    return indicators_from_clusters(
        clusters,
        lq_denominator=lq_denominator,
        reference=reference,
        stars=stars,
    )
