"""Human labels, units and locale-aware values of every KPI and indicator key.

One table for the whole platform: the registry indicators (labels and units declared in
:data:`klaster.assessment.registry.REGISTRY_INDICATORS`), the two KPIs that do not come
from the registry (network density, member satisfaction) and the evaluator/survey
indicators of the built-in rubrics (src/klaster/assessment/rubrics/*.yaml). Labels are
engine messages (``N_``: translated when shown, from src/klaster/locale); a rubric's own
English label of the same key is in the catalogue too, so explanations that quote it are
translated (klaster.assessment_messages "term").

Values are formatted with the language's CLDR number symbols (:class:`klaster.i18n.Translator`):
counts as whole numbers with the group separator (pl: 830 000 — a no-break space; Polish
groups only from 5 digits), shares as percentages, money with the currency the data is
recorded in. The registry stores money in EUR (the platform's forms say "budget (EUR)",
"turnover (EUR)"; klaster.web.registry.models), so money values show as EUR with CLDR's
currency pattern: "€830,000" in English, "830 000 €" in pl, be and ru (symbol after the
number, separated by a no-break space), whole euros — KPIs are compared between clusters
and years, cents carry no information there.
"""

from __future__ import annotations

import math
from typing import Any

from klaster.assessment.registry import KPI_KEYS, REGISTRY_INDICATORS
from klaster.i18n import N_, Translator, translator

__all__ = ["EXTRA_LABELS", "INDICATOR_LABELS", "KPI_GROUPS", "UNIT_LABELS", "format_value",
           "indicator_label", "indicator_unit", "unit_label"]

# Units a value can have: how it is formatted. "EUR" is money in euros.
UNIT_LABELS = {
    "count": N_("count"), "persons": N_("persons"), "years": N_("years"),
    "months": N_("months"), "FTE": N_("FTE"), "share": N_("share"), "yes/no": N_("yes/no"),
    "EUR": "EUR", "ratio": N_("ratio"), "score 1-5": N_("score 1–5"),
}

# Keys that are not registry indicators: the KPIs computed elsewhere and the indicators
# the built-in rubrics ask evaluators (or the member survey) for. key -> (label, unit)
EXTRA_LABELS: dict[str, tuple[str, str]] = {
    # KPIs (klaster.web.assessment.services.take_snapshots)
    "network_density": (N_("Network density"), "ratio"),
    "member_satisfaction": (N_("Member satisfaction"), "score 1-5"),
    # evaluator indicators of the built-in rubrics
    "action_plan": (N_("Action plan implemented"), "yes/no"),
    "benchmarking_completed": (N_("Benchmarking by ESCA completed"), "yes/no"),
    "board_meetings": (N_("Board / steering meetings"), "count"),
    "communication_channels": (N_("Communication channels"), "count"),
    "digital_transformation": (N_("Digital transformation activities"), "yes/no"),
    "documented_processes": (N_("Documented management processes"), "yes/no"),
    "dual_education": (N_("Dual / vocational education"), "yes/no"),
    "fairs": (N_("Joint participation in trade fairs"), "count"),
    "governance_rules": (N_("Written governance rules"), "yes/no"),
    "international_cooperation": (N_("International cooperation"), "yes/no"),
    "international_projects": (N_("Joint international projects"), "count"),
    "ip_rights": (N_("Patents, designs and trademarks"), "count"),
    "joint_products": (N_("Joint products and services"), "count"),
    "joint_rd_projects": (N_("Joint R&D projects"), "count"),
    "legal_entity": (N_("Cluster organisation is a legal entity"), "yes/no"),
    "manager_experience_years": (N_("Cluster manager's experience"), "years"),
    "media_mentions": (N_("Media coverage"), "count"),
    "members_in_governance": (N_("Members in governance bodies"), "count"),
    "missions": (N_("Economic missions"), "count"),
    "monitoring_system": (N_("Monitoring of the strategy"), "yes/no"),
    "public_cooperation_documented": (N_("Documented cooperation with public bodies"),
                                      "yes/no"),
    "reserve_months": (N_("Running costs secured ahead"), "months"),
    "satisfaction_survey": (N_("Member satisfaction surveyed"), "yes/no"),
    "services_offered": (N_("Services offered to members"), "count"),
    "smart_specialisation": (N_("Contribution to smart specialisation"), "yes/no"),
    "startup_cooperation": (N_("Cooperation with start-ups"), "yes/no"),
    "strategy_document": (N_("Documented cluster strategy"), "yes/no"),
    "success_stories": (N_("Documented success stories"), "count"),
    "website_active": (N_("Active website"), "yes/no"),
}
# Other spellings the rubrics give to a key of the table (quoted in explanations).
RUBRIC_SPELLINGS = (N_("Cluster strategy adopted"), N_("Development strategy adopted"))

INDICATOR_LABELS: dict[str, tuple[str, str]] = {
    **{k: (label, unit) for k, (label, unit, _desc) in REGISTRY_INDICATORS.items()},
    **EXTRA_LABELS,
}
assert set(KPI_KEYS) | {"member_satisfaction"} <= set(INDICATOR_LABELS)
assert {u for _l, u in INDICATOR_LABELS.values()} <= set(UNIT_LABELS)

# The KPI dashboard's panels, in reading order: (group title, keys). Every KPI key is in
# exactly one group; a stored key klaster does not know goes to the last group.
KPI_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("Membership"), ("members", "members_business", "members_research", "members_public",
                        "members_support", "members_civil", "members_finance", "sme_share",
                        "member_retention", "member_satisfaction")),
    (N_("Management and funding"), ("management_fte", "private_income_share")),
    (N_("Cooperation"), ("activities", "activity_participants", "joint_projects",
                         "joint_projects_value", "network_density")),
    (N_("Members' economy"), ("members_with_rd", "exporters", "members_turnover",
                              "members_employment")),
)
_grouped = [k for _t, keys in KPI_GROUPS for k in keys]
assert sorted(_grouped) == sorted(set(KPI_KEYS) | {"member_satisfaction"}), _grouped


