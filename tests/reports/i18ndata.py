"""A small, language-neutral mapping run for the report language tests.

Region and cluster names are made-up words that are English in no language, so that
any English left on a rendered page comes from the engine, not from the data. It has
two years (growth, shift-share), a code split over two clusters and a code in no cluster
(allocation caveats), and boundaries for all regions but one (the missing-shape note).
"""

from __future__ import annotations

import polars as pl

from klaster.mapping import map_clusters
from klaster.schema import DEFINITIONS_SCHEMA, STATS_SCHEMA

REGIONS = ["R1", "R2", "R3", "R4", "R5"]
NAMES = {"R1": "Zorvia", "R2": "Kelmora", "R3": "Dravnik", "R4": "Ostrava-Lunsk",
         "R5": "Tarnopik"}
CLUSTERS = {"k1": "Klastar Aurum", "k2": "Klastar Borvik", "k3": "Klastar Cemlo",
            "k4": "Klastar Dunavo", "l1": "Klastar Lokalis"}


def definitions() -> pl.DataFrame:
    rows = [("1001", "k1", 1.0), ("1002", "k1", 1.0), ("2001", "k2", 1.0),
            ("3001", "k3", 1.0), ("4001", "k4", 1.0), ("5000", "k3", 0.5),
            ("5000", "k4", 0.5), ("9001", "l1", 1.0)]
    return pl.DataFrame(
        [{"industry": i, "cluster": c, "cluster_name": CLUSTERS[c],
          "cluster_type": "local" if c == "l1" else "traded", "subcluster": None,
          "share": s} for i, c, s in rows], schema=DEFINITIONS_SCHEMA)


def stats() -> pl.DataFrame:
    recs = []
    codes = ["1001", "1002", "2001", "3001", "4001", "5000", "9001", "7777"]
    for ri, region in enumerate(REGIONS):
        for ci, code in enumerate(codes):
            for year, growth in ((2015, 1.0), (2020, 1.0 + 0.07 * ((ri + 2 * ci) % 5) - 0.1)):
                base = 400.0 + 1500.0 * ((ri * 7 + ci * 3) % 6) + 90 * ri
                if code == "9001":
                    base = 20000.0 + 3000 * ri
                recs.append({"region": region, "industry": code, "year": year,
                             "employment": round(base * growth), "establishments":
                             round(base / 25) + 1, "payroll": base * growth * 41.5,
                             "flag": None})
    return pl.DataFrame(recs, schema=STATS_SCHEMA)


def regions() -> pl.DataFrame:
    return pl.DataFrame({"region": REGIONS, "name": [NAMES[r] for r in REGIONS],
                         "parent": [None] * 5, "geo_id": [f"g{r}" for r in REGIONS]},
                        schema={"region": pl.Utf8, "name": pl.Utf8, "parent": pl.Utf8,
                                "geo_id": pl.Utf8})


def geometry() -> dict:
    """Squares for every region but R5 (which the report must then name)."""
    feats = []
    for i, r in enumerate(REGIONS[:-1]):
        x, y = 20.0 + 2 * (i % 2), 50.0 + 2 * (i // 2)
        ring = [[x, y], [x, y + 1.8], [x + 1.8, y + 1.8], [x + 1.8, y], [x, y]]  # clockwise
        feats.append({"type": "Feature", "id": f"g{r}", "properties": {},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "features": feats}


def mapping():
    return map_clusters(stats(), definitions())


def report_options(result) -> dict:
    return {"regions": regions(), "geometry": geometry(), "change": result.change,
            "metadata": {"caveats": result.notes(), "generated": "2026-01-01 00:00 UTC",
                         **result.options}}
