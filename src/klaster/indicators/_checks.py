"""Input checks shared by the indicator functions (errors name the table and field)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
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
    # Cheap test first; the group-by that names the offending key runs only on failure.
    if frame.height == 0 or _unique_by_codes(frame, key):
        return
    if not frame.select(pl.struct(key).is_duplicated().any()).item():
        return
    dup = frame.group_by(key).len().filter(pl.col("len") > 1)
    if dup.height:
        first = dup.row(0, named=True)
        where = ", ".join(f"{k}={first[k]}" for k in key)
        raise DataError(f"{table}: {first['len']} rows for the same key ({where})", field=key[-1])


def _unique_by_codes(frame: pl.DataFrame, key: list[str]) -> bool:
    """True when the key is known unique, using one packed integer per row.

    Works when every key column is Categorical/Enum or integer: their codes (read as
    NumPy, no copy for one-chunk columns) are packed into one Int64 (mixed radix), whose
    distinct count is several times cheaper to get than that of a struct of strings.
    Returns False when it cannot decide.
    """
    codes: list[np.ndarray] = []
    for c in key:
        col = frame[c]
        if col.null_count():
            return False
        if isinstance(col.dtype, (pl.Categorical, pl.Enum)):
            code = col.to_physical().to_numpy()
        elif col.dtype.is_integer():
            code = col.to_numpy().astype(np.int64)
            code -= code.min()
        else:
            return False
        codes.append(code)
    radix, packed = 1, np.zeros(frame.height, dtype=np.int64)
    for code in codes:
        span = int(code.max()) + 1
        if radix * span >= 2**63:
            return False
        packed *= span
        packed += code
        radix *= span
    if radix <= 4 * frame.height + 1024:
        # Dense key space (e.g. every region x cluster x year of a county table): count
        # the packed keys by direct addressing instead of hashing them (issue 14).
        return bool(np.bincount(packed, minlength=radix).max(initial=0) <= 1)
    return pl.Series(packed).n_unique() == frame.height
