"""Validation of the canonical statistics table (STATS_SCHEMA).

Every loader in :mod:`klaster.data` ends here, so that one set of rules decides what
is an error (the load stops with a :class:`~klaster.errors.DataError` naming file, line
and field) and what is a written warning (an entry in the returned
:class:`~klaster.errors.IssueLog`).

Line numbers: a loader may add a hidden column ``__line__`` (Int64) holding the line of
the source file each row came from (header = line 1). Without it, row ``i`` (0-based)
is reported as line ``i + 2``, which is right for a plain CSV with one header line.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from klaster.errors import DataError, IssueLog
from klaster.schema import STATS_KEY, STATS_SCHEMA, STATS_VALUES

LINE_COL = "__line__"
REQUIRED = STATS_KEY  # region, industry, year
#: Largest count accepted in a value column. World employment is ~3.5e9 and the largest
#: payroll in the supported sources (US CBP, USD 1,000) ~1e10; anything near 1e15 is a
#: unit or parsing error, and sums of such values lose every smaller cell (float64 keeps
#: ~15.9 significant digits).
MAX_COUNT = 1e15


def _lines(df: pl.DataFrame) -> pl.Series:
    if LINE_COL in df.columns:
        return df[LINE_COL].cast(pl.Int64)
    return pl.Series(LINE_COL, range(2, df.height + 2), dtype=pl.Int64)


def _first_bad(df: pl.DataFrame, mask: pl.Series) -> int:
    """Index (0-based) of the first True in mask."""
    return int(mask.arg_true()[0])


def _cast_column(
    df: pl.DataFrame, name: str, dtype: pl.DataType, source: str | None
) -> pl.Series:
    col = df[name]
    if col.dtype == dtype:
        return col
    if col.dtype == pl.Utf8:
        stripped = col.str.strip_chars()
        stripped = pl.Series(name, stripped).replace("", None)
        if dtype == pl.Int32:
            # Years written as "2021.0" by spreadsheets are still whole numbers.
            as_float = stripped.cast(pl.Float64, strict=False)
            bad = stripped.is_not_null() & (
                as_float.is_null() | ~as_float.is_finite().fill_null(False)
                | (as_float != as_float.round(0)).fill_null(True)
                | (as_float.abs() > 2**31 - 1).fill_null(False)
            )
            cast = as_float.cast(pl.Int32, strict=False)
        else:
            cast = stripped.cast(dtype, strict=False)
            bad = stripped.is_not_null() & cast.is_null()
        if bad.any():
            i = _first_bad(df, bad)
            raise DataError(
                f"expected a number, found {stripped[i]!r}",
                file=source, line=int(_lines(df)[i]), field=name,
            )
        return cast.alias(name)
    try:
        return col.cast(dtype, strict=True)
    except Exception:  # noqa: BLE001 - polars raises several types here
        cast = col.cast(dtype, strict=False)
        bad = col.is_not_null() & cast.is_null()
        i = _first_bad(df, bad) if bad.any() else 0
        raise DataError(
            f"cannot read value {col[i]!r} as {dtype}",
            file=source, line=int(_lines(df)[i]), field=name,
        ) from None


def _code_column(df: pl.DataFrame, name: str, source: str | None, log: IssueLog) -> pl.Series:
    col = df[name]
    if col.dtype != pl.Utf8:
        if col.dtype.is_integer() or col.dtype.is_float():
            # Codes stored as numbers have lost any leading zeros (FIPS "01" -> 1).
            log.add(
                "numeric_code",
                f"column '{name}' holds numbers, not text: leading zeros of codes may have "
                "been lost before klaster saw the file; store codes as text",
                file=source, field=name,
            )
        if col.dtype.is_float():
            col = col.cast(pl.Int64, strict=False)
        col = col.cast(pl.Utf8)
    return _strip(col).alias(name)


def _strip(col: pl.Series) -> pl.Series:
    """Strip surrounding white space, copying the column only when some value has any
    (large loaded tables rarely do; a copy of a 5M-row text column is ~100 MB)."""
    if col.str.contains(r"^\s|\s$").any():
        return col.str.strip_chars()
    return col


def validate_stats(
    df: pl.DataFrame,
    *,
    source: str | Path | None = None,
    known_industries: Iterable[str] | None = None,
    known_regions: Iterable[str] | None = None,
) -> tuple[pl.DataFrame, IssueLog]:
    """Check a statistics table and cast it to STATS_SCHEMA.

    Takes a DataFrame with columns ``region, industry, year`` and at least one of
    ``employment, establishments, payroll`` (``flag`` optional; missing value columns
    are added as nulls), plus optionally the hidden ``__line__`` column.
    Returns ``(table, issues)``: table has exactly the STATS_SCHEMA columns in order.

    Raises DataError (file, line, field) for: empty input, missing required columns,
    null keys, non-numeric counts or years, NaN/infinite, negative or implausibly large
    (> MAX_COUNT) counts, duplicate keys.
    Writes warnings for unknown industry/region codes (when known sets are given) and
    rows with zero employment.
    """
    src = None if source is None else str(source)
    log = IssueLog()
    if df.width == 0 or df.height == 0:
        raise DataError("the table is empty (no data rows)", file=src)
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise DataError(
            f"missing required column(s) {missing}; found {[c for c in df.columns if c != LINE_COL]}",
            file=src, line=1, field=missing[0],
        )
    if not any(c in df.columns for c in STATS_VALUES):
        raise DataError(
            f"no value column: need at least one of {list(STATS_VALUES)}",
            file=src, line=1, field="employment",
        )
    lines = _lines(df)
    cols: dict[str, pl.Series] = {}
    for name in ("region", "industry"):
        cols[name] = _code_column(df, name, src, log)
    cols["year"] = _cast_column(df, "year", pl.Int32, src)
    for name in STATS_VALUES:
        if name in df.columns:
            cols[name] = _cast_column(df, name, pl.Float64, src)
        else:
            cols[name] = pl.Series(name, [None] * df.height, dtype=pl.Float64)
    if "flag" in df.columns:
        flag = _strip(df["flag"].cast(pl.Utf8))
        cols["flag"] = flag.replace("", None).alias("flag")
    else:
        cols["flag"] = pl.Series("flag", [None] * df.height, dtype=pl.Utf8)

    for name in STATS_KEY:
        nulls = cols[name].is_null()
        if name != "year":
            nulls = nulls | (cols[name] == "")
        if nulls.any():
            i = _first_bad(df, nulls)
            raise DataError("empty key value", file=src, line=int(lines[i]), field=name)
    for name in STATS_VALUES:
        # NaN and infinities ("nan", "inf", 1e400) parse as floats but are not counts.
        nonfinite = (cols[name].is_nan() | cols[name].is_infinite()).fill_null(False)
        if nonfinite.any():
            i = _first_bad(df, nonfinite)
            raise DataError(
                f"expected a finite count, found {cols[name][i]}",
                file=src, line=int(lines[i]), field=name,
            )
        neg = cols[name] < 0
        neg = neg.fill_null(False)
        if neg.any():
            i = _first_bad(df, neg)
            raise DataError(
                f"negative count {cols[name][i]}", file=src, line=int(lines[i]), field=name
            )
        huge = (cols[name] > MAX_COUNT).fill_null(False)
        if huge.any():
            i = _first_bad(df, huge)
            raise DataError(
                f"count {cols[name][i]:.6g} is larger than {MAX_COUNT:.0e} (a unit or "
                "parsing error?)", file=src, line=int(lines[i]), field=name,
            )

    out = pl.DataFrame([cols[c].alias(c) for c in STATS_SCHEMA]).cast(STATS_SCHEMA)
    keyed = out.select(STATS_KEY).with_columns(lines.alias(LINE_COL))
    dup = keyed.filter(_duplicated_key(out))
    if dup.height:
        first = dup.row(0, named=True)
        same = dup.filter(
            (pl.col("region") == first["region"])
            & (pl.col("industry") == first["industry"])
            & (pl.col("year") == first["year"])
        )[LINE_COL].to_list()
        raise DataError(
            f"duplicate key region={first['region']!r}, industry={first['industry']!r}, "
            f"year={first['year']}: lines {same[0]} and {same[1]}",
            file=src, line=int(same[1]), field="industry",
        )

    log.first_lines = dict(keyed.group_by("industry").agg(pl.col(LINE_COL).min())
                           .iter_rows())
    if known_industries is not None:
        _warn_unknown(out, lines, "industry", set(known_industries), src, log)
    if known_regions is not None:
        _warn_unknown(out, lines, "region", set(known_regions), src, log)
    zero = (out["employment"] == 0).fill_null(False)
    for i in zero.arg_true().to_list():
        r = out.row(i, named=True)
        log.add(
            "zero_employment", "row has 0 employees",
            file=src, line=int(lines[i]), field="employment",
            region=r["region"], industry=r["industry"], year=r["year"],
        )
    return out, log


def _duplicated_key(out: pl.DataFrame) -> pl.Series:
    """Rows whose region × industry × year occurs more than once.

    The key is packed into one UInt64 (region and industry as categorical codes, 24 bits
    each, and the year) so that the test hashes 8 bytes a row instead of a struct of two
    strings: on a 5M-row Eurostat table this saves a few hundred MB of peak memory."""
    if out.height == 0:
        return pl.Series([], dtype=pl.Boolean)
    codes = out.select(
        pl.col("region").cast(pl.Categorical).to_physical().cast(pl.UInt64).alias("r"),
        pl.col("industry").cast(pl.Categorical).to_physical().cast(pl.UInt64).alias("i"),
        (pl.col("year").cast(pl.Int64) - pl.col("year").min()).cast(pl.UInt64).alias("y"),
    )
    if int(codes["r"].max()) >= 2**24 or int(codes["i"].max()) >= 2**24 \
            or int(codes["y"].max()) >= 2**16:
        return out.select(pl.struct(STATS_KEY).is_duplicated()).to_series()
    return codes.select((pl.col("r") * 2**40 + pl.col("i") * 2**16 + pl.col("y"))
                        .is_duplicated()).to_series()


def _warn_unknown(
    out: pl.DataFrame, lines: pl.Series, name: str, known: set[str],
    src: str | None, log: IssueLog,
) -> None:
    unknown = ~out[name].is_in(list(known))
    for i in unknown.arg_true().to_list():
        r = out.row(i, named=True)
        log.add(
            "unknown_code", f"{name} code {r[name]!r} is not in the list of known codes",
            file=src, line=int(lines[i]), field=name,
            region=r["region"], industry=r["industry"], year=r["year"],
        )
