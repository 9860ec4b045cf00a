"""Reading users' tables (CSV / Parquet / Excel) as text, with line numbers for errors.

Every column is read as text so that codes keep their leading zeros ("01", "0111");
numbers are parsed afterwards by the caller, which can then name the bad cell.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from klaster.errors import DataError

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


def read_text_table(path: str | Path) -> tuple[pl.DataFrame, int | None]:
    """Read a CSV, Parquet or Excel file with every column as stripped text.

    Returns the frame and the line offset: the 1-based line (CSV, or spreadsheet row) of
    row 0 is ``offset`` (2: the header is line 1). For Parquet there are no lines, so the
    offset is None and callers name the row in the message instead.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", file=path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            df = pl.read_parquet(path)
            df = df.select(pl.all().cast(pl.Utf8))
            offset: int | None = None
        elif suffix in EXCEL_SUFFIXES:
            # infer_schema_length=0 makes every column text (fastexcel/calamine engine).
            df = pl.read_excel(path, infer_schema_length=0)
            offset = 2
        else:
            df = pl.read_csv(path, infer_schema=False)
            offset = 2
    except DataError:
        raise
    except Exception as exc:  # polars/fastexcel raise many types; name the file
        raise DataError(f"cannot read table: {exc}", file=path) from exc
    df = df.rename({c: c.strip() for c in df.columns})
    df = df.with_columns(
        pl.col(c).str.strip_chars().replace("", None) for c in df.columns
    )
    return df, offset


def line_of(offset: int | None, row: int) -> int | None:
    """1-based line of 0-based data row ``row`` (None for Parquet)."""
    return None if offset is None else offset + row


def where_row(offset: int | None, row: int) -> str:
    """Text naming a row for messages when no line exists (Parquet)."""
    return "" if offset is not None else f" (row {row + 1})"


def require_columns(df: pl.DataFrame, required: tuple[str, ...], path) -> None:
    for col in required:
        if col not in df.columns:
            raise DataError(
                f"required column is missing (columns present: {', '.join(df.columns)})",
                file=path, line=1, field=col,
            )


def require_nonempty(df: pl.DataFrame, path) -> None:
    if df.height == 0:
        raise DataError("the table has no data rows", file=path)


def require_cells(df: pl.DataFrame, cols: tuple[str, ...], path, offset) -> None:
    """Raise on the first empty cell among ``cols``."""
    for col in cols:
        idx = df.with_row_index("__row").filter(pl.col(col).is_null())["__row"]
        if len(idx):
            r = int(idx[0])
            raise DataError(
                "empty value" + where_row(offset, r), file=path,
                line=line_of(offset, r), field=col,
            )
