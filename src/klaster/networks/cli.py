"""Command-line commands of klaster.networks and klaster.matchmaking (registered on the
main ``klaster`` app by :func:`register`). Thin shell: parse options, call the library,
print a summary, write the tables."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from klaster.cli_common import console, errors, report_issues, rich_table
from klaster.errors import DataError

if TYPE_CHECKING:
    import polars as pl

RegistryArg = Annotated[Path, typer.Argument(
    help="Registry export directory: one file per table (organisations.parquet or .csv, "
    "memberships…, named like klaster.registry_tables.REGISTRY_SCHEMAS).",
    show_default=False)]


def _flat(df: pl.DataFrame, path: Path) -> pl.DataFrame:
    """CSV and Excel have no list type: join list columns with '|' for them."""
    import polars as pl

    if path.suffix.lower() == ".parquet":
        return df
    return df.with_columns(pl.col(c).cast(pl.List(pl.Utf8)).list.join("|")
                           for c, t in df.schema.items() if isinstance(t, pl.List))


def _read_any(path: Path, **csv_options) -> pl.DataFrame:
    import polars as pl

    if not path.exists():
        raise DataError("file not found", file=path)
    if path.suffix.lower() == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, **csv_options)


def network_metrics_cmd(
    registry: RegistryArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Cluster metrics table "
                                         "(.csv, .parquet or .xlsx).")] = Path(
        "network-metrics.csv"),
    year: Annotated[list[int] | None, typer.Option(
        "--year", "-y", help="Year (repeatable); default: every year of the registry.")]
    = None,
    centrality: Annotated[Path | None, typer.Option(
        "--centrality", help="Also write organisation centrality (for --cluster and the "
        "last --year) to this file.")] = None,
    cluster: Annotated[int | None, typer.Option(
        "--cluster", help="Cluster id for --centrality (default: whole registry).")] = None,
    ties: Annotated[Path | None, typer.Option(
        "--ties", help="Also write the organisation ties of every year to this file.")]
    = None,
) -> None:
    """Collaboration-network metrics per cluster and year (density, components,
    centralities, bridging organisations, triple-helix tie mix)."""
    import polars as pl

    from klaster.networks import (
        cluster_metrics,
        organisation_centrality,
        organisation_ties,
        read_registry,
        registry_years,
    )
    from klaster.reports import write_table

    with errors():
        tables = read_registry(registry)
        years = year or registry_years(tables)
        metrics = cluster_metrics(tables, years=years)
        write_table(_flat(metrics, output), output)
        if ties is not None:
            all_ties = pl.concat([organisation_ties(tables, year=y) for y in years])
            write_table(all_ties, ties)
        if centrality is not None:
            cent = organisation_centrality(tables, cluster_id=cluster,
                                           year=years[-1] if years else None)
            write_table(cent, centrality)
    last = metrics.filter(pl.col("year") == (max(years) if years else None))
    t = rich_table(title=f"Cluster networks in {max(years) if years else '-'}")
    for col in ("cluster", "members", "ties", "density", "components", "isolated",
                "bridging organisations"):
        t.add_column(col)
    cluster_names = dict(tables.clusters.select("id", "name").iter_rows())
    org_names = dict(tables.organisations.select("id", "name").iter_rows())
    for r in last.sort("members", descending=True).head(15).iter_rows(named=True):
        dens = "-" if r["density"] is None else f"{r['density']:.3f}"
        iso = "-" if r["isolates_share"] is None else f"{r['isolates_share']:.0%}"
        t.add_row(f"{cluster_names.get(r['cluster_id']) or ''} ({r['cluster_id']})",
                  str(r["members"]), str(r["ties"]), dens, str(r["components"]), iso,
                  ", ".join(f"{org_names.get(o) or o}" for o in r["bridging_organisations"]))
    console.print(t)
    console.print(f"Wrote {metrics.height} cluster-year rows to [bold]{output}[/]"
                  + (f", centrality to [bold]{centrality}[/]" if centrality else "")
                  + (f", ties to [bold]{ties}[/]" if ties else "") + ".", highlight=False)


def match_cmd(
    registry: RegistryArg,
    request: Annotated[int, typer.Option("--request", "-r", help="Partner request id.")],
    k: Annotated[int, typer.Option("--top", "-k", help="Suggestions shown.")] = 10,
    proximity: Annotated[Path | None, typer.Option(
        "--proximity", help="Industry proximity table (industry_a, industry_b, proximity "
        "or klaster relatedness' proximity.parquet).")] = None,
    profiles: Annotated[Path | None, typer.Option(
        "--profiles", help="Organisation profiles: organisation_id, profile (free text).")]
    = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also write the "
                                                "suggestions (.csv, .parquet, .xlsx).")]
    = None,
) -> None:
    """Suggested partners for a partner request, with score breakdown and reasons."""
    import polars as pl

    from klaster.matchmaking import suggest
    from klaster.networks import read_registry
    from klaster.reports import write_table

    with errors():
        tables = read_registry(registry)
        prox = None if proximity is None else _read_any(
            proximity, schema_overrides={"industry_a": pl.Utf8, "industry_b": pl.Utf8,
                                         "activity_1": pl.Utf8, "activity_2": pl.Utf8})
        prof = None if profiles is None else _read_any(profiles)
        s = suggest(tables, request, proximity=prox, k=k, profiles=prof)
        if output is not None:
            write_table(_flat(s, output), output)
    t = rich_table(title=f"Suggestions for partner request {request}", show_lines=True)
    for col in ("#", "candidate", "score", "rel.", "helix", "region", "text", "reasons"):
        t.add_column(col)
    for r in s.iter_rows(named=True):
        who = (f"{r['name']}" if r["candidate_kind"] == "organisation"
               else f"request {r['candidate_id']} of {r['name']}")
        t.add_row(str(r["rank"]), who, f"{r['score']:.2f}", f"{r['relatedness']:.2f}",
                  f"{r['helix']:.2f}", f"{r['region']:.2f}", f"{r['text']:.2f}",
                  "; ".join(r["reasons"]))
    console.print(t)
    if output is not None:
        console.print(f"Wrote {s.height} suggestions to [bold]{output}[/].", highlight=False)


def _slot_labels(start: str, count: int, minutes: int) -> list[str]:
    try:
        t0 = datetime.strptime(start, "%H:%M")
    except ValueError:
        raise typer.BadParameter(f"{start!r} is not HH:MM", param_hint="--start") from None
    return [(t0 + timedelta(minutes=i * minutes)).strftime("%H:%M") for i in range(count)]


def _participants(path: Path) -> pl.DataFrame:
    import polars as pl

    df = _read_any(path, schema_overrides={"available": pl.Utf8, "name": pl.Utf8})
    if "participant_id" not in df.columns:
        raise DataError("participants file has no column 'participant_id'", file=path,
                        field="participant_id")
    if "available" in df.columns and df.schema["available"] == pl.Utf8:
        # "0|1|2" lists slot indices; empty = available all day.
        bad = df["available"].str.contains(r"[^0-9|\s]").fill_null(False)
        if bad.any():
            line = int(bad.arg_max()) + 2
            raise DataError("available must list slot numbers separated by '|'", file=path,
                            line=line, field="available")
        df = df.with_columns(pl.col("available").str.split("|").list.eval(
            pl.element().str.strip_chars().filter(pl.element() != "").cast(pl.Int64)))
    return df.with_columns(pl.col("participant_id").cast(pl.Int64))


def schedule_cmd(
    participants: Annotated[Path | None, typer.Argument(
        help="Participants CSV/Parquet: participant_id[, name][, available = slot "
        "numbers like 0|1|5, empty = all day]. Omit with --demo.", show_default=False)]
    = None,
    requests: Annotated[Path | None, typer.Option(
        "--requests", help="Requested meetings CSV/Parquet: a, b[, priority].")] = None,
    slots: Annotated[int, typer.Option("--slots", help="Number of time slots.")] = 21,
    start: Annotated[str, typer.Option("--start", help="Time of the first slot.")] = "09:00",
    slot_minutes: Annotated[int, typer.Option("--slot-minutes")] = 20,
    tables: Annotated[int | None, typer.Option("--tables", help="Meeting tables per slot "
                                               "(default: no limit).")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Meetings table.")] = Path(
        "meetings.csv"),
    agendas: Annotated[Path | None, typer.Option(
        "--agendas", help="Folder for one printable agenda per participant (text).")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Schedule a generated event of 200 "
                                       "participants instead of files.")] = False,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Solver seconds.")] = 60.0,
) -> None:
    """Bilateral meeting schedule of a matchmaking event (no double booking, availability
    respected, most priority placed) and per-participant agendas."""
    from klaster.fileio import atomic_output
    from klaster.matchmaking import agenda, generate_event, schedule_meetings
    from klaster.reports import write_table

    with errors():
        if demo:
            ev = generate_event(200)
            people, wanted, labels = ev.participants, ev.requests, ev.slots
            tables = tables if tables is not None else ev.tables
        else:
            if participants is None or requests is None:
                raise typer.BadParameter("give the participants file and --requests, "
                                         "or --demo")
            people = _participants(participants)
            wanted = _read_any(requests)
            labels = _slot_labels(start, slots, slot_minutes)
        res = schedule_meetings(people, wanted, labels, slot_minutes=slot_minutes,
                                tables=tables, time_limit=time_limit)
        write_table(res.meetings, output)
        if not res.unplaced.is_empty():
            write_table(res.unplaced, output.with_name(output.stem + "-unplaced"
                                                       + output.suffix))
        if agendas is not None:
            agendas.mkdir(parents=True, exist_ok=True)
            for pid in people["participant_id"].to_list():
                lines = [f"Agenda of participant {pid}", ""]
                for m in agenda(res, pid):
                    lines.append(f"{m['time']}  table {m['table']:>4}  {m['partner']} "
                                 f"({m['minutes']} min)")
                if len(lines) == 2:
                    lines.append("No meetings scheduled.")
                with atomic_output(agendas / f"agenda-{pid}.txt") as tmp:
                    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    console.print(f"{res.meetings.height} of {res.meetings.height + res.unplaced.height} "
                  f"requested meetings placed ({res.placed_share:.1%}; solver: {res.status}, "
                  f"{res.solve_seconds:.1f} s). Wrote [bold]{output}[/]"
                  + (f" and agendas in [bold]{agendas}[/]" if agendas else "") + ".",
                  highlight=False)
    if not res.unplaced.is_empty():
        for reason, n in res.unplaced["reason"].value_counts(sort=True).iter_rows():
            console.print(f"  unplaced: {n} — {reason}", highlight=False)
    report_issues(res.issues, None)


def register(app: typer.Typer) -> None:
    """Add the network and matchmaking commands to the main ``klaster`` app."""
    app.command("network-metrics")(network_metrics_cmd)
    app.command("match")(match_cmd)
    app.command("schedule")(schedule_cmd)


__all__ = ["register"]
