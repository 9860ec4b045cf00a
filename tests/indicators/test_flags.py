"""Hand-computed US strong-cluster flags and European stars, plus properties."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.errors import DataError
from klaster.indicators import StarThresholds, star_ratings, strong_flags
from klaster.indicators.strong import FLAG_COLUMNS


def flags_frame(lq, emp, est, cluster_type="traded") -> pl.DataFrame:
    n = len(lq)
    return pl.DataFrame(
        {
            "region": [f"R{i + 1}" for i in range(n)],
            "cluster": ["c"] * n,
            "cluster_type": [cluster_type] * n,
            "year": [2020] * n,
            "employment": [float(e) for e in emp],
            "establishments": [float(e) for e in est],
            "lq": [float(x) for x in lq],
        }
    )


def col(frame, name):
    return frame[name].to_list()


def test_strong_flags_hand_computed():
    # Over the 5 regions with employment > 0 (R6 has 0): LQ percentiles (linear):
    # P25 = 1.0, P50 = 1.5, P75 = 2.0, P90 = 2.0 + 0.6 * 0.5 = 2.3;
    # employment P25 = 200, establishments P25 = 20 -> size_ok for R3, R4, R5 only.
    out = strong_flags(
        flags_frame(
            lq=[0.5, 1.0, 1.5, 2.0, 2.5, 0.0],
            emp=[100, 200, 300, 400, 500, 0],
            est=[10, 20, 30, 40, 50, 0],
        )
    )
    assert col(out, "strong") == [False, False, False, True, True, False]  # R4 ties P75
    assert col(out, "strong10") == [False, False, False, False, True, False]
    assert col(out, "significant") == [False, False, False, True, True, False]  # R3 = P50
    assert col(out, "qualifying") == [False, False, True, True, True, False]


def test_strong_requires_lq_at_least_one():
    # LQ P75 = 0.4 and P90 = 0.46 but every LQ < 1: no strong cluster; significant is
    # LQ > P50 = 0.3 with size (employment > 200, establishments > 20): R4, R5.
    out = strong_flags(
        flags_frame(lq=[0.1, 0.2, 0.3, 0.4, 0.5], emp=[100, 200, 300, 400, 500],
                    est=[10, 20, 30, 40, 50])
    )
    assert col(out, "strong") == [False] * 5
    assert col(out, "strong10") == [False] * 5
    assert col(out, "significant") == [False, False, False, True, True]


def test_establishment_size_condition():
    # R5 has the top LQ and employment but few establishments (P25 of est = 20).
    out = strong_flags(
        flags_frame(lq=[0.5, 1.0, 1.5, 2.0, 2.5], emp=[100, 200, 300, 400, 500],
                    est=[10, 20, 30, 40, 5])
    )
    # est P25 over [10, 20, 30, 40, 5] -> sorted [5, 10, 20, 30, 40] -> 10
    assert col(out, "strong") == [False, False, False, True, False]


def test_local_clusters_are_not_rated():
    out = strong_flags(flags_frame(lq=[0.5, 3.0], emp=[10, 1000], est=[1, 100], cluster_type="local"))
    for name in FLAG_COLUMNS:
        assert col(out, name) == [None, None]


def stars_frame(emp, share, lq) -> pl.DataFrame:
    n = len(emp)
    return pl.DataFrame(
        {
            "region": [f"R{i + 1}" for i in range(n)],
            "cluster": ["c"] * n,
            "year": [2020] * n,
            "employment": [float(e) for e in emp],
            "region_share": [float(s) for s in share],
            "lq": [float(x) for x in lq],
        }
    )


def test_stars_hand_computed():
    # 30 regions with employment 1..30 and one with 0: top 10 % = ceil(0.1 * 30) = 3
    # regions (not 4, despite 0.1 * 30 = 3.0000000000000004 in floating point).
    emp = list(range(1, 31)) + [0]
    share = [(31 - i) / 100 for i in range(1, 31)] + [0.0]
    lq = [2.0, 1.99] + [1.0] * 28 + [0.0]
    out = star_ratings(stars_frame(emp, share, lq))
    size = col(out, "star_size")
    assert [i + 1 for i, v in enumerate(size) if v] == [28, 29, 30]
    focus = col(out, "star_focus")
    assert [i + 1 for i, v in enumerate(focus) if v] == [1, 2, 3]
    spec = col(out, "star_specialisation")
    assert [i + 1 for i, v in enumerate(spec) if v] == [1]  # LQ 2.0 counts, 1.99 does not
    stars = col(out, "stars")
    assert stars[0] == 2 and stars[1] == 1 and stars[29] == 1 and stars[15] == 0
    assert stars[30] == 0 and size[30] is False and focus[30] is False


def test_star_ties_at_boundary():
    # 10 regions: k = ceil(0.1 * 10) = 1, but two regions tie for the top.
    emp = [9, 9, 5, 4, 3, 3, 2, 2, 1, 1]
    out = star_ratings(stars_frame(emp, [0.1] * 10, [1.0] * 10))
    assert col(out, "star_size") == [True, True] + [False] * 8
    assert col(out, "star_focus") == [True] * 10  # all tie on focus


def test_custom_thresholds():
    # top 20 % of 5 regions = 1 region, top 50 % -> ceil(2.5) = 3 regions
    t = StarThresholds(size_top=0.2, specialisation_lq=1.5, focus_top=0.5)
    out = star_ratings(stars_frame([1, 2, 3, 4, 5], [0.5, 0.4, 0.3, 0.2, 0.1],
                                   [1.5, 1.4, 1, 1, 1]), t)
    assert col(out, "star_size") == [False, False, False, False, True]
    assert col(out, "star_focus") == [True, True, True, False, False]
    assert col(out, "star_specialisation") == [True, False, False, False, False]
    assert col(out, "stars") == [2, 1, 1, 0, 1]


def test_bad_thresholds():
    with pytest.raises(DataError, match="size_top"):
        StarThresholds(size_top=0.0)
    with pytest.raises(DataError, match="focus_top"):
        StarThresholds(focus_top=1.5)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.floats(0.0, 5.0, allow_nan=False),
            st.integers(0, 1000),
            st.integers(1, 100),
        ),
        min_size=2,
        max_size=25,
    ),
    pick=st.integers(0, 1000),
    bump=st.floats(0.0, 10.0, allow_nan=False),
)
def test_flags_monotone_in_lq(rows, pick, bump):
    """Raising one region's LQ, sizes unchanged, never turns one of its flags off."""
    lq = [r[0] for r in rows]
    emp = [r[1] for r in rows]
    est = [r[2] for r in rows]
    i = pick % len(rows)
    before = strong_flags(flags_frame(lq, emp, est)).row(i, named=True)
    lq2 = list(lq)
    lq2[i] += bump
    after = strong_flags(flags_frame(lq2, emp, est)).row(i, named=True)
    for name in FLAG_COLUMNS:
        if before[name]:
            assert after[name], (name, lq, lq2, i)
    stars_before = star_ratings(stars_frame(emp, [0.1] * len(rows), lq)).row(i, named=True)
    stars_after = star_ratings(stars_frame(emp, [0.1] * len(rows), lq2)).row(i, named=True)
    assert stars_after["stars"] >= stars_before["stars"]
