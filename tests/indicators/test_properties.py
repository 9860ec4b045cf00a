"""Hypothesis properties of the indicator engine."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.indicators import indicators_from_clusters

CLUSTERS = [("c1", "traded"), ("c2", "traded"), ("c3", "local")]

cells = st.lists(
    st.lists(st.integers(0, 10_000), min_size=3, max_size=3), min_size=1, max_size=8
)


def table(emp_rows, scale: float = 1.0) -> pl.DataFrame:
    rows = []
    for r, emps in enumerate(emp_rows):
        for (c, kind), e in zip(CLUSTERS, emps):
            rows.append((f"R{r}", c, c.upper(), kind, 2020, e * scale, max(e // 10, 1) * 1.0,
                         e * 40.0))
    return pl.DataFrame(
        rows,
        schema=["region", "cluster", "cluster_name", "cluster_type", "year", "employment",
                "establishments", "payroll"],
        orient="row",
    )


@settings(max_examples=60, deadline=None)
@given(emp_rows=cells, scale=st.floats(0.001, 1000.0), denominator=st.sampled_from(["total", "type"]))
def test_lq_invariant_to_scaling(emp_rows, scale, denominator):
    a = indicators_from_clusters(table(emp_rows), lq_denominator=denominator)
    b = indicators_from_clusters(table(emp_rows, scale), lq_denominator=denominator)
    for x, y in zip(a["lq"].to_list(), b["lq"].to_list()):
        if x is None:
            assert y is None
        else:
            assert y == pytest.approx(x, rel=1e-9, abs=1e-12)
    # flags and stars depend on ranks and LQ only, so they must not change either
    for name in ("strong", "significant", "star_size", "stars"):
        assert a[name].to_list() == b[name].to_list()


@settings(max_examples=60, deadline=None)
@given(emp_rows=cells)
def test_region_shares_sum_to_one(emp_rows):
    out = indicators_from_clusters(table(emp_rows))
    sums = out.group_by("region", "year").agg(
        pl.col("region_share").sum(), pl.col("employment").sum().alias("total")
    )
    for row in sums.iter_rows(named=True):
        if row["total"] > 0:
            assert row["region_share"] == pytest.approx(1.0, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(emp_rows=cells)
def test_national_shares_sum_to_one(emp_rows):
    out = indicators_from_clusters(table(emp_rows))
    sums = out.group_by("cluster").agg(pl.col("national_share").sum(), pl.col("employment").sum())
    for row in sums.iter_rows(named=True):
        if row["employment"] > 0:
            assert row["national_share"] == pytest.approx(1.0, rel=1e-12)
