import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.spatial.montecarlo import Labelling, envelope, gamma_psi, run_monte_carlo


def test_global_band_one_distance_is_order_statistic():
    # 20 simulations, one distance: allowed crossings floor(0.05*20) = 1, so the upper
    # global band is the 2nd largest value and the lower band the 2nd smallest.
    vals = np.arange(20.0)[::-1].copy()
    env = envelope(vals[:, None])
    assert env.global_hi[0] == 18.0 and env.global_lo[0] == 1.0
    assert env.crossed_hi == pytest.approx(1 / 20) and env.crossed_lo == pytest.approx(1 / 20)


def test_global_band_widens_with_more_distances():
    rng = np.random.default_rng(0)
    sims = rng.normal(size=(1000, 30))
    env = envelope(sims)
    # independent distances: the global band must lie outside the local 95 % band and
    # at most 5 % (+1 for the rank rule) of curves cross it, counted independently here
    assert (env.global_hi >= env.local_hi).all() and (env.global_lo <= env.local_lo).all()
    above = (sims > env.global_hi).any(axis=1).mean()
    assert 0.03 <= above <= 0.051
    # for 30 independent N(0,1) the per-distance level is about 1 - 0.05/30 = 0.9983
    assert 2.6 < env.global_hi.mean() < 3.3


def test_gamma_psi_by_hand():
    from klaster.spatial.montecarlo import Envelope

    z = np.zeros(4)
    env = Envelope(z, z, z, z, np.array([1.0, 1, 1, 1]), np.array([3.0, 3, 3, 3]), 0.95, 0.05,
                   0.05)
    obs = np.array([4.0, 5.0, 2.0, 0.5])
    # Γ = (4-3) + (5-3) = 3 per unit step; step 0.5 -> 1.5; Ψ = 0 because Γ > 0
    assert gamma_psi(obs, env, 0.5) == (1.5, 0.0)
    assert gamma_psi(np.array([2.0, 0.5, 0.0, 1.0]), env, 1.0) == (0.0, 1.5)


class _Mean:
    """A toy statistic: mean x of a random labelling of 5 of 10 values."""

    def __init__(self):
        self.x = np.arange(10.0)

    def observed(self):
        return np.array([self.x[:5].mean()])

    def simulate(self, lab, rng):
        return np.array([self.x[lab.subset(rng, 5)].mean()])


def test_engine_reproducible_and_unbiased():
    o1, s1 = run_monte_carlo(_Mean(), 10, 400, seed=7)
    _o2, s2 = run_monte_carlo(_Mean(), 10, 400, seed=7)
    _, s3 = run_monte_carlo(_Mean(), 10, 400, seed=8)
    assert np.array_equal(s1, s2) and not np.array_equal(s1, s3)
    assert o1[0] == 2.0
    # mean of a random 5-subset of 0..9 is 4.5 with sd sqrt(8.25/5 * 5/9) ~= 0.957
    assert abs(s1.mean() - 4.5) < 4 * 0.957 / np.sqrt(400)


def test_subset_is_without_replacement():
    lab = Labelling(50)
    s = lab.subset(np.random.default_rng(1), 50)
    assert sorted(s) == list(range(50))
    with pytest.raises(ValueError):
        lab.subset(np.random.default_rng(1), 51)


@settings(max_examples=40, deadline=None)
@given(st.integers(20, 300), st.integers(1, 25), st.integers(0, 10_000))
def test_global_band_same_rank_everywhere_and_level(n_sim, g, seed):
    sims = np.random.default_rng(seed).normal(size=(n_sim, g))  # distinct values
    env = envelope(sims)
    above = (sims > env.global_hi).sum(axis=0)
    below = (sims < env.global_lo).sum(axis=0)
    # D&O: the same order statistic at every distance
    assert len(set(above)) == 1 and len(set(below)) == 1
    # leave-one-out count: a curve crosses iff its value is the top `above+1` somewhere
    k = above[0]
    if k > 0:  # the band is not the pointwise maximum: level honoured
        ranks_from_top = (sims[:, None, :] < sims[None, :, :]).sum(axis=1)  # others above
        loo = (ranks_from_top < k).any(axis=1).mean()
        assert loo == env.crossed_hi and loo <= 0.05 + 1e-12
