"""Ties of the constructed registry, against counts made by hand (see registry_fixture)."""

from __future__ import annotations

from itertools import combinations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.networks import cluster_ties, organisation_ties
from klaster.registry_tables import RegistryTables

from .registry_fixture import build


@pytest.fixture(scope="module")
def reg():
    return build()


def _as_dict(ties: pl.DataFrame, tie_type: str) -> dict:
    t = ties.filter(pl.col("tie_type") == tie_type)
    return {(s, d): w for s, d, w in t.select("source", "target", "weight").iter_rows()}


def test_project_ties_2022(reg):
    ties = organisation_ties(reg, year=2022)
    k4 = lambda a: {p: 1 for p in combinations(range(a, a + 4), 2)}
    expected = {(1, 2): 2, (1, 3): 1, **k4(11), **k4(15), (15, 19): 1}
    assert _as_dict(ties, "project") == expected
    assert ties["year"].unique().to_list() == [2022]
    assert (ties["source"] < ties["target"]).all()


def test_activity_and_membership_ties_2022(reg):
    ties = organisation_ties(reg, year=2022)
    assert _as_dict(ties, "activity") == {(1, 4): 1, (1, 5): 1, (14, 19): 1}
    members = _as_dict(ties, "membership")
    # 5 members of cluster 1 (org 5 still in during 2022) + 10 of cluster 2.
    assert len(members) == 10 + 45
    assert set(members.values()) == {1}
    assert (1, 14) not in members  # 14 joins cluster 1 only in 2023


def test_ties_2023(reg):
    ties = organisation_ties(reg, year=2023)
    assert _as_dict(ties, "project") == {(1, 3): 1, (2, 3): 1, (1, 16): 1}
    assert _as_dict(ties, "activity") == {}
    members = _as_dict(ties, "membership")
    assert (1, 5) not in members and (1, 14) in members and (14, 15) in members


def test_all_time_ties(reg):
    ties = organisation_ties(reg)
    assert ties["year"].null_count() == ties.height
    projects = _as_dict(ties, "project")
    assert projects[(1, 2)] == 2 and projects[(2, 3)] == 1
    assert projects[(11, 20)] == 1  # undated project counts in the all-time network only
    members = _as_dict(ties, "membership")
    assert (5, 14) not in members  # never members of cluster 1 at the same time
    assert members[(1, 14)] == 1


def test_tie_type_filter(reg):
    ties = organisation_ties(reg, year=2022, tie_types=("activity",))
    assert ties["tie_type"].unique().to_list() == ["activity"]
    with pytest.raises(ValueError, match="unknown tie type"):
        organisation_ties(reg, tie_types=("friendship",))


def test_cluster_ties(reg):
    assert cluster_ties(reg, year=2022).is_empty()
    t23 = cluster_ties(reg, year=2023)
    assert _as_dict(t23, "shared_member") == {(1, 2): 1}  # organisation 14
    assert _as_dict(t23, "joint_project") == {(1, 2): 1}  # project 120
    all_time = cluster_ties(reg)
    # Project 110 of cluster 2 has partner 14, a member of cluster 1 at some time.
    assert _as_dict(all_time, "joint_project") == {(1, 2): 2}


group_rows = st.lists(st.tuples(st.integers(1, 6), st.integers(1, 9)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(project_links=group_rows, activity_links=group_rows)
def test_weights_count_shared_groups(project_links, activity_links):
    """Weight = number of distinct groups shared, counted here with plain loops."""
    from datetime import date
    orgs = [{"id": i, "helix": "business"} for i in range(1, 10)]
    projects = [{"id": p, "cluster_id": 1, "start": date(2020, 1, 1)} for p in range(1, 7)]
    acts = [{"id": a, "cluster_id": 1, "start": date(2020, 1, 1)} for a in range(1, 7)]
    reg = RegistryTables.from_frames(
        organisations=orgs, clusters=[{"id": 1, "status": "operating"}], projects=projects,
        activities=acts,
        project_partners=[{"project_id": p, "organisation_id": o} for p, o in project_links],
        activity_participants=[{"activity_id": a, "organisation_id": o}
                               for a, o in activity_links])
    ties = organisation_ties(reg, year=2020)
    for kind, links in (("project", project_links), ("activity", activity_links)):
        groups: dict[int, set] = {}
        for g, o in links:
            groups.setdefault(g, set()).add(o)
        expected: dict = {}
        for members in groups.values():
            for a in members:
                for b in members:
                    if a < b:
                        expected[(a, b)] = expected.get((a, b), 0) + 1
        assert _as_dict(ties, kind) == expected
