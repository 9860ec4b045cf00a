"""NACE Rev.2 benchmark definitions: the carry-over from NAICS, its allocation rule,
level selection, and the shipped tables."""

from __future__ import annotations

import csv
import importlib.util
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.errors import IssueLog
from klaster.mapping import map_clusters
from klaster.taxonomy import (
    apply_definitions,
    builtin_definitions,
    code_level,
    nace_benchmark_definitions,
    nace_benchmark_summary,
    nace_benchmark_unmapped,
    nace_classes,
    nace_division_loss,
    select_level,
    us_benchmark_definitions,
)
from klaster.taxonomy.nace import carry_to_isic, isic_to_nace, to_divisions

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "klaster" / "taxonomy" / "data"
SHIPPED = ("nace_benchmark_definitions.csv", "nace_benchmark_unmapped.csv",
           "nace_division_loss.csv", "nace_benchmark_summary.csv")


# --- shipped tables -------------------------------------------------------------------------

def test_regenerating_gives_the_shipped_tables(shared_data, tmp_path):
    spec = importlib.util.spec_from_file_location(
        "build_nace", ROOT / "scripts" / "build_nace_definitions.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["x", "--shared", str(shared_data), "--out", str(tmp_path)]) == 0
    for name in SHIPPED:
        # Same rows, codes and names; numbers equal up to float summation order (Polars
        # sums groups in parallel, so the last printed digit may differ between runs).
        got = pl.read_csv(tmp_path / name, infer_schema=False)
        want = pl.read_csv(DATA / name, infer_schema=False)
        assert got.columns == want.columns and got.height == want.height, name
        for col in got.columns:
            a, b = got[col], want[col]
            num = a.cast(pl.Float64, strict=False)
            if num.null_count() == a.null_count() and col not in ("industry", "cluster"):
                diff = (num - b.cast(pl.Float64)).abs()
                assert (diff.fill_null(0) <= 1e-8 * (1 + b.cast(pl.Float64).abs())
                        .fill_null(0)).all(), (name, col)
            else:
                assert a.to_list() == b.to_list(), (name, col)


def test_notice_names_the_sources():
    text = (DATA / "NOTICE").read_text(encoding="utf-8")
    for needle in ("nace_benchmark_definitions.csv", "2017 NAICS to ISIC 4",
                   "County Business Patterns 2021", "Source: Eurostat", "nace2_classes.csv"):
        assert needle in text, needle


@pytest.mark.parametrize("level,n_codes", [("class", 576), ("division", 84)])
def test_shares_and_clusters(level, n_codes):
    d = nace_benchmark_definitions(level)
    assert d["industry"].n_unique() == n_codes
    sums = d.group_by("industry").agg(pl.col("share").sum())["share"]
    assert ((sums - 1).abs() < 1e-9).all()
    kinds = d.unique("cluster").group_by("cluster_type").len()
    assert dict(kinds.iter_rows()) == {"traded": 51, "local": 16}
    width = 4 if level == "class" else 2
    assert (d["industry"].str.len_chars() == width).all()
    # A code is either in the table or listed as unmapped, never both.
    un = set(nace_benchmark_unmapped(level)["industry"])
    assert not un & set(d["industry"])


def test_nace_classes_differ_from_isic_codes():
    """NACE 25.61 and 25.62 are parts of ISIC 2592; NACE 25.92 is part of ISIC 2599."""
    c = nace_classes()
    assert c.height == 615
    ref = dict(c.select("code", "isic4").iter_rows())
    assert ref["2561"] == ref["2562"] == "2592" and ref["2592"] == "2599"
    d = nace_benchmark_definitions("class")
    rows = {code: sorted(d.filter(pl.col("industry") == code).select("cluster", "share")
                         .rows()) for code in ("2561", "2562", "2592", "2599")}
    assert rows["2561"] == rows["2562"]  # same ISIC class: same shares
    assert rows["2592"] == rows["2599"]
    assert rows["2561"] != rows["2592"]


# --- the independent check of the carry-over -----------------------------------------------

def _independent_links(tax: Path) -> dict[str, set[str]]:
    """NAICS -> ISIC classes from the Census file, read with the csv module."""
    isic = [r["Code"] for r in csv.DictReader(
        (tax / "ISIC_Rev_4_english_structure.txt").open(encoding="utf-8"))]
    classes = [c for c in isic if len(c) == 4 and c.isdigit()]
    out: dict[str, set[str]] = defaultdict(set)
    with (tax / "naics2017_to_isic4.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            n, i = r["naics2017"].strip(), r["isic4"].strip()
            if len(n) != 6:
                continue
            if "group level" in (r["notes"] or ""):
                g = i.rjust(3, "0")
                out[n].update(c for c in classes if c[:3] == g)
            else:
                out[n].add(i.rjust(4, "0"))
    return out


def _cbp(shared: Path) -> list[tuple[str, str, float]]:
    with (shared / "cbp" / "cbp2021_state_naics6.csv").open(encoding="utf-8") as fh:
        return [(r["state"], r["naics"], float(r["employees"])) for r in csv.DictReader(fh)]


def _aggregate(rows, defs: pl.DataFrame) -> dict[tuple[str, str], float]:
    shares = defaultdict(list)
    for ind, cl, sh in defs.select("industry", "cluster", "share").iter_rows():
        shares[ind].append((cl, sh))
    out: dict[tuple[str, str], float] = defaultdict(float)
    for region, code, emp in rows:
        for cl, sh in shares.get(code, ()):
            out[(region, cl)] += emp * sh
    return out


def _national(per_region: dict[tuple[str, str], float]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for (_r, cl), v in per_region.items():
        out[cl] += v
    return out


@pytest.fixture(scope="module")
def routes(shared_data):
    """CBP 2021 by state and cluster: NAICS route, NACE class route, division route."""
    links = _independent_links(shared_data / "taxonomy")
    parts: dict[str, list[str]] = defaultdict(list)
    for code, isic4 in nace_classes().select("code", "isic4").iter_rows():
        parts[isic4].append(code)
    cbp = _cbp(shared_data)
    # NAICS employment split equally over its ISIC classes, then over the NACE classes.
    cls_rows: dict[tuple[str, str], float] = defaultdict(float)
    for state, naics, emp in cbp:
        targets = links.get(naics, set())
        for i in targets:
            for c in parts[i]:
                cls_rows[(state, c)] += emp / len(targets) / len(parts[i])
    div_rows: dict[tuple[str, str], float] = defaultdict(float)
    for (state, c), v in cls_rows.items():
        div_rows[(state, c[:2])] += v
    naics = _aggregate(cbp, us_benchmark_definitions(2017))
    cls = _aggregate([(s, c, v) for (s, c), v in cls_rows.items()],
                     nace_benchmark_definitions("class"))
    div = _aggregate([(s, c, v) for (s, c), v in div_rows.items()],
                     nace_benchmark_definitions("division"))
    div01 = sum(v for (_s, c), v in div_rows.items() if c == "01")
    return naics, cls, div, div01


def test_class_route_gives_the_naics_national_cluster_employment(routes):
    """The weights are CBP's own employment, so nationally the routes agree exactly: the
    documented national split effect is 0 (docs/taxonomy.md)."""
    naics, cls, _div, _ = routes
    a, b = _national(naics), _national(cls)
    assert set(a) == set(b) and len(a) == 67
    for cl in a:
        assert b[cl] == pytest.approx(a[cl], rel=1e-9, abs=1e-6), cl


def test_division_route_differs_only_by_division_01(routes):
    naics, _cls, div, div01 = routes
    a, b = _national(naics), _national(div)
    lost = {cl: a[cl] - b.get(cl, 0.0) for cl in a}
    moved = {cl: v for cl, v in lost.items() if abs(v) > 1e-6 * max(a[cl], 1)}
    # Division 01 is left out (most of it is farming, outside the benchmark and CBP):
    # its CBP employment (support activities) is what the division route loses.
    assert sum(moved.values()) == pytest.approx(div01, rel=1e-9)
    assert div01 == pytest.approx(nace_benchmark_summary("division")[
        "cbp_unmapped_employment"], rel=1e-9)
    cls = nace_benchmark_definitions("class")
    in_01 = set(cls.filter(pl.col("industry").str.starts_with("01"))["cluster"])
    assert set(moved) <= in_01 and all(v > 0 for v in moved.values())


def test_shipped_regional_loss_matches_the_independent_routes(routes):
    naics, cls, div, _ = routes
    total = sum(naics.values())
    keys = set(naics) | set(div)
    moved_div = sum(abs(naics.get(k, 0) - div.get(k, 0)) for k in keys) / 2 / total
    moved_cls = sum(abs(naics.get(k, 0) - cls.get(k, 0)) for k in set(naics) | set(cls)) \
        / 2 / total
    row = nace_division_loss().filter(pl.col("cluster") == "all").row(0, named=True)
    assert row["moved_division_share"] == pytest.approx(moved_div, abs=1e-8)
    assert row["moved_class_share"] == pytest.approx(moved_cls, abs=1e-8)
    assert row["moved_class_share"] < row["moved_division_share"]


def test_demo_parquet_carries_the_same_weights(shared_data):
    """The packaged demo (CBP 2021 states) gives the same national NAICS employment as the
    shared CSV the build script reads, so either regenerates the tables."""
    from klaster.data import load_demo

    demo = load_demo().group_by("industry").agg(pl.col("employment").sum())
    csv_emp: dict[str, float] = defaultdict(float)
    for _s, n, e in _cbp(shared_data):
        csv_emp[n] += e
    assert dict(demo.iter_rows()) == dict(csv_emp)


# --- properties of the allocation ----------------------------------------------------------

@st.composite
def _carry_inputs(draw):
    naics = [f"{100000 + i}" for i in range(draw(st.integers(1, 8)))]
    isic = [f"{1000 + 10 * d + c}" for d in range(2) for c in range(3)]
    clusters = ["1", "2", "3"]
    defs = []
    for n in naics:
        if draw(st.booleans()) and n != naics[0]:
            continue  # not in any cluster
        ks = draw(st.lists(st.sampled_from(clusters), min_size=1, max_size=3, unique=True))
        raw = [draw(st.integers(1, 10)) for _ in ks]
        defs += [(n, k, f"C{k}", "traded", None, r / sum(raw)) for k, r in zip(ks, raw)]
    links = []
    for n in naics:
        ts = draw(st.lists(st.sampled_from(isic), min_size=1, max_size=3, unique=True))
        emp = draw(st.sampled_from([0.0, 1.0, 7.5, 1234.0]))
        links += [(n, t, emp / len(ts)) for t in ts]
    d = pl.DataFrame(defs, schema=["industry", "cluster", "cluster_name", "cluster_type",
                                   "subcluster", "share"], orient="row")
    w = pl.DataFrame(links, schema=["naics", "isic", "weight"], orient="row")
    return d, w


@settings(max_examples=60, deadline=None)
@given(_carry_inputs())
def test_allocation_shares_sum_to_one_and_totals_are_kept(inputs):
    defs, w = inputs
    isic = carry_to_isic(defs, w)
    sums = isic.group_by("industry").agg(pl.col("share").sum())["share"]
    assert ((sums - 1).abs() < 1e-9).all()
    # Totals: link employment pushed through the ISIC shares equals the NAICS route.
    want: dict[str, float] = defaultdict(float)
    shares = defaultdict(list)
    for n, k, s in defs.select("industry", "cluster", "share").iter_rows():
        shares[n].append((k, s))
    for n, _i, wt in w.iter_rows():
        for k, s in shares.get(n, ()):
            want[k] += wt * s
    got = (isic.group_by("cluster").agg((pl.col("share") * pl.col("weight")).sum()))
    got_d = dict(got.iter_rows())
    for k, v in want.items():
        assert got_d.get(k, 0.0) == pytest.approx(v, rel=1e-9, abs=1e-9)
    # Divisions: weight-weighted means keep the same totals (no division left out here).
    div = to_divisions(isic)
    sums = div.group_by("industry").agg(pl.col("share").sum())["share"]
    assert ((sums - 1).abs() < 1e-9).all()
    dw = isic.unique("industry").group_by(pl.col("industry").str.slice(0, 2)).agg(
        pl.col("weight").sum())
    tot = (div.join(dw, on="industry").group_by("cluster")
           .agg((pl.col("share") * pl.col("weight")).sum()))
    for k, v in dict(tot.iter_rows()).items():
        assert v == pytest.approx(got_d[k], rel=1e-9, abs=1e-9)
    # NACE classes inherit their ISIC class's shares, so they too sum to 1.
    parts = pl.DataFrame({"code": [i + "x" for i in isic["industry"].unique()]
                          + [i + "y" for i in isic["industry"].unique()],
                          "isic4": list(isic["industry"].unique()) * 2})
    nace = isic_to_nace(isic, parts)
    assert ((nace.group_by("industry").agg(pl.col("share").sum())["share"] - 1).abs()
            < 1e-9).all()


# --- levels -----------------------------------------------------------------------------------

@pytest.mark.parametrize("code,system,want", [
    ("10.71.Z", "pkd2007", ("1071", "class")),
    ("10710", "oked", ("1071", "class")),
    ("10.71.Z", "nace2", ("1071", "class")),  # any NACE-family form under a NACE system
    ("10710", "nace2", ("1071", "class")),
    ("C10", "nace2", ("10", "division")),
    ("G451", "nace2", ("451", "group")),
    ("B", "nace2", ("B", "section")),
    ("B-E", "nace2", (None, None)),
    ("10", None, ("10", "2-digit")),
    ("C", None, ("C", "1-letter")),
    ("31----", "naics2017", ("31-33", "sector")),
])
def test_code_level(code, system, want):
    assert code_level(code, system) == want


def _stats(rows):
    return pl.DataFrame(rows, schema=["region", "industry", "year", "employment"],
                        orient="row").with_columns(
        pl.col("year").cast(pl.Int32), pl.lit(None, pl.Float64).alias("establishments"),
        pl.lit(None, pl.Float64).alias("payroll"), pl.lit(None, pl.Utf8).alias("flag"))


EUROSTAT_LIKE = [  # sections, divisions and groups side by side, as in sbs_r_nuts06_r2
    ("PL84", "B", 2015, 500.0), ("PL84", "C", 2015, 9000.0), ("PL84", "10", 2015, 4000.0),
    ("PL84", "25", 2015, 5000.0), ("PL84", "451", 2015, 300.0), ("PL84", "45", 2015, 700.0),
    ("PL22", "C", 2015, 7000.0), ("PL22", "10", 2015, 3000.0), ("PL22", "25", 2015, 4000.0),
    ("PL22", "45", 2015, 900.0),
]


def test_levels_never_double_count_and_the_warning_names_what_was_left_out():
    defs = nace_benchmark_definitions("division")
    stats = _stats(EUROSTAT_LIKE)
    log = IssueLog()
    got = apply_definitions(stats, defs, issues=log)
    only_div = apply_definitions(stats.filter(pl.col("industry").str.len_chars() == 2), defs)
    assert got.equals(only_div)
    assert got["employment"].sum() == pytest.approx(4000 + 5000 + 700 + 3000 + 4000 + 900)
    left = {i.industry: i.message for i in log if i.kind == "other_level"}
    assert set(left) == {"B", "C", "451"}
    assert "16,000 employed" in left["C"] and "a 1-letter code" in left["C"]
    assert "300 employed" in left["451"] and "2-digit level" in left["451"]
    # With the NACE system named, the levels read as NACE levels.
    log = IssueLog()
    apply_definitions(stats, defs, issues=log, system="nace2")
    left = {i.industry: i.message for i in log if i.kind == "other_level"}
    assert "a section code" in left["B"] and "division level" in left["451"]


def test_mapping_states_the_level_caveats():
    defs, system = builtin_definitions("nace-division")
    res = map_clusters(_stats(EUROSTAT_LIKE), defs, system=system)
    codes = dict(res.caveat_codes)
    assert codes["level.other_codes"]["n_codes"] == 3
    assert codes["level.other_codes"]["employment"] == pytest.approx(16800.0)
    loss = nace_division_loss().filter(pl.col("cluster") == "all").row(0, named=True)
    assert codes["level.division"]["moved_division"] == loss["moved_division_share"]
    text = " ".join(map(str, res.caveats()))
    assert "16,800 jobs in 3 industry codes" in text and "NACE division level" in text
    polish = " ".join(m.render("pl") for m in res.caveats())
    assert "16\u00a0800" in polish and "działów NACE" in polish
    assert res.allocation_totals["total_employment"] == pytest.approx(17600.0)
    # Class-level definitions carry no division caveat.
    cls, system = builtin_definitions("nace-class")
    res = map_clusters(_stats([("R", "1071", 2015, 10.0), ("S", "2562", 2015, 5.0)]), cls,
                       system=system)
    assert "level.division" not in dict(res.caveat_codes)


def test_pkd_and_oked_codes_map_to_nace_classes():
    defs, system = builtin_definitions("nace-class")
    pkd = _stats([("PL84", "10.71.Z", 2015, 100.0), ("PL84", "25.62.Z", 2015, 50.0),
                  ("PL84", "10", 2015, 999.0)])
    oked = _stats([("BY-HR", "10710", 2015, 100.0), ("BY-HR", "25620", 2015, 50.0)])
    log = IssueLog()
    a = apply_definitions(pkd, defs, system="pkd2007", issues=log)
    b = apply_definitions(oked, defs, system="oked")
    want = apply_definitions(_stats([("X", "1071", 2015, 100.0), ("X", "2562", 2015, 50.0)]),
                             defs)
    for got in (a, b):
        assert got.select("cluster", "employment").sort("cluster").equals(
            want.select("cluster", "employment").sort("cluster"))
    assert [(i.kind, i.industry) for i in log] == [("other_level", "10")]
    kept = select_level(pkd, defs, system=system).collect()
    assert sorted(kept["industry"]) == ["1071", "2562"]


def test_division_missing_from_definitions_is_named_not_dropped_silently():
    defs, system = builtin_definitions("nace-division")
    stats = _stats([("PL84", "01", 2015, 1200.0), ("PL84", "10", 2015, 4000.0),
                    ("PL84", "97", 2015, 30.0), ("PL84", "10.x", 2015, 1.0)])
    res = map_clusters(stats, defs, system=system)  # no crash
    unm = {i.industry: i.message for i in res.issues if i.kind == "unmapped_code"}
    assert set(unm) == {"01", "97"}
    assert "1,200 employed" in unm["01"]
    other = {i.industry for i in res.issues if i.kind == "other_level"}
    assert other == {"10.x"}  # not a NACE code: named, not used
    assert res.allocation_totals["n_unmapped_codes"] == 2


# --- command line ---------------------------------------------------------------------------

def _cli(*args):
    from typer.testing import CliRunner

    from klaster.cli import app
    res = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    res.text = " ".join(res.output.split())  # Rich wraps lines: compare words
    return res


def test_cli_definitions_reports_nace_split_employment(tmp_path):
    res = _cli("definitions", "-d", "nace-division", "-o", tmp_path / "d.csv")
    assert res.exit_code == 0, res.output
    assert "NACE Rev.2 divisions" in res.text and "84 codes, 72 split" in res.text
    t = nace_benchmark_summary("division")
    assert f"{t['cbp_split_employment']:,.0f}" in res.text
    assert pl.read_csv(tmp_path / "d.csv", infer_schema=False)["industry"].n_unique() == 84
    res = _cli("definitions", "-d", "nace-class")
    assert res.exit_code == 0 and "576 codes, 364 split" in res.text


def test_cli_indicators_with_nace_divisions(tmp_path):
    src = tmp_path / "eu.csv"
    _stats(EUROSTAT_LIKE).select("region", "industry", "year", "employment").write_csv(src)
    out, issues = tmp_path / "ind.csv", tmp_path / "issues.csv"
    res = _cli("indicators", src, "-d", "nace-division", "-o", out, "--issues", issues)
    assert res.exit_code == 0, res.output
    assert "2 regions" in res.text
    assert "NACE division level" in res.text  # the caveat
    kinds = pl.read_csv(issues, infer_schema=False)
    assert sorted(kinds.filter(pl.col("kind") == "other_level")["industry"]) == ["451", "B", "C"]
    res = _cli("definitions", "-d", "nace-division", "--stats", src)
    assert res.exit_code == 0, res.output
    assert "16,800 in 3 codes of other levels left out" in res.text
    res = _cli("indicators", src, "-d", "nace-sector", "-o", out)
    assert res.exit_code == 2 and "nace-division" in res.text


_CODES = ["B", "C", "10", "25", "29", "451", "452", "1071", "2562", "10.71.Z", "C10"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["R", "S", "T"]), st.sampled_from(_CODES),
                          st.integers(0, 1000)), min_size=1, max_size=25),
       st.sampled_from(["class", "division"]))
def test_selection_keeps_exactly_the_definitions_level(rows, level):
    """Whatever mix of levels a table has, the jobs that enter clusters are those of
    the codes at the definitions' level (each counted once), and every other code is
    named in a warning."""
    defs = nace_benchmark_definitions(level)
    stats = _stats([(r, c, 2015, float(e)) for r, c, e in rows])
    log = IssueLog()
    got = apply_definitions(stats, defs, issues=log, system="nace2")
    want_level = {"class": "class", "division": "division"}[level]
    kept = [(c, e) for _r, c, e in rows if code_level(c, "nace2")[1] == want_level]
    mapped = set(defs["industry"])
    want = sum(e for c, e in kept if code_level(c, "nace2")[0] in mapped)
    assert (got["employment"].sum() or 0.0) == pytest.approx(want)
    left = {i.industry for i in log if i.kind == "other_level"}
    assert left == {c for _r, c, _e in rows if code_level(c, "nace2")[1] != want_level}
