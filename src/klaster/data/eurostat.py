"""Loader for Eurostat TSV files (dissemination API "format=TSV" and the old bulk files).

Format (Eurostat, "Migrating to API - TSV", and the legacy bulk download): tab separated;
the first column holds the comma-separated dimension codes, its header names the
dimensions and ends with ``\\TIME_PERIOD`` (API) or ``\\time`` (old bulk files), e.g.
``freq,nace_r2,indic_sbs,geo\\TIME_PERIOD``; then one column per period. A cell is a
number with an optional flag after a space ("123 p", "12.5 e"), ":" for not available,
or ":" / a number with "c" for confidential.

Regional structural business statistics (SBS) indicator codes mapped by default:

=====================  ================  ===========================================
dataset                code              canonical column
=====================  ================  ===========================================
sbs_r_nuts2021         EMP_LOC_NR        employment (persons employed in local units)
(indic_sbs, 2021-)     LOC_NR            establishments (local units - number)
                       WAGE_LOC_MEUR     payroll (wages and salaries, million EUR)
sbs_r_nuts06_r2        V16110            employment (persons employed - number)
(indic_sb, 2008-2020)  V11210            establishments (local units - number)
                       V13320            payroll (wages and salaries, million EUR)
=====================  ================  ===========================================

Payroll in million EUR is multiplied by 1,000 so that payroll is in thousands of the
currency unit, like CBP payroll (USD 1,000).

Eurostat writes NACE codes as the section letter followed by the division/group/class
digits ("C", "C25", "C251", "C2511"). klaster stores them in the canonical NACE form of
klaster.taxonomy (``normalise_code(code, "nace2")``): sections as letters, everything
below as digits without the letter ("C", "25", "251", "2511"), so that Eurostat tables,
PKD and OKED data, user definitions and the NACE hierarchy (imputation) share one code
form. Aggregates (e.g. "B-S_X_K642", "C10-C12", "TOTAL") are not single NACE codes:
they are left out of the table and each one is reported in the IssueLog.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Mapping
from pathlib import Path

from klaster.data.generic import LoadResult
from klaster.data.validate import LINE_COL, validate_stats
from klaster.errors import DataError, IssueLog
from klaster.taxonomy.codes import normalise_code

import polars as pl

DEFAULT_INDICATORS: dict[str, str] = {
    "EMP_LOC_NR": "employment",
    "LOC_NR": "establishments",
    "WAGE_LOC_MEUR": "payroll",
    "V16110": "employment",
    "V11210": "establishments",
    "V13320": "payroll",
}
DEFAULT_SCALE: dict[str, float] = {"WAGE_LOC_MEUR": 1000.0, "V13320": 1000.0}

_CELL = re.compile(r"^(?P<num>:|[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)?\s*(?P<flag>[bcdefnprsuz]+)?$")
# Eurostat flags: b break in series, c confidential, d definition differs, e estimated,
# f forecast, n not significant, p provisional, r revised, s Eurostat estimate,
# u low reliability, z not applicable.
_NACE = re.compile(r"^[A-U](\d{2,4})?$")


def normalize_nace(code: str) -> str:
    """'C25.1' -> 'C251'; upper case; no dots (the Eurostat form)."""
    return code.strip().upper().replace(".", "")


def _open_lines(path: Path) -> list[str]:
    if path.suffix.lower() == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return fh.read().splitlines()
    return path.read_text(encoding="utf-8").splitlines()


def load_eurostat_tsv(
    path: str | Path,
    *,
    indicators: Mapping[str, str] | None = None,
    scale: Mapping[str, float] | None = None,
    filters: Mapping[str, str] | None = None,
    geo_dim: str = "geo",
    nace_dim: str = "nace_r2",
) -> LoadResult:
    """Load a Eurostat TSV (.tsv or .tsv.gz) into the canonical statistics table.

    indicators: indicator code -> canonical column (employment | establishments |
    payroll); defaults to DEFAULT_INDICATORS. scale: indicator code -> factor applied
    to its values (default: million EUR -> thousand EUR). filters: dimension -> code for
    any other dimension with more than one value (e.g. {"unit": "NR"}).
    Returns LoadResult; region = the geo code (NUTS), industry = NACE code (Eurostat
    form), year = the period. Flags: "c" -> "suppressed" (value null), ":" -> value null
    with an IssueLog "missing" entry, other Eurostat flags (p, e, b, u, ...) are kept;
    the row flag lists the distinct cell flags of the row, comma separated.
    """
    path = Path(path)
    src = str(path)
    if not path.is_file():
        raise DataError("file not found", file=path)
    indicators = dict(DEFAULT_INDICATORS if indicators is None else indicators)
    bad_targets = set(indicators.values()) - {"employment", "establishments", "payroll"}
    if bad_targets:
        raise DataError(f"indicators must map to employment/establishments/payroll, "
                        f"not {sorted(bad_targets)}")
    scale = dict(DEFAULT_SCALE if scale is None else scale)
    filters = dict(filters or {})
    lines = _open_lines(path)
    if not lines or not lines[0].strip():
        raise DataError("the file is empty", file=path, line=1)
    header = lines[0].split("\t")
    first = header[0]
    if "\\" not in first:
        raise DataError(
            "not a Eurostat TSV: the first header cell should look like "
            "'freq,nace_r2,indic_sbs,geo\\TIME_PERIOD'", file=path, line=1, field=first,
        )
    dims = [d.strip() for d in first.split("\\")[0].split(",")]
    periods = [p.strip() for p in header[1:]]
    for p in periods:
        if not re.fullmatch(r"\d{4}", p):
            raise DataError(f"only annual data is supported; period {p!r} is not a year",
                            file=path, line=1, field=p)
    ind_dims = [d for d in dims if d.startswith("indic")]
    for needed, label in ((geo_dim, "geo"), (nace_dim, "NACE")):
        if needed not in dims:
            raise DataError(f"no {label} dimension {needed!r} in {dims}", file=path, line=1,
                            field=first)
    if len(ind_dims) != 1:
        raise DataError(f"expected one indicator dimension (indic_*), found {ind_dims}",
                        file=path, line=1, field=first)
    ind_dim = ind_dims[0]
    other_dims = [d for d in dims if d not in {geo_dim, nace_dim, ind_dim, "freq"}]
    i_geo, i_nace, i_ind = dims.index(geo_dim), dims.index(nace_dim), dims.index(ind_dim)

    log = IssueLog()
    seen_other: dict[str, set[str]] = {d: set() for d in other_dims}
    unmapped: dict[str, int] = {}
    aggregates: dict[str, int] = {}
    rows: dict[tuple[str, str, int], dict] = {}
    for ln, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        keys = [k.strip() for k in cells[0].split(",")]
        if len(keys) != len(dims):
            raise DataError(f"{len(keys)} dimension codes, header names {len(dims)}",
                            file=path, line=ln, field=first)
        if len(cells) - 1 != len(periods):
            raise DataError(f"{len(cells) - 1} values, header has {len(periods)} periods",
                            file=path, line=ln)
        skip = False
        for d in other_dims:
            v = keys[dims.index(d)]
            if d in filters:
                skip = skip or v != filters[d]
            else:
                seen_other[d].add(v)
        if skip:
            continue
        ind = keys[i_ind]
        if ind not in indicators:
            unmapped[ind] = unmapped.get(ind, 0) + 1
            continue
        nace = normalize_nace(keys[i_nace])
        if not _NACE.match(nace):
            aggregates[nace] = aggregates.get(nace, 0) + 1
            continue
        nace = normalise_code(nace, "nace2")
        target = indicators[ind]
        geo = keys[i_geo]
        for period, raw in zip(periods, cells[1:]):
            m = _CELL.match(raw.strip())
            if m is None:
                raise DataError(f"cannot read value {raw!r} (expected a number, ':' and/or "
                                "a flag such as 'p', 'e', 'c')", file=path, line=ln, field=period)
            num, flag = m.group("num"), m.group("flag")
            if num is None and flag is not None:
                raise DataError(f"flag {flag!r} without a value or ':'", file=path,
                                line=ln, field=period)
            if num is None:
                num = ":"  # an empty cell is "not available"
            key = (geo, nace, int(period))
            rec = rows.setdefault(key, {"employment": None, "establishments": None,
                                        "payroll": None, "flags": set(), "line": ln,
                                        "seen": {}})
            if target in rec["seen"]:
                raise DataError(
                    f"duplicate {target} value for geo={geo}, {nace_dim}={nace}, "
                    f"year={period}: lines {rec['seen'][target]} and {ln}"
                    + (f" (filter the dimension(s) {other_dims})" if other_dims else ""),
                    file=path, line=ln, field=period,
                )
            rec["seen"][target] = ln
            if flag and "c" in flag:
                rec["flags"].add("suppressed")
                log.add("suppressed", f"{ind} confidential (Eurostat flag 'c')", file=src,
                        line=ln, field=period, region=geo, industry=nace, year=int(period))
                flag = flag.replace("c", "") or None
            elif num == ":":
                rec["flags"].add("missing")
                log.add("missing", f"{ind} not available (':')", file=src, line=ln,
                        field=period, region=geo, industry=nace, year=int(period))
            if flag:
                rec["flags"].add(flag)
            if num is not None and num != ":" and not (m.group("flag") or "").count("c"):
                value = float(num) * scale.get(ind, 1.0)
                if value < 0:
                    raise DataError(f"negative count {num}", file=path, line=ln, field=period)
                rec[target] = value

    for d, values in seen_other.items():
        if len(values) > 1:
            raise DataError(
                f"dimension {d!r} has several values {sorted(values)[:10]}; choose one with "
                f"filters={{'{d}': ...}}", file=path, line=1, field=first,
            )
    for code, n in sorted(unmapped.items()):
        log.add("unmapped_indicator", f"indicator {code!r} ({n} lines) is not mapped to a "
                "canonical column and was left out", file=src, field=ind_dim)
    for code, n in sorted(aggregates.items()):
        log.add("aggregate_code", f"NACE aggregate {code!r} ({n} lines) is not a single "
                "NACE code and was left out", file=src, field=nace_dim, industry=code)
    if not rows:
        raise DataError("no data rows for the mapped indicators "
                        f"{sorted(indicators)}", file=path)
    df = pl.DataFrame(
        {
            "region": [k[0] for k in rows],
            "industry": [k[1] for k in rows],
            "year": [k[2] for k in rows],
            "employment": [r["employment"] for r in rows.values()],
            "establishments": [r["establishments"] for r in rows.values()],
            "payroll": [r["payroll"] for r in rows.values()],
            "flag": [",".join(sorted(r["flags"])) or None for r in rows.values()],
            LINE_COL: [r["line"] for r in rows.values()],
        },
        schema_overrides={"employment": pl.Float64, "establishments": pl.Float64,
                          "payroll": pl.Float64, "flag": pl.Utf8, "year": pl.Int32},
    ).sort("region", "industry", "year")
    out, issues = validate_stats(df, source=path)
    log.extend(issues)
    return LoadResult(table=out, issues=log, source=src)
