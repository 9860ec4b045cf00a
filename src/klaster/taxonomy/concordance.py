"""Concordances between code systems or vintages: many-to-many relations (source, target).

A concordance is a set of pairs; one source code may map to several targets and one
target may receive several sources (e.g. the US Census NAICS 2017 -> 2012 tables).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from klaster.errors import DataError, IssueLog
from klaster.taxonomy._io import (
    read_text_table,
    require_cells,
    require_columns,
    require_nonempty,
)

CONCORDANCE_SCHEMA = {"source": pl.Utf8, "target": pl.Utf8}


def load_concordance(
    path: str | Path, source_col: str, target_col: str, *, issues: IssueLog | None = None,
) -> pl.DataFrame:
    """Read a concordance file (CSV/Parquet/Excel) into columns ``source, target`` (text).

    Codes are read as text (leading zeros kept). Empty cells in either column raise
    DataError naming file/line/field. Repeated pairs are kept once; each repetition is
    recorded in ``issues`` (kind "duplicate_pair") when a log is given.
    """
    df, offset = read_text_table(path)
    require_columns(df, (source_col, target_col), path)
    require_nonempty(df, path)
    require_cells(df, (source_col, target_col), path, offset)
    pairs = df.select(pl.col(source_col).alias("source"), pl.col(target_col).alias("target"))
    dup = pairs.with_row_index("_r").filter(pl.struct("source", "target").is_duplicated()
                                            & ~pl.struct("source", "target").is_first_distinct())
    if issues is not None:
        for r, s, t in dup.iter_rows():
            issues.add("duplicate_pair", f"pair {s} -> {t} repeated; kept once",
                       file=str(path), line=None if offset is None else offset + r,
                       field=source_col)
    return pairs.unique(maintain_order=True)


def compose(c1: pl.DataFrame, c2: pl.DataFrame, *, issues: IssueLog | None = None
            ) -> pl.DataFrame:
    """Chain two concordances: pairs (a, c) such that a -> b in ``c1`` and b -> c in ``c2``.

    Takes and returns frames with columns ``source, target``; the result holds each pair
    once. Sources of ``c1`` whose targets all lack a match in ``c2`` are absent from the
    result; each is recorded in ``issues`` (kind "unmatched_code") when a log is given.
    """
    for name, c in (("c1", c1), ("c2", c2)):
        missing = {"source", "target"} - set(c.columns)
        if missing:
            raise DataError(f"{name} lacks column(s) {sorted(missing)}", field=sorted(missing)[0])
    out = (
        c1.select("source", pl.col("target").alias("_mid"))
        .join(c2.select(pl.col("source").alias("_mid"), "target"), on="_mid", how="inner")
        .select("source", "target")
        .unique(maintain_order=True)
    )
    if issues is not None:
        lost = c1.select("source").unique(maintain_order=True).join(
            out.select("source").unique(), on="source", how="anti")
        for (s,) in lost.iter_rows():
            issues.add("unmatched_code", f"{s}: none of its targets appears in the second "
                       "concordance", industry=s)
    return out
