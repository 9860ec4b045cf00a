"""Cluster and organisation metrics: hand-computed values for the star and the bridged
groups, and networkx run on a graph built here independently from the fixture's raw rows."""

from __future__ import annotations

from datetime import date

import networkx as nx
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.networks import cluster_metrics, organisation_centrality, registry_years
from klaster.registry_tables import RegistryTables

from .registry_fixture import ACTIVITIES, HELIX, MEMBERSHIPS, PROJECTS, build


@pytest.fixture(scope="module")
def reg():
    return build()


@pytest.fixture(scope="module")
def metrics(reg):
    return cluster_metrics(reg, years=[2022, 2023])


def _row(metrics, cluster, year):
    return metrics.filter((pl.col("cluster_id") == cluster) & (pl.col("year") == year)).row(
        0, named=True)


def test_star_by_hand(metrics):
    r = _row(metrics, 1, 2022)
    assert (r["members"], r["ties"], r["components"]) == (5, 4, 1)
    assert r["density"] == pytest.approx(4 / 10)
    assert r["isolates_share"] == 0
    assert r["max_degree_centrality"] == pytest.approx(1.0)
    # The centre lies on all 6 leaf-leaf shortest paths (normalised by 6); leaves on none.
    assert r["mean_betweenness"] == pytest.approx(1.0 / 5)
    assert r["bridging_organisations"] == [1]
    # Ties 1-2, 1-3 business-research, 1-4 research-public, 1-5 with a support body.
    assert r["mix_business_research"] == pytest.approx(0.5)
    assert r["mix_research_public"] == pytest.approx(0.25)
    assert r["mix_other"] == pytest.approx(0.25)
    assert r["mix_business_business"] == 0


def test_bridged_groups_by_hand(metrics):
    r = _row(metrics, 2, 2022)
    assert (r["members"], r["ties"], r["components"]) == (10, 14, 2)  # 20 is an isolate
    assert r["density"] == pytest.approx(14 / 45)
    assert r["isolates_share"] == pytest.approx(0.1)
    assert r["max_degree_centrality"] == pytest.approx(4 / 9)
    # 19 lies on the 16 cross-group paths, 14 and 15 on 3 x 5 each; normaliser 36.
    assert r["mean_betweenness"] == pytest.approx((16 + 15 + 15) / 36 / 10)
    assert r["bridging_organisations"] == [19, 14, 15]
    assert r["mix_business_business"] == pytest.approx(12 / 14)
    assert r["mix_business_research"] == pytest.approx(2 / 14)


def test_multi_year_by_hand(metrics):
    r = _row(metrics, 1, 2023)
    # Members 1, 2, 3, 4, 14 (5 left); ties 1-3 (project 101) and 2-3 (project 102).
    assert (r["members"], r["ties"], r["components"]) == (5, 2, 3)
    assert r["isolates_share"] == pytest.approx(2 / 5)
    assert r["density"] == pytest.approx(0.2)
    assert r["bridging_organisations"] == [3]


def test_default_years(reg):
    assert registry_years(reg) == [2020, 2021, 2022, 2023]
    assert cluster_metrics(reg).height == 2 * 4


def test_empty_cluster_year(metrics, reg):
    r = cluster_metrics(reg, years=[2020]).filter(pl.col("cluster_id") == 2).row(0, named=True)
    assert r["members"] == 0 and r["components"] == 0
    assert r["density"] is None and r["mix_other"] is None and r["bridging_organisations"] == []


def _oracle_graph(cluster: int, year: int) -> nx.Graph:
    """The cluster's collaboration graph of ``year`` built straight from the raw rows."""
    members = {o for o, c, j, left in MEMBERSHIPS
               if c == cluster and j.year <= year and (left is None or left.year >= year)}
    g = nx.Graph()
    g.add_nodes_from(members)
    for _id, _c, start, end, orgs in PROJECTS:
        if start is not None and start.year <= year and (end is None or end.year >= year):
            g.add_edges_from((a, b) for a in orgs for b in orgs
                             if a != b and a in members and b in members)
    for _id, _c, start, end, orgs in ACTIVITIES:
        last = (end or start).year
        if start.year <= year <= last:
            g.add_edges_from((a, b) for a in orgs for b in orgs
                             if a != b and a in members and b in members)
    return g


