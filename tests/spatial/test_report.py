import numpy as np
import polars as pl
import pytest

from klaster.errors import DataError
from klaster.reports.spatial import kd_figure, render_spatial_section, write_spatial_report
from klaster.spatial.analysis import kd_industry


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 50, (500, 2))
    xy[:30] = rng.normal(10, 1, (30, 2))
    pts = pl.DataFrame({"id": [str(i) for i in range(500)],
                        "industry": ["Café <A>"] * 40 + ["B"] * 460,
                        "weight": np.ones(500), "x": xy[:, 0], "y": xy[:, 1]})
    c1, s1 = kd_industry(pts, "Café <A>", n_sim=19)
    c2, s2 = kd_industry(pts, "B", n_sim=19)
    return pl.concat([c1, c2]), pl.concat([s1, s2])


def test_section_lists_industries_escaped(result):
    curves, summary = result
    html = render_spatial_section(curves, summary, unit="m", top=1)
    assert "Café &lt;A&gt;" in html and "<A>" not in html
    assert html.count('class="spatial-chart"') == 1  # top=1: the most localised only
    assert "distance (m)" in html


def test_write_report_is_standalone(result, tmp_path):
    curves, summary = result
    path = write_spatial_report(tmp_path / "kd.html", curves, summary, notes=["n"])
    text = path.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<!doctype html>")
    assert '<script src="http' not in text  # plotly.js inlined, works offline
    assert 'class="spatial-summary"' in text


def test_figure_has_kd_and_bands(result):
    curves, _ = result
    fig = kd_figure(curves.filter(pl.col("industry") == "B"))
    assert [t.name for t in fig.data if t.name] == [
        "local 5–95 % band (Duranton & Overman 2005)", "global band", "Kd"]


def test_missing_columns_named(result):
    curves, summary = result
    with pytest.raises(DataError, match="global_hi"):
        render_spatial_section(curves.drop("global_hi"), summary)
