"""The network-metrics, match and schedule commands on a throw-away Typer app."""

from __future__ import annotations

import polars as pl
import typer
from typer.testing import CliRunner

from klaster.networks import write_registry
from klaster.networks.cli import register
from klaster.registry_tables import RegistryTables

from .registry_fixture import build

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_network_metrics(tmp_path):
    write_registry(build(), tmp_path / "reg", fmt="csv")
    out = tmp_path / "m.csv"
    res = runner.invoke(_app(), ["network-metrics", str(tmp_path / "reg"), "-o", str(out),
                                 "--year", "2022", "--centrality", str(tmp_path / "c.csv"),
                                 "--cluster", "2", "--ties", str(tmp_path / "t.parquet")])
    assert res.exit_code == 0, res.output
    m = pl.read_csv(out)
    row = m.filter(pl.col("cluster_id") == 2).row(0, named=True)
    assert row["bridging_organisations"] == "19|14|15" and row["components"] == 2
    c = pl.read_csv(tmp_path / "c.csv")
    assert c["organisation_id"][0] == 19
    assert pl.read_parquet(tmp_path / "t.parquet").height > 0


def test_network_metrics_missing_dir(tmp_path):
    res = runner.invoke(_app(), ["network-metrics", str(tmp_path / "none")])
    assert res.exit_code == 2
    assert "does not exist" in res.output


def test_match(tmp_path):
    orgs = [{"id": 1, "name": "Steel", "helix": "business", "industry_codes": ["25"]},
            {"id": 2, "name": "Lab", "helix": "research", "industry_codes": ["72"]}]
    reqs = [{"id": 5, "organisation_id": 1, "kind": "seek", "topic": "R&D on welding",
             "description": "", "status": "open"}]
    write_registry(RegistryTables.from_frames(organisations=orgs, partner_requests=reqs),
                   tmp_path / "reg")
    res = runner.invoke(_app(), ["match", str(tmp_path / "reg"), "--request", "5", "-o",
                                 str(tmp_path / "s.csv")])
    assert res.exit_code == 0, res.output
    s = pl.read_csv(tmp_path / "s.csv")
    assert s["organisation_id"].to_list() == [2]
    assert "seeks R&D; candidate is a research body" in s["reasons"][0]


def test_schedule_files(tmp_path):
    (tmp_path / "p.csv").write_text("participant_id,name,available\n1,Ann,0|1\n2,Bob,\n"
                                    "3,Cid,1\n")
    (tmp_path / "r.csv").write_text("a,b,priority\n1,2,1\n1,3,2\n")
    res = runner.invoke(_app(), ["schedule", str(tmp_path / "p.csv"), "--requests",
                                 str(tmp_path / "r.csv"), "--slots", "2", "--start", "10:00",
                                 "-o", str(tmp_path / "m.csv"), "--agendas",
                                 str(tmp_path / "ag")])
    assert res.exit_code == 0, res.output
    m = pl.read_csv(tmp_path / "m.csv")
    assert sorted(m.select("a", "b", "slot_label").rows()) == [(1, 2, "10:00"),
                                                                (1, 3, "10:20")]
    text = (tmp_path / "ag" / "agenda-1.txt").read_text()
    assert text.index("10:00") < text.index("10:20") and "Bob" in text and "Cid" in text


def test_schedule_bad_availability(tmp_path):
    (tmp_path / "p.csv").write_text("participant_id,available\n1,0|x\n2,\n")
    (tmp_path / "r.csv").write_text("a,b\n1,2\n")
    res = runner.invoke(_app(), ["schedule", str(tmp_path / "p.csv"), "--requests",
                                 str(tmp_path / "r.csv"), "-o", str(tmp_path / "m.csv")])
    assert res.exit_code == 2
    assert "line 2" in res.output and not (tmp_path / "m.csv").exists()
