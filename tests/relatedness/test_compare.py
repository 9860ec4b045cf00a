"""Comparing definitions: hand-computed ARI and disagreements."""

from __future__ import annotations

from math import comb

import polars as pl
import pytest

from klaster.errors import DataError
from klaster.relatedness.compare import compare_definitions, primary_cluster
from klaster.schema import DEFINITIONS_SCHEMA


def _defs(rows):
    return pl.DataFrame([(i, c, f"name {c}", "traded", None, s) for i, c, s in rows],
                        schema=DEFINITIONS_SCHEMA, orient="row")


def _ari(a, b):
    """Hubert & Arabie (1985) from the contingency table, written out."""
    pairs = {}
    for x, y in zip(a, b):
        pairs[(x, y)] = pairs.get((x, y), 0) + 1
    ra, rb = {}, {}
    for (x, y), n in pairs.items():
        ra[x] = ra.get(x, 0) + n
        rb[y] = rb.get(y, 0) + n
    idx = sum(comb(n, 2) for n in pairs.values())
    sa, sb = sum(comb(n, 2) for n in ra.values()), sum(comb(n, 2) for n in rb.values())
    expected = sa * sb / comb(len(a), 2)
    return (idx - expected) / ((sa + sb) / 2 - expected)


def test_identical_up_to_names():
    a = _defs([("x", "A", 1), ("y", "A", 1), ("z", "B", 1)])
    b = _defs([("x", "9", 1), ("y", "9", 1), ("z", "7", 1)])
    c = compare_definitions(a, b)
    assert c.ari == pytest.approx(1.0)
    assert c.disagreements.height == 0


def test_hand_example():
    a = _defs([("x", "A", 1), ("y", "A", 1), ("z", "B", 1), ("w", "B", 1), ("v", "C", 1)])
    b = _defs([("x", "1", 1), ("y", "1", 1), ("z", "1", 1), ("w", "2", 1), ("u", "3", 1)])
    c = compare_definitions(a, b)
    assert (c.n_common, c.only_a, c.only_b) == (4, 1, 1)
    assert c.ari == pytest.approx(_ari(["A", "A", "B", "B"], ["1", "1", "1", "2"]))
    assert c.ari == pytest.approx(0.0)
    # B is matched to "1" (tie 1:1 broken by code), so w (in "2") disagrees.
    assert c.disagreements["industry"].to_list() == ["w"]
    assert c.crosswalk.filter(pl.col("cluster_a") == "B")["matched_b"].item() == "1"


def test_primary_cluster_uses_largest_share():
    d = _defs([("x", "A", 0.3), ("x", "B", 0.7), ("y", "A", 1.0)])
    p = primary_cluster(d).sort("industry")
    assert p["cluster"].to_list() == ["B", "A"]


def test_needs_common_industries():
    with pytest.raises(DataError):
        compare_definitions(_defs([("x", "A", 1)]), _defs([("y", "B", 1)]))
