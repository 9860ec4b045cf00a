"""The ``klaster`` command line: a thin shell over the library.

Each command parses its options, calls library functions (klaster.data, klaster.taxonomy,
klaster.mapping, klaster.indicators, klaster.reports) and prints a short summary. No
formula lives here.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from klaster import __version__
from klaster.cli_common import (
    DefsOpt,
    DemoEuOpt,
    DemoOpt,
    EncodingOpt,
    Denominator,
    DenomOpt,
    Fmt,
    FmtOpt,
    IssuesOpt,
    Lang,
    LangOpt,
    MapOpt,
    NutsLevelOpt,
    NutsOpt,
    RefOpt,
    RegionNamesOpt,
    SheetOpt,
    StatsArg,
    StepBar,
    VintageOpt,
    YearOpt,
    console,
    definitions_with_system,
    err,
    errors,
    load_input,
    read_reference,
    report_issues,
    steps,
)

if TYPE_CHECKING:
    import polars as pl

# Only Typer, Rich's console and the option declarations load at start-up: each command
# imports Polars and the library modules it uses inside its body, so `klaster --help` and
# every command's fixed cost stay small (issue 14; tests/test_cli_imports.py).

app = typer.Typer(
    name="klaster",
    help="Evidence for cluster programmes: load regional statistics, map clusters "
    "(location quotients, strong clusters, stars), write tables and an HTML report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
fetch_app = typer.Typer(help="Download official statistics into the local cache (online).",
                        no_args_is_help=True)
app.add_typer(fetch_app, name="fetch")


def _run_mapping(bar, source, demo, fmt, mapping, data_year, sheet, definitions, vintage,
                 lq_denominator, reference, from_year, to_year, nuts_version=None,
                 region_names="auto", nuts_level=None, encoding=None):
    from klaster.mapping import map_clusters

    bar("Loading statistics")
    stats, issues, label = load_input(source, demo, fmt, mapping, data_year, sheet,
                                      nuts_version=nuts_version, region_names=region_names,
                                      nuts_level=nuts_level, encoding=encoding)
    defs, system = definitions_with_system(definitions, vintage)
    result = map_clusters(stats, defs, lq_denominator=lq_denominator.value,
                          reference=read_reference(reference), start_year=from_year,
                          end_year=to_year, step=bar, system=system)
    if source is not None:
        # The mapping's warnings about codes (in no cluster, at another level) come after
        # loading, from a table without lines: name the file and the code's first line.
        from dataclasses import replace
        result.issues.issues[:] = [
            replace(i, file=str(source), line=i.line or issues.first_lines.get(i.industry))
            if i.file is None and i.industry is not None else i
            for i in result.issues.issues]
    result.issues.extend(issues)
    return result, label


def _demo_choice(demo: bool, demo_eu: bool, source, definitions: str):
    """--demo / --demo-eu -> (demo for load_input, definitions): the EU demo is on NACE
    divisions, so it takes the NACE division definitions unless others are named."""
    if demo and demo_eu:
        raise typer.BadParameter("give --demo or --demo-eu, not both")
    if not demo_eu:
        return demo, definitions
    if source is not None:
        raise typer.BadParameter("give a statistics file or --demo-eu, not both")
    from klaster.data.demo import EU_DEMO_DEFINITIONS
    return "eu", (EU_DEMO_DEFINITIONS if definitions == "us-benchmark" else definitions)


# ---------------------------------------------------------------- commands ---------------

@app.command()
def indicators(
    source: StatsArg = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Output table: .parquet, "
                                         ".csv or .xlsx.")] = Path("indicators.parquet"),
    demo: DemoOpt = False,
    demo_eu: DemoEuOpt = False,
    fmt: FmtOpt = Fmt.auto,
    mapping: MapOpt = None,
    data_year: YearOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    definitions: DefsOpt = "us-benchmark",
    vintage: VintageOpt = 2017,
    lq_denominator: DenomOpt = Denominator.total,
    reference: RefOpt = None,
    from_year: Annotated[int | None, typer.Option(help="First year of the change table.")] = None,
    to_year: Annotated[int | None, typer.Option(help="Last year of the change table.")] = None,
    change_output: Annotated[Path | None, typer.Option(
        "--change-output", help="Also write the change table (CAGR, job creation, LQ "
        "change, shift-share components) here, when the data has two or more years.")]
    = None,
    nuts_version: NutsOpt = None,
    nuts_level: NutsLevelOpt = None,
    region_names: RegionNamesOpt = "auto",
    issues_out: IssuesOpt = None,
) -> None:
    """Compute region × cluster × year indicators (LQ, strong clusters, stars) and write them."""
    import polars as pl

    from klaster.reports import write_table

    demo, definitions = _demo_choice(demo, demo_eu, source, definitions)
    with errors(), steps() as progress:
        bar = StepBar(progress, 5)
        result, _label = _run_mapping(
            bar, source, demo, fmt, mapping, data_year, sheet, definitions, vintage,
            lq_denominator, reference, from_year, to_year, nuts_version, region_names,
            nuts_level, encoding)
        bar("Writing tables")
        write_table(result.indicators, output)
        if change_output is not None and result.change is not None:
            write_table(result.change, change_output)
        bar.done()
    ind = result.indicators
    traded = ind.filter(pl.col("cluster_type") == "traded")
    console.print(
        f"Wrote {ind.height:,} rows ({ind['region'].n_unique()} regions × "
        f"{ind['cluster'].n_unique()} clusters × {ind['year'].n_unique()} year(s)) to "
        f"[bold]{output}[/]; strong clusters: {int(traded['strong'].sum() or 0):,}, "
        f"3-star: {int((ind['stars'] == 3).sum()):,}.", highlight=False)
    if change_output is not None:
        if result.change is None:
            err.print("[yellow]no change table: the data has one year only[/]")
        else:
            console.print(f"Wrote the change table ({result.change.height:,} rows) to "
                          f"[bold]{change_output}[/].", highlight=False)
    for message in result.caveats():
        err.print(f"[dim]note: {message}[/]", highlight=False)
    report_issues(result.issues, issues_out)


@app.command()
def report(
    source: StatsArg = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")]
    = Path("klaster-report.html"),
    demo: DemoOpt = False,
    demo_eu: DemoEuOpt = False,
    fmt: FmtOpt = Fmt.auto,
    mapping: MapOpt = None,
    data_year: YearOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    definitions: DefsOpt = "us-benchmark",
    vintage: VintageOpt = 2017,
    lq_denominator: DenomOpt = Denominator.total,
    reference: RefOpt = None,
    boundaries: Annotated[Path | None, typer.Option(
        help="Region boundaries (GeoJSON or TopoJSON file), or built-in ones by name: "
        "us-states, pl-by-lt (Poland's voivodeships, Belarus's oblasts and Minsk, "
        "Lithuania's counties; OpenStreetMap, ODbL), pl, by, lt; default: US states.")]
    = None,
    id_property: Annotated[str | None, typer.Option(
        help="Feature property that holds the region code (or the regions' geo_id); "
        "default: the feature id.")] = None,
    regions: Annotated[Path | None, typer.Option(
        help="Region table (region, name[, parent, geo_id]) for names and the map join.")]
    = None,
    cluster: Annotated[str | None, typer.Option(
        help="Cluster shown first on the map (code); default: the largest traded one.")]
    = None,
    region: Annotated[str | None, typer.Option(help="Region shown first in the profile.")]
    = None,
    year: Annotated[int | None, typer.Option(help="Year shown; default: the latest.")] = None,
    from_year: Annotated[int | None, typer.Option(help="First year for growth.")] = None,
    title: Annotated[str | None, typer.Option(help="Report title.")] = None,
    kd_results: Annotated[Path | None, typer.Option(
        "--kd", help="Results folder of `klaster kd` (kd.parquet, summary.parquet): adds "
        "the firm-level concentration section.")] = None,
    kd_unit: Annotated[str, typer.Option(
        help="Distance unit of the --kd results: km for lon/lat points, else the CRS unit.")]
    = "km",
    nuts_version: NutsOpt = None,
    nuts_level: NutsLevelOpt = None,
    region_names: RegionNamesOpt = "auto",
    language: LangOpt = Lang.en,
    issues_out: IssuesOpt = None,
) -> None:
    """Write a self-contained HTML report: map, ranked tables, portfolio chart, profiles."""
    from klaster.i18n import N_
    from klaster.messages import Message
    from klaster.reports import builtin_geometry, load_geometry, write_report
    from klaster.reports.geo import BUILTIN_BOUNDARIES
    from klaster.taxonomy import load_regions, us_states

    demo, definitions = _demo_choice(demo, demo_eu, source, definitions)
    if demo == "eu":
        # the EU demo's map: Poland's voivodeships (built-in, OpenStreetMap), Podlaskie first
        from klaster.data.demo import EU_DEMO_REGION
        boundaries = boundaries or Path("pl")
        region = region or EU_DEMO_REGION
    with errors(), steps() as progress:
        bar = StepBar(progress, 5)
        result, label = _run_mapping(
            bar, source, demo, fmt, mapping, data_year, sheet, definitions, vintage,
            lq_denominator, reference, from_year, year, nuts_version, region_names,
            nuts_level, encoding)
        bar("Rendering the report")
        geometry, builtin_table, attribution = None, None, None
        if boundaries is not None and not boundaries.exists() \
                and str(boundaries).lower() in BUILTIN_BOUNDARIES:
            geometry, builtin_table, attribution = builtin_geometry(str(boundaries))
        elif boundaries is not None:
            geometry = load_geometry(boundaries, id_property=id_property)
        if geometry is not None and nuts_version is not None:
            # split NUTS regions kept whole ("PL91+PL92") are drawn on their parts
            from klaster.reports.geo import add_union_features
            geometry = add_union_features(geometry,
                                          result.indicators["region"].unique().to_list())
        region_table = load_regions(regions) if regions is not None else builtin_table
        if demo == "eu" and regions is None:
            from klaster.data.demo import eu_demo_regions
            region_table = eu_demo_regions(result.indicators["region"].unique().to_list())
        if region_table is None and nuts_version == 2021:
            from klaster.taxonomy.nuts import nuts_regions
            region_table = nuts_regions(result.indicators["region"].unique().to_list())
        if region_table is None and geometry is None:
            region_table = us_states()
        # Messages (codes + parameters), rendered in the report's language.
        caveats: list[Message | str] = result.caveats()
        if attribution:
            caveats.append(Message("boundaries.attribution", {"source": attribution}))
        if demo == "eu":
            caveats.append(Message("demo.eurostat"))
        elif demo:
            caveats.append(Message("demo.cbp"))
        caveats += [m for m in result.notes() if m.code == "loading.warnings"]
        meta: dict[str, Any] = {
            "caveats": caveats,
            "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            N_("cluster definitions"): definitions,
            **result.options,
        }
        kwargs: dict[str, Any] = {"geometry": geometry, "regions": region_table,
                                  "change": result.change, "cluster": cluster,
                                  "region": region, "year": year, "source_note": label,
                                  "metadata": meta, "language": language.value}
        if title:
            kwargs["title"] = title
        if kd_results is not None:
            kwargs["spatial"] = _read_kd_results(kd_results)
            kwargs["spatial_unit"] = kd_unit
        path = write_report(result.indicators, output, **kwargs)
        bar.done()
    size = path.stat().st_size / 1e6
    ind = result.indicators
    console.print(f"Wrote [bold]{path}[/] ({size:.1f} MB, works offline): "
                  f"{ind['region'].n_unique()} regions, {ind['cluster'].n_unique()} clusters.",
                  highlight=False)
    report_issues(result.issues, issues_out)


def _read_kd_results(folder: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    import polars as pl

    from klaster.errors import DataError

    frames = []
    for name in ("kd.parquet", "summary.parquet"):
        path = folder / name
        if not path.is_file():
            raise DataError(f"{path} not found: --kd takes the --output folder of "
                            "`klaster kd`", file=path)
        frames.append(pl.read_parquet(path))
    return frames[0], frames[1]


@app.command()
def load(
    source: Annotated[Path | None, typer.Argument(
        help="Statistics file to check and convert.")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the canonical table (.parquet, .csv, .xlsx).")] = None,
    fmt: FmtOpt = Fmt.auto,
    mapping: MapOpt = None,
    data_year: YearOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    impute: Annotated[str | None, typer.Option(
        help="Fill suppressed/missing cells by the European Cluster Observatory rule using "
        "this code hierarchy: naics2017 or nace2 (or a hierarchy CSV).")] = None,
    nuts_version: NutsOpt = None,
    nuts_level: NutsLevelOpt = None,
    region_names: RegionNamesOpt = "auto",
    demo_eu: DemoEuOpt = False,
    issues_out: IssuesOpt = None,
) -> None:
    """Check a statistics file, report unpublished cells, convert it to the canonical table."""
    from rich.table import Table

    from klaster.data.impute import impute_eco, missing_report
    from klaster.reports import write_table
    from klaster.taxonomy import hierarchy, load_hierarchy

    with errors(), steps() as progress:
        bar = StepBar(progress, 4)
        bar("Loading statistics")
        table, issues, label = load_input(source, "eu" if demo_eu else False, fmt, mapping,
                                          data_year, sheet,
                                          nuts_version=nuts_version,
                                          region_names=region_names, nuts_level=nuts_level,
                                          encoding=encoding)
        hier = None
        bar("Imputing suppressed cells" if impute else "Checking")
        if impute is not None:
            hier = load_hierarchy(impute) if Path(impute).is_file() else hierarchy(impute)
            table, more = impute_eco(table, hier)
            issues.extend(more)
        bar("Writing")
        if output is not None:
            write_table(table, output)
        missing = missing_report(table, hier)
        bar.done()
    t = Table(title=f"{label}", show_edge=False)
    for col in ("rows", "regions", "industries", "years", "employment"):
        t.add_column(col, justify="right")
    t.add_row(f"{table.height:,}", f"{table['region'].n_unique():,}",
              f"{table['industry'].n_unique():,}",
              ", ".join(map(str, sorted(table["year"].unique().to_list()))),
              f"{table['employment'].sum():,.0f}")
    console.print(t)
    n_missing = int(table["employment"].is_null().sum())
    n_imputed = int((table["flag"] == "imputed").sum())
    console.print(f"unpublished employment cells: {n_missing:,}; imputed: {n_imputed:,}"
                  + (f"; summary rows: {missing.height:,}" if missing.height else ""),
                  highlight=False)
    if output is not None:
        console.print(f"Wrote [bold]{output}[/].", highlight=False)
    report_issues(issues, issues_out)


@app.command()
def definitions(
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write the table here.")] = None,
    which: Annotated[str, typer.Option(
        "--definitions", "-d", help="Built-in definitions: us-benchmark (NAICS), "
        "nace-class or nace-division (NACE Rev.2).")] = "us-benchmark",
    vintage: VintageOpt = 2017,
    source: Annotated[Path | None, typer.Option(
        "--stats", help="Also show how this statistics file's codes are allocated "
        "(split or unmapped codes and their employment).")] = None,
    demo: DemoOpt = False,
) -> None:
    """Show or export built-in cluster definitions (US benchmark on NAICS or NACE Rev.2)."""
    import polars as pl
    from rich.table import Table

    from klaster.reports import write_table
    from klaster.taxonomy import (
        allocation_report,
        allocation_summary,
        builtin_definitions,
        nace_benchmark_definitions,
        nace_benchmark_summary,
        other_level_report,
        us_benchmark_definitions,
    )

    with errors():
        _defs, system = builtin_definitions(which, vintage=vintage)
        nace_level = None if system == "naics2017" else (
            "division" if "division" in which else "class")
        defs = (us_benchmark_definitions(vintage, titles=True) if nace_level is None
                else nace_benchmark_definitions(nace_level, titles=True))
        clusters = defs.unique("cluster")
        plural = {"class": "classes", "division": "divisions", None: ""}[nace_level]
        on = (f"NAICS {vintage}" if nace_level is None else
              f"NACE Rev.2 {plural} (carried through the Census NAICS 2017 -> ISIC "
              "Rev.4 concordance, CBP 2021 weights)")
        console.print(
            f"US benchmark clusters (Delgado, Porter & Stern 2016) on {on}: "
            f"{clusters.height} clusters ({(clusters['cluster_type'] == 'traded').sum()} "
            f"traded, {(clusters['cluster_type'] == 'local').sum()} local), "
            f"{defs['industry'].n_unique():,} codes, "
            f"{defs.filter(pl.col('share') < 1)['industry'].n_unique():,} split.",
            highlight=False)
        if output is not None:
            write_table(defs, output)
            console.print(f"Wrote [bold]{output}[/].", highlight=False)
        if nace_level is not None and source is None:
            t = nace_benchmark_summary(nace_level)
            console.print(
                f"US CBP 2021 converted to NACE {plural}: total employment "
                f"{t['cbp_employment']:,.0f}; {t['cbp_split_employment']:,.0f} "
                f"({t['cbp_split_employment'] / t['cbp_employment']:.2%}) in "
                f"{t['cbp_split_codes']} codes split over several clusters, of which "
                f"{t['cbp_off_main_employment']:,.0f} "
                f"({t['cbp_off_main_employment'] / t['cbp_employment']:.2%}) goes to "
                "clusters other than each code's largest; "
                f"{t['cbp_unmapped_employment']:,.0f} "
                f"({t['cbp_unmapped_employment'] / t['cbp_employment']:.2%}) in "
                f"{t['cbp_unmapped_codes']} codes in no cluster (see docs/taxonomy.md).",
                highlight=False)
        if source is not None or (demo and nace_level is None):
            stats, _issues, label = load_input(source, demo, Fmt.auto, None, None, None)
            console.print(f"{label}: {allocation_summary(stats, defs, system=system)}",
                          highlight=False)
            rep = allocation_report(stats, defs, system=system).head(10)
            t = Table(title="Largest split or unmapped codes", show_edge=False)
            for col in ("industry", "status", "employment", "allocation"):
                t.add_column(col)
            for r in rep.iter_rows(named=True):
                t.add_row(r["industry"], r["status"], f"{r['employment'] or 0:,.0f}",
                          r["allocation"] or "—")
            console.print(t)
            other = other_level_report(stats, defs, system=system)
            if other.height:
                console.print(
                    f"left out (not at the definitions' level): {other.height} codes, "
                    f"{other['employment'].sum() or 0:,.0f} employed: "
                    + ", ".join(other["industry"].head(12).to_list())
                    + (" …" if other.height > 12 else ""), highlight=False)


@app.command()
def concentration(
    source: StatsArg = None,
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("concentration.csv"),
    demo: DemoOpt = False,
    fmt: FmtOpt = Fmt.auto,
    mapping: MapOpt = None,
    data_year: YearOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    specialisation: Annotated[Path | None, typer.Option(
        help="Also write Krugman specialisation per region to this file.")] = None,
    top: Annotated[int, typer.Option(help="Show this many most concentrated industries.")]
    = 10,
) -> None:
    """Industry concentration: locational Gini, Hoover, Ellison–Glaeser, Maurel–Sédillot."""
    from rich.table import Table

    from klaster.indicators import concentration as conc
    from klaster.indicators import krugman_specialisation, prepare_panel
    from klaster.reports import write_table

    with errors(), steps() as progress:
        bar = StepBar(progress, 4)
        bar("Loading statistics")
        stats, _issues, _label = load_input(source, demo, fmt, mapping, data_year, sheet,
                                            encoding)
        bar("Computing concentration indices")
        panel = prepare_panel(stats)
        table = conc(panel)
        bar("Writing")
        write_table(table, output)
        if specialisation is not None:
            write_table(krugman_specialisation(panel), specialisation)
        bar.done()
    t = Table(title="Most concentrated industries (Ellison–Glaeser γ)", show_edge=False)
    for col in ("industry", "year", "employment", "gini", "eg_gamma", "ms_gamma"):
        t.add_column(col, justify="right")
    for r in table.drop_nulls("eg_gamma").sort("eg_gamma", descending=True).head(top) \
            .iter_rows(named=True):
        t.add_row(r["industry"], str(r["year"]), f"{r['employment']:,.0f}",
                  f"{r['gini']:.3f}", f"{r['eg_gamma']:.3f}", f"{r['ms_gamma']:.3f}")
    console.print(t)
    console.print(f"Wrote [bold]{output}[/] ({table.height:,} rows; Herfindahl: "
                  f"{table['herfindahl_method'].drop_nulls().unique().to_list()}).",
                  highlight=False)


def _download_bar():
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TransferSpeedColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                    TransferSpeedColumn(), console=err.console, disable=not err.is_terminal)


@fetch_app.command("cbp")
def fetch_cbp_cmd(
    year: Annotated[int, typer.Option(help="Data year, e.g. 2021.")],
    geography: Annotated[str, typer.Option(help="state or county.")] = "state",
    state: Annotated[str | None, typer.Option(help="2-digit state FIPS (county only).")]
    = None,
    cache_dir: Annotated[Path | None, typer.Option(help="Cache folder.")] = None,
    refresh: Annotated[bool, typer.Option(help="Download again even if cached.")] = False,
) -> None:
    """Download County Business Patterns from the Census API (set CENSUS_API_KEY)."""
    from klaster.data.fetch import fetch_cbp

    with errors(), _download_bar() as bar:
        task = bar.add_task(f"CBP {year} {geography}", total=None)
        path = fetch_cbp(year, geography, state=state, cache_dir=cache_dir, refresh=refresh,
                         progress=lambda done, total: bar.update(task, completed=done,
                                                                 total=total))
    typer.echo(str(path))


@fetch_app.command("eurostat")
def fetch_eurostat_cmd(
    dataset: Annotated[str, typer.Argument(help="Eurostat dataset code, e.g. sbs_r_nuts2021.")],
    cache_dir: Annotated[Path | None, typer.Option(help="Cache folder.")] = None,
    refresh: Annotated[bool, typer.Option(help="Download again even if cached.")] = False,
) -> None:
    """Download a whole Eurostat dataset as gzipped TSV (dissemination API)."""
    from klaster.data.fetch import fetch_eurostat

    with errors(), _download_bar() as bar:
        task = bar.add_task(f"Eurostat {dataset}", total=None)
        path = fetch_eurostat(dataset, cache_dir=cache_dir, refresh=refresh,
                              progress=lambda done, total: bar.update(task, completed=done,
                                                                      total=total))
    typer.echo(str(path))


@fetch_app.command("gisco")
def fetch_gisco_cmd(
    year: Annotated[int, typer.Option(help="NUTS version (2010, 2013, 2016, 2021, 2024).")]
    = 2021,
    scale: Annotated[str, typer.Option(help="Scale: 01M, 03M, 10M, 20M or 60M.")] = "20M",
    level: Annotated[int | None, typer.Option(
        help="NUTS level 0-3; omit the option's value with --all-levels.")] = 2,
    all_levels: Annotated[bool, typer.Option("--all-levels",
                                             help="One file with every level.")] = False,
    crs: Annotated[int, typer.Option(help="EPSG code: 4326, 3035 or 3857.")] = 4326,
    cache_dir: Annotated[Path | None, typer.Option(help="Cache folder.")] = None,
    refresh: Annotated[bool, typer.Option(help="Download again even if cached.")] = False,
) -> None:
    """Download NUTS boundaries from Eurostat GISCO (non-commercial licence; not shipped).

    Use the file with `klaster report --boundaries FILE --id-property NUTS_ID`."""
    from klaster.data.fetch import GISCO_NOTICE, fetch_gisco, gisco_file_name

    with errors(), _download_bar() as bar:
        lvl = None if all_levels else level
        task = bar.add_task(f"GISCO {gisco_file_name(year, scale, lvl, crs)}", total=None)
        path = fetch_gisco(year, scale=scale, level=lvl, crs=crs, cache_dir=cache_dir,
                           refresh=refresh,
                           progress=lambda done, total: bar.update(task, completed=done,
                                                                   total=total))
    err.print(f"[dim]{GISCO_NOTICE}[/]", highlight=False)
    typer.echo(str(path))


@app.command()
def serve(
    demo: Annotated[bool, typer.Option("--demo", help="Also load the demo content.")] = False,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the registry platform: migrate the database, (--demo) load demo content, serve."""
    from klaster.web.cli import serve as run_server

    with errors():
        run_server(host=host, port=port, demo=demo)


@app.command()
def version() -> None:
    """Print the klaster version."""
    # Plain echo: Rich's console (0.1 s to import) adds nothing to one line (issue 14).
    typer.echo(f"klaster {__version__} (Python {sys.version.split()[0]})")


# Relatedness, complexity and data-derived cluster definitions (klaster.relatedness).
from klaster.relatedness.cli import register as _register_relatedness  # noqa: E402

_register_relatedness(app)

from klaster.spatial.cli import delineate, kd

app.command()(kd), app.command()(delineate)

from klaster.assessment.cli import register as _register_assessment  # noqa: E402

_register_assessment(app)

from klaster.networks.cli import register as _register_networks  # noqa: E402

_register_networks(app)


if __name__ == "__main__":  # pragma: no cover
    app()
