"""NUTS vintages: the shipped correspondence table, the union rule for splits, merged
rows summed, unknown codes warned with their line (issue 11)."""

from __future__ import annotations

import gzip
import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.data.validate import LINE_COL
from klaster.errors import DataError, IssueLog
from klaster.taxonomy import nuts_changes, nuts_codes, nuts_recode_map, recode_nuts

EXPECTED_2013_TO_2021 = {
    # the brief's list, Poland: renames and the Mazowieckie split
    "PL34": "PL84", "PL11": "PL71", "PL33": "PL72", "PL31": "PL81", "PL32": "PL82",
    "PL12": "PL91+PL92",
    # other EU28 NUTS 2 changes
    "HU10": "HU11+HU12", "LT00": "LT01+LT02", "IE01": "IE04+IE05+IE06",
    "IE02": "IE04+IE05+IE06", "HR04": "HR02+HR05+HR06", "SI01": "SI03", "SI02": "SI04",
    "UKM2": "UKM7+UKM8+UKM9", "UKM3": "UKM7+UKM8+UKM9", "FR21": "FRF2", "FR24": "FRB0",
    "FR30": "FRE1", "FR83": "FRM0", "FRA1": "FRY1", "FRA5": "FRY5",
    # 2010 codes
    "DE41": "DE40", "DE42": "DE40", "EL11": "EL51", "EL21": "EL54", "EL25": "EL65",
    "FI13": "FI1D", "FI1A": "FI1D", "FI18": "FI1B+FI1C", "FR91": "FRY1",
    "UKI1": "UKI3+UKI4", "UKI2": "UKI5+UKI6+UKI7",
    # 2006 codes found in Eurostat's regional SBS file
    "ITD1": "ITH1", "ITE4": "ITI4", "DED1": "DED4", "DED3": "DED5", "UKD2": "UKD6",
    # codes that did not change
    "PL21": "PL21", "PL84": "PL84", "DE40": "DE40", "HR03": "HR03",
}


def test_known_changes_to_2021():
    plan = nuts_recode_map(EXPECTED_2013_TO_2021, 2021)
    assert {c: plan[c][0] for c in EXPECTED_2013_TO_2021} == EXPECTED_2013_TO_2021
    assert plan["PL12"][1] == "union" and plan["PL34"][1] == "recoded"
    assert plan["PL84"][1] == "same"


def test_back_to_2013():
    plan = nuts_recode_map(["PL84", "PL91", "PL92", "LT01", "HU12"], 2013, 2021)
    assert {c: v[0] for c, v in plan.items()} == {
        "PL84": "PL34", "PL91": "PL12", "PL92": "PL12", "LT01": "LT00", "HU12": "HU10"}


def test_table_is_consistent():
    ch = nuts_changes()
    assert set(ch["change"].unique().to_list()) <= {"recoded", "boundary", "merged", "split",
                                                   "regrouped"}
    for r in ch.iter_rows(named=True):
        old, new = r["from_codes"].split("+"), r["to_codes"].split("+")
        kind = r["change"]
        assert (kind in ("recoded", "boundary")) == (len(old) == 1 and len(new) == 1)
        assert (kind == "merged") == (len(old) > 1 and len(new) == 1)
        assert (kind == "split") == (len(old) == 1 and len(new) > 1)
        assert r["to_version"] > r["from_version"]
        # the new codes are valid in their version, the old ones in theirs
        assert set(new) <= nuts_codes(r["to_version"])
        assert set(old) <= nuts_codes(r["from_version"])


@pytest.mark.shared_data
def test_every_nuts2_code_of_the_eurostat_file_meets_nuts2021_boundaries(shared_data):
    geo = json.loads((shared_data / "geo" / "nuts2021_60m_4326.geojson").read_text())
    bounds = {f["properties"]["NUTS_ID"] for f in geo["features"]}
    path = shared_data / "eurostat" / "sbs_r_nuts06_r2.tsv.gz"
    with gzip.open(path, "rt") as fh:
        next(fh)
        codes = {line.split("\t")[0].split(",")[2] for line in fh}
    nuts2 = {c for c in codes if len(c) == 4 and not c.endswith("ZZ")}
    assert len(nuts2) > 250
    plan = nuts_recode_map(nuts2, 2021)
    for code in nuts2:
        label, status, _ = plan[code]
        assert status != "unknown", code
        assert set(label.split("+")) <= bounds, (code, label)
    # every NUTS 2021 NUTS-2 region of the EU28 + NO is reached
    reached = {p for v in plan.values() for p in v[0].split("+")}
    eu28 = set("AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL NO PL PT RO SE "
               "SI SK UK".split())
    want = {c for c in bounds if len(c) == 4 and c[:2] in eu28 and not c.endswith("ZZ")
            and c != "NO0B"}  # Jan Mayen and Svalbard: no SBS figures
    assert want <= reached, sorted(want - reached)


