"""The real CBP 2021 data (../shared/data/cbp): ecomplexity agreement, the national
reference for a subset of regions (checked against the raw CSV with the csv module),
and cluster definitions derived from the state file vs the US benchmark definitions."""

from __future__ import annotations

import csv
import warnings
from collections import defaultdict

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import adjusted_rand_score

from klaster.data import load_cbp
from klaster.indicators import cluster_indicators
from klaster.relatedness import opportunities, rca_table, relatedness
from klaster.relatedness.compare import compare_definitions
from klaster.relatedness.definitions import derive_definitions
from klaster.taxonomy import check_definitions, us_benchmark_definitions

ecomplexity = pytest.importorskip("ecomplexity")


@pytest.fixture(scope="module")
def states(cbp_state_csv):
    return load_cbp(cbp_state_csv).table


def _csv_totals(path, region_col):
    emp = defaultdict(float)
    by_region = defaultdict(float)
    cell = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            e = float(r["employees"])
            emp[r["naics"]] += e
            by_region[r[region_col]] += e
            cell[(r[region_col], r["naics"])] = e
    return emp, by_region, cell


def test_state_file_agrees_with_ecomplexity(states):
    df = states.select("region", "industry", "year", "employment").to_pandas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = ecomplexity.ecomplexity(
            df, {"time": "year", "loc": "region", "prod": "industry", "val": "employment"},
            verbose=False, check_logsupermodularity=False)
    theirs = theirs.dropna(subset=["eci"]).sort_values(["region", "industry"])
    res = relatedness(states)
    cells = res.cell_table().to_pandas().set_index(["region", "activity"])
    cells = cells.loc[list(zip(theirs["region"], theirs["industry"]))]
    np.testing.assert_allclose(cells["density"], theirs["density"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(cells["cog"], theirs["cog"], rtol=0, atol=1e-9)
    eci = dict(zip(res.matrix.regions, res.complexity.eci))
    pci = dict(zip(res.matrix.activities, res.complexity.pci))
    np.testing.assert_allclose([eci[r] for r in theirs["region"]], theirs["eci"], atol=1e-9)
    np.testing.assert_allclose([pci[a] for a in theirs["industry"]], theirs["pci"], atol=1e-9)
    # The second eigenvalue is well separated from 1 on this data (stable ECI).
    assert res.complexity.eigenvalues[1] < 0.95


def test_subset_of_states_uses_national_totals(states, cbp_state_csv):
    emp, by_state, cell = _csv_totals(cbp_state_csv, "state")
    total = sum(emp.values())
    t = rca_table(states, regions=["DE", "RI", "VT"])
    for row in t.filter(pl.col("value") > 0).sample(200, seed=1).iter_rows(named=True):
        e = cell[(row["region"], row["industry"])]
        expected = (e / by_state[row["region"]]) / (emp[row["industry"]] / total)
        assert row["rca"] == pytest.approx(expected, rel=1e-12)


def test_counties_against_national_reference(cbp_state_csv, shared_data):
    county_csv = shared_data / "cbp" / "cbp2021_county_naics6_sample.csv"
    if not county_csv.is_file():
        pytest.skip(f"{county_csv} is absent")
    counties = load_cbp(county_csv).table
    emp, _, _ = _csv_totals(cbp_state_csv, "state")
    ref = pl.DataFrame({"industry": list(emp), "employment": list(emp.values())})
    _, by_county, cell = _csv_totals(county_csv, "fips")
    t = rca_table(counties, reference=ref)
    total = sum(emp.values())
    for row in t.filter(pl.col("value") > 0).head(300).iter_rows(named=True):
        e = cell[(row["region"], row["industry"])]
        expected = (e / by_county[row["region"]]) / (emp[row["industry"]] / total)
        assert row["rca"] == pytest.approx(expected, rel=1e-12)
    res = relatedness(counties, reference=ref)
    opp, sup = opportunities(res, top=5, regions=["50007"])  # Chittenden County, VT
    assert opp.height == 5 and sup["supporting_activity"].n_unique() > 0


@pytest.fixture(scope="module")
def derived(states):
    return derive_definitions(states, n_clusters=51)


def test_derived_definitions_are_usable(derived, states):
    d = derived.definitions
    check_definitions(d)
    assert d["industry"].is_unique().all()
    with_emp = states.group_by("industry").agg(pl.col("employment").sum()).filter(
        pl.col("employment") > 0)["industry"]
    assert set(d["industry"]) == set(with_emp)
    ind = cluster_indicators(states, d)
    total = states["employment"].sum()
    assert ind["employment"].sum() == pytest.approx(total)
    for key in ("industry_score", "cluster_score", "industry_score_kmeans"):
        assert 0.0 <= derived.scores[key] <= 1.0
    assert {"traded", "local"} == set(d["cluster_type"])


def test_derived_vs_us_benchmark(derived):
    bench = us_benchmark_definitions(2017)
    cmp = compare_definitions(derived.definitions, bench)
    assert cmp.n_common > 900
    # Better than chance: above the ARI of every one of 20 shuffles of our labels.
    a = cmp.table["cluster_a"].to_numpy()
    b = cmp.table["cluster_b"].to_list()
    rng = np.random.default_rng(0)
    shuffled = [adjusted_rand_score(rng.permutation(a), b) for _ in range(20)]
    assert cmp.ari > max(shuffled)
    assert cmp.disagreements.height == int((~cmp.table["agree"]).sum())
