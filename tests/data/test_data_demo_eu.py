"""The EU demo (packaged Eurostat sbs_r_nuts06_r2 extract): content, NUTS 2021 recoding,
the map join to the built-in voivodeships, the CLI (--demo-eu) and bad input named with
its line on the demo data."""

from __future__ import annotations

import polars as pl
import pytest
from typer.testing import CliRunner

from klaster.cli import app
from klaster.data.demo import (
    EU_DEMO_SOURCE,
    eu_demo_provenance,
    eu_demo_regions,
    load_demo,
    load_demo_eu,
    load_demo_eu_raw,
)
from klaster.errors import IssueLog
from klaster.schema import STATS_SCHEMA

# The 28 member states of 2013-2020, written out here (not imported from the build
# script) for an independent check of the regions kept.
EU28 = set("AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE "
           "SI SK UK".split())


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def eu():
    log = IssueLog()
    return load_demo_eu(log), log


def test_raw_table_is_eu28_nuts2_divisions_with_flags():
    raw = load_demo_eu_raw()
    assert raw.schema == pl.Schema(STATS_SCHEMA)
    assert set(raw["region"].str.slice(0, 2).unique()) == EU28
    assert raw["region"].str.len_chars().unique().to_list() == [4]
    assert not raw["region"].str.ends_with("ZZ").any()
    assert raw["industry"].str.contains(r"^\d{2}$").all()
    assert sorted(raw["year"].unique()) == list(range(2008, 2016))
    assert raw["payroll"].is_null().all()
    # unpublished cells stay null and keep their Eurostat flags
    assert raw["employment"].is_null().sum() > 0
    assert raw.filter(pl.col("employment").is_null())["flag"].drop_nulls().len() > 0
    # Podlaskie is PL34 in the data's NUTS 2013 (figure from ../shared/data/README.md)
    row = raw.filter(region="PL34", industry="10", year=2015)
    assert row["employment"].to_list() == [14611.0]
    assert "Source: Eurostat (sbs_r_nuts06_r2), CC BY 4.0" in eu_demo_provenance()


def test_recoded_to_nuts2021_podlaskie_c10_2015(eu):
    table, log = eu
    assert table.filter(region="PL84", industry="10", year=2015)["employment"].to_list() \
        == [14611.0]
    regions = set(table["region"])
    assert "PL34" not in regions and "PL12" not in regions
    assert {"PL84", "PL91+PL92"} <= regions
    assert len(regions) == 277
    # every recoding is written down, with the first line (row) where the code occurs
    pl34 = [i for i in log if i.region == "PL34"]
    assert pl34 and pl34[0].kind == "nuts_recoded" and "PL84" in pl34[0].message
    assert any(i.kind == "nuts_union" and i.region == "PL12" for i in log)
    # one region, one code: no region x industry x year twice
    assert table.select("region", "industry", "year").is_duplicated().sum() == 0


def test_region_table_joins_the_voivodeships_to_the_builtin_boundaries(eu):
    from klaster.reports import builtin_geometry

    table, _ = eu
    regions = eu_demo_regions(table["region"].unique().to_list())
    geo_id = dict(zip(regions["region"], regions["geo_id"]))
    assert geo_id["PL84"] == "PL-PD" and geo_id["PL91+PL92"] == "PL-MZ"
    assert geo_id["DE40"] == "DE40"
    features = {f["id"] for f in builtin_geometry("pl")[0]["features"]}
    polish = regions.filter(pl.col("region").str.starts_with("PL"))
    assert polish.height == 16 and set(polish["geo_id"]) == features
    assert dict(zip(regions["region"], regions["name"]))["PL84"] == "Podlaskie"


def test_us_demo_unchanged():
    assert load_demo()["region"].n_unique() == 50


def test_cli_report_demo_eu_draws_voivodeships_podlaskie_first(tmp_path):
    out = tmp_path / "eu.html"
    res = run("report", "--demo-eu", "-o", out, "--language", "pl")
    assert res.exit_code == 0, res.output
    assert "277 regions, 65 clusters" in res.output
    html = out.read_text(encoding="utf-8")
    assert '<html lang="pl">' in html
    assert '"region": "PL84"' in html or '"region":"PL84"' in html
    for iso in ("PL-PD", "PL-MZ", "PL-SL"):
        assert f'"id": "{iso}"' in html or f'"id":"{iso}"' in html
    # the demo's note in Polish; the source line translated
    assert "Dane demonstracyjne: regionalna statystyka strukturalna" in html
    assert "OpenStreetMap" in html


def test_cli_indicators_and_load_demo_eu(tmp_path):
    out, change = tmp_path / "ind.parquet", tmp_path / "change.parquet"
    res = run("indicators", "--demo-eu", "-o", out, "--change-output", change)
    assert res.exit_code == 0, res.output
    ind = pl.read_parquet(out)
    assert ind["region"].n_unique() == 277 and ind["year"].n_unique() == 8
    assert ind.filter(region="PL84", year=2015)["employment"].sum() > 0
    assert pl.read_parquet(change).filter(region="PL84").height > 0
    res = run("load", "--demo-eu", "-o", tmp_path / "eu.parquet")
    assert res.exit_code == 0, res.output
    assert "150,688" in res.output and "nuts_recoded" in res.output
    assert EU_DEMO_SOURCE.split(",")[0] in res.output
    t = pl.read_parquet(tmp_path / "eu.parquet")
    assert t.filter(region="PL84", industry="10", year=2015)["employment"].to_list() == [
        14611.0]


