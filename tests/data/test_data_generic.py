import polars as pl
import pytest

from klaster.data.generic import load_table
from klaster.errors import DataError

CSV = "woj,pkd,rok,pracujacy,firmy\n02,01.11,2022,120,4\n04,01.11,2022,80,3\n02,10.11,2022,,2\n"


def test_csv_with_mapping_keeps_leading_zeros(tmp_path):
    p = tmp_path / "gus.csv"
    p.write_text(CSV)
    r = load_table(p, {"region": "woj", "industry": "pkd", "year": "rok",
                       "employment": "pracujacy", "establishments": "firmy"})
    assert r.source == str(p)
    assert r.table["region"].to_list() == ["02", "04", "02"]
    assert r.table["industry"].to_list() == ["01.11", "01.11", "10.11"]
    assert r.table["employment"].to_list() == [120.0, 80.0, None]
    assert r.table["year"].to_list() == [2022] * 3
    assert len(r.issues) == 0


def test_year_argument_for_files_without_year(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("region,industry,employment\n01,11,5\n")
    r = load_table(p, year=2020)
    assert r.table["year"].to_list() == [2020]
    with pytest.raises(DataError) as e:
        load_table(tmp_path / "a.csv")
    assert e.value.field == "year" and e.value.line == 1


def test_year_argument_conflicts_with_year_column(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("region,industry,year,employment\n01,11,2021,5\n")
    with pytest.raises(DataError) as e:
        load_table(p, year=2020)
    assert (e.value.file, e.value.line, e.value.field) == (str(p), 1, "year")


def test_mapped_column_absent(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("region,industry,year,emp\n01,11,2021,5\n")
    with pytest.raises(DataError) as e:
        load_table(p, {"employment": "workers"})
    assert (e.value.line, e.value.field) == (1, "workers") and str(p) in str(e.value)


def test_csv_error_line(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("region,industry,year,employment\n01,11,2021,5\n01,12,2021,x5\n")
    with pytest.raises(DataError) as e:
        load_table(p)
    assert f"{p}, line 3, field 'employment'" in str(e.value)


def test_parquet(tmp_path):
    p = tmp_path / "a.parquet"
    pl.DataFrame({"region": ["01"], "industry": ["0011"], "year": [2021],
                  "employment": [3]}).write_parquet(p)
    r = load_table(p)
    assert r.table.row(0) == ("01", "0011", 2021, 3.0, None, None, None)


def test_excel_sheet_and_lines(tmp_path):
    p = tmp_path / "a.xlsx"
    df = pl.DataFrame({"region": ["01", "02"], "industry": ["0011", "0012"],
                       "employment": ["4", "-1"]})
    df.write_excel(p, worksheet="dane")
    with pytest.raises(DataError) as e:
        load_table(p, year=2021, sheet="dane")
    assert (e.value.line, e.value.field) == (3, "employment")
    ok = tmp_path / "b.xlsx"
    df.head(1).write_excel(ok, worksheet="dane")
    r = load_table(ok, year=2021, sheet="dane")
    assert r.table["industry"].to_list() == ["0011"]


def test_unsupported_and_missing_files(tmp_path):
    p = tmp_path / "a.json"
    p.write_text("{}")
    with pytest.raises(DataError, match="unsupported"):
        load_table(p)
    with pytest.raises(DataError, match="not found"):
        load_table(tmp_path / "nope.csv")


def test_empty_csv(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("region,industry,year,employment\n")
    with pytest.raises(DataError, match="empty"):
        load_table(p)


def test_excel_numeric_cells(tmp_path):
    p = tmp_path / "n.xlsx"
    pl.DataFrame({"region": ["01", "02"], "industry": ["0011", "0012"], "year": [2021, 2021],
                  "employment": [4.0, 7.5]}).write_excel(p)
    r = load_table(p)
    assert r.table["region"].to_list() == ["01", "02"]
    assert r.table["year"].to_list() == [2021, 2021]
    assert r.table["employment"].to_list() == [4.0, 7.5]
