"""The analysis a dataset goes through: load -> map clusters -> report -> relatedness.

Framework-free (no Django import): the task runner (``tasks.py``) calls
:func:`load_statistics` and :func:`analyse`, then :func:`write_results`, and stores what
they return. Every formula lives in the library: :func:`klaster.mapping.map_clusters`
(LQ, strong clusters, stars), :func:`klaster.reports.render_report` (the HTML report) and
:mod:`klaster.relatedness` (proximity, density, ECI/PCI, opportunities; Hidalgo et al.
2007, Balland et al. 2019).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from klaster.errors import DataError, IssueLog
from klaster.i18n import LANGUAGES
from klaster.messages import Message

# Polars and the analytics load inside the functions that use them: the URL map imports
# this module at every start of the platform (1-3 s of `klaster serve`; issue 14).
if TYPE_CHECKING:
    import polars as pl

    from klaster.mapping import MappingResult

Progress = Callable[[str, int], None]

FORMATS = ("auto", "table", "cbp", "eurostat")
# Tables offered for download: name -> what it holds.
TABLES = ("indicators", "change", "opportunities", "support", "regions")


def _relabel(exc: DataError, name: str) -> DataError:
    """The same error, naming the file as the analyst uploaded it (not the server path)."""
    return DataError(exc.message, file=Path(name).name, line=exc.line, field=exc.field)


def guess_format(path: Path, name: str) -> str:
    """Loader for ``path`` from its (original) file name and header: table, cbp or eurostat.

    Same rules as ``klaster indicators``: .tsv(.gz) is Eurostat; .json or a cbp*.txt/csv
    name, or a CSV header with NAICS and employee columns, is a CBP extract; everything
    else (CSV/Parquet/Excel) is a table in the canonical columns.
    """
    low = name.lower()
    if low.endswith((".tsv", ".tsv.gz")):
        return "eurostat"
    if low.endswith(".json") or (low.startswith("cbp") and low.endswith((".txt", ".csv"))):
        return "cbp"
    if low.endswith(".csv"):
        with path.open(encoding="utf-8", errors="replace") as fh:
            cols = {c.strip().strip('"').lower() for c in fh.readline().split(",")}
        if {"naics", "employees"} <= cols or {"fipstate", "naics"} <= cols:
            return "cbp"
    return "table"


def load_statistics(path: str | Path, name: str, fmt: str = "auto",
                    year: int | None = None) -> tuple[pl.DataFrame, IssueLog]:
    """Load an uploaded statistics file into the canonical table (STATS_SCHEMA).

    ``name``: the file name the analyst uploaded (errors name it, with line and field);
    ``fmt``: one of FORMATS; ``year``: the year of every row for files without a year
    column (tables, CBP). Raises DataError.
    """
    from klaster.data import load_cbp, load_eurostat_tsv, load_table
    from klaster.taxonomy import recode_regions, us_states

    path = Path(path)
    if fmt not in FORMATS:
        raise DataError(f"unknown format {fmt!r}", file=Path(name).name, field="format")
    if fmt == "auto":
        fmt = guess_format(path, name)
    # The loaders read by suffix; give them a copy named like the upload so that a
    # stored name with a random suffix still reads as .csv/.xlsx/.parquet.
    with tempfile.TemporaryDirectory(prefix="klaster-upload-") as tmp:
        # Only the base name, in safe characters (loaders read the year from CBP names).
        safe = re.sub(r"[^\w.-]", "_", Path(name).name).lstrip(".") or "upload"
        local = Path(tmp) / safe
        shutil.copyfile(path, local)
        from klaster.data.textio import guard_read

        def read():
            if fmt == "cbp":
                return load_cbp(local, year=year)
            if fmt == "eurostat":
                return load_eurostat_tsv(local)
            return load_table(local, year=year)

        try:
            # Whatever a reader raises on a file that is not a table becomes a DataError
            # naming the upload (not "ComputeError: invalid utf-8 sequence").
            res = guard_read(local, read)
        except DataError as exc:
            raise _relabel(exc, name) from None
    table = res.table
    if fmt == "cbp" and table.height and table["region"].str.contains(r"^\d{2}$").all():
        # CBP keys states by FIPS; the built-in region table and map speak postal codes.
        table = recode_regions(table, us_states(), "geo_id", issues=res.issues)
    return table, res.issues


@dataclass
class AnalysisOutput:
    """What :func:`analyse` returns.

    mapping: the MappingResult; reports: the HTML report in each language (en, pl, be,
    ru; ``report`` is the English one); opportunities /
    support: OPPORTUNITY_COLUMNS / SUPPORT_COLUMNS of klaster.relatedness at the level of
    traded clusters (``activity`` = cluster code) plus ``cluster_name``; regions: one row
    per region (region, name, employment, traded_employment, strong, three_star,
    diversity, eci, coi); notes: caveats as klaster.messages.Message (code + parameters;
    the page renders them in the reader's language).
    """

    mapping: MappingResult
    reports: dict[str, str]
    opportunities: pl.DataFrame
    support: pl.DataFrame
    regions: pl.DataFrame
    notes: list[Message] = field(default_factory=list)

    @property
    def report(self) -> str:
        return self.reports["en"]

    def tables(self) -> dict[str, pl.DataFrame]:
        out = {"indicators": self.mapping.indicators, "opportunities": self.opportunities,
               "support": self.support, "regions": self.regions}
        if self.mapping.change is not None:
            out["change"] = self.mapping.change
        return out


def _cluster_relatedness(stats: pl.DataFrame, definitions: pl.DataFrame, year: int,
                         top: int, system: str | None = None
                         ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Opportunities among traded clusters (as ``klaster relatedness-report`` does).

    Local clusters are left out: they are present nearly everywhere, so their
    co-location says little about relatedness.
    """
    import polars as pl

    from klaster.relatedness import opportunities, relatedness
    from klaster.taxonomy import apply_definitions

    clusters = apply_definitions(stats.filter(pl.col("year") == year), definitions,
                                 system=system)
    clusters = clusters.filter(pl.col("cluster_type") == "traded")
    cl_stats = clusters.select("region", pl.col("cluster").alias("industry"), "year",
                               "employment", "establishments", "payroll")
    res = relatedness(cl_stats, year=year)
    opp, sup = opportunities(res, top=top)
    return opp, sup, res.region_table()


def analyse(stats: pl.DataFrame, definitions: pl.DataFrame, *,
            regions: pl.DataFrame | None = None, year: int | None = None,
            from_year: int | None = None, title: str = "Regional cluster report",
            source_note: str = "Regional employment statistics", top: int = 10,
            progress: Progress | None = None, system: str | None = None,
            languages: tuple[str, ...] = LANGUAGES, geometry: dict | None = None,
            caveats: list[Message] | tuple[Message, ...] = ()) -> AnalysisOutput:
    """Cluster mapping, report and opportunities of one statistics table.

    stats: STATS_SCHEMA; definitions: DEFINITIONS_SCHEMA; regions: REGIONS_SCHEMA (names
    and map join) or None; year: the year reported (default the latest); from_year: the
    first year of the change table (default the first). ``progress(stage, percent)`` is
    told each stage. system: code system of the statistics for
    :func:`klaster.mapping.map_clusters` (from klaster.taxonomy.builtin_definitions). The
    report is rendered in each of ``languages`` (the platform shows the reader's).
    geometry: boundaries for the report's map (a FeatureCollection joined through
    ``regions.geo_id``; None: US states when the codes are, else no map); caveats: data
    notes (klaster.messages.Message) put before the engine's own.
    Raises DataError for input the engine cannot use.
    """
    from klaster.mapping import map_clusters
    say = progress or (lambda _stage, _pct: None)
    say("Computing indicators", 20)
    years = sorted(int(y) for y in stats["year"].drop_nulls().unique())
    if year is not None and year not in years:
        raise DataError(f"year {year} is not in the statistics (years: "
                        f"{', '.join(map(str, years))})", field="year")
    last = year if year is not None else (years[-1] if years else None)
    mapping = map_clusters(stats, definitions, start_year=from_year, end_year=last,
                           system=system)
    say("Rendering the report", 45)
    notes = [*caveats, *mapping.notes()]
    reports = {lang: _render(mapping, regions, last, title, source_note, notes, lang,
                             geometry)
               for lang in dict.fromkeys(("en", *languages))}

    say("Relatedness and opportunities", 70)
    try:
        opp, sup, rtab = _cluster_relatedness(stats, definitions, last, top, system)
    except DataError as exc:
        # Too few regions or clusters for co-location measures: the mapping still
        # stands; say why the opportunities are missing instead of failing the run.
        notes.append(Message("opportunities.none", {"reason": exc.message}))
        opp, sup, rtab = _empty_relatedness()
    names = (definitions.select("cluster", "cluster_name").unique("cluster")
             .rename({"cluster": "activity"}))
    opp = opp.join(names, on="activity", how="left")
    sup = sup.join(names.rename({"activity": "supporting_activity",
                                 "cluster_name": "supporting_name"}),
                   on="supporting_activity", how="left")
    region_summary = _region_summary(mapping.indicators, last, regions, rtab)
    return AnalysisOutput(mapping, reports, opp, sup, region_summary, notes)


def _render(mapping: MappingResult, regions, year, title, source_note, notes,
            language: str = "en", geometry: dict | None = None) -> str:
    from klaster.reports import render_report

    meta: dict[str, Any] = {"caveats": list(notes), **mapping.options}
    # Without boundaries the report draws US states when every code is one, and says
    # plainly that it has no map otherwise (klaster.reports.html).
    return render_report(mapping.indicators, regions=regions, change=mapping.change,
                         geometry=geometry,
                         year=year, title=title, source_note=source_note, metadata=meta,
                         language=language)


def report_name(language: str) -> str:
    """File name of the report in ``language`` in a results folder (English:
    report.html, the name used before reports had languages)."""
    return "report.html" if language == "en" else f"report.{language}.html"


def _empty_relatedness() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    import polars as pl

    from klaster.relatedness import OPPORTUNITY_COLUMNS, SUPPORT_COLUMNS

    text = {"region", "activity", "quadrant", "supporting", "supporting_activity"}
    ints = {"rank"}

    def frame(cols):
        return pl.DataFrame(schema={c: pl.Utf8 if c in text else pl.Int32 if c in ints
                                    else pl.Float64 for c in cols})

    return (frame(OPPORTUNITY_COLUMNS), frame(SUPPORT_COLUMNS),
            pl.DataFrame(schema={"region": pl.Utf8, "year": pl.Int32,
                                 "diversity": pl.Int64, "eci": pl.Float64,
                                 "coi": pl.Float64}))


def _region_summary(ind: pl.DataFrame, year: int, regions: pl.DataFrame | None,
                    rtab: pl.DataFrame) -> pl.DataFrame:
    """region, name, employment, traded_employment, strong, three_star, diversity, eci, coi."""
    import polars as pl
    df = ind.filter(pl.col("year") == year)
    summary = df.group_by("region").agg(
        pl.col("employment").sum().alias("employment"),
        pl.col("employment").filter(pl.col("cluster_type") == "traded").sum()
        .alias("traded_employment"),
        pl.col("strong").fill_null(False).sum().cast(pl.Int64).alias("strong"),
        (pl.col("stars") == 3).fill_null(False).sum().cast(pl.Int64).alias("three_star"),
    )
    if regions is not None:
        summary = summary.join(regions.select("region", "name"), on="region", how="left")
    else:
        summary = summary.with_columns(pl.lit(None, pl.Utf8).alias("name"))
    summary = summary.with_columns(pl.coalesce("name", "region").alias("name"))
    summary = summary.join(rtab.select("region", "diversity", "eci", "coi"), on="region",
                           how="left")
    return summary.select("region", "name", "employment", "traded_employment", "strong",
                          "three_star", "diversity", "eci", "coi").sort("region")


def write_results(output: AnalysisOutput, folder: str | Path) -> Path:
    """Write the reports (report.html, report.<lang>.html) and every table (.parquet and
    .csv, via klaster.reports.write_table) into ``folder``, all or nothing: everything goes to a temporary sibling folder that is
    renamed to ``folder`` only when complete. ``folder`` must not exist. Returns it."""
    from klaster.reports import write_table
    from klaster.reports.tables import atomic_write_text

    folder = Path(folder)
    if folder.exists():
        raise FileExistsError(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for lang, page in output.reports.items():
            atomic_write_text(tmp / report_name(lang), page)
        for name, table in output.tables().items():
            write_table(table, tmp / f"{name}.parquet")
            # Downloaded by people: text a spreadsheet would run as a formula is quoted.
            write_table(table, tmp / f"{name}.csv", neutralise_formulas=True)
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder
