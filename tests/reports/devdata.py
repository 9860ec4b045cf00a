"""Realistic indicator tables for report tests and for looking at the page.

Built from the real CBP 2021 state file with a deliberately rough recipe that lives in
the tests, not in the library (the indicators engine is klaster.indicators):
NAICS 2017 codes are mapped to the US benchmark clusters (Delgado, Porter & Stern 2016)
through the Census concordances 2017 -> 2012 -> 2007, taking the first listed match.
LQ follows its textbook definition; "strong" = top quartile of states by LQ with LQ >= 1
and "strong10" = top decile; stars follow the European Cluster Observatory idea (size,
specialisation LQ >= 2, focus), each as a top-decile/threshold flag. Good enough to look
at, not a reference computation.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from klaster.schema import INDICATOR_COLUMNS


def cbp_cluster_indicators(shared: Path) -> pl.DataFrame:
    tax = shared / "taxonomy"
    cbp = pl.read_csv(shared / "cbp" / "cbp2021_state_naics6.csv",
                      schema_overrides={"naics": pl.Utf8, "state": pl.Utf8})
    a = (pl.read_csv(tax / "naics2017_to_naics2012.csv", infer_schema=False)
         .select("naics2017", "naics2012").unique("naics2017", keep="first"))
    b = (pl.read_csv(tax / "naics2012_to_naics2007.csv", infer_schema=False)
         .select("naics2012", "naics2007").unique("naics2012", keep="first"))
    c = (pl.read_csv(tax / "us_benchmark_clusters_naics2007.csv", infer_schema=False)
         .unique("naics2007", keep="first"))
    m = (cbp.join(a, left_on="naics", right_on="naics2017")
         .join(b, on="naics2012").join(c, on="naics2007"))
    g = (m.group_by("state", "cluster_code", "cluster_name", "cluster_type")
         .agg(pl.col("employees").sum().cast(pl.Float64).alias("employment"),
              pl.col("establishments").sum().cast(pl.Float64).alias("establishments"),
              pl.col("payroll").sum().cast(pl.Float64).alias("payroll"))
         .rename({"state": "region", "cluster_code": "cluster"}))
    region_tot = pl.col("employment").sum().over("region")
    cluster_tot = pl.col("employment").sum().over("cluster")
    total = pl.col("employment").sum()
    traded = pl.col("cluster_type") == "traded"
    g = g.with_columns(
        year=pl.lit(2021, pl.Int32),
        wage=pl.when(pl.col("employment") > 0)
        .then(pl.col("payroll") * 1000 / pl.col("employment")),
        region_share=pl.col("employment") / region_tot,
        national_share=pl.col("employment") / cluster_tot,
        lq=(pl.col("employment") / region_tot) / (cluster_tot / total),
    )
    lq_rank = pl.col("lq").rank("average", descending=True).over("cluster") / pl.len().over(
        "cluster")
    size_rank = pl.col("national_share").rank("average", descending=True).over(
        "cluster") / pl.len().over("cluster")
    focus_rank = pl.col("region_share").rank("average", descending=True).over(
        "cluster") / pl.len().over("cluster")

    def flag(expr):
        return pl.when(traded).then(expr)

    g = g.with_columns(
        strong=flag((lq_rank <= 0.25) & (pl.col("lq") >= 1)),
        strong10=flag((lq_rank <= 0.10) & (pl.col("lq") >= 1)),
        significant=flag(pl.col("lq") >= 1),
        qualifying=flag(pl.col("employment") >= 1000),
        star_size=flag(size_rank <= 0.10),
        star_specialisation=flag(pl.col("lq") >= 2),
        star_focus=flag(focus_rank <= 0.10),
    ).with_columns(
        stars=pl.when(traded).then(
            pl.col("star_size").cast(pl.Int8) + pl.col("star_specialisation").cast(pl.Int8)
            + pl.col("star_focus").cast(pl.Int8))
    )
    return g.select(INDICATOR_COLUMNS).sort("region", "cluster")


def small_indicators() -> pl.DataFrame:
    """Three regions x three clusters, hand-written (two traded, one local)."""
    rows = [
        # region, cluster, name, type, emp, lq, strong, strong10, stars
        ("AA", "c1", "Aerospace", "traded", 12000.0, 2.5, True, True, 2),
        ("AA", "c2", "Biopharma", "traded", 3000.0, 0.6, False, False, 0),
        ("AA", "c9", "Local Health", "local", 50000.0, 1.0, None, None, None),
        ("BB", "c1", "Aerospace", "traded", 2000.0, 0.4, False, False, 0),
        ("BB", "c2", "Biopharma", "traded", 9000.0, 1.8, True, False, 1),
        ("BB", "c9", "Local Health", "local", 40000.0, 1.0, None, None, None),
        ("CC", "c1", "Aerospace", "traded", 1500.0, 0.9, False, False, 0),
        ("CC", "c2", "Biopharma", "traded", 1234567.0, 1.1, False, False, 1),
        ("CC", "c9", "Local Health", "local", 30000.0, 1.0, None, None, None),
    ]
    recs = []
    for r, c, n, t, e, lq, s, s10, st in rows:
        local = t == "local"
        recs.append({
            "region": r, "cluster": c, "cluster_name": n, "cluster_type": t, "year": 2021,
            "employment": e, "establishments": e / 20, "payroll": e * 60.0, "wage": 60000.0,
            "region_share": None, "national_share": None, "lq": lq,
            "strong": s, "strong10": s10, "significant": None if local else lq >= 1,
            "qualifying": None if local else True,
            "star_size": None if local else st >= 1, "star_specialisation": None if local
            else st >= 2, "star_focus": None if local else False, "stars": st,
        })
    schema = {k: pl.Utf8 for k in ("region", "cluster", "cluster_name", "cluster_type")}
    schema |= {"year": pl.Int32, "employment": pl.Float64, "establishments": pl.Float64,
               "payroll": pl.Float64, "wage": pl.Float64, "region_share": pl.Float64,
               "national_share": pl.Float64, "lq": pl.Float64}
    schema |= {k: pl.Boolean for k in ("strong", "strong10", "significant", "qualifying",
                                       "star_size", "star_specialisation", "star_focus")}
    schema["stars"] = pl.Int8
    return pl.DataFrame(recs, schema=schema).select(INDICATOR_COLUMNS)
