"""Input checks shared by the indicator functions (errors name the table and field)."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from klaster.errors import DataError


def require_columns(frame: pl.DataFrame | pl.LazyFrame, columns: Iterable[str], table: str) -> None:
    """Raise DataError naming the first missing column of ``table``."""
    names = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
    for col in columns:
        if col not in names:
            raise DataError(
                f"{table} lacks required column '{col}' (has: {', '.join(names)})", field=col
            )


def reject_negative(frame: pl.DataFrame, columns: Iterable[str], table: str) -> None:
    """Counts cannot be negative: raise DataError naming the first bad row (1-based)."""
    for col in columns:
        if col not in frame.columns:
            continue
        bad = frame.with_row_index("_row").filter(pl.col(col) < 0)
        if bad.height:
            row = int(bad["_row"][0]) + 1
            raise DataError(
                f"{table}: negative {col} ({bad[col][0]}) in data row {row}; counts must be >= 0",
                line=row + 1,  # header is line 1 when the table came from a CSV file
                field=col,
            )


def reject_duplicates(frame: pl.DataFrame, key: list[str], table: str) -> None:
    """One row per key: a duplicate would be double-counted, so refuse it."""
    dup = frame.group_by(key).len().filter(pl.col("len") > 1)
    if dup.height:
        first = dup.row(0, named=True)
        where = ", ".join(f"{k}={first[k]}" for k in key)
        raise DataError(f"{table}: {first['len']} rows for the same key ({where})", field=key[-1])
