"""What every ``klaster`` command shares: consoles, the common options, input loading,
error handling and step progress bars.

klaster.cli and the command modules of the subpackages (relatedness, spatial, assessment,
networks) import from here, so an option means the same everywhere and is declared once.
"""

from __future__ import annotations

from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from klaster import _rich_help
from klaster.errors import IssueLog, KlasterError
from klaster.i18n import N_

if TYPE_CHECKING:
    import polars as pl
    from rich.console import Console
    from rich.progress import Progress

# Polars, Rich's progress bars and the loaders are imported inside the functions that use
# them: every command imports this module, and `klaster --help` must not pay for them.


_rich_help.install()


class LazyConsole:
    """A Rich ``Console`` made on first use. Importing ``rich.console`` costs about 0.1 s,
    which `klaster version` and a sub-command's `--help` need not pay (issue 14).
    Attributes are forwarded (``console.print``); give ``.console`` where Rich wants a
    real Console (``Progress(console=err.console)``)."""

    def __init__(self, **options) -> None:
        self._options = options
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str):
        return getattr(self.console, name)


console = LazyConsole()
err = LazyConsole(stderr=True)


def rich_table(**options):
    """``rich.table.Table(**options)``, imported when a command prints one (not at the
    start of every command: issue 14)."""
    from rich.table import Table

    return Table(**options)


DEMO_LABEL = N_("US Census Bureau, County Business Patterns 2021 (states × 6-digit NAICS "
                "2017; bundled demo data)")


class Fmt(str, Enum):
    auto = "auto"
    cbp = "cbp"
    eurostat = "eurostat"
    table = "table"
    canonical = "canonical"


class Denominator(str, Enum):
    total = "total"
    type = "type"


# ---------------------------------------------------------------- shared options ---------

StatsArg = Annotated[Path | None, typer.Argument(
    help="Statistics file (CSV, Parquet, Excel, CBP API/bulk file, Eurostat TSV). "
    "Omit with --demo.", show_default=False)]
DemoOpt = Annotated[bool, typer.Option(
    "--demo", help="Use the bundled demo data: US County Business Patterns 2021, "
    "states x 6-digit NAICS 2017.")]
DemoEuOpt = Annotated[bool, typer.Option(
    "--demo-eu", help="Use the bundled EU demo data: Eurostat regional SBS "
    "(sbs_r_nuts06_r2), persons employed and local units, EU28 NUTS 2 regions x NACE "
    "divisions, 2008-2015, recoded to NUTS 2021 (Podlaskie = PL84).")]
FmtOpt = Annotated[Fmt, typer.Option(
    "--format", "-f", help="Input layout; auto guesses from the file name and header.")]
MapOpt = Annotated[list[str] | None, typer.Option(
    "--map", "-m", help="Column mapping for --format table: canonical=source, e.g. "
    "--map region=voivodeship --map employment=workers. Repeatable.")]
YearOpt = Annotated[int | None, typer.Option(
    "--data-year", help="Year of every row when the file has no year column.")]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Excel sheet name.")]
DefsOpt = Annotated[str, typer.Option(
    "--definitions", "-d", help="Cluster definitions: 'us-benchmark' (Delgado, Porter & "
    "Stern 2016, NAICS 2017), 'nace-class' (the same carried to NACE Rev.2 classes; PKD "
    "2007 and OKED codes too), 'nace-division' (NACE divisions: Eurostat, Belstat), or a "
    "CSV/Parquet/Excel file (industry, cluster, cluster_name, cluster_type[, subcluster, "
    "share]).")]
VintageOpt = Annotated[int, typer.Option(
    "--naics-vintage", help="NAICS vintage of the statistics for --definitions "
    "us-benchmark (2007, 2012 or 2017).")]
DenomOpt = Annotated[Denominator, typer.Option(
    "--lq-denominator", help="'total': region's total employment; 'type': region's "
    "traded (resp. local) employment, as the US Cluster Mapping Project does.")]
RefOpt = Annotated[Path | None, typer.Option(
    "--reference", help="Benchmark-economy totals (cluster, year, employment[, "
    "cluster_type]); default: the sum of the regions in the file.")]
class Lang(str, Enum):
    en = "en"
    pl = "pl"
    be = "be"
    ru = "ru"


LangOpt = Annotated[Lang, typer.Option(
    "--language", help="Language of the report's texts and numbers: en, pl, be or ru.")]
NutsOpt = Annotated[int | None, typer.Option(
    "--nuts-version", help="Recode NUTS region codes to this NUTS version (2010, 2013, "
    "2016, 2021), e.g. Eurostat's PL34 -> PL84 for NUTS 2021 boundaries; a split region "
    "is kept whole under its union code (PL12 -> 'PL91+PL92'). Each change is a warning.",
    show_default=False)]
