"""Command-line commands of klaster.assessment (registered on the main ``klaster`` app by
:func:`register`). Thin shell: read files, call the library, print a summary."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from klaster.cli_common import Lang, console, err, errors, rich_table


def rubrics_cmd() -> None:
    """List the built-in assessment rubrics."""
    from klaster.assessment import list_rubrics, load_rubric

    with errors():
        infos = list_rubrics()
        t = rich_table(title="Built-in assessment rubrics")
        t.add_column("key", no_wrap=True)
        for col in ("title", "edition", "gates", "criteria", "validity", "source date"):
            t.add_column(col)
        for info in infos:
            r = load_rubric(info.key)
            t.add_row(info.key, info.title, info.edition, str(len(r.gates)),
                      str(len(r.criteria())),
                      f"{r.valid_years} y" if r.valid_years else "—",
                      r.source_date.isoformat())
    console.print(t)


def rubric_check_cmd(
    file: Annotated[Path, typer.Argument(help="Rubric YAML file to validate.")],
) -> None:
    """Validate a rubric file; print a summary, or the error and exit with code 1."""
    from klaster.assessment import RubricError, load_rubric

    try:
        r = load_rubric(file)
    except RubricError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(code=1) from None
    except (FileNotFoundError, IsADirectoryError) as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(code=1) from None
    marked = sum(x.assumption for x in (*r.gates, *r.areas, *r.levels,
                                        *(c for _, c in r.criteria())))
    console.print(
        f"{file}: valid rubric {r.key} ({r.scheme}, edition {r.edition}): "
        f"{len(r.indicators)} indicators, {len(r.gates)} gates, {len(r.areas)} areas, "
        f"{len(r.criteria())} criteria, {len(r.levels)} levels; {marked} figures marked as "
        f"assumptions. Fingerprint {r.fingerprint[:16]}…", highlight=False)


def _read_values(path: Path) -> dict:
    import yaml

    from klaster.errors import DataError

    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read the values ({exc.__class__.__name__}: {exc})",
                        file=path) from None
    if not isinstance(data, dict):
        raise DataError("the values file must be a mapping indicator: value", file=path)
    return data


def _write_json(data: dict, path: Path) -> None:
    """Write to a temporary file beside ``path`` and rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=2)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def assess_cmd(
    rubric: Annotated[str, typer.Option("--rubric", "-r", help="Built-in rubric key (see "
                                        "'klaster rubrics') or a rubric YAML file.")],
    values: Annotated[Path, typer.Option("--values", help="Indicator values: YAML or JSON "
                                         "mapping indicator key -> value.")],
    phase: Annotated[str | None, typer.Option("--phase", help="Lifecycle phase for phase "
                                              "rules: embryonic, development or "
                                              "maturity.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the full "
                                                  "result as JSON.")] = None,
    language: Annotated[Lang, typer.Option(
        "--language", help="Language of the summary and the explanation: en, pl, be or "
        "ru. Rubric names (gates, areas, criteria, levels) are shown as the rubric writes "
        "them.")] = Lang.en,
) -> None:
    """Assess one cluster: gates, areas, total, level and the explanation of every point."""
    from klaster.assessment import assess, load_rubric
    from klaster.assessment_messages import STATUS
    from klaster.i18n import N_, translator
    from klaster.messages import render

    tr = translator(language.value)
    with errors():
        r = load_rubric(rubric)
        given = _read_values(values)
        res = assess(r, given, phase=phase)
        # The library ignores keys a rubric does not use (so a whole registry_indicators()
        # dict can be passed); in a hand-written file such a key is usually a typo.
        unused = sorted(set(given) - {i.key for i in r.indicators})
        if unused:
            err.print(f"[yellow]warning:[/] {values}: not indicators of {r.key}, ignored: "
                      f"{', '.join(unused)}", highlight=False)
        if json_out is not None:
            _write_json(res.to_dict(), json_out)
    con = console

    def show(v, digits: int | None = None) -> str:
        """A value as the explanation shows it (yes/no, —, 4 significant digits)."""
        if isinstance(v, bool) or v is None or digits is None:
            return render({"code": "assess.required.eq", "params": {"value": v}}, tr)
        return tr.num(v, digits)

    con.print(f"[bold]{r.title}[/] ({r.key}, {tr(N_('fingerprint'))} {r.fingerprint[:12]}…)"
              + (f", {tr(N_('phase'))} {tr(phase)}" if phase else ""), highlight=False)
    if res.gates:
        t = rich_table(title=tr(N_("Gates")))
        for col in (N_("gate"), N_("value"), N_("required"), N_("result"), N_("gap")):
            t.add_column(tr(col))
        for g in res.gates:
            t.add_row(g.label, show(g.value), f"{g.op} {show(g.required)}",
                      tr(STATUS.get(g.status, g.status)),
                      "" if g.gap in (None, 0) else show(g.gap))
        con.print(t)
    if res.areas and res.percent is not None:
        t = rich_table(title=tr(N_("Areas")))
        for col in (N_("area"), N_("points"), N_("max"), N_("score %"), N_("weight"),
                    N_("adds %")):
            t.add_column(tr(col))
        for a in res.areas:
            t.add_row(a.label, show(a.points), show(a.max_points),
                      "" if a.score is None else show(a.score, 1),
                      "" if a.weight is None else show(a.weight, 3),
                      "" if a.contribution is None else show(a.contribution, 2))
        con.print(t)
        con.print(render({"code": "assess.total", "params": {
            "total": res.total, "max": res.max_total, "percent": res.percent}}, tr),
            highlight=False, markup=False)
    verdict = tr(N_("Passed")) if res.passed else tr(N_("Not passed"))
    con.print((f"[bold green]{verdict}[/]" if res.passed else f"[bold red]{verdict}[/]")
              + (f" — {tr(N_('level'))}: {res.level}" if res.level else ""), highlight=False)
    con.print(tr(N_("Explanation:")), highlight=False)
    for line in res.explanation:
        con.print(f"  • {render(line, tr)}", highlight=False, markup=False)
    if json_out is not None:
        con.print(tr(N_("Wrote %(file)s."), file=str(json_out)), highlight=False,
                  markup=False)


def register(app: typer.Typer) -> None:
    """Add the assessment commands to the main ``klaster`` app."""
    app.command("rubrics")(rubrics_cmd)
    app.command("rubric-check")(rubric_check_cmd)
    app.command("assess")(assess_cmd)


__all__ = ["register"]
