"""The analysis pipeline's loading step: format detection and the loaders it dispatches to
(CBP extract, CBP bulk file, Eurostat TSV, canonical table)."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from klaster.data import load_cbp, load_eurostat_tsv
from klaster.errors import DataError
from klaster.web.analysis.pipeline import guess_format, load_statistics

FIX = Path(__file__).parents[2] / "data" / "fixtures"


def test_cbp_state_extract_by_header(cbp_state_csv, tmp_path):
    # Stored under a random name, as Django's storage may do; the analyst's name counts.
    stored = tmp_path / "upload_x7Yz.csv"
    shutil.copyfile(cbp_state_csv, stored)
    assert guess_format(stored, "states.csv") == "cbp"
    table, _issues = load_statistics(stored, "states.csv", year=2021)
    direct = load_cbp(cbp_state_csv, year=2021).table
    assert table.height == direct.height
    assert table["employment"].sum() == direct["employment"].sum()
    assert set(table["year"].unique()) == {2021}


def test_cbp_bulk_file_regions_become_postal_codes(tmp_path):
    stored = tmp_path / "a1b2c3"
    shutil.copyfile(FIX / "cbp21st.txt", stored)
    table, _issues = load_statistics(stored, "cbp21st.txt")
    direct = load_cbp(FIX / "cbp21st.txt").table
    assert table["region"].str.contains(r"^[A-Z]{2}$").all()
    assert not direct["region"].str.contains(r"^[A-Z]{2}$").any()  # FIPS in the raw file
    assert table["employment"].sum() == direct["employment"].sum()


def test_eurostat_tsv(tmp_path):
    name = "sbs_r_nuts2021_sample.tsv"
    stored = tmp_path / "stored.bin"
    shutil.copyfile(FIX / name, stored)
    assert guess_format(stored, name) == "eurostat"
    table, _issues = load_statistics(stored, name)
    assert table.sort(["region", "industry", "year"]).equals(
        load_eurostat_tsv(FIX / name).table.sort(["region", "industry", "year"]))


def test_canonical_parquet_and_errors_name_the_upload(tmp_path):
    df = pl.DataFrame({"region": ["A", "B"], "industry": ["336412", "311111"],
                       "year": [2021, 2021], "employment": [10.0, -5.0]})
    stored = tmp_path / "xyz.parquet"
    df.write_parquet(stored)
    with pytest.raises(DataError) as err:
        load_statistics(stored, "../../etc/my table.parquet")
    # The error names the file as uploaded (base name), never the server path.
    assert err.value.file == "my table.parquet" and str(tmp_path) not in str(err.value)
    assert err.value.field == "employment"


@pytest.mark.parametrize("name,body", [
    ("stats.csv", bytes(range(256)) * 8),                      # binary under a text name
    ("stats.parquet", b"PAR1 not really a parquet file"),
    ("stats.xlsx", b"PK\x03\x04 not really a workbook"),
    ("stats.csv", "region;industry;year;employment\nМінск;C10;2021;5\n".encode("utf-16")),
    ("stats.csv", b""),
])
def test_an_upload_that_is_not_a_table_is_named(tmp_path, name, body):
    stored = tmp_path / "abc123"
    stored.write_bytes(body)
    try:
        table, _ = load_statistics(stored, name)
    except DataError as exc:
        assert exc.file == name and "ComputeError" not in str(exc)
        assert str(tmp_path) not in str(exc)
    else:  # the UTF-16, semicolon-delimited one is a table
        assert table["region"].to_list() == ["Мінск"]
