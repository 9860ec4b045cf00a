"""Kd against an independent NumPy re-implementation of dbmss's exact Kdhat recipe, the
sampled mode against the exact one, and M and m against hand-computed cases."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import pdist

from klaster.spatial.kd import KdOptions, KdStatistic, distance_grid
from klaster.spatial.m import MDensityStatistic, MStatistic
from klaster.spatial.points import SiteCoords

from .helpers import bw_nrd0, dbmss_kdhat


def _pattern(n_firms, n_sites, seed):
    """Window 100 × 100: half the industry's firms around 5 centres (sd 3), the rest and
    all other sites uniform (the issue's test pattern)."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, (n_sites, 2))
    k = n_firms // 2
    centres = rng.uniform(15, 85, (5, 2))
    xy[:k] = centres[rng.integers(0, 5, k)] + rng.normal(0, 3, (k, 2))
    return SiteCoords(np.ascontiguousarray(xy), False, 0.0, float(np.hypot(*np.ptp(xy, 0))),
                      "u"), rng.lognormal(1.0, 1.0, n_sites)


def _dbmss_reference(xy, r, w=None):
    d = pdist(xy)
    pw = None
    if w is not None:
        i, j = np.triu_indices(len(xy), 1)
        pw = w[i] * w[j]
    return dbmss_kdhat(d, r, pw)


@pytest.mark.parametrize("n_firms", [500, 2000, 5000])
@pytest.mark.parametrize("weighted", [False, True])
def test_default_kd_is_dbmss_exact_kdhat(n_firms, weighted):
    sites, w = _pattern(n_firms, 5000, seed=n_firms)
    rows = np.arange(n_firms)
    r = distance_grid(30, 61)  # r from 0 to 30 by 0.5, as in the issue
    stat = KdStatistic(sites, r, rows, w[rows], KdOptions(weighted=weighted))
    kd = stat.observed()
    ref, bw = _dbmss_reference(sites.coords[:n_firms], r, w[rows] if weighted else None)
    assert stat.last_h == pytest.approx(bw, rel=1e-3)
    assert np.all(np.abs(kd / ref - 1) <= 0.005)


def test_bandwidth_ignores_pairs_beyond_twice_max_r():
    # the old rule (all pairs) gives a different h: the cutoff matters on this pattern
    sites, _ = _pattern(500, 5000, seed=7)
    d = pdist(sites.coords[:500])
    r = distance_grid(30, 61)
    stat = KdStatistic(sites, r, np.arange(500), np.ones(500))
    stat.observed()
    assert stat.last_h == pytest.approx(bw_nrd0(d[d <= 60]), rel=1e-3)
    assert abs(bw_nrd0(d) / stat.last_h - 1) > 0.05


def _rel_gap(a, b):
    """Largest |a − b| relative to b where b holds at least 20 % of its peak; and the
    largest |a − b| relative to b's peak anywhere."""
    big = b >= 0.2 * b.max()
    return float(np.abs(a[big] / b[big] - 1).max()), float(np.abs(a - b).max() / b.max())


def test_sampled_mode_within_2_percent_of_exact_at_10k_and_no_jump_at_switch():
    sites, _ = _pattern(10_001, 20_000, seed=3)
    r = distance_grid(30, 61)
    ones = np.ones(10_001)
    exact = KdStatistic(sites, r, np.arange(10_000), ones[:10_000],
                        KdOptions(mode="exact"))
    k_exact = exact.observed()
    sampled = KdStatistic(sites, r, np.arange(10_000), ones[:10_000],
                          KdOptions(mode="sample"))
    k_sampled = sampled.observed()
    # the bandwidth is the true one, not that of the 5e6 sampled pairs
    assert sampled.last_h == pytest.approx(exact.last_h, rel=0.01)
    pointwise, overall = _rel_gap(k_sampled, k_exact)
    assert pointwise <= 0.02 and overall <= 0.02
    # auto: 10,000 firms (49,995,000 pairs) exact, 10,001 (50,005,000) sampled
    at_switch = KdStatistic(sites, r, np.arange(10_001), ones, KdOptions())
    assert exact.mode == "exact" and at_switch.mode == "sample"
    pointwise, overall = _rel_gap(at_switch.observed(), k_exact)
    assert pointwise <= 0.02 and overall <= 0.02


def test_weighted_sampled_mode_takes_the_unweighted_true_bandwidth():
    sites, w = _pattern(3000, 5000, seed=5)
    r = distance_grid(30, 31)
    rows = np.arange(3000)
    ex = KdStatistic(sites, r, rows, w[rows], KdOptions(weighted=True, mode="exact"))
    sa = KdStatistic(sites, r, rows, w[rows], KdOptions(weighted=True, mode="sample",
                                                        sample_pairs=2_000_000))
    k_ex, k_sa = ex.observed(), sa.observed()
    assert sa.last_h == pytest.approx(ex.last_h, rel=0.01)
    z = np.abs(k_sa - k_ex) / sa.sampling_sd(k_sa)
    assert z.max() < 5


# four firms on a line: x = 0, 1, 2, 10; industries A, A, B, B
LINE = SiteCoords(np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [10.0, 0.0]]), False, 0.0,
                  10.0, "u")


