"""NACE benchmark definitions in the platform: the dataset's choice and the pipeline."""

from __future__ import annotations

import polars as pl
import pytest

from klaster.web.analysis.models import Dataset
from klaster.web.analysis.pipeline import analyse


@pytest.mark.parametrize("choice,n_codes,system", [
    ("us-benchmark", 970, "naics2017"), ("nace-class", 576, "nace2"),
    ("nace-division", 84, "nace2")])
def test_dataset_definitions_choice(choice, n_codes, system):
    defs, got = Dataset(definitions=choice).cluster_definitions()
    assert got == system and defs["industry"].n_unique() == n_codes


def test_pipeline_on_nace_divisions_states_the_level_caveats():
    rows = []
    for i, region in enumerate(["PL84", "PL22", "PL41", "PL51", "PL63", "PL21"]):
        rows += [(region, "C", 2015, 9000.0 + i), (region, "10", 2015, 3000.0 + 500 * i),
                 (region, "25", 2015, 5000.0 - 400 * i), (region, "29", 2015, 200.0 * i),
                 (region, "46", 2015, 2500.0), (region, "451", 2015, 300.0)]
    stats = pl.DataFrame(rows, schema=["region", "industry", "year", "employment"],
                         orient="row").with_columns(
        pl.col("year").cast(pl.Int32), pl.lit(None, pl.Float64).alias("establishments"),
        pl.lit(None, pl.Float64).alias("payroll"), pl.lit(None, pl.Utf8).alias("flag"))
    defs, system = Dataset(definitions="nace-division").cluster_definitions()
    out = analyse(stats, defs, system=system)
    text = " ".join(map(str, out.notes))   # notes are messages (English by str)
    assert "NACE division level" in text
    assert "in 2 industry codes at other levels" in text  # C and 451
    emp = out.mapping.indicators["employment"].sum()
    assert emp == pytest.approx(stats.filter(pl.col("industry").str.len_chars() == 2)
                                ["employment"].sum())
