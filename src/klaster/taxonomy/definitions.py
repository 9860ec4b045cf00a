"""Cluster definitions: which industry codes make up which cluster, and with what share.

Built-in: the US benchmark cluster definitions of Delgado, Porter & Stern (2016),
"Defining clusters of related industries", Journal of Economic Geography 16(1), 1-38:
51 traded and 16 local clusters on NAICS 2007 codes, carried to NAICS 2012 and 2017
through the US Census concordances with the equal-split rule of
:func:`translate_definitions` (see docs/taxonomy.md for the rule and its alternative).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from klaster._keys import enum_from_codes, text_codes
from klaster.errors import DataError, IssueLog
from klaster.schema import CLUSTER_TYPES, DEFINITIONS_SCHEMA, STATS_VALUES
from klaster.taxonomy._io import (
    line_of,
    read_text_table,
    require_cells,
    require_columns,
    require_nonempty,
    where_row,
)
from klaster.taxonomy.codes import SYSTEMS, normalise_code, normalise_column

VINTAGES = (2007, 2012, 2017)
SHARE_TOLERANCE = 1e-6
_DEF_COLS = tuple(DEFINITIONS_SCHEMA)


@lru_cache(maxsize=None)
def _read_package_csv(name: str) -> pl.DataFrame:
    ref = resources.files("klaster.taxonomy") / "data" / name
    with resources.as_file(ref) as path:
        return pl.read_csv(path, infer_schema=False).with_columns(
            pl.col("vintage").cast(pl.Int32))


def us_benchmark_definitions(vintage: int = 2017, *, titles: bool = False) -> pl.DataFrame:
    """US benchmark cluster definitions (Delgado, Porter & Stern 2016) on NAICS ``vintage``.

    ``vintage``: 2007 (the source, verbatim, share 1), 2012 or 2017 (through the Census
    concordances, equal split over distinct NAICS 2007 targets). Returns
    DEFINITIONS_SCHEMA columns (subcluster is null: the source gives no subcluster
    membership), plus ``industry_title`` when ``titles`` is true.
    """
    if vintage not in VINTAGES:
        raise DataError(f"no US benchmark definitions for NAICS {vintage}; "
                        f"available: {VINTAGES}", field="vintage")
    df = _read_package_csv("us_benchmark_definitions.csv").filter(pl.col("vintage") == vintage)
    df = df.with_columns(pl.col("share").cast(pl.Float64))
    cols = list(_DEF_COLS) + (["industry_title"] if titles else [])
    return df.select(cols).cast(DEFINITIONS_SCHEMA)


def us_benchmark_unmapped(vintage: int = 2017) -> pl.DataFrame:
    """NAICS ``vintage`` codes whose NAICS 2007 counterparts are in no benchmark cluster.

    Returns columns industry, industry_title, naics2007 (the 2007 targets, ";"-joined).
    For 2007 it lists NAICS 2007 codes (from the Census concordance) absent from the
    source.
    """
    if vintage not in VINTAGES:
        raise DataError(f"no US benchmark definitions for NAICS {vintage}", field="vintage")
    df = _read_package_csv("us_benchmark_unmapped.csv").filter(pl.col("vintage") == vintage)
    return df.select("industry", "industry_title", "naics2007")


def translate_definitions(
    definitions: pl.DataFrame, concordance: pl.DataFrame, *, issues: IssueLog | None = None,
) -> pl.DataFrame:
    """Carry definitions to a new code system through a concordance (new -> old codes).

    ``concordance`` has columns source (new code) and target (code used in
    ``definitions``). Allocation rule (the Census concordances carry no weights): a new
    code's weight is split equally over its distinct old targets that belong to some
    cluster, M, and each target passes on its own shares:

        share(new, k) = (1 / |M|) * sum_{t in M} share(t, k)

    so shares again sum to 1 per code. Targets in no cluster are ignored; a new code with
    no such target is left out and recorded in ``issues`` (kind "unmapped_code"); a code
    with some unclustered targets is recorded as "partially_mapped".
    Returns DEFINITIONS_SCHEMA.
    """
    pairs = concordance.select("source", "target").unique()
    mapped = pairs.join(definitions.select(_DEF_COLS), left_on="target", right_on="industry",
                        how="inner")
    n_mapped = mapped.group_by("source").agg(pl.col("target").n_unique().alias("_m"))
    out = (
        mapped.join(n_mapped, on="source")
        .group_by("source", "cluster", "cluster_name", "cluster_type", "subcluster")
        .agg((pl.col("share").sum() / pl.col("_m").first()).alias("share"))
        .rename({"source": "industry"})
        .select(_DEF_COLS)
        .sort("industry", "cluster", "subcluster", nulls_last=True)
    )
    if issues is not None:
        n_all = pairs.group_by("source").agg(
            pl.col("target").sort().alias("_t"), pl.len().alias("_n"))
        report = n_all.join(n_mapped, on="source", how="left").sort("source")
        for s, targets, n, m in report.iter_rows():
            if m is None:
                issues.add("unmapped_code", f"{s}: no target in any cluster "
                           f"({'; '.join(targets)})", industry=s)
            elif m < n:
                issues.add("partially_mapped", f"{s}: {n - m} of {n} targets in no cluster; "
                           "split over the clustered ones", industry=s)
    return out.cast(DEFINITIONS_SCHEMA)


# --- users' definitions ------------------------------------------------------------------

def load_definitions(
    path: str | Path, *, system: str | None = None, issues: IssueLog | None = None,
) -> pl.DataFrame:
    """Load a user's cluster definitions from CSV, Parquet or Excel.

    Columns: industry, cluster, cluster_type ("traded"/"local", any case) required;
    cluster_name, subcluster, share optional. With ``system`` (e.g. "nace2", "pkd2007")
    industry codes are normalised first. A missing cluster_name column uses the cluster
    code as name. Where an industry has no share, each of its n rows gets 1/n; codes so
    split are recorded in ``issues`` (kind "default_share").
    Raises DataError naming file/line/field for: missing columns, an empty table, empty
    cells, unknown cluster_type, a cluster with two names or types, duplicate
    (industry, cluster, subcluster) rows, shares not numbers / outside (0, 1], an industry
    mixing given and missing shares, shares not summing to 1 (tolerance 1e-6).
    Returns DEFINITIONS_SCHEMA.
    """
    df, offset = read_text_table(path)
    require_columns(df, ("industry", "cluster", "cluster_type"), path)
    require_nonempty(df, path)
    require_cells(df, ("industry", "cluster", "cluster_type"), path, offset)
    if system is not None:
        df = normalise_column(df, "industry", system, file=path, line_offset=offset)
    if issues is not None and "cluster_name" not in df.columns:
        issues.add("default_cluster_name", "no cluster_name column; cluster codes used as "
                   "names", file=str(path), field="cluster_name")
    for col in ("cluster_name", "subcluster", "share"):
        if col not in df.columns:
            df = df.with_columns(
                (pl.col("cluster") if col == "cluster_name" else pl.lit(None, pl.Utf8)).alias(col))
    return _validate(df.select(_DEF_COLS), file=path, offset=offset, issues=issues)


def _fail(msg: str, path, offset, row: int, field: str) -> DataError:
    return DataError(msg + where_row(offset, row), file=path, line=line_of(offset, row),
                     field=field)


def _validate(df: pl.DataFrame, *, file, offset, issues) -> pl.DataFrame:
    df = df.with_row_index("_r")
    require_cells(df, ("cluster_name",), file, offset)
    df = df.with_columns(pl.col("cluster_type").str.to_lowercase())
    bad = df.filter(~pl.col("cluster_type").is_in(CLUSTER_TYPES))
    if bad.height:
        r = int(bad["_r"][0])
        raise _fail(f"cluster_type {bad['cluster_type'][0]!r} is not one of "
                    f"{', '.join(CLUSTER_TYPES)}", file, offset, r, "cluster_type")
    for col in ("cluster_name", "cluster_type"):
        first = df.group_by("cluster").agg(pl.col(col).first().alias("_f"),
                                           pl.col("_r").first().alias("_fr"))
        clash = df.join(first, on="cluster").filter(pl.col(col) != pl.col("_f")).sort("_r")
        if clash.height:
            row = clash.row(0, named=True)
            raise _fail(f"cluster {row['cluster']!r} has {col} {row[col]!r} here but "
                        f"{row['_f']!r} at line {line_of(offset, row['_fr']) or row['_fr'] + 1}",
                        file, offset, row["_r"], col)
    key = ["industry", "cluster", "subcluster"]
    dup = df.filter(pl.struct(key).is_duplicated() & ~pl.struct(key).is_first_distinct())
    if dup.height:
        row = dup.row(0, named=True)
        first_r = df.filter((pl.col("industry") == row["industry"])
                            & (pl.col("cluster") == row["cluster"]))["_r"][0]
        raise _fail(f"industry {row['industry']!r} is listed twice in cluster "
                    f"{row['cluster']!r} (first at line {line_of(offset, first_r) or first_r + 1})",
                    file, offset, row["_r"], "industry")
    if df.schema["share"] != pl.Float64:
        parsed = df["share"].cast(pl.Float64, strict=False)
        bad = df.filter(pl.col("share").is_not_null() & parsed.is_null())
        if bad.height:
            raise _fail(f"share {bad['share'][0]!r} is not a number", file, offset,
                        int(bad["_r"][0]), "share")
        df = df.with_columns(parsed.alias("share"))
    bad = df.filter((pl.col("share") <= 0) | (pl.col("share") > 1) | pl.col("share").is_nan())
    if bad.height:
        raise _fail(f"share {bad['share'][0]} is outside (0, 1]", file, offset,
                    int(bad["_r"][0]), "share")
    per = df.group_by("industry").agg(
        pl.len().alias("_n"), pl.col("share").null_count().alias("_nulls"),
        pl.col("share").sum().alias("_sum"), pl.col("_r").min().alias("_first"))
    mixed = per.filter((pl.col("_nulls") > 0) & (pl.col("_nulls") < pl.col("_n")))
    if mixed.height:
        ind = mixed.sort("_first")["industry"][0]
        r = int(df.filter((pl.col("industry") == ind) & pl.col("share").is_null())["_r"][0])
        raise _fail(f"industry {ind!r} has shares on some rows and none on this one",
                    file, offset, r, "share")
    given = per.filter(pl.col("_nulls") == 0)
    off = given.filter((pl.col("_sum") - 1).abs() > SHARE_TOLERANCE).sort("_first")
    if off.height:
        row = off.row(0, named=True)
        raise _fail(f"shares of industry {row['industry']!r} sum to {row['_sum']:.6g}, not 1",
                    file, offset, row["_first"], "share")
    defaulted = per.filter(pl.col("_nulls") == pl.col("_n"))
    if issues is not None:
        for ind, n, first in defaulted.filter(pl.col("_n") > 1).sort("_first").select(
                "industry", "_n", "_first").iter_rows():
            issues.add("default_share", f"industry {ind} is in {n} clusters with no share "
                       f"given; 1/{n} each", file=None if file is None else str(file),
                       line=line_of(offset, first), field="share", industry=ind)
    df = df.join(per.select("industry", "_n"), on="industry").with_columns(
        pl.col("share").fill_null(1.0 / pl.col("_n")))
    return df.sort("_r").select(_DEF_COLS).cast(DEFINITIONS_SCHEMA)


def check_definitions(definitions: pl.DataFrame) -> pl.DataFrame:
    """Validate an in-memory definitions frame (same rules as :func:`load_definitions`,
    with row numbers instead of lines; missing shares are filled with 1/n)."""
    missing = [c for c in ("industry", "cluster", "cluster_type") if c not in definitions.columns]
    if missing:
        raise DataError("definitions lack a required column", field=missing[0])
    df = definitions
    for col in ("cluster_name", "subcluster", "share"):
        if col not in df.columns:
            df = df.with_columns(
                (pl.col("cluster") if col == "cluster_name" else pl.lit(None, pl.Utf8)).alias(col))
    if df.height == 0:
        raise DataError("the definitions table is empty")
    df = df.select(_DEF_COLS).with_columns(
        pl.col(c).cast(pl.Utf8) for c in _DEF_COLS if c != "share")
    require_cells(df, ("industry", "cluster", "cluster_type"), None, None)
    return _validate(df, file=None, offset=None, issues=None)


# --- applying definitions to statistics -----------------------------------------------------

# Forms tried, in order, for a code of the NACE family: plain NACE ("C10", "10.71"),
# PKD 2007 ("10.71.Z") and OKED ("10710") all normalise to one NACE code.
_NACE_FORMS = ("nace2", "pkd2007", "oked")


def code_level(code: str, system: str | None = None) -> tuple[str | None, str | None]:
    """(canonical code, level name) of one industry code; (None, None) if unreadable.

    ``system`` None: the code is taken as it is and its level is its shape — "n-letter"
    for n letters (a NACE section is "1-letter"), "n-digit" for n digits, otherwise the
    code itself (so "31-33" is a level of its own). "naics2017": the NAICS forms of
    :func:`normalise_code` ("sector" for 2-digit and combined sectors). "nace2",
    "pkd2007" or "oked": any NACE-family form (Eurostat "C10", "10.71", PKD 2007
    "10.71.Z", OKED "10710"), giving "section", "division", "group" or "class".
    """
    if system is None:
        c = code.strip()
        if c.isalpha():
            return c, f"{len(c)}-letter"
        return c, (f"{len(c)}-digit" if c.isdigit() else c)
    if system not in SYSTEMS:
        raise DataError(f"unknown code system {system!r}; expected one of "
                        f"{', '.join(SYSTEMS)}", field="system")
    forms = ("naics2017",) if system == "naics2017" else _NACE_FORMS
    for form in forms:
        try:
            c = normalise_code(code, form)
        except DataError:
            continue
        if form == "naics2017":
            return c, "sector" if (len(c) == 2 or "-" in c) else f"{len(c)}-digit"
        return c, ("section" if c.isalpha() else
                   {2: "division", 3: "group", 4: "class"}[len(c)])
    return None, None


def select_level(
    stats: pl.DataFrame | pl.LazyFrame, definitions: pl.DataFrame, *,
    system: str | None = None, issues: IssueLog | None = None,
) -> pl.LazyFrame:
    """Keep only the statistics rows whose industry code is at the definitions' level.

    Tables such as Eurostat's give sections ("B"), divisions ("10") and groups ("451")
    side by side; summing all of them into clusters would count the same jobs two or
    three times. The level of every code (:func:`code_level`) is compared with the
    levels of the definitions' codes: rows whose code is at another level are left out,
    and with ``issues`` each such code is recorded (kind "other_level") with its
    employment. With a ``system``, codes are normalised first (PKD 2007 "10.71.Z" and
    OKED "10710" become NACE "1071"); codes that are not of the system are left out
    the same way. Returns the kept rows (lazy), industry codes canonical.
    """
    lf = stats.lazy() if isinstance(stats, pl.DataFrame) else stats
    def_levels = {code_level(c, system)[1] for c in definitions["industry"].unique()}
    def_levels.discard(None)
    codes = _distinct_codes(lf)
    mapping: dict[str, str] = {}
    dropped: dict[str, str] = {}
    for code in codes:
        canon, level = code_level(code, system)
        if canon is not None and level in def_levels:
            mapping[code] = canon
        else:
            dropped[code] = ("not a " + system + " code" if canon is None else
                             f"a {level} code")
    if not dropped and all(k == v for k, v in mapping.items()):
        return lf
    if issues is not None and dropped:
        levels = ", ".join(sorted(def_levels))
        emp = (lf.filter(pl.col("industry").cast(pl.Utf8).is_in(list(dropped)))
               .group_by(pl.col("industry").cast(pl.Utf8))
               .agg(pl.col("employment").sum(), _first_line(lf)).collect())
        emp_of = {r[0]: r[1:] for r in emp.iter_rows()}
        for code in sorted(dropped):
            n, line = emp_of.get(code, (None, None))
            issues.add("other_level", f"industry {code} ({dropped[code]}, "
                       f"{n or 0:,.0f} employed) left out: the definitions "
                       f"are at {levels} level, and codes of other levels would count the "
                       "same jobs twice", industry=code, field="industry", line=line)
    return (lf.filter(pl.col("industry").cast(pl.Utf8).is_in(list(mapping)))
            .with_columns(pl.col("industry").cast(pl.Utf8)
                          .replace_strict(mapping, return_dtype=pl.Utf8)))


def _distinct_codes(lf: pl.LazyFrame) -> list[str]:
    """The distinct industry codes of ``lf`` (nulls left out). An Enum column (as coded
    once by klaster._keys) is read through its physical codes, with no text pass."""
    dtype = lf.collect_schema()["industry"]
    if isinstance(dtype, pl.Enum):
        phys = lf.select(pl.col("industry").to_physical()).collect().to_series().drop_nulls()
        used = np.flatnonzero(np.bincount(phys.to_numpy(), minlength=dtype.categories.len()))
        return dtype.categories.gather(used).to_list()
    return (lf.select(pl.col("industry").cast(pl.Utf8).unique()).collect()["industry"]
            .drop_nulls().to_list())


def other_level_report(stats: pl.DataFrame | pl.LazyFrame, definitions: pl.DataFrame, *,
                       system: str | None = None) -> pl.DataFrame:
    """Codes that :func:`select_level` leaves out: industry, reason, employment."""
    log = IssueLog()
    select_level(stats, definitions, system=system, issues=log)
    return other_level_frame(stats, [i.industry for i in log if i.kind == "other_level"])


def other_level_frame(stats: pl.DataFrame | pl.LazyFrame, codes: list[str]) -> pl.DataFrame:
    """Employment of ``codes`` in ``stats`` (industry, employment), largest first."""
    if not codes:
        return pl.DataFrame(schema={"industry": pl.Utf8, "employment": pl.Float64})
    lf = stats.lazy() if isinstance(stats, pl.DataFrame) else stats
    return (lf.filter(pl.col("industry").cast(pl.Utf8).is_in(codes))
            .group_by(pl.col("industry").cast(pl.Utf8)).agg(pl.col("employment").sum())
            .sort("employment", "industry", descending=[True, False], nulls_last=True)
            .collect())

def _first_line(lf: pl.LazyFrame) -> pl.Expr:
    """First input line of a group (the loaders' hidden line column, so that a warning
    names where the code first occurs), or null for tables built in code."""
    from klaster.data.validate import LINE_COL

    if LINE_COL in lf.collect_schema().names():
        return pl.col(LINE_COL).min().cast(pl.Int64).alias("_line")
    return pl.lit(None, pl.Int64).alias("_line")


def _stats_lazy(stats: pl.DataFrame | pl.LazyFrame, needed: tuple[str, ...]) -> pl.LazyFrame:
    lf = stats.lazy() if isinstance(stats, pl.DataFrame) else stats
    have = lf.collect_schema().names()
    for col in needed:
        if col not in have:
            raise DataError(f"statistics lack column {col!r} (have: {', '.join(have)})",
                            field=col)
    return lf


def apply_definitions(
    stats: pl.DataFrame | pl.LazyFrame, definitions: pl.DataFrame, *,
    issues: IssueLog | None = None, system: str | None = None, select: bool = True,
    keys: Literal["text", "enum"] = "text",
) -> pl.DataFrame:
    """Aggregate industry statistics to clusters.

    ``stats``: STATS_SCHEMA (region, industry, year, employment, establishments, payroll;
    other columns ignored). ``definitions``: DEFINITIONS_SCHEMA. Each row's counts are
    multiplied by the code's share in each of its clusters and summed per
    region x cluster x year. Returns columns region, cluster, cluster_name, cluster_type,
    year, employment, establishments, payroll, sorted by region, cluster, year.

    Establishments of split codes become fractional. A sum over cells that are all null
    (unpublished) stays null; where only some are null the sum covers the published ones.
    Codes in no cluster do not enter any cluster (that is what "in no cluster" means);
    with ``issues`` each such code is recorded (kind "unmapped_code", with its
    employment) — see :func:`allocation_report`. Only codes at the definitions' level
    are used (:func:`select_level`, which also normalises codes of ``system``); codes of
    other levels are recorded as "other_level". ``select=False`` skips that step for
    statistics that already went through :func:`select_level`.

    ``keys="enum"`` returns region, cluster and cluster_type as Enums over their sorted
    values instead of text (for callers that go on to group by them, such as
    klaster.mapping; the values are the same). Region and industry columns that come
    as Enums (klaster._keys.coded_keys) are read through their codes.
    """
    checked = check_definitions(definitions)
    lf = _stats_lazy(stats, ("region", "industry", "year", *STATS_VALUES))
    if select:
        lf = select_level(lf, checked, system=system, issues=issues)
    lf_all = lf
    coded = isinstance(lf.collect_schema()["industry"], (pl.Enum, pl.Categorical))
    lf = lf.select("region", pl.col("industry") if coded else pl.col("industry").cast(pl.Utf8),
                   "year", *STATS_VALUES)
    df = lf.collect()
    if df.select(pl.any_horizontal(pl.col("region", "industry", "year").is_null().any())).item():
        raise DataError("statistics have empty region, industry or year cells; load them "
                        "through klaster.data, which names the line", field="region")
    # Region, industry and cluster become integer codes over their sorted values
    # (klaster._keys: one hashing pass per text column), and region x cluster x year one
    # packed key (sorting the key sorts by region, cluster, year).
    reg, regions = (text_codes(df["region"])
                    or text_codes(df["region"].cast(pl.Utf8)))  # type: ignore[misc]
    ind, present = text_codes(df["industry"])  # type: ignore[misc]
    clusters = checked["cluster"].unique().sort()
    # Industry codes over the statistics' codes and the definitions' codes together.
    industries = pl.concat([present, checked["industry"]]).unique().sort()
    position = {code: k for k, code in enumerate(industries.to_list())}
    if industries.len() != present.len():
        ind = np.array([position[c] for c in present.to_list()], dtype=np.int64)[ind]
    n_cl = clusters.len()
    y0 = int(df["year"].min()) if df.height else 0
    n_y = int(df["year"].max()) - y0 + 1 if df.height else 1
    defs = checked.select(
        pl.col("industry").replace_strict(position, return_dtype=pl.Int64).alias("_i"),
        pl.col("cluster").cast(pl.Enum(clusters)).to_physical().cast(pl.Int64).alias("_c"),
        "share")
    names = (checked.select("cluster", "cluster_name", "cluster_type").unique("cluster")
             .sort("cluster"))
    values = df.select("year", *STATS_VALUES)
    if regions.len() * n_cl * n_y <= _DENSE_SLOTS:
        out = _aggregate_dense(values, ind, reg, defs, industries.len(), regions.len(), n_cl,
                               n_y, y0)
    else:
        out = _aggregate_hashed(values, ind, reg, defs, n_cl, n_y, y0)
    # names is in the order of `clusters`, so the cluster code indexes it.
    if keys == "enum":
        c = out["_c"].to_numpy()
        type_codes, types = text_codes(names["cluster_type"])  # type: ignore[misc]
        key_cols = [enum_from_codes("region", out["_r"].to_numpy(), regions),
                    enum_from_codes("cluster", c, clusters),
                    names["cluster_name"].gather(out["_c"]),
                    enum_from_codes("cluster_type", type_codes[c], types)]
    else:
        key_cols = [regions.gather(out["_r"]).alias("region"),
                    *[names[c].gather(out["_c"])
                      for c in ("cluster", "cluster_name", "cluster_type")]]
    result = out.select(*key_cols, "year", *STATS_VALUES)
    # Codes in no cluster, from the distinct codes already at hand: the rows are
    # grouped only when there are such codes, and then only theirs (issue 14).
    unmapped = present.filter(~present.is_in(checked["industry"].implode()))
    if issues is not None and unmapped.len():
        lost = (lf_all.filter(pl.col("industry").cast(pl.Utf8).is_in(unmapped.implode()))
                .group_by(pl.col("industry").cast(pl.Utf8))
                .agg(pl.col("employment").sum(), _first_line(lf_all))
                .join(checked.lazy().select("industry"), on="industry", how="anti")
                .sort("industry").collect())
        for code, emp, line in lost.iter_rows():
            issues.add("unmapped_code", f"industry {code} ({emp or 0:,.0f} employed) is in "
                       "no cluster of the definitions and enters none", industry=code,
                       field="industry", line=line)
    return result


# Up to this many region x cluster x year slots the sums are accumulated in dense arrays
# (about 60 bytes per slot at the peak, so 1 GB; 16.7M slots cover e.g. 3,200 counties x
# 100 clusters x 50 years); beyond, a hash group-by.
_DENSE_SLOTS = 1 << 24


def _aggregate_dense(df: pl.DataFrame, ind: np.ndarray, reg: np.ndarray, defs: pl.DataFrame,
                     n_ind: int, n_r: int, n_cl: int, n_y: int, y0: int) -> pl.DataFrame:
    """Allocation sums by direct addressing: ``np.bincount`` over the packed key.

    The region x cluster x year key is dense and known in advance, so each sum is one
    pass over the rows with no hashing and no join: the definitions become, per rank of a
    code's clusters (most codes have one, split codes two or three), a lookup array
    industry code -> (cluster code, share). A hash group-by of the same rows takes several
    times longer (issue 14, docs/indicators.md).

    The rows are read block by block, as zero-copy NumPy views of Polars' own chunks
    (a Parquet file gives one per row group): turning an 11-million-row column into one
    array copies it, and every full-length temporary (keys, lookups) costs its page
    faults — together most of this step's time when the host is loaded (issue 14). The
    blocks' temporaries are small and reused; each block's sums go to the key range it
    touches (a table that comes year by year touches one or two years' slots per block).
    """
    # One extra cluster column, never output, takes the rows of codes that the whole-code
    # pass does not cover (split or unmapped codes): every row then goes through that
    # pass unfiltered, with no index of the rows to keep and no gathers by it.
    n_clx = n_cl + 1
    n_slots = n_r * n_clx * n_y
    codes = defs.with_columns(
        pl.len().over("_i").alias("_n"),
        pl.col("_c").rank("ordinal").over("_i").cast(pl.Int64).alias("_j"))
    # Year-major slots while accumulating (neighbouring rows of a year-by-year table add
    # into neighbouring slots); transposed to region x cluster x year order at the end.
    rows = np.zeros(n_slots, dtype=np.int64)
    sums = {c: np.zeros(n_slots) for c in STATS_VALUES}
    counts = {c: np.zeros(n_slots) for c in STATS_VALUES if df[c].null_count()}
    # Codes wholly in one cluster (nearly all rows; no multiplication) in one pass; the
    # codes split over clusters (or with a share below 1) once per cluster rank, over
    # their own rows only.
    whole = codes.filter((pl.col("_n") == 1) & (pl.col("share") == 1.0))
    cluster_of = np.full(n_ind, n_cl, dtype=np.int64)
    cluster_of[whole["_i"].to_numpy()] = whole["_c"].to_numpy()
    rest = codes.filter((pl.col("_n") > 1) | (pl.col("share") != 1.0))
    split = np.zeros(n_ind, dtype=bool)
    split[rest["_i"].to_numpy()] = True
    passes = [_lookup(rest.filter(pl.col("_j") == j), n_ind, share=True)
              for j in range(1, int(rest["_j"].max() or 0) + 1)]

    def add(key: np.ndarray, values: dict, share: np.ndarray | None) -> None:
        if key.size == 0:
            return
        lo = int(key.min())
        key -= lo
        width = int(key.max()) + 1
        part = slice(lo, lo + width)
        rows[part] += np.bincount(key, minlength=width)
        for col, (v, published) in values.items():
            # Counts times the code's share in this cluster (the allocation rule); a
            # share of exactly 1 leaves the count as it is.
            sums[col][part] += np.bincount(key, weights=v if share is None else v * share,
                                           minlength=width)
            if col in counts:
                counts[col][part] += np.bincount(key, weights=published, minlength=width)

    df = df.with_columns(pl.col(c).cast(pl.Float64) for c in STATS_VALUES)
    for block in _blocks(df, ("year", *STATS_VALUES), {"industry": ind, "region": reg}):
        ind_b = block["industry"]
        base = block["year"].astype(np.int64)
        base -= y0
        base *= n_r
        base += block["region"]
        base *= n_clx
        values = {col: block[col] if isinstance(block[col], tuple) else (block[col], None)
                  for col in STATS_VALUES}
        key = cluster_of[ind_b]
        key += base
        add(key, values, None)
        if passes:
            sub = np.flatnonzero(split[ind_b])
            if sub.size:
                sub_values = {col: (v[sub], None if m is None else m[sub])
                              for col, (v, m) in values.items()}
                for cluster_j, share_j in passes:
                    c = cluster_j[ind_b[sub]]
                    mine = c >= 0
                    add(c[mine] + base[sub[mine]],
                        {col: (v[mine], None if m is None else m[mine])
                         for col, (v, m) in sub_values.items()}, share_j[ind_b[sub[mine]]])

    def region_major(a: np.ndarray) -> np.ndarray:  # the extra cluster column dropped
        return a.reshape(n_y, n_r, n_clx)[:, :, :n_cl].transpose(1, 2, 0).ravel()

    rows = region_major(rows)
    slot = np.flatnonzero(rows)
    out = {col: region_major(a)[slot] for col, a in sums.items()}
    nulls = {col: region_major(a)[slot] == 0 for col, a in counts.items()}
    return pl.DataFrame({
        "_r": slot // (n_cl * n_y),
        "_c": slot // n_y % n_cl,
        "year": (slot % n_y + y0).astype(np.int32),
        # Keep "not published" distinct from zero: a cell whose inputs are all null stays
        # null (a plain sum would give 0).
        **{col: pl.Series(col, v).set(pl.Series(nulls[col]), None) if col in nulls
           else pl.Series(col, v) for col, v in out.items()},
    })


def _lookup(part: pl.DataFrame, n_ind: int, *, share: bool
            ) -> tuple[np.ndarray, np.ndarray | None]:
    """Industry code -> cluster code (-1: not in this pass) and, if asked, -> share."""
    cluster_of = np.full(n_ind, -1, dtype=np.int64)
    cluster_of[part["_i"].to_numpy()] = part["_c"].to_numpy()
    if not share:
        return cluster_of, None
    share_of = np.zeros(n_ind)
    share_of[part["_i"].to_numpy()] = part["share"].to_numpy()
    return cluster_of, share_of


_BLOCK_ROWS = 1 << 18


def _blocks(df: pl.DataFrame, columns: tuple[str, ...], arrays: dict[str, np.ndarray]):
    """Yield dicts column -> NumPy array for consecutive row blocks of ``df``, plus the
    same rows of the full-length ``arrays``.

    Views of Polars' chunks when all columns are chunked alike, sliced to at most
    _BLOCK_ROWS rows; otherwise slices of the rechunked frame. A chunk with nulls gives
    (values with nulls as 0, published mask).
    """
    series = {c: df[c] for c in columns}
    chunks = {c: s.get_chunks() for c, s in series.items()}
    lengths = {tuple(len(x) for x in ch) for ch in chunks.values()}
    if len(lengths) != 1:
        chunks = {c: s.rechunk().get_chunks() for c, s in series.items()}
    offset = 0
    for k in range(len(next(iter(chunks.values())))):
        chunk_arrays = {c: _array(ch[k]) for c, ch in chunks.items()}
        n = len(chunks[columns[0]][k])
        for a in range(0, n, _BLOCK_ROWS):
            block = {c: x[a:a + _BLOCK_ROWS] if not isinstance(x, tuple)
                     else (x[0][a:a + _BLOCK_ROWS], x[1][a:a + _BLOCK_ROWS])
                     for c, x in chunk_arrays.items()}
            m = min(_BLOCK_ROWS, n - a)
            block.update({c: x[offset + a:offset + a + m] for c, x in arrays.items()})
            yield block
        offset += n


def _array(chunk: pl.Series):
    if chunk.null_count() == 0:
        return chunk.to_numpy()
    return chunk.fill_null(0).to_numpy(), chunk.is_not_null().to_numpy()


def _aggregate_hashed(df: pl.DataFrame, ind: np.ndarray, reg: np.ndarray, defs: pl.DataFrame,
                      n_cl: int, n_y: int, y0: int) -> pl.DataFrame:
    """The same sums by join + hash group-by, for key spaces too large for dense arrays."""
    df = df.with_columns(pl.Series("_i", ind).cast(pl.Int64), pl.Series("_r", reg))
    key = pl.col("_k")
    return (
        df.lazy()
        .join(defs.lazy(), on="_i", how="inner")
        .select(((pl.col("_r").cast(pl.Int64) * n_cl + pl.col("_c")) * n_y
                 + (pl.col("year") - y0)).alias("_k"),
                *[(pl.col(c) * pl.col("share")).alias(c) for c in STATS_VALUES])
        .group_by("_k")
        .agg(*[pl.col(c).sum() for c in STATS_VALUES],
             *[pl.col(c).count().alias(f"_published_{c}") for c in STATS_VALUES])
        .sort("_k")
        .select(
            (key // (n_cl * n_y)).alias("_r"),
            (key // n_y % n_cl).alias("_c"),
            (key % n_y + y0).cast(pl.Int32).alias("year"),
            # Keep "not published" distinct from zero (as above).
            *[pl.when(pl.col(f"_published_{c}") > 0).then(pl.col(c)).otherwise(None)
              .cast(pl.Float64).alias(c) for c in STATS_VALUES],
        )
        .collect()
    )


def allocation_report(stats: pl.DataFrame | pl.LazyFrame, definitions: pl.DataFrame, *,
                      system: str | None = None, select: bool = True) -> pl.DataFrame:
    """Industry codes of ``stats`` whose allocation to clusters is not one-to-one.

    Returns one row per code that is split over several clusters (status "split") or in
    no cluster (status "unmapped"): industry, status, employment, establishments, payroll
    (sums over all regions and years of ``stats``), n_clusters, allocation (text
    "cluster:share; ..." ordered by cluster). Sorted by status, then employment
    descending. Only codes at the definitions' level count (:func:`select_level`;
    ``select=False`` when ``stats`` already went through it).
    """
    defs = check_definitions(definitions)
    per_code = defs.group_by("industry").agg(
        pl.col("cluster").n_unique().alias("n_clusters"),
        pl.concat_str(pl.col("cluster"), pl.lit(":"), pl.col("share").round(4).cast(pl.Utf8))
        .sort_by(pl.col("cluster").cast(pl.Int64, strict=False), pl.col("cluster"))
        .str.join("; ").alias("allocation"),
    )
    lf = _stats_lazy(stats, ("industry", *STATS_VALUES))
    if select:
        lf = select_level(lf, defs, system=system)
    # Only the codes that are split or in no cluster are reported: those are found among
    # the distinct codes, and only their rows are summed (most rows are of codes wholly
    # in one cluster; issue 14). Grouped by the column as it is (an Enum or Categorical
    # by its codes), then made text.
    one_to_one = set(per_code.filter(pl.col("n_clusters") == 1)["industry"].to_list())
    report = [c for c in _distinct_codes(lf) if c not in one_to_one]
    wanted = pl.Series(report, dtype=pl.Utf8).cast(lf.collect_schema()["industry"])
    sums = (lf.filter(pl.col("industry").is_in(wanted.implode()))
            .group_by("industry").agg(pl.col(c).sum() for c in STATS_VALUES)
            .with_columns(pl.col("industry").cast(pl.Utf8)).collect())
    rep = sums.join(per_code, on="industry", how="left").with_columns(
        pl.when(pl.col("n_clusters").is_null()).then(pl.lit("unmapped"))
        .when(pl.col("n_clusters") > 1).then(pl.lit("split")).otherwise(None).alias("status"),
        pl.col("n_clusters").fill_null(0).cast(pl.Int64),
    )
    return (rep.filter(pl.col("status").is_not_null())
            .select("industry", "status", *STATS_VALUES, "n_clusters", "allocation")
            .sort(["status", "employment", "industry"], descending=[False, True, False]))


def allocation_totals(stats: pl.DataFrame | pl.LazyFrame, definitions: pl.DataFrame, *,
                      system: str | None = None, select: bool = True,
                      report: pl.DataFrame | None = None,
                      other: pl.DataFrame | None = None) -> dict:
    """Employment totals behind :func:`allocation_report`.

    Returns dict with total_employment (codes at the definitions' level), split_employment
    (all employment of codes split over several clusters), unmapped_employment,
    split_share, unmapped_share, n_split_codes, n_unmapped_codes, and
    other_level_employment / n_other_level_codes (codes left out by
    :func:`select_level`, not part of the total). When ``stats`` already went through
    :func:`select_level` (``select=False``), pass its :func:`allocation_report` as
    ``report`` and the left-out codes (:func:`other_level_frame`) as ``other`` to save
    passes over a large table.
    """
    defs = check_definitions(definitions)
    lf = _stats_lazy(stats, ("industry", *STATS_VALUES))
    if select:
        lf = select_level(lf, defs, system=system)
    total = lf.select(pl.col("employment").sum()).collect().item() or 0.0
    if other is None:
        other = (other_level_report(stats, defs, system=system) if select
                 else other_level_frame(stats, []))
    rep = (report if report is not None
           else allocation_report(stats, definitions, system=system, select=select))
    split = rep.filter(pl.col("status") == "split")
    unm = rep.filter(pl.col("status") == "unmapped")
    s, u = float(split["employment"].sum() or 0), float(unm["employment"].sum() or 0)
    return {
        "total_employment": float(total), "split_employment": s, "unmapped_employment": u,
        "split_share": s / total if total else float("nan"),
        "unmapped_share": u / total if total else float("nan"),
        "n_split_codes": split.height, "n_unmapped_codes": unm.height,
        "other_level_employment": float(other["employment"].sum() or 0),
        "n_other_level_codes": other.height,
    }


def allocation_summary(stats: pl.DataFrame | pl.LazyFrame, definitions: pl.DataFrame, *,
                       system: str | None = None) -> str:
    """One line: total employment, and the part in split and in unmapped codes."""
    t = allocation_totals(stats, definitions, system=system)
    other = (f"; {t['other_level_employment']:,.0f} in {t['n_other_level_codes']} codes "
             "of other levels left out" if t["n_other_level_codes"] else "")
    return (f"total employment {t['total_employment']:,.0f}; "
            f"{t['split_employment']:,.0f} ({t['split_share']:.2%}) in "
            f"{t['n_split_codes']} codes split over several clusters; "
            f"{t['unmapped_employment']:,.0f} ({t['unmapped_share']:.2%}) in "
            f"{t['n_unmapped_codes']} codes in no cluster" + other)


# --- built-in definitions by name (the CLI, the platform and scripts choose them so) -----

BUILTIN_DEFINITIONS: dict[str, tuple[str, str]] = {
    # name: (code system of the statistics they expect, description)
    "us-benchmark": ("naics2017", ("US benchmark clusters (Delgado, Porter & Stern 2016), "
                                   "NAICS")),
    "nace-class": ("nace2", ("US benchmark clusters on NACE Rev.2 classes (4 digits; "
                             "PKD 2007, OKED)")),
    "nace-division": ("nace2", ("US benchmark clusters on NACE Rev.2 divisions (2 digits: "
                                "Eurostat, Belstat)")),
}
_ALIASES = {"us": "us-benchmark", "dps2016": "us-benchmark", "nace": "nace-class"}


def builtin_definitions(name: str, *, vintage: int = 2017) -> tuple[pl.DataFrame, str]:
    """Built-in definitions by name -> (DEFINITIONS_SCHEMA table, code system).

    Names: "us-benchmark" (NAICS ``vintage``), "nace-class", "nace-division" (see
    :data:`BUILTIN_DEFINITIONS`; aliases "us", "dps2016", "nace"). The code system is
    what :func:`klaster.mapping.map_clusters` needs to read the statistics' codes
    (e.g. PKD 2007 "10.71.Z" for NACE classes). Raises DataError for another name.
    """
    from klaster.taxonomy.nace import nace_benchmark_definitions

    key = _ALIASES.get(name, name)
    if key == "us-benchmark":
        return us_benchmark_definitions(vintage), "naics2017"
    if key in ("nace-class", "nace-division"):
        return nace_benchmark_definitions(key.removeprefix("nace-")), "nace2"
    raise DataError(f"no built-in definitions {name!r}; available: "
                    f"{', '.join(BUILTIN_DEFINITIONS)}", field="definitions")