def _tr(lang: str | Translator | None) -> Translator:
    return lang if isinstance(lang, Translator) else translator(lang or "en")


def indicator_label(key: str, lang: str | Translator | None = "en") -> str:
    """The key's label in ``lang``; a key klaster does not know is returned as it is."""
    entry = INDICATOR_LABELS.get(key)
    return _tr(lang).gettext(entry[0]) if entry else key


def indicator_unit(key: str) -> str | None:
    """The key's unit (a key of :data:`UNIT_LABELS`), None for an unknown key."""
    entry = INDICATOR_LABELS.get(key)
    return entry[1] if entry else None


def unit_label(unit: str, lang: str | Translator | None = "en") -> str:
    return _tr(lang).gettext(UNIT_LABELS[unit]) if unit in UNIT_LABELS else unit


def _digits(x: float, most: int) -> int:
    """Decimals needed to show ``x`` (whole numbers without any), at most ``most``."""
    for d in range(most + 1):
        if abs(x - round(x, d)) < 1e-9:
            return d
    return most


def format_value(value: Any, unit: str | None, lang: str | Translator | None = "en") -> str:
    """``value`` for a person reading ``lang``: "–" when missing; counts grouped by CLDR
    (pl 830 000), shares as percentages (pl "35%", ru "35 %"), money as euros
    ("830 000 €"), yes/no as the words, FTE/years/months with their unit."""
    tr = _tr(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "yes/no" or isinstance(value, bool):
        return tr.gettext("yes") if float(value) else tr.gettext("no")
    x = float(value)
    if unit == "share":
        return tr.pct(x, _digits(100 * x, 1))
    if unit == "EUR":
        amount = tr.num(x, 0)
        return f"€{amount}" if tr.lang == "en" else f"{amount}\u00a0€"
    if unit == "ratio":
        return tr.num(x, 2)
    if unit == "score 1-5":
        return tr.num(x, 1)
    text = tr.num(x, _digits(x, 1))
    if unit in ("FTE", "years", "months", "persons"):
        return f"{text}\u00a0{unit_label(unit, tr)}"
    return text


def _axis(unit: str | None, tr: Translator) -> dict:
    """Plotly axis options that show ``unit`` as the tables do (separators come from the
    plotly locale registered on the page, klaster.reports.i18n.plotly_locale_spec)."""
    if unit == "share":
        return {"tickformat": ".0%", "range": [0, 1.05]}
    if unit == "EUR":
        return ({"tickformat": ",.0f", "tickprefix": "€"} if tr.lang == "en"
                else {"tickformat": ",.0f", "ticksuffix": "\u00a0€"})
    if unit == "yes/no":
        return {"tickvals": [0, 1], "ticktext": [tr.gettext("no"), tr.gettext("yes")],
                "range": [-0.1, 1.1]}
    return {"tickformat": ",~r", "rangemode": "tozero"}


def kpi_panels(rows: list[dict], lang: str | Translator | None = "en",
               percentiles: dict[str, dict] | None = None) -> list[dict]:
    """The KPI dashboard's small multiples: one panel per KPI, grouped by KPI_GROUPS.

    ``rows`` are stored snapshot values ``{"kpi", "year", "value"}`` of one cluster;
    ``percentiles`` (optional) maps a KPI to its peer position in the latest year
    (``{"percentile", "n_peers"}``). Returns ``[{"title", "panels": [...]}]``; a panel has
    the key, the translated label and unit, the years and values (missing values dropped),
    each value formatted for ``lang``, the latest value and its year, and the plotly axis
    options of its unit. A KPI without any value is still listed (its latest is "–").
    """
    tr = _tr(lang)
    percentiles = percentiles or {}
    by_key: dict[str, list[tuple[int, float]]] = {}
    for r in rows:
        by_key.setdefault(r["kpi"], [])
        if r["value"] is not None:
            by_key[r["kpi"]].append((int(r["year"]), float(r["value"])))
    known = {k for _t, keys in KPI_GROUPS for k in keys}
    groups = [(t, [k for k in keys if k in by_key]) for t, keys in KPI_GROUPS]
    others = sorted(k for k in by_key if k not in known)
    if others:
        groups.append((N_("Other indicators"), others))
    out = []
    for title, keys in groups:
        panels = []
        for key in keys:
            series = sorted(by_key[key])
            unit = indicator_unit(key)
            latest = series[-1] if series else None
            pos = percentiles.get(key, {})
            panels.append({
                "key": key, "kpi": key, "label": indicator_label(key, tr),
                "unit": unit, "unit_label": unit_label(unit, tr) if unit else "",
                "years": [y for y, _v in series], "values": [v for _y, v in series],
                "text": [format_value(v, unit, tr) for _y, v in series],
                "latest": format_value(latest[1] if latest else None, unit, tr),
                "latest_year": latest[0] if latest else None,
                "percentile": pos.get("percentile"),
                "percentile_text": (None if pos.get("percentile") is None
                                    else tr.num(pos["percentile"], 0)),
                "n_peers": pos.get("n_peers"),
                "axis": _axis(unit, tr),
            })
            if unit in ("count", "persons", "months") and series:
                # whole things: whole-number ticks (no "0,5 members"), about four of them
                top = max(v for _y, v in series)
                panels[-1]["axis"].update({"dtick": max(1, math.ceil(top / 4)),
                                           "tickformat": ",d"})
        if panels:
            out.append({"title": tr.gettext(title), "panels": panels})
    return out
