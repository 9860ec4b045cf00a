"""Command-line commands of klaster.relatedness (registered on the main ``klaster`` app
by :func:`register`). Thin shell: parse options, call the library, print a summary."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from klaster.cli_common import (
    DefsOpt,
    DemoOpt,
    Fmt,
    FmtOpt,
    IssuesOpt,
    Lang,
    LangOpt,
    MapOpt,
    SheetOpt,
    StatsArg,
    VintageOpt,
    YearOpt,
    console,
    definitions_from_spec,
    errors,
    load_input,
    report_issues,
    rich_table,
)

if TYPE_CHECKING:
    import polars as pl


class Method(str, Enum):
    hidalgo = "hidalgo"
    prob = "prob"
    correlation = "correlation"


class TableFmt(str, Enum):
    parquet = "parquet"
    csv = "csv"
    xlsx = "xlsx"


ValueOpt = Annotated[str, typer.Option(
    "--value", help="Count behind RCA: employment, establishments or payroll.")]
ThresholdOpt = Annotated[float, typer.Option(
    "--threshold", help="Presence when RCA >= this (Hidalgo et al. 2007 use 1).")]
RegionsOpt = Annotated[str | None, typer.Option(
    "--regions", help="Study only these regions (comma-separated codes); RCA still "
    "uses all regions of the file (or --reference) as the national benchmark.")]
ReferenceOpt = Annotated[Path | None, typer.Option(
    "--reference", help="Statistics file of the whole country (any supported layout), "
    "summed per industry as the RCA benchmark, e.g. the state file for county data.")]
MethodOpt = Annotated[Method, typer.Option(
    "--method", help="Proximity: hidalgo (min of conditional probabilities), prob "
    "(EconGeo probability index) or correlation (of RCA across regions).")]
DataYearOpt = Annotated[int | None, typer.Option(
    "--year", help="Year to analyse (required when the file has several).")]


def _reference(path: Path | None, value: str) -> pl.DataFrame | None:
    import polars as pl

    if path is None:
        return None
    ref, _issues, _label = load_input(path, False, Fmt.auto, None, None, None)
    return (ref.group_by(pl.col("industry").cast(pl.Utf8))
            .agg(pl.col(value).sum()))


def _regions(text: str | None) -> list[str] | None:
    return None if not text else [r.strip() for r in text.split(",") if r.strip()]


def _run(source, demo, fmt, mapping, data_year, sheet, year, value, threshold, regions,
         reference, method):
    from klaster.relatedness import relatedness

    stats, issues, label = load_input(source, demo, fmt, mapping, data_year, sheet)
    res = relatedness(stats, year=year, value=value, threshold=threshold,
                      regions=_regions(regions), reference=_reference(reference, value),
                      method=method.value, issues=issues)
    return res, issues, label, stats


def relatedness_cmd(
    source: StatsArg = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the tables "
                                         "(created if missing).")] = Path("relatedness"),
    table_format: Annotated[TableFmt, typer.Option("--table-format")] = TableFmt.parquet,
    demo: DemoOpt = False,
    fmt: FmtOpt = Fmt.auto,
    mapping: MapOpt = None,
    data_year: YearOpt = None,
    sheet: SheetOpt = None,
    year: DataYearOpt = None,
    value: ValueOpt = "employment",
    threshold: ThresholdOpt = 1.0,
    regions: RegionsOpt = None,
    reference: ReferenceOpt = None,
    method: MethodOpt = Method.hidalgo,
    top: Annotated[int, typer.Option("--top", help="Opportunities kept per region.")] = 10,
    issues_out: IssuesOpt = None,
) -> None:
    """RCA, proximity, density, ECI/PCI, COI/COG and opportunities: write the tables."""
    from klaster.relatedness import opportunities
    from klaster.reports import write_table

    with errors():
        res, issues, _label, _stats = _run(source, demo, fmt, mapping, data_year, sheet, year,
                                   value, threshold, regions, reference, method)
        opp, sup = opportunities(res, top=top)
        output.mkdir(parents=True, exist_ok=True)
        ext = table_format.value
        tables = {"cells": res.cell_table(), "regions": res.region_table(),
                  "activities": res.activity_table(), "proximity": res.proximity_table(),
                  "opportunities": opp, "support": sup}
        for name, df in tables.items():
            write_table(df, output / f"{name}.{ext}")
    mx = res.matrix
    e1, e2 = res.complexity.eigenvalues
    console.print(
        f"{len(mx.regions)} regions × {len(mx.activities)} activities ({mx.year}, "
        f"{value}, RCA >= {threshold:g}); proximity: {method.value}; "
        f"{int(mx.presence.sum()):,} specialisations; eigenvalues of M~: {e1:.3f}, {e2:.3f}.",
        highlight=False)
    console.print(f"Wrote {', '.join(f'{n}.{ext}' for n in tables)} to "
                       f"[bold]{output}[/].", highlight=False)
    report_issues(issues, issues_out)


def opportunities_cmd(
    source: StatsArg = None,
    region: Annotated[list[str], typer.Option("--region", "-r", help="Region code "
                                              "(repeatable).")] = ...,  # type: ignore[assignment]
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also write the "
                                                "table (.parquet, .csv or .xlsx).")] = None,
    demo: DemoOpt = False,
    fmt: FmtOpt = Fmt.auto,
    mapping: MapOpt = None,
    data_year: YearOpt = None,
    sheet: SheetOpt = None,
    year: DataYearOpt = None,
    value: ValueOpt = "employment",
    threshold: ThresholdOpt = 1.0,
    reference: ReferenceOpt = None,
    method: MethodOpt = Method.hidalgo,
    top: Annotated[int, typer.Option("--top")] = 10,
    density_weight: Annotated[float, typer.Option(
        "--density-weight", help="Weight of relatedness density in the score (rest: "
        "complexity).")] = 0.5,
    supporting: Annotated[int, typer.Option("--supporting", help="Supporting activities "
                                            "listed per opportunity.")] = 3,
) -> None:
    """Top diversification opportunities of a region, with their supporting activities."""
    import polars as pl

    from klaster.relatedness import opportunities
    from klaster.reports import write_table

    with errors():
        res, issues, _label, _stats = _run(source, demo, fmt, mapping, data_year, sheet, year,
                                   value, threshold, None, reference, method)
        opp, _sup = opportunities(res, top=top, density_weight=density_weight,
                                  supporting=supporting, regions=region)
        if output is not None:
            write_table(opp, output)
    for r in region:
        t = rich_table(title=f"Opportunities for {r}", show_lines=False)
        for col in ("#", "activity", "density", "PCI", "score", "quadrant",
                    "supporting activities (proximity)"):
            t.add_column(col)
        for row in opp.filter(pl.col("region") == r).iter_rows(named=True):
            t.add_row(str(row["rank"]), row["activity"], f"{row['density']:.3f}",
                      f"{row['pci']:.2f}", f"{row['score']:.3f}", row["quadrant"],
                      row["supporting"])
        console.print(t)
    if output is not None:
        console.print(f"Wrote {opp.height} rows to [bold]{output}[/].", highlight=False)
    report_issues(issues, None)


def derive_definitions_cmd(
    source: StatsArg = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Definitions file (.csv, "
                                         ".parquet or .xlsx).")] = Path("definitions.csv"),
    n_clusters: Annotated[int, typer.Option("--clusters", "-k", help="Number of clusters "
                                            "(k-means k).")] = 50,
    demo: DemoOpt = False,
    fmt: FmtOpt = Fmt.auto,
    mapping: MapOpt = None,
    data_year: YearOpt = None,
    sheet: SheetOpt = None,
    year: DataYearOpt = None,
    io: Annotated[Path | None, typer.Option(
        "--io", help="Input-output links: CSV/Parquet with industry_1, industry_2, value.")
    ] = None,
    occupations: Annotated[Path | None, typer.Option(
        "--occupations", help="Occupation similarity: industry_1, industry_2, value.")] = None,
    local_gini: Annotated[float, typer.Option(
        "--local-gini", help="Clusters with a locational Gini below this are 'local' "
        "(0.15 fits US states; 0 = all traded).")] = 0.15,
    titles: Annotated[str, typer.Option(
        "--titles", help="Code system whose titles name the clusters: naics2017, nace2, "
        "pkd2007, oked, or none.")] = "naics2017",
    seed: Annotated[int, typer.Option("--seed")] = 0,
    issues_out: IssuesOpt = None,
) -> None:
    """Derive cluster definitions from co-location (Delgado, Porter & Stern 2016 spirit)."""
    import polars as pl

    from klaster.relatedness.definitions import derive_definitions
    from klaster.reports import write_table
    from klaster.taxonomy import hierarchy

    with errors():
        stats, issues, _label = load_input(source, demo, fmt, mapping, data_year, sheet)
        extra = {}
        for name, path in (("io", io), ("occupations", occupations)):
            if path is not None:
                extra[name] = (pl.read_parquet(path) if path.suffix.lower() == ".parquet"
                               else pl.read_csv(path, schema_overrides={
                                   "industry_1": pl.Utf8, "industry_2": pl.Utf8}))
        names = None if titles == "none" else hierarchy(titles).select("code", "title")
        d = derive_definitions(stats, n_clusters=n_clusters, year=year, extra=extra,
                               titles=names, local_gini=local_gini, seed=seed,
                               issues=issues)
        write_table(d.definitions, output)
    s = d.scores
    types = d.clusters["cluster_type"].value_counts()
    counts = ", ".join(f"{n} {t}" for t, n in sorted(types.iter_rows()))
    console.print(
        f"{len(d.industries)} industries in {s['n_clusters']} clusters ({counts}); "
        f"similarities: {', '.join(d.components)}.", highlight=False)
    console.print(
        f"Validation: {s['industry_score']:.0%} of industries and {s['cluster_score']:.0%} "
        f"of clusters are more related within than to any other cluster (k-means alone: "
        f"{s['industry_score_kmeans']:.0%} / {s['cluster_score_kmeans']:.0%}; "
        f"{s['reassigned']} outlier moves{'' if s['converged'] else ', not converged'}).",
        highlight=False)
    console.print(f"Wrote [bold]{output}[/].", highlight=False)
    report_issues(issues, issues_out)


def compare_definitions_cmd(
    first: Annotated[str, typer.Argument(help="Definitions file or 'us-benchmark'.")],
    second: Annotated[str, typer.Argument(help="Definitions file or 'us-benchmark'.")],
    vintage: VintageOpt = 2017,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the "
                                                "disagreements table here.")] = None,
    show: Annotated[int, typer.Option("--show", help="Crosswalk rows to print.")] = 10,
) -> None:
    """Compare two cluster definitions: adjusted Rand index and where they disagree."""
    from klaster.relatedness.compare import compare_definitions
    from klaster.reports import write_table

    with errors():
        a = definitions_from_spec(first, vintage)
        b = definitions_from_spec(second, vintage)
        c = compare_definitions(a, b)
        if output is not None:
            write_table(c.disagreements, output)
    console.print(
        f"{c.n_common} industries in both ({c.only_a} only in the first, {c.only_b} only "
        f"in the second); adjusted Rand index {c.ari:.3f}; {c.disagreements.height} "
        "industries sit outside the best-matching cluster.", highlight=False)
    t = rich_table(title="Best match of the first definition's largest clusters")
    for col in ("cluster", "matched", "industries", "in match"):
        t.add_column(col)
    for row in c.crosswalk.sort("industries", descending=True).head(show).iter_rows(named=True):
        t.add_row(row["cluster_a"], row["matched_b"], str(row["industries"]),
                  f"{row['share']:.0%}")
    console.print(t)
    if output is not None:
        console.print(f"Wrote the disagreements to [bold]{output}[/].", highlight=False)


def relatedness_report_cmd(
    source: StatsArg = None,
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("relatedness-report.html"),
    demo: DemoOpt = False,
    fmt: FmtOpt = Fmt.auto,
    mapping: MapOpt = None,
    data_year: YearOpt = None,
    sheet: SheetOpt = None,
    year: DataYearOpt = None,
    value: ValueOpt = "employment",
    threshold: ThresholdOpt = 1.0,
    reference: ReferenceOpt = None,
    method: MethodOpt = Method.hidalgo,
    definitions: DefsOpt = "us-benchmark",
    vintage: VintageOpt = 2017,
    top: Annotated[int, typer.Option("--top")] = 10,
    title: Annotated[str, typer.Option("--title")] = "Relatedness and complexity",
    language: LangOpt = Lang.en,
) -> None:
    """HTML report: S3 quadrant chart per region, opportunities, network of related clusters."""
    from klaster.i18n import N_, translator
    import polars as pl

    from klaster.relatedness import relatedness
    from klaster.reports.relatedness import write_relatedness_report

    with errors():
        res, issues, label, stats = _run(source, demo, fmt, mapping, data_year, sheet, year,
                                         value, threshold, None, reference, method)
        from klaster.taxonomy import apply_definitions
        # Traded clusters only: local clusters are present nearly everywhere, so their
        # co-location says little about relatedness (and crowds the network).
        defs = definitions_from_spec(definitions, vintage)
        clusters = apply_definitions(stats.filter(pl.col("year") == res.matrix.year), defs)
        clusters = clusters.filter(pl.col("cluster_type") == "traded")
        cl_stats = clusters.select("region", pl.col("cluster").alias("industry"), "year",
                                   "employment", "establishments", "payroll")
        cluster_res = relatedness(cl_stats, value=value, threshold=threshold,
                                  method=method.value)
        names = dict(defs.select("cluster", "cluster_name").unique("cluster").iter_rows())
        write_relatedness_report(res, output, cluster_result=cluster_res,
                                 cluster_names=names, top=top, title=title, source=label,
                                 network_caption=translator(language.value)(N_(
                                     "Traded clusters of the definitions '%(definitions)s', "
                                     "linked by co-location (proximity)."),
                                     definitions=definitions),
                                 language=language.value)
    console.print(f"Wrote [bold]{output}[/] ({output.stat().st_size / 1e6:.1f} MB).",
                       highlight=False)
    report_issues(issues, None)


def register(app: typer.Typer) -> None:
    """Add the relatedness commands to the main ``klaster`` app."""
    app.command("relatedness")(relatedness_cmd)
    app.command("opportunities")(opportunities_cmd)
    app.command("derive-definitions")(derive_definitions_cmd)
    app.command("compare-definitions")(compare_definitions_cmd)
    app.command("relatedness-report")(relatedness_report_cmd)


__all__ = ["register"]
