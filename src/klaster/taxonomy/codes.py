"""Industry-code systems as data: NAICS 2017 and NACE Rev.2 (with PKD 2007 and OKED).

Canonical code forms (one per system; every table klaster builds uses them):

* ``naics2017`` — digits, 2 to 6 of them, except the three combined sectors, which are
  written as Census publishes them: ``"31-33"`` (Manufacturing), ``"44-45"`` (Retail
  Trade), ``"48-49"`` (Transportation and Warehousing). The two-digit prefixes "31",
  "32", "33" all normalise to ``"31-33"``, so ``"336"``'s parent is ``"31-33"``.
* ``nace2`` (also for ``pkd2007`` and ``oked``) — the section letter for sections
  (``"C"``) and digits without dots below: division ``"25"``, group ``"256"``, class
  ``"2562"``. National subclasses (PKD ``"25.62.Z"``, OKED ``"25620"``) fold into their
  NACE class ``"2562"``; the subclass level is not kept.

The NACE hierarchy shipped with klaster is built from the UN ISIC Rev.4 structure, which
equals NACE Rev.2 at section and division level only; groups and classes below are
ISIC's (see docs/taxonomy.md). Ancestry of a NACE code is therefore derived from the
code itself (class -> group -> division -> section), so NACE-only classes such as
``"2562"`` still resolve.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import polars as pl

from klaster.errors import DataError
from klaster.schema import HIERARCHY_SCHEMA
from klaster.taxonomy._io import (
    line_of,
    read_text_table,
    require_cells,
    require_columns,
    require_nonempty,
    where_row,
)

SYSTEMS = ("naics2017", "nace2", "pkd2007", "oked")
# Systems that share the NACE Rev.2 structure once codes are normalised.
_NACE_FAMILY = ("nace2", "pkd2007", "oked")
COMBINED_SECTORS = {"31": "31-33", "32": "31-33", "33": "31-33",
                    "44": "44-45", "45": "44-45", "48": "48-49", "49": "48-49"}

_HIERARCHY_FILES = {"naics2017": "naics2017_hierarchy.csv", "nace2": "nace2_hierarchy.csv"}


def _structure(system: str) -> str:
    if system not in SYSTEMS:
        raise DataError(f"unknown code system {system!r}; expected one of {', '.join(SYSTEMS)}",
                        field="system")
    return "naics2017" if system == "naics2017" else "nace2"


@lru_cache(maxsize=None)
def _read_hierarchy(structure: str) -> pl.DataFrame:
    # Package data, read once per process; callers get clones, never the cached object.
    ref = resources.files("klaster.taxonomy") / "data" / _HIERARCHY_FILES[structure]
    with resources.as_file(ref) as path:
        return pl.read_csv(path, schema=HIERARCHY_SCHEMA)


@lru_cache(maxsize=None)
def _codes(structure: str) -> frozenset[str]:
    return frozenset(_read_hierarchy(structure)["code"].to_list())


@lru_cache(maxsize=None)
def _nace_division_section() -> dict[str, str]:
    h = _read_hierarchy("nace2").filter(pl.col("level") == 2)
    return dict(zip(h["code"].to_list(), h["parent"].to_list()))


def hierarchy(system: str) -> pl.DataFrame:
    """The shipped hierarchy of ``system`` ("naics2017", or "nace2"/"pkd2007"/"oked").

    Returns HIERARCHY_SCHEMA columns: code, parent (null at level 1), level (1 = NAICS
    sector / NACE section), title (null where the source gives none).
    """
    return _read_hierarchy(_structure(system)).clone()


# --- normalisation -----------------------------------------------------------------------

_NAICS_RE = re.compile(r"\d{2,6}")
# NACE body after an optional section letter: a 2-digit division, then up to three more
# digits each optionally preceded by a dot ("25", "25.6", "25.62", "25.6.2", "25620"),
# then an optional PKD subclass letter ("25.62.Z").
_NACE_RE = re.compile(r"(?P<section>[A-U])?(?P<body>\d{2}(?:\.?\d){0,3})(?:\.?(?P<sub>[A-Z]))?")


def normalise_code(code: str, system: str) -> str:
    """Return the canonical form of ``code`` in ``system`` (see the module docstring).

    Accepted inputs, for example: NAICS ``"336411"``, ``"31"`` (-> ``"31-33"``), CBP's
    ``"31----"`` and ``"3364//"``; NACE ``"C"``, ``"25"``, ``"C25"`` (Eurostat),
    ``"25.62"``, ``"C25.6.2"``; PKD 2007 ``"25.62.Z"``; OKED ``"25620"``.
    Raises DataError (field "industry") for text that is not a code of the system.
    """
    structure = _structure(system)
    if not isinstance(code, str):
        raise DataError(f"industry code must be text, got {type(code).__name__} {code!r}",
                        field="industry")
    raw = code
    s = re.sub(r"\s+", "", code).upper()
    if structure == "naics2017":
        return _normalise_naics(s, raw)
    return _normalise_nace(s, raw, system)


def _normalise_naics(s: str, raw: str) -> str:
    s = s.rstrip("-/")  # CBP pads aggregate codes: "31----", "3364//"
    if s.endswith(".0") and s[:-2].isdigit():  # a code that went through a float column
        s = s[:-2]
    if s in COMBINED_SECTORS.values():
        return s
    if not _NAICS_RE.fullmatch(s):
        raise DataError(f"{raw!r} is not a NAICS code (2 to 6 digits)", field="industry")
    sector = COMBINED_SECTORS.get(s[:2], s[:2])
    if sector not in _codes("naics2017"):
        raise DataError(f"{raw!r}: {s[:2]!r} is not a NAICS 2017 sector", field="industry")
    return sector if len(s) == 2 else s


def _normalise_nace(s: str, raw: str, system: str) -> str:
    sections = {v for v in _nace_division_section().values()}
    if len(s) == 1 and s.isalpha():
        if s not in sections:
            raise DataError(f"{raw!r} is not a NACE Rev.2 section", field="industry")
        return s
    m = _NACE_RE.fullmatch(s)
    if not m:
        raise DataError(f"{raw!r} is not a {system} code", field="industry")
    digits = m["body"].replace(".", "")
    if m["sub"] is not None and system != "pkd2007":
        raise DataError(f"{raw!r}: a subclass letter is only valid in pkd2007", field="industry")
    if m["sub"] is not None and len(digits) != 4:
        raise DataError(f"{raw!r}: a PKD subclass letter must follow a 4-digit class",
                        field="industry")
    if len(digits) == 5:
        if system != "oked":
            raise DataError(f"{raw!r}: 5-digit codes are only valid in oked", field="industry")
        digits = digits[:4]  # OKED's 5th digit is a national subclass of the NACE class
    section = _nace_division_section().get(digits[:2])
    if section is None:
        raise DataError(f"{raw!r}: {digits[:2]!r} is not a NACE Rev.2 division",
                        field="industry")
    if m["section"] is not None and m["section"] != section:
        raise DataError(f"{raw!r}: division {digits[:2]} belongs to section {section}, "
                        f"not {m['section']}", field="industry")
    return digits


def normalise_column(
    df: pl.DataFrame, column: str, system: str, *, file: str | Path | None = None,
    line_offset: int | None = 2,
) -> pl.DataFrame:
    """Normalise every code in ``df[column]`` (nulls stay null).

    Each distinct code is parsed once, so this is cheap on large tables. The first code
    that cannot be parsed raises DataError naming ``file``, its line (row index +
    ``line_offset``; header = line 1) and the field.
    """
    mapping: dict[str, str] = {}
    for value in df[column].drop_nulls().unique(maintain_order=True).to_list():
        try:
            mapping[value] = normalise_code(value, system)
        except DataError as exc:
            row = int(df.with_row_index("_r").filter(pl.col(column) == value)["_r"][0])
            raise DataError(exc.message + where_row(line_offset, row), file=file,
                            line=line_of(line_offset, row), field=column) from None
    return df.with_columns(
        pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.Utf8)
    )


def level_of(code: str, system: str) -> int:
    """Level of ``code`` (after normalisation): 1 = NAICS sector / NACE section.

    NAICS: sector 1, subsector (3 digits) 2, group 3, industry 4, national industry 5.
    NACE: section 1, division 2, group 3, class 4.
    """
    c = normalise_code(code, system)
    if _structure(system) == "naics2017":
        return 1 if (len(c) == 2 or "-" in c) else len(c) - 1
    return 1 if c.isalpha() else len(c)


def ancestors(code: str, system: str) -> list[str]:
    """Ancestors of ``code``, nearest first, excluding the code itself.

    NAICS codes must exist in NAICS 2017 (DataError otherwise). NACE ancestry follows the
    code's digits (class -> group -> division -> section), so NACE-only classes that the
    ISIC-based table lacks still resolve; the division must exist.
    """
    c = normalise_code(code, system)
    if _structure(system) == "naics2017":
        if c not in _codes("naics2017"):
            raise DataError(f"{code!r} is not a NAICS 2017 code", field="industry")
        if len(c) == 2 or "-" in c:
            return []
        chain = [c[:n] for n in range(len(c) - 1, 2, -1)]
        return chain + [COMBINED_SECTORS.get(c[:2], c[:2])]
    if c.isalpha():
        return []
    chain = [c[:n] for n in range(len(c) - 1, 1, -1)]
    return chain + [_nace_division_section()[c[:2]]]


# --- users' hierarchies --------------------------------------------------------------------

def check_tree(codes: list[str], parents: list[str | None], *, file, line_offset,
               code_field: str, parent_field: str) -> list[int]:
    """Validate a parent-pointer tree; return each row's depth (1 = root).

    Raises DataError naming file/line/field for a duplicate code, an unknown parent, or a
    cycle (including a code that is its own parent).
    """
    first_row: dict[str, int] = {}
    for i, c in enumerate(codes):
        if c in first_row:
            raise DataError(
                f"duplicate {code_field} {c!r} (first at line "
                f"{line_of(line_offset, first_row[c]) or first_row[c] + 1})"
                + where_row(line_offset, i),
                file=file, line=line_of(line_offset, i), field=code_field)
        first_row[c] = i
    parent_of = dict(zip(codes, parents))
    for i, p in enumerate(parents):
        if p is not None and p not in parent_of:
            raise DataError(f"parent {p!r} is not a {code_field} in this table"
                            + where_row(line_offset, i),
                            file=file, line=line_of(line_offset, i), field=parent_field)
    depth: dict[str, int] = {}
    for c in codes:
        path: list[str] = []
        seen: set[str] = set()
        node: str | None = c
        while node is not None and node not in depth:
            if node in seen:
                cycle = " -> ".join(path[path.index(node):] + [node])
                r = first_row[node]
                raise DataError(f"cycle in parents: {cycle}" + where_row(line_offset, r),
                                file=file, line=line_of(line_offset, r), field=parent_field)
            seen.add(node)
            path.append(node)
            node = parent_of[node]
        base = 0 if node is None else depth[node]
        for k, n in enumerate(reversed(path)):
            depth[n] = base + k + 1
    return [depth[c] for c in codes]


def load_hierarchy(path: str | Path) -> pl.DataFrame:
    """Load a user's code hierarchy (CSV/Parquet/Excel with code, parent[, title]).

    Returns HIERARCHY_SCHEMA (level computed from depth, 1 = top). Raises DataError
    naming file/line/field for missing columns, empty codes, duplicate codes, unknown
    parents and cycles.
    """
    df, offset = read_text_table(path)
    require_columns(df, ("code", "parent"), path)
    require_nonempty(df, path)
    require_cells(df, ("code",), path, offset)
    codes = df["code"].to_list()
    parents = df["parent"].to_list()
    levels = check_tree(codes, parents, file=path, line_offset=offset,
                        code_field="code", parent_field="parent")
    titles = df["title"].to_list() if "title" in df.columns else [None] * df.height
    return pl.DataFrame({"code": codes, "parent": parents, "level": levels, "title": titles},
                        schema=HIERARCHY_SCHEMA)
