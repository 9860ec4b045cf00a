"""Hand-computed checks of size, wage, shares and LQ (klaster.indicators.core)."""

from __future__ import annotations

import polars as pl
import pytest

from klaster.errors import DataError
from klaster.indicators import (
    cluster_indicators,
    indicators_from_clusters,
    reference_from_clusters,
)
from klaster.schema import INDICATOR_COLUMNS


def small_table() -> pl.DataFrame:
    # Region A: c1 10, c2 90; B: c1 30, c2 70; C: c1 0, c2 50. Total 250; c1 40, c2 210.
    return pl.DataFrame(
        {
            "region": ["A", "A", "B", "B", "C", "C"],
            "cluster": ["c1", "c2"] * 3,
            "cluster_name": ["One", "Two"] * 3,
            "cluster_type": ["traded", "local"] * 3,
            "year": [2020] * 6,
            "employment": [10.0, 90, 30, 70, 0, 50],
            "establishments": [1.0, 9, 3, 7, 0, 5],
            "payroll": [100.0, 1800, 600, 700, 0, 500],
        }
    )


def value(frame: pl.DataFrame, region: str, cluster: str, col: str):
    row = frame.filter((pl.col("region") == region) & (pl.col("cluster") == cluster))
    assert row.height == 1
    return row[col][0]


def test_columns_and_order():
    out = indicators_from_clusters(small_table())
    assert tuple(out.columns) == INDICATOR_COLUMNS
    assert out.select("region", "cluster").rows() == [
        ("A", "c1"), ("A", "c2"), ("B", "c1"), ("B", "c2"), ("C", "c1"), ("C", "c2")
    ]


def test_basic_indicators_total_denominator():
    out = indicators_from_clusters(small_table())
    # wage = payroll / employment (units kept): A c2 1800 / 90 = 20
    assert value(out, "A", "c2", "wage") == pytest.approx(20.0)
    assert value(out, "A", "c1", "wage") == pytest.approx(10.0)
    assert value(out, "C", "c1", "wage") is None  # 0 employees: wage undefined
    # region_share: A c1 10 / 100
    assert value(out, "A", "c1", "region_share") == pytest.approx(0.1)
    assert value(out, "C", "c2", "region_share") == pytest.approx(1.0)
    # national_share: B c1 30 / 40
    assert value(out, "B", "c1", "national_share") == pytest.approx(0.75)
    # LQ: A c1 (10/100)/(40/250) = 0.625; B c1 0.3/0.16 = 1.875; C c1 0
    assert value(out, "A", "c1", "lq") == pytest.approx(0.625)
    assert value(out, "B", "c1", "lq") == pytest.approx(1.875)
    assert value(out, "C", "c1", "lq") == pytest.approx(0.0)
    # A c2 0.9 / 0.84; C c2 1 / 0.84
    assert value(out, "A", "c2", "lq") == pytest.approx(0.9 / 0.84)
    assert value(out, "C", "c2", "lq") == pytest.approx(1 / 0.84)


def test_type_denominator():
    out = indicators_from_clusters(small_table(), lq_denominator="type")
    # traded: A's traded total 10, benchmark traded 40 -> (10/10)/(40/40) = 1
    assert value(out, "A", "c1", "lq") == pytest.approx(1.0)
    assert value(out, "B", "c1", "lq") == pytest.approx(1.0)
    assert value(out, "C", "c1", "lq") is None  # C has no traded employment at all
    # local: A (90/90)/(210/210) = 1
    assert value(out, "A", "c2", "lq") == pytest.approx(1.0)
    # region_share is always over all clusters
    assert value(out, "A", "c1", "region_share") == pytest.approx(0.1)


def test_explicit_reference():
    # The nation also has region D (not studied): c1 60, c2 90 -> c1 100, c2 300, total 400.
    ref = pl.DataFrame({"cluster": ["c1", "c2"], "year": [2020, 2020], "employment": [100.0, 300.0]})
    out = indicators_from_clusters(small_table(), reference=ref)
    # A c1: (10/100) / (100/400) = 0.4 ; national_share 10/100
    assert value(out, "A", "c1", "lq") == pytest.approx(0.4)
    assert value(out, "A", "c1", "national_share") == pytest.approx(0.1)
    # B c2: (70/100) / (300/400) = 0.9333...
    assert value(out, "B", "c2", "lq") == pytest.approx(0.7 / 0.75)
    out_t = indicators_from_clusters(small_table(), reference=ref, lq_denominator="type")
    # type: each cluster is alone in its type, so the reference ratio is 1: A c1 10/10
    assert value(out_t, "A", "c1", "lq") == pytest.approx(1.0)


def test_reference_from_clusters_equals_default():
    t = small_table()
    a = indicators_from_clusters(t)
    b = indicators_from_clusters(t, reference=reference_from_clusters(t))
    assert a.equals(b)


def test_reference_missing_cluster_is_an_error():
    ref = pl.DataFrame({"cluster": ["c1"], "year": [2020], "employment": [100.0]})
    with pytest.raises(DataError, match="c2"):
        indicators_from_clusters(small_table(), reference=ref)


def test_bad_input_errors():
    t = small_table()
    with pytest.raises(DataError, match="cluster_type"):
        indicators_from_clusters(t.with_columns(pl.lit("other").alias("cluster_type")))
    with pytest.raises(DataError, match="negative employment"):
        indicators_from_clusters(t.with_columns(pl.lit(-1.0).alias("employment")))
    with pytest.raises(DataError, match="payroll"):
        indicators_from_clusters(t.drop("payroll"))
    with pytest.raises(DataError, match="2 rows for the same key"):
        indicators_from_clusters(pl.concat([t, t.head(1)]))
    with pytest.raises(DataError, match="lq_denominator"):
        indicators_from_clusters(t, lq_denominator="nation")  # type: ignore[arg-type]


def test_null_employment_gives_null_not_zero():
    t = small_table().with_columns(
        pl.when((pl.col("region") == "A") & (pl.col("cluster") == "c1"))
        .then(None).otherwise(pl.col("employment")).alias("employment")
    )
    out = indicators_from_clusters(t)
    assert value(out, "A", "c1", "lq") is None
    assert value(out, "A", "c1", "strong") is None
    assert value(out, "A", "c1", "stars") is None
    # the unpublished cell is not in A's total: A c2 share = 90 / 90
    assert value(out, "A", "c2", "region_share") == pytest.approx(1.0)


def test_cluster_indicators_from_stats():
    stats = pl.DataFrame(
        {
            "region": ["A", "A", "A", "B", "B"],
            "industry": ["111", "112", "221", "111", "221"],
            "year": [2020] * 5,
            "employment": [4.0, 6.0, 90.0, 30.0, 70.0],
            "establishments": [1.0, 1.0, 9.0, 3.0, 7.0],
            "payroll": [40.0, 60.0, 900.0, 300.0, 700.0],
            "flag": [None] * 5,
        }
    )
    defs = pl.DataFrame(
        {
            "industry": ["111", "112", "221"],
            "cluster": ["c1", "c1", "c2"],
            "cluster_name": ["One", "One", "Two"],
            "cluster_type": ["traded", "traded", "local"],
            "subcluster": [None, None, None],
            "share": [1.0, 1.0, 1.0],
        },
        schema_overrides={"subcluster": pl.Utf8},
    )
    out = cluster_indicators(stats, defs)
    assert value(out, "A", "c1", "employment") == pytest.approx(10.0)
    assert value(out, "A", "c1", "establishments") == pytest.approx(2.0)
    # A c1: (10/100) / (40/200) = 0.5
    assert value(out, "A", "c1", "lq") == pytest.approx(0.5)
