"""klaster.cluster_directory: facets, counts, order and export rows of the directory.

Expectations are computed here by plain loops over the same records, not by the module."""

from __future__ import annotations

from datetime import date

from klaster import cluster_directory as lib

CLUSTERS = [
    {"id": 1, "name": "Beta", "country": "pl", "region": "Podlaskie", "sector": "ICT",
     "status": "operating", "founded": date(2012, 5, 1)},
    {"id": 2, "name": "alpha", "country": "PL", "region": "podlaskie", "sector": "Food",
     "status": "forming", "founded": None},
    {"id": 3, "name": "Gamma", "country": "BY", "region": "Hrodna region", "sector": "ICT",
     "status": "operating", "founded": date(2008, 1, 1)},
    {"id": 4, "name": "Delta", "country": "", "region": "", "sector": "", "status": "potential",
     "founded": date(2020, 1, 1)},
]
MEMBERS = [(1, "business", 3), (1, "research", 1), (2, "business", 2), (3, "research", 4),
           (3, "public", 1), (3, "business", 2)]
LABELS = [(1, "KKK", "Key National Cluster"), (3, "ESCA", "Bronze"),
          (3, "KKK", "Key National Cluster")]


def _table():
    return lib.directory_table(CLUSTERS, MEMBERS, LABELS)


def _expected(selection):
    """Ids matching ``selection`` by the documented rules, by hand."""
    helix = {}
    for cid, kind, _n in MEMBERS:
        helix.setdefault(cid, set()).add(kind)
    labels = {}
    for cid, scheme, level in LABELS:
        labels.setdefault(cid, set()).add(f"{scheme}: {level}")
    out = []
    for c in CLUSTERS:
        ok = True
        for facet in ("country", "region", "sector", "status"):
            chosen = [v.lower() for v in selection.get(facet, [])]
            if chosen and (c[facet] or "").lower() not in chosen:
                ok = False
        if selection.get("label") and not labels.get(c["id"], set()) & set(selection["label"]):
            ok = False
        if not set(selection.get("helix", [])) <= helix.get(c["id"], set()):
            ok = False
        if ok:
            out.append(c["id"])
    return out


def test_table_members_helix_and_labels():
    t = _table()
    rows = {r["id"]: r for r in t.iter_rows(named=True)}
    assert rows[1]["members"] == 4 and rows[3]["members"] == 7 and rows[4]["members"] == 0
    assert rows[3]["helix"] == ["business", "public", "research"]
    assert rows[3]["labels"] == ["ESCA: Bronze", "KKK: Key National Cluster"]
    assert rows[1]["country"] == "PL"


def test_facets_filter_as_documented():
    t = _table()
    for selection in ({}, {"country": ["PL"]}, {"region": ["PODLASKIE"]},
                      {"sector": ["ICT", "Food"]}, {"sector": ["ICT"], "status": ["forming"]},
                      {"label": ["ESCA: Bronze"]}, {"label": ["KKK: Key National Cluster"]},
                      {"helix": ["business", "research"]}, {"helix": ["public"]},
                      {"country": ["PL", "BY"], "helix": ["business"]}):
        got = sorted(lib.apply_facets(t, selection)["id"].to_list())
        assert got == sorted(_expected(selection)), selection


def test_counts_are_those_of_the_filtered_rows():
    t = lib.apply_facets(_table(), {"country": ["PL", "BY"]})
    counts = lib.facet_counts(t)
    ids = _expected({"country": ["PL", "BY"]})
    chosen = [c for c in CLUSTERS if c["id"] in ids]
    # "Podlaskie" and "podlaskie" are one option (matched case-insensitively), shown in
    # its first spelling in sort order.
    expected_regions = {}
    for c in chosen:
        if c["region"]:
            key = c["region"].lower()
            expected_regions[key] = expected_regions.get(key, 0) + 1
    assert {k.lower(): n for k, n in counts["region"]} == expected_regions
    assert counts["region"][0] == ("Podlaskie", 2)
    for region, n in counts["region"]:  # choosing an option gives exactly its count
        assert len(_expected({"country": ["PL", "BY"], "region": [region]})) == n
    expected_helix = {}
    for cid in ids:
        for kind in {k for i, k, n in MEMBERS if i == cid and n}:
            expected_helix[kind] = expected_helix.get(kind, 0) + 1
    assert dict(counts["helix"]) == expected_helix
    assert counts["helix"][0] == ("business", 3)  # most frequent first
    assert dict(counts["label"]) == {"KKK: Key National Cluster": 2, "ESCA: Bronze": 1}
    assert dict(counts["status"]) == {"operating": 2, "forming": 1}
    assert "" not in dict(lib.facet_counts(_table())["country"])  # no empty option


def test_sorts():
    t = _table()
    assert lib.sort_directory(t, "name")["id"].to_list() == [2, 1, 4, 3]  # case-free
    assert lib.sort_directory(t, "-members")["id"].to_list() == [3, 1, 2, 4]
    assert lib.sort_directory(t, "founded")["id"].to_list() == [3, 1, 4, 2]  # null last
    assert lib.sort_directory(t, "-founded")["id"].to_list() == [4, 1, 3, 2]
    assert lib.sort_directory(t, "nonsense")["id"].to_list() == [2, 1, 4, 3]


def test_export_rows_follow_the_table():
    t = lib.sort_directory(_table(), "-members")
    out = lib.directory_export(t, {3: "Coord"}, {i: f"/c/{i}" for i in (1, 2, 3, 4)})
    assert out["name"].to_list() == ["Gamma", "Beta", "alpha", "Delta"]
    assert out["coordinator"].to_list() == ["Coord", "", "", ""]
    assert out["helix"][0] == "business; public; research"
    assert out["url"].to_list() == ["/c/3", "/c/1", "/c/2", "/c/4"]
    empty = lib.directory_export(t.head(0), {}, {})
    assert empty.height == 0 and "coordinator" in empty.columns


def test_members_by_year():
    spans = [(date(2019, 3, 1), None), (date(2020, 6, 1), date(2021, 12, 31)),
             (date(2020, 6, 1), date(2021, 6, 30)), (date(2022, 12, 31), None)]
    expected = []
    for year in range(2019, 2024):
        end = date(year, 12, 31)
        expected.append((year, sum(1 for j, left in spans
                                   if j <= end and (left is None or left >= end))))
    assert lib.members_by_year(spans, 2023) == expected
    assert expected == [(2019, 1), (2020, 3), (2021, 2), (2022, 2), (2023, 2)]
    assert lib.members_by_year([], 2023) == []
