import polars as pl
import pytest

from klaster.data.validate import validate_stats
from klaster.errors import DataError
from klaster.schema import STATS_SCHEMA


def _raw(**over):
    base = {
        "region": ["01", "02", "04"],
        "industry": ["311111", "311111", "0011"],
        "year": ["2021", "2021", "2021"],
        "employment": ["10", "0", "5"],
    }
    base.update(over)
    return pl.DataFrame(base)


def test_casts_to_schema_and_keeps_leading_zeros():
    out, log = validate_stats(_raw(), source="s.csv")
    assert out.schema == pl.Schema(STATS_SCHEMA)
    assert out["region"].to_list() == ["01", "02", "04"]
    assert out["industry"].to_list()[2] == "0011"
    assert out["employment"].to_list() == [10.0, 0.0, 5.0]
    assert out["establishments"].null_count() == 3
    # zero employment is a warning on line 3 (header = line 1)
    assert [(i.kind, i.line, i.field) for i in log] == [("zero_employment", 3, "employment")]


def test_negative_count_names_file_line_field():
    with pytest.raises(DataError) as e:
        validate_stats(_raw(employment=["10", "-3", "5"]), source="s.csv")
    assert (e.value.file, e.value.line, e.value.field) == ("s.csv", 3, "employment")
    assert "s.csv, line 3, field 'employment'" in str(e.value)


def test_non_numeric_count():
    with pytest.raises(DataError) as e:
        validate_stats(_raw(employment=["10", "5", "many"]), source="s.csv")
    assert (e.value.line, e.value.field) == (4, "employment")
    assert "'many'" in str(e.value) and "s.csv" in str(e.value)


def test_non_integer_year():
    with pytest.raises(DataError) as e:
        validate_stats(_raw(year=["2021", "2021.5", "2021"]), source="s.csv")
    assert (e.value.line, e.value.field) == (3, "year")


def test_duplicate_key_names_both_lines():
    raw = _raw(region=["01", "02", "01"], industry=["11", "11", "11"])
    with pytest.raises(DataError) as e:
        validate_stats(raw, source="s.csv")
    assert "lines 2 and 4" in str(e.value)
    assert (e.value.file, e.value.line, e.value.field) == ("s.csv", 4, "industry")


def test_hidden_line_column_is_used():
    raw = _raw(employment=["1", "2", "-1"]).with_columns(
        pl.Series("__line__", [10, 20, 30], dtype=pl.Int64))
    with pytest.raises(DataError) as e:
        validate_stats(raw, source="x.json")
    assert e.value.line == 30


def test_empty_input():
    with pytest.raises(DataError) as e:
        validate_stats(_raw().head(0), source="s.csv")
    assert e.value.file == "s.csv" and "empty" in str(e.value)


def test_missing_required_column():
    with pytest.raises(DataError) as e:
        validate_stats(_raw().drop("industry"), source="s.csv")
    assert (e.value.file, e.value.line, e.value.field) == ("s.csv", 1, "industry")


def test_no_value_column():
    with pytest.raises(DataError) as e:
        validate_stats(_raw().drop("employment"), source="s.csv")
    assert e.value.line == 1 and e.value.field == "employment"


def test_empty_key():
    with pytest.raises(DataError) as e:
        validate_stats(_raw(region=["01", "", "03"]), source="s.csv")
    assert (e.value.line, e.value.field) == (3, "region")


def test_unknown_codes_are_warnings():
    out, log = validate_stats(
        _raw(employment=["1", "2", "3"]), source="s.csv",
        known_industries={"311111"}, known_regions={"01", "02"},
    )
    got = sorted((i.kind, i.line, i.field) for i in log)
    assert got == [("unknown_code", 4, "industry"), ("unknown_code", 4, "region")]
    assert out.height == 3  # warnings drop nothing


def test_numeric_code_columns_warn():
    raw = pl.DataFrame({"region": [1, 2], "industry": ["11", "11"], "year": [2021, 2021],
                        "employment": [1.0, 2.0]})
    out, log = validate_stats(raw, source="p.parquet")
    assert out["region"].to_list() == ["1", "2"]
    assert log.counts() == {"numeric_code": 1}
