"""Region tables and concordances."""

from __future__ import annotations

import csv

import polars as pl
import pytest

from klaster.errors import DataError, IssueLog
from klaster.schema import REGIONS_SCHEMA
from klaster.taxonomy import compose, load_concordance, load_regions, recode_regions, us_states


def test_us_states():
    s = us_states()
    assert s.schema == pl.Schema(REGIONS_SCHEMA)
    assert s.height == 52  # 50 states, DC and Puerto Rico
    row = dict(zip(s["region"], s["geo_id"]))
    assert (row["AL"], row["CA"], row["WY"], row["DC"]) == ("01", "06", "56", "11")
    assert s["parent"].null_count() == 52 and s["region"].is_unique().all()


def test_recode_fips_to_postal():
    stats = pl.DataFrame({"region": ["06", "01", "06"], "employment": [1.0, 2.0, 3.0]})
    out = recode_regions(stats, us_states())
    assert out["region"].to_list() == ["CA", "AL", "CA"]
    assert out["employment"].to_list() == [1.0, 2.0, 3.0]


def test_recode_unknown_codes():
    stats = pl.DataFrame({"region": ["06", "99", "6", "99"], "employment": [1.0, 2, 3, 4]})
    with pytest.raises(DataError, match="2 region code"):
        recode_regions(stats, us_states())
    log = IssueLog()
    out = recode_regions(stats, us_states(), issues=log)
    assert out.rows() == [("CA", 1.0)]
    assert sorted((i.region, i.kind) for i in log) == [("6", "unknown_region"),
                                                        ("99", "unknown_region")]
    assert "2 row(s)" in [i.message for i in log if i.region == "99"][0]
    with pytest.raises(DataError):
        recode_regions(stats, us_states(), from_col="fips")


def test_load_regions_hierarchy(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("region,name,parent,geo_id\nPL,Poland,,\nPL8,Makroregion,PL,\n"
                 "PL84,Podlaskie,PL8,PL84\n")
    r = load_regions(p)
    assert r.schema == pl.Schema(REGIONS_SCHEMA)
    assert r.rows()[2] == ("PL84", "Podlaskie", "PL8", "PL84")
    q = tmp_path / "q.csv"
    q.write_text("region,name\nA,Alpha\n")
    assert load_regions(q).rows() == [("A", "Alpha", None, None)]


@pytest.mark.parametrize(("text", "line", "field"), [
    ("region,name,parent\nA,a,\nA,b,\n", 3, "region"),
    ("region,name,parent\nA,a,X\n", 2, "parent"),
    ("region,name,parent\nA,a,B\nB,b,A\n", 2, "parent"),
    ("region,name,geo_id\nA,a,1\nB,b,1\n", 3, "geo_id"),
    ("region,name\nA,\n", 2, "name"),
    ("region\nA\n", 1, "name"),
])
def test_load_regions_errors(tmp_path, text, line, field):
    p = tmp_path / "r.csv"
    p.write_text(text)
    with pytest.raises(DataError) as exc:
        load_regions(p)
    assert (exc.value.file, exc.value.line, exc.value.field) == (str(p), line, field)


def test_load_concordance_census_rows(shared_data):
    path = shared_data / "taxonomy" / "naics2017_to_naics2012.csv"
    c = load_concordance(path, "naics2017", "naics2012")
    with open(path, newline="") as f:
        raw = {(r["naics2017"], r["naics2012"]) for r in csv.DictReader(f)}
    assert set(c.iter_rows()) == raw and c.height == len(raw)
    # Hand-picked rows of the Census file: 454110 merged three 2012 industries.
    assert set(c.filter(pl.col("source") == "454110")["target"]) == {"454111", "454112",
                                                                     "454113"}


def test_compose_census_chain(shared_data):
    t = shared_data / "taxonomy"
    c = compose(load_concordance(t / "naics2017_to_naics2012.csv", "naics2017", "naics2012"),
                load_concordance(t / "naics2012_to_naics2007.csv", "naics2012", "naics2007"))
    # 2017 322219 = 2012 322219, which splits into 2007 322213, 322214, 322215.
    assert set(c.filter(pl.col("source") == "322219")["target"]) == {"322213", "322214",
                                                                     "322215"}


def test_compose_many_to_many_and_unmatched():
    c1 = pl.DataFrame({"source": ["a", "a", "b", "c"], "target": ["x", "y", "y", "q"]})
    c2 = pl.DataFrame({"source": ["x", "y", "y"], "target": ["1", "1", "2"]})
    log = IssueLog()
    out = compose(c1, c2, issues=log)
    assert sorted(out.iter_rows()) == [("a", "1"), ("a", "2"), ("b", "1"), ("b", "2")]
    assert [(i.kind, i.industry) for i in log] == [("unmatched_code", "c")]


def test_load_concordance_errors_and_duplicates(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("new,old\n01,A\n01,A\n02,B\n")
    log = IssueLog()
    c = load_concordance(p, "new", "old", issues=log)
    assert c.rows() == [("01", "A"), ("02", "B")]  # leading zeros kept
    assert [(i.kind, i.line) for i in log] == [("duplicate_pair", 3)]
    p.write_text("new,old\n01,A\n02,\n")
    with pytest.raises(DataError) as exc:
        load_concordance(p, "new", "old")
    assert (exc.value.line, exc.value.field) == (3, "old")
    with pytest.raises(DataError) as exc:
        load_concordance(p, "new", "older")
    assert exc.value.field == "older"


def test_non_utf8_file_is_a_named_error(tmp_path):
    p = tmp_path / "r.csv"
    p.write_bytes("region,name\nPL84,Podlaskie\nPL22,Pomorskie \u0142\n".encode("cp1250"))
    with pytest.raises(DataError) as exc:
        load_regions(p)
    assert exc.value.file == str(p) and "cannot read" in str(exc.value)
