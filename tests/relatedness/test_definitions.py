"""Cluster definitions from data: known block structure, hand-computed scores, I/O rules."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import adjusted_rand_score

from klaster.errors import DataError
from klaster.indicators import cluster_indicators
from klaster.relatedness.definitions import (
    cluster_industries,
    combine,
    derive_definitions,
    matrix_from_table,
    standardise,
    validation_scores,
)
from klaster.taxonomy import check_definitions

from ._util import stats_from_matrix


def _block_counts(seed=0, blocks=4, per_block=5, regions_per_block=6):
    """Industries of block b are large in the regions of group b, small elsewhere."""
    rng = np.random.default_rng(seed)
    nr, na = blocks * regions_per_block, blocks * per_block
    x = rng.uniform(1, 10, size=(nr, na))
    truth = np.repeat(np.arange(blocks), per_block)
    for b in range(blocks):
        rows = slice(b * regions_per_block, (b + 1) * regions_per_block)
        cols = slice(b * per_block, (b + 1) * per_block)
        x[rows, cols] += rng.uniform(200, 400, size=(regions_per_block, per_block))
    return x.round(), truth


def test_block_diagonal_colocation_recovers_blocks():
    x, truth = _block_counts()
    est = np.maximum(1, (x / 10).round())
    stats = stats_from_matrix(x, establishments=est)
    d = derive_definitions(stats, n_clusters=4, local_gini=0.0)
    got = dict(zip(d.definitions["industry"], d.definitions["cluster"]))
    labels = [got[f"A{j:03d}"] for j in range(len(truth))]
    assert adjusted_rand_score(truth, labels) == pytest.approx(1.0)
    assert d.scores["industry_score"] == 1.0 and d.scores["cluster_score"] == 1.0
    assert d.scores["converged"]
    assert set(d.definitions["cluster_type"]) == {"traded"}
    # The output is a valid definitions table that the indicators engine reads.
    check_definitions(d.definitions)
    ind = cluster_indicators(stats, d.definitions)
    assert ind["cluster"].n_unique() == 4
    assert ind["employment"].sum() == pytest.approx(x.sum())


def test_cluster_type_threshold():
    x, _ = _block_counts(seed=1)
    stats = stats_from_matrix(x)
    all_local = derive_definitions(stats, n_clusters=4, local_gini=1.01)
    assert set(all_local.definitions["cluster_type"]) == {"local"}
    # The Gini per cluster is reported for the decision.
    assert all_local.clusters["gini"].is_not_null().all()


def test_extra_matrix_alone_decides():
    # Co-location with weight 0: the user's matrix (two obvious groups) decides.
    x, _ = _block_counts(seed=2, blocks=2, per_block=4)
    stats = stats_from_matrix(x)
    codes = [f"A{j:03d}" for j in range(8)]
    group = [0, 1, 0, 1, 0, 1, 0, 1]
    rows = [(a, b, 1.0) for i, a in enumerate(codes) for j, b in enumerate(codes)
            if i < j and group[i] == group[j]]
    io = pl.DataFrame(rows, schema=["industry_1", "industry_2", "value"], orient="row")
    d = derive_definitions(stats, n_clusters=2, extra={"io": io},
                           weights={"employment": 0, "establishments": 0, "io": 1},
                           local_gini=0.0)
    got = dict(zip(d.definitions["industry"], d.definitions["cluster"]))
    assert adjusted_rand_score(group, [got[c] for c in codes]) == pytest.approx(1.0)


def test_validation_scores_by_hand():
    s = np.array([[0, .9, .1, .2], [.9, 0, .3, .1], [.1, .3, 0, .8], [.2, .1, .8, 0]])
    assert validation_scores(s, np.array([0, 0, 1, 1])) == {
        "industry_score": 1.0, "cluster_score": 1.0, "n_clusters": 2}
    bad = np.array([[0, .9, .1, .9], [.9, 0, .3, .9], [.1, .3, 0, .1], [.9, .9, .1, 0]])
    # Industry 3: own 0.1 < other 0.9; industry 2: own 0.1 < 0.2; cluster 1 within 0.1
    # < between (0.1 + 0.3 + 0.9 + 0.9) / 4.
    assert validation_scores(bad, np.array([0, 0, 1, 1])) == {
        "industry_score": 0.5, "cluster_score": 0.5, "n_clusters": 2}


def test_clear_groups_converge():
    s = np.array([[0, .9, .8, .1, .1], [.9, 0, .8, .1, .1], [.8, .8, 0, .1, .1],
                  [.1, .1, .1, 0, .9], [.1, .1, .1, .9, 0]], dtype=float)
    labels, _moves, converged, _ = cluster_industries(s, 2)
    assert converged
    assert labels[0] == labels[1] == labels[2] != labels[3] == labels[4]


def test_standardise_and_combine_by_hand():
    s = np.array([[1.0, 2.0, 4.0], [2.0, 1.0, 6.0], [4.0, 6.0, 1.0]])
    # off-diagonal values 2, 4, 2, 6, 4, 6: mean 4, population sd sqrt(8/3)
    z = standardise(s)
    sd = np.sqrt(8 / 3)
    assert z[0, 1] == pytest.approx(-2 / sd) and z[1, 2] == pytest.approx(2 / sd)
    assert np.diag(z).tolist() == [0, 0, 0]
    c = combine({"a": s, "b": 2 * s}, {"a": 1, "b": 3})
    assert c == pytest.approx(z)  # standardising removes the scale
    with pytest.raises(DataError):
        combine({})


def test_matrix_from_table_symmetrises_and_names_bad_rows():
    t = pl.DataFrame({"industry_1": ["a", "b"], "industry_2": ["b", "a"], "value": [0.2, 0.5]})
    m = matrix_from_table(t, ["a", "b", "c"])
    assert m[0, 1] == m[1, 0] == 0.5 and m[2].sum() == 0
    bad = pl.DataFrame({"industry_1": ["a", "zz"], "industry_2": ["b", "a"], "value": [1.0, 1.0]})
    with pytest.raises(DataError) as e:
        matrix_from_table(bad, ["a", "b"], name="io.csv")
    assert e.value.line == 3 and e.value.field == "industry_1"
    with pytest.raises(DataError):
        cluster_industries(np.eye(3), 3)
