"""The command line, end to end: each command on the bundled demo data or small files."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from klaster.cli import app

runner = CliRunner()


def run(*args):
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    return result


def test_report_on_demo_data_is_self_contained(tmp_path):
    out = tmp_path / "report.html"
    res = run("report", "--demo", "-o", out)
    assert res.exit_code == 0, res.output
    assert "50 regions, 67 clusters" in res.output
    html = out.read_text(encoding="utf-8")
    assert "Automotive" in html and "Michigan" in html
    assert "<script src=" not in html  # everything inline: works offline


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".xlsx"])
def test_indicators_written_in_each_format(tmp_path, suffix):
    out = tmp_path / f"ind{suffix}"
    res = run("indicators", "--demo", "-o", out, "--lq-denominator", "type")
    assert res.exit_code == 0, res.output
    assert "3,116 rows (50 regions × 67 clusters × 1 year(s))" in res.output
    if suffix == ".parquet":
        df = pl.read_parquet(out)
    elif suffix == ".csv":
        df = pl.read_csv(out, schema_overrides={"cluster": pl.Utf8})
    else:
        df = pl.read_excel(out)
    assert df.height == 3116
    assert {"region", "cluster", "lq", "strong", "stars"} <= set(df.columns)


def test_indicators_with_two_years_writes_change(tmp_path):
    rows = []
    for year, scale in ((2019, 1.0), (2021, 1.21)):
        for region, auto, hosp in (("MI", 100, 50), ("NV", 10, 300), ("OH", 60, 80)):
            rows.append({"region": region, "industry": "336111", "year": year,
                         "employment": auto * scale, "establishments": 5, "payroll": 1000})
            rows.append({"region": region, "industry": "721110", "year": year,
                         "employment": hosp, "establishments": 9, "payroll": 900})
    src = tmp_path / "panel.csv"
    pl.DataFrame(rows).write_csv(src)
    change = tmp_path / "change.csv"
    res = run("indicators", src, "-o", tmp_path / "ind.parquet", "--change-output", change)
    assert res.exit_code == 0, res.output
    ch = pl.read_csv(change, schema_overrides={"cluster": pl.Utf8})
    auto = ch.filter((pl.col("region") == "MI") & (pl.col("cluster") == "5"))
    # employment grew by 21 % over two years: CAGR 10 %
    assert auto["cagr"][0] == pytest.approx(0.10)
    assert auto["job_creation"][0] == pytest.approx(21)


def test_bad_input_names_file_line_and_field(tmp_path):
    src = tmp_path / "bad.csv"
    src.write_text("region,industry,year,employment\nMI,336111,2021,10\nOH,336111,2021,-4\n")
    res = run("indicators", src, "-o", tmp_path / "x.parquet")
    assert res.exit_code == 2
    assert "bad.csv" in res.output and "line 3" in res.output and "employment" in res.output
    assert not (tmp_path / "x.parquet").exists()


def test_missing_file_is_a_clear_error(tmp_path):
    res = run("report", tmp_path / "nope.csv")
    assert res.exit_code == 2
    assert "nope.csv" in res.output and "not found" in res.output


def test_report_needs_a_source():
    res = run("report")
    assert res.exit_code != 0
    assert "--demo" in res.output


def test_load_converts_and_reports(tmp_path, cbp_state_csv):
    out = tmp_path / "canon.parquet"
    res = run("load", cbp_state_csv, "-o", out)
    assert res.exit_code == 0, res.output
    assert "37,022" in res.output and "126,204,855" in res.output
    df = pl.read_parquet(out)
    assert df.columns == ["region", "industry", "year", "employment", "establishments",
                          "payroll", "flag"]
    # the canonical Parquet is recognised and read back as such
    res2 = run("indicators", out, "-o", tmp_path / "ind.csv")
    assert res2.exit_code == 0, res2.output


def test_definitions_command_counts(tmp_path):
    out = tmp_path / "defs.csv"
    res = run("definitions", "-o", out, "--demo")
    assert res.exit_code == 0, res.output
    assert "67 clusters (51 traded, 16 local)" in res.output
    assert "1,865,355" in res.output  # employment in split codes, CBP 2021
    assert pl.read_csv(out).height > 1000


def test_concentration_command(tmp_path):
    out = tmp_path / "conc.csv"
    res = run("concentration", "--demo", "-o", out)
    assert res.exit_code == 0, res.output
    df = pl.read_csv(out, schema_overrides={"industry": pl.Utf8})
    assert df["industry"].n_unique() == df.height  # one year: one row per industry
    assert df["gini"].drop_nulls().is_between(0, 1).all()


def test_fetch_uses_the_cache_without_network(tmp_path):
    cached = tmp_path / "cbp" / "cbp_2021_state.json"
    cached.parent.mkdir(parents=True)
    cached.write_text(json.dumps([["NAICS2017", "ESTAB", "EMP", "PAYANN", "state"]]))
    res = run("fetch", "cbp", "--year", "2021", "--cache-dir", tmp_path)
    assert res.exit_code == 0, res.output
    assert "cbp_2021_state.json" in res.output


def test_report_language_and_shift_share_in_change_output(tmp_path):
    from reports import i18ndata  # tests/reports (pytest puts tests/ on sys.path)

    from klaster.indicators import SHIFT_SHARE_COLUMNS

    stats, defs = tmp_path / "stats.csv", tmp_path / "defs.csv"
    i18ndata.stats().drop("flag").write_csv(stats)
    i18ndata.definitions().write_csv(defs)
    out = tmp_path / "r.html"
    res = run("report", stats, "--definitions", defs, "-o", out, "--language", "be")
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert '<html lang="be">' in html and "Раскладанне росту (метад зрухаў і доляў)" in html
    assert "працоўных месцаў" in html  # the allocation caveat, rendered in Belarusian
    bad = run("report", stats, "--definitions", defs, "-o", out, "--language", "de")
    assert bad.exit_code == 2
    change = tmp_path / "change.csv"
    res = run("indicators", stats, "--definitions", defs, "-o", tmp_path / "i.csv",
              "--change-output", change)
    assert res.exit_code == 0, res.output
    ch = pl.read_csv(change)
    total = sum(ch[c] for c in SHIFT_SHARE_COLUMNS[:3])
    assert ((total - ch["job_creation"]).abs() < 1e-6).all()
