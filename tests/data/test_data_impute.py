import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.data.impute import impute_eco, missing_report
from klaster.schema import HIERARCHY_SCHEMA, STATS_SCHEMA

TREE = [  # code, parent, level
    ("00", None, 0), ("31", "00", 1), ("44", "00", 1),
    ("311", "31", 2), ("312", "31", 2), ("3111", "311", 3), ("3112", "311", 3),
    ("441", "44", 2), ("442", "44", 2), ("443", "44", 2),
]
HIER = pl.DataFrame(
    [(c, p, lvl, f"title {c}") for c, p, lvl in TREE], schema=HIERARCHY_SCHEMA, orient="row"
)


def _table(cells):
    """cells: list of (region, industry, employment)."""
    return pl.DataFrame(
        [(r, i, 2021, e, None, None, "suppressed" if e is None else None) for r, i, e in cells],
        schema=STATS_SCHEMA, orient="row",
    )


def _emp(out, region):
    return {i: e for r, i, e in out.select("region", "industry", "employment").iter_rows()
            if r == region}


def test_recursive_split_hand_computed():
    cells = [("A", "00", 100.0), ("A", "31", None), ("A", "44", 40.0), ("A", "311", None),
             ("A", "312", None), ("A", "3111", 10.0), ("A", "3112", None),
             ("A", "441", None), ("A", "442", 15.0), ("A", "443", None)]
    out, log = impute_eco(_table(cells), HIER)
    # 31 = 100 - 40; 311 = 312 = 60 / 2; 3112 = 30 - 10; 441 = 443 = (40 - 15) / 2
    assert _emp(out, "A") == {"00": 100.0, "31": 60.0, "44": 40.0, "311": 30.0, "312": 30.0,
                              "3111": 10.0, "3112": 20.0, "441": 12.5, "442": 15.0,
                              "443": 12.5}
    flags = dict(out.select("industry", "flag").iter_rows())
    assert {c for c, f in flags.items() if f == "imputed"} == {"31", "311", "312", "3112",
                                                               "441", "443"}
    assert flags["00"] is None and flags["442"] is None
    assert log.counts() == {"imputed": 6}
    assert {i.industry for i in log} == {"31", "311", "312", "3112", "441", "443"}


def test_negative_remainder_clipped_and_reported():
    cells = [("B", "00", 50.0), ("B", "31", 30.0), ("B", "44", None), ("B", "311", 40.0),
             ("B", "312", None)]
    out, log = impute_eco(_table(cells), HIER)
    emp = _emp(out, "B")
    assert emp["312"] == 0.0  # 30 - 40 < 0 -> 0
    assert emp["44"] == 20.0  # 50 - 30
    neg = [i for i in log if i.kind == "negative_remainder"]
    assert len(neg) == 1 and neg[0].industry == "31" and neg[0].region == "B"


def test_nearest_ancestor_when_parent_row_absent():
    # no row for 31: 00's nearest rows below it are 311, 312 and 44
    cells = [("C", "00", 90.0), ("C", "311", None), ("C", "312", 30.0), ("C", "44", None)]
    out, _ = impute_eco(_table(cells), HIER)
    emp = _emp(out, "C")
    assert emp["311"] == 30.0 and emp["44"] == 30.0  # (90 - 30) / 2


def test_cells_that_cannot_be_filled_are_reported():
    cells = [("D", "00", None), ("D", "31", None), ("D", "999", None), ("D", "44", 5.0)]
    out, log = impute_eco(_table(cells), HIER)
    assert _emp(out, "D") == {"00": None, "31": None, "999": None, "44": 5.0}
    why = {i.industry: i.message for i in log if i.kind == "not_imputed"}
    assert set(why) == {"00", "31", "999"}
    assert "not in the hierarchy" in why["999"] and "no ancestor" in why["00"]


def test_regions_and_years_are_separate():
    t = pl.concat([
        _table([("E", "00", 10.0), ("E", "31", None), ("E", "44", 4.0)]),
        _table([("E", "00", 20.0), ("E", "31", None), ("E", "44", 4.0)])
        .with_columns(pl.lit(2022, pl.Int32).alias("year")),
    ])
    out, _ = impute_eco(t, HIER)
    got = {(y, e) for i, y, e in out.select("industry", "year", "employment").iter_rows()
           if i == "31"}
    assert got == {(2021, 6.0), (2022, 16.0)}


