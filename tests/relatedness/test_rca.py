"""RCA and presence: hand-computed numbers, the national-reference option, errors."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from klaster.errors import DataError, IssueLog
from klaster.relatedness import presence_matrix, rca_table

# 3 regions x 2 industries. Totals: regions 100, 100, 200; industries a 160, b 240; all 400.
STATS = pl.DataFrame({
    "region": ["r1", "r1", "r2", "r2", "r3", "r3"],
    "industry": ["a", "b", "a", "b", "a", "b"],
    "year": [2021] * 6,
    "employment": [80.0, 20.0, 40.0, 60.0, 40.0, 160.0],
})


def test_rca_hand_computed():
    t = rca_table(STATS).sort("region", "industry")
    # r1/a: (80/100) / (160/400) = 2.0; r1/b: (20/100)/(240/400) = 1/3;
    # r2/a: 0.4/0.4 = 1.0; r2/b: 0.6/0.6 = 1.0; r3/a: 0.2/0.4 = 0.5; r3/b: 0.8/0.6 = 4/3.
    assert t["rca"].to_list() == pytest.approx([2.0, 1 / 3, 1.0, 1.0, 0.5, 4 / 3])
    assert t["presence"].to_list() == [True, False, True, True, False, True]


def test_threshold_is_configurable():
    t = rca_table(STATS, threshold=1.2).sort("region", "industry")
    assert t["presence"].to_list() == [True, False, False, False, False, True]


def test_subset_of_regions_keeps_national_denominator():
    # Only r1 and r2 studied; the benchmark is still all three regions (a: 160/400).
    t = rca_table(STATS, regions=["r1", "r2"]).sort("region", "industry")
    assert sorted(t["region"].unique().to_list()) == ["r1", "r2"]
    assert t["rca"].to_list() == pytest.approx([2.0, 1 / 3, 1.0, 1.0])


def test_explicit_reference_totals():
    ref = pl.DataFrame({"industry": ["a", "b"], "employment": [500.0, 500.0]})
    t = rca_table(STATS, regions=["r1"], reference=ref).sort("industry")
    # r1/a: 0.8 / 0.5 = 1.6; r1/b: 0.2 / 0.5 = 0.4
    assert t["rca"].to_list() == pytest.approx([1.6, 0.4])


def test_matrix_fills_absent_cells_with_zero_and_logs_unpublished():
    s = STATS.with_columns(pl.when((pl.col("region") == "r3") & (pl.col("industry") == "a"))
                           .then(None).otherwise(pl.col("employment")).alias("employment"))
    log = IssueLog()
    mx = presence_matrix(s, issues=log)
    assert mx.unpublished == 1
    assert log.counts() == {"unpublished": 1}
    assert mx.values[2, 0] == 0.0
    # Without r3/a: totals a 120, b 240, all 360; r3 = 160 only b: (160/160)/(240/360)
    assert mx.rca[2, 1] == pytest.approx(1.5)


def test_errors_name_the_field():
    two = pl.concat([STATS, STATS.with_columns(pl.lit(2022, dtype=pl.Int64).alias("year"))])
    with pytest.raises(DataError, match="several years") as e:
        rca_table(two)
    assert e.value.field == "year"
    with pytest.raises(DataError, match="not in the statistics table"):
        rca_table(STATS, regions=["zz"])
    with pytest.raises(DataError, match="lacks column 'payroll'"):
        rca_table(STATS, value="payroll")
    assert np.isfinite(presence_matrix(two, year=2022).rca).all()


def test_reference_missing_an_industry_is_an_error():
    ref = pl.DataFrame({"industry": ["a"], "employment": [500.0]})
    with pytest.raises(DataError, match="no row for cluster 'b'"):
        rca_table(STATS, reference=ref)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 6), st.integers(2, 5)),
              elements=st.integers(0, 1000).map(float)))
def test_rca_weighted_mean_is_one(x):
    # Sum over regions of (region share of all employment) x RCA = 1 for every industry
    # with employment (Balassa's index averages to one); checked on the dense matrix.
    assume((x.sum(axis=1) > 0).all())
    stats = pl.DataFrame({
        "region": [f"r{i}" for i in range(x.shape[0]) for _ in range(x.shape[1])],
        "industry": [f"i{j}" for _ in range(x.shape[0]) for j in range(x.shape[1])],
        "year": [2021] * x.size,
        "employment": x.ravel(),
    })
    mx = presence_matrix(stats)
    share = mx.values.sum(axis=1) / mx.values.sum()
    has = mx.values.sum(axis=0) > 0
    assert (share @ mx.rca)[has] == pytest.approx(np.ones(has.sum()))
    assert ((mx.rca >= 1) == (mx.presence == 1)).all()
