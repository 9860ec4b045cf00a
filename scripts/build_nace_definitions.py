"""Build klaster's NACE Rev.2 benchmark cluster definitions from public sources.

Reads (from ../shared/data, or the folder given with --shared):
  taxonomy/naics2017_to_isic4.csv          US Census NAICS 2017 -> ISIC Rev.4 concordance
  taxonomy/ISIC_Rev_4_english_structure.txt UN ISIC Rev.4 structure (classes, divisions)
  cbp/cbp2021_state_naics6.csv              US County Business Patterns 2021 (weights;
                                            the packaged demo, the same extract, if absent)
and the package's own tables: us_benchmark_definitions.csv (NAICS 2017) and
nace2_classes.csv (NACE Rev.2 classes with their ISIC class; rebuilt from Eurostat's
NACE Rev.2 structure file when --nace-structure FILE is given: the semicolon-separated
export with columns Level, Code, Description, "Reference to ISIC Rev. 4").
Writes (src/klaster/taxonomy/data/, or --out):
  nace_benchmark_definitions.csv (levels class and division), nace_benchmark_unmapped.csv,
  nace_division_loss.csv, nace_benchmark_summary.csv, and nace2_classes.csv with --nace-structure.
The source files themselves are not shipped; see data/NOTICE.

Run: uv run python scripts/build_nace_definitions.py [--shared DIR] [--out DIR]
         [--nace-structure FILE]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import polars as pl

from klaster.fileio import atomic_output
from klaster.taxonomy import allocation_totals, us_benchmark_definitions
from klaster.taxonomy.nace import (
    carry_to_isic,
    division_loss,
    isic_links,
    isic_to_nace,
    link_weights,
    naics_to_nace_stats,
    to_divisions,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "klaster" / "taxonomy" / "data"
DEF_COLS = ["level", "industry", "cluster", "cluster_name", "cluster_type", "subcluster",
            "share", "industry_title"]


def write_atomic(df: pl.DataFrame, path: Path) -> None:
    with atomic_output(path) as tmp:
        df.write_csv(tmp)


def nace_classes_from_structure(path: Path) -> pl.DataFrame:
    """NACE Rev.2 classes (4 digits, no dot), their ISIC Rev.4 class and title."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    out = [(r["Code"].replace(".", ""), r["Reference to ISIC Rev. 4"].strip(),
            r["Description"].strip()) for r in rows if r["Level"] == "4"]
    df = pl.DataFrame(out, schema={"code": pl.Utf8, "isic4": pl.Utf8, "title": pl.Utf8},
                      orient="row").sort("code")
    assert df.height == 615, df.height
    assert df["code"].is_unique().all()
    assert (df["code"].str.slice(0, 2) == df["isic4"].str.slice(0, 2)).all()
    return df


