"""Built-in Polish, Belarusian and Lithuanian regions; region names in four languages and
their transliterations matched to ISO 3166-2 codes (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from klaster.cli import app
from klaster.data import load_table
from klaster.errors import IssueLog
from klaster.reports import builtin_geometry, pl_by_lt_geometry, pl_by_lt_notice
from klaster.taxonomy import (
    builtin_region_table,
    builtin_regions,
    match_region_names,
    normalise_region_name,
    recode_region_names,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "examples"

# The brief's transliterations, and what Belstat, GUS and people write.
NAMES = {
    "BY-HR": ["Hrodna", "Grodno", "Гродна", "Гродно", "Гродненская область",
              "Гродзенская вобласць", "obwód grodzieński", "Hrodna Region", "Grodno oblast"],
    "BY-HO": ["Homiel", "Gomel", "Гомельская область", "Гомельская вобласць", "Homel Region"],
    "BY-MA": ["Mahilioŭ", "Mogilev", "Могилевская область", "Могилёвская область",
              "Магілёўская вобласць", "Mahilyow"],
    "BY-VI": ["Viciebsk", "Vitebsk", "Витебская область", "Віцебская вобласць", "Vitsebsk"],
    "BY-BR": ["Brest", "Брест", "Брэст", "Брестская обл.", "Брэсцкая вобласць"],
    "BY-MI": ["Минская область", "Мінская вобласць", "Minsk Region", "Minsk voblast",
              "obwód miński", "Минская обл."],
    "BY-HM": ["Minsk", "Мінск", "Минск", "г. Минск", "город Минск", "горад Мінск", "Mińsk",
              "Minsk City"],
    "PL-PD": ["Podlaskie", "podlaskie", "województwo podlaskie", "WOJEWÓDZTWO PODLASKIE",
              "Подляское воеводство", "Падляскае ваяводства", "PL34", "PL84", "20", "PL-20"],
    "PL-LD": ["Łódzkie", "Lodzkie", "lodzkie", "Łódź Voivodeship", "Лодзинское воеводство",
              "PL11", "PL71", "10"],
    "PL-SK": ["Świętokrzyskie", "Swietokrzyskie", "swietokrzyskie", "PL33", "PL72"],
    "PL-MZ": ["Mazowieckie", "Masovian Voivodeship", "PL12", "PL91+PL92", "Мазовецкое"],
    "PL-WN": ["Warmińsko-mazurskie", "warminsko mazurskie", "Варминско-Мазурское воеводство"],
    "LT-VL": ["Vilniaus apskritis", "Vilnius County", "Вильнюсский уезд", "Віленскі павет",
              "LT011"],
    "LT-KL": ["Klaipėdos apskritis", "Klaipeda County", "Клайпедский уезд"],
}


@pytest.mark.parametrize("code, names", NAMES.items())
def test_names_and_transliterations_match(code, names):
    found = match_region_names(names)
    assert {n: found[n][0] for n in names} == {n: code for n in names}


def test_every_builtin_name_matches_its_own_region_only():
    tab = builtin_region_table()
    cols = ["region", "name_en", "name_pl", "name_be", "name_ru", "name_lt", "name_local",
            "teryt", "nuts2013"]
    for r in tab.iter_rows(named=True):
        names = [r[c] for c in cols if r[c]] + (r["aliases"] or "").split("|")
        found = match_region_names([n for n in names if n])
        bad = {n: v for n, v in found.items() if v[0] != r["region"]}
        assert not bad, (r["region"], bad)


def test_builtin_tables_and_iso_codes():
    by = builtin_regions("by")
    assert sorted(by["region"].to_list()) == ["BY", "BY-BR", "BY-HM", "BY-HO", "BY-HR",
                                              "BY-MA", "BY-MI", "BY-VI"]
    pl_ = builtin_region_table("pl")
    assert pl_.filter(pl.col("kind") == "voivodeship").height == 16
    assert builtin_region_table("lt").filter(pl.col("kind") == "county").height == 10
    assert normalise_region_name("Łódzkie") == normalise_region_name("lodzkie")
    assert normalise_region_name("Мінск") == normalise_region_name("Минск")


def test_region_codes_match_the_builtin_boundaries():
    geo = pl_by_lt_geometry()
    ids = {f["id"] for f in geo["features"]}
    assert len(ids) == 33
    regions = builtin_regions()
    assert set(regions.drop_nulls("geo_id")["geo_id"].to_list()) == ids
    assert {f["id"] for f in pl_by_lt_geometry("by")["features"]} == {
        "BY-BR", "BY-HM", "BY-HO", "BY-HR", "BY-MA", "BY-MI", "BY-VI"}
    # NUTS 2021 codes in the table agree with the boundaries' own property
    tab = builtin_region_table("pl").filter(pl.col("kind") == "voivodeship")
    nuts = dict(zip(tab["region"], tab["nuts2021"]))
    for f in geo["features"]:
        if f["properties"]["country"] == "PL":
            assert nuts[f["id"]] == f["properties"]["nuts2_2021"]
    notice = pl_by_lt_notice()
    assert "OpenStreetMap contributors" in notice and "ODbL" in notice
    _geo, table, attribution = builtin_geometry("pl-by-lt")
    assert "OpenStreetMap" in attribution and table.height == 36


@pytest.mark.shared_data
def test_shipped_boundaries_are_the_shared_copy(shared_data):
    shipped = pl_by_lt_geometry()
    src = json.loads((shared_data / "geo" / "admin1_PL_BY_LT_osm.geojson").read_text())
    assert len(src["features"]) == len(shipped["features"])


def test_belstat_style_table_in_russian_is_recoded(tmp_path):
    src = tmp_path / "belstat.csv"
    src.write_text(
        "Область,ОКЭД,Год,Занято\n"
        "Республика Беларусь,C,2022,1000\n"
        "Брестская область,C,2022,100\n"
        "г. Минск,C,2022,200\n"
        "Гродненская обл.,C,2022,50\n"
        "Могилёвская область,C,2022,70\n"
        "Неизвестная область,C,2022,5\n", encoding="utf-8")
    r = load_table(src, {"region": "Область", "industry": "ОКЭД", "year": "Год",
                         "employment": "Занято"}, region_names="auto")
    got = dict(zip(r.table["region"], r.table["employment"]))
    assert got == {"BY": 1000.0, "BY-BR": 100.0, "BY-HM": 200.0, "BY-HR": 50.0,
                   "BY-MA": 70.0, "Неизвестная область": 5.0}
    unknown = [i for i in r.issues if i.kind == "unknown_region_name"]
    assert [(i.line, i.region) for i in unknown] == [(7, "Неизвестная область")]
    total = [i for i in r.issues if i.kind == "country_total"]
    assert total[0].line == 2


def test_codes_are_not_taken_for_names_in_auto_mode(tmp_path):
    src = tmp_path / "nuts.csv"
    src.write_text("region,industry,year,employment\nPL84,C,2021,1\nPL21,C,2021,2\n")
    r = load_table(src, region_names="auto")
    assert sorted(r.table["region"].to_list()) == ["PL21", "PL84"]


def test_parts_meeting_on_one_region_are_summed():
    t = pl.DataFrame({"region": ["PL91", "PL92", "PL84"], "industry": ["C"] * 3,
                      "year": [2021] * 3, "employment": [10.0, 5.0, 7.0]})
    log = IssueLog()
    out = recode_region_names(t, "pl", issues=log)
    assert dict(zip(out["region"], out["employment"])) == {"PL-MZ": 15.0, "PL-PD": 7.0}


def test_cli_load_worked_example_and_template(tmp_path):
    out = tmp_path / "by.csv"
    issues = tmp_path / "issues.csv"
    res = CliRunner().invoke(app, [
        "load", str(DOCS / "belstat_example_constructed.csv"), "--map", "region=Область",
        "--map", "industry=Раздел ОКЭД", "--map", "year=Год",
        "--map", "employment=Численность работающих", "-o", str(out),
        "--issues", str(issues)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    t = pl.read_csv(out)
    assert sorted(t["region"].unique().to_list()) == ["BY-BR", "BY-HM", "BY-HO", "BY-HR",
                                                      "BY-MA", "BY-MI", "BY-VI"]
    assert t.filter((pl.col("region") == "BY-HR") & (pl.col("industry") == "C")
                    & (pl.col("year") == 2022))["employment"].to_list() == [64000.0]
    res = CliRunner().invoke(app, [
        "load", str(DOCS / "belstat_template.csv"), "--map", "region=Область",
        "--map", "industry=Раздел ОКЭД", "--map", "year=Год",
        "--map", "employment=Численность работающих"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "unpublished employment cells: 7" in res.output


def test_cli_report_with_builtin_pl_by_lt_boundaries(tmp_path):
    defs = tmp_path / "defs.csv"
    defs.write_text("industry,cluster,cluster_name,cluster_type\nC,1,Manufacturing,traded\n"
                    "J,2,ICT,traded\nA,3,Agriculture,traded\nF,4,Construction,local\n"
                    "G,5,Trade,local\n")
    out = tmp_path / "by.html"
    res = CliRunner().invoke(app, [
        "report", str(DOCS / "belstat_example_constructed.csv"), "--map", "region=Область",
        "--map", "industry=Раздел ОКЭД", "--map", "year=Год",
        "--map", "employment=Численность работающих", "-d", str(defs),
        "--boundaries", "pl-by-lt", "--region", "BY-HR", "-o", str(out)],
        env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "Hrodna Region" in html and "OpenStreetMap contributors (ODbL 1.0)" in html
