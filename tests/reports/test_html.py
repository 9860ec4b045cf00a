"""The HTML report: offline, escaped, expected values, portfolio y-axis rules, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from klaster.errors import DataError
from klaster.reports import render_report, write_report
from klaster.schema import CHANGE_COLUMNS

from .devdata import cbp_cluster_indicators, small_indicators

FIXED = {"generated": "2024-01-01 00:00 UTC"}


def square(fid: str, x: float) -> dict:
    ring = [[x, 0.0], [x + 1, 0.0], [x + 1, 1.0], [x, 1.0], [x, 0.0]]
    return {"type": "Feature", "id": fid, "properties": {},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


GEOM = {"type": "FeatureCollection",
        "features": [square("g-aa", 0), square("g-bb", 1), square("g-cc", 2)]}
REGIONS = pl.DataFrame({"region": ["AA", "BB", "CC"], "name": ["Alpha", "Beta", "Gamma"],
                        "parent": [None, None, None], "geo_id": ["g-aa", "g-bb", "g-cc"]},
                       schema={"region": pl.Utf8, "name": pl.Utf8, "parent": pl.Utf8,
                               "geo_id": pl.Utf8})


def payload(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="klaster-data">(.*?)</script>', page,
                  re.DOTALL)
    assert m, "data block missing"
    return json.loads(m.group(1))


def section(page: str, attr: str, value: str) -> str:
    """The table wrapped by the element with data-<attr>="value" (tables are not nested)."""
    kind = "top-regions" if attr == "cluster" else "profile-table"
    start = page.index(f'{kind}" data-{attr}="{value}"')
    return page[start:page.index("</table>", start)]


@pytest.fixture(scope="module")
def page() -> str:
    return render_report(small_indicators(), geometry=GEOM, regions=REGIONS,
                         title="Test report", source_note="Hand-made data", metadata=FIXED)


def test_page_is_offline(page: str):
    # no external script, stylesheet, font, image or frame: nothing to fetch
    assert not re.search(r"<script[^>]*\bsrc=", page, re.IGNORECASE)
    assert not re.search(r"<link\b", page, re.IGNORECASE)
    assert not re.search(r"<(img|iframe)\b", page, re.IGNORECASE)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", page, re.IGNORECASE)
    # plotly.js is inlined exactly once
    assert page.count("<script") == 4
    assert len(re.findall(r"Plotly\.register|plotly\.js v\d", page)) >= 1
    assert page.count('id="klaster-data"') == 1


def test_header_counts_and_definitions(page: str):
    assert "<h1>Test report</h1>" in page
    assert "Hand-made data · 2021" in page
    assert 'id="kpi-regions">3<' in page
    assert 'id="kpi-strong">2<' in page  # AA-c1 and BB-c2 are strong
    for term in ("Location quotient (LQ)", "Strong cluster", "Stars"):
        assert f"<dt>{term}</dt>" in page


def test_map_and_default_cluster(page: str):
    assert 'id="map"' in page
    d = payload(page)
    # largest traded cluster by employment: Biopharma (3,000 + 9,000 + 1,234,567)
    assert d["cluster"] == "c2"
    assert '<option value="c2" selected>Biopharma</option>' in page
    assert d["map"]["allKeys"] == ["g-aa", "g-bb", "g-cc"]
    aero = d["map"]["data"]["c1"]
    assert aero["loc"] == ["g-aa", "g-cc", "g-bb"]  # ordered by LQ 2.5, 0.9, 0.4
    # colour = log10 of the LQ clamped to [0.25, 4]
    assert aero["z"] == pytest.approx([0.39794000867, -0.04575749056, -0.39794000867])
    assert "Alpha" in aero["text"][0] and "LQ: 2.50" in aero["text"][0]
    assert "local" not in {c for c in d["map"]["data"]}  # no local cluster on the map
    assert "c9" not in d["map"]["data"]


def test_ranked_tables_have_expected_values(page: str):
    top = section(page, "cluster", "c1")
    rows = re.findall(r"<tr>(.*?)</tr>", top, re.DOTALL)[1:]
    assert len(rows) == 3
    assert "Alpha" in rows[0] and "12,000" in rows[0] and "2.50" in rows[0]
    assert "Strong" in rows[0] and "Top 10%" in rows[0] and "★★☆" in rows[0]
    assert "Gamma" in rows[1] and "1,500" in rows[1] and "0.90" in rows[1]
    prof = section(page, "region", "CC")
    assert "1,234,567" in prof  # thousands separators
    assert "Local Health" in prof and "b-local" in prof


def test_profile_lists(page: str):
    i = page.index('class="profile" data-region="BB"')
    block = page[i:page.index('class="profile"', i + 10)]
    assert "Strong clusters" in block and "Biopharma" in block and "LQ 1.80" in block


def test_single_year_portfolio_never_shows_growth():
    df = small_indicators().with_columns(
        payroll=pl.when((pl.col("region") == "AA") & (pl.col("cluster") == "c1"))
        .then(12000.0 * 90).otherwise(pl.col("payroll")))
    d = payload(render_report(df, geometry=GEOM, regions=REGIONS, metadata=FIXED))
    p = d["portfolio"]
    assert p["mode"] == "wage" and p["national"] == 1.0
    assert "single year" in p["note"] and "no employment growth" in p["note"]
    # national wage of c1 = (1,080,000 + 120,000 + 90,000) / 15,500 = 83.2258...
    # AA: 90 / 83.2258 = 1.081395; BB and CC: 60 / 83.2258 = 0.720930
    aa = p["regions"]["AA"]
    assert aa["y"][aa["label"].index("Aerospace")] == pytest.approx(1.0813953, rel=1e-6)
    bb = p["regions"]["BB"]
    assert bb["y"][bb["label"].index("Aerospace")] == pytest.approx(0.7209302, rel=1e-6)
    assert "growth" not in json.dumps(p["regions"]).lower()


def test_change_table_gives_growth():
    rows = []
    for r, c, e0, e1, g in [("AA", "c1", 10000.0, 12000.0, 0.0466), ("AA", "c2", 3000.0, 3000.0,
                             0.0), ("BB", "c1", 2000.0, 2000.0, 0.0),
                            ("BB", "c2", 8000.0, 9000.0, 0.03), ("CC", "c1", 1500.0, 1500.0,
                             0.0), ("CC", "c2", 1234567.0, 1234567.0, 0.0),
                            # start not published: left out of the national rate
                            ("CC", "c3", None, 5000.0, None)]:
        rows.append({"region": r, "cluster": c, "cluster_name": "x", "cluster_type": "traded",
                     "year_start": 2017, "year_end": 2021, "employment_start": e0,
                     "employment_end": e1, "cagr": g,
                     "job_creation": None if e0 is None else e1 - e0,
                     "lq_start": 1.0, "lq_end": 1.0, "lq_change": 0.0})
    change = pl.DataFrame(rows).select(CHANGE_COLUMNS)
    page = render_report(small_indicators(), geometry=GEOM, regions=REGIONS, change=change,
                         metadata=FIXED)
    p = payload(page)["portfolio"]
    assert p["mode"] == "growth"
    # national: start 10,000+3,000+2,000+8,000+1,500+1,234,567 = 1,259,067, end 1,262,067;
    # (1,262,067 / 1,259,067)^(1/4) - 1 = 0.000595148 -> 0.0595148 % a year
    assert p["national"] == pytest.approx(0.0595148, rel=1e-5)
    aa = p["regions"]["AA"]
    assert aa["y"][aa["label"].index("Aerospace")] == pytest.approx(4.66)
    assert "Employment growth, % a year" in page


def test_malicious_names_are_escaped():
    evil = '<script>alert("x")</script>'
    df = small_indicators().with_columns(
        cluster_name=pl.when(pl.col("cluster") == "c1").then(pl.lit(evil))
        .otherwise(pl.col("cluster_name")))
    regions = REGIONS.with_columns(name=pl.lit('<img src=x onerror=alert(1)>'))
    page = render_report(df, geometry=GEOM, regions=regions, title="<b>T</b>",
                         metadata={"caveats": ["<i>c</i>"], "run": "<u>u</u>"})
    for raw in (evil, "<img src=x", "<b>T</b>", "<i>c</i>", "<u>u</u>"):
        assert raw not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;b&gt;T&lt;/b&gt;" in page
    # the data block is valid JSON and hover labels are HTML-escaped for plotly
    d = payload(page)
    assert d["clusterNames"]["c1"] == evil
    assert "&lt;img src=x" in d["map"]["data"]["c1"]["text"][0]
    assert "&lt;script&gt;" in d["portfolio"]["regions"]["AA"]["label"][0]


def test_regions_without_shapes_are_reported():
    geom = {"type": "FeatureCollection", "features": GEOM["features"][:2]}
    page = render_report(small_indicators(), geometry=geom, regions=REGIONS, metadata=FIXED)
    assert 'id="map-missing"' in page
    assert "1 region without a shape in the boundary file" in page
    assert 'No boundary shape for: <span translate="no">Gamma (CC)</span>' in page
    assert "g-cc" not in payload(page)["map"]["allKeys"]
    assert "Gamma" in section(page, "cluster", "c1")  # still in the tables


def test_no_map_without_boundaries_for_non_us_codes():
    page = render_report(small_indicators(), metadata=FIXED)
    assert 'id="no-map"' in page and 'id="map"' not in page
    assert payload(page)["map"] is None


def test_us_codes_use_builtin_states(shared_data: Path):
    df = cbp_cluster_indicators(shared_data)
    page = render_report(df, metadata=FIXED)
    d = payload(page)
    assert d["map"]["projection"] == "albers usa"
    assert len(d["map"]["allKeys"]) == 50 and "11" not in d["map"]["allKeys"]  # no DC in CBP
    assert d["regionNames"]["CO"] == "Colorado"
    assert "us-atlas 3.0.1" in page and 'id="map-missing"' not in page
    assert len(d["clusterNames"]) == 51


def test_bad_input_errors():
    df = small_indicators()
    with pytest.raises(DataError) as e:
        render_report(df.drop("lq"))
    assert e.value.field == "lq"
    with pytest.raises(DataError, match="cluster 'c9' is not a traded cluster"):
        render_report(df, cluster="c9")
    with pytest.raises(DataError, match="year 1999 is not in the indicator table"):
        render_report(df, year=1999)
    with pytest.raises(DataError, match="empty"):
        render_report(df.head(0))


def test_options_select_cluster_and_region():
    page = render_report(small_indicators(), geometry=GEOM, regions=REGIONS, cluster="c1",
                         region="BB", metadata=FIXED)
    d = payload(page)
    assert (d["cluster"], d["region"]) == ("c1", "BB")
    assert '<option value="BB" selected>Beta</option>' in page
    assert re.search(r'class="profile" data-region="AA" hidden', page)
    assert re.search(r'class="profile" data-region="BB">', page)


def test_write_report_is_atomic_and_matches_render(tmp_path: Path):
    out = write_report(small_indicators(), tmp_path / "r.html", geometry=GEOM,
                       regions=REGIONS, metadata=FIXED)
    assert out.read_text(encoding="utf-8") == render_report(
        small_indicators(), geometry=GEOM, regions=REGIONS, metadata=FIXED)
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
    with pytest.raises(DataError):
        write_report(small_indicators().drop("lq"), tmp_path / "r.html")
    assert "Biopharma" in out.read_text(encoding="utf-8")  # old file untouched


def _np_area(ring) -> float:
    import numpy as np

    a = np.asarray(ring, dtype=float)
    return 0.5 * float(np.sum(a[:-1, 0] * a[1:, 1] - a[1:, 0] * a[:-1, 1]))


def test_polygons_are_rewound_for_d3():
    # RFC 7946 winding (exterior counter-clockwise, hole clockwise) must be flipped: d3-geo,
    # which plotly uses, draws a counter-clockwise exterior as the rest of the globe.
    outer = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
    hole = [[1, 1], [1, 2], [2, 2], [2, 1], [1, 1]]
    assert _np_area(outer) > 0 and _np_area(hole) < 0
    geom = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "g-aa", "properties": {},
         "geometry": {"type": "Polygon", "coordinates": [outer, hole]}},
        {"type": "Feature", "id": "g-bb", "properties": {},
         "geometry": {"type": "MultiPolygon", "coordinates": [[outer[::-1]]]}},
    ]}
    regions = REGIONS.filter(pl.col("region") != "CC")
    d = payload(render_report(small_indicators().filter(pl.col("region") != "CC"),
                              geometry=geom, regions=regions, metadata=FIXED))
    f_aa, f_bb = d["map"]["geojson"]["features"]
    ext, inner = f_aa["geometry"]["coordinates"]
    assert _np_area(ext) == pytest.approx(-16) and _np_area(inner) == pytest.approx(1)
    assert sorted(map(tuple, ext)) == sorted(map(tuple, outer))  # same points
    assert _np_area(f_bb["geometry"]["coordinates"][0][0]) == pytest.approx(-16)


def test_puerto_rico_is_flagged_outside_albers_usa():
    base = small_indicators()
    df = pl.concat([base.filter(pl.col("region") == r).with_columns(region=pl.lit(n))
                    for r, n in [("AA", "PR"), ("BB", "CO")]])
    page = render_report(df, metadata=FIXED)
    assert 'id="map-outside"' in page
    assert "Puerto Rico (PR) lies outside the Albers USA map projection" in page
    assert payload(page)["map"]["projection"] == "albers usa"
    page = render_report(df, metadata=FIXED, map_projection="mercator")
    assert 'id="map-outside"' not in page
