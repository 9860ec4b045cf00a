"""Proximity kernels against hand numbers and separate plain-Python computations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from klaster.relatedness import (
    density_matrix,
    proximity_correlation,
    proximity_hidalgo,
    proximity_prob,
    proximity_table,
)

# 4 regions x 3 activities.
M = np.array([[1, 1, 0],
              [1, 0, 0],
              [1, 1, 1],
              [0, 0, 1]], dtype=float)


def test_hidalgo_hand_computed():
    phi = proximity_hidalgo(M)
    # ubiquity a0 3, a1 2, a2 2; C01 = 2, C02 = 1, C12 = 1
    expected = np.array([[1.0, 2 / 3, 1 / 3],
                         [2 / 3, 1.0, 1 / 2],
                         [1 / 3, 1 / 2, 1.0]])
    assert phi == pytest.approx(expected)


def _econgeo_prob_loop(c):
    """EconGeo relatedness(method="prob") written out cell by cell."""
    c = np.array(c, dtype=float)
    n = len(c)
    for i in range(n):
        c[i, i] = 0.0
    s = [sum(c[k, j] for k in range(n)) for j in range(n)]
    t = sum(s)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            e = ((s[i] / t) * (s[j] / (t - s[i])) + (s[j] / t) * (s[i] / (t - s[j]))) * t / 2
            out[i, j] = c[i, j] / e if e > 0 else 0.0
    return out


def test_prob_matches_cell_by_cell_formula():
    rng = np.random.default_rng(3)
    m = (rng.random((30, 8)) < 0.4).astype(float)
    c = [[sum(m[r, i] * m[r, j] for r in range(30)) for j in range(8)] for i in range(8)]
    assert proximity_prob(m) == pytest.approx(_econgeo_prob_loop(c), rel=1e-12)


def test_prob_hand_computed():
    # C (diag 0): C01 = 2, C02 = 1, C12 = 1 -> s = (3, 3, 2), T = 8
    # e01 = 4 * (3/8 * 3/5 + 3/8 * 3/5) = 1.8 -> 2/1.8
    r = proximity_prob(M)
    assert r[0, 1] == pytest.approx(2 / 1.8)
    assert r[0, 2] == pytest.approx(1 / (4 * (3 / 8 * 2 / 5 + 2 / 8 * 3 / 6)))
    assert np.diag(r).tolist() == [0.0, 0.0, 0.0]


def test_correlation_matches_numpy_corrcoef():
    rng = np.random.default_rng(5)
    x = rng.gamma(1.0, 1.0, size=(20, 6))
    r = np.corrcoef(x, rowvar=False)
    assert proximity_correlation(x, rescale=False) == pytest.approx(r, abs=1e-12)
    assert proximity_correlation(x) == pytest.approx((1 + r) / 2, abs=1e-12)


def test_density_hand_computed():
    phi = proximity_hidalgo(M)
    d = density_matrix(M, phi)
    # region 1 has only a0: density of a1 = phi10 / (phi10 + phi11 + phi12)
    assert d[1, 1] == pytest.approx((2 / 3) / (2 / 3 + 1 + 1 / 2))
    assert d[2] == pytest.approx([1.0, 1.0, 1.0])


def test_proximity_table_pairs():
    t = proximity_table(proximity_hidalgo(M), ["x", "y", "z"], min_value=0.4)
    pairs = sorted(zip(t["activity_1"], t["activity_2"]))
    assert pairs == [("x", "y"), ("y", "x"), ("y", "z"), ("z", "y")]


presence = arrays(np.float64, st.tuples(st.integers(2, 12), st.integers(2, 8)),
                  elements=st.sampled_from([0.0, 1.0]))


@settings(max_examples=60, deadline=None)
@given(presence)
def test_properties_of_proximities(m):
    phi = proximity_hidalgo(m)
    assert np.allclose(phi, phi.T)
    assert (phi >= 0).all() and (phi <= 1 + 1e-12).all()
    u = m.sum(axis=0)
    assert np.allclose(np.diag(phi)[u > 0], 1.0)
    r = proximity_prob(m)
    assert np.allclose(r, r.T) and (r >= 0).all()
    d = density_matrix(m, phi)
    ok = phi.sum(axis=1) > 0
    assert (d[:, ok] >= -1e-12).all() and (d[:, ok] <= 1 + 1e-12).all()
    # A region with every activity has density 1 wherever it is defined.
    full = density_matrix(np.ones((1, m.shape[1])), phi)
    assert np.allclose(full[:, ok], 1.0)
