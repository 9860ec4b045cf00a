"""M of Marcon & Puech (2010) against a direct O(n^2) computation."""

import numpy as np
import polars as pl
import pytest

from klaster.spatial.analysis import m_industry
from klaster.spatial.m import MStatistic
from klaster.spatial.points import site_coords

from .helpers import gaussian_radius, haversine_km


def _brute_m(d, w, ref, target, radii):
    """M from its definition (Marcon & Puech 2010, eq. 6) with a full distance matrix."""
    n = len(w)
    tgt = np.zeros(n, bool)
    tgt[target] = True
    W, WT = w.sum(), w[tgt].sum()
    out = []
    for r in radii:
        num = den = 0.0
        for i in ref:
            nb = d[i] <= r
            nb[i] = False
            if w[nb].sum() > 0:
                num += w[nb & tgt].sum() / w[nb].sum()
                den += (WT - (w[i] if tgt[i] else 0.0)) / (W - w[i])
        out.append(num / den if den > 0 else np.nan)
    return np.array(out)


@pytest.mark.parametrize("geographic", [False, True])
def test_m_matches_definition(geographic):
    rng = np.random.default_rng(4)
    n = 300
    if geographic:
        xy = np.column_stack([rng.uniform(24.8, 25.1, n), rng.uniform(60.1, 60.3, n)])
        d = haversine_km(xy[:, None, 0], xy[:, None, 1], xy[None, :, 0], xy[None, :, 1],
                         gaussian_radius(xy[:, 1].mean()))
        radii = np.linspace(0.5, 6, 8)
        cols = ("lon", "lat")
    else:
        xy = rng.uniform(0, 100, (n, 2))
        d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
        radii = np.linspace(3, 40, 8)
        cols = ("x", "y")
    w = rng.integers(1, 30, n).astype(float)
    pts = pl.DataFrame({"id": [str(i) for i in range(n)], "industry": ["A"] * n,
                        "weight": w, cols[0]: xy[:, 0], cols[1]: xy[:, 1]})
    sites = site_coords(pts)
    ref, other = np.arange(40), np.arange(40, 100)
    m_same = MStatistic(sites, radii, w, ref, ref).observed()
    np.testing.assert_allclose(m_same, _brute_m(d, w, ref, ref, radii), rtol=1e-10)
    m_co = MStatistic(sites, radii, w, ref, other).observed()
    np.testing.assert_allclose(m_co, _brute_m(d, w, ref, other, radii), rtol=1e-10)


def test_m_equal_weights_equal_unweighted_and_detects_cluster():
    rng = np.random.default_rng(9)
    n = 600
    xy = rng.uniform(0, 100, (n, 2))
    xy[:40] = rng.normal([50, 50], 2.0, (40, 2))  # planted cluster of industry A
    ind = ["A"] * 50 + ["B"] * (n - 50)
    base = pl.DataFrame({"id": [str(i) for i in range(n)], "industry": ind,
                         "x": xy[:, 0], "y": xy[:, 1]})
    radii = np.array([2.0, 5.0, 10.0, 30.0])
    a = m_industry(base.with_columns(pl.lit(1.0).alias("weight")), "A", radii=radii,
                   n_sim=39, seed=1)
    b = m_industry(base.with_columns(pl.lit(5.0).alias("weight")), "A", radii=radii,
                   n_sim=39, seed=1)
    np.testing.assert_allclose(a["m"].to_numpy(), b["m"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(a["global_hi"].to_numpy(), b["global_hi"].to_numpy(),
                               rtol=1e-12)
    assert a.filter(pl.col("distance") <= 5)["concentrated"].all()
    # 40 of 50 A firms within a few km: M far above 1 at 2-5 km
    assert a.filter(pl.col("distance") == 2)["m"][0] > 5
