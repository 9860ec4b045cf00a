"""Cluster definitions: the US benchmark on three NAICS vintages, users' files, applying them."""

from __future__ import annotations

import csv
import math
from collections import defaultdict

import pandas as pd
import polars as pl
import pytest

from klaster.errors import DataError, IssueLog
from klaster.schema import DEFINITIONS_SCHEMA
from klaster.taxonomy import (
    allocation_report,
    allocation_summary,
    allocation_totals,
    apply_definitions,
    load_definitions,
    translate_definitions,
    us_benchmark_definitions,
    us_benchmark_unmapped,
)


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("vintage", [2007, 2012, 2017])
def test_benchmark_counts_and_shares(vintage):
    d = us_benchmark_definitions(vintage)
    assert d.schema == pl.Schema(DEFINITIONS_SCHEMA)
    clusters = d.unique("cluster")
    assert clusters.height == 67
    assert clusters.filter(pl.col("cluster_type") == "traded").height == 51
    assert clusters.filter(pl.col("cluster_type") == "local").height == 16
    sums = d.group_by("industry").agg(pl.col("share").sum())
    assert ((sums["share"] - 1).abs() < 1e-9).all()
    assert d["subcluster"].null_count() == d.height


def test_benchmark_2007_is_the_source(shared_data):
    raw = _rows(shared_data / "taxonomy" / "us_benchmark_clusters_naics2007.csv")
    d = us_benchmark_definitions(2007)
    got = {(r["industry"], r["cluster"], r["cluster_name"], r["cluster_type"], r["share"])
           for r in d.iter_rows(named=True)}
    want = {(r["naics2007"], r["cluster_code"], r["cluster_name"], r["cluster_type"], 1.0)
            for r in raw}
    assert got == want and len(raw) == 1099


def _independent_translation(taxonomy_dir, vintage):
    """The equal-split rule in plain Python from the raw Census rows."""
    bench = {r["naics2007"]: r["cluster_code"]
             for r in _rows(taxonomy_dir / "us_benchmark_clusters_naics2007.csv")}
    to07 = defaultdict(set)
    for r in _rows(taxonomy_dir / "naics2012_to_naics2007.csv"):
        to07[r["naics2012"]].add(r["naics2007"])
    if vintage == 2017:
        step = defaultdict(set)
        for r in _rows(taxonomy_dir / "naics2017_to_naics2012.csv"):
            step[r["naics2017"]] |= to07[r["naics2012"]]
        to07 = step
    shares, unmapped = {}, set()
    for code, targets in to07.items():
        clustered = [t for t in targets if t in bench]
        if not clustered:
            unmapped.add(code)
            continue
        for t in clustered:
            key = (code, bench[t])
            shares[key] = shares.get(key, 0.0) + 1 / len(clustered)
    return shares, unmapped


@pytest.mark.parametrize("vintage", [2012, 2017])
def test_benchmark_translation_matches_independent_rule(shared_data, vintage):
    shares, unmapped = _independent_translation(shared_data / "taxonomy", vintage)
    d = us_benchmark_definitions(vintage)
    got = {(i, c): s for i, c, s in d.select("industry", "cluster", "share").iter_rows()}
    assert got.keys() == shares.keys()
    for k, s in shares.items():
        assert math.isclose(got[k], s, rel_tol=1e-9), k
    assert set(us_benchmark_unmapped(vintage)["industry"]) == unmapped


def test_hand_picked_split_code(shared_data):
    # Census: 2017 322219 = 2012 322219 -> 2007 322213, 322214, 322215 (three targets).
    bench = {r["naics2007"]: r["cluster_code"]
             for r in _rows(shared_data / "taxonomy" / "us_benchmark_clusters_naics2007.csv")}
    expected = defaultdict(float)
    for t in ("322213", "322214", "322215"):
        expected[bench[t]] += 1 / 3
    d = us_benchmark_definitions(2017).filter(pl.col("industry") == "322219")
    assert dict(zip(d["cluster"], d["share"])) == pytest.approx(dict(expected))
    # 2017 454110 merges 2012 454111-454113, all in Distribution Services (12): no split.
    d = us_benchmark_definitions(2017).filter(pl.col("industry") == "454110")
    assert d.select("cluster", "share").rows() == [("12", 1.0)]


def test_benchmark_titles_and_unknown_vintage():
    d = us_benchmark_definitions(2017, titles=True)
    assert d.filter(pl.col("industry") == "336411")["industry_title"].to_list() == [
        "Aircraft Manufacturing"]
    with pytest.raises(DataError):
        us_benchmark_definitions(2002)


def _defs(rows):
    return pl.DataFrame(rows, schema=list(DEFINITIONS_SCHEMA), orient="row").cast(
        DEFINITIONS_SCHEMA)


