"""Hand-computed checks of change() (CAGR, job creation, LQ change)."""

from __future__ import annotations

import polars as pl
import pytest

from klaster.errors import DataError
from klaster.indicators import SHIFT_SHARE_COLUMNS, change
from klaster.schema import CHANGE_COLUMNS


def table() -> pl.DataFrame:
    rows = [
        # region, cluster, year, employment, lq
        ("A", "c1", 2010, 100.0, 1.2),
        ("A", "c1", 2015, 150.0, 1.5),
        ("B", "c1", 2010, 0.0, 0.0),
        ("B", "c1", 2015, 20.0, 0.4),
        ("C", "c1", 2015, 7.0, 0.9),  # absent in 2010
        ("D", "c1", 2010, 50.0, 1.0),
        ("D", "c1", 2012, 60.0, 1.0),  # a year in between is ignored
        ("D", "c1", 2015, 25.0, 0.5),
    ]
    return pl.DataFrame(
        rows, schema=["region", "cluster", "year", "employment", "lq"], orient="row"
    ).with_columns(pl.lit("One").alias("cluster_name"), pl.lit("traded").alias("cluster_type"))


def test_change_hand_computed():
    out = change(table(), 2010, 2015)
    assert tuple(out.columns) == CHANGE_COLUMNS + SHIFT_SHARE_COLUMNS
    rows = {r["region"]: r for r in out.iter_rows(named=True)}
    assert set(rows) == {"A", "B", "C", "D"}
    # A: (150/100)^(1/5) - 1 = 1.0844717711976986 - 1
    assert rows["A"]["cagr"] == pytest.approx(0.0844717711976986, rel=1e-12)
    assert rows["A"]["job_creation"] == 50.0
    assert rows["A"]["lq_change"] == pytest.approx(0.3)
    # B: growth from zero has no rate
    assert rows["B"]["cagr"] is None and rows["B"]["job_creation"] == 20.0
    # C: no 2010 row -> unknown start
    assert rows["C"]["employment_start"] is None
    assert rows["C"]["cagr"] is None and rows["C"]["job_creation"] is None
    assert rows["C"]["lq_end"] == pytest.approx(0.9) and rows["C"]["lq_change"] is None
    # D: halving over 5 years: 0.5^(0.2) - 1 = 0.8705505632961241 - 1
    assert rows["D"]["cagr"] == pytest.approx(-0.1294494367038759, rel=1e-12)
    assert rows["D"]["job_creation"] == -25.0
    assert rows["D"]["year_start"] == 2010 and rows["D"]["year_end"] == 2015
    assert rows["C"]["cluster_name"] == "One"


def test_change_errors():
    with pytest.raises(DataError, match="end_year"):
        change(table(), 2015, 2010)
    with pytest.raises(DataError, match="2011"):
        change(table(), 2011, 2015)