def test_m_by_hand():
    w = np.array([2.0, 1.0, 3.0, 4.0])
    stat = MStatistic(LINE, np.array([1.5]), w, np.array([0, 1]), np.array([0, 1]))
    # firm 0 sees firm 1 (A, w 1): 1/1; firm 1 sees 0 (A, 2) and 2 (B, 3): 2/5.
    # expected ratios (W_A − w_i)/(W − w_i): (3 − 2)/(10 − 2), (3 − 1)/(10 − 1)
    assert stat.observed()[0] == pytest.approx((1 + 2 / 5) / (1 / 8 + 2 / 9))


def test_density_m_by_hand():
    w = np.ones(4)
    stat = MDensityStatistic(LINE, np.array([1.0]), w, np.array([0, 1]), np.array([0, 1]),
                             bandwidth=1.0)
    e = np.exp
    # at r = 1, h = 1: kernel exp(−(1 − d)²/2). Firm 0: A-neighbour at d = 1 -> 1; all
    # neighbours at 1, 2, 10 -> 1 + e^−½ + e^−40.5. Firm 1: A at 1 -> 1; all at 1, 1, 9
    # -> 2 + e^−32. Expected ratio (2 − 1)/(4 − 1) for both.
    want = (1 / (1 + e(-0.5) + e(-40.5)) + 1 / (2 + e(-32))) / (2 / 3)
    assert stat.observed()[0] == pytest.approx(want, rel=1e-12)
    # m of A toward B (co-localisation): firm 0: B at 2 and 10; firm 1: B at 1 and 9;
    # expected W_B/(W − w_i) = 2/3 for both
    co = MDensityStatistic(LINE, np.array([1.0]), w, np.array([0, 1]), np.array([2, 3]),
                           bandwidth=1.0)
    want = ((e(-0.5) + e(-40.5)) / (1 + e(-0.5) + e(-40.5)) + (1 + e(-32)) / (2 + e(-32))) \
        / (4 / 3)
    assert co.observed()[0] == pytest.approx(want, rel=1e-12)


def test_density_m_default_bandwidth_is_dbmss_rule():
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 10, (200, 2))
    sites = SiteCoords(xy, False, 0.0, 15.0, "u")
    ref = np.arange(40)
    r = np.linspace(0, 3, 7)
    stat = MDensityStatistic(sites, r, np.ones(200), ref, ref)
    stat.observed()
    d = pdist(xy[:40])
    assert stat.observed_h == pytest.approx(bw_nrd0(d[d <= 6]), rel=1e-3)


def test_bandwidth_cutoff_on_a_bin_edge_and_bins_bounded():
    from klaster.spatial.kd import _Binning

    sites = SiteCoords(np.zeros((2, 2)), False, 0.0, 1000.0, "u")
    b = _Binning.for_sites(sites, 16384, 300.0)
    assert b.k_cut * b.delta == pytest.approx(300.0) and b.n_bins * b.delta >= 1000.0
    assert abs(b.n_bins - 16384) <= 2
    # a grid far shorter than the extent: no explosion of bins
    tiny = _Binning.for_sites(sites, 16384, 1e-6)
    assert tiny.n_bins == 16384 and tiny.k_cut == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 100.0), min_size=3, max_size=300))
def test_histogram_bandwidth_is_bw_nrd0_within_its_bin_error(values):
    from klaster.spatial.kd import silverman_from_histogram

    x = np.asarray(values)
    delta = 100.0 / 65536
    q75, q25 = np.percentile(x, [75, 25])
    assume(q75 - q25 > 20 * delta and np.std(x) > 20 * delta)  # ties need R's fallbacks
    counts = np.bincount(np.minimum((x / delta).astype(int), 65535), minlength=65536)
    h = silverman_from_histogram(counts.astype(float), delta)
    # s moves by at most δ/2, each quartile by at most δ (module docstring of kd.py)
    tol = 0.9 * max(delta / 2, 2 * delta / 1.34) * len(x) ** -0.2
    assert abs(h - bw_nrd0(x)) <= tol + 1e-12


def test_bandwidth_with_most_firms_at_one_address_falls_back_to_s_as_r():
    # 70 firms at one site, 8 elsewhere: 2,415 of the 3,003 pairs at distance 0, so
    # R's IQR is 0 and bw.nrd0 uses the standard deviation
    rng = np.random.default_rng(4)
    xy = np.vstack([np.full((70, 2), 50.0), rng.uniform(0, 100, (8, 2))])
    sites = SiteCoords(xy, False, 0.0, float(np.hypot(*np.ptp(xy, 0))), "u")
    r = distance_grid(40, 41)
    stat = KdStatistic(sites, r, np.arange(78), np.ones(78))
    stat.observed()
    d = pdist(xy)
    assert np.subtract(*np.percentile(d[d <= 80], [75, 25])) == 0
    assert stat.last_h == pytest.approx(bw_nrd0(d[d <= 80]), rel=1e-3)
