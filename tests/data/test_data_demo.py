import polars as pl

from klaster.data.demo import demo_provenance, load_demo
from klaster.schema import STATS_SCHEMA


def test_demo_table_matches_documented_totals():
    t = load_demo()
    assert t.schema == pl.Schema(STATS_SCHEMA)
    assert t.height == 37022
    assert t["employment"].sum() == 126_204_855
    assert t["establishments"].sum() == 8_056_737
    assert t["year"].unique().to_list() == [2021]
    assert t["region"].n_unique() == 50 and "DC" not in t["region"].to_list()
    assert t["industry"].str.len_chars().unique().to_list() == [6]


def test_demo_provenance_names_source_and_gaps():
    text = demo_provenance()
    assert "Census Bureau" in text and "public domain" in text
    assert "District of Columbia" in text
    for state in ("Louisiana", "Missouri", "Oklahoma", "Utah"):
        assert state in text
