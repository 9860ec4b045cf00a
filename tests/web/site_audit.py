"""The checks run on every page of tests/web/site_pages.py, shared by the browser test
(tests/web/test_a11y.py) and the benchmark-style audit (benchmarks/a11y_audit.py):

* axe-core (npm, package.json at the repository root) with the WCAG 2.0/2.1 level A and AA
  rules — what EN 301 549 requires of public-sector sites in the EU;
* horizontal scroll: the document is no wider than the viewport;
* English left on a page in pl, be or ru: tests/english_check.py, shared with
  tests/reports/test_browser_i18n.py, over the platform's catalogues (the engine's, the
  portal's and every web app's): every English msgid whose translation differs from it,
  looked for as whole words, and short English function words, in the text nodes and the
  title/aria-label/placeholder attributes outside <script>, <style>, translate="no" and
  parts marked as another language (lang="en" on "English" in the language switcher).
  Content (names and descriptions of clusters, organisations, events... in the
  database) is data, not UI: its values are removed from the texts first.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

# tests/ (on sys.path under pytest, and added by benchmarks/a11y_audit.py)
import english_check
from english_check import COLLECT, LATIN, PROPER_NAMES, QUOTED_TERM

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LANGS = ("en", "pl", "be", "ru")
WIDTHS = (390, 1280)
HEIGHT = 900
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def artefacts_dir() -> Path:
    """Where screenshots go: $KLASTER_TEST_ARTIFACTS or test-artifacts/ (gitignored)."""
    return Path(os.environ.get("KLASTER_TEST_ARTIFACTS", ROOT / "test-artifacts"))


def screenshot_path(lang: str, width: int, page_id: str) -> Path:
    return artefacts_dir() / "screenshots" / lang / str(width) / f"{page_id}.png"


def axe_missing_reason() -> str | None:
    """Why axe-core cannot run here, or None."""
    if AXE_JS.is_file():
        return None
    return (f"{AXE_JS.relative_to(ROOT)} is absent: run `npm ci` at the repository root "
            "(package-lock.json pins axe-core)")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@cache
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


# --- axe --------------------------------------------------------------------------------

# Nothing is left out of the axe run: Swagger UI on /api/docs/ passes too, with
# deepLinking off (its deep links were <a href> inside the operation buttons:
# nested-interactive) and darker method colours in its template (color-contrast).
AXE_EXCLUDE: list[list[str]] = []
AXE_RUN = """async ([tags, exclude]) => {
  const r = await axe.run({exclude: exclude}, {runOnly: {type: 'tag', values: tags},
                                     resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '),
                              summary: (n.failureSummary || '').split('\\n').slice(1, 3)
                                       .join(' ').trim()}))}));
}"""


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as loaded. The script is evaluated
    through the DevTools protocol, which the page's Content-Security-Policy does not
    govern (no inline <script> is added, so the policy stays as served)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source() + "\n;0")
    return page.evaluate(AXE_RUN, [AXE_TAGS, AXE_EXCLUDE])


def format_violations(violations: list[dict], limit: int = 4) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} element(s))")
        for n in v["nodes"][:limit]:
            lines.append(f"      {n['target']}" + (f" — {n['summary']}" if n["summary"] else ""))
        if len(v["nodes"]) > limit:
            lines.append(f"      … and {len(v['nodes']) - limit} more")
    return "\n".join(lines)


# --- horizontal scroll ----------------------------------------------------------------

WIDTH_JS = """() => {
  const vw = window.innerWidth, de = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > vw + 1 && el.offsetParent !== null)
    .filter(el => !el.parentElement || el.parentElement.getBoundingClientRect().right <= vw + 1)
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
         (el.className && typeof el.className === 'string' ?
          '.' + el.className.trim().split(/\\s+/).join('.') : '') +
         ' (' + Math.round(el.getBoundingClientRect().right) + ' px)');
  return {scrollWidth: de.scrollWidth, innerWidth: vw, wide};
}"""


def horizontal_scroll(page) -> dict | None:
    """None when the page fits its viewport, else the widths and the outermost elements
    that stick out (to say which table or header to fix)."""
    w = page.evaluate(WIDTH_JS)
    return None if w["scrollWidth"] <= w["innerWidth"] else w


# --- English left on a translated page -------------------------------------------------

SRC = ROOT / "src" / "klaster"


def catalogues(lang: str) -> list[Path]:
    """The engine's, the portal's and every web app's catalogue for ``lang``."""
    return sorted(SRC.glob(f"**/locale/{lang}/LC_MESSAGES/django.po"))


def english_patterns(lang: str) -> tuple[tuple[str, re.Pattern], ...]:
    return english_check.english_patterns(lang, catalogues(lang))


