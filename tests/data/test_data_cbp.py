import json
from pathlib import Path

import polars as pl
import pytest

from klaster.data.cbp import (
    detect_cbp_layout, load_cbp, load_cbp_api_json, load_cbp_bulk, load_cbp_extract,
    normalize_naics,
)
from klaster.errors import DataError

FIX = Path(__file__).parent / "fixtures"


def _rows(table: pl.DataFrame) -> dict[tuple[str, str], tuple]:
    return {(r["region"], r["industry"]): (r["employment"], r["establishments"],
                                           r["payroll"], r["flag"])
            for r in table.iter_rows(named=True)}


@pytest.mark.parametrize("raw, expected", [
    ("------", "00"), ("31----", "31-33"), ("44----", "44-45"), ("23----", "23"), ("3361//", "3361"), ("33611/", "33611"),
    ("336111", "336111"), ("31-33", "31-33"), (" 48---- ", "48-49"),
])
def test_normalize_naics(raw, expected):
    assert normalize_naics(raw) == expected


def test_bulk_county_2021_noise_and_suppression():
    r = load_cbp(FIX / "cbp21co.txt")
    assert r.issues.issues[0].kind == "layout" and "bulk" in r.issues.issues[0].message
    rows = _rows(r.table)
    assert r.table["year"].unique().to_list() == [2021]
    assert rows[("10001", "00")] == (1200.0, 90.0, 46000.0, "G")
    assert rows[("10001", "31-33")] == (300.0, 10.0, 12000.0, "H")
    assert rows[("10001", "3361")] == (120.0, 3.0, 5100.0, "J")
    assert rows[("10001", "336111")] == (None, 2.0, None, "suppressed")
    assert rows[("10003", "31-33")] == (None, 4.0, None, "suppressed")
    sup = [i for i in r.issues if i.kind == "suppressed" and i.field == "employment"]
    assert [(i.line, i.region, i.industry) for i in sup] == [(5, "10001", "336111"),
                                                            (8, "10003", "31-33")]
    assert "emp_nf D" in sup[0].message and "emp_nf S" in sup[1].message


def test_bulk_county_old_layout_empflag_ranges():
    r = load_cbp_bulk(FIX / "cbp16co.txt")
    rows = _rows(r.table)
    assert r.table["year"].unique().to_list() == [2016]
    assert rows[("01001", "11")][0] is None and rows[("01001", "11")][3] == "suppressed"
    assert rows[("01001", "311")][0] is None
    assert rows[("01001", "21")] == (25.0, 3.0, 1200.0, "H")
    msgs = {i.industry: i.message for i in r.issues if i.field == "employment"}
    assert "0-19" in msgs["11"] and "20-99" in msgs["311"]


def test_bulk_state_keeps_all_establishment_rows():
    r = load_cbp_bulk(FIX / "cbp21st.txt")
    assert _rows(r.table) == {("10", "00"): (397694.0, 26000.0, 25000000.0, "G"),
                             ("10", "31-33"): (25000.0, 600.0, 1700000.0, "H")}
    assert [i.kind for i in r.issues] == ["breakdown_rows"]
    assert "2 legal-form" in r.issues.issues[0].message


def test_api_json_state():
    r = load_cbp(FIX / "cbp_2021_state.json")
    assert "api_json" in r.issues.issues[0].message
    rows = _rows(r.table)
    assert set(rows) == {("10", "00"), ("10", "31-33"), ("10", "3361"), ("44", "00")}
    assert rows[("10", "31-33")] == (25000.0, 600.0, 1700000.0, "H")
    assert rows[("10", "3361")][0] is None and rows[("10", "3361")][3] == "suppressed"
    sup = [i for i in r.issues if i.kind == "suppressed"]
    assert len(sup) == 1 and sup[0].line == 4 and "EMP_F=a" in sup[0].message
    assert any(i.kind == "breakdown_rows" for i in r.issues)


def test_api_json_county_region_is_five_digit_fips():
    r = load_cbp_api_json(FIX / "cbp_2021_county.json")
    assert sorted(r.table["region"].unique().to_list()) == ["10001", "10003"]
    assert r.table["employment"].sum() == 2300.0


