"""registry_indicators and kpi_snapshot on a constructed registry, counted by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from klaster.assessment import (
    KPI_KEYS,
    REGISTRY_INDICATORS,
    kpi_snapshot,
    registry_indicators,
)
from klaster.errors import DataError
from klaster.registry_tables import RegistryTables

D = dt.date


def registry() -> RegistryTables:
    """Cluster 1 (founded 2018-05-01) in 2023:

    org  helix     size    membership                         at Jan 1  at Dec 31
    1    business  micro   2018-05-01, committed                 yes       yes
    2    business  micro   2019-01-01, committed                 yes       yes
    3    business  small   2020-06-01, not committed             yes       yes
    4    business  large   2023-02-01, committed (new)           no        yes
    5    research  -       2018-05-01, committed                 yes       yes
    6    public    -       2021-01-01, committed unknown         yes       yes
    7    business  medium  2019-01-01 .. left 2023-06-30         yes       no
    8    civil     -       joins 2024-01-15                      no        no
    9    support   -       2020-01-01 .. left 2023-12-31         yes       no
    10   business  small   member of cluster 2 only              -         -
    """
    orgs = [
        {"id": 1, "helix": "business", "size_class": "micro"},
        {"id": 2, "helix": "business", "size_class": "micro"},
        {"id": 3, "helix": "business", "size_class": "small"},
        {"id": 4, "helix": "business", "size_class": "large"},
        {"id": 5, "helix": "research"},
        {"id": 6, "helix": "public"},
        {"id": 7, "helix": "business", "size_class": "medium"},
        {"id": 8, "helix": "civil"},
        {"id": 9, "helix": "support"},
        {"id": 10, "helix": "business", "size_class": "small"},
    ]
    clusters = [
        {"id": 1, "status": "operating", "founded": D(2018, 5, 1),
         "coordinator_organisation_id": 5},
        {"id": 2, "status": "forming"},
    ]
    ms = [
        (1, 1, True, D(2018, 5, 1), None), (2, 1, True, D(2019, 1, 1), None),
        (3, 1, False, D(2020, 6, 1), None), (4, 1, True, D(2023, 2, 1), None),
        (5, 1, True, D(2018, 5, 1), None), (6, 1, None, D(2021, 1, 1), None),
        (7, 1, True, D(2019, 1, 1), D(2023, 6, 30)), (8, 1, True, D(2024, 1, 15), None),
        (9, 1, True, D(2020, 1, 1), D(2023, 12, 31)), (10, 2, True, D(2019, 1, 1), None),
    ]
    memberships = [{"id": i, "organisation_id": o, "cluster_id": c, "committed": k,
                    "joined": j, "left": lf} for i, (o, c, k, j, lf) in enumerate(ms, 1)]
    profiles = [{"cluster_id": 1, "year": 2023, "management_fte": 2.5, "budget": 300_000.0,
                 "income_member_fees": 60_000.0, "income_public": 150_000.0,
                 "income_services": 40_000.0},
                {"cluster_id": 1, "year": 2022, "management_fte": 1.0}]
    figures = [
        {"organisation_id": 1, "year": 2023, "employees": 5, "turnover": 1e6,
         "exports": 2e5, "rd_staff": 1},
        {"organisation_id": 2, "year": 2023, "employees": 8, "turnover": 2e6,
         "exports": 0, "rd_staff": 0},
        {"organisation_id": 3, "year": 2023, "employees": 40, "turnover": 5e6},
        {"organisation_id": 4, "year": 2023, "employees": 300, "turnover": 5e7,
         "exports": 2e7, "rd_staff": 12},
        {"organisation_id": 5, "year": 2023, "employees": 200, "rd_staff": 150},
        {"organisation_id": 7, "year": 2023, "employees": 100, "turnover": 9e9,
         "exports": 9e9, "rd_staff": 5},  # left mid-year: not a member at year end
        {"organisation_id": 1, "year": 2022, "employees": 4, "turnover": 9e5},
    ]
    activities = [
        {"id": 1, "cluster_id": 1, "start": D(2023, 3, 10), "participant_count": 40,
         "foreign_participant_count": 5},
        {"id": 2, "cluster_id": 1, "start": D(2023, 11, 20), "participant_count": None,
         "foreign_participant_count": 0},
        {"id": 3, "cluster_id": 1, "start": D(2022, 12, 31), "participant_count": 100,
         "foreign_participant_count": 1},
        {"id": 4, "cluster_id": 1, "start": D(2023, 12, 31), "participant_count": 10,
         "foreign_participant_count": 2},
        {"id": 5, "cluster_id": 2, "start": D(2023, 5, 5), "participant_count": 70,
         "foreign_participant_count": 7},
    ]
    participants = [{"activity_id": a, "organisation_id": o}
                    for a, o in [(1, 1), (1, 5), (2, 1), (2, 2), (2, 7), (3, 3)]]
    projects = [
        {"id": 1, "cluster_id": 1, "budget": 500_000.0, "start": D(2022, 1, 1),
         "end": D(2024, 12, 31)},
        {"id": 2, "cluster_id": 1, "budget": 200_000.0, "start": D(2023, 5, 1)},
        {"id": 3, "cluster_id": 1, "budget": 1e6, "start": D(2020, 1, 1),
         "end": D(2022, 12, 31)},
        {"id": 4, "cluster_id": 1, "budget": 100_000.0},
        {"id": 5, "cluster_id": 1, "budget": 300_000.0, "start": D(2024, 1, 1)},
        {"id": 6, "cluster_id": 2, "budget": 50_000.0, "start": D(2023, 1, 1)},
    ]
    partners = [{"project_id": p, "organisation_id": o}
                for p, o in [(1, 1), (1, 2), (1, 3), (2, 4), (3, 1), (3, 5), (4, 5), (4, 6),
                             (5, 1), (5, 2), (6, 10), (6, 1)]]
    return RegistryTables.from_frames(
        "test", organisations=orgs, clusters=clusters, memberships=memberships,
        profiles=profiles, figures=figures, activities=activities,
        activity_participants=participants, projects=projects, project_partners=partners)


def test_every_indicator_counted_by_hand():
    got = registry_indicators(registry(), 1, 2023)
    assert set(got) == set(REGISTRY_INDICATORS)
    expected = {
        # members at Dec 31: orgs 1-6 (7 and 9 left, 8 joins in 2024)
        "members": 6, "members_committed": 4,  # 1, 2, 4, 5 (3 false, 6 unknown)
        "members_business": 4, "members_research": 1, "members_public": 1,
        "members_support": 0, "members_civil": 0, "members_finance": 0,
        "members_micro": 2, "members_small": 1, "members_medium": 0, "members_large": 1,
        "members_size_unknown": 2,
        "sme_share": 3 / 4,  # micro, micro, small of the 4 with a size class
        "helix_types": 3,
        "members_joined": 1,  # org 4
        "members_left": 2,  # orgs 7 and 9
        # Jan 1: 1, 2, 3, 5, 6, 7, 9 (7 members); still there Dec 31: 1, 2, 3, 5, 6
        "member_retention": 5 / 7,
        "years_in_operation": 5,  # 2023 - 2018
        "coordinator_designated": True,
        "management_fte": 2.5, "budget": 300_000, "income_member_fees": 60_000,
        "income_public": 150_000, "income_services": 40_000,
        "income_total": 250_000,  # 60 000 + 150 000 + 40 000
        "private_income_share": 100_000 / 250_000,  # (60 000 + 40 000) / 250 000 = 0.4
        "activities": 3,  # 1, 2, 4 (3 started 2022; 5 is cluster 2)
        "activity_participants": 40 + 3 + 10,  # activity 2 has no count: 3 listed
        "foreign_participants": 5 + 0 + 2,
        "members_participating": 3,  # listed 1, 5, 2, 7 -> members 1, 2, 5
        "projects": 3,  # 1 (2022-2024), 2 (from 2023-05), 4 (undated); 3 ended, 5 future
        "joint_projects": 2,  # 1 (3 partners), 4 (2 partners); 2 has 1 partner
        "joint_projects_value": 600_000,  # 500 000 + 100 000
        "members_reporting_figures": 5,  # 1-5 (6 none, 7 not a member)
        "members_with_rd": 3,  # rd known for 1, 2, 4, 5 -> > 0: 1, 4, 5
        "exporters": 2,  # exports known for 1, 2, 4 -> > 0: 1, 4
        "members_turnover": 1e6 + 2e6 + 5e6 + 5e7,
        "members_employment": 5 + 8 + 40 + 300 + 200,
        "members_exports": 2e5 + 0 + 2e7,
        "export_intensity": (2e5 + 0 + 2e7) / (1e6 + 2e6 + 5e7),  # 1, 2, 4 report both
    }
    for key, value in expected.items():
        assert got[key] == pytest.approx(value), key


def test_missing_data_is_none_not_zero():
    tables = RegistryTables.from_frames(
        "t", clusters=[{"id": 3, "status": "forming"}],
        organisations=[{"id": 1, "helix": "research"}],
        memberships=[{"organisation_id": 1, "cluster_id": 3, "joined": D(2023, 6, 1)}],
        activities=[{"id": 1, "cluster_id": 3, "start": D(2023, 2, 1),
                     "participant_count": 4}],
        projects=[{"id": 1, "cluster_id": 3}],
        project_partners=[{"project_id": 1, "organisation_id": 1},
                          {"project_id": 1, "organisation_id": 2}])
    got = registry_indicators(tables, 3, 2023)
    for key in ("sme_share", "member_retention", "years_in_operation", "management_fte",
                "income_total", "private_income_share", "members_with_rd", "exporters",
                "members_turnover", "members_employment", "export_intensity",
                "foreign_participants", "joint_projects_value"):
        assert got[key] is None, key
    assert got["members"] == 1 and got["members_size_unknown"] == 1
    assert got["activities"] == 1 and got["activity_participants"] == 4
    assert got["joint_projects"] == 1  # undated, two partners
    assert got["coordinator_designated"] is False
    # A year with no activities and no members: real zeros, not unknowns.
    empty = registry_indicators(tables, 3, 2020)
    assert empty["members"] == 0 and empty["activities"] == 0 and empty["projects"] == 1


def test_zero_total_income_gives_no_share():
    tables = RegistryTables.from_frames(
        "t", clusters=[{"id": 1, "status": "forming"}],
        profiles=[{"cluster_id": 1, "year": 2023, "income_member_fees": 0.0,
                   "income_public": 0.0, "income_services": 0.0}])
    got = registry_indicators(tables, 1, 2023)
    assert got["income_total"] == 0 and got["private_income_share"] is None


def test_unknown_cluster_and_duplicate_profile_are_errors():
    with pytest.raises(DataError, match="cluster 99 is not in the registry"):
        registry_indicators(registry(), 99, 2023)
    tables = RegistryTables.from_frames(
        "t", clusters=[{"id": 1, "status": "forming"}],
        profiles=[{"cluster_id": 1, "year": 2023}, {"cluster_id": 1, "year": 2023}])
    with pytest.raises(DataError, match="2 profiles"):
        registry_indicators(tables, 1, 2023)


def test_kpi_snapshot_keys_and_network_density():
    snap = kpi_snapshot(registry(), 1, 2023, network_density=0.25)
    assert tuple(snap) == KPI_KEYS
    assert snap["members"] == 6 and snap["members_business"] == 4
    assert snap["sme_share"] == pytest.approx(0.75)
    assert snap["member_retention"] == pytest.approx(5 / 7)
    assert snap["joint_projects_value"] == 600_000
    assert snap["network_density"] == 0.25
    assert kpi_snapshot(registry(), 1, 2023)["network_density"] is None
    # 2022 year end: members 1, 2, 3, 5, 6, 7, 9 (org 4 joined 2023): 7 members
    prev = kpi_snapshot(registry(), 1, 2022)
    assert prev["members"] == 7 and prev["management_fte"] == 1.0
    assert prev["private_income_share"] is None  # 2022 profile has no income figures


def test_registry_values_feed_a_rubric():
    from klaster.assessment import assess, load_rubric

    values = registry_indicators(registry(), 1, 2023)
    r = assess(load_rubric("eccp-profile"), {**values, "website_active": True})
    # 2.5 FTE >= 0.5 passes; 4 committed members < 15 fails with a gap of 11;
    # 3 helix types >= 2 passes; the website is entered by the evaluator
    assert [g.status for g in r.gates] == ["passed", "failed", "passed", "passed"]
    assert r.gates[1].gap == 11 and not r.passed
