"""Region tables: codes used in statistics, names, parents (hierarchy) and geo ids."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import polars as pl

from klaster.errors import DataError, IssueLog
from klaster.schema import REGIONS_SCHEMA
from klaster.taxonomy._io import (
    line_of,
    read_text_table,
    require_cells,
    require_columns,
    require_nonempty,
    where_row,
)
from klaster.taxonomy.codes import check_tree


def us_states() -> pl.DataFrame:
    """The 50 US states, DC and Puerto Rico: REGIONS_SCHEMA with region = postal code ("AL"),
    name, parent = null, geo_id = 2-digit state FIPS code ("01")."""
    ref = resources.files("klaster.taxonomy") / "data" / "us_states.csv"
    with resources.as_file(ref) as path:
        df = pl.read_csv(path, infer_schema=False)
    return df.select(
        "region", "name", pl.lit(None, pl.Utf8).alias("parent"), pl.col("fips").alias("geo_id")
    ).cast(REGIONS_SCHEMA)


def load_regions(path: str | Path) -> pl.DataFrame:
    """Load a user's region table or hierarchy (CSV/Parquet/Excel).

    Columns: region, name required; parent, geo_id optional (parent names another
    region of the same table). Raises DataError naming file/line/field for missing
    columns, an empty table, empty region or name, duplicate regions, duplicate geo_id,
    unknown parents and cycles. Returns REGIONS_SCHEMA.
    """
    df, offset = read_text_table(path)
    require_columns(df, ("region", "name"), path)
    require_nonempty(df, path)
    require_cells(df, ("region", "name"), path, offset)
    for col in ("parent", "geo_id"):
        if col not in df.columns:
            df = df.with_columns(pl.lit(None, pl.Utf8).alias(col))
    check_tree(df["region"].to_list(), df["parent"].to_list(), file=path, line_offset=offset,
               code_field="region", parent_field="parent")
    seen: dict[str, int] = {}
    for i, g in enumerate(df["geo_id"].to_list()):
        if g is None:
            continue
        if g in seen:
            raise DataError(f"geo_id {g!r} also used at line "
                            f"{line_of(offset, seen[g]) or seen[g] + 1}" + where_row(offset, i),
                            file=path, line=line_of(offset, i), field="geo_id")
        seen[g] = i
    return df.select(list(REGIONS_SCHEMA)).cast(REGIONS_SCHEMA)


def recode_regions(
    stats: pl.DataFrame, regions: pl.DataFrame, from_col: str = "geo_id", *,
    issues: IssueLog | None = None,
) -> pl.DataFrame:
    """Replace ``stats.region`` values given in ``regions[from_col]`` terms (e.g. FIPS
    state codes) by ``regions.region`` (e.g. postal codes).

    ``stats``: any frame with a text ``region`` column (STATS_SCHEMA). ``regions``:
    REGIONS_SCHEMA. Codes absent from the table raise DataError listing them; with an
    ``issues`` log their rows are dropped instead and each code is recorded (kind
    "unknown_region", with the number of rows). Returns ``stats`` with region recoded.
    """
    if from_col not in regions.columns:
        raise DataError(f"the region table has no column {from_col!r}", field=from_col)
    pairs = regions.select(pl.col(from_col).cast(pl.Utf8), "region").drop_nulls(from_col)
    dup = pairs.filter(pl.col(from_col).is_duplicated())
    if dup.height:
        raise DataError(f"{from_col} {dup[from_col][0]!r} names several regions",
                        field=from_col)
    mapping = dict(zip(pairs[from_col].to_list(), pairs["region"].to_list()))
    counts = stats.group_by("region").len().sort("region")
    unknown = counts.filter(~pl.col("region").is_in(list(mapping)))
    if unknown.height:
        if issues is None:
            codes = unknown["region"].to_list()
            shown = ", ".join(repr(c) for c in codes[:10]) + (" ..." if len(codes) > 10 else "")
            raise DataError(f"{len(codes)} region code(s) not in the region table's "
                            f"{from_col}: {shown}", field="region")
        for code, n in unknown.iter_rows():
            issues.add("unknown_region", f"region code {code!r} is not in the region table "
                       f"({from_col}); its {n} row(s) dropped", region=code)
        stats = stats.filter(pl.col("region").is_in(list(mapping)))
    return stats.with_columns(
        pl.col("region").replace_strict(mapping, return_dtype=pl.Utf8))
