"""ECI/PCI properties and constructed matrices with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from klaster.errors import DataError
from klaster.relatedness import eci_pci


def _nested(n):
    # Region i has activities 0..i: a perfectly nested matrix (Hidalgo & Hausmann 2009).
    return np.tril(np.ones((n, n)))


def test_nested_matrix_orders_regions_by_diversity():
    cx = eci_pci(_nested(8))
    assert (np.diff(cx.eci) > 0).all()
    # The most ubiquitous activity (held by everyone) is the least complex.
    assert np.argmin(cx.pci) == 0


def test_normalisation_documented():
    rng = np.random.default_rng(0)
    m = (rng.random((30, 12)) < 0.4).astype(float)
    m[m.sum(axis=1) == 0, 0] = 1
    m[0, m.sum(axis=0) == 0] = 1
    cx = eci_pci(m)
    assert cx.eci.mean() == pytest.approx(0.0, abs=1e-12)
    assert cx.eci.std() == pytest.approx(1.0)
    # ECI is the mean PCI of the region's activities (the affine map keeps that).
    assert cx.eci == pytest.approx((m @ cx.pci) / m.sum(axis=1))
    # Eigen-equation of M~ = U^-1 M^T D^-1 M for the raw activity vector.
    mt = (m / m.sum(axis=0)).T @ (m / m.sum(axis=1)[:, None])
    k = cx.k_activity
    assert mt @ k == pytest.approx(cx.eigenvalues[1] * k)
    assert cx.eigenvalues[0] == pytest.approx(1.0)


def test_empty_rows_and_columns_get_nan():
    m = np.zeros((5, 4))
    m[0, 0] = m[1, 0] = m[1, 1] = m[2, 1] = m[2, 2] = m[3, 0] = 1
    cx = eci_pci(m)
    assert np.isnan(cx.eci[4]) and np.isnan(cx.pci[3])
    assert np.isfinite(cx.eci[:4]).all()


def test_too_small():
    with pytest.raises(DataError):
        eci_pci(np.array([[1.0, 0.0]]))


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000), st.integers(4, 20), st.integers(3, 10))
def test_eci_correlates_with_diversity(seed, nr, na):
    rng = np.random.default_rng(seed)
    m = (rng.random((nr, na)) < 0.5).astype(float)
    assume((m.sum(axis=1) > 0).all() and (m.sum(axis=0) > 0).all())
    cx = eci_pci(m)
    assume(np.isfinite(cx.eci).all() and cx.eci.std() > 0)
    d = m.sum(axis=1)
    assume(d.std() > 0)
    assert np.corrcoef(d, cx.eci)[0, 1] >= -1e-9


def test_lanczos_and_dense_solvers_agree():
    rng = np.random.default_rng(12)
    m = (rng.random((400, 260)) < rng.uniform(0.05, 0.6, size=(400, 1))).astype(float)
    dense = eci_pci(m, solver="eigh")
    lanczos = eci_pci(m, solver="lanczos")
    np.testing.assert_allclose(lanczos.eci, dense.eci, rtol=0, atol=1e-10)
    np.testing.assert_allclose(lanczos.pci, dense.pci, rtol=0, atol=1e-10)
    assert lanczos.eigenvalues == pytest.approx(dense.eigenvalues, abs=1e-12)
    with pytest.raises(DataError):
        eci_pci(m, solver="power")


def test_lanczos_leaves_blas_thread_counts_as_they_were():
    # The Lanczos products run on one BLAS thread; the limit must end with eci_pci.
    from threadpoolctl import threadpool_info, threadpool_limits

    rng = np.random.default_rng(3)
    m = (rng.random((300, 220)) < 0.3).astype(float)
    with threadpool_limits(limits=2, user_api="blas"):
        before = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        eci_pci(m, solver="lanczos")
        after = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    assert before and after == before
