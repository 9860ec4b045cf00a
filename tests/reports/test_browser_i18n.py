"""The report in en, pl, be and ru in headless Chromium: no English left on a translated page.

The check (tests/english_check.py, shared with the platform's page audit) is built from
the engine catalogue: every English msgid whose translation differs from it is looked
for, as whole words, in the page's text (every text node outside <script>, <style> and
elements marked translate="no", i.e. data values such as cluster and region names, plus
the title, aria-label, placeholder and plotly toolbar data-title attributes) after plotly
has drawn the map, the portfolio and their toolbars. A msgid with placeholders is looked
for by its literal pieces of two words or more. Short English function words ("the",
"and", "of", ...) are looked for too, to catch text that never went through the
catalogue. The data (tests/reports/i18ndata.py) uses made-up names, so
any hit is the engine's.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import english_check
import pytest
from english_check import COLLECT, LATIN, PROPER_NAMES

from klaster.i18n import LOCALE_DIR
from klaster.reports import write_report

from . import i18ndata

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]


def english_patterns(lang: str) -> tuple[tuple[str, re.Pattern], ...]:
    """(what, pattern) for every English text that must not be on a report in ``lang``:
    the engine catalogue's (tests/english_check.py, shared with the platform's audit)."""
    return english_check.english_patterns(lang, [LOCALE_DIR / lang / "LC_MESSAGES" /
                                                 "django.po"])


# The EU demo (real Eurostat data, NACE divisions, Poland's voivodeships on the map) in
# Polish and Belarusian, written by the CLI as a user would: pages "eu-pl", "eu-be".
EU_LANGS = ("pl", "be")


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    from typer.testing import CliRunner

    from klaster.cli import app

    result = i18ndata.mapping()
    folder = tmp_path_factory.mktemp("i18n")
    out = {lang: write_report(result.indicators, folder / f"report-{lang}.html",
                              language=lang, **i18ndata.report_options(result))
           for lang in ("en", "pl", "be", "ru")}
    for lang in EU_LANGS:
        path = folder / f"eu-{lang}.html"
        res = CliRunner().invoke(app, ["report", "--demo-eu", "--language", lang, "-o",
                                       str(path)], env={"COLUMNS": "200"})
        assert res.exit_code == 0, res.output
        out[f"eu-{lang}"] = path
    return out


MAP_SHAPES: dict[str, list[str]] = {}


def _texts(browser, path: Path) -> tuple[list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.goto(path.as_uri())
    page.wait_for_function(
        "document.querySelectorAll('#map path.choroplethlocation').length > 0 &&"
        "document.querySelectorAll('#portfolio .scatterlayer .point').length > 0 &&"
        "document.querySelectorAll('#portfolio .modebar-btn').length > 0", timeout=60_000)
    texts = page.evaluate(COLLECT)
    # regions drawn on the map (the EU demo: Poland's 16 voivodeships)
    MAP_SHAPES[path.name] = page.evaluate(
        "[...new Set(document.getElementById('map').data.flatMap(t => t.locations || []))]"
        ".sort()") if page.evaluate(
        "document.querySelectorAll('#map path.choroplethlocation').length > 0") else []
    page.close()
    return texts, problems


def test_no_english_left_on_translated_pages(pages):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            seen = {lang: _texts(browser, path) for lang, path in pages.items()}
        finally:
            browser.close()
    for lang, (texts, problems) in seen.items():
        assert problems == [], (lang, problems)
    # the check finds English where it is: the English page has the catalogue's texts
    en_text = "\n".join(seen["en"][0])
    en_hits = {what for what, rx in english_patterns("pl") if rx.search(en_text)}
    assert {"Region profile", "Zoom in", "Competitive effect", "the"} <= en_hits
    for key in ("pl", "be", "ru", *(f"eu-{lang}" for lang in EU_LANGS)):
        lang = key.removeprefix("eu-")
        # each distinct text with a Latin letter once (English needs one): the EU demo's
        # page holds 277 region profiles, tens of thousands of numbers and repeated
        # labels, and ~500 patterns over megabytes of them would take minutes
        text = "\n".join(sorted({t for t in seen[key][0] if LATIN.search(t)}))
        for name in PROPER_NAMES:
            text = text.replace(name, "")
        patterns = english_patterns(lang)
        left = sorted({what for what, rx in patterns if rx.search(text)})
        assert left == [], (key, left, [t for t in dict.fromkeys(seen[key][0]) if any(
            rx.search(t) for what, rx in patterns if what in left)][:10])
    # translated toolbar titles and headings really are there
    pl_text = "\n".join(seen["pl"][0])
    assert "Powiększ" in pl_text and "Profil regionu" in pl_text
    assert "Увеличить" in "\n".join(seen["ru"][0])
    assert "Павялічыць" in "\n".join(seen["be"][0])
    # the EU demo: the map draws Poland's 16 voivodeships, Podlaskie's profile first,
    # the demo's note and source line in the page's language
    notes = {"pl": ("Dane demonstracyjne", "Eurostat, statystyka strukturalna"),
             "be": ("Дэманстрацыйныя даныя", "Eurostat, структурная статыстыка")}
    for lang, (note, source) in notes.items():
        texts = seen[f"eu-{lang}"][0]
        drawn = MAP_SHAPES[f"eu-{lang}.html"]
        assert len(drawn) == 16 and {"PL-PD", "PL-MZ"} <= set(drawn), drawn
        assert any(note in t for t in texts) and any(source in t for t in texts), lang
        html = pages[f"eu-{lang}"].read_text(encoding="utf-8")
        assert '<option value="PL84" selected>Podlaskie</option>' in html
