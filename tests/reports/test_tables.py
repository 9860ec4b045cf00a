"""write_table: format by extension, round trip, atomic writes."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from klaster.errors import DataError
from klaster.reports import write_table

DF = pl.DataFrame({
    "region": ["AA", "BB", "CC"],
    "cluster": ["c1", "c1", "c2"],
    "employment": [12000.0, None, 1234567.0],
    "strong": [True, None, False],
    "year": pl.Series([2021, 2021, 2021], dtype=pl.Int32),
})


def test_parquet_round_trip(tmp_path: Path):
    p = write_table(DF, tmp_path / "t.parquet")
    assert_frame_equal(pl.read_parquet(p), DF)


def test_csv_round_trip(tmp_path: Path):
    p = write_table(DF, tmp_path / "t.CSV")  # extension case does not matter
    back = pl.read_csv(p, schema=DF.schema)
    assert_frame_equal(back, DF)
    assert p.read_text().splitlines()[0] == "region,cluster,employment,strong,year"


def test_excel_round_trip(tmp_path: Path):
    p = write_table(DF, tmp_path / "t.xlsx")
    back = pl.read_excel(p, sheet_name="klaster")
    assert back["region"].to_list() == ["AA", "BB", "CC"]
    assert back["employment"].to_list() == [12000.0, None, 1234567.0]
    assert back["strong"].to_list() == [True, None, False]


def test_unknown_extension_is_an_error(tmp_path: Path):
    with pytest.raises(DataError, match="unknown table format '.txt'"):
        write_table(DF, tmp_path / "t.txt")
    with pytest.raises(DataError, match="output directory does not exist"):
        write_table(DF, tmp_path / "missing" / "t.csv")


def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch):
    target = tmp_path / "t.csv"
    target.write_text("old content\n")

    def boom(self, file, *a, **k):
        Path(file).write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr(pl.DataFrame, "write_csv", boom)
    with pytest.raises(OSError, match="disk full"):
        write_table(DF, target)
    assert target.read_text() == "old content\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["t.csv"]


def test_nested_column_cannot_go_to_excel(tmp_path: Path):
    df = pl.DataFrame({"a": [[1, 2]]})
    with pytest.raises(DataError) as e:
        write_table(df, tmp_path / "t.xlsx")
    assert e.value.field == "a"
    assert not (tmp_path / "t.xlsx").exists()