def test_translate_constructed_split():
    old = _defs([("x", "1", "One", "traded", None, 1.0), ("y", "2", "Two", "local", None, 1.0),
                 ("w", "1", "One", "traded", None, 0.25), ("w", "2", "Two", "local", None, 0.75)])
    conc = pl.DataFrame({"source": ["A", "A", "A", "B", "C", "C"],
                         "target": ["x", "y", "z", "z", "x", "w"]})
    log = IssueLog()
    new = translate_definitions(old, conc, issues=log)
    got = {(i, c): s for i, c, s in new.select("industry", "cluster", "share").iter_rows()}
    # A: clustered targets x, y (z is in no cluster) -> 1/2 each.
    # C: targets x (1:1) and w (1:0.25, 2:0.75) -> 1: (1 + 0.25)/2, 2: 0.75/2.
    assert got == pytest.approx({("A", "1"): 0.5, ("A", "2"): 0.5,
                                 ("C", "1"): 0.625, ("C", "2"): 0.375})
    assert log.counts() == {"partially_mapped": 1, "unmapped_code": 1}
    assert {i.industry for i in log} == {"A", "B"}


def _write(tmp_path, text, name="defs.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_load_definitions_defaults_and_normalises(tmp_path):
    p = _write(tmp_path, "industry,cluster,cluster_name,cluster_type\n"
               "25.62.Z,M,Metalworking,Traded\n25.62.Z,E,Engineering,traded\n"
               "01.11.Z,F,Food,LOCAL\n")
    log = IssueLog()
    d = load_definitions(p, system="pkd2007", issues=log)
    assert d.rows() == [("2562", "M", "Metalworking", "traded", None, 0.5),
                        ("2562", "E", "Engineering", "traded", None, 0.5),
                        ("0111", "F", "Food", "local", None, 1.0)]
    assert [(i.kind, i.line, i.industry) for i in log] == [("default_share", 2, "2562")]


def test_load_definitions_excel_and_parquet(tmp_path):
    df = pd.DataFrame({"industry": ["0111", "0111"], "cluster": ["1", "2"],
                       "cluster_type": ["traded", "local"], "share": [0.4, 0.6]})
    xlsx = tmp_path / "d.xlsx"
    df.to_excel(xlsx, index=False, engine="xlsxwriter")
    d = load_definitions(xlsx)
    assert d["industry"].to_list() == ["0111", "0111"]
    assert d["share"].to_list() == pytest.approx([0.4, 0.6])
    assert d["cluster_name"].to_list() == ["1", "2"]  # no name column: the code
    pq = tmp_path / "d.parquet"
    pl.from_pandas(df).with_columns(pl.col("share").cast(pl.Float64)).write_parquet(pq)
    assert load_definitions(pq).equals(d)
    bad = pl.from_pandas(df).with_columns(pl.lit(0.7).alias("share"))
    bad.write_parquet(pq)
    with pytest.raises(DataError, match="row 1"):
        load_definitions(pq)


HEAD = "industry,cluster,cluster_name,cluster_type,share\n"


@pytest.mark.parametrize(("body", "line", "field", "words"), [
    ("1,A,a,traded,\n2,B,b,regional,\n", 3, "cluster_type", "regional"),
    ("1,A,a,traded,0.5\n1,B,b,local,0.4\n", 2, "share", "sum to 0.9"),
    ("1,A,a,traded,\n2,B,b,local,\n1,A,a,traded,\n", 4, "industry", "twice"),
    ("1,A,a,traded,half\n", 2, "share", "not a number"),
    ("1,A,a,traded,1.5\n", 2, "share", "outside"),
    ("1,A,a,traded,0.5\n1,B,b,local,\n", 3, "share", "some rows"),
    ("1,A,a,traded,\n2,A,other,traded,\n", 3, "cluster_name", "'a'"),
    ("1,A,a,traded,\n2,A,a,local,\n", 3, "cluster_type", "traded"),
    ("1,A,a,traded,\n,B,b,local,\n", 3, "industry", "empty"),
    ("", None, None, "no data rows"),
])
def test_load_definitions_errors(tmp_path, body, line, field, words):
    p = _write(tmp_path, HEAD + body)
    with pytest.raises(DataError) as exc:
        load_definitions(p)
    assert exc.value.file == str(p)
    assert (exc.value.line, exc.value.field) == (line, field)
    assert words in str(exc.value)


def test_load_definitions_missing_column_and_file(tmp_path):
    with pytest.raises(DataError) as exc:
        load_definitions(_write(tmp_path, "industry,cluster\n1,A\n"))
    assert (exc.value.line, exc.value.field) == (1, "cluster_type")
    with pytest.raises(DataError, match="not found"):
        load_definitions(tmp_path / "nope.csv")


def _stats(rows):
    return pl.DataFrame(rows, schema=["region", "industry", "year", "employment",
                                      "establishments", "payroll"], orient="row").with_columns(
        pl.col("year").cast(pl.Int32), pl.lit(None, pl.Utf8).alias("flag"))


def test_apply_definitions_hand_computed():
    defs = _defs([("a", "1", "One", "traded", None, 1.0), ("b", "1", "One", "traded", None, 0.25),
                  ("b", "2", "Two", "local", None, 0.75)])
    stats = _stats([("R", "a", 2021, 10.0, 2.0, 100.0), ("R", "b", 2021, 8.0, 4.0, None),
                    ("R", "z", 2021, 99.0, 9.0, 9.0), ("S", "a", 2021, None, 1.0, None)])
    log = IssueLog()
    out = apply_definitions(stats, defs, issues=log)
    assert out.columns == ["region", "cluster", "cluster_name", "cluster_type", "year",
                           "employment", "establishments", "payroll"]
    assert out.rows() == [
        ("R", "1", "One", "traded", 2021, 10 + 8 * 0.25, 2 + 4 * 0.25, 100.0),
        ("R", "2", "Two", "local", 2021, 6.0, 3.0, None),  # payroll never published: null
        ("S", "1", "One", "traded", 2021, None, 1.0, None),
    ]
    assert [(i.kind, i.industry) for i in log] == [("unmapped_code", "z")]


def _cbp_stats(path):
    return (pl.read_csv(path, schema_overrides={"naics": pl.Utf8})
            .select(pl.col("state").alias("region"), pl.col("naics").alias("industry"),
                    pl.lit(2021, pl.Int32).alias("year"),
                    pl.col("employees").cast(pl.Float64).alias("employment"),
                    pl.col("establishments").cast(pl.Float64),
                    pl.col("payroll").cast(pl.Float64), pl.lit(None, pl.Utf8).alias("flag")))


def test_apply_definitions_on_cbp_matches_pandas(cbp_state_csv):
    stats = _cbp_stats(cbp_state_csv)
    defs = us_benchmark_definitions(2017)
    out = apply_definitions(stats, defs)
    s = pd.read_csv(cbp_state_csv, dtype={"naics": str})
    d = defs.to_pandas()
    m = s.merge(d, left_on="naics", right_on="industry")
    m["emp"] = m["employees"] * m["share"]
    want = m.groupby(["state", "cluster"])["emp"].sum()
    got = out.to_pandas().set_index(["region", "cluster"])["employment"]
    assert len(got) == len(want)
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False,
                                   rtol=1e-9)
    # Employment in clusters = total minus the employment of codes in no cluster.
    unm = set(s["naics"]) - set(d["industry"])
    assert out["employment"].sum() == pytest.approx(
        s["employees"].sum() - s.loc[s["naics"].isin(unm), "employees"].sum())