def _stats(rows):
    return pl.DataFrame(rows, schema={"region": pl.Utf8, "industry": pl.Utf8,
                                      "year": pl.Int32, "employment": pl.Float64,
                                      "establishments": pl.Float64, "payroll": pl.Float64,
                                      "flag": pl.Utf8, LINE_COL: pl.Int64}, orient="row")


def test_merge_sums_and_unpublished_part_makes_the_sum_unpublished():
    t = _stats([
        ("DE41", "C", 2010, 100.0, 10.0, None, None, 2),
        ("DE42", "C", 2010, 50.0, None, None, "suppressed", 3),
        ("DE40", "C", 2010, None, None, None, "missing", 4),   # native row, unpublished
        ("DE40", "C", 2015, 180.0, 20.0, None, None, 5),       # native only
        ("PL34", "10", 2015, 14611.0, 469.0, 141500.0, None, 6),
    ])
    log = IssueLog()
    out = recode_nuts(t, 2021, issues=log, source="f.tsv")
    rows = {(r["region"], r["year"]): r for r in out.iter_rows(named=True)}
    # employment 100 + 50; establishments 10 + null -> null; flags joined
    assert rows[("DE40", 2010)]["employment"] == 150.0
    assert rows[("DE40", 2010)]["establishments"] is None
    assert rows[("DE40", 2010)]["flag"] == "suppressed"
    assert rows[("DE40", 2015)]["employment"] == 180.0
    assert rows[("PL84", 2015)]["employment"] == 14611.0
    warned = {i.region: i for i in log}
    assert warned["DE41"].line == 2 and "merged" in warned["DE41"].message
    assert warned["PL34"].kind == "nuts_recoded" and warned["PL34"].file == "f.tsv"


def test_native_published_row_wins_over_recoded_rows():
    t = _stats([("DE41", "C", 2012, 1.0, None, None, None, 2),
                ("DE42", "C", 2012, 1.0, None, None, None, 3),
                ("DE40", "C", 2012, 5.0, None, None, None, 4)])
    log = IssueLog()
    out = recode_nuts(t, 2021, issues=log)
    assert out["employment"].to_list() == [5.0]
    assert log.counts()["region_overlap"] == 1


def test_split_kept_under_union_or_refused():
    t = _stats([("PL12", "C", 2015, 266809.0, None, None, None, 7)])
    log = IssueLog()
    out = recode_nuts(t, 2021, issues=log)
    assert out["region"].to_list() == ["PL91+PL92"]
    union = [i for i in log if i.kind == "nuts_union"][0]
    assert union.line == 7 and "PL91+PL92" in union.message
    with pytest.raises(DataError, match="split") as e:
        recode_nuts(t, 2021, split="error")
    assert e.value.line == 7


def test_unknown_and_extra_regio_are_kept_and_warned_with_line():
    t = _stats([("XX99", "C", 2015, 1.0, None, None, None, 9),
                ("PLZZ", "C", 2015, 2.0, None, None, None, 10)])
    log = IssueLog()
    out = recode_nuts(t, 2021, issues=log)
    assert sorted(out["region"].to_list()) == ["PLZZ", "XX99"]
    got = {i.kind: i.line for i in log}
    assert got == {"nuts_unknown": 9, "nuts_extra_regio": 10}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(
    st.sampled_from(["PL11", "PL12", "PL34", "PL84", "DE41", "DE42", "IE01", "IE02", "LT00",
                     "FR21", "HU10", "AT11"]),
    st.sampled_from(["C", "10", "25"]), st.sampled_from([2014, 2015]),
    st.integers(0, 10**6)), min_size=1, max_size=30, unique_by=lambda r: r[:3]))
