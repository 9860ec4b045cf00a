"""Kd against an exact O(n^2) reference, and its Monte Carlo behaviour."""

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.spatial.analysis import kd_industry
from klaster.spatial.kd import (
    KdOptions,
    KdStatistic,
    binning_bound,
    distance_grid,
    kd_test,
    median_site_distance,
)
from klaster.spatial.points import SiteCoords, site_coords

from .helpers import all_pair_distances, dbmss_kdhat, pair_weights


def _frame(xy, industry, weight=None, geographic=False):
    n = len(xy)
    cols = ("lon", "lat") if geographic else ("x", "y")
    return pl.DataFrame({"id": [str(i) for i in range(n)], "industry": industry,
                         "weight": np.ones(n) if weight is None else weight,
                         cols[0]: xy[:, 0], cols[1]: xy[:, 1]})


def _one_curve(pts, rows, grid, **opt):
    sites = site_coords(pts)
    stat = KdStatistic(sites, grid, rows, pts["weight"].to_numpy()[rows], KdOptions(**opt))
    return stat.observed(), stat


@pytest.mark.parametrize("geographic", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_fast_path_matches_brute_force(geographic, weighted):
    rng = np.random.default_rng(11)
    n = 250
    if geographic:  # a region of ~300 km around Warsaw
        xy = np.column_stack([rng.uniform(19, 23, n), rng.uniform(51, 53.5, n)])
    else:
        xy = rng.uniform(0, 100, (n, 2))
    w = rng.integers(1, 40, n).astype(float)
    pts = _frame(xy, ["A"] * n, w, geographic)
    rows = np.arange(n)
    d = all_pair_distances(xy, geographic)
    pw = pair_weights(w) if weighted else None
    grid = distance_grid(np.median(d), 101)
    # fixed bandwidth: the only difference is binning, bounded by 0.242 delta / h^2
    # (the normalising mass moves by far less: each Φ term by <= φ(0) δ / (2h))
    h = 0.05 * np.median(d)
    kd, stat = _one_curve(pts, rows, grid, bandwidth=h, weighted=weighted)
    exact, _ = dbmss_kdhat(d, grid, pw, bw=h)
    bound = binning_bound(stat.binning.delta, h)
    assert np.abs(kd - exact).max() <= 1.01 * bound + 1e-12
    assert bound < 0.05 * exact.max()  # the bound itself is tight enough to matter
    # dbmss's default: bw.nrd0 of the unweighted distances up to 2 max r, from the
    # histogram (each quartile within δ, s within δ/2) vs the exact one
    kd2, stat2 = _one_curve(pts, rows, grid, weighted=weighted)
    exact2, h_exact = dbmss_kdhat(d, grid, pw)
    n_in = int((d <= 2 * grid[-1]).sum())
    tol = 0.9 * 2 * stat2.binning.delta / 1.34 * n_in ** -0.2
    assert abs(stat2.last_h - h_exact) <= tol + 1e-12
    assert np.abs(kd2 - exact2).max() < 1e-3 * exact2.max()


def test_colocalisation_matches_brute_force():
    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 50, (300, 2))
    pts = _frame(xy, ["A"] * 120 + ["B"] * 180)
    a, b = np.arange(120), np.arange(120, 300)
    d = np.hypot(*(xy[a][:, None, :] - xy[b][None, :, :]).transpose(2, 0, 1)).ravel()
    grid = distance_grid(30, 61)
    stat = KdStatistic(site_coords(pts), grid, a, np.ones(120), KdOptions(bandwidth=2.0),
                       idx_b=b, w_b=np.ones(180))
    kd = stat.observed()
    exact, _ = dbmss_kdhat(d, grid, bw=2.0)
    assert np.abs(kd - exact).max() <= 1.01 * binning_bound(stat.binning.delta, 2.0) + 1e-12


def test_equal_weights_give_unweighted_curve_and_bands():
    rng = np.random.default_rng(2)
    xy = rng.uniform(0, 10, (400, 2))
    ind = ["A"] * 60 + ["B"] * 340
    unw = kd_industry(_frame(xy, ind), "A", n_sim=39, seed=4)
    wtd = kd_industry(_frame(xy, ind, np.full(400, 7.0)), "A", n_sim=39, seed=4,
                      options=KdOptions(weighted=True))
    for col in ("kd", "local_lo", "local_hi", "global_lo", "global_hi"):
        np.testing.assert_allclose(wtd[0][col].to_numpy(), unw[0][col].to_numpy(), rtol=1e-9)