def content_values() -> list[str]:
    """Every text value of the platform's content in the database (registry, networks,
    assessment, analysis, auth user names), longest first: data a page shows as it was
    entered, whatever the page's language. Call with database access."""
    from django.apps import apps
    from django.db import models

    values: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith(("klaster.", "django.contrib.auth")):
            continue
        if model.__name__.startswith("Historical"):
            continue
        cols = [f.attname for f in model._meta.concrete_fields
                if isinstance(f, (models.CharField, models.TextField))
                and not f.choices and f.name not in ("password",)]
        if not cols:
            continue
        for row in model._base_manager.values_list(*cols):
            values.update(v.strip() for v in row if isinstance(v, str) and len(v.strip()) >= 3)
    return sorted(values, key=len, reverse=True)


def english_left(texts: list[str], lang: str, data: list[str]) -> dict[str, list[str]]:
    """{English text: [page texts holding it]} for a page in ``lang``; ``data`` are the
    content values (:func:`content_values`), removed first."""
    candidates = []
    for t in dict.fromkeys(texts):
        if not LATIN.search(t):
            continue
        stripped = t
        for value in data:
            if value in stripped:
                stripped = stripped.replace(value, " ")
        for name in PROPER_NAMES:
            stripped = stripped.replace(name, " ")
        # Words quoted from the records' own texts (matchmaking: "both mention 'region'")
        # are data: lower-case single words in straight quotes.
        stripped = QUOTED_TERM.sub(" ", stripped)
        if LATIN.search(stripped):
            candidates.append((t, stripped))
    left: dict[str, list[str]] = {}
    for what, rx in english_patterns(lang):
        for original, stripped in candidates:
            if rx.search(stripped):
                left.setdefault(what, []).append(" ".join(original.split())[:120])
    return left


def format_english(left: dict[str, list[str]], limit: int = 12) -> str:
    return "\n".join(f"  {what!r} in {texts[:2]}" for what, texts in
                     sorted(left.items())[:limit]) + (
        f"\n  … and {len(left) - limit} more" if len(left) > limit else "")


# What a page's scripts draw after "load", waited for before the checks: a Leaflet map's
# boundaries (fetched; with the regions under it axe judged the attribution's contrast
# differently, a flaky result) and Swagger UI's operations (built from the fetched schema).
# (plotly.js is fetched after the load event by klaster/plotly-loader.js, which sets the
# mark "klaster-charts" once the page's charts are drawn)
DRAWN = """() => !document.querySelector('.klaster-map.leaflet-container:not([data-regions])')
  && !document.querySelector('#swagger-ui:not(:has(.opblock))')
  && (!document.querySelector('script[data-plotly]')
      || performance.getEntriesByName('klaster-charts').length > 0)"""


# --- one page --------------------------------------------------------------------------

@dataclass
class PageAudit:
    page_id: str
    lang: str
    width: int
    status: int | None = None
    violations: list[dict] = field(default_factory=list)
    scroll: dict | None = None
    english: dict[str, list[str]] = field(default_factory=dict)
    screenshot: Path | None = None
    error: str = ""
    seconds: dict[str, float] = field(default_factory=dict)  # per step, for the benchmark

    def problems(self) -> str:
        out = []
        if self.error:
            out.append(f"not loaded: {self.error}")
        elif self.status != 200:
            out.append(f"HTTP status {self.status}")
        if self.violations:
            out.append(f"axe-core: {len(self.violations)} WCAG 2.1 A/AA violation(s):\n"
                       + format_violations(self.violations))
        if self.scroll:
            out.append(f"horizontal scroll at {self.width} px: document "
                       f"{self.scroll['scrollWidth']} px wide; sticking out: "
                       f"{', '.join(self.scroll['wide']) or '?'}")
        if self.english:
            out.append(f"English left on the {self.lang} page ({len(self.english)}):\n"
                       + format_english(self.english))
        return "\n".join(out)


def audit(page, url: str, page_id: str, lang: str, width: int, data: list[str], *,
          axe: bool = True, screenshot: bool = True) -> PageAudit:
    """Load ``url`` in ``page`` (whose context already carries the language cookie and
    the user's session) at ``width`` and run every check."""
    result = PageAudit(page_id, lang, width)
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.seconds[name] = now - clock
        clock = now

    page.set_viewport_size({"width": width, "height": HEIGHT})
    try:
        response = page.goto(url, wait_until="load", timeout=90_000)
    except Exception as exc:  # noqa: BLE001 — a page that does not load is a finding
        result.error = str(exc).splitlines()[0]
        return result
    result.status = response.status if response is not None else None
    # Leaflet and the page's own script draw on DOMContentLoaded/load (plotly after it): two frames
    # later they have (waiting for "networkidle" instead costs 0.5 s a page)
    page.evaluate("() => document.fonts.ready.then(() => new Promise(r => "
                  "requestAnimationFrame(() => requestAnimationFrame(r))))")
    page.wait_for_function(DRAWN, timeout=30_000)
    step("load")
    if axe:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source() + "\n;0")
        step("axe-inject")
        result.violations = run_axe(page)
        step("axe")
    if width <= 400:
        result.scroll = horizontal_scroll(page)
    if lang != "en":
        result.english = english_left(page.evaluate(COLLECT), lang, data)
        step("english")
    if screenshot:
        path = screenshot_path(lang, width, page_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        result.screenshot = path
        step("screenshot")
    return result
