"""Write result tables to Parquet, CSV or Excel, chosen by the file extension.

Writes are atomic: the table goes to a temporary file in the target directory, which is
then renamed over the target, so a failed write never leaves a half-written file.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from klaster.errors import DataError
from klaster.fileio import atomic_output

__all__ = ["TABLE_FORMATS", "atomic_write_text", "write_table"]

TABLE_FORMATS = {".parquet": "parquet", ".csv": "csv", ".xlsx": "excel"}
# A worksheet's limits (Microsoft, "Excel specifications and limits"): 1,048,576 rows
# (one is the header here) and 16,384 columns.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384


def _atomic(path: Path, write) -> Path:
    with atomic_output(path) as tmp:
        write(str(tmp))
    return Path(path)


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text to ``path`` atomically; returns the path."""

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)

    return _atomic(Path(path), write)


def write_table(df: pl.DataFrame, path: str | Path, *, sheet_name: str = "klaster",
                neutralise_formulas: bool = False) -> Path:
    """Write ``df`` to ``path`` as Parquet (.parquet), CSV (.csv) or Excel (.xlsx).

    Any columns are accepted. Excel goes through polars ``write_excel`` (xlsxwriter) with
    one sheet named ``sheet_name``. An unknown extension is a DataError naming the file.
    ``neutralise_formulas`` (for tables people download from the platform) quotes text
    cells a spreadsheet would run as formulas in CSV and Excel output
    (``klaster.reports.spreadsheet``). Returns the path written.
    """
    path = Path(path)
    fmt = TABLE_FORMATS.get(path.suffix.lower())
    if neutralise_formulas and fmt in ("csv", "excel"):
        from klaster.reports.spreadsheet import neutralise_frame

        df = neutralise_frame(df)
    if fmt is None:
        raise DataError(
            f"unknown table format {path.suffix or '(no extension)'!r}; use one of "
            f"{', '.join(TABLE_FORMATS)}", file=path,
        )
    if fmt == "parquet":
        return _atomic(path, lambda tmp: df.write_parquet(tmp))
    if fmt == "csv":
        return _atomic(path, lambda tmp: df.write_csv(tmp))
    # Checked before anything is written: xlsxwriter would fail half-way.
    if df.height + 1 > EXCEL_MAX_ROWS:
        raise DataError(
            f"{df.height:,} rows do not fit in an Excel sheet (at most "
            f"{EXCEL_MAX_ROWS - 1:,} rows below the header); write .csv or .parquet",
            file=path)
    if df.width > EXCEL_MAX_COLUMNS:
        raise DataError(f"{df.width:,} columns do not fit in an Excel sheet (at most "
                        f"{EXCEL_MAX_COLUMNS:,}); write .csv or .parquet", file=path)
    # Excel cannot hold nested types; name the column instead of failing deep in xlsxwriter.
    for name, dtype in df.schema.items():
        if dtype.is_nested():
            raise DataError(f"column type {dtype} cannot be written to Excel", file=path,
                            field=name)
    return _atomic(path, lambda tmp: df.write_excel(tmp, worksheet=sheet_name[:31],
                                                    autofit=True))
