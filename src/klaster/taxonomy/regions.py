"""Region tables: codes used in statistics, names, parents (hierarchy) and geo ids."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import polars as pl

from klaster.errors import DataError, IssueLog
from klaster.schema import REGIONS_SCHEMA
from klaster.taxonomy._io import (
    line_of,
    read_text_table,
    require_cells,
    require_columns,
    require_nonempty,
    where_row,
)
from klaster.taxonomy.codes import check_tree


def us_states() -> pl.DataFrame:
    """The 50 US states, DC and Puerto Rico: REGIONS_SCHEMA with region = postal code ("AL"),
    name, parent = null, geo_id = 2-digit state FIPS code ("01")."""
    ref = resources.files("klaster.taxonomy") / "data" / "us_states.csv"
    with resources.as_file(ref) as path:
        df = pl.read_csv(path, infer_schema=False)
    return df.select(
        "region", "name", pl.lit(None, pl.Utf8).alias("parent"), pl.col("fips").alias("geo_id")
    ).cast(REGIONS_SCHEMA)


def load_regions(path: str | Path) -> pl.DataFrame:
    """Load a user's region table or hierarchy (CSV/Parquet/Excel).

    Columns: region, name required; parent, geo_id optional (parent names another
    region of the same table). Raises DataError naming file/line/field for missing
    columns, an empty table, empty region or name, duplicate regions, duplicate geo_id,
    unknown parents and cycles. Returns REGIONS_SCHEMA.
    """
    df, offset = read_text_table(path)
    require_columns(df, ("region", "name"), path)
    require_nonempty(df, path)
    require_cells(df, ("region", "name"), path, offset)
    for col in ("parent", "geo_id"):
        if col not in df.columns:
            df = df.with_columns(pl.lit(None, pl.Utf8).alias(col))
    check_tree(df["region"].to_list(), df["parent"].to_list(), file=path, line_offset=offset,
               code_field="region", parent_field="parent")
    seen: dict[str, int] = {}
    for i, g in enumerate(df["geo_id"].to_list()):
        if g is None:
            continue
        if g in seen:
            raise DataError(f"geo_id {g!r} also used at line "
                            f"{line_of(offset, seen[g]) or seen[g] + 1}" + where_row(offset, i),
                            file=path, line=line_of(offset, i), field="geo_id")
        seen[g] = i
    return df.select(list(REGIONS_SCHEMA)).cast(REGIONS_SCHEMA)


def recode_regions(
    stats: pl.DataFrame, regions: pl.DataFrame, from_col: str = "geo_id", *,
    issues: IssueLog | None = None,
) -> pl.DataFrame:
    """Replace ``stats.region`` values given in ``regions[from_col]`` terms (e.g. FIPS
    state codes) by ``regions.region`` (e.g. postal codes).

    ``stats``: any frame with a text ``region`` column (STATS_SCHEMA). ``regions``:
    REGIONS_SCHEMA. Codes absent from the table raise DataError listing them; with an
    ``issues`` log their rows are dropped instead and each code is recorded (kind
    "unknown_region", with the number of rows). Returns ``stats`` with region recoded.
    """
    if from_col not in regions.columns:
        raise DataError(f"the region table has no column {from_col!r}", field=from_col)
    pairs = regions.select(pl.col(from_col).cast(pl.Utf8), "region").drop_nulls(from_col)
    dup = pairs.filter(pl.col(from_col).is_duplicated())
    if dup.height:
        raise DataError(f"{from_col} {dup[from_col][0]!r} names several regions",
                        field=from_col)
    mapping = dict(zip(pairs[from_col].to_list(), pairs["region"].to_list()))
    counts = stats.group_by("region").len().sort("region")
    unknown = counts.filter(~pl.col("region").is_in(list(mapping)))
    if unknown.height:
        if issues is None:
            codes = unknown["region"].to_list()
            shown = ", ".join(repr(c) for c in codes[:10]) + (" ..." if len(codes) > 10 else "")
            raise DataError(f"{len(codes)} region code(s) not in the region table's "
                            f"{from_col}: {shown}", field="region")
        for code, n in unknown.iter_rows():
            issues.add("unknown_region", f"region code {code!r} is not in the region table "
                       f"({from_col}); its {n} row(s) dropped", region=code)
        stats = stats.filter(pl.col("region").is_in(list(mapping)))
    return stats.with_columns(
        pl.col("region").replace_strict(mapping, return_dtype=pl.Utf8))


# --- built-in regions of Poland, Belarus and Lithuania; matching region names ------------

BUILTIN_REGION_TABLES = ("pl-by-lt", "pl", "by", "lt")
_NAME_COLS = ("name_en", "name_pl", "name_be", "name_ru", "name_lt", "name_local")
_CODE_COLS = ("region", "teryt", "nuts2021", "nuts2013")
# Words that say what kind of unit a name is, in the four languages and transliterations;
# dropped when an exact match fails ("Гродненская обл." -> "гродненская").
_REGION_WORDS = {
    "wojewodztwo", "woj", "voivodeship", "province", "region", "oblast", "voblast",
    "voblasts", "oblasti", "область", "обл", "вобласць", "вобл", "воеводство",
    "ваяводства", "obwod", "county", "apskritis", "apskr", "sritis", "уезд", "павет",
    "okreg", "raion", "регион", "рэгіён",
}
_CITY_WORDS = {"city", "город", "горад", "г", "gorod", "horad", "miasto", "m", "of"}
_TRANSLATE = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "ё": "е", "Ё": "е", "ў": "у",
                            "Ў": "у", "і": "и", "І": "и", "’": "", "'": "", "ʼ": ""})


def normalise_region_name(name: str) -> str:
    """Case-, accent- and punctuation-free form of a region name for matching:
    lower case, diacritics removed (ś→s, ł→l, ŭ→u), Belarusian і/ў and Russian ё folded
    to и/у/е, punctuation to spaces. 'Łódzkie' and 'lodzkie', 'Мінск' and 'Минск' meet."""
    import unicodedata

    s = unicodedata.normalize("NFKD", str(name).translate(_TRANSLATE).lower())
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).translate(_TRANSLATE)
    s = "".join(ch if ch.isalnum() or ch == "+" else " " for ch in s)
    return " ".join(s.split())


def builtin_region_table(name: str = "pl-by-lt") -> pl.DataFrame:
    """The built-in region table with every column: region (ISO 3166-2 code, as in the
    built-in boundaries: PL-PD, BY-HR, LT-VL), country, kind (voivodeship, oblast, city,
    county, country), names in en, pl, be, ru, lt and the local language, teryt (Polish TERYT
    voivodeship code), nuts2021 (the NUTS 2021 code of the same territory: NUTS 2 for a
    voivodeship, "PL91+PL92" for Mazowieckie, NUTS 3 for a Lithuanian county; none for
    Belarus), nuts2013, aliases (|-separated transliterations and short forms).
    ``name``: "pl-by-lt" (all), "pl", "by" or "lt". Sources: taxonomy/data/NOTICE."""
    key = name.lower()
    if key not in BUILTIN_REGION_TABLES:
        raise DataError(f"no built-in region table {name!r}; choose one of "
                        f"{', '.join(BUILTIN_REGION_TABLES)}", field="regions")
    ref = resources.files("klaster.taxonomy") / "data" / "regions_pl_by_lt.csv"
    with resources.as_file(ref) as path:
        df = pl.read_csv(path, infer_schema=False)
    if key != "pl-by-lt":
        df = df.filter(pl.col("country") == key.upper())
    return df


def builtin_regions(name: str = "pl-by-lt") -> pl.DataFrame:
    """A built-in region table as REGIONS_SCHEMA: region = ISO 3166-2 code, name =
    English name, parent = country code, geo_id = the ISO code (the ``iso_3166_2``
    property of the built-in boundaries, klaster.reports.pl_by_lt_geometry)."""
    df = builtin_region_table(name)
    return df.select(
        "region", pl.col("name_en").alias("name"),
        pl.when(pl.col("kind") == "country").then(None).otherwise(pl.col("country"))
        .alias("parent"),
        pl.when(pl.col("kind") == "country").then(None).otherwise(pl.col("region"))
        .alias("geo_id"),
    ).cast(REGIONS_SCHEMA)


def _name_index(table: pl.DataFrame) -> tuple[dict[str, set[str]], dict[str, str]]:
    """normalised name -> region codes, and region -> kind."""
    index: dict[str, set[str]] = {}
    kinds: dict[str, str] = {}
    for r in table.iter_rows(named=True):
        code = r["region"]
        kinds[code] = r.get("kind") or ""
        names = [r.get(c) for c in (*_CODE_COLS, *_NAME_COLS, "name", "geo_id")]
        names += (r.get("aliases") or "").split("|")
        for n in names:
            if n:
                index.setdefault(normalise_region_name(n), set()).add(code)
    return index, kinds


def _strip_words(norm: str) -> tuple[str, str | None]:
    words = norm.split()
    hint = ("city" if any(w in _CITY_WORDS for w in words)
            else "region" if any(w in _REGION_WORDS for w in words) else None)
    kept = [w for w in words if w not in _REGION_WORDS and w not in _CITY_WORDS]
    return " ".join(kept), hint


def match_region_names(
    values, table: str | pl.DataFrame = "pl-by-lt"
) -> dict[str, tuple[str | None, list[str]]]:
    """Match region names or codes to a region table.

    ``values``: names as found in a file ("Гродненская область", "г. Минск", "PL34",
    "Podlaskie", "20"). ``table``: a built-in table name or a region table (region,
    name[, geo_id, aliases]). Rule: the normalised value (normalise_region_name) must
    equal a normalised code, name or alias; failing that, words that only say "region"
    or "city" (область, voivodeship, г., ...) are dropped from both sides, and a single
    remaining candidate wins (several: the kind the dropped word names, city or region,
    decides; otherwise ambiguous). Returns value -> (region code or None, candidates).
    """
    tab = builtin_region_table(table) if isinstance(table, str) else table
    index, kinds = _name_index(tab)
    loose: dict[str, set[str]] = {}
    for key, codes in index.items():
        loose.setdefault(_strip_words(key)[0], set()).update(codes)
    out: dict[str, tuple[str | None, list[str]]] = {}
    for v in values:
        if v is None or v in out:
            continue
        norm = normalise_region_name(v)
        hits = index.get(norm, set())
        if len(hits) != 1:
            stripped, hint = _strip_words(norm)
            hits = loose.get(stripped, set()) if stripped else set()
            if len(hits) > 1 and hint is not None:
                pick = {c for c in hits if (kinds.get(c) == "city") == (hint == "city")}
                hits = pick or hits
        out[v] = (next(iter(hits)) if len(hits) == 1 else None, sorted(hits))
    return out


def _closest(value: str, table: str | pl.DataFrame) -> tuple[str, str] | None:
    """The nearest known name (difflib ratio >= 0.8) and its region, for a warning."""
    import difflib

    tab = builtin_region_table(table) if isinstance(table, str) else table
    index, _kinds = _name_index(tab)
    hit = difflib.get_close_matches(normalise_region_name(value), list(index), n=1,
                                    cutoff=0.8)
    if not hit or len(index[hit[0]]) != 1:
        return None
    return hit[0], next(iter(index[hit[0]]))


def recode_region_names(
    stats: pl.DataFrame,
    table: str | pl.DataFrame = "pl-by-lt",
    *,
    issues: IssueLog | None = None,
    source: str | None = None,
) -> pl.DataFrame:
    """Replace region names (or TERYT / NUTS / ISO codes) in ``stats.region`` by the
    region codes of ``table`` (built-in: ISO 3166-2, e.g. "Гродненская область" ->
    "BY-HR", "PL34" -> "PL-PD"). A value matching no entry, or several, is kept as it is
    and written to ``issues`` (kind ``unknown_region_name``, with its first line when the
    table has the loaders' line column and its number of rows) — never dropped. Values
    that meet on one region (PL91 and PL92 -> PL-MZ) are summed (see
    klaster.taxonomy.nuts.collapse_regions). Returns the recoded table."""
    from klaster.data.validate import LINE_COL
    from klaster.taxonomy.nuts import collapse_regions

    log = issues if issues is not None else IssueLog()
    values = stats["region"].unique().drop_nulls().sort().to_list()
    found = match_region_names(values, table)
    mapping = {}
    for v in values:
        code, cands = found[v]
        if code is not None:
            if code != v:
                mapping[v] = code
            continue
        sub = stats.filter(pl.col("region") == v)
        line = int(sub[LINE_COL].min()) if LINE_COL in sub.columns else None
        what = (f"matches several regions ({', '.join(cands)})" if cands
                else "matches no built-in region name or code" if isinstance(table, str)
                else "matches no region of the region table")
        if not cands:
            near = _closest(v, table)
            if near:
                what += f" (closest: {near[0]!r} = {near[1]})"
        log.add("unknown_region_name", f"region {v!r} {what}; kept as it is "
                f"({sub.height:,} rows)", file=source, line=line, field="region", region=v)
    if isinstance(table, str):
        tab = builtin_region_table(table)
        countries = set(tab.filter(pl.col("kind") == "country")["region"].to_list())
        for v in values:
            code = found[v][0]
            if code in countries:
                sub = stats.filter(pl.col("region") == v)
                line = int(sub[LINE_COL].min()) if LINE_COL in sub.columns else None
                log.add("country_total", f"region {v!r} is the country total ({code}), "
                        "not a region: it is kept under the code "
                        f"{code!r}; drop it before comparing regions ({sub.height:,} rows)",
                        file=source, line=line, field="region", region=code)
    if mapping:
        log.add("recoded_regions", f"{len(mapping)} region name(s) recoded to codes: "
                + ", ".join(f"{k!r}→{c}" for k, c in list(mapping.items())[:8])
                + (" …" if len(mapping) > 8 else ""), file=source)
        stats = collapse_regions(stats, mapping, issues=log, source=source,
                                 what="region-name")
    return stats


def looks_like_names(values, table: str | pl.DataFrame = "pl-by-lt") -> bool:
    """True when the distinct ``values`` look like region names of ``table`` rather than
    codes: at least half contain a lower-case letter, a space or a non-ASCII letter, and
    at least half match the table. Used for the automatic recoding of --format table
    files (klaster load --region-names auto)."""
    vals = [v for v in set(values) if v]
    if not vals:
        return False
    namey = sum(1 for v in vals if any(ch.islower() or ch == " " or ord(ch) > 127
                                       for ch in v))
    if namey * 2 < len(vals):
        return False
    found = match_region_names(vals, table)
    return sum(1 for v in vals if found[v][0] is not None) * 2 >= len(vals)
