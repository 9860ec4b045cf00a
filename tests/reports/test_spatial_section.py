"""The firm-level (Kd) section inside the main mapping report, in HTML and in Chromium."""

from __future__ import annotations

import json
import os

import numpy as np
import polars as pl
import pytest

from klaster.reports import render_report, write_report
from klaster.spatial.analysis import kd_industry

from .devdata import small_indicators
from .test_browser import ARGS, CHROMIUM
from .test_html import GEOM, REGIONS

FIXED = {"generated": "2024-01-01 00:00 UTC"}


@pytest.fixture(scope="module")
def kd_result():
    # 40 firms of "25" packed around one point among 460 spread evenly: localised at
    # short distances; "28" is the rest of the economy.
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 50, (500, 2))
    xy[:30] = rng.normal(10, 1, (30, 2))
    pts = pl.DataFrame({"id": [str(i) for i in range(500)],
                        "industry": ["25"] * 40 + ["28"] * 460,
                        "weight": np.ones(500), "x": xy[:, 0], "y": xy[:, 1]})
    parts = [kd_industry(pts, code, n_sim=19) for code in ("25", "28")]
    return pl.concat([c for c, _ in parts]), pl.concat([s for _, s in parts])


def test_section_only_when_asked(kd_result):
    plain = render_report(small_indicators(), geometry=GEOM, regions=REGIONS, metadata=FIXED)
    assert 'id="spatial"' not in plain and 'href="#spatial"' not in plain
    page = render_report(small_indicators(), geometry=GEOM, regions=REGIONS, metadata=FIXED,
                         spatial=kd_result, spatial_unit="m")
    assert 'href="#spatial"' in page and 'id="spatial"' in page
    assert "distance (m)" in page and "Kd of 2 industries" in page
    # plotly.js is inlined exactly once, before the first Kd chart draws
    assert page.count("Plotly.newPlot") >= 1
    assert page.index("plotly.js v") < page.index('class="spatial-chart"')
    assert page.count("plotly.js v") == 1


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is absent")
def test_kd_charts_draw_in_chromium(kd_result, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    path = write_report(small_indicators(), tmp_path / "r.html", geometry=GEOM,
                        regions=REGIONS, metadata=FIXED, spatial=kd_result)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.goto(path.as_uri())
            page.wait_for_function(
                "document.querySelectorAll('.spatial-chart .main-svg').length >= 2 &&"
                "document.querySelectorAll('#map path.choroplethlocation').length > 0",
                timeout=30_000)
            assert page.locator(".spatial-chart").count() == 2
            assert page.locator("table.spatial-summary tbody tr").count() == 2
        finally:
            browser.close()
    assert errors == []


@pytest.mark.parametrize("lang,heading,axis", [
    ("pl", "Gdzie są firmy: koncentracja mierzona odległościami", "odległość (m)"),
    ("ru", "Где расположены фирмы: концентрация по расстояниям", "расстояние (m)"),
])
def test_section_in_other_languages(kd_result, lang, heading, axis):
    page = render_report(small_indicators(), geometry=GEOM, regions=REGIONS, metadata=FIXED,
                         spatial=kd_result, spatial_unit="m", language=lang)
    # plotly writes the figures' JSON with non-ASCII characters as \u escapes
    assert heading in page and json.dumps(axis)[1:-1] in page
    assert "Where firms sit" not in page and "density of pair distances" not in page