def test_sample_mode_agrees_with_exact_within_stated_error():
    rng = np.random.default_rng(8)
    xy = rng.uniform(0, 100, (3000, 2))
    pts = _frame(xy, ["A"] * 1500 + ["B"] * 1500)
    rows = np.arange(1500)
    grid = distance_grid(60, 61)
    exact, _ = _one_curve(pts, rows, grid, bandwidth=2.0, mode="exact")
    sites = site_coords(pts)
    stat = KdStatistic(sites, grid, rows, np.ones(1500),
                       KdOptions(bandwidth=2.0, mode="sample", sample_pairs=200_000))
    approx = stat.observed()
    sd = stat.sampling_sd(approx)
    z = np.abs(approx - exact) / sd
    assert stat.mode == "sample" and z.max() < 5 and np.mean(z < 2) > 0.85


def test_median_site_distance_exact_and_sampled():
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 1, (600, 2))
    sc = SiteCoords(xy, False, 0.0, 2.0, "u")
    exact = np.median(all_pair_distances(xy, False))
    assert median_site_distance(sc) == pytest.approx(exact)
    assert median_site_distance(sc, n_pairs=50_000) == pytest.approx(exact, rel=0.01)


def test_planted_cluster_is_localised_at_short_distances():
    rng = np.random.default_rng(21)
    n_sites = 2000
    xy = rng.uniform(0, 100, (n_sites, 2))
    # industry: 60 firms in a disk of radius 3 km around (30, 70) + 20 scattered firms
    ang, rad = rng.uniform(0, 2 * np.pi, 60), 3 * np.sqrt(rng.uniform(0, 1, 60))
    xy[:60] = np.column_stack([30 + rad * np.cos(ang), 70 + rad * np.sin(ang)])
    pts = _frame(xy, ["A"] * 80 + ["other"] * (n_sites - 80))
    curve, summary = kd_industry(pts, "A", n_sim=99, seed=3,
                                 options=KdOptions(max_distance=60, n_grid=121))
    loc = dict(zip(curve["distance"].to_list(), curve["localised"].to_list()))
    # pairs inside the disk are at most 6 km apart: localised there, not far beyond
    assert all(loc[d] for d in (1.0, 2.0, 3.0, 4.0))
    assert not any(v for d, v in loc.items() if d >= 15)
    assert summary["gamma"][0] > 0 and summary["localised"][0]


def test_csr_stays_inside_global_band_about_95_percent():
    # 100 trials of an industry drawn at random among 300 sites, 99 simulations each.
    # Each tail's band is built for 5 %; with 99 simulations the achievable level is
    # a little above (reported as crossed_hi ~ 0.06). Binomial(100, 0.06): 99.9 % of
    # outcomes lie in [0, 14]; the lower limit 1 rules out a band that never fails.
    rng = np.random.default_rng(2024)
    xy = rng.uniform(0, 100, (300, 2))
    sites = SiteCoords(np.ascontiguousarray(xy), False, 0.0, 150.0, "u")
    grid = distance_grid(50, 51)
    hi = lo = 0
    for trial in range(100):
        idx = rng.choice(300, 30, replace=False)
        curve, _ = kd_test(sites, idx, np.ones(30), industry="A", grid=grid, n_sim=99,
                           seed=trial)
        hi += bool(curve["localised"].any())
        lo += bool(curve["dispersed"].any())
    assert 1 <= hi <= 14 and 1 <= lo <= 14


@settings(max_examples=15, deadline=None)
@given(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4), st.floats(0, 2 * math.pi),
       st.integers(0, 1000))
def test_kd_invariant_to_translation_and_rotation(tx, ty, theta, seed):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 20, (80, 2))
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    xy2 = xy @ rot.T + np.array([tx, ty])
    grid = distance_grid(15, 31)
    k1, s1 = _one_curve(_frame(xy, ["A"] * 80), np.arange(80), grid, bandwidth=1.0)
    k2, s2 = _one_curve(_frame(xy2, ["A"] * 80), np.arange(80), grid, bandwidth=1.0)
    tol = binning_bound(s1.binning.delta, 1.0) + binning_bound(s2.binning.delta, 1.0)
    assert np.abs(k1 - k2).max() <= tol + 1e-9
