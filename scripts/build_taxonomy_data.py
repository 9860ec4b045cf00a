"""Build klaster's taxonomy package data from public sources.

Reads (from ../shared/data/taxonomy, or the folder given as the first argument):
  naics2017_to_naics2012.csv, naics2012_to_naics2007.csv  (US Census concordances)
  ISIC_Rev_4_english_structure.txt                           (UN ISIC Rev.4 structure)
  us_benchmark_clusters_naics2007.csv                         (Delgado, Porter & Stern 2016)
Writes (src/klaster/taxonomy/data/):
  naics2017_hierarchy.csv, nace2_hierarchy.csv,
  us_benchmark_definitions.csv (vintages 2007, 2012, 2017), us_benchmark_unmapped.csv
The concordance files themselves are not shipped; only these derived tables are.

Run: uv run python scripts/build_taxonomy_data.py [SOURCE_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from klaster.errors import IssueLog
from klaster.fileio import atomic_output
from klaster.schema import DEFINITIONS_SCHEMA, HIERARCHY_SCHEMA
from klaster.taxonomy.concordance import compose, load_concordance
from klaster.taxonomy.definitions import translate_definitions

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "klaster" / "taxonomy" / "data"

# NAICS 2017 sector titles (US Census Bureau, NAICS Manual 2017; public domain). The
# concordances give titles for 6-digit codes only.
NAICS_SECTORS = {
    "11": "Agriculture, Forestry, Fishing and Hunting",
    "21": "Mining, Quarrying, and Oil and Gas Extraction",
    "22": "Utilities",
    "23": "Construction",
    "31-33": "Manufacturing",
    "42": "Wholesale Trade",
    "44-45": "Retail Trade",
    "48-49": "Transportation and Warehousing",
    "51": "Information",
    "52": "Finance and Insurance",
    "53": "Real Estate and Rental and Leasing",
    "54": "Professional, Scientific, and Technical Services",
    "55": "Management of Companies and Enterprises",
    "56": "Administrative and Support and Waste Management and Remediation Services",
    "61": "Educational Services",
    "62": "Health Care and Social Assistance",
    "71": "Arts, Entertainment, and Recreation",
    "72": "Accommodation and Food Services",
    "81": "Other Services (except Public Administration)",
    "92": "Public Administration",
}
COMBINED = {"31": "31-33", "32": "31-33", "33": "31-33", "44": "44-45", "45": "44-45",
            "48": "48-49", "49": "48-49"}


def write_atomic(df: pl.DataFrame, path: Path) -> None:
    """Write to a temporary file and rename, so a failed run never half-writes."""
    with atomic_output(path) as tmp:
        df.write_csv(tmp)


def naics_hierarchy(src: Path) -> pl.DataFrame:
    six = (pl.read_csv(src / "naics2017_to_naics2012.csv", infer_schema=False)
           .select(pl.col("naics2017").alias("code"), pl.col("title2017").alias("title"))
           .unique().sort("code"))
    assert six["code"].is_unique().all(), "a NAICS 2017 code with two titles"
    titles = dict(zip(six["code"], six["title"]))
    codes6 = six["code"].to_list()
    rows = []
    for n in (3, 4, 5):
        for code in sorted({c[:n] for c in codes6}):
            children = [c for c in codes6 if c.startswith(code)] if n == 5 else []
            title = None
            # NAICS convention: a national industry whose 6th digit is "0" is the same
            # as its 5-digit NAICS industry, so the titles are equal.
            if n == 5 and len(children) == 1 and children[0].endswith("0"):
                title = titles[children[0]]
            parent = COMBINED.get(code[:2], code[:2]) if n == 3 else code[:-1]
            rows.append((code, parent, n - 1, title))
    rows += [(c, c[:-1], 5, titles[c]) for c in codes6]
    rows += [(s, None, 1, t) for s, t in NAICS_SECTORS.items()]
    df = pl.DataFrame(rows, schema=HIERARCHY_SCHEMA, orient="row")
    missing = set(df["parent"].drop_nulls()) - set(df["code"])
    assert not missing, f"parents missing: {missing}"
    return df.sort("level", "code")


def nace_hierarchy(src: Path) -> pl.DataFrame:
    isic = pl.read_csv(src / "ISIC_Rev_4_english_structure.txt", infer_schema=False)
    rows, section = [], None
    for code, title in isic.iter_rows():
        if code.isalpha():
            section = code
            rows.append((code, None, 1, title))
        elif len(code) == 2:
            rows.append((code, section, 2, title))
        else:
            rows.append((code, code[:-1], len(code), title))
    df = pl.DataFrame(rows, schema=HIERARCHY_SCHEMA, orient="row")
    missing = set(df["parent"].drop_nulls()) - set(df["code"])
    assert not missing, f"parents missing: {missing}"
    return df


def benchmark(src: Path) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    raw = pl.read_csv(src / "us_benchmark_clusters_naics2007.csv", infer_schema=False)
    d07 = raw.select(
        pl.col("naics2007").alias("industry"), pl.col("cluster_code").alias("cluster"),
        "cluster_name", "cluster_type", pl.lit(None, pl.Utf8).alias("subcluster"),
        pl.lit(1.0).alias("share"),
    ).cast(DEFINITIONS_SCHEMA)
    c17_12 = load_concordance(src / "naics2017_to_naics2012.csv", "naics2017", "naics2012")
    c12_07 = load_concordance(src / "naics2012_to_naics2007.csv", "naics2012", "naics2007")
    c17_07 = compose(c17_12, c12_07)
    t07 = pl.read_csv(src / "naics2012_to_naics2007.csv", infer_schema=False).select(
        pl.col("naics2007").alias("industry"), pl.col("title2007").alias("industry_title"))
    t12 = pl.read_csv(src / "naics2012_to_naics2007.csv", infer_schema=False).select(
        pl.col("naics2012").alias("industry"), pl.col("title2012").alias("industry_title"))
    t17 = pl.read_csv(src / "naics2017_to_naics2012.csv", infer_schema=False).select(
        pl.col("naics2017").alias("industry"), pl.col("title2017").alias("industry_title"))
    log: list[str] = []
    defs, unmapped = [], []
    for vintage, conc, titles in ((2007, None, t07), (2012, c12_07, t12), (2017, c17_07, t17)):
        titles = titles.unique("industry")
        issues = IssueLog()
        if conc is None:
            d = d07
            legacy = d.join(titles, on="industry", how="anti")["industry"].to_list()
            log.append(f"2007: {len(legacy)} source codes are not among the 2007 codes of "
                       f"the Census 2012->2007 concordance (kept as in the source): "
                       f"{', '.join(sorted(legacy))}")
            gaps = titles.join(d, on="industry", how="anti").sort("industry")
            un = gaps.with_columns(pl.col("industry").alias("naics2007"))
        else:
            d = translate_definitions(d07, conc, issues=issues)
            un_codes = [i.industry for i in issues if i.kind == "unmapped_code"]
            un = (conc.filter(pl.col("source").is_in(un_codes))
                  .group_by("source").agg(pl.col("target").sort().str.join(";").alias("naics2007"))
                  .rename({"source": "industry"}).join(titles, on="industry", how="left")
                  .sort("industry"))
            counts = issues.counts()
            n_split = d.group_by("industry").len().filter(pl.col("len") > 1).height
            log.append(f"{vintage}: {d['industry'].n_unique()} codes in clusters, {n_split} "
                       f"split over several clusters, {counts.get('partially_mapped', 0)} "
                       f"partially mapped, {counts.get('unmapped_code', 0)} in no cluster")
        # The checks the brief asks for: 67 clusters (51 traded, 16 local), shares sum to 1.
        types = d.unique("cluster").group_by("cluster_type").len()
        assert d["cluster"].n_unique() == 67, (vintage, d["cluster"].n_unique())
        assert dict(types.iter_rows()) == {"traded": 51, "local": 16}, (vintage, types)
        sums = d.group_by("industry").agg(pl.col("share").sum())
        assert ((sums["share"] - 1).abs() < 1e-9).all(), vintage
        defs.append(d.join(titles, on="industry", how="left")
                    .with_columns(pl.lit(vintage).alias("vintage")))
        unmapped.append(un.select(pl.lit(vintage).alias("vintage"), "industry",
                                  "industry_title", "naics2007"))
    cols = ["vintage", *DEFINITIONS_SCHEMA, "industry_title"]
    all_defs = pl.concat([d.select(cols) for d in defs]).with_columns(
        pl.col("share").round(12))
    return all_defs, pl.concat(unmapped), log


def main(argv: list[str]) -> int:
    src = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "data" / "taxonomy"
    naics = naics_hierarchy(src)
    nace = nace_hierarchy(src)
    defs, unmapped, log = benchmark(src)
    write_atomic(naics, OUT / "naics2017_hierarchy.csv")
    write_atomic(nace, OUT / "nace2_hierarchy.csv")
    write_atomic(defs, OUT / "us_benchmark_definitions.csv")
    write_atomic(unmapped, OUT / "us_benchmark_unmapped.csv")
    print(f"naics2017_hierarchy.csv: {naics.height} codes "
          f"{dict(naics.group_by('level').len().sort('level').iter_rows())}")
    print(f"nace2_hierarchy.csv: {nace.height} codes "
          f"{dict(nace.group_by('level').len().sort('level').iter_rows())}")
    print(f"us_benchmark_definitions.csv: {defs.height} rows "
          f"{dict(defs.group_by('vintage').len().sort('vintage').iter_rows())}")
    for line in log:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
