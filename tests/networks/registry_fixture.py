"""A constructed registry with known structure, written out row by row.

Cluster 1 ("star", 2022): organisation 1 (research) is tied to 2, 3 (business, through
projects 100 and 101), 4 (public, activity 200) and 5 (support, activity 201); no other
ties. In 2023 organisation 5 has left and project 102 joins 2 and 3.
Cluster 2 ("bridged", 2022): two groups {11, 12, 13, 14} (project 110) and
{15, 16, 17, 18} (project 111), all business; organisation 19 (research) bridges them
(activity 210 with 14, project 112 with 15); organisation 20 is an isolate. Organisation
14 is also a member of cluster 1 from 2023; project 103 is a second 1-2 project in 2022
and project 120 (cluster 1, 2023) has organisation 16 of cluster 2 as a partner.
"""

from __future__ import annotations

from datetime import date

from klaster.registry_tables import RegistryTables

HELIX = {1: "research", 2: "business", 3: "business", 4: "public", 5: "support",
         **{i: "business" for i in range(11, 19)}, 19: "research", 20: "business"}

MEMBERSHIPS = [
    # organisation, cluster, joined, left
    (1, 1, date(2020, 1, 1), None), (2, 1, date(2021, 5, 1), None),
    (3, 1, date(2022, 1, 1), None), (4, 1, date(2022, 3, 1), None),
    (5, 1, date(2022, 1, 1), date(2022, 12, 31)),
    *[(i, 2, date(2022, 1, 1), None) for i in range(11, 21)],
    (14, 1, date(2023, 2, 1), None),
]
PROJECTS = [  # id, cluster, start, end, partners
    (100, 1, date(2022, 1, 1), date(2022, 12, 31), [1, 2]),
    (101, 1, date(2021, 6, 1), date(2023, 6, 1), [1, 3]),
    (102, 1, date(2023, 1, 1), None, [2, 3]),
    (110, 2, date(2022, 2, 1), date(2022, 11, 1), [11, 12, 13, 14]),
    (111, 2, date(2022, 2, 1), date(2022, 11, 1), [15, 16, 17, 18]),
    (112, 2, date(2022, 2, 1), date(2022, 11, 1), [19, 15]),
    (113, 2, None, None, [11, 20]),  # undated: all-time network only
    (103, 1, date(2022, 3, 1), date(2022, 5, 1), [1, 2]),  # second joint project of 1-2
    (120, 1, date(2023, 3, 1), None, [1, 16]),  # links clusters 1 and 2 in 2023
]
ACTIVITIES = [  # id, cluster, start, end, participants
    (200, 1, date(2022, 4, 1), None, [1, 4]),
    (201, 1, date(2022, 9, 1), date(2022, 9, 2), [1, 5]),
    (210, 2, date(2022, 10, 1), None, [19, 14]),
]


def build() -> RegistryTables:
    orgs = [{"id": i, "name": f"Org {i}", "helix": h, "industry_codes": ["25"],
             "region": "PL21"} for i, h in HELIX.items()]
    clusters = [{"id": 1, "name": "Star", "status": "operating", "country": "PL"},
                {"id": 2, "name": "Bridged", "status": "operating", "country": "PL"}]
    memberships = [{"id": k, "organisation_id": o, "cluster_id": c, "role": "member",
                    "joined": j, "left": left}
                   for k, (o, c, j, left) in enumerate(MEMBERSHIPS, start=1)]
    projects = [{"id": p, "cluster_id": c, "title": f"P{p}", "start": s, "end": e}
                for p, c, s, e, _ in PROJECTS]
    partners = [{"project_id": p, "organisation_id": o} for p, *_, ps in PROJECTS for o in ps]
    activities = [{"id": a, "cluster_id": c, "kind": "event", "title": f"A{a}", "start": s,
                   "end": e} for a, c, s, e, _ in ACTIVITIES]
    participants = [{"activity_id": a, "organisation_id": o}
                    for a, *_, ps in ACTIVITIES for o in ps]
    return RegistryTables.from_frames(
        "test registry", organisations=orgs, clusters=clusters, memberships=memberships,
        projects=projects, project_partners=partners, activities=activities,
        activity_participants=participants)
