"""Property tests: scores monotone in increasing bands, totals bounded, percentile ranks
in [0, 100] and monotone (checked against scipy.stats.percentileofscore)."""

from __future__ import annotations

import itertools

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import percentileofscore

from klaster.assessment import Rubric, assess, load_rubric, peer_percentiles

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@st.composite
def increasing_bands(draw):
    """Bands over sorted distinct cut points with non-decreasing points."""
    cuts = sorted(draw(st.sets(st.integers(-1000, 1000), min_size=2, max_size=7)))
    steps = draw(st.lists(st.integers(0, 5), min_size=len(cuts) - 1,
                          max_size=len(cuts) - 1))
    pts, acc = [], 0
    for s in steps:
        acc += s
        pts.append(acc)
    bands = [{"min": lo, "max": hi, "points": p} for lo, hi, p in zip(cuts, cuts[1:], pts)]
    if draw(st.booleans()):
        bands[-1].pop("max")  # open above
    return bands


def rubric_with(bands) -> Rubric:
    return Rubric.model_validate({
        "key": "prop", "scheme": "p", "edition": "1", "title": "p",
        "source": {"citation": "test"}, "source_date": "2024-01-01", "weighting": "points",
        "indicators": [{"key": "x", "label": "X", "provider": "evaluator"},
                       {"key": "y", "label": "Y", "provider": "evaluator"}],
        "areas": [{"key": "a", "label": "A", "criteria": [
            {"key": "cx", "label": "X", "indicator": "x", "bands": bands},
            {"key": "cy", "label": "Y", "indicator": "y",
             "threshold": {"op": ">=", "value": 0, "points": 1}}]}],
    })


@settings(max_examples=150, deadline=None)
@given(increasing_bands(), finite, finite, finite)
def test_score_monotone_in_value_for_increasing_bands(bands, a, b, y):
    r = rubric_with(bands)
    lo, hi = sorted((a, b))
    s_lo = assess(r, {"x": lo, "y": y})
    s_hi = assess(r, {"x": hi, "y": y})
    # below the first band a value earns 0; the points never decrease with the value
    # inside the covered range (and above it when the last band is open)
    covered_hi = bands[-1].get("max", float("inf"))
    if hi < covered_hi:
        assert s_lo.total <= s_hi.total
    assert s_lo.percent <= 100 and s_hi.total <= s_hi.max_total


@pytest.mark.parametrize("key", ["kkk-2021", "hu-accreditation", "esca-gold", "by-template"])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_total_never_exceeds_maximum(key, data):
    rub = load_rubric(key)
    values = {}
    for ind in rub.indicators:
        if ind.kind == "bool":
            values[ind.key] = data.draw(st.one_of(st.none(), st.booleans()))
        else:
            values[ind.key] = data.draw(st.one_of(st.none(), st.floats(0, 1e9)))
    r = assess(rub, values, phase="development" if rub.phases else None)
    assert 0 <= r.total <= r.max_total
    assert 0 <= r.percent <= 100
    for a in r.areas:
        assert 0 <= a.points <= a.max_points
    if r.passed:
        assert not r.missing_mandatory and r.gates_passed


values_lists = st.lists(st.one_of(st.none(), st.integers(0, 20).map(float)), min_size=1,
                        max_size=12)


@settings(max_examples=150, deadline=None)
@given(values_lists)
def test_percentile_bounded_monotone_and_equal_to_scipy_mean_kind(values):
    df = pl.DataFrame({"cluster_id": list(range(len(values))), "year": [2023] * len(values),
                       "kpi": ["members"] * len(values), "value": values},
                      schema={"cluster_id": pl.Int64, "year": pl.Int64, "kpi": pl.Utf8,
                              "value": pl.Float64})
    out = peer_percentiles(df)
    assert out.select("cluster_id", "value").equals(df.select("cluster_id", "value"))
    given_values = [v for v in values if v is not None]
    for v, p, n in out.select("value", "percentile", "n_peers").iter_rows():
        assert n == len(given_values)
        if v is None:
            assert p is None
            continue
        assert 0 <= p <= 100
        assert p == pytest.approx(percentileofscore(given_values, v, kind="mean"))
    pairs = sorted((v, p) for v, p in out.select("value", "percentile").iter_rows()
                   if v is not None)
    for (v1, p1), (v2, p2) in itertools.pairwise(pairs):
        assert p1 <= p2 and (v1 != v2 or p1 == p2)
