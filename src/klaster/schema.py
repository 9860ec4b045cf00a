"""Column contracts shared by every part of klaster.

These names are a public, stable interface (see docs/tables.md): loaders produce the
canonical statistics table, taxonomy produces cluster-definition tables, indicators
consume both and produce the indicator table that reports and the CLI read.
"""

from __future__ import annotations

import polars as pl

# --- canonical long statistics table: one row per region x industry x year ----------
# Counts are Float64 because imputed cells (European Cluster Observatory rule) can be
# fractional; null means "not published" (suppressed or missing), never zero.
STATS_SCHEMA: dict[str, pl.DataType] = {
    "region": pl.Utf8,
    "industry": pl.Utf8,
    "year": pl.Int32,
    "employment": pl.Float64,
    "establishments": pl.Float64,
    "payroll": pl.Float64,
    "flag": pl.Utf8,  # null = published value; otherwise e.g. "suppressed", "imputed", "c", "D"
}
STATS_KEY = ("region", "industry", "year")
STATS_VALUES = ("employment", "establishments", "payroll")

# --- cluster definitions: industry code -> cluster -----------------------------------
# A code may belong to several clusters; `share` (0 < share <= 1, summing to 1 per
# industry) says how its employment is allocated (see klaster.taxonomy for the rule).
DEFINITIONS_SCHEMA: dict[str, pl.DataType] = {
    "industry": pl.Utf8,
    "cluster": pl.Utf8,
    "cluster_name": pl.Utf8,
    "cluster_type": pl.Utf8,  # "traded" | "local"
    "subcluster": pl.Utf8,  # nullable
    "share": pl.Float64,
}
CLUSTER_TYPES = ("traded", "local")

# --- industry-code hierarchy (NAICS, NACE Rev.2 and its national versions) -----------
# One row per code; `parent` is null at the top level. Used for validation, roll-ups
# and the European Cluster Observatory imputation rule.
HIERARCHY_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.Utf8,
    "parent": pl.Utf8,
    "level": pl.Int32,  # 1 = top (NAICS sector / NACE section); larger = finer
    "title": pl.Utf8,
}

# --- region table (and hierarchy) -------------------------------------------------------
REGIONS_SCHEMA: dict[str, pl.DataType] = {
    "region": pl.Utf8,  # code used in the statistics table
    "name": pl.Utf8,
    "parent": pl.Utf8,  # nullable: e.g. state of a county, NUTS1 of a NUTS2
    "geo_id": pl.Utf8,  # nullable: feature id in the boundary file (e.g. FIPS)
}

# --- indicator table: one row per region x cluster x year -----------------------------
INDICATOR_COLUMNS = (
    "region", "cluster", "cluster_name", "cluster_type", "year",
    "employment", "establishments", "payroll", "wage",
    "region_share", "national_share", "lq",
    "strong", "strong10", "significant", "qualifying",
    "star_size", "star_specialisation", "star_focus", "stars",
)


def empty_stats() -> pl.DataFrame:
    return pl.DataFrame(schema=STATS_SCHEMA)

# --- change between two years: one row per region x cluster ---------------------------
CHANGE_COLUMNS = (
    "region", "cluster", "cluster_name", "cluster_type", "year_start", "year_end",
    "employment_start", "employment_end", "cagr", "job_creation",
    "lq_start", "lq_end", "lq_change",
)