def test_allocation_report_on_cbp(cbp_state_csv):
    stats = _cbp_stats(cbp_state_csv)
    defs = us_benchmark_definitions(2017)
    rep = allocation_report(stats, defs)
    s = pd.read_csv(cbp_state_csv, dtype={"naics": str})
    d = defs.to_pandas()
    n = d.groupby("industry")["cluster"].nunique()
    split = set(n[n > 1].index)
    unm = set(s["naics"]) - set(d["industry"])
    emp = s.groupby("naics")["employees"].sum()
    assert set(rep.filter(pl.col("status") == "split")["industry"]) == split & set(s["naics"])
    assert set(rep.filter(pl.col("status") == "unmapped")["industry"]) == unm
    t = allocation_totals(stats, defs)
    assert t["total_employment"] == s["employees"].sum()
    assert t["split_employment"] == pytest.approx(emp[emp.index.isin(split)].sum())
    assert t["unmapped_employment"] == pytest.approx(emp[emp.index.isin(unm)].sum())
    row = rep.filter(pl.col("industry") == "322219").row(0, named=True)
    assert row["n_clusters"] == 2 and row["employment"] == emp["322219"]
    line = allocation_summary(stats, defs)
    assert f"{t['total_employment']:,.0f}" in line and "\n" not in line
    print(line)  # the figures recorded in docs/taxonomy.md (run with -s to see them)
    print(rep.head(12))


def test_apply_definitions_rejects_incomplete_stats():
    defs = _defs([("a", "1", "One", "traded", None, 1.0)])
    stats = _stats([("R", "a", 2021, 1.0, 1.0, 1.0)]).drop("payroll")
    with pytest.raises(DataError) as exc:
        apply_definitions(stats, defs)
    assert exc.value.field == "payroll"
    with pytest.raises(DataError) as exc:
        apply_definitions(stats.lazy(), defs.drop("cluster_type"))
    assert exc.value.field == "cluster_type"
