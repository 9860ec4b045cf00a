"""Consensus of evaluators, peer percentiles by hand, and the CLI commands."""

from __future__ import annotations

import json

import polars as pl
import pytest
import typer
import yaml
from typer.testing import CliRunner

from klaster.assessment import assess, consensus, load_rubric, peer_percentiles
from klaster.assessment.cli import register
from klaster.errors import DataError

from .test_builtin_rubrics import KKK_PASS


def test_consensus_median_majority_and_spread():
    a = {"fairs": 1, "missions": 4, "dual_education": True, "ip_rights": None}
    b = {"fairs": 3, "missions": 2, "dual_education": False, "ip_rights": 7}
    c = {"fairs": 10, "missions": 2, "dual_education": True}
    con = consensus([a, b, c])
    # medians: fairs (1, 3, 10) -> 3; missions (4, 2, 2) -> 2; ip_rights only 7 -> 7
    assert con.values["fairs"] == 3 and con.values["missions"] == 2
    assert con.values["ip_rights"] == 7 and con.spread["ip_rights"].n == 1
    assert con.values["dual_education"] is True  # 2 yes of 3
    s = con.spread["fairs"]
    assert (s.min, s.max, s.range, s.n) == (1, 10, 9, 3)
    assert s.agreement == pytest.approx(1 / 3)  # only b gave 3
    assert con.spread["dual_education"].agreement == pytest.approx(2 / 3)
    assert con.n_evaluators == 3 and con.ties == []


def test_consensus_even_count_and_ties():
    con = consensus([{"fairs": 2, "smart": True}, {"fairs": 5, "smart": False}])
    assert con.values["fairs"] == 3.5  # (2 + 5) / 2
    assert con.values["smart"] is None and con.ties == ["smart"]
    with pytest.raises(DataError):
        consensus([])


def test_consensus_of_results_then_assess():
    rub = load_rubric("kkk-2021")
    r1 = assess(rub, KKK_PASS)
    r2 = assess(rub, {**KKK_PASS, "fairs": 0, "dual_education": True})
    r3 = assess(rub, {**KKK_PASS, "fairs": 1, "dual_education": True})
    con = consensus([r1, r2, r3], rubric=rub)
    # fairs (4, 0, 1) -> 1; dual education (no, yes, yes) -> yes
    assert con.values["fairs"] == 1 and con.values["dual_education"] is True
    final = assess(rub, con.values)
    # from KKK_PASS: knowledge 5 -> 4 (fairs 1 gives 1 not 2), policy 6 -> 8
    # 20 × (5/6 + 7/8 + 4/8 + 8/8 + 1/4) = 20 × 3.458333 = 69.1667 %
    assert final.percent == pytest.approx(69.166667, abs=1e-5)
    json.dumps(con.to_dict())


def test_peer_percentiles_by_hand():
    df = pl.DataFrame({
        "cluster_id": [1, 2, 3, 4, 1, 2, 1, 2],
        "year": [2023, 2023, 2023, 2023, 2023, 2023, 2022, 2022],
        "kpi": ["members"] * 4 + ["sme_share"] * 2 + ["members"] * 2,
        "value": [10.0, 20.0, 20.0, 40.0, 0.5, None, 7.0, 7.0],
    })
    out = peer_percentiles(df)
    # members 2023, n = 4: 10 -> (0 + 0.5) / 4 = 12.5; 20 (tied twice) -> (1 + 1) / 4 =
    # 50; 40 -> (3 + 0.5) / 4 = 87.5.  sme_share 2023: single value -> 50, null -> null.
    # members 2022: two equal -> (0 + 1) / 2 = 50 each.
    assert out.get_column("percentile").to_list() == [12.5, 50.0, 50.0, 87.5, 50.0, None,
                                                      50.0, 50.0]
    assert out.get_column("n_peers").to_list() == [4, 4, 4, 4, 1, 1, 2, 2]


def test_peer_percentiles_rejects_bad_input():
    with pytest.raises(DataError, match="lack column"):
        peer_percentiles(pl.DataFrame({"cluster_id": [1], "year": [2023], "value": [1.0]}))
    dup = pl.DataFrame({"cluster_id": [1, 1], "year": [2023, 2023], "kpi": ["m", "m"],
                        "value": [1.0, 2.0]})
    with pytest.raises(DataError, match="line 3"):  # second row under a header
        peer_percentiles(dup)


@pytest.fixture()
def app():
    a = typer.Typer()
    register(a)
    return a


def test_cli_rubrics_lists_builtins(app):
    r = CliRunner().invoke(app, ["rubrics"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    for key in ("kkk-2021", "esca-gold", "esca-bronze", "parp-standards", "eccp-profile",
                "hu-accreditation", "by-template"):
        assert key in r.output


def test_cli_rubric_check(app, tmp_path):
    from .test_rubric_errors import BASE

    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(BASE), encoding="utf-8")
    r = CliRunner().invoke(app, ["rubric-check", str(good)], env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "valid rubric test-1" in r.output
    broken = dict(BASE, levels=[{"name": "X", "min_percent": 80},
                                {"name": "Y", "min_percent": 50}])
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(broken), encoding="utf-8")
    r = CliRunner().invoke(app, ["rubric-check", str(bad)], env={"COLUMNS": "300"})
    assert r.exit_code == 1
    assert "levels[1].min_percent: levels must be in ascending order" in r.output
    r = CliRunner().invoke(app, ["rubric-check", str(tmp_path / "none.yaml")])
    assert r.exit_code == 1


def test_cli_assess_prints_and_writes_json(app, tmp_path):
    values = tmp_path / "v.yaml"
    values.write_text(yaml.safe_dump(KKK_PASS), encoding="utf-8")
    out = tmp_path / "out" / "result.json"
    r = CliRunner().invoke(app, ["assess", "--rubric", "kkk-2021", "--values", str(values),
                                 "--json", str(out)], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "Total: 24 of 34 points, 66.67 %." in r.output
    assert "Passed — level: Key National Cluster" in r.output
    assert "Trade fairs [Knowledge creation and transfer]: 4 falls in the band" in r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["level"] == "Key National Cluster" and data["total"] == 24
    # values as JSON, phase rules
    vj = tmp_path / "v.json"
    vj.write_text(json.dumps({"coordinator_designated": True}), encoding="utf-8")
    r = CliRunner().invoke(app, ["assess", "-r", "parp-standards", "--values", str(vj),
                                 "--phase", "maturity"], env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "Not passed" in r.output and "Missing inputs" in r.output
    r = CliRunner().invoke(app, ["assess", "-r", "parp-standards", "--values", str(vj),
                                 "--phase", "old"])
    assert r.exit_code == 2 and "phase 'old'" in r.output


def test_cli_assess_warns_of_values_the_rubric_does_not_use(app, tmp_path):
    values = tmp_path / "v.yaml"
    values.write_text("management_fte: 1\nmembers_comitted: 20\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["assess", "-r", "eccp-profile", "--values", str(values)],
                           env={"COLUMNS": "300"})
    assert r.exit_code == 0, r.output
    assert "not indicators of eccp-profile, ignored: members_comitted" in r.output
    # the misspelt count is missing, so the 15-member gate cannot pass
    assert "Not passed" in r.output
