"""The KPI/indicator label table: complete in four languages; values formatted by CLDR.

The expected strings are written out by hand from the Unicode CLDR (v44) number data, not
computed by klaster.i18n: pl/be/ru group thousands with U+00A0 NO-BREAK SPACE and use a
comma as decimal sign; Polish and Belarusian group only from five digits (minimum grouping
digits 2), Russian from four; the percent sign follows the number directly in pl and after
a no-break space in be and ru; the currency sign follows the number after a no-break space
in pl, be and ru ("#,##0.00 ¤") and precedes it in en ("¤#,##0.00").
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from klaster.assessment.labels import (
    INDICATOR_LABELS,
    KPI_GROUPS,
    RUBRIC_SPELLINGS,
    format_value,
    indicator_label,
    kpi_panels,
)
from klaster.assessment.registry import KPI_KEYS, REGISTRY_INDICATORS
from klaster.i18n import translator

RUBRICS = Path(__file__).resolve().parents[2] / "src" / "klaster" / "assessment" / "rubrics"
LANGS = ("pl", "be", "ru")
NBSP = "\u00a0"


def _rubric_indicators() -> dict[str, str | None]:
    out = {}
    for path in sorted(RUBRICS.glob("*.yaml")):
        for ind in yaml.safe_load(path.read_text(encoding="utf-8")).get("indicators", []):
            out.setdefault(ind["key"], ind.get("label"))
    return out


def test_every_key_has_a_label():
    keys = set(KPI_KEYS) | {"member_satisfaction"} | set(REGISTRY_INDICATORS)
    keys |= set(_rubric_indicators())
    assert len(keys) > 60
    assert not keys - set(INDICATOR_LABELS)


@pytest.mark.parametrize("lang", LANGS)
def test_every_label_is_translated(lang):
    tr = translator(lang)
    untranslated = [k for k in INDICATOR_LABELS if indicator_label(k, lang) in
                    (INDICATOR_LABELS[k][0], k)]
    assert not untranslated
    # The rubrics' own English labels (quoted in explanations) are in the catalogue too.
    rubric_labels = {v for v in _rubric_indicators().values() if v} | set(RUBRIC_SPELLINGS)
    assert not [x for x in rubric_labels if tr.gettext(x) == x]
    # Dashboard group titles too.
    assert not [t for t, _keys in KPI_GROUPS if tr.gettext(t) == t]


def test_unknown_key_is_shown_as_is():
    assert indicator_label("made_up_kpi", "pl") == "made_up_kpi"
    assert format_value(3, None, "pl") == "3"


@pytest.mark.parametrize("value,unit,lang,expected", [
    (830000, "EUR", "en", "€830,000"),
    (830000, "EUR", "pl", f"830{NBSP}000{NBSP}€"),
    (830000, "EUR", "be", f"830{NBSP}000{NBSP}€"),
    (830000, "EUR", "ru", f"830{NBSP}000{NBSP}€"),
    (1234, "count", "en", "1,234"),
    (1234, "count", "pl", "1234"),         # pl: minimum grouping digits 2
    (1234, "count", "be", "1234"),         # be: minimum grouping digits 2
    (1234, "count", "ru", f"1{NBSP}234"),
    (12345, "count", "pl", f"12{NBSP}345"),
    (1234567, "count", "ru", f"1{NBSP}234{NBSP}567"),
    (2.5, "FTE", "en", f"2.5{NBSP}FTE"),
    (0.35, "share", "en", "35%"),
    (0.35, "share", "pl", "35%"),
    (0.35, "share", "be", f"35{NBSP}%"),
    (0.35, "share", "ru", f"35{NBSP}%"),
    (0.125, "share", "pl", "12,5%"),
    (2.5, "ratio", "ru", "2,50"),
    (1, "yes/no", "pl", "tak"),
    (0, "yes/no", "ru", "нет"),
    (True, "yes/no", "be", "так"),
    (None, "EUR", "pl", "–"),
    (float("nan"), "count", "ru", "–"),
])
def test_format_value(value, unit, lang, expected):
    assert format_value(value, unit, lang) == expected


def test_panels_group_label_and_format():
    rows = [{"kpi": "joint_projects_value", "year": 2024, "value": 500000.0},
            {"kpi": "joint_projects_value", "year": 2025, "value": 830000.0},
            {"kpi": "members", "year": 2025, "value": 6.0},
            {"kpi": "member_satisfaction", "year": 2025, "value": None},
            {"kpi": "custom_kpi", "year": 2025, "value": 7.0}]
    groups = kpi_panels(rows, "pl", {"members": {"percentile": 90.0, "n_peers": 5}})
    titles = [g["title"] for g in groups]
    assert titles == ["Członkostwo", "Współpraca", "Inne wskaźniki"]
    panels = {p["key"]: p for g in groups for p in g["panels"]}
    value = panels["joint_projects_value"]
    assert value["label"] == "Wartość wspólnych projektów"
    assert value["years"] == [2024, 2025] and value["latest"] == f"830{NBSP}000{NBSP}€"
    assert value["text"] == [f"500{NBSP}000{NBSP}€", f"830{NBSP}000{NBSP}€"]
    assert panels["members"]["percentile_text"] == "90" and panels["members"]["n_peers"] == 5
    assert panels["member_satisfaction"]["years"] == []
    assert panels["member_satisfaction"]["latest"] == "–"
    assert panels["custom_kpi"]["label"] == "custom_kpi"