NutsLevelOpt = Annotated[int | None, typer.Option(
    "--nuts-level", help="Keep the regions of one NUTS level (0-3) of a Eurostat file, "
    "which puts countries, NUTS 1 and NUTS 2 side by side; the rest is counted in the "
    "warnings.", show_default=False)]
RegionNamesOpt = Annotated[str, typer.Option(
    "--region-names", help="Turn region names in --format table files into codes: 'auto' "
    "(built-in Polish, Belarusian and Lithuanian names in en/pl/be/ru, when the region "
    "column holds names), 'pl-by-lt', 'pl', 'by', 'lt', 'none', or a region table file "
    "(region, name). Names that match nothing are warned about with their line.")]
IssuesOpt = Annotated[Path | None, typer.Option(
    "--issues", help="Write every warning (suppressed cells, unknown codes, …) to this CSV.")]


EncodingOpt = Annotated[str | None, typer.Option(
    "--encoding", help="Text encoding of a CSV/TXT input, e.g. cp1251 or cp1250; default: "
    "detected (byte-order mark, UTF-8, else the most probable code page).")]


def fail(exc: Exception) -> None:
    # soft_wrap: an error line is never broken (a terminal wraps it itself), so
    # "line 2" stays whole at any width and in captured output.
    err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


@contextmanager
def errors():
    """Turn klaster's own errors into a one-line message and exit code 2 (no traceback)."""
    try:
        yield
    except KlasterError as exc:
        fail(exc)
    except FileNotFoundError as exc:
        fail(exc)


def steps():
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                    console=err.console, transient=False, disable=not err.is_terminal)


