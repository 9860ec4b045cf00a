"""The engine's catalogue and the report in en, pl, be and ru (without a browser)."""

from __future__ import annotations

import re

import polib
from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from klaster.i18n import LOCALE_DIR, Translator, translator
from klaster.messages import MESSAGES, Message, render
from klaster.reports import render_report

from . import i18ndata

LANGS = ("pl", "be", "ru")
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|%%")


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_is_complete_and_consistent(lang):
    po = polib.pofile(str(LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"))
    assert po.percent_translated() == 100
    assert not po.fuzzy_entries()
    for e in po:
        assert e.msgctxt == "klaster", e.msgid
        forms = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
        for form in forms:
            # the same placeholders in every translation (a lost %(n)s would crash)
            assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(e.msgid)), (
                lang, e.msgid, form)


def test_catalogue_holds_every_message_of_the_sources():
    """scripts/update_engine_catalogue.py was run after the last text change."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "update_engine_catalogue.py"
    spec = importlib.util.spec_from_file_location("update_engine_catalogue", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    wanted = {msgid for msgid, _plural in mod.extract()}
    po = polib.pofile(str(LOCALE_DIR / "pl" / "LC_MESSAGES" / "django.po"))
    assert wanted - {e.msgid for e in po} == set()
    assert {spec.msgid for spec in MESSAGES.values()} <= wanted


@pytest.mark.parametrize("lang,x,digits,expected", [
    # CLDR: en 1,234.5; pl/be/ru decimal comma, no-break space groups; Polish and
    # Belarusian leave four-digit numbers ungrouped (minimum grouping digits 2).
    ("en", 1234.5, 1, "1,234.5"), ("en", -1234567, 0, "-1,234,567"),
    ("pl", 1234, 0, "1234"), ("pl", 12345.25, 2, "12\u00a0345,25"),
    ("be", 1234, 0, "1234"), ("be", 1234567, 0, "1\u00a0234\u00a0567"),
    ("ru", 1234, 0, "1\u00a0234"), ("ru", 0.5, 2, "0,50"), ("ru", -0.0001, 1, "0,0"),
    ("en", None, 0, "–"), ("pl", float("nan"), 0, "–"),
])
def test_numbers(lang, x, digits, expected):
    assert translator(lang).num(x, digits) == expected


def test_percentages():
    assert translator("en").pct(0.1234, 1, signed=True) == "+12.3%"
    assert translator("pl").pct(0.1234, 1) == "12,3%"
    assert translator("ru").pct(-0.05, 1, signed=True) == "-5,0\u00a0%"


def test_unknown_language_is_a_clear_error():
    from klaster.errors import DataError

    with pytest.raises(DataError, match="language 'de'"):
        Translator("de")


@pytest.mark.parametrize("codes,lang,word", [
    (1, "pl", "kod branży"), (3, "pl", "kody branż"), (5, "pl", "kodów branż"),
    (22, "pl", "kody branż"), (1, "ru", "код отрасли"), (3, "ru", "кода отраслей"),
    (11, "ru", "кодов отраслей"), (21, "be", "код галіны"), (1, "en", "industry code "),
    (2, "en", "industry codes"),
])
def test_message_plural_forms(codes, lang, word):
    m = Message("allocation.split", {"jobs": 1500, "share": 0.015, "codes": codes})
    assert word in m.render(lang)


def test_message_round_trip_and_fallbacks():
    m = Message("allocation.unmapped", {"jobs": 12345.0, "share": 0.25, "codes": 2})
    assert Message.from_dict(m.to_dict()) == m
    assert str(m).startswith("12,345 jobs (25.00%)")
    assert render(m.to_dict(), "ru").startswith("12\u00a0345 рабочих мест (25,00\u00a0%)")
    assert render("a user's own caveat", "pl") == "a user's own caveat"
    assert render({"code": "from.a.newer.version", "params": {}}, "be") == "from.a.newer.version"
    warn = Message("loading.warnings", {"counts": {"suppressed": 3, "odd_kind": 1}})
    assert warn.render("pl") == ("Ostrzeżenia podczas wczytywania: 1 × odd_kind, "
                                 "3 × wartości nieopublikowane.")


@pytest.fixture(scope="module")
def result():
    return i18ndata.mapping()


@pytest.mark.parametrize("lang,heading,decomposition", [
    ("en", "Region profile", "Growth decomposition (shift-share), 2015–2020"),
    ("pl", "Profil regionu", "Dekompozycja wzrostu (metoda przesunięć udziałów), 2015–2020"),
    ("be", "Профіль рэгіёна", "Раскладанне росту (метад зрухаў і доляў), 2015–2020"),
    ("ru", "Профиль региона", "Разложение роста (метод сдвигов и долей), 2015–2020"),
])
def test_report_in_each_language(result, lang, heading, decomposition):
    page = render_report(result.indicators, language=lang, **i18ndata.report_options(result))
    assert f'<html lang="{lang}">' in page
    assert f"<h2>{heading}</h2>" in page and decomposition in page
    # caveats from the library's messages, rendered in the page's language
    assert render(result.caveats()[0], lang) in page.replace("&#39;", "'")
    if lang != "en":
        assert f'Plotly.setPlotConfig({{locale: "{lang}"}})' in page
        assert '"separators": ",\\u00a0"' in page or '"separators": ",\u00a0"' in page


def test_shift_share_columns_in_the_profile(result):
    from klaster.indicators import SHIFT_SHARE_COLUMNS

    page = render_report(result.indicators, language="pl", **i18ndata.report_options(result))
    start = page.index('shift-table" data-region="R1"')
    table = page[start:page.index("</table>", start)]
    row = (result.change.filter((result.change["region"] == "R1")
                                & (result.change["cluster"] == "k1")).to_dicts()[0])
    cells = [translator("pl").num(row[c]) for c in ("job_creation", *SHIFT_SHARE_COLUMNS[:3])]
    assert all(c in table for c in cells)
    assert "Efekt konkurencyjności" in page


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(("en", "pl", "be", "ru")),
       st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(0, 3))
def test_numbers_read_back(lang, x, digits):
    """Removing the group separators and reading the decimal sign gives x rounded."""
    tr = translator(lang)
    text = tr.num(x, digits)
    value = float(text.replace(tr.group, "").replace(tr.decimal, "."))
    assert value == pytest.approx(float(f"{x:.{digits}f}"), abs=10 ** -digits / 2)
    whole = text.lstrip("-").split(tr.decimal)[0]
    groups = whole.split(tr.group)
    assert all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 4
