"""Open a rendered report in headless Debian Chromium and check it works offline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from klaster.reports import write_report

from .devdata import cbp_cluster_indicators

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]


def test_report_renders_offline_in_chromium(shared_data: Path, tmp_path: Path):
    sync_api = pytest.importorskip("playwright.sync_api")
    df = cbp_cluster_indicators(shared_data)
    page_file = write_report(
        df, tmp_path / "report.html", title="US clusters, CBP 2021",
        source_note="US Census Bureau, County Business Patterns 2021",
        metadata={"caveats": ["District of Columbia is not in the source extract."]})
    n_regions = df["region"].n_unique()

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1360, "height": 900})
            console, requests = [], []
            page.on("console", lambda m: m.type in ("error", "warning")
                    and console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri())
            page.wait_for_function(
                "document.querySelectorAll('#map path.choroplethlocation').length > 0 &&"
                "document.querySelectorAll('#portfolio .scatterlayer .point').length > 0",
                timeout=30_000)

            # the map: one grey base shape per region plus one coloured shape per region
            # with employment in the default cluster (every state has Business Services)
            shapes = page.locator("#map path.choroplethlocation")
            assert shapes.count() == 2 * n_regions
            layer = "#map .choroplethlayer .trace:last-child path.choroplethlocation"
            fills = "ps => ps.map(p => getComputedStyle(p).fill)"
            before = page.eval_on_selector_all(layer, fills)
            assert len(before) == n_regions and len(set(before)) > 5

            # tables are there with rows
            visible_top = page.locator(".top-regions:not([hidden]) tbody tr")
            assert visible_top.count() == 15
            assert page.locator(".profile-table:not([hidden]) tbody tr").count() > 40

            # switching the cluster changes the map and the visible table
            first_before = visible_top.first.inner_text()
            page.select_option("#cluster-select", label="Aerospace Vehicles and Defense")
            page.wait_for_function(
                f"document.querySelectorAll('{layer}').length !== {n_regions} || "
                f"Array.from(document.querySelectorAll('{layer}'))"
                f".map(p => getComputedStyle(p).fill).join() !== {before!r}.join()",
                timeout=10_000)
            after = page.eval_on_selector_all(layer, fills)
            assert after != before
            assert page.locator(".top-regions:not([hidden]) tbody tr").first.inner_text() \
                != first_before

            # switching the region redraws the profile
            page.select_option("#region-select", "VT")
            assert page.locator(".profile:not([hidden])").get_attribute("data-region") == "VT"

            # sorting a table by employment (descending after two clicks)
            th = page.locator(".profile-table:not([hidden]) th", has_text="Employment")
            th.click()
            th.click()
            cells = page.locator(".profile-table:not([hidden]) tbody tr td:nth-child(2)")
            values = [float(t.replace(",", "")) for t in cells.all_inner_texts()[:5]]
            assert values == sorted(values, reverse=True)

            page.screenshot(path="/tmp/report.png", full_page=True)
        finally:
            browser.close()

    assert console == []
    assert requests and all(u.startswith("file://") for u in requests), requests
