"""Filling suppressed cells with the European Cluster Observatory rule.

The European Cluster Observatory cluster mapping (ECO 2011, Center for Strategy and
Competitiveness, Stockholm School of Economics; continued in Ketels & Protsiv 2014,
"European Cluster Panorama 2014") fills cells that statistical offices do not publish
from the totals of the industry hierarchy:

    for a parent code P with a value in a region-year, with children C_known (published)
    and C_missing (not published),
        remainder R = value(P) - sum(value(C_known))
        each c in C_missing gets R / |C_missing|

applied from the top of the tree down, so that an imputed child passes its value on to
its own missing children. When a child's direct parent has no row at all, the nearest
ancestor that has a row stands in for it ("nearest parent with a value"). A negative
remainder (published children already exceed the parent - noise infusion in CBP can do
this) is clipped at 0 and reported.

Only rows that exist with a null value are filled: a code with no row at all may be a
true zero and is not invented.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from klaster.errors import IssueLog
from klaster.schema import STATS_SCHEMA


def _children_map(
    hierarchy: pl.DataFrame, total_code: str | None
) -> tuple[dict[str, list[str]], dict[str, int]]:
    children: dict[str, list[str]] = defaultdict(list)
    level: dict[str, int] = {}
    roots: list[str] = []
    for code, parent, lvl in hierarchy.select("code", "parent", "level").iter_rows():
        level[code] = int(lvl) if lvl is not None else 0
        if parent is not None:
            children[parent].append(code)
        else:
            roots.append(code)
    if total_code is not None and total_code not in level:
        # An all-industries total (CBP "00") is the parent of the top-level codes.
        children[total_code] = roots
        level[total_code] = min(level.values(), default=1) - 1
    return children, level


def _effective_children(
    code: str, present: dict[str, float | None], children: dict[str, list[str]]
) -> list[str]:
    """Nearest descendants of `code` that have a row (skipping codes with no row)."""
    out: list[str] = []
    stack = list(reversed(children.get(code, [])))
    while stack:
        c = stack.pop()
        if c in present:
            out.append(c)
        else:
            stack.extend(reversed(children.get(c, [])))
    return out


def impute_eco(
    df: pl.DataFrame,
    hierarchy: pl.DataFrame,
    *,
    columns: tuple[str, ...] = ("employment",),
    total_code: str | None = "00",
) -> tuple[pl.DataFrame, IssueLog]:
    """Fill null values with the European Cluster Observatory rule (see module docstring).

    df: canonical statistics table (STATS_SCHEMA). hierarchy: HIERARCHY_SCHEMA
    (code, parent, level, title). columns: value columns to fill (employment by
    default). total_code: the all-industries code (CBP "00"); when it is not in the
    hierarchy it is treated as the parent of the top-level codes. Returns (table, issues): the same rows and columns, filled cells have
    flag "imputed"; one IssueLog entry per filled cell ("imputed"), per clipped
    remainder ("negative_remainder") and per cell that could not be filled
    ("not_imputed": no ancestor with a value, or the code is not in the hierarchy).
    """
    log = IssueLog()
    children, level = _children_map(hierarchy, total_code)
    table = df.select(list(STATS_SCHEMA)).cast(STATS_SCHEMA)
    regions = table["region"].to_list()
    industries = table["industry"].to_list()
    years = table["year"].to_list()
    flags = table["flag"].to_list()
    groups: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for i, (r, c, y) in enumerate(zip(regions, industries, years)):
        groups[(r, y)][c] = i
    imputed_rows: set[int] = set()
    new_values = {col: table[col].to_list() for col in columns}

    for col in columns:
        values = new_values[col]
        for (region, year), rows in groups.items():
            present = {code: values[i] for code, i in rows.items()}
            # Top-down: shallow codes first, so imputed parents feed their children.
            order = sorted(rows, key=lambda c: (level.get(c, 10**6), c))
            for code in order:
                if present[code] is None:
                    continue
                kids = _effective_children(code, present, children)
                missing = [k for k in kids if present[k] is None]
                if not missing:
                    continue
                known = sum(present[k] for k in kids if present[k] is not None)
                remainder = present[code] - known
                if remainder < 0:
                    log.add(
                        "negative_remainder",
                        f"published children of {code} sum to {known:g} > parent "
                        f"{present[code]:g}; remainder clipped at 0",
                        field=col, region=region, industry=code, year=year,
                    )
                    remainder = 0.0
                share = remainder / len(missing)
                for k in missing:
                    present[k] = share
                    i = rows[k]
                    values[i] = share
                    imputed_rows.add(i)
                    log.add(
                        "imputed",
                        f"{col} = {share:g}: ({present[code]:g} in {code} - {known:g} "
                        f"published) / {len(missing)} missing children (ECO rule)",
                        field=col, region=region, industry=k, year=year,
                    )
            for code, i in rows.items():
                if present[code] is None:
                    why = ("code not in the hierarchy" if code not in level
                           else "no ancestor with a value in this region-year")
                    log.add("not_imputed", f"{col} left null: {why}", field=col,
                            region=region, industry=code, year=year)
    for i in imputed_rows:
        flags[i] = "imputed"
    out = table.with_columns(
        *[pl.Series(col, new_values[col], dtype=pl.Float64) for col in columns],
        pl.Series("flag", flags, dtype=pl.Utf8),
    )
    return out, log


def missing_report(df: pl.DataFrame, hierarchy: pl.DataFrame | None = None) -> pl.DataFrame:
    """Count published, missing (null employment), suppressed and imputed cells.

    df: canonical statistics table. hierarchy (optional): gives each code its level;
    without it the level is the number of characters of the code (NAICS digits).
    Returns columns region, level, cells, published, missing, suppressed, imputed,
    share_missing (missing / cells), sorted by region and level.
    """
    t = df.select("region", "industry", "employment", "flag")
    if hierarchy is not None:
        t = t.join(
            hierarchy.select(pl.col("code").alias("industry"), pl.col("level").cast(pl.Int32)),
            on="industry", how="left",
        )
    else:
        t = t.with_columns(pl.col("industry").str.len_chars().cast(pl.Int32).alias("level"))
    flag = pl.col("flag").fill_null("")
    return (
        t.group_by("region", "level")
        .agg(
            pl.len().cast(pl.Int64).alias("cells"),
            (pl.col("employment").is_not_null() & ~flag.str.contains("imputed"))
            .sum().cast(pl.Int64).alias("published"),
            pl.col("employment").is_null().sum().cast(pl.Int64).alias("missing"),
            flag.str.contains("suppressed").sum().cast(pl.Int64).alias("suppressed"),
            flag.str.contains("imputed").sum().cast(pl.Int64).alias("imputed"),
        )
        .with_columns((pl.col("missing") / pl.col("cells")).alias("share_missing"))
        .sort("region", "level", nulls_last=True)
    )
