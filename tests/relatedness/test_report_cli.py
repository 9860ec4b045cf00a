"""The relatedness report and the CLI commands (run through Typer's test runner)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import typer
from scipy.sparse.csgraph import connected_components
from typer.testing import CliRunner

from klaster.relatedness import relatedness
from klaster.relatedness.cli import register
from klaster.reports.relatedness import (
    network_edges,
    network_layout,
    render_relatedness_report,
    write_relatedness_report,
)
from klaster.taxonomy import load_definitions

from ._util import random_counts, stats_from_matrix


def test_network_edges_span_and_keep_strongest():
    rng = np.random.default_rng(0)
    a = rng.random((12, 12))
    phi = (a + a.T) / 2
    edges = network_edges(phi, extra=3)
    adj = np.zeros_like(phi)
    for i, j, _ in edges:
        adj[i, j] = adj[j, i] = 1
    assert connected_components(adj)[0] == 1
    assert len(edges) == 11 + 3
    p = phi.copy()
    np.fill_diagonal(p, 0)
    i, j = np.unravel_index(np.argmax(p), p.shape)
    assert (min(i, j), max(i, j)) in {(e[0], e[1]) for e in edges}
    pos = network_layout(12, edges)
    assert pos.shape == (12, 2) and np.isfinite(pos).all()


def test_report_renders_and_escapes(tmp_path):
    x = random_counts(4, 8, 10)
    stats = stats_from_matrix(x).with_columns(
        pl.when(pl.col("region") == "R000").then(pl.lit("<b>x</b>"))
        .otherwise(pl.col("region")).alias("region"))
    res = relatedness(stats)
    page = render_relatedness_report(res, cluster_result=res, top=3,
                                     cluster_names={"A000": "Cluster <i>"})
    assert "Relatedness × complexity" in page and "Network of related clusters" in page
    assert "<b>x</b>" not in page.split("<script>")[0]
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert "Cluster <i>" not in page
    out = write_relatedness_report(res, tmp_path / "r.html", top=3)
    assert out.read_text(encoding="utf-8").count('class="region-opps"') == 8


@pytest.mark.parametrize("lang,heading,quadrant", [
    ("pl", "Powiązanie × złożoność", "powiązanie, "),
    ("be", "Звязанасць × складанасць", "звязанасць, "),
    ("ru", "Связанность × сложность", "связанность, "),
])
def test_report_in_other_languages(lang, heading, quadrant):
    res = relatedness(stats_from_matrix(random_counts(4, 8, 10)))
    page = render_relatedness_report(res, cluster_result=res, top=3, language=lang)
    assert f'<html lang="{lang}">' in page and heading in page
    assert quadrant in page  # quadrant names of klaster.relatedness.opportunities
    assert "high relatedness" not in page and "What this report shows" not in page


def _flat(text: str) -> str:
    """Rich wraps long lines at the terminal width; compare on single spaces."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def app():
    a = typer.Typer()
    register(a)
    return a


def test_cli_relatedness_and_opportunities(app, tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["relatedness", "--demo", "-o", str(tmp_path / "out"),
                            "--table-format", "csv", "--top", "3"])
    assert r.exit_code == 0, r.output
    assert "50 regions × 970 activities" in _flat(r.output)
    regions = pl.read_csv(tmp_path / "out" / "regions.csv")
    assert regions.height == 50 and regions["eci"].is_not_null().all()
    opp = pl.read_csv(tmp_path / "out" / "opportunities.csv")
    assert opp.group_by("region").len()["len"].max() == 3
    r = runner.invoke(app, ["opportunities", "--demo", "-r", "VT", "--top", "4"])
    assert r.exit_code == 0, r.output
    assert "Opportunities for VT" in _flat(r.output)


def test_cli_derive_and_compare(app, tmp_path):
    runner = CliRunner()
    out = tmp_path / "defs.csv"
    r = runner.invoke(app, ["derive-definitions", "--demo", "-k", "20", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "Validation:" in _flat(r.output)
    defs = load_definitions(out)
    assert defs["cluster"].n_unique() == 20
    r = runner.invoke(app, ["compare-definitions", str(out), "us-benchmark",
                            "-o", str(tmp_path / "dis.csv")])
    assert r.exit_code == 0, r.output
    assert "adjusted Rand index" in _flat(r.output)
    assert pl.read_csv(tmp_path / "dis.csv").height > 0


def test_cli_errors_are_one_line(app, tmp_path):
    r = CliRunner().invoke(app, ["relatedness", "--demo", "--regions", "ZZ",
                                 "-o", str(tmp_path / "x")])
    assert r.exit_code == 2
    assert "not in the statistics table" in _flat(r.output)
