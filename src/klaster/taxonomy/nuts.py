"""NUTS vintages: recode region codes of one NUTS version to another.

Eurostat's regional series keep each year under the NUTS version it was published in, so
one file mixes vintages (sbs_r_nuts06_r2 has NUTS 2006 codes such as ITD1, NUTS 2010
codes such as EL11 and NUTS 2013 codes such as PL34), while boundaries come in one
version (GISCO NUTS 2021: Podlaskie is PL84). :func:`recode_nuts` carries every code to
the requested version through the shipped correspondence table
``klaster/taxonomy/data/nuts_changes.csv`` (see its NOTICE entry and docs/data.md).

The table lists groups of changes between consecutive versions: the codes of
``from_codes`` (joined by ``+``) became the codes of ``to_codes``, as

* ``recoded`` — same territory, new code (PL34 → PL84);
* ``boundary`` — new code, boundary moved slightly (SI01 → SI03);
* ``merged`` — several regions became one (DE41 + DE42 → DE40);
* ``split`` — one region became several (PL12 → PL91 + PL92);
* ``regrouped`` — several became several (IE01 + IE02 → IE04 + IE05 + IE06).

The rule, stated and never silent: a code is mapped to the *union* of the group's new
codes, written ``"PL91+PL92"``; rows that land on the same code (a merge, a regroup, or
an old and a new code of the same territory in one file) are summed per industry and
year, and a sum with an unpublished part is unpublished (null). A split region is thus
kept whole under the union code (the built-in PL/BY/LT boundaries name Mazowieckie
``PL91+PL92`` for this reason) — its figures are never allocated to the parts by an
assumed share; ``split="error"`` refuses instead. Where an old and a new code of the
same territory both have a row, the published figure under the new code wins (the file's
own figure), else the recoded sum. Every recoded, merged, split, unknown or extra-regio
(``..ZZ``) code is written to the IssueLog with its first line and its number of rows;
unknown codes are kept as they are, never dropped.

Vintages: 2006, 2010, 2013, 2016, 2021 (levels 0–2; NUTS 1 changes are listed for
Poland only, other outdated NUTS 1 and all NUTS 3 codes are reported as unknown).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import polars as pl

from klaster.data.validate import LINE_COL
from klaster.errors import DataError, IssueLog

NUTS_VERSIONS = (2006, 2010, 2013, 2016, 2021)
_VALUES = ("employment", "establishments", "payroll")


def _read(name: str) -> pl.DataFrame:
    ref = resources.files("klaster.taxonomy") / "data" / name
    with resources.as_file(ref) as path:
        return pl.read_csv(path, infer_schema=False)


@lru_cache(maxsize=1)
def nuts_changes() -> pl.DataFrame:
    """The shipped correspondence table: from_version, to_version (Int32), from_codes,
    to_codes (``+``-joined), change, note. Sources: see the module docstring and NOTICE."""
    return _read("nuts_changes.csv").with_columns(
        pl.col("from_version").cast(pl.Int32), pl.col("to_version").cast(pl.Int32))


@lru_cache(maxsize=1)
def nuts2021_codes() -> pl.DataFrame:
    """Every NUTS 2021 code (levels 0–3): code, level (Int32), country, name (Latin)."""
    return _read("nuts2021_codes.csv").with_columns(pl.col("level").cast(pl.Int32))


def _groups() -> list[tuple[int, int, tuple[str, ...], tuple[str, ...], str, str]]:
    return [(r[0], r[1], tuple(r[2].split("+")), tuple(r[3].split("+")), r[4], r[5] or "")
            for r in nuts_changes().iter_rows()]


@lru_cache(maxsize=8)
def nuts_codes(version: int = 2021) -> frozenset[str]:
    """The codes valid in NUTS ``version``: the NUTS 2021 list with the later changes of
    the correspondence table undone (levels 0–2 exactly; NUTS 3 as of 2021)."""
    _check_version(version)
    codes = set(nuts2021_codes()["code"].to_list())
    for fv, tv, old, new, _kind, _note in sorted(_groups(), key=lambda g: -g[1]):
        if tv > version:
            codes -= set(new)
            codes |= set(old)
    return frozenset(codes)


def _check_version(v: int) -> None:
    if v not in NUTS_VERSIONS:
        raise DataError(f"unknown NUTS version {v}; known: "
                        f"{', '.join(map(str, NUTS_VERSIONS))}", field="nuts_version")


def _carry(codes: set[str], start: int, target: int) -> tuple[set[str], list[str]]:
    """Apply the changes between ``start`` and ``target`` (either direction) to a set of
    codes; returns the new set and the notes of the changes applied."""
    notes: list[str] = []
    groups = _groups()
    if target > start:
        steps = [(v, w) for v, w in zip(NUTS_VERSIONS, NUTS_VERSIONS[1:])
                 if v >= start and w <= target]
        for v, w in steps:
            for fv, tv, old, new, kind, note in groups:
                if (fv, tv) == (v, w) and codes & set(old):
                    codes = (codes - set(old)) | set(new)
                    notes.append(f"NUTS {fv}→{tv} {kind}: {'+'.join(old)} → "
                                 f"{'+'.join(new)}")
    else:
        steps = [(v, w) for v, w in zip(NUTS_VERSIONS, NUTS_VERSIONS[1:])
                 if v >= target and w <= start]
        for v, w in reversed(steps):
            for fv, tv, old, new, kind, note in groups:
                if (fv, tv) == (v, w) and codes & set(new):
                    codes = (codes - set(new)) | set(old)
                    notes.append(f"NUTS {tv}→{fv} (back) {kind}: {'+'.join(new)} → "
                                 f"{'+'.join(old)}")
    return codes, notes


def nuts_recode_map(
    codes, to_version: int = 2021, from_version: int | None = None
) -> dict[str, tuple[str, str]]:
    """For each code: (new code or ``+``-joined union, status) where status is
    ``same``, ``recoded``, ``union`` (split/regrouped: the union of the new codes),
    ``extra_regio`` or ``unknown``; plus the notes in a third place of the message map.

    ``from_version`` None: each code is read in the latest version where it is valid
    (a code valid in ``to_version`` is kept; an outdated one starts from the first
    change that names it)."""
    _check_version(to_version)
    if from_version is not None:
        _check_version(from_version)
    target_codes = nuts_codes(to_version)
    out: dict[str, tuple[str, str]] = {}
    groups = _groups()
    for c in codes:
        if c is None:
            continue
        if from_version is None:
            if c in target_codes:
                out[c] = (c, "same", "")
                continue
            fwd = sorted(g[0] for g in groups if c in g[2] and g[1] <= to_version)
            back = sorted((g[1] for g in groups if c in g[3] and g[0] >= to_version),
                          reverse=True)
            start = fwd[0] if fwd else (back[0] if back else None)
        else:
            start = from_version if c in nuts_codes(from_version) else None
        if start is None:
            status = ("extra_regio" if len(c) > 2 and set(c[2:]) == {"Z"} else "unknown")
            out[c] = (c, status, "")
            continue
        new, notes = _carry({c}, start, to_version)
        label = "+".join(sorted(new))
        status = "same" if label == c else ("union" if len(new) > 1 else "recoded")
        out[c] = (label, status, "; ".join(notes))
    return out


def _where(df: pl.DataFrame, code: str) -> tuple[int | None, int]:
    sub = df.filter(pl.col("region") == code)
    line = int(sub[LINE_COL].min()) if LINE_COL in df.columns and sub.height else None
    return line, sub.height


def collapse_regions(df: pl.DataFrame, mapping: dict[str, str], *, issues: IssueLog,
                     source: str | None, what: str) -> pl.DataFrame:
    """Replace ``region`` by ``mapping`` (codes absent from it stay) and sum the rows that
    land on the same region × industry × year (null if any part is null); where a row was
    already under the new code, its published values win. Shared by NUTS recoding and
    region-name matching."""
    key = ["region", "industry", "year"] if "year" in df.columns else ["region", "industry"]
    df = df.with_columns(pl.col("region").alias("__orig__"),
                         pl.col("region").replace(mapping).alias("region"))
    multi = df.group_by("region").agg(pl.col("__orig__").n_unique().alias("n")) \
        .filter(pl.col("n") > 1)["region"]
    if multi.len() == 0:
        return df.drop("__orig__")
    single = df.filter(~pl.col("region").is_in(multi.implode()))
    many = df.filter(pl.col("region").is_in(multi.implode()))
    values = [c for c in _VALUES if c in df.columns]
    native = many.filter(pl.col("__orig__") == pl.col("region"))
    moved = many.filter(pl.col("__orig__") != pl.col("region"))
    aggs = [pl.when(pl.col(c).null_count() > 0).then(None).otherwise(pl.col(c).sum())
            .alias(c) for c in values]
    if "flag" in df.columns:
        aggs.append(pl.col("flag").str.split(",").list.explode(keep_nulls=False, empty_as_null=False).drop_nulls().unique().sort()
                    .str.join(",").alias("flag"))
    if LINE_COL in df.columns:
        aggs.append(pl.col(LINE_COL).min())
    summed = moved.group_by(key).agg(aggs)
    if "flag" in summed.columns:
        summed = summed.with_columns(pl.col("flag").replace("", None))
    both = native.drop("__orig__").join(summed, on=key, how="full", coalesce=True,
                                        suffix="__r")
    overlap = both.filter(pl.col(f"{values[0]}__r").is_not_null()
                          & pl.col(values[0]).is_not_null()).height if values else 0
    fills = []
    for c in values:
        fills.append(pl.coalesce(c, f"{c}__r").alias(c))
    if "flag" in df.columns:
        fills.append(pl.when(pl.col(values[0]).is_not_null()).then(pl.col("flag"))
                     .otherwise(pl.col("flag__r")).alias("flag") if values else
                     pl.col("flag"))
    if LINE_COL in df.columns:
        fills.append(pl.coalesce(LINE_COL, f"{LINE_COL}__r").alias(LINE_COL))
    both = both.with_columns(fills).select(single.drop("__orig__").columns)
    if overlap:
        issues.add("region_overlap", f"{overlap:,} {what} row(s) had both a row under the "
                   "new code and recoded rows; the row under the new code was kept",
                   file=source)
    return pl.concat([single.drop("__orig__"), both]).sort(key)


def recode_nuts(
    stats: pl.DataFrame,
    to_version: int = 2021,
    *,
    from_version: int | None = None,
    split: str = "union",
    issues: IssueLog | None = None,
    source: str | None = None,
) -> pl.DataFrame:
    """Recode the NUTS codes of ``stats.region`` to NUTS ``to_version``.

    ``stats``: a statistics table (STATS_SCHEMA, optionally with the hidden line column
    of the loaders, used in warnings). ``from_version``: the version of every code, or
    None to read each code in the latest version where it is valid (right for Eurostat
    files that mix vintages). ``split``: "union" (default; a split region's rows are kept
    under the union code "PL91+PL92") or "error". Every change and every unknown code is
    written to ``issues`` (kinds ``nuts_recoded``, ``nuts_union``, ``nuts_unknown``,
    ``nuts_extra_regio``) with its first line and number of rows. Returns the table with
    recoded regions; merged rows are summed (module docstring).
    """
    if split not in ("union", "error"):
        raise DataError(f"split must be 'union' or 'error', not {split!r}", field="split")
    log = issues if issues is not None else IssueLog()
    codes = stats["region"].unique().sort().to_list()
    plan = nuts_recode_map(codes, to_version, from_version)
    mapping: dict[str, str] = {}
    for code in codes:
        if code not in plan:
            continue
        label, status, notes = plan[code]
        if status == "same":
            continue
        line, n = _where(stats, code)
        if status == "unknown":
            log.add("nuts_unknown", f"region {code!r} is not a NUTS {to_version} code and "
                    "no NUTS change in klaster's table names it; kept as it is "
                    f"({n:,} rows)", file=source, line=line, field="region", region=code)
            continue
        if status == "extra_regio":
            log.add("nuts_extra_regio", f"region {code!r} is 'extra-regio' (activity not "
                    f"attached to a region), not a territory; kept as it is ({n:,} rows)",
                    file=source, line=line, field="region", region=code)
            continue
        if status == "union" and split == "error":
            raise DataError(f"region {code!r} was split ({notes}); its figures cannot be "
                            "given to the parts without a share (use split='union')",
                            file=source, line=line, field="region")
        mapping[code] = label
        kind = "nuts_union" if status == "union" else "nuts_recoded"
        extra = (" — kept whole under the union of the new regions; join it to the "
                 "dissolved boundaries of its parts" if status == "union" else "")
        log.add(kind, f"region {code!r} → {label!r} ({notes}){extra} ({n:,} rows)",
                file=source, line=line, field="region", region=code)
    if not mapping:
        return stats
    return collapse_regions(stats, mapping, issues=log, source=source,
                            what=f"NUTS {to_version}")


def nuts_level(code: str) -> int | None:
    """NUTS level of a code: 0 for "PL", 1 for "PL8", 2 for "PL84", 3 for "PL841"; a union
    code ("PL91+PL92") has the level of its parts; None for what is not NUTS-shaped."""
    first = str(code).split("+")[0]
    if len(first) < 2 or len(first) > 5 or not first[:2].isalpha() or not first.isalnum():
        return None
    return len(first) - 2


def keep_nuts_level(stats: pl.DataFrame, level: int, *, issues: IssueLog | None = None,
                    source: str | None = None) -> pl.DataFrame:
    """Keep the rows of one NUTS level (Eurostat files put NUTS 0, 1 and 2 side by side,
    so summing regions would count each job several times). The rows left out are
    counted per level in ``issues`` (kind ``nuts_level``) — not dropped silently."""
    if level not in (0, 1, 2, 3):
        raise DataError(f"NUTS level must be 0, 1, 2 or 3, not {level}", field="nuts_level")
    log = issues if issues is not None else IssueLog()
    codes = stats["region"].unique().to_list()
    levels = {c: nuts_level(c) for c in codes}
    keep = [c for c, lv in levels.items() if lv == level]
    out = stats.filter(pl.col("region").is_in(keep))
    dropped = stats.filter(~pl.col("region").is_in(keep)).group_by("region").len()
    per_level: dict[str, list[int]] = {}
    for code, n in dropped.iter_rows():
        lv = levels.get(code)
        key = f"level {lv}" if lv is not None else "not NUTS"
        per_level.setdefault(key, [0, 0])
        per_level[key][0] += 1
        per_level[key][1] += n
    for key, (n_codes, n_rows) in sorted(per_level.items()):
        log.add("nuts_level", f"kept NUTS level {level} only: {n_codes} region code(s) of "
                f"{key} left out ({n_rows:,} rows)", file=source, field="region")
    return out


def nuts_regions(codes=None) -> pl.DataFrame:
    """A region table (REGIONS_SCHEMA) for NUTS 2021 codes: region = geo_id = the code,
    name = its Latin name, parent = the code one level up. ``codes``: the codes to
    describe (e.g. a table's regions, union codes "PL91+PL92" included, named after their
    parts); None = every NUTS 2021 code. Codes that are not NUTS 2021 keep their code as
    name."""
    from klaster.schema import REGIONS_SCHEMA

    ref = nuts2021_codes()
    names = dict(zip(ref["code"].to_list(), ref["name"].to_list()))
    wanted = ref["code"].to_list() if codes is None else sorted({c for c in codes if c})
    rows = []
    for c in wanted:
        parts = c.split("+")
        name = " + ".join(names.get(p, p) for p in parts)
        first = parts[0]
        parent = first[:-1] if len(first) > 2 and first[:-1] in names else None
        rows.append((c, name, parent, c))
    return pl.DataFrame(rows, schema=list(REGIONS_SCHEMA), orient="row").cast(REGIONS_SCHEMA)
