"""The compiled betweenness path (rustworkx) against networkx as the oracle, to 1e-9.

networkx's pure-Python ``betweenness_centrality(g, normalized=True)`` defines the values
(docs/networks.md); every check here runs networkx on a graph the test builds itself, so a
change of normalisation or of the node mapping in klaster.networks.betweenness_centrality
fails here."""

from __future__ import annotations

from datetime import date

import networkx as nx
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.networks import betweenness_centrality, cluster_metrics, organisation_centrality
from klaster.registry_tables import RegistryTables

from .registry_fixture import build
from .test_metrics import _oracle_graph

TOL = 1e-9


def _assert_close(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    worst = max((abs(got[v] - want[v]) for v in want), default=0.0)
    assert worst <= TOL, f"largest difference {worst:.3g}"


@pytest.mark.parametrize("cluster,year", [(1, 2022), (2, 2022), (1, 2023), (2, 2023)])
def test_constructed_registries_per_organisation(cluster, year):
    reg = build()
    want = nx.betweenness_centrality(_oracle_graph(cluster, year), normalized=True)
    got = dict(organisation_centrality(reg, cluster_id=cluster, year=year)
               .select("organisation_id", "betweenness").iter_rows())
    _assert_close(got, want)
    row = cluster_metrics(reg, years=[year]).filter(pl.col("cluster_id") == cluster).row(
        0, named=True)
    assert abs(row["mean_betweenness"] - sum(want.values()) / len(want)) <= TOL


def test_small_graphs_are_zero_like_networkx():
    for n in range(3):
        g = nx.path_graph(n)
        _assert_close(betweenness_centrality(g), nx.betweenness_centrality(g))
        assert all(v == 0.0 for v in betweenness_centrality(g).values())


def test_path_by_hand():
    # Path a-b-c-d: b lies on a-c and a-d, c on b-d and a-d; 3 pairs exclude each node.
    g = nx.Graph([("a", "b"), ("b", "c"), ("c", "d")])
    assert betweenness_centrality(g) == pytest.approx(
        {"a": 0.0, "b": 2 / 3, "c": 2 / 3, "d": 0.0}, abs=TOL)


def test_equal_values_rank_by_id():
    """A 7-cycle: every member has the same betweenness (symmetry), so the bridging list is
    the three smallest ids whatever order the library summed in. Shortest paths in an odd
    cycle are unique; node v is inside the one pair at distance 2 around it and the two
    pairs at distance 3 that it splits 1 + 2 or 2 + 1, so 3 of the C(6, 2) = 15 pairs
    without v: 0.2."""
    ids = [17, 3, 42, 8, 29, 11, 5]
    orgs = [{"id": i, "helix": "business"} for i in ids]
    mem = [{"organisation_id": i, "cluster_id": 1, "joined": date(2020, 1, 1)} for i in ids]
    ring = list(zip(ids, ids[1:] + ids[:1]))
    projects = [{"id": k, "cluster_id": 1, "start": date(2020, 1, 1)} for k in range(7)]
    partners = [{"project_id": k, "organisation_id": o} for k, pair in enumerate(ring)
                for o in pair]
    reg = RegistryTables.from_frames(organisations=orgs, memberships=mem, projects=projects,
                                     project_partners=partners,
                                     clusters=[{"id": 1, "status": "operating"}])
    row = cluster_metrics(reg, years=[2020]).row(0, named=True)
    assert row["bridging_organisations"] == [3, 5, 8]
    assert row["mean_betweenness"] == pytest.approx(3 / 15, abs=TOL)
    cent = organisation_centrality(reg, cluster_id=1, year=2020)
    assert cent["organisation_id"].to_list() == sorted(ids)  # equal value and degree
    assert cent["betweenness"].to_list() == pytest.approx([0.2] * 7, abs=TOL)


@pytest.mark.parametrize("seed", [0, 1])
def test_large_random_graph_parallel_path(seed):
    # 600 nodes: above rustworkx's parallel threshold (50), with components and isolates.
    g = nx.gnm_random_graph(600, 700, seed=seed)
    _assert_close(betweenness_centrality(g), nx.betweenness_centrality(g))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 70),
       edges=st.lists(st.tuples(st.integers(0, 69), st.integers(0, 69)), max_size=160),
       offset=st.integers(-1000, 1000))
def test_random_graph_matches_networkx(n, edges, offset):
    """Any simple graph (isolates, several components, non-contiguous labels; parallel above
    50 nodes) gives networkx's normalised betweenness to 1e-9."""
    g = nx.Graph()
    g.add_nodes_from(range(offset, offset + n))
    g.add_edges_from((a + offset, b + offset) for a, b in edges if a < n and b < n and a != b)
    _assert_close(betweenness_centrality(g), nx.betweenness_centrality(g, normalized=True))
