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

from klaster.errors import DataError, IssueLog
from klaster.indicators import StarThresholds, change, indicators_from_clusters
from klaster.indicators.core import LqDenominator
from klaster.taxonomy import allocation_report, allocation_totals, apply_definitions

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

    def caveats(self) -> list[str]:
        """Plain-language caveats for a report: allocation and unpublished cells."""
        t = self.allocation_totals
        out = []
        if t["n_split_codes"]:
            out.append(
                f"{t['split_employment']:,.0f} jobs ({t['split_share']:.2%} of employment) are "
                f"in {t['n_split_codes']} industry codes that the concordance splits over "
                "several clusters; they are allocated in equal shares (see docs/taxonomy.md)."
            )
        if t["n_unmapped_codes"]:
            out.append(
                f"{t['unmapped_employment']:,.0f} jobs ({t['unmapped_share']:.2%}) are in "
                f"{t['n_unmapped_codes']} industry codes that belong to no cluster and are "
                "left out of every cluster (they still count in no LQ numerator)."
            )
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
) -> MappingResult:
    """Indicators (and change) for every region x cluster x year of ``stats``.

    stats: canonical statistics table (STATS_SCHEMA). definitions: DEFINITIONS_SCHEMA.
    lq_denominator, reference, stars: as :func:`klaster.indicators.indicators_from_clusters`.
    start_year / end_year: the years compared by the change table; by default the first
    and last year of ``stats`` (no change table when there is only one year).
    step: optional callback told the name of each step as it starts (for progress bars).
    """
    say = step or (lambda _name: None)
    if stats.height == 0:
        raise DataError("the statistics table is empty", field="employment")
    issues = IssueLog()
    say("Aggregating industries to clusters")
    clusters = apply_definitions(stats, definitions, issues=issues)
    if clusters.height == 0:
        raise DataError(
            "no industry code of the statistics belongs to any cluster of the definitions: "
            "check that both use the same classification and code form (e.g. NAICS 2017, "
            "6 digits)", field="industry")
    allocation = allocation_report(stats, definitions)
    totals = allocation_totals(stats, definitions, report=allocation)

    say("Computing indicators")
    indicators = indicators_from_clusters(
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
        growth = change(indicators, first, last)
    options = {
        "lq_denominator": lq_denominator,
        "benchmark economy": "explicit reference table" if reference is not None
        else "sum of the regions in the table",
        "star thresholds": (f"size top {stars.size_top:.0%}, specialisation LQ ≥ "
                            f"{stars.specialisation_lq:g}, focus top {stars.focus_top:.0%}"),
    }
    if growth is not None:
        options["change"] = f"{first}–{last}"
    return MappingResult(indicators, growth, allocation, totals, issues, options)