@pytest.mark.parametrize("cluster,year", [(1, 2022), (2, 2022), (1, 2023), (2, 2023)])
def test_against_networkx_oracle(metrics, cluster, year):
    g = _oracle_graph(cluster, year)
    r = _row(metrics, cluster, year)
    assert r["members"] == g.number_of_nodes() and r["ties"] == g.number_of_edges()
    assert r["density"] == pytest.approx(nx.density(g))
    assert r["components"] == nx.number_connected_components(g)
    assert r["isolates_share"] == pytest.approx(nx.number_of_isolates(g) / len(g))
    assert r["max_degree_centrality"] == pytest.approx(max(nx.degree_centrality(g).values()))
    bc = nx.betweenness_centrality(g)
    assert r["mean_betweenness"] == pytest.approx(sum(bc.values()) / len(g))


def test_centrality_bridged(reg):
    c = organisation_centrality(reg, cluster_id=2, year=2022)
    by = {r["organisation_id"]: r for r in c.iter_rows(named=True)}
    assert set(by) == set(range(11, 21))
    assert c["organisation_id"][0] == 19  # sorted by betweenness
    assert by[19]["betweenness"] == pytest.approx(16 / 36)
    assert by[14]["betweenness"] == pytest.approx(15 / 36)
    assert by[19]["degree"] == 2 and by[19]["degree_centrality"] == pytest.approx(2 / 9)
    # Burt's constraint of 19: two unconnected partners, p = 1/2 each -> 1/4 + 1/4.
    assert by[19]["constraint"] == pytest.approx(0.5)
    # Participation: 19's partners sit in the two groups' communities -> 1 - 2 (1/2)^2.
    assert by[19]["bridging"] == pytest.approx(0.5)
    assert by[16]["bridging"] == 0
    assert by[20]["degree"] == 0 and by[20]["constraint"] is None
    assert by[20]["community"] is None and by[20]["bridging"] == 0
    assert by[11]["community"] != by[16]["community"]


def test_centrality_star_and_weights(reg):
    c = organisation_centrality(reg, cluster_id=1, year=2022)
    by = {r["organisation_id"]: r for r in c.iter_rows(named=True)}
    # Star centre: four unconnected partners with weights 2, 1, 1, 1 (projects 100, 103 with 2).
    assert by[1]["degree"] == 4 and by[1]["strength"] == 5
    assert by[1]["betweenness"] == pytest.approx(1.0)
    # Burt: constraint with tie weights ignored (unweighted) = 4 x (1/4)^2.
    assert by[1]["constraint"] == pytest.approx(0.25)
    assert by[4]["constraint"] == pytest.approx(1.0)
    assert by[1]["helix"] == HELIX[1]


def test_centrality_whole_registry(reg):
    c = organisation_centrality(reg)  # all organisations, all time
    assert c.height == len(HELIX)
    g = nx.Graph()
    g.add_nodes_from(HELIX)
    for _id, _c, _s, _e, orgs in PROJECTS:
        g.add_edges_from((a, b) for a in orgs for b in orgs if a < b)
    for _id, _c, _s, _e, orgs in ACTIVITIES:
        g.add_edges_from((a, b) for a in orgs for b in orgs if a < b)
    bc = nx.betweenness_centrality(g)
    got = dict(c.select("organisation_id", "betweenness").iter_rows())
    assert got == pytest.approx(bc)


@settings(max_examples=40, deadline=None)
@given(edges=st.lists(st.tuples(st.integers(1, 12), st.integers(1, 12)), max_size=30))
def test_random_cluster_matches_networkx(edges):
    """Any set of two-partner projects among 12 members: metrics equal networkx's."""
    orgs = [{"id": i, "helix": "business"} for i in range(1, 13)]
    mem = [{"organisation_id": i, "cluster_id": 1, "joined": date(2020, 1, 1)}
           for i in range(1, 13)]
    projects = [{"id": k, "cluster_id": 1, "start": date(2020, 1, 1)}
                for k in range(len(edges))]
    partners = [{"project_id": k, "organisation_id": o}
                for k, pair in enumerate(edges) for o in set(pair)]
    reg = RegistryTables.from_frames(organisations=orgs, memberships=mem, projects=projects,
                                     project_partners=partners,
                                     clusters=[{"id": 1, "status": "operating"}])
    r = cluster_metrics(reg, years=[2020]).row(0, named=True)
    g = nx.Graph()
    g.add_nodes_from(range(1, 13))
    g.add_edges_from((a, b) for a, b in edges if a != b)
    assert r["ties"] == g.number_of_edges()
    assert r["density"] == pytest.approx(nx.density(g))
    assert r["components"] == nx.number_connected_components(g)
    assert r["mean_betweenness"] == pytest.approx(
        sum(nx.betweenness_centrality(g).values()) / 12)
    assert 0 <= r["density"] <= 1 and 0 <= r["isolates_share"] <= 1
