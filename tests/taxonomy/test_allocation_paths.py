"""apply_definitions has two ways to sum (issue 14): dense direct addressing (np.bincount
over the region x cluster x year key) and, for key spaces too large for dense arrays, a
hash group-by. Both must give the same table, and the same as an independent loop."""

from __future__ import annotations

from collections import defaultdict

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

import klaster.taxonomy.definitions as definitions_module
from klaster.errors import IssueLog
from klaster.taxonomy import apply_definitions

DEFS = pl.DataFrame({
    "industry": ["1", "2", "3", "3", "4", "4", "4"],
    "cluster": ["X", "Y", "X", "Y", "Z", "X", "Y"],
    "cluster_name": ["x", "y", "x", "y", "z", "x", "y"],
    "cluster_type": ["traded", "local", "traded", "local", "traded", "traded", "local"],
    "subcluster": [None] * 7,
    "share": [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.5],
})
SHARES = {(r["industry"], r["cluster"]): r["share"] for r in DEFS.iter_rows(named=True)}

cells = st.lists(
    st.tuples(st.sampled_from("abcd"), st.sampled_from("12345"), st.integers(2019, 2022),
              st.one_of(st.none(), st.integers(0, 1000).map(float)),
              st.one_of(st.none(), st.integers(0, 50).map(float))),
    min_size=1, max_size=40, unique_by=lambda c: c[:3])


def _table(rows):
    return pl.DataFrame(rows, schema={"region": pl.Utf8, "industry": pl.Utf8,
                                      "year": pl.Int32, "employment": pl.Float64,
                                      "establishments": pl.Float64}, orient="row"
                        ).with_columns(payroll=pl.col("employment") * 2)


@settings(max_examples=60, deadline=None)
@given(cells)
def test_dense_and_hashed_sums_agree_with_a_loop(rows):
    stats = _table(rows)
    dense_issues, hashed_issues = IssueLog(), IssueLog()
    dense = apply_definitions(stats, DEFS, issues=dense_issues)
    saved = definitions_module._DENSE_SLOTS
    definitions_module._DENSE_SLOTS = 0  # force the hash group-by
    try:
        hashed = apply_definitions(stats, DEFS, issues=hashed_issues)
    finally:
        definitions_module._DENSE_SLOTS = saved
    assert dense.equals(hashed)
    assert dense_issues.counts() == hashed_issues.counts()

    # Independent expectation: counts x share summed per region, cluster, year; null
    # when every contributing cell is null.
    sums: dict = defaultdict(lambda: [0.0, 0, 0.0, 0])
    for region, industry, year, emp, est in rows:
        for (ind, cluster), share in SHARES.items():
            if ind != industry:
                continue
            acc = sums[(region, cluster, year)]
            if emp is not None:
                acc[0] += emp * share
                acc[1] += 1
            if est is not None:
                acc[2] += est * share
                acc[3] += 1
    expect = {k: (v[0] if v[1] else None, v[2] if v[3] else None) for k, v in sums.items()}
    got = {(r["region"], r["cluster"], r["year"]): (r["employment"], r["establishments"])
           for r in dense.iter_rows(named=True)}
    assert got.keys() == expect.keys()
    for key, (emp, est) in expect.items():
        for a, b in zip(got[key], (emp, est)):
            assert (a is None) == (b is None)
            assert a is None or abs(a - b) <= 1e-9 * max(1.0, abs(b))
    assert list(dense.select("region", "cluster", "year").iter_rows()) == sorted(got)