def test_recoding_keeps_total_employment(rows):
    """Without overlaps (no old and new code of one territory together), recoding only
    moves and sums rows: total employment per industry and year is unchanged."""
    codes = {r[0] for r in rows}
    if {"PL34", "PL84"} <= codes:
        rows = [r for r in rows if r[0] != "PL84"]
    t = _stats([(r[0], r[1], r[2], float(r[3]), None, None, None, i + 2)
                for i, r in enumerate(rows)])
    out = recode_nuts(t, 2021)
    before = t.group_by("industry", "year").agg(pl.col("employment").sum()).sort("industry",
                                                                                "year")
    after = out.group_by("industry", "year").agg(pl.col("employment").sum()).sort("industry",
                                                                                 "year")
    assert before.equals(after)
    assert out.select("region", "industry", "year").is_duplicated().sum() == 0


def test_nuts_level_and_keep_one_level():
    from klaster.taxonomy.nuts import keep_nuts_level, nuts_level

    assert [nuts_level(c) for c in ("PL", "PL8", "PL84", "PL841", "PL91+PL92", "BY-HR")] == \
        [0, 1, 2, 3, 2, None]
    t = _stats([("PL", "C", 2015, 9.0, None, None, None, 2),
                ("PL8", "C", 2015, 5.0, None, None, None, 3),
                ("PL84", "C", 2015, 1.0, None, None, None, 4),
                ("PL91+PL92", "C", 2015, 3.0, None, None, None, 5)])
    log = IssueLog()
    out = keep_nuts_level(t, 2, issues=log)
    assert sorted(out["region"].to_list()) == ["PL84", "PL91+PL92"]
    assert sorted(i.message for i in log) == [
        "kept NUTS level 2 only: 1 region code(s) of level 0 left out (1 rows)",
        "kept NUTS level 2 only: 1 region code(s) of level 1 left out (1 rows)"]


@pytest.mark.shared_data
def test_union_codes_are_drawn_on_their_parts(shared_data):
    from klaster.reports import load_geometry
    from klaster.reports.geo import add_union_features

    geo = load_geometry(shared_data / "geo" / "nuts2021_60m_4326.geojson",
                        id_property="NUTS_ID")
    out = add_union_features(geo, ["PL84", "PL91+PL92", "XX1+XX2"])
    added = {f["id"]: f for f in out["features"][len(geo["features"]):]}
    assert list(added) == ["PL91+PL92"]
    parts = {f["id"]: f["geometry"] for f in geo["features"] if f["id"] in ("PL91", "PL92")}
    n_parts = sum(1 if g["type"] == "Polygon" else len(g["coordinates"])
                  for g in parts.values())
    assert added["PL91+PL92"]["geometry"]["type"] == "MultiPolygon"
    assert len(added["PL91+PL92"]["geometry"]["coordinates"]) == n_parts
    assert added["PL91+PL92"]["properties"]["parts"] == ["PL91", "PL92"]


def test_nuts_regions_names_union_codes_after_their_parts():
    from klaster.taxonomy import nuts_regions

    t = nuts_regions(["PL84", "PL91+PL92", "PLZZ"])
    got = {r["region"]: (r["name"], r["parent"], r["geo_id"]) for r in t.iter_rows(named=True)}
    assert got["PL84"] == ("Podlaskie", "PL8", "PL84")
    assert got["PL91+PL92"][0] == "Warszawski stołeczny + Mazowiecki regionalny"
    assert got["PLZZ"] == ("PLZZ", None, "PLZZ")


@pytest.mark.shared_data
def test_cli_report_on_eurostat_with_nuts2021_boundaries(shared_data, tmp_path):
    from typer.testing import CliRunner

    from klaster.cli import app

    defs = tmp_path / "defs.csv"
    defs.write_text("industry,cluster,cluster_name,cluster_type\n10,1,Food,traded\n"
                    "11,1,Food,traded\n28,2,Machinery,traded\n47,3,Retail,local\n")
    out = tmp_path / "eu.html"
    res = CliRunner().invoke(app, [
        "report", str(shared_data / "eurostat" / "sbs_r_nuts06_r2.tsv.gz"),
        "--nuts-version", "2021", "--nuts-level", "2", "-d", str(defs),
        "--boundaries", str(shared_data / "geo" / "nuts2021_60m_4326.geojson"),
        "--id-property", "NUTS_ID", "--region", "PL84", "-o", str(out)],
        env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "Podlaskie" in html and "Warszawski stołeczny + Mazowiecki regionalny" in html
