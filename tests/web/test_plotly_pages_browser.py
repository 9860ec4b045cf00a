"""In headless Chromium: the three pages that draw with plotly.js (cluster profile, KPI
dashboard, network) load the bundle klaster.web.assets picks (npm's partial bundle when
``npm ci`` installed it, else PyPI's full one) after the page's load event
(klaster/plotly-loader.js), draw every chart, in Polish with plotly's
toolbar in Polish, with no script error and no Content-Security-Policy violation."""

from __future__ import annotations

import io

import pytest

from .browser import MARKS, launch, small_cluster

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
def test_plotly_pages_draw_with_the_chosen_bundle(live_server, monkeypatch):
    from django.core.management import call_command
    from django.templatetags.static import static
    from django.utils import timezone
    from playwright.sync_api import expect, sync_playwright

    from klaster.web import assets

    cluster = small_cluster()
    year = timezone.localdate().year
    for y in (year - 1, year):
        call_command("kpi_snapshots", "--year", str(y), stdout=io.StringIO())
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    bundle = static(assets.plotly_static())
    pages = {
        f"/clusters/{cluster.pk}/": ["#chart-helix", "#chart-growth"],
        f"/assessment/clusters/{cluster.pk}/dashboard/": [".kpi-chart"],
        f"/matchmaking/networks/clusters/{cluster.pk}/": ["#network-plot"],
    }

    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(locale="pl-PL")
        page = context.new_page()
        problems, scripts = [], []
        page.on("pageerror", lambda e: problems.append(f"error: {e}"))
        page.on("console", lambda m: problems.append(f"console: {m.text}")
                if m.type == "error" or "Content Security Policy" in m.text else None)
        page.on("request", lambda r: scripts.append(r.url) if "/vendor/plotly/" in r.url
                else None)
        for url, charts in pages.items():
            scripts.clear()
            page.goto(live_server.url + url, wait_until="load")
            for selector in charts:
                drawn = page.locator(f"{selector}.js-plotly-plot .main-svg").first
                expect(drawn).to_be_attached()
            assert [s.removeprefix(live_server.url) for s in scripts] == [bundle], url
            # plotly.js was fetched after the load event: the load did not wait for it
            timing = page.evaluate("""() => ({
                load: performance.getEntriesByType('navigation')[0].loadEventEnd,
                plotly: performance.getEntriesByType('resource')
                    .filter(r => r.name.includes('/vendor/plotly/'))[0].startTime})""")
            assert timing["plotly"] >= timing["load"], (url, timing)
            if url.startswith("/assessment/"):
                # The dashboard draws each chart as it comes near the screen: all of them
                # once scrolled to.
                boxes = page.locator(".kpi-chart")
                assert boxes.count() >= 10
                boxes.last.scroll_into_view_if_needed()
                expect(page.locator(".kpi-chart.js-plotly-plot")).to_have_count(boxes.count())
            # plotly's toolbar speaks Polish: its button titles are the locale's words.
            words = page.evaluate("""() => {
                const spec = JSON.parse(document.getElementById('plotly-locale').textContent);
                const titles = [...document.querySelectorAll('.modebar-btn')]
                    .map(b => b.getAttribute('data-title'));
                return {titles: titles, polish: Object.entries(spec.dictionary)
                    .filter(([en, pl]) => en !== pl).map(([en, pl]) => pl)};
            }""")
            if url.startswith("/clusters/"):  # the dashboard's small charts have no toolbar
                assert words["titles"] and set(words["titles"]) & set(words["polish"]), words
        browser.close()
    assert problems == []