def test_api_json_errors(tmp_path):
    p = tmp_path / "cbp_2021_state.json"
    p.write_text(json.dumps([["NAICS2017", "EMP", "state"], ["00", "5"]]))
    with pytest.raises(DataError) as e:
        load_cbp_api_json(p)
    assert (e.value.file, e.value.line) == (str(p), 2)
    p.write_text('[["NAICS2017","EMP","state"],\n["00","x","01"]]')
    with pytest.raises(DataError) as e:
        load_cbp_api_json(p)
    assert (e.value.line, e.value.field) == (2, "employment")
    p.write_text('[["NAICS2017","EMP","state"],\n["00","1","01"],\n["00","2","01"]]')
    with pytest.raises(DataError, match="lines 2 and 3"):
        load_cbp_api_json(p)
    p.write_text('[["NAICS2017","EMP","state"]')
    with pytest.raises(DataError, match="not valid JSON") as e:
        load_cbp_api_json(p)
    assert e.value.line == 1


def test_year_required_when_not_in_name(tmp_path):
    p = tmp_path / "counties.json"
    p.write_text((FIX / "cbp_2021_county.json").read_text())
    with pytest.raises(DataError, match="year"):
        load_cbp(p)
    assert load_cbp(p, year=2019).table["year"].unique().to_list() == [2019]


def test_unknown_layout_says_why(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(DataError) as e:
        detect_cbp_layout(p)
    msg = str(e.value)
    assert "bulk file" in msg and "extract" in msg and "'a,b,c'" in msg and "line 1" in msg


def test_extract_negative_value_error(tmp_path):
    p = tmp_path / "cbp2021_x.csv"
    p.write_text("state,naics,establishments,employees,payroll\nDE,311111,1,5,10\n"
                 "DE,311112,1,-5,10\n")
    with pytest.raises(DataError) as e:
        load_cbp_extract(p)
    assert f"{p}, line 3, field 'employment'" in str(e.value)


@pytest.mark.shared_data
def test_real_state_file_totals(cbp_state_csv):
    r = load_cbp(cbp_state_csv)
    t = r.table
    # documented totals in ../shared/data/cbp/README.md
    assert t.height == 37022
    assert t["employment"].sum() == 126_204_855
    assert t["establishments"].sum() == 8_056_737
    assert t["region"].n_unique() == 50 and "DC" not in t["region"].to_list()
    assert t["industry"].n_unique() == 970
    assert r.issues.counts() == {"layout": 1, "zero_employment": 9}
    assert t["year"].unique().to_list() == [2021]


@pytest.mark.shared_data
def test_real_county_sample(shared_data):
    r = load_cbp(shared_data / "cbp" / "cbp2021_county_naics6_sample.csv")
    t = r.table
    assert t.height == 4302 and t["region"].n_unique() == 22
    by_state = (t.with_columns(pl.col("region").str.slice(0, 2).alias("st"))
                .group_by("st").agg(pl.col("employment").sum()).sort("st"))
    # DE 10, RI 44, VT 50 (README: 371,950; 369,885; 175,742)
    assert by_state.rows() == [("10", 371950.0), ("44", 369885.0), ("50", 175742.0)]


def test_bulk_us_file(tmp_path):
    p = tmp_path / "cbp21us.txt"
    p.write_text('naics,lfo,emp_nf,emp,qp1_nf,qp1,ap_nf,ap,est\n'
                 '"------","-","G",128000000,"G",1,"G",2,8000000\n'
                 '"------","C","G",60000000,"G",1,"G",2,3000000\n'
                 '"11----","-","H",170000,"H",1,"H",2,22000\n')
    r = load_cbp(p)
    assert _rows(r.table) == {("US", "00"): (128000000.0, 8000000.0, 2.0, "G"),
                             ("US", "11"): (170000.0, 22000.0, 2.0, "H")}
    assert r.table["year"].unique().to_list() == [2021]
