"""Code systems: shipped hierarchies, normalisation, ancestry, users' hierarchy files."""

from __future__ import annotations

import csv

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.errors import DataError
from klaster.taxonomy import (
    ancestors,
    hierarchy,
    level_of,
    load_hierarchy,
    normalise_code,
    normalise_column,
)

NAICS = hierarchy("naics2017")
NACE = hierarchy("nace2")


def test_naics_level_counts_match_the_published_structure():
    # NAICS 2017 manual: 20 sectors, 99 subsectors, 311 industry groups,
    # 709 NAICS industries, 1,057 national industries.
    counts = dict(NAICS.group_by("level").len().iter_rows())
    assert counts == {1: 20, 2: 99, 3: 311, 4: 709, 5: 1057}


def test_nace_level_counts_match_isic_rev4():
    # ISIC Rev.4: 21 sections, 88 divisions, 238 groups, 419 classes.
    counts = dict(NACE.group_by("level").len().iter_rows())
    assert counts == {1: 21, 2: 88, 3: 238, 4: 419}


@pytest.mark.parametrize("h", [NAICS, NACE])
def test_every_parent_exists_and_is_one_level_up(h):
    level = dict(zip(h["code"], h["level"]))
    for code, parent, lvl in h.select("code", "parent", "level").iter_rows():
        if lvl == 1:
            assert parent is None
        else:
            assert level[parent] == lvl - 1, code


def test_six_digit_titles_come_from_the_census_concordance(shared_data):
    with open(shared_data / "taxonomy" / "naics2017_to_naics2012.csv", newline="") as f:
        raw = {r["naics2017"]: r["title2017"] for r in csv.DictReader(f)}
    six = NAICS.filter(pl.col("level") == 5)
    assert dict(zip(six["code"], six["title"])) == raw


def test_combined_sectors():
    sectors = set(NAICS.filter(pl.col("level") == 1)["code"])
    assert {"31-33", "44-45", "48-49"} <= sectors
    assert not {"31", "32", "33", "44", "45", "48", "49"} & sectors
    parents = dict(zip(NAICS["code"], NAICS["parent"]))
    assert parents["311"] == parents["325"] == parents["336"] == "31-33"
    assert parents["441"] == parents["454"] == "44-45"
    assert parents["481"] == parents["493"] == "48-49"


@pytest.mark.parametrize(("code", "system", "expected"), [
    ("336411", "naics2017", "336411"),
    (" 336411 ", "naics2017", "336411"),
    ("31", "naics2017", "31-33"),
    ("33", "naics2017", "31-33"),
    ("45", "naics2017", "44-45"),
    ("31-33", "naics2017", "31-33"),
    ("31----", "naics2017", "31-33"),  # CBP's padding for sector aggregates
    ("3364//", "naics2017", "3364"),
    ("336411.0", "naics2017", "336411"),
    ("C", "nace2", "C"),
    ("c", "nace2", "C"),
    ("25", "nace2", "25"),
    ("C25", "nace2", "25"),
    ("25.6", "nace2", "256"),
    ("25.62", "nace2", "2562"),
    ("C25.6.2", "nace2", "2562"),
    ("C2562", "nace2", "2562"),
    ("01.11", "nace2", "0111"),
    ("25.62.Z", "pkd2007", "2562"),
    ("01.11.Z", "pkd2007", "0111"),
    ("25.62", "pkd2007", "2562"),
    ("25620", "oked", "2562"),
    ("01110", "oked", "0111"),
    ("2562", "oked", "2562"),
])
def test_normalise_code(code, system, expected):
    assert normalise_code(code, system) == expected


@pytest.mark.parametrize(("code", "system"), [
    ("", "naics2017"), ("------", "naics2017"), ("3", "naics2017"), ("3364111", "naics2017"),
    ("99", "naics2017"), ("33A", "naics2017"), ("25.62.Z", "nace2"), ("25620", "nace2"),
    ("25620", "pkd2007"), ("D25", "nace2"), ("04", "nace2"), ("V", "nace2"), ("2.562", "nace2"),
    ("256.Z", "pkd2007"), ("B-E", "nace2"),
])
def test_normalise_code_rejects(code, system):
    with pytest.raises(DataError) as exc:
        normalise_code(code, system)
    assert exc.value.field == "industry"


