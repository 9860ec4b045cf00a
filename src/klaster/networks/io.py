"""Read and write a registry export: one table per file, named like the keys of
REGISTRY_SCHEMAS (``organisations.parquet``, ``memberships.csv``, …).

Parquet keeps the list column ``industry_codes`` as a list; in CSV it is written and read
as codes joined by ``|`` (CSV has no list type). A table without a file is empty.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from klaster.errors import DataError
from klaster.fileio import atomic_output
from klaster.registry_tables import REGISTRY_SCHEMAS, RegistryTables

LIST_SEPARATOR = "|"


def _read_csv(path: Path, table: str) -> pl.DataFrame:
    schema = REGISTRY_SCHEMAS[table]
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise DataError(f"cannot read CSV ({exc.__class__.__name__})", file=path) from None
    out = []
    for column in frame.columns:
        dtype = schema.get(column)
        col = pl.col(column).replace("", None)
        if dtype == pl.List(pl.Utf8):
            col = col.str.split(LIST_SEPARATOR)
        elif dtype == pl.Boolean:
            col = col.str.to_lowercase().replace_strict(
                {"true": True, "false": False, "1": True, "0": False}, default=None,
                return_dtype=pl.Boolean)
        elif dtype == pl.Date:
            col = col.str.to_date("%Y-%m-%d", strict=False)
        out.append(col.alias(column))
    frame = frame.select(out) if out else frame
    # A value that could not be parsed (bad date or boolean) must not vanish silently.
    raw = pl.read_csv(path, infer_schema=False)
    for column in frame.columns:
        bad = frame[column].is_null() & raw[column].is_not_null() & (raw[column] != "")
        if bad.any():
            line = int(bad.arg_max()) + 2  # header is line 1
            raise DataError(f"cannot read {raw[column][line - 2]!r} as {schema.get(column)}",
                            file=path, line=line, field=column)
    return frame


def read_registry(directory: str | Path) -> RegistryTables:
    """Registry tables from ``directory`` (``<table>.parquet`` or ``<table>.csv``).

    A missing directory or a table present in both formats is a DataError; columns are
    checked and cast by :meth:`RegistryTables.from_frames` (errors name the file)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError("registry export directory does not exist", file=directory)
    frames = {}
    for table in REGISTRY_SCHEMAS:
        pq, csv = directory / f"{table}.parquet", directory / f"{table}.csv"
        if pq.exists() and csv.exists():
            raise DataError(f"both {pq.name} and {csv.name} exist; keep one", file=directory)
        if pq.exists():
            frames[table] = (pq, pl.read_parquet(pq))
        elif csv.exists():
            frames[table] = (csv, _read_csv(csv, table))
    tables = {}
    for table, (path, frame) in frames.items():
        tables[table] = RegistryTables.from_frames(str(path), **{table: frame}).tables()[table]
    return RegistryTables.from_frames(str(directory), **tables)


def write_registry(tables: RegistryTables, directory: str | Path, *,
                   fmt: str = "parquet") -> list[Path]:
    """Write every table to ``directory/<table>.<fmt>`` (fmt parquet or csv), each file
    atomically; returns the paths written. The directory is created if missing."""
    if fmt not in ("parquet", "csv"):
        raise DataError(f"unknown registry format {fmt!r}; use parquet or csv")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for table, frame in tables.tables().items():
        path = directory / f"{table}.{fmt}"
        with atomic_output(path) as tmp:
            if fmt == "parquet":
                frame.write_parquet(tmp)
            else:
                frame.with_columns(
                    pl.col(c).list.join(LIST_SEPARATOR) for c, t in frame.schema.items()
                    if t == pl.List(pl.Utf8)).write_csv(tmp)
        written.append(path)
    return written
