"""Concentration indices: hand-computed values and a dense plain-NumPy re-implementation."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.errors import DataError
from klaster.indicators import concentration, krugman_specialisation


def stats_small() -> pl.DataFrame:
    # A: i1 10 (2 est), i2 30 (3 est); B: i1 unpublished, i2 40 (4 est); C: i1 30 (1), i2 10 (1)
    return pl.DataFrame(
        {
            "region": ["A", "A", "B", "B", "C", "C"],
            "industry": ["i1", "i2", "i1", "i2", "i1", "i2"],
            "year": [2020] * 6,
            "employment": [10.0, 30.0, None, 40.0, 30.0, 10.0],
            "establishments": [2.0, 3.0, None, 4.0, 1.0, 1.0],
        }
    )


def test_concentration_hand_computed():
    out = concentration(stats_small())
    i1 = out.filter(pl.col("industry") == "i1").row(0, named=True)
    i2 = out.filter(pl.col("industry") == "i2").row(0, named=True)
    # Every region holds 40 of 120 -> x = 1/3 each, sum x^2 = 1/3.
    # i1: s = (1/4, 0, 3/4). Hoover = 1/2 (1/12 + 1/3 + 5/12) = 5/12.
    assert i1["employment"] == 40.0 and i1["regions"] == 2 and i1["unpublished_cells"] == 1
    assert i1["hoover"] == pytest.approx(5 / 12)
    # Lorenz by LQ (0, 3/4, 9/4): points (1/3, 0), (2/3, 1/4), (1, 1); area 1/4 -> Gini 1/2
    assert i1["gini"] == pytest.approx(0.5)
    # G = (1/12)^2 + (1/3)^2 + (5/12)^2 = 42/144
    assert i1["eg_raw"] == pytest.approx(42 / 144)
    # H = 10^2 / (2 * 40^2) + 30^2 / (1 * 40^2) = 19/32
    assert i1["herfindahl"] == pytest.approx(19 / 32)
    assert i1["herfindahl_method"] == "equal_size_within_cell"
    # EG: (7/24 - (2/3)(19/32)) / ((2/3)(13/32)) = -5/13; MS: (7/16 - 19/32)/(13/32) = -5/13
    assert i1["eg_gamma"] == pytest.approx(-5 / 13)
    assert i1["ms_gamma"] == pytest.approx(-5 / 13)
    # i2: s = (3/8, 1/2, 1/8): Hoover = 1/2 (1/24 + 4/24 + 5/24) = 5/24
    assert i2["hoover"] == pytest.approx(5 / 24)
    # Lorenz order C, A, B: area 1/48 + 5/48 + 12/48 = 3/8 -> Gini 1/4
    assert i2["gini"] == pytest.approx(0.25)
    # H = (900/3 + 1600/4 + 100/1) / 6400 = 1/8; G = 42/576; EG = (7/96 - 8/96)/(56/96)
    assert i2["herfindahl"] == pytest.approx(1 / 8)
    assert i2["eg_gamma"] == pytest.approx(-1 / 56)
    assert i2["unpublished_cells"] == 0


def test_given_plant_herfindahl():
    h = pl.DataFrame({"industry": ["i2"], "year": [2020], "herfindahl": [0.5]})
    out = concentration(stats_small(), herfindahl=h)
    i2 = out.filter(pl.col("industry") == "i2").row(0, named=True)
    assert i2["herfindahl_method"] == "plants"
    # EG with H = 1/2: (7/96 - (2/3)(1/2)) / ((2/3)(1/2)) = (7/96 - 32/96) / (32/96) = -25/32
    assert i2["eg_gamma"] == pytest.approx(-25 / 32)
    i1 = out.filter(pl.col("industry") == "i1").row(0, named=True)
    assert i1["herfindahl"] is None and i1["herfindahl_method"] is None
    assert i1["eg_gamma"] is None


def test_missing_establishments_gives_null_h():
    s = stats_small().with_columns(
        pl.when(pl.col("region") == "C").then(None).otherwise(pl.col("establishments"))
        .alias("establishments")
    )
    out = concentration(s)
    assert out["herfindahl"].to_list() == [None, None]
    assert out["eg_gamma"].null_count() == 2
    with pytest.raises(DataError, match="establishments"):
        concentration(stats_small().drop("establishments"))


def test_krugman_hand_computed():
    out = krugman_specialisation(stats_small())
    k = dict(zip(out["region"], out["krugman_index"]))
    # benchmark mix (1/3, 2/3); A (1/4, 3/4) -> 1/6; B (0, 1) -> 2/3; C (3/4, 1/4) -> 5/6
    assert k["A"] == pytest.approx(1 / 6)
    assert k["B"] == pytest.approx(2 / 3)
    assert k["C"] == pytest.approx(5 / 6)


def dense_reference(emp: np.ndarray, est: np.ndarray):
    """Plain NumPy, dense (regions x industries), straight from the papers."""
    x = emp.sum(axis=1) / emp.sum()
    res = []
    for i in range(emp.shape[1]):
        e = emp[:, i]
        if e.sum() == 0:
            res.append(None)
            continue
        s = e / e.sum()
        sx2 = np.sum(x**2)
        # plant Herfindahl with n equal plants per cell: n * (e / n / E)^2
        h = sum(n * (v / n / e.sum()) ** 2 for v, n in zip(e, est[:, i]) if v > 0)
        g = np.sum((s - x) ** 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            eg = (g - (1 - sx2) * h) / ((1 - sx2) * (1 - h))
            ms = ((np.sum(s**2) - sx2) / (1 - sx2) - h) / (1 - h)
        lq = s / x
        # weighted Gini from pairwise differences (Lorenz area identity)
        gini = 0.5 * np.sum(np.outer(x, x) * np.abs(lq[:, None] - lq[None, :]))
        hoover = 0.5 * np.abs(s - x).sum()
        res.append((gini, hoover, g, h, eg, ms))
    return res


@settings(max_examples=50, deadline=None)
@given(
    data=st.lists(
        st.lists(st.tuples(st.integers(0, 500), st.integers(1, 20)), min_size=3, max_size=3),
        min_size=2,
        max_size=7,
    )
)
def test_against_dense_numpy(data):
    emp = np.array([[c[0] for c in row] for row in data], dtype=float)
    est = np.array([[c[1] for c in row] for row in data], dtype=float)
    if (emp.sum(axis=1) == 0).any():
        return  # a region without any employment has no x_r share to speak of
    rows = [
        (f"R{r}", f"i{i}", 2020, emp[r, i], est[r, i])
        for r in range(emp.shape[0]) for i in range(emp.shape[1])
        if emp[r, i] > 0  # sparse like CBP: zero cells are simply absent
    ]
    stats = pl.DataFrame(rows, schema=["region", "industry", "year", "employment", "establishments"],
                         orient="row")
    out = {r["industry"]: r for r in concentration(stats).iter_rows(named=True)}
    for i, ref in enumerate(dense_reference(emp, est)):
        if ref is None:
            assert f"i{i}" not in out
            continue
        got = out[f"i{i}"]
        gini, hoover, g, h, eg, ms = ref
        assert got["gini"] == pytest.approx(gini, rel=1e-9, abs=1e-12)
        assert got["hoover"] == pytest.approx(hoover, rel=1e-9, abs=1e-12)
        assert got["eg_raw"] == pytest.approx(g, rel=1e-9, abs=1e-12)
        assert got["herfindahl"] == pytest.approx(h, rel=1e-9)
        if h < 1 and np.sum((emp.sum(axis=1) / emp.sum()) ** 2) < 1:
            assert got["eg_gamma"] == pytest.approx(eg, rel=1e-9, abs=1e-12)
            assert got["ms_gamma"] == pytest.approx(ms, rel=1e-9, abs=1e-12)
        else:
            assert got["eg_gamma"] is None and got["ms_gamma"] is None


def test_industries_without_distribution_are_listed():
    s = pl.concat([
        stats_small(),
        pl.DataFrame({"region": ["A", "B"], "industry": ["i3", "i4"], "year": [2020, 2020],
                      "employment": [0.0, None], "establishments": [1.0, None]}),
    ])
    out = concentration(s)
    i3 = out.filter(pl.col("industry") == "i3").row(0, named=True)
    i4 = out.filter(pl.col("industry") == "i4").row(0, named=True)
    assert i3["employment"] == 0.0 and i3["gini"] is None and i3["unpublished_cells"] == 0
    assert i4["employment"] is None and i4["unpublished_cells"] == 1 and i4["eg_gamma"] is None
    # the other industries are unchanged by the extra rows
    i1 = out.filter(pl.col("industry") == "i1").row(0, named=True)
    assert i1["hoover"] == pytest.approx(5 / 12)


def test_krugman_region_without_employment_is_listed():
    s = pl.concat([
        stats_small(),
        pl.DataFrame({"region": ["D"], "industry": ["i1"], "year": [2020],
                      "employment": [0.0], "establishments": [0.0]}),
    ])
    out = krugman_specialisation(s)
    d = out.filter(pl.col("region") == "D").row(0, named=True)
    assert d["krugman_index"] is None and d["employment"] == 0.0 and d["industries"] == 0
    a = out.filter(pl.col("region") == "A").row(0, named=True)
    assert a["krugman_index"] == pytest.approx(1 / 6)


def test_prepared_panel_gives_the_same_results_as_the_table():
    from klaster.indicators import prepare_panel

    stats = pl.DataFrame({
        "region": ["A", "A", "B", "B", "C", "C"],
        "industry": ["x", "y", "x", "y", "x", "y"],
        "year": [2020] * 6,
        "employment": [10.0, 90.0, 50.0, 50.0, 0.0, 30.0],
        "establishments": [2.0, 9.0, 5.0, 4.0, 0.0, 3.0],
    })
    panel = prepare_panel(stats)
    assert concentration(panel).equals(concentration(stats))
    assert krugman_specialisation(panel).equals(krugman_specialisation(stats))


def test_duplicate_cells_are_refused_with_their_key():
    stats = pl.DataFrame({
        "region": ["A", "B", "A", "A"],
        "industry": ["x", "x", "y", "x"],
        "year": [2020, 2020, 2020, 2020],
        "employment": [1.0, 2.0, 3.0, 4.0],
        "establishments": [1.0, 1.0, 1.0, 1.0],
    })
    with pytest.raises(DataError, match="region=A, industry=x, year=2020"):
        concentration(stats)
    # the same cell in another year is not a duplicate
    ok = stats.with_columns(pl.Series("year", [2020, 2020, 2020, 2021]))
    assert concentration(ok).height == 3