def test_missing_report():
    cells = [("A", "00", 100.0), ("A", "31", None), ("A", "44", 40.0),
             ("A", "311", None), ("A", "312", 5.0)]
    t = _table(cells)
    rep = missing_report(t, HIER)
    rows = {r["level"]: r for r in rep.iter_rows(named=True)}
    assert (rows[1]["cells"], rows[1]["missing"], rows[1]["suppressed"]) == (2, 1, 1)
    assert rows[2]["share_missing"] == 0.5
    out, _ = impute_eco(t, HIER)
    rep2 = missing_report(out)  # level = code length without a hierarchy
    r2 = {r["level"]: r for r in rep2.iter_rows(named=True)}
    assert (r2[2]["imputed"], r2[2]["missing"], r2[2]["published"]) == (1, 0, 2)
    assert r2[3]["imputed"] == 1


# --- property: a random two-level tree under a published root --------------------
values = st.one_of(st.none(), st.floats(0, 1000, allow_nan=False))


@st.composite
def trees(draw):
    n_mid = draw(st.integers(1, 4))
    mids = []
    for m in range(n_mid):
        kids = draw(st.lists(values, min_size=0, max_size=3))
        mids.append((draw(values), kids))
    root = draw(st.floats(0, 5000, allow_nan=False))
    return root, mids


@settings(max_examples=150, deadline=None)
@given(trees())
def test_property_children_fill_parent_without_exceeding(tree):
    root, mids = tree
    hier_rows = [("R", None, 0, "")]
    cells = [("X", "R", root)]
    for m, (mv, kids) in enumerate(mids):
        mc = f"M{m}"
        hier_rows.append((mc, "R", 1, ""))
        cells.append(("X", mc, mv))
        for k, kv in enumerate(kids):
            hier_rows.append((f"{mc}K{k}", mc, 2, ""))
            cells.append(("X", f"{mc}K{k}", kv))
    hier = pl.DataFrame(hier_rows, schema=HIERARCHY_SCHEMA, orient="row")
    before = dict((c, v) for _, c, v in cells)
    out, _ = impute_eco(_table(cells), hier)
    after = _emp(out, "X")
    assert all(v is None or v >= 0 for v in after.values())
    children = {}
    for code, parent, _, _ in hier_rows:
        if parent is not None:
            children.setdefault(parent, []).append(code)
    for parent, kids in children.items():
        if after[parent] is None or all(before[k] is not None for k in kids):
            continue
        known = sum(before[k] for k in kids if before[k] is not None)
        filled = sum(after[k] for k in kids if before[k] is None)
        # imputed + known children never exceed the parent (unless the published
        # children alone already do, in which case nothing is added)
        assert known + filled <= max(after[parent], known) + 1e-9 * max(1.0, after[parent])
        if known <= after[parent]:
            # totals preserved where the parent has a value
            assert math.isclose(known + filled, after[parent], rel_tol=1e-9, abs_tol=1e-9)
        missing = [after[k] for k in kids if before[k] is None]
        assert max(missing) - min(missing) <= 1e-9 * max(1.0, after[parent])  # equal split


def test_total_code_is_parent_of_top_level_codes():
    # hierarchy without an all-industries root, as NAICS sectors are top level
    hier = pl.DataFrame([("31-33", None, 1, ""), ("44-45", None, 1, ""),
                         ("311", "31-33", 2, "")], schema=HIERARCHY_SCHEMA, orient="row")
    cells = [("F", "00", 100.0), ("F", "31-33", None), ("F", "44-45", 70.0),
             ("F", "311", None)]
    out, _ = impute_eco(_table(cells), hier)
    assert _emp(out, "F") == {"00": 100.0, "31-33": 30.0, "44-45": 70.0, "311": 30.0}
    out2, log2 = impute_eco(_table(cells), hier, total_code=None)
    assert _emp(out2, "F")["31-33"] is None
    assert log2.counts()["not_imputed"] == 2


def test_bulk_county_file_with_taxonomy_naics_hierarchy():
    from pathlib import Path

    from klaster.data.cbp import load_cbp
    from klaster.taxonomy.codes import hierarchy

    fixture = Path(__file__).parent / "fixtures" / "cbp21co.txt"
    out, log = impute_eco(load_cbp(fixture).table, hierarchy("naics2017"))
    emp = {(r, i): e for r, i, e in out.select("region", "industry", "employment").iter_rows()}
    # 10001: 336111 is the only row below 3361 (120 published) -> 120
    assert emp[("10001", "336111")] == 120.0
    # 10003: 31-33 suppressed; total 800 and no other sector rows -> 800
    assert emp[("10003", "31-33")] == 800.0
    assert log.counts() == {"imputed": 2}
