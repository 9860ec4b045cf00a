"""Text keys (region, industry) as dense integer codes, computed once per table.

On a county-scale panel (issue 14: 11.2 million rows) each pass that hashes the text keys
— a ``unique``, a cast to Enum, a group-by on text — costs a few tenths of a second, and
the mapping chain used to pay several of them per column. Here a key column is coded
once: a cast to Categorical (one hashing pass), then NumPy on the physical codes only.
The codes are the ranks of the values in sorted (bytewise) order, so that sorting by code
sorts by text, and they are carried as an Enum over the sorted values, which every later
step reads through its physical codes.
"""

from __future__ import annotations

import numpy as np
import polars as pl


def text_codes(series: pl.Series, known: pl.Series | None = None
               ) -> tuple[np.ndarray, pl.Series] | None:
    """(code per row, sorted distinct values as text) of a key column, or None when the
    column has nulls or is not text/Categorical/Enum. ``values.gather(codes)`` gives the
    column back as text. ``known``: values the column is expected to hold (e.g. the
    definitions' industry codes), a hint that saves a hashing pass; any others are
    coded too."""
    if series.null_count():
        return None
    dtype = series.dtype
    if known is not None and dtype == pl.Utf8:
        coded = _known_codes(series, known)
        if coded is not None:
            return coded
    if isinstance(dtype, pl.Enum):
        phys = series.to_physical().to_numpy()
        cats = dtype.categories
        used = np.flatnonzero(np.bincount(phys, minlength=cats.len()) > 0)
        labels = cats.gather(used).alias(series.name)
        if used.size == cats.len() and labels.is_sorted():
            return phys, labels  # already dense and in sorted order
    elif dtype == pl.Utf8 and _long_runs(series):
        # Rows grouped by this key (a table sorted by region): code one row per run.
        # Compared chunk by chunk (slices of one chunk stay aligned, with no copy); each
        # chunk's first row starts a run, which only splits a run, never joins two.
        n = series.len()
        starts = np.flatnonzero(np.concatenate([
            np.concatenate(([True], (c.slice(1) != c.slice(0, c.len() - 1)).to_numpy()))
            for c in series.get_chunks() if c.len()]))
        head_codes, labels = text_codes(series.gather(starts))  # type: ignore[misc]
        return np.repeat(head_codes, np.diff(np.append(starts, n))), labels
    elif dtype == pl.Utf8 or dtype == pl.Categorical:
        cat = series.cast(pl.Categorical) if dtype == pl.Utf8 else series
        phys = cat.to_physical().to_numpy()
        used = np.flatnonzero(np.bincount(phys) > 0)
        labels = _category_text(used, cat, phys)
    else:
        return None
    order = labels.arg_sort().to_numpy()
    # The narrowest unsigned type, as Polars stores an Enum of that many values.
    code = np.uint8 if used.size <= 1 << 8 else np.uint16 if used.size <= 1 << 16 else np.uint32
    lut = np.zeros(int(used.max(initial=-1)) + 1, dtype=code)
    lut[used[order]] = np.arange(used.size, dtype=code)
    return lut[phys], labels.gather(order)


def _known_codes(series: pl.Series, known: pl.Series, probe: int = 1 << 14
                 ) -> tuple[np.ndarray, pl.Series] | None:
    """text_codes of a text column whose values are mostly among ``known``: a cast to an
    Enum over the known values gives codes already in sorted order, with no global
    string cache to fill and no re-coding pass (issue 14: 0.3 instead of 0.45-0.55 s CPU
    on 11.2 million industry codes). Values outside ``known`` (codes in no cluster, of
    another level) are coded over their own rows and merged in. None when a sample of
    the first rows is mostly outside ``known`` (then the plain path is cheaper)."""
    cats = known.cast(pl.Utf8).drop_nulls().unique().sort()
    head = series.slice(0, probe)
    if cats.len() == 0 or head.is_in(cats.implode()).sum() * 2 < head.len():
        return None
    enum = series.cast(pl.Enum(cats), strict=False)
    phys = enum.to_physical()
    if enum.null_count():
        # Codes outside `known`: all values = known + these, sorted; the known values'
        # codes are moved to their places in that order, the others coded on their rows.
        outside = enum.is_null()
        extra = series.filter(outside).unique()
        values = pl.concat([cats, extra]).sort()
        at = values.search_sorted(cats).to_numpy().astype(np.uint32)
        codes = at[phys.fill_null(0).to_numpy()]
        rows = np.flatnonzero(outside.to_numpy())
        codes[rows] = series.gather(rows).cast(pl.Enum(values)).to_physical().to_numpy()
        cats = values
    else:
        codes = phys.to_numpy()
    used = np.flatnonzero(np.bincount(codes, minlength=cats.len()) > 0)
    code = np.uint8 if used.size <= 1 << 8 else np.uint16 if used.size <= 1 << 16 else np.uint32
    if used.size == cats.len():
        return codes.astype(code, copy=False), cats.alias(series.name)
    lut = np.zeros(cats.len(), dtype=code)
    lut[used] = np.arange(used.size, dtype=code)
    return lut[codes], cats.gather(used).alias(series.name)


def _long_runs(series: pl.Series, probe: int = 1 << 14) -> bool:
    """True when a sample of the first rows repeats the previous row's value at least
    nine times in ten (then coding one row per run is cheaper than hashing every row)."""
    head = series.slice(0, probe + 1)
    if head.len() < 1024:
        return False
    changes = int((head.slice(1) != head.slice(0, head.len() - 1)).sum())
    return changes * 10 <= head.len()


def _category_text(used: np.ndarray, cat: pl.Series, phys: np.ndarray) -> pl.Series:
    """Text of the ids ``used`` of the Categorical ``cat`` (physical codes ``phys``)."""
    try:
        return pl.Series(cat.name, used.astype(np.uint32)).cat.to(cat.dtype).cast(pl.Utf8)
    except (AttributeError, pl.exceptions.PolarsError):  # Polars without cat.to
        reps = np.full(int(phys.max()) + 1, -1, dtype=np.int64)
        reps[phys] = np.arange(phys.size)  # one row per id (any occurrence) gives its text
        return cat.gather(reps[used]).cast(pl.Utf8)


def enum_from_codes(name: str, codes: np.ndarray, labels: pl.Series) -> pl.Series:
    """An Enum column over ``labels`` whose physical codes are ``codes`` (no text pass)."""
    enum = pl.Enum(labels)
    try:
        phys = pl.Series(name, codes)
        want = pl.Series([], dtype=enum).to_physical().dtype
        return (phys if phys.dtype == want else phys.cast(want)).cat.to(enum)
    except (AttributeError, pl.exceptions.PolarsError):  # Polars without cat.to
        return labels.gather(codes).cast(enum).alias(name)


def coded_keys(frame: pl.DataFrame, columns: tuple[str, ...],
               known: dict[str, pl.Series] | None = None) -> pl.DataFrame:
    """``frame`` with the text ``columns`` as Enums over their sorted values (columns
    with nulls, or not text, are left as they are). ``known``: per column, the values it
    is expected to hold (:func:`text_codes`)."""
    out = []
    for c in columns:
        coded = text_codes(frame[c], (known or {}).get(c))
        if coded is not None:
            out.append(enum_from_codes(c, *coded))
    return frame.with_columns(out) if out else frame
