"""Cells a spreadsheet will show, not run: the one formula-neutralising helper for every
table a person downloads (CSV or Excel) from the platform.

OWASP, "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection): a cell
whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be taken
by Excel, LibreOffice or Google Sheets as a formula (``=HYPERLINK(…)``, ``+cmd|…``,
``@SUM(…)``); prefixing such text with a single quote makes every one of them show it as
text. Only text cells are changed — numbers, dates and booleans stay what they are, so a
negative number is still a number.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

__all__ = ["FORMULA_PREFIXES", "neutralise", "neutralise_frame", "neutralise_row"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PATTERN = r"^[=+\-@\t\r]"


def neutralise(value):
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula;
    anything that is not text is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_row(values: Iterable) -> list:
    """One row for ``csv.writer``, every text cell neutralised."""
    return [neutralise(v) for v in values]


def neutralise_frame(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with every text column neutralised (other columns untouched)."""
    text = [name for name, dtype in df.schema.items() if dtype in (pl.Utf8, pl.Categorical)]
    if not text:
        return df
    return df.with_columns(
        pl.when(pl.col(name).cast(pl.Utf8).str.contains(_PATTERN))
        .then(pl.lit("'") + pl.col(name).cast(pl.Utf8))
        .otherwise(pl.col(name).cast(pl.Utf8)).alias(name)
        for name in text)