def test_cli_demo_options_exclude_each_other_and_files(tmp_path):
    assert run("report", "--demo", "--demo-eu", "-o", tmp_path / "x.html").exit_code == 2
    assert run("indicators", tmp_path / "x.csv", "--demo-eu").exit_code == 2
    assert not (tmp_path / "x.html").exists()


def test_bad_input_on_the_demo_data_is_named_with_its_line(tmp_path):
    """The demo's Polish and Lithuanian rows as a user's CSV, with an unknown NUTS code
    and a division in no cluster: each is a warning naming the file and the line, the
    run does not fail, and no row is dropped silently."""
    raw = load_demo_eu_raw().filter(pl.col("region").str.slice(0, 2).is_in(["PL", "LT"]))
    bad = pl.DataFrame({"region": ["PLX9", "PL34"], "industry": ["10", "99"],
                        "year": [2015, 2015], "employment": [5.0, 7.0],
                        "establishments": [1.0, 1.0], "payroll": [None, None],
                        "flag": [None, None]}, schema=raw.schema)
    src = tmp_path / "demo_bad.csv"
    pl.concat([raw, bad]).write_csv(src)
    first_bad_line = raw.height + 2          # header is line 1
    issues = tmp_path / "issues.csv"
    res = run("indicators", src, "-d", "nace-division", "--nuts-version", "2021",
              "-o", tmp_path / "ind.csv", "--issues", issues)
    assert res.exit_code == 0, res.output
    log = pl.read_csv(issues, schema_overrides={"industry": pl.Utf8, "line": pl.Int64})
    unknown = log.filter(kind="nuts_unknown").row(0, named=True)
    assert (unknown["region"], unknown["line"], unknown["file"]) == (
        "PLX9", first_bad_line, str(src))
    unmapped = log.filter(kind="unmapped_code").row(0, named=True)
    assert (unmapped["industry"], unmapped["line"], unmapped["file"]) == (
        "99", first_bad_line + 1, str(src))
    assert "7 employed" in unmapped["message"]
    # PLX9 stays in the indicators as its own region (kept, never dropped)
    assert "PLX9" in set(pl.read_csv(tmp_path / "ind.csv")["region"])


def test_unknown_region_name_on_the_demo_data_is_named_with_its_line(tmp_path):
    from klaster.data import load_table
    from klaster.taxonomy.regions import builtin_region_table

    names = builtin_region_table("pl").select("nuts2013", "name_pl")
    raw = (load_demo_eu_raw().filter(pl.col("region").str.starts_with("PL"), year=2015)
           .join(names, left_on="region", right_on="nuts2013")
           .select(pl.col("name_pl").alias("województwo"), "industry", "year", "employment"))
    typo = pl.DataFrame({"województwo": ["województwo podlaskiee"], "industry": ["10"],
                         "year": [2015], "employment": [3.0]}, schema=raw.schema)
    src = tmp_path / "woj.csv"
    pl.concat([raw, typo]).write_csv(src)
    res = load_table(src, {"region": "województwo"}, region_names="pl")
    bad = [i for i in res.issues if i.kind == "unknown_region_name"]
    assert len(bad) == 1 and bad[0].line == raw.height + 2 and bad[0].file == str(src)
    assert "podlaskie" in bad[0].message.lower()
    t = res.table
    assert t.filter(region="PL-PD", industry="10")["employment"].to_list() == [14611.0]
    assert t.filter(region="województwo podlaskiee").height == 1   # kept, not dropped


@pytest.mark.shared_data
def test_shipped_table_is_what_the_build_script_makes(shared_data, tmp_path, monkeypatch):
    import importlib.util
    from pathlib import Path

    script = Path(__file__).parents[2] / "scripts" / "build_demo_eu_data.py"
    spec = importlib.util.spec_from_file_location("build_demo_eu_data", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    src = shared_data / "eurostat" / "sbs_r_nuts06_r2.tsv.gz"
    if not src.is_file():
        pytest.skip(f"{src} is absent")
    monkeypatch.setattr(mod, "TARGET", tmp_path / "eu.parquet")
    assert mod.main(["build", str(src)]) == 0
    rebuilt = pl.read_parquet(tmp_path / "eu.parquet")
    assert rebuilt.equals(load_demo_eu_raw())


@pytest.mark.shared_data
def test_cli_indicators_on_the_shared_eurostat_file(shared_data, tmp_path):
    src = shared_data / "eurostat" / "sbs_r_nuts06_r2.tsv.gz"
    if not src.is_file():
        pytest.skip(f"{src} is absent")
    issues = tmp_path / "issues.csv"
    res = run("indicators", src, "--nuts-version", "2021", "--nuts-level", "2",
              "-d", "nace-division", "-o", tmp_path / "ind.parquet", "--issues", issues)
    assert res.exit_code == 0, res.output
    ind = pl.read_parquet(tmp_path / "ind.parquet")
    assert "PL84" in set(ind["region"])
    # sections and groups beside the divisions are left out, each named with its line
    log = pl.read_csv(issues, schema_overrides={"industry": pl.Utf8, "line": pl.Int64})
    other = log.filter(kind="other_level")
    assert other.height > 0 and other["line"].is_not_null().all()
    assert set(other["file"]) == {str(src)}
