"""The whole chain on the real CBP 2021 state file with the US benchmark clusters.

Expectations are computed independently here, with the csv module and plain Python
dictionaries straight from the raw files in ../shared/data: the Census concordances
2017 -> 2012 -> 2007, the benchmark definitions on NAICS 2007 (Delgado, Porter & Stern
2016), the documented equal-split allocation rule, and numpy's linear percentiles for
the US Cluster Mapping "strong cluster" rule.
"""

from __future__ import annotations

import csv
from collections import defaultdict

import numpy as np
import pytest

from klaster.data import load_cbp
from klaster.mapping import map_clusters
from klaster.taxonomy import us_benchmark_definitions


def _rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def independent(shared_data, cbp_state_csv):
    tax = shared_data / "taxonomy"
    cluster_of: dict[str, tuple[str, str]] = {}
    for r in _rows(tax / "us_benchmark_clusters_naics2007.csv"):
        cluster_of[r["naics2007"]] = (r["cluster_code"], r["cluster_type"])
    to2012 = defaultdict(set)
    for r in _rows(tax / "naics2017_to_naics2012.csv"):
        to2012[r["naics2017"]].add(r["naics2012"])
    to2007 = defaultdict(set)
    for r in _rows(tax / "naics2012_to_naics2007.csv"):
        to2007[r["naics2012"]].add(r["naics2007"])

    # Allocation rule (docs/taxonomy.md): equal split over the distinct NAICS 2007 codes
    # reached that belong to a cluster.
    shares: dict[str, dict[str, float]] = {}
    for code17, codes12 in to2012.items():
        targets = {c07 for c12 in codes12 for c07 in to2007.get(c12, ()) if c07 in cluster_of}
        if targets:
            per: dict[str, float] = defaultdict(float)
            for t in targets:
                per[cluster_of[t][0]] += 1 / len(targets)
            shares[code17] = dict(per)
    ctype = {c: t for c, t in cluster_of.values()}

    emp = defaultdict(float)
    est = defaultdict(float)
    region_total = defaultdict(float)
    total_emp = total_est = 0.0
    for r in _rows(cbp_state_csv):
        e, n = float(r["employees"]), float(r["establishments"])
        total_emp += e
        total_est += n
        for cl, s in shares.get(r["naics"], {}).items():
            emp[(r["state"], cl)] += e * s
            est[(r["state"], cl)] += n * s
            region_total[r["state"]] += e * s
    return {"emp": emp, "est": est, "region_total": region_total, "ctype": ctype,
            "total_emp": total_emp, "total_est": total_est}


@pytest.fixture(scope="module")
def result(cbp_state_csv):
    stats = load_cbp(cbp_state_csv, year=2021).table
    return stats, map_clusters(stats, us_benchmark_definitions(2017))


def _lq(ind, region, cluster):
    emp = ind["emp"]
    national = sum(v for (_r, c), v in emp.items() if c == cluster)
    grand = sum(ind["region_total"].values())
    return (emp[(region, cluster)] / ind["region_total"][region]) / (national / grand)


def test_national_totals(result, independent):
    stats, res = result
    assert stats["employment"].sum() == pytest.approx(126_204_855)
    assert stats["establishments"].sum() == pytest.approx(8_056_737)
    assert independent["total_emp"] == pytest.approx(126_204_855)
    # Every CBP 2021 code is in some cluster (docs/taxonomy.md), so clusters add up to all.
    assert res.indicators["employment"].sum() == pytest.approx(independent["total_emp"])
    assert res.allocation_totals["split_employment"] == pytest.approx(1_865_355)


@pytest.mark.parametrize("region, cluster", [
    ("MI", "5"),    # Automotive
    ("WA", "2"),    # Aerospace Vehicles and Defense
    ("TX", "36"),   # Oil and Gas Products and Services
    ("NV", "22"),   # Hospitality and Tourism
    ("CA", "23"),   # Information Technology
    ("NC", "47"),   # Textiles
    ("VT", "103"),  # Local Health Services
])
def test_lq_matches_independent_computation(result, independent, region, cluster):
    _stats, res = result
    row = res.indicators.filter(
        (res.indicators["region"] == region) & (res.indicators["cluster"] == cluster))
    assert row.height == 1
    assert row["employment"][0] == pytest.approx(independent["emp"][(region, cluster)])
    assert row["lq"][0] == pytest.approx(_lq(independent, region, cluster), rel=1e-9)


def test_famous_specialisations_are_strong(result):
    _stats, res = result
    ind = res.indicators
    for region, cluster in [("MI", "5"), ("WA", "2"), ("TX", "36"), ("NV", "22")]:
        row = ind.filter((ind["region"] == region) & (ind["cluster"] == cluster))
        assert row["strong"][0] is True, (region, cluster)


@pytest.mark.parametrize("cluster", ["5", "2", "36", "22", "23", "47", "39"])
def test_strong_flags_match_independent_percentiles(result, independent, cluster):
    _stats, res = result
    regions = sorted(r for (r, c), v in independent["emp"].items() if c == cluster and v > 0)
    lq = np.array([_lq(independent, r, cluster) for r in regions])
    emp = np.array([independent["emp"][(r, cluster)] for r in regions])
    est = np.array([independent["est"][(r, cluster)] for r in regions])
    size_ok = (emp > np.percentile(emp, 25)) & (est > np.percentile(est, 25))
    expected_strong = (lq >= np.percentile(lq, 75)) & (lq >= 1) & size_ok
    expected_strong10 = (lq >= np.percentile(lq, 90)) & (lq >= 1) & size_ok
    expected_significant = (lq > np.percentile(lq, 50)) & size_ok

    ind = res.indicators.filter(res.indicators["cluster"] == cluster).sort("region")
    ind = ind.filter(ind["region"].is_in(regions))
    assert ind["region"].to_list() == regions
    assert ind["strong"].to_list() == expected_strong.tolist()
    assert ind["strong10"].to_list() == expected_strong10.tolist()
    assert ind["significant"].to_list() == expected_significant.tolist()
    assert 0 < sum(expected_strong) < len(regions)


def test_local_clusters_have_no_strong_flags(result):
    _stats, res = result
    local = res.indicators.filter(res.indicators["cluster_type"] == "local")
    assert local.height > 0
    assert local["strong"].null_count() == local.height
