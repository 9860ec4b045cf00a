"""Loader for any regional statistics table in CSV, Parquet or Excel (.xlsx).

The file needs one row per region x industry (x year); ``mapping`` says which source
column holds each canonical column (STATS_SCHEMA). Codes are read as text so that
leading zeros survive (FIPS "01", PKD "01.11", TERYT "02").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from klaster.data.textio import read_text_table
from klaster.data.validate import LINE_COL, validate_stats
from klaster.errors import DataError, IssueLog
from klaster.schema import STATS_SCHEMA


@dataclass
class LoadResult:
    """What every loader returns: the canonical table, the written warnings, the source."""

    table: pl.DataFrame
    issues: IssueLog = field(default_factory=IssueLog)
    source: str = ""


TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


def _suffix(path: Path) -> str:
    """The table suffix, looking through a compression suffix ("x.csv.gz" -> ".csv")."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz" and len(suffixes) > 1:
        return suffixes[-2]
    return path.suffix.lower()


def _read_raw(path: Path, sheet: str | None, encoding: str | None = None,
              notes: IssueLog | None = None) -> pl.DataFrame:
    suffix = _suffix(path)
    if suffix in TEXT_SUFFIXES:
        # Every column is text, so "01" stays "01"; numbers are cast (with line-precise
        # errors) by validate_stats. Encoding, delimiter and structure: klaster.data.textio.
        text = read_text_table(path, encoding=encoding)
        for note in text.notes:
            if notes is not None:
                notes.add("read_as", note, file=str(path))
        return text.frame
    if path.stat().st_size == 0:
        raise DataError("the file is empty", file=path)
    if suffix == ".parquet":
        try:
            return pl.read_parquet(path)
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise DataError(f"not a readable Parquet file ({_first_line(exc)})",
                            file=path) from None
    if suffix in EXCEL_SUFFIXES:
        kwargs: dict = {"engine": "calamine", "infer_schema_length": 0}
        if sheet is not None:
            kwargs["sheet_name"] = sheet
        try:
            return pl.read_excel(path, **kwargs)
        except ValueError as exc:
            if sheet is not None and "sheet" in str(exc).lower():
                raise DataError(f"cannot read sheet {sheet!r}: {_first_line(exc)}",
                                file=path) from None
            raise DataError(f"not a readable Excel workbook ({_first_line(exc)})",
                            file=path) from None
        except Exception as exc:  # noqa: BLE001 - calamine raises its own error types
            raise DataError(f"not a readable Excel workbook ({_first_line(exc)})",
                            file=path) from None
    raise DataError(
        f"unsupported file type {suffix!r}; use .csv, .parquet or .xlsx", file=path
    )


def _first_line(exc: BaseException) -> str:
    """The first line of a library's error message (Polars appends long hints)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def load_table(
    path: str | Path,
    mapping: dict[str, str] | None = None,
    *,
    year: int | None = None,
    sheet: str | None = None,
    region_names: str | pl.DataFrame | None = None,
    nuts_version: int | None = None,
    encoding: str | None = None,
) -> LoadResult:
    """Load a CSV / Parquet / Excel table into the canonical statistics table.

    mapping: canonical column -> source column, e.g. ``{"region": "voivodeship",
    "industry": "pkd", "employment": "workers"}``; columns not named in the mapping are
    looked up under their canonical name. ``year``: the year of every row when the file
    has no year column (an error if it has one). ``sheet``: Excel sheet name (first
    sheet by default). Returns LoadResult(table with STATS_SCHEMA columns, issues,
    source). Line numbers in errors count the header as line 1.
    ``region_names``: recode region names (or TERYT/NUTS codes) to region codes with
    klaster.taxonomy.recode_region_names: a built-in table ("pl-by-lt", "pl", "by",
    "lt"), a region table (DataFrame), or "auto" (the built-in table, only when the
    values look like its names). ``nuts_version``: recode NUTS codes to this version
    (klaster.taxonomy.recode_nuts). Unknown names and codes are warned about with their
    line, never dropped.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", file=path)
    notes = IssueLog()
    raw = _read_raw(path, sheet, encoding, notes)
    if raw.height == 0:
        raise DataError("the table is empty (no data rows)", file=path)
    if LINE_COL not in raw.columns:
        raw = raw.with_row_index(LINE_COL, offset=2).with_columns(
            pl.col(LINE_COL).cast(pl.Int64))
    mapping = dict(mapping or {})
    unknown_targets = set(mapping) - set(STATS_SCHEMA)
    if unknown_targets:
        raise DataError(
            f"mapping names unknown canonical column(s) {sorted(unknown_targets)}; "
            f"canonical columns are {list(STATS_SCHEMA)}",
            file=path,
        )
    selected = {LINE_COL: pl.col(LINE_COL)}
    for canon in STATS_SCHEMA:
        src_col = mapping.get(canon, canon)
        if src_col in raw.columns:
            selected[canon] = pl.col(src_col)
        elif canon in mapping:
            raise DataError(
                f"column {src_col!r} (mapped to {canon!r}) is not in the file; "
                f"columns are {[c for c in raw.columns if c != LINE_COL]}",
                file=path, line=1, field=src_col,
            )
    found = [c for c in raw.columns if c != LINE_COL]
    missing = [c for c in ("region", "industry", "year") if c not in selected
               and not (c == "year" and year is not None)]
    if missing:
        raise DataError(
            f"missing required column(s) {missing}; the header has {found} (map other "
            "names with --map canonical=source)", file=path, line=1, field=missing[0])
    table = raw.select([expr.alias(name) for name, expr in selected.items()])
    if year is not None:
        if "year" in table.columns:
            raise DataError(
                "the file has a year column; pass year only for files without one",
                file=path, line=1, field=mapping.get("year", "year"),
            )
        table = table.with_columns(pl.lit(int(year), dtype=pl.Int32).alias("year"))
    out, issues = validate_stats(table, source=path)
    if region_names is not None or nuts_version is not None:
        # Recode after validation (counts are numbers by then, so merged rows can be
        # summed), with the source lines put back for the warnings.
        out = out.with_columns(table[LINE_COL])
        out = recode_region_column(out, region_names, nuts_version, issues, str(path))
        out, _again = validate_stats(out, source=path)
    notes.extend(issues)
    return LoadResult(table=out, issues=notes, source=str(path))


def recode_region_column(
    table: pl.DataFrame, region_names, nuts_version: int | None, log: IssueLog,
    source: str | None,
) -> pl.DataFrame:
    """Apply the region-name matching and NUTS recoding options of the loaders (see
    load_table) to a validated table (STATS_SCHEMA, plus the line column); warnings go
    to ``log``."""
    if (region_names is None and nuts_version is None) or "region" not in table.columns:
        return table
    from klaster.taxonomy.regions import looks_like_names, recode_region_names

    if isinstance(region_names, str) and region_names == "auto":
        values = table["region"].unique().drop_nulls().to_list()
        region_names = "pl-by-lt" if looks_like_names(values) else None
    if region_names is not None:
        table = recode_region_names(table, region_names, issues=log, source=source)
    if nuts_version is not None:
        from klaster.taxonomy.nuts import recode_nuts

        table = recode_nuts(table, nuts_version, issues=log, source=source)
    return table