def build(shared: Path, classes: pl.DataFrame) -> dict[str, pl.DataFrame]:
    tax = shared / "taxonomy"
    isic = pl.read_csv(tax / "ISIC_Rev_4_english_structure.txt", infer_schema=False)
    isic_classes = [c for c in isic["Code"] if len(c) == 4 and c.isdigit()]
    div_titles = isic.filter(pl.col("Code").str.contains(r"^\d{2}$")).select(
        pl.col("Code").alias("industry"), pl.col("Description").alias("industry_title"))
    assert set(classes["isic4"]) == set(isic_classes), "NACE table and ISIC structure differ"
    conc = pl.read_csv(tax / "naics2017_to_isic4.csv", infer_schema=False)
    links = isic_links(conc, isic_classes)
    cbp_csv = shared / "cbp" / "cbp2021_state_naics6.csv"
    if cbp_csv.is_file():
        cbp = pl.read_csv(cbp_csv, infer_schema=False)
        stats = cbp.select(pl.col("state").alias("region"), pl.col("naics").alias("industry"),
                           pl.lit(2021).alias("year"),
                           pl.col("employees").cast(pl.Float64).alias("employment"))
    else:
        # The packaged demo is the same CBP 2021 state extract (tests/taxonomy/test_nace.py
        # checks that both give the same national employment per NAICS code).
        from klaster.data import load_demo
        stats = load_demo().select("region", "industry", pl.lit(2021).alias("year"),
                                   "employment")
    emp = stats.select(pl.col("industry").alias("naics"), "employment")
    naics_defs = us_benchmark_definitions(2017)
    weights = link_weights(links, emp)
    isic_defs = carry_to_isic(naics_defs, weights)
    class_defs = isic_to_nace(isic_defs, classes)
    div_defs = to_divisions(isic_defs, classes)
    for d in (class_defs, div_defs):
        sums = d.group_by("industry").agg(pl.col("share").sum())
        assert ((sums["share"] - 1).abs() < 1e-9).all()
        types = d.unique("cluster").group_by("cluster_type").len()
        assert d["cluster"].n_unique() == 67, d["cluster"].n_unique()
        assert dict(types.iter_rows()) == {"traded": 51, "local": 16}
    titles_c = classes.select(pl.col("code").alias("industry"),
                              pl.col("title").alias("industry_title"))
    defs = pl.concat([
        class_defs.join(titles_c, on="industry", how="left")
        .with_columns(pl.lit("class").alias("level")),
        div_defs.join(div_titles, on="industry", how="left")
        .with_columns(pl.lit("division").alias("level")),
    ]).with_columns(pl.col("share").round(12)).select(DEF_COLS)
    # Codes in no cluster, with the reason.
    linked = set(links["isic"])
    un_rows = []
    for code, isic4, title in classes.iter_rows():
        if code in set(class_defs["industry"]):
            continue
        why = ("ISIC class linked only to NAICS codes outside the benchmark"
               if isic4 in linked else "ISIC class linked to no NAICS code")
        un_rows.append(("class", code, title, f"{why} (ISIC {isic4})"))
    div_in = set(div_defs["industry"])
    in_cl = set(class_defs["industry"])
    for code, title in div_titles.iter_rows():
        if code in div_in:
            continue
        members = [c for c in classes["code"] if c.startswith(code)]
        n_in = sum(c in in_cl for c in members)
        why = ("no class of the division is in a benchmark cluster" if n_in == 0 else
               f"only {n_in} of its {len(members)} classes are in a benchmark cluster")
        un_rows.append(("division", code, title, why))
    unmapped = pl.DataFrame(un_rows, schema=["level", "industry", "industry_title", "reason"],
                            orient="row")
    summary = []
    for level, d in (("class", class_defs), ("division", div_defs)):
        conv = naics_to_nace_stats(stats, links, classes, level).with_columns(
            pl.lit(None, pl.Float64).alias("establishments"),
            pl.lit(None, pl.Float64).alias("payroll"))
        t = allocation_totals(conv, d)
        n_split = d.group_by("industry").len().filter(pl.col("len") > 1).height
        # Employment a split code sends to clusters other than its largest one.
        main = d.group_by("industry").agg(pl.col("share").max().alias("_max"))
        off = float(conv.group_by("industry").agg(pl.col("employment").sum())
                    .join(main, on="industry")
                    .select((pl.col("employment") * (1 - pl.col("_max"))).sum()).item())
        summary.append((level, d["industry"].n_unique(), n_split,
                        round(t["total_employment"], 6), round(t["split_employment"], 6),
                        t["n_split_codes"], round(off, 6), round(t["unmapped_employment"], 6),
                        t["n_unmapped_codes"]))
    summary_df = pl.DataFrame(summary, orient="row", schema=[
        "level", "codes", "split_codes", "cbp_employment", "cbp_split_employment",
        "cbp_split_codes", "cbp_off_main_employment", "cbp_unmapped_employment",
        "cbp_unmapped_codes"])
    loss = division_loss(stats, naics_defs, links, classes, class_defs, div_defs)
    loss = loss.with_columns(pl.col(c).round(9) for c in (
        "employment", "shared_division_share", "moved_class_share", "moved_division_share"))
    return {"nace_benchmark_definitions.csv": defs, "nace_benchmark_unmapped.csv": unmapped,
            "nace_division_loss.csv": loss, "nace_benchmark_summary.csv": summary_df,
            "_links": links, "_isic": isic_defs}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--nace-structure", type=Path, default=None)
    args = ap.parse_args(argv[1:])
    if args.nace_structure is not None:
        classes = nace_classes_from_structure(args.nace_structure)
        write_atomic(classes, args.out / "nace2_classes.csv")
    else:
        classes = pl.read_csv(OUT / "nace2_classes.csv", infer_schema=False)
    tables = build(args.shared, classes)
    for name, df in tables.items():
        if not name.startswith("_"):
            write_atomic(df, args.out / name)
    defs = tables["nace_benchmark_definitions.csv"]
    isic = tables["_isic"]
    for level in ("class", "division"):
        d = defs.filter(pl.col("level") == level)
        n_split = d.group_by("industry").len().filter(pl.col("len") > 1).height
        print(f"{level}: {d['industry'].n_unique()} codes in clusters, {n_split} split over "
              "several clusters, "
              f"{tables['nace_benchmark_unmapped.csv'].filter(pl.col('level') == level).height}"
              " in no cluster")
    print(f"ISIC classes in clusters: {isic['industry'].n_unique()}; "
          f"links: {tables['_links'].height}")
    print(tables["nace_benchmark_summary.csv"])
    loss = tables["nace_division_loss.csv"]
    print(loss.filter(pl.col("cluster") == "all"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