class StepBar:
    """A Rich progress bar over the named steps of a command."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.task = progress.add_task("Starting", total=total)
        self.started = False

    def __call__(self, name: str) -> None:
        if self.started:
            self.progress.advance(self.task)
        self.started = True
        self.progress.update(self.task, description=name)

    def done(self) -> None:
        t = self.progress.tasks[0]
        self.progress.update(self.task, completed=t.total, description="Done")


def parse_mapping(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise typer.BadParameter(f"{item!r} is not canonical=source", param_hint="--map")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def guess_format(path: Path) -> Fmt:
    name = path.name.lower()
    if name.endswith((".tsv", ".tsv.gz")):
        return Fmt.eurostat
    if name.endswith((".csv", ".csv.gz")):
        # Eurostat SDMX-CSV (one observation a row, TIME_PERIOD and OBS_VALUE columns)
        import gzip

        from klaster.data.eurostat import _is_sdmx_csv
        opener = gzip.open if name.endswith(".gz") else open
        try:
            with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
                if _is_sdmx_csv(fh.readline(65536)):
                    return Fmt.eurostat
        except OSError:
            pass
    if name.endswith(".json") or (name.startswith("cbp") and name.endswith((".txt", ".csv"))):
        return Fmt.cbp
    if name.endswith(".csv"):
        with path.open(encoding="utf-8", errors="replace") as fh:
            header = fh.readline(65536).lower()
        cols = {c.strip().strip('"') for c in header.split(",")}
        if {"naics", "employees"} <= cols or {"fipstate", "naics"} <= cols:
            return Fmt.cbp
    if name.endswith(".parquet"):
        import polars as pl

        try:
            cols = set(pl.read_parquet_schema(path))
        except (pl.exceptions.PolarsError, OSError):
            return Fmt.table  # the table loader names the file in its error
        from klaster.schema import STATS_SCHEMA
        if {"region", "industry", "year", "employment"} <= cols <= set(STATS_SCHEMA):
            return Fmt.canonical
    return Fmt.table


def load_input(source: Path | None, demo: bool | str, fmt: Fmt, mapping: list[str] | None,
               year: int | None, sheet: str | None, encoding: str | None = None, *,
               nuts_version: int | None = None, region_names: str = "auto",
               nuts_level: int | None = None,
               ) -> tuple[pl.DataFrame, IssueLog, str]:
    """Load the statistics named on the command line -> (table, issues, source label).

    demo: False, True (the US demo) or "eu" (the EU demo, already in NUTS 2021).
    nuts_version / region_names: see NutsOpt / RegionNamesOpt (recoding of regions).
    Whatever a loader raises on a file it cannot read becomes a DataError naming the
    file (exit code 2, no traceback), so no input can end the CLI in a traceback."""
    from klaster.data.textio import guard_read

    def run():
        return _load_input(source, demo, fmt, mapping, year, sheet, encoding,
                           nuts_version=nuts_version, region_names=region_names,
                           nuts_level=nuts_level)

    if demo or source is None:
        return run()
    return guard_read(source, run)


def _load_input(source: Path | None, demo: bool | str, fmt: Fmt, mapping: list[str] | None,
                year: int | None, sheet: str | None, encoding: str | None, *,
                nuts_version: int | None = None, region_names: str = "auto",
                nuts_level: int | None = None,
                ) -> tuple[pl.DataFrame, IssueLog, str]:
    import polars as pl

    from klaster.data import cbp, eurostat, generic
    from klaster.data.demo import load_demo
    from klaster.data.validate import validate_stats

    if demo and source is not None:
        raise typer.BadParameter("give a statistics file or --demo, not both")
    if demo == "eu":
        from klaster.data.demo import EU_DEMO_SOURCE, load_demo_eu
        log = IssueLog()
        return load_demo_eu(log), log, EU_DEMO_SOURCE
    if demo:
        return load_demo(), IssueLog(), DEMO_LABEL
    if source is None:
        raise typer.BadParameter("give a statistics file, or --demo for the bundled demo data")
    if not source.exists():
        from klaster.errors import DataError
        raise DataError("file not found", file=source)
    if fmt is Fmt.auto:
        fmt = guess_format(source)
    names = _region_names_spec(region_names)
    if fmt is Fmt.cbp:
        res = cbp.load_cbp(source, year=year)
    elif fmt is Fmt.eurostat:
        res = eurostat.load_eurostat_tsv(source, nuts_version=nuts_version,
                                         nuts_level=nuts_level)
    elif fmt is Fmt.canonical:
        table, issues = validate_stats(pl.read_parquet(source), source=str(source))
        if nuts_version is not None or (names is not None and names != "auto"):
            table = generic.recode_region_column(table, names, nuts_version, issues,
                                                 str(source))
        return table, issues, str(source)
    else:
        res = generic.load_table(source, parse_mapping(mapping), year=year, sheet=sheet,
                                 region_names=names, nuts_version=nuts_version,
                                 encoding=encoding)
    table = res.table
    if nuts_level is not None and fmt is not Fmt.eurostat:
        from klaster.taxonomy.nuts import keep_nuts_level
        table = keep_nuts_level(table, nuts_level, issues=res.issues, source=str(source))
    # CBP API and bulk files key states by 2-digit FIPS; the built-in region table,
    # boundaries and definitions speak postal codes, so recode them (said in the log).
    if fmt is Fmt.cbp and table.height and table["region"].str.contains(r"^\d{2}$").all():
        from klaster.taxonomy import recode_regions, us_states
        table = recode_regions(table, us_states(), "geo_id", issues=res.issues)
        res.issues.add("recoded_regions", "state FIPS codes recoded to postal codes",
                       file=str(source))
    return table, res.issues, res.source or str(source)


def _region_names_spec(spec: str | None):
    """--region-names value -> what klaster.data.load_table takes (None, a built-in
    table name, "auto", or a region table read from a file)."""
    if spec is None or spec.lower() == "none":
        return None
    from klaster.taxonomy.regions import BUILTIN_REGION_TABLES

    if spec.lower() in (*BUILTIN_REGION_TABLES, "auto"):
        return spec.lower()
    path = Path(spec)
    if not path.is_file():
        raise typer.BadParameter(f"{spec!r}: not auto, none, one of "
                                 f"{', '.join(BUILTIN_REGION_TABLES)}, nor a file",
                                 param_hint="--region-names")
    from klaster.taxonomy import load_regions
    return load_regions(path)


def definitions_with_system(spec: str, vintage: int) -> tuple[pl.DataFrame, str | None]:
    """--definitions -> (definitions, code system of the statistics, None for a file)."""
    from klaster.errors import DataError
    from klaster.taxonomy import BUILTIN_DEFINITIONS, builtin_definitions, load_definitions

    path = Path(spec)
    if not path.exists():
        try:
            return builtin_definitions(spec, vintage=vintage)
        except DataError:
            raise typer.BadParameter(
                f"{spec!r}: not one of {', '.join(BUILTIN_DEFINITIONS)} and no such file",
                param_hint="--definitions") from None
    return load_definitions(path), None


def definitions_from_spec(spec: str, vintage: int) -> pl.DataFrame:
    return definitions_with_system(spec, vintage)[0]


def read_reference(path: Path | None) -> pl.DataFrame | None:
    from klaster.data.textio import guard_read

    if path is None:
        return None
    import polars as pl

    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return guard_read(path, lambda: pl.read_parquet(path))
    if suffix in (".xlsx", ".xlsm"):
        return guard_read(path, lambda: pl.read_excel(path))
    return guard_read(path, lambda: pl.read_csv(path, schema_overrides={"cluster": pl.Utf8}))


def report_issues(issues: IssueLog, path: Path | None) -> None:
    if not len(issues):
        return
    counts = ", ".join(f"{n:,} {kind}" for kind, n in sorted(issues.counts().items()))
    if path is not None:
        issues.write_csv(path)
        err.print(f"[yellow]warnings:[/] {counts} (written to {path})", highlight=False,
                  soft_wrap=True)
    else:
        err.print(f"[yellow]warnings:[/] {counts} (use --issues FILE to list them)",
                  highlight=False, soft_wrap=True)
