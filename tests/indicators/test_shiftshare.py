"""Shift-share decomposition (Dunn 1960; Esteban-Marquillas 1972): hand case and identity."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.indicators import change


def _table(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["region", "cluster", "year", "employment"],
                        orient="row").with_columns(
        pl.lit(1.0).alias("lq"), pl.col("cluster").alias("cluster_name"),
        pl.lit("traded").alias("cluster_type"))


def test_hand_computed_case():
    out = change(_table([
        ("A", "c1", 2010, 100.0), ("A", "c1", 2015, 150.0),
        ("A", "c2", 2010, 50.0), ("A", "c2", 2015, 40.0),
        ("B", "c1", 2010, 200.0), ("B", "c1", 2015, 220.0),
        ("B", "c2", 2010, 150.0), ("B", "c2", 2015, 190.0),
    ]), 2010, 2015)
    r = {(x["region"], x["cluster"]): x for x in out.iter_rows(named=True)}
    # Totals: 2010 = 100 + 50 + 200 + 150 = 500; 2015 = 150 + 40 + 220 + 190 = 600.
    # National growth g = 600 / 500 - 1 = 0.2.
    # Cluster c1: 300 -> 370, g1 = 70 / 300 = 0.2333...; c2: 200 -> 230, g2 = 0.15.
    a1, a2 = r[("A", "c1")], r[("A", "c2")]
    # A, c1 (100 -> 150, g_r = 0.5):
    #   national  = 100 * 0.2            = 20
    #   mix       = 100 * (0.2333 - 0.2) = 3.3333
    #   regional  = 100 * (0.5 - 0.2333) = 26.6667   (20 + 3.3333 + 26.6667 = 50)
    assert a1["shift_national"] == pytest.approx(20.0)
    assert a1["shift_industry_mix"] == pytest.approx(10 / 3)
    assert a1["shift_competitive"] == pytest.approx(80 / 3)
    # Esteban-Marquillas: region A's 2010 total = 150; homothetic = 150 * 300 / 500 = 90;
    #   net competitive = 90 * (0.5 - 0.2333) = 24; allocation = (100 - 90) * 0.2667 = 2.6667
    assert a1["homothetic_employment"] == pytest.approx(90.0)
    assert a1["em_competitive"] == pytest.approx(24.0)
    assert a1["em_allocation"] == pytest.approx(8 / 3)
    # A, c2 (50 -> 40, g_r = -0.2):
    #   national = 50 * 0.2 = 10; mix = 50 * (0.15 - 0.2) = -2.5;
    #   regional = 50 * (-0.2 - 0.15) = -17.5   (10 - 2.5 - 17.5 = -10)
    #   homothetic = 150 * 200 / 500 = 60; net competitive = 60 * -0.35 = -21;
    #   allocation = (50 - 60) * -0.35 = 3.5
    assert (a2["shift_national"], a2["shift_industry_mix"], a2["shift_competitive"]) == (
        pytest.approx(10.0), pytest.approx(-2.5), pytest.approx(-17.5))
    assert a2["em_competitive"] == pytest.approx(-21.0)
    assert a2["em_allocation"] == pytest.approx(3.5)


def test_born_and_absent_clusters():
    out = change(_table([
        ("A", "c1", 2010, 100.0), ("A", "c1", 2015, 120.0),
        ("B", "c1", 2010, 0.0), ("B", "c1", 2015, 30.0),      # born in B
        ("C", "c1", 2015, 5.0),                               # absent in 2010
    ]), 2010, 2015)
    r = {x["region"]: x for x in out.iter_rows(named=True)}
    b = r["B"]
    assert (b["shift_national"], b["shift_industry_mix"], b["shift_competitive"]) == (
        0.0, 0.0, 30.0)
    assert b["em_competitive"] is None and b["em_allocation"] is None
    c = r["C"]
    assert c["shift_national"] is None and c["shift_competitive"] is None


cell = st.one_of(st.none(), st.just(0.0),
                 st.floats(min_value=0.5, max_value=1e6, allow_nan=False))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ABCDE"), st.sampled_from(["c1", "c2", "c3"]),
                          cell, cell), min_size=1, max_size=15,
                unique_by=lambda t: (t[0], t[1])))
def test_components_sum_to_the_change(cells):
    rows = []
    for region, cluster, e0, e1 in cells:
        if e0 is not None:
            rows.append((region, cluster, 2010, e0))
        if e1 is not None:
            rows.append((region, cluster, 2020, e1))
    if not {y for *_, y, _ in rows} >= {2010, 2020} or not any(
            y == 2010 and e > 0 for *_, y, e in rows):
        return  # need both years and some start employment (national growth defined)
    out = change(_table(rows), 2010, 2020)
    for x in out.iter_rows(named=True):
        if x["employment_start"] is None or x["employment_end"] is None:
            assert x["shift_national"] is None and x["shift_competitive"] is None
            continue
        total = x["shift_national"] + x["shift_industry_mix"] + x["shift_competitive"]
        assert math.isclose(total, x["job_creation"], rel_tol=1e-9, abs_tol=1e-6)
        if x["employment_start"] > 0:
            em = x["em_competitive"] + x["em_allocation"]
            assert math.isclose(em, x["shift_competitive"], rel_tol=1e-9, abs_tol=1e-6)
