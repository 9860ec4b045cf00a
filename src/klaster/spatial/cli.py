"""``klaster kd`` and ``klaster delineate``: thin shells over klaster.spatial.

Registered on the main app in klaster.cli. Each parses options, calls library functions
and prints a short summary; no formula lives here.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from klaster.cli_common import console, err, errors, parse_mapping, rich_table
from klaster.errors import KlasterError

__all__ = ["delineate", "kd"]


class Mode(str, Enum):
    auto = "auto"
    exact = "exact"
    sample = "sample"


class LocalBand(str, Enum):
    do2005 = "do2005"
    dbmss = "dbmss"


class Method(str, Enum):
    dbscan = "dbscan"
    hdbscan = "hdbscan"


PointsArg = Annotated[Path, typer.Argument(
    help="Firm points (CSV or Parquet): industry, lon/lat or x/y, optional id, weight "
    "(employees) and region.", show_default=False)]
MapOpt = Annotated[list[str] | None, typer.Option(
    "--map", "-m", help="Column mapping canonical=source, e.g. --map id=osm_id "
    "--map industry=value. Repeatable.")]
CrsOpt = Annotated[str, typer.Option(
    help="Coordinate reference system (EPSG code, WKT or PROJ string). Geographic "
    "(EPSG:4326, EPSG:4258 ETRS89, ...): columns lon/lat, distances in km; projected "
    "(EPSG:2180, ...): columns x/y, distances in its unit.")]


def kd(
    points: PointsArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Results folder.")]
    = Path("kd-results"),
    mapping: MapOpt = None,
    crs: CrsOpt = "EPSG:4326",
    industry: Annotated[list[str] | None, typer.Option(
        "--industry", "-i", help="Only these industries (repeatable); default all.")] = None,
    other: Annotated[str | None, typer.Option(
        "--with", help="Co-localisation of --industry with this industry (Kd and M).")]
    = None,
    sims: Annotated[int, typer.Option("--sims", help="Monte Carlo simulations.")] = 99,
    seed: int = 0,
    max_distance: Annotated[float | None, typer.Option(
        help="End of the distance grid; default the median distance between sites.")]
    = None,
    bandwidth: Annotated[float | None, typer.Option(
        help="Fixed kernel bandwidth; default Silverman's rule.")] = None,
    weighted: Annotated[bool, typer.Option(
        "--weighted", help="Employment-weighted Kd (K^emp of Duranton & Overman 2005, weights w_i*w_j).")] = False,
    mode: Annotated[Mode, typer.Option(
        help="exact: every pair; sample: random pairs; auto: exact up to 5e7 pairs.")]
    = Mode.auto,
    min_firms: Annotated[int, typer.Option(
        help="Industries with fewer firms are listed but not tested (at least 2: Kd "
        "needs a pair).")] = 10,
    m: Annotated[bool, typer.Option("--m", help="Also M (Marcon & Puech 2010, weighted) "
                                    "for the --industry codes.")] = False,
    mfun: Annotated[bool, typer.Option("--mfun", help="Also m, the density version of M "
                                       "(Lang, Marcon & Puech 2015), for the --industry "
                                       "codes.")] = False,
    local_band: Annotated[LocalBand, typer.Option(
        help="Local band the report draws: do2005 (5-95 %, Duranton & Overman 2005) or "
        "dbmss (2.5-97.5 %). Both are in kd.parquet.")] = LocalBand.do2005,
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler address (tcp://host:8786); default a local cluster; "
        "'inline' runs without Dask.")] = None,
    workers: Annotated[int, typer.Option(help="Workers of the local cluster.")] = 2,
    report: Annotated[Path | None, typer.Option(
        help="Also write an HTML report with the Kd charts.")] = None,
    top: Annotated[int, typer.Option(help="Show this many most localised industries.")]
    = 10,
) -> None:
    """Duranton–Overman Kd with Monte Carlo bands for every industry (resumable)."""
    import polars as pl

    from klaster.errors import DataError, IssueLog
    from klaster.reports import write_table
    from klaster.spatial.analysis import kd_industry, m_industry
    from klaster.spatial.kd import KdOptions
    from klaster.spatial.points import crs_unit, load_points
    from klaster.spatial.runner import run_register

    def m_frames(codes: list[str], with_code: str | None) -> dict[str, pl.DataFrame]:
        # M and/or m per code; an industry where it is undefined is named, not written
        out: dict[str, list[pl.DataFrame]] = {}
        for fn, on in (("M", m), ("m", mfun)):
            if not on:
                continue
            for c in codes:
                try:
                    out.setdefault(fn, []).append(m_industry(
                        pts, c, other=with_code, n_sim=sims, seed=seed,
                        max_distance=max_distance, function=fn))
                except DataError as exc:
                    err.print(f"[yellow]Warning:[/] {fn} not computed for {c!r}: "
                              f"{exc.message}", highlight=False)
        return {fn: pl.concat(f) for fn, f in out.items() if f}

    written: list[str] = []
    with errors():
        log = IssueLog()
        pts = load_points(points, mapping=parse_mapping(mapping), crs=crs, issues=log)
        for issue in log:
            err.print(f"[yellow]Note:[/] {issue.message}", highlight=False)
        opts = KdOptions(max_distance=max_distance, bandwidth=bandwidth, weighted=weighted,
                         mode=mode.value)
        unit = "km" if "lon" in pts.columns else crs_unit(crs)
        names = {"M": "m", "m": "mfun"}
        if other is not None:
            if not industry or len(industry) != 1:
                raise KlasterError("--with needs exactly one --industry")
            output.mkdir(parents=True, exist_ok=True)
            curve, summary = kd_industry(pts, industry[0], other=other, options=opts,
                                         n_sim=sims, seed=seed)
            write_table(curve, output / "colocalisation_kd.parquet")
            write_table(summary, output / "colocalisation_summary.parquet")
            written += ["colocalisation_kd.parquet", "colocalisation_summary.parquet"]
            for fn, frame in m_frames(industry, other).items():
                write_table(frame, output / f"colocalisation_{names[fn]}.parquet")
                written.append(f"colocalisation_{names[fn]}.parquet")
            console.print(f"Co-localisation {industry[0]} × {other}: Γ = "
                          f"{summary['gamma'][0]:.4g}, localised at "
                          f"{summary['localised_at'][0] or 'no distance'} ({unit}).",
                          highlight=False)
            console.print("Wrote " + ", ".join(f"{output}/{f}" for f in written) + ".",
                          highlight=False)
            return
        if (m or mfun) and not industry:
            raise KlasterError("--m and --mfun need --industry (M costs n x N per "
                               "simulation)")
        summary = run_register(pts, output, options=opts, n_sim=sims, seed=seed,
                               industries=industry, scheduler=scheduler, n_workers=workers,
                               min_firms=min_firms, console=err.console)
        written.append("summary.parquet")
        if (output / "kd.parquet").exists():
            written.append("kd.parquet")
        for fn, frame in m_frames(industry or [], None).items():
            write_table(frame, output / f"{names[fn]}.parquet")
            written.append(f"{names[fn]}.parquet")
        if report is not None:
            from klaster.reports.spatial import write_spatial_report

            if "kd.parquet" not in written:
                raise KlasterError("no industry had enough firms for a Kd curve; no report")
            curves = pl.read_parquet(output / "kd.parquet")
            write_spatial_report(report, curves, summary, unit=unit,
                                 local_band=local_band.value, notes=[
                f"Points: {points}; {pts.height:,} firms; {sims} simulations; seed {seed}."])
    tested = summary.filter(pl.col("gamma").is_not_null())
    t = rich_table(title="Most localised industries (Duranton–Overman Γ)", show_edge=False)
    for col in ("industry", "firms", "gamma", "psi", f"localised at ({unit})"):
        t.add_column(col, justify="right")
    for r in tested.sort("gamma", descending=True).head(top).iter_rows(named=True):
        t.add_row(r["industry"], f"{r['firms']:,}", f"{r['gamma']:.4g}", f"{r['psi']:.4g}",
                  (r["localised_at"] or "")[:40])
    console.print(t)
    threshold = max(2, min_firms)  # Kd needs a pair: the runner never tests fewer than 2
    skipped = summary.height - tested.height
    console.print(
        f"{summary.height:,} industries: {tested.height:,} tested, "
        f"{int(tested['localised'].sum()):,} localised, {int(tested['dispersed'].sum()):,} "
        f"dispersed, {skipped:,} not tested (fewer than {threshold} firms). Wrote "
        + ", ".join(f"{output}/{f}" for f in written) + (f", {report}" if report else "")
        + ".", highlight=False)


def delineate(
    points: PointsArg,
    industry: Annotated[str, typer.Option("--industry", "-i", help="Industry code.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="GeoJSON of the hulls.")]
    = Path("clusters.geojson"),
    mapping: MapOpt = None,
    crs: CrsOpt = "EPSG:4326",
    method: Annotated[Method, typer.Option(help="dbscan (weighted) or hdbscan.")]
    = Method.dbscan,
    eps: Annotated[float | None, typer.Option(
        help="DBSCAN radius: km for lon/lat, CRS unit for x/y.")] = None,
    min_weight: Annotated[float, typer.Option(
        help="DBSCAN: employees (or firms with --unweighted) within eps of a core firm.")]
    = 10.0,
    min_cluster_size: Annotated[int, typer.Option(help="HDBSCAN: smallest cluster.")] = 5,
    min_samples: Annotated[int, typer.Option(help="HDBSCAN: core-distance neighbours.")]
    = 5,
    unweighted: Annotated[bool, typer.Option("--unweighted",
                                             help="DBSCAN counts firms, not employees.")]
    = False,
    table: Annotated[Path | None, typer.Option(
        help="Also write the cluster table (.csv/.parquet/.xlsx).")] = None,
    firms: Annotated[Path | None, typer.Option(
        help="Also write each firm's cluster (.csv/.parquet/.xlsx).")] = None,
) -> None:
    """Delineate an industry's clusters (DBSCAN/HDBSCAN) with hulls and regions."""
    from klaster.reports import write_table
    from klaster.spatial.delineate import clusters_geojson, write_geojson
    from klaster.spatial.delineate import delineate as run
    from klaster.spatial.points import is_geographic, load_points

    with errors():
        pts = load_points(points, mapping=parse_mapping(mapping), crs=crs)
        clusters, members = run(pts, industry, method=method.value, eps=eps,
                                min_weight=min_weight, min_samples=min_samples,
                                min_cluster_size=min_cluster_size, weighted=not unweighted)
        geographic = is_geographic(pts)
        write_geojson(clusters_geojson(clusters, industry=industry, geographic=geographic,
                                       crs=crs), output)
        if table is not None:
            out = clusters.with_columns(clusters["regions"].list.join(";")) \
                if "regions" in clusters.columns and table.suffix != ".parquet" else clusters
            write_table(out, table)
        if firms is not None:
            write_table(members, firms)
    unit = "km²" if geographic else "CRS unit²"
    t = rich_table(title=f"Clusters of {industry} ({method.value})", show_edge=False)
    for col in ("cluster", "firms", "employment", f"area ({unit})", "regions"):
        t.add_column(col, justify="right")
    for r in clusters.head(15).iter_rows(named=True):
        t.add_row(str(r["cluster"]), f"{r['firms']:,}", f"{r['employment']:,.0f}",
                  f"{r['area']:.4g}", ", ".join(r.get("regions") or []) or "—")
    console.print(t)
    noise = int(members["cluster"].is_null().sum())
    console.print(f"{clusters.height} clusters; {members.height - noise:,} of "
                  f"{members.height:,} firms clustered, {noise:,} noise. Wrote {output}.",
                  highlight=False)