def test_normalise_code_rejects_unknown_system_and_non_text():
    with pytest.raises(DataError):
        normalise_code("25", "sic1987")
    with pytest.raises(DataError):
        normalise_code(2562, "nace2")  # type: ignore[arg-type]


def test_ancestors_and_levels():
    assert ancestors("336411", "naics2017") == ["33641", "3364", "336", "31-33"]
    assert ancestors("541", "naics2017") == ["54"]
    assert ancestors("31", "naics2017") == []
    assert level_of("336411", "naics2017") == 5
    assert level_of("32", "naics2017") == 1
    assert level_of("3364", "naics2017") == 3
    # 2562 (machining) is a NACE class that ISIC Rev.4 does not have; ancestry still works.
    assert ancestors("25.62.Z", "pkd2007") == ["256", "25", "C"]
    assert ancestors("C", "nace2") == []
    assert level_of("25620", "oked") == 4
    assert level_of("C", "nace2") == 1
    with pytest.raises(DataError):
        ancestors("336410", "naics2017")  # well formed, but not a NAICS 2017 code


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(NAICS["code"].to_list() + NACE["code"].to_list()))
def test_structural_ancestry_agrees_with_table_parents(code):
    h = NAICS if code in set(NAICS["code"]) else NACE
    system = "naics2017" if h is NAICS else "nace2"
    parent = dict(zip(h["code"], h["parent"]))
    chain, node = [], parent[code]
    while node is not None:
        chain.append(node)
        node = parent[node]
    assert ancestors(code, system) == chain
    assert level_of(code, system) == len(chain) + 1


def test_normalise_column_names_the_line(tmp_path):
    df = pl.DataFrame({"industry": ["25.62.Z", "01.11.Z", "25.62.Z", None]})
    out = normalise_column(df, "industry", "pkd2007")
    assert out["industry"].to_list() == ["2562", "0111", "2562", None]
    with pytest.raises(DataError) as exc:
        normalise_column(pl.DataFrame({"industry": ["2562", "2562", "xx"]}), "industry",
                         "nace2", file="f.csv")
    assert (exc.value.file, exc.value.line, exc.value.field) == ("f.csv", 4, "industry")


def _write(tmp_path, text, name="h.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_load_hierarchy_levels(tmp_path):
    p = _write(tmp_path, "code,parent,title\nA,,Top\nA1,A,Mid\nA11,A1,Leaf\nB,,Other\n")
    h = load_hierarchy(p)
    assert h.schema == pl.Schema({"code": pl.Utf8, "parent": pl.Utf8, "level": pl.Int32,
                                  "title": pl.Utf8})
    assert dict(zip(h["code"], h["level"])) == {"A": 1, "A1": 2, "A11": 3, "B": 1}


@pytest.mark.parametrize(("text", "line", "field", "words"), [
    ("code,parent\nA,\nB,A\nA,\n", 4, "code", "duplicate"),
    ("code,parent\nA,\nB,Z\n", 3, "parent", "not a code"),
    ("code,parent\nA,C\nB,A\nC,B\n", 2, "parent", "cycle"),
    ("code,parent\nA,A\n", 2, "parent", "cycle"),
    ("code,parent\nA,\n,A\n", 3, "code", "empty"),
    ("code,title\nA,x\n", 1, "parent", "missing"),
])
def test_load_hierarchy_errors(tmp_path, text, line, field, words):
    p = _write(tmp_path, text)
    with pytest.raises(DataError) as exc:
        load_hierarchy(p)
    assert exc.value.file == str(p)
    assert (exc.value.line, exc.value.field) == (line, field)
    assert words in str(exc.value)
