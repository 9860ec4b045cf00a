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


def text_codes(series: pl.Series) -> tuple[np.ndarray, pl.Series] | None:
    """(code per row, sorted distinct values as text) of a key column, or None when the
    column has nulls or is not text/Categorical/Enum. ``values.gather(codes)`` gives the
    column back as text."""
    if series.null_count():
        return None
    dtype = series.dtype
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


def coded_keys(frame: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """``frame`` with the text ``columns`` as Enums over their sorted values (columns
    with nulls, or not text, are left as they are)."""
    out = []
    for c in columns:
        coded = text_codes(frame[c])
        if coded is not None:
            out.append(enum_from_codes(c, *coded))
    return frame.with_columns(out) if out else frame
