"""Opportunities: candidates, ranking and supporting activities on a constructed case."""

from __future__ import annotations

import numpy as np
import pytest

from klaster.errors import DataError
from klaster.relatedness import opportunities, relatedness

from ._util import random_counts, stats_from_matrix


@pytest.fixture(scope="module")
def result():
    return relatedness(stats_from_matrix(random_counts(11, 30, 12)))


def test_candidates_are_not_specialised_and_ranked(result):
    opp, _sup = opportunities(result, top=None)
    mx = result.matrix
    ri = {r: i for i, r in enumerate(mx.regions)}
    ai = {a: j for j, a in enumerate(mx.activities)}
    for row in opp.iter_rows(named=True):
        i, j = ri[row["region"]], ai[row["activity"]]
        assert mx.presence[i, j] == 0
        assert row["density"] == pytest.approx(result.density[i, j])
        assert row["pci"] == pytest.approx(result.complexity.pci[j])
    # Every non-specialised cell is a candidate when top=None.
    assert opp.height == int((mx.presence == 0).sum())
    for _, g in opp.group_by("region"):
        g = g.sort("rank")
        assert (np.diff(g["score"].to_numpy()) <= 1e-12).all()


def test_score_by_hand_for_one_region(result):
    mx = result.matrix
    r = 0
    cand = np.flatnonzero(mx.presence[r] == 0)
    dens = result.density[r, cand]
    pci_all = result.complexity.pci
    # Percentile ranks by counting (no ties in continuous data).
    pd_ = np.array([(dens <= v).sum() / len(dens) for v in dens])
    pp = np.array([(pci_all <= pci_all[a]).sum() / len(pci_all) for a in cand])
    score = 0.7 * pd_ + 0.3 * pp
    best = mx.activities[cand[np.argmax(score)]]
    opp, _ = opportunities(result, top=1, density_weight=0.7, regions=[mx.regions[r]])
    assert opp["activity"].to_list() == [best]
    assert opp["score"][0] == pytest.approx(score.max())


def test_supporting_are_present_and_nearest(result):
    _, sup = opportunities(result, top=3, supporting=4)
    mx = result.matrix
    ri = {r: i for i, r in enumerate(mx.regions)}
    ai = {a: j for j, a in enumerate(mx.activities)}
    for (region, act), g in sup.group_by("region", "activity"):
        i, j = ri[region], ai[act]
        have = np.flatnonzero(mx.presence[i] > 0)
        expected = np.sort(result.proximity[j, have])[::-1][:4]
        got = [result.proximity[j, ai[s]] for s in g.sort("rank")["supporting_activity"]]
        assert got == pytest.approx(expected[: len(got)])
        assert all(mx.presence[i, ai[s]] == 1 for s in g["supporting_activity"])


def test_bad_options(result):
    with pytest.raises(DataError):
        opportunities(result, density_weight=2)
    with pytest.raises(DataError):
        opportunities(result, regions=["nowhere"])
