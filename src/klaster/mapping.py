"""Cluster mapping: the whole chain from a statistics table to indicators, in one call.

This is the function the CLI (``klaster indicators``, ``klaster report``) and, later,
the web platform call, so that both shells stay thin and run exactly the same steps:

1. aggregate industry statistics to clusters through a definitions table
   (:func:`klaster.taxonomy.apply_definitions`), recording how much employment sits in
   codes split over several clusters or in no cluster (:func:`allocation_report`);
2. region x cluster x year indicators (:func:`klaster.indicators.indicators_from_clusters`);
3. change between two years when the table has more than one year
   (:func:`klaster.indicators.change`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from klaster._keys import coded_keys
from klaster.errors import DataError, IssueLog
from klaster.i18n import N_
from klaster.indicators import StarThresholds, change
from klaster.indicators.core import LqDenominator, as_text, coded_indicators
from klaster.messages import Message
from klaster.taxonomy import allocation_report, allocation_totals, apply_definitions
from klaster.taxonomy.definitions import code_level, other_level_frame, select_level

Step = Callable[[str], None]


@dataclass
class MappingResult:
    """What :func:`map_clusters` returns.

    indicators: INDICATOR_COLUMNS; change: CHANGE_COLUMNS or None (one year only);
    allocation: industry codes split over clusters or in no cluster
    (:func:`klaster.taxonomy.allocation_report`); allocation_totals: their employment
    totals; issues: written warnings; options: the options used, for the report.
    """

    indicators: pl.DataFrame
    change: pl.DataFrame | None
    allocation: pl.DataFrame
    allocation_totals: dict[str, Any]
    issues: IssueLog = field(default_factory=IssueLog)
    options: dict[str, Any] = field(default_factory=dict)
    # (code, parameters) of caveats with figures: klaster.messages codes ("level.*").
    caveat_codes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def caveats(self) -> list[Message]:
        """Caveats for a report (allocation of split and unmapped codes) as messages:
        render them with ``str(m)`` (English) or ``m.render(lang)`` (klaster.messages)."""
        t = self.allocation_totals
        out = []
        if t["n_split_codes"]:
            out.append(Message("allocation.split", {
                "jobs": t["split_employment"], "share": t["split_share"],
                "codes": t["n_split_codes"]}))
        if t["n_unmapped_codes"]:
            out.append(Message("allocation.unmapped", {
                "jobs": t["unmapped_employment"], "share": t["unmapped_share"],
                "codes": t["n_unmapped_codes"]}))
        out += [Message(code, params) for code, params in self.caveat_codes]
        return out

    def notes(self) -> list[Message]:
        """Caveats plus a count of the warnings written while loading and mapping."""
        out = self.caveats()
        counts = self.issues.counts()
        if counts:
            out.append(Message("loading.warnings", {"counts": counts}))
        return out


def map_clusters(
    stats: pl.DataFrame,
    definitions: pl.DataFrame,
    *,
    lq_denominator: LqDenominator = "total",
    reference: pl.DataFrame | None = None,
    stars: StarThresholds = StarThresholds(),
    start_year: int | None = None,
    end_year: int | None = None,
    step: Step | None = None,
    system: str | None = None,
) -> MappingResult:
    """Indicators (and change) for every region x cluster x year of ``stats``.

    stats: canonical statistics table (STATS_SCHEMA). definitions: DEFINITIONS_SCHEMA.
    lq_denominator, reference, stars: as :func:`klaster.indicators.indicators_from_clusters`.
    start_year / end_year: the years compared by the change table; by default the first
    and last year of ``stats`` (no change table when there is only one year).
    step: optional callback told the name of each step as it starts (for progress bars).
    system: code system of the statistics ("naics2017", "nace2", "pkd2007", "oked") or
    None; with a system, codes are normalised before matching (PKD "10.71.Z" -> "1071").
    Only codes at the definitions' level are used (klaster.taxonomy.select_level); the
    rest is named in ``issues`` ("other_level") and in a caveat.
    """
    say = step or (lambda _name: None)
    if stats.height == 0:
        raise DataError("the statistics table is empty", field="employment")
    issues = IssueLog()
    say("Aggregating industries to clusters")
    # Region and industry are coded once (one hashing pass each, klaster._keys): every
    # step below reads the codes instead of hashing the text again (issue 14).
    # The definitions' codes are a hint for the industry column: most rows hold one of
    # them, and a cast to an Enum over them is cheaper than coding the text from scratch.
    coded = coded_keys(stats, ("region", "industry"),
                       known=None if system else {"industry": definitions["industry"]})
    # One pass picks the codes at the definitions' level (and names the others); the
    # steps below work on that selection.
    selected = select_level(coded, definitions, system=system, issues=issues).collect()
    other = other_level_frame(
        coded, [i.industry for i in issues if i.kind == "other_level"])
    clusters = apply_definitions(selected, definitions, issues=issues, select=False,
                                 keys="enum")
    if clusters.height == 0:
        raise DataError(
            "no industry code of the statistics belongs to any cluster of the definitions: "
            "check that both use the same classification and code form (e.g. NAICS 2017, "
            "6 digits)", field="industry")
    allocation = allocation_report(selected, definitions, select=False)
    totals = allocation_totals(selected, definitions, select=False, report=allocation,
                               other=other)
    caveat_codes = _level_caveats(definitions, totals, system)

    say("Computing indicators")
    # Keys stay coded (Enums over sorted values) through the change table's join and
    # group-bys; both tables become text at the end (issue 14).
    indicators = coded_indicators(
        clusters, lq_denominator=lq_denominator, reference=reference, stars=stars)

    years = sorted(int(y) for y in indicators["year"].unique())
    first = years[0] if start_year is None else start_year
    last = years[-1] if end_year is None else end_year
    growth = None
    if first != last:
        for y in (first, last):
            if y not in years:
                raise DataError(f"year {y} is not in the statistics (years: "
                                f"{', '.join(map(str, years))})", field="year")
        say("Computing change")
        growth = as_text(change(indicators, first, last), ("region", "cluster"))
    indicators = as_text(indicators, ("region", "cluster", "year"))
    # Keys are message ids (translated where shown); values are data or Messages.
    options: dict[str, Any] = {
        N_("LQ denominator"): Message(f"option.denominator.{lq_denominator}"),
        N_("benchmark economy"): Message("option.reference.explicit") if reference is not None
        else Message("option.reference.sum"),
        N_("star thresholds"): Message("option.stars", {
            "size": stars.size_top, "lq": stars.specialisation_lq, "focus": stars.focus_top}),
    }
    if growth is not None:
        options[N_("change")] = f"{first}–{last}"
    return MappingResult(indicators, growth, allocation, totals, issues, options,
                         caveat_codes)


def _level_caveats(definitions: pl.DataFrame, totals: dict[str, Any], system: str | None
                   ) -> list[tuple[str, dict[str, Any]]]:
    """Caveats about code levels: codes left out, and division-level definitions."""
    levels = sorted({code_level(c, system)[1] for c in definitions["industry"].unique()}
                    - {None})
    out: list[tuple[str, dict[str, Any]]] = []
    if totals.get("n_other_level_codes"):
        out.append(("level.other_codes", {
            "employment": totals["other_level_employment"],
            "n_codes": totals["n_other_level_codes"], "levels": ", ".join(levels)}))
    # NACE divisions: "division" with a NACE system, "2-digit" when codes are taken as
    # they are (NAICS has no 2-digit definitions level but sectors, named "sector").
    if system != "naics2017" and levels in (["division"], ["2-digit"]):
        from klaster.taxonomy.nace import nace_division_loss
        loss = nace_division_loss()
        per = loss.filter(pl.col("cluster") != "all")
        row = loss.filter(pl.col("cluster") == "all").row(0, named=True)
        out.append(("level.division", {
            "shared_share": row["shared_division_share"],
            "moved_division": row["moved_division_share"],
            "moved_class": row["moved_class_share"],
            "moved_median": float(per["moved_division_share"].median() or 0.0)}))
    return out
