"""US County Business Patterns (CBP) loaders, one per published layout.

Layouts (US Census Bureau, County Business Patterns; record layouts "CBP[YR]CO.TXT
County Data Dictionary" and "CBP[YR]ST.TXT State Data Dictionary", 2018 edition, and
the Census Data API variable lists /data/{year}/cbp/variables):

* ``extract`` - CSV extracts of the Census API as kept in ../shared/data/cbp:
  ``state,naics,establishments,employees,payroll`` (state = postal code) or
  ``fips,naics,...`` (fips = 5-digit county FIPS). Region is kept as given.
* ``api_json`` - the raw Census Data API response: a JSON array of arrays, header row
  first, e.g. ``["NAICS2017","ESTAB","EMP","PAYANN","state"]``, optionally with
  ``NAME``, ``county``, ``LFO``, ``EMPSZES`` and the flag attributes ``EMP_N`` (noise
  range), ``EMP_F``, ``ESTAB_F``, ``PAYANN_F``. Region = 2-digit state FIPS, or
  state + county = 5-digit county FIPS.
* ``bulk`` - the official bulk files cbpYYco.txt / cbpYYst.txt / cbpYYus.txt
  (comma separated, quoted): ``fipstate, fipscty, naics, [empflag], emp_nf, emp,
  qp1_nf, qp1, ap_nf, ap, est, n<5 ...``; the state file adds ``lfo`` (legal form of
  organisation, "-" = all establishments). Region = fipstate (2 digits),
  fipstate + fipscty (5 digits) or "US".

Flags written to ``flag``:

* noise flags of employment (EMP_NF / EMP_N): G = low noise (< 2 %), H = medium noise
  (2 % to < 5 %), J = high noise (>= 5 %) - the value is published, with noise infused;
* suppression: EMPFLAG letters A-M (employment size range of a withheld cell, files
  before 2017: A 0-19, B 20-99, C 100-249, E 250-499, F 500-999, G 1,000-2,499,
  H 2,500-4,999, I 5,000-9,999, J 10,000-24,999, K 25,000-49,999, L 50,000-99,999,
  M 100,000 or more), noise flag D (withheld to avoid disclosure) or S (does not meet
  publication standards), or a non-empty EMP_F in the API. These cells carry a 0 in
  the file; klaster makes employment null, flag "suppressed", and writes an IssueLog
  entry with the published range so that klaster.data.impute can fill it.

NAICS codes are normalised by dropping the trailing "-" and "/" that the bulk files
use to pad codes to six characters ("3361//" -> "3361", "23----" -> "23"); the
all-industries code "------" becomes "00", the code the Census API uses for the total;
the sectors that span several two-digit codes become the NAICS sector codes used by
the API and klaster.taxonomy ("31----" -> "31-33", "44----" -> "44-45",
"48----" -> "48-49"). Sector ranges from the API are kept as given.
Payroll stays in USD 1,000 (the CBP convention).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl

from klaster.data.generic import LoadResult
from klaster.data.textio import read_text_table
from klaster.data.validate import LINE_COL, validate_stats
from klaster.errors import DataError, IssueLog

EMPFLAG_RANGES = {
    "A": "0-19", "B": "20-99", "C": "100-249", "E": "250-499", "F": "500-999",
    "G": "1,000-2,499", "H": "2,500-4,999", "I": "5,000-9,999", "J": "10,000-24,999",
    "K": "25,000-49,999", "L": "50,000-99,999", "M": "100,000 or more",
}
NOISE_FLAGS = {"G", "H", "J"}
WITHHELD_NOISE = {"D": "withheld to avoid disclosing data of individual businesses",
                  "S": "withheld: does not meet publication standards"}
LAYOUTS = ("extract", "api_json", "bulk")
_SECTOR_RANGES = {"31": "31-33", "44": "44-45", "48": "48-49"}


def normalize_naics(code: str) -> str:
    """Drop the '-'/'/' padding of bulk-file NAICS codes; '------' -> '00' (total)."""
    code = code.strip()
    if re.fullmatch(r"\d{2}-\d{2}", code):  # API sector ranges such as "31-33"
        return code
    stripped = code.rstrip("-/")
    if not stripped:
        return "00"
    # Bulk files write the three two-code sectors under their first code ("31----" is
    # all of Manufacturing 31-33); use the sector code of the API and of NAICS itself.
    return _SECTOR_RANGES.get(stripped, stripped) if code.endswith("----") else stripped


def _year_from_name(path: Path) -> int | None:
    name = path.name.lower()
    m = re.search(r"cbp(\d{2})(co|st|us)\b", name)
    if m:
        yy = int(m.group(1))
        return 1900 + yy if yy >= 86 else 2000 + yy
    m = re.search(r"(19[89]\d|20\d\d)", name)
    return int(m.group(1)) if m else None


def _need_year(path: Path, year: int | None) -> int:
    if year is not None:
        return int(year)
    found = _year_from_name(path)
    if found is None:
        raise DataError(
            "cannot tell the data year from the file name; pass year=...", file=path
        )
    return found


def _suppress(
    df: pl.DataFrame, mask: pl.Series, why: pl.Series, src: str, log: IssueLog
) -> pl.DataFrame:
    """Null the employment of suppressed cells, flag them, and write one issue each."""
    for i in mask.arg_true().to_list():
        r = df.row(i, named=True)
        log.add(
            "suppressed",
            f"employment not published ({why[i]}); set to null for imputation",
            file=src, line=int(r[LINE_COL]), field="employment",
            region=r["region"], industry=r["industry"], year=r["year"],
        )
    return df.with_columns(
        pl.when(mask).then(None).otherwise(pl.col("employment")).alias("employment"),
        pl.when(mask).then(pl.lit("suppressed")).otherwise(pl.col("flag")).alias("flag"),
    )


def _finish(df: pl.DataFrame, path: Path, log: IssueLog) -> LoadResult:
    out, issues = validate_stats(df, source=path)
    log.extend(issues)
    return LoadResult(table=out, issues=log, source=str(path))


def _read_text(path: Path) -> pl.DataFrame:
    """A CBP text file, every column as text, names lower-cased, with LINE_COL
    (encoding, delimiter and structure checks: klaster.data.textio)."""
    raw = read_text_table(path).frame
    names = {c: c if c == LINE_COL else c.strip().lower() for c in raw.columns}
    if len(set(names.values())) != len(names):
        raise DataError("the header names a column twice (ignoring case)", file=path, line=1)
    return raw.rename(names)


# --- (a) CSV extract of the API ------------------------------------------------------
def load_cbp_extract(path: str | Path, year: int | None = None) -> LoadResult:
    """Load the API extract layout (state|fips, naics, establishments, employees, payroll).

    Region = the ``state`` postal code or the 5-digit county ``fips``, as given.
    ``year`` defaults to the 4-digit year in the file name (cbp2021_... -> 2021).
    """
    path = Path(path)
    yr = _need_year(path, year)
    raw = _read_text(path)
    geo = "state" if "state" in raw.columns else "fips" if "fips" in raw.columns else None
    if geo is None or "naics" not in raw.columns:
        raise DataError(
            f"not the CBP extract layout: need state|fips and naics columns, found {raw.columns}",
            file=path, line=1,
        )
    missing = [c for c in ("employees", "establishments", "payroll") if c not in raw.columns]
    if missing:
        raise DataError(f"not the CBP extract layout: missing column(s) {missing}, found "
                        f"{[c for c in raw.columns if c != LINE_COL]}", file=path, line=1,
                        field=missing[0])
    df = raw.select(
        pl.col(LINE_COL).cast(pl.Int64),
        pl.col(geo).alias("region"),
        pl.col("naics").map_elements(normalize_naics, return_dtype=pl.Utf8).alias("industry"),
        pl.lit(yr, dtype=pl.Int32).alias("year"),
        pl.col("employees").alias("employment"),
        pl.col("establishments"),
        pl.col("payroll"),
        pl.lit(None, dtype=pl.Utf8).alias("flag"),
    )
    return _finish(df, path, IssueLog())


# --- (b) raw Census Data API JSON --------------------------------------------------
def load_cbp_api_json(path: str | Path, year: int | None = None) -> LoadResult:
    """Load a raw Census Data API response (JSON array of arrays, header row first).

    Line numbers assume the Census formatting of one array per line (header = line 1).
    Rows of a legal-form (LFO) or size-class (EMPSZES) breakdown other than the
    all-establishments total "001" are left out and counted in one IssueLog entry.
    """
    path = Path(path)
    yr = _need_year(path, year)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise DataError(f"not valid JSON: {exc.msg}", file=path, line=exc.lineno) from None
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                        f"{exc.start}); the Census API answers in UTF-8", file=path) from None
    except RecursionError:
        raise DataError("JSON nested too deeply", file=path) from None
    if not isinstance(data, list) or not data or not all(isinstance(r, list) for r in data):
        raise DataError("expected a JSON array of arrays (header row first)", file=path, line=1)
    header = [str(h) for h in data[0]]
    if len(data) < 2:
        raise DataError("the response has a header but no data rows", file=path, line=1)
    naics_cols = [h for h in header if re.fullmatch(r"NAICS\d{4}", h)]
    if not naics_cols or "state" not in header:
        raise DataError(
            f"not a CBP API response: need a NAICS<year> column and 'state', found {header}",
            file=path, line=1, field="NAICS2017",
        )
    for i, row in enumerate(data[1:], start=2):
        if len(row) != len(header):
            raise DataError(
                f"row has {len(row)} values, header has {len(header)}", file=path, line=i
            )
    raw = pl.DataFrame(
        [[None if v is None else str(v) for v in row] for row in data[1:]],
        schema=header, orient="row",
    ).with_row_index(LINE_COL, offset=2)
    log = IssueLog()
    keep = pl.lit(True)
    for dim in ("LFO", "EMPSZES"):
        if dim in raw.columns:
            keep = keep & (pl.col(dim) == "001")
    dropped = raw.filter(~keep).height
    raw = raw.filter(keep)
    if dropped:
        log.add("breakdown_rows", f"{dropped} rows of an LFO/EMPSZES breakdown other than "
                "the total '001' were left out", file=str(path))
    region = pl.col("state").str.zfill(2)
    if "county" in raw.columns:
        region = region + pl.col("county").str.zfill(3)
    noise = pl.col("EMP_N") if "EMP_N" in raw.columns else pl.lit(None, dtype=pl.Utf8)
    flag = (
        pl.when(noise.is_in(list(NOISE_FLAGS))).then(noise)
        .when(noise.is_not_null() & (noise != "")).then(pl.lit("noise:") + noise)
        .otherwise(None)
    )
    df = raw.select(
        pl.col(LINE_COL).cast(pl.Int64),
        region.alias("region"),
        pl.col(naics_cols[0]).map_elements(normalize_naics, return_dtype=pl.Utf8).alias("industry"),
        pl.lit(yr, dtype=pl.Int32).alias("year"),
        pl.col("EMP").alias("employment") if "EMP" in raw.columns else pl.lit(None, pl.Utf8).alias("employment"),
        pl.col("ESTAB").alias("establishments") if "ESTAB" in raw.columns else pl.lit(None, pl.Utf8).alias("establishments"),
        pl.col("PAYANN").alias("payroll") if "PAYANN" in raw.columns else pl.lit(None, pl.Utf8).alias("payroll"),
        flag.alias("flag"),
        (pl.col("EMP_F") if "EMP_F" in raw.columns else pl.lit(None, pl.Utf8)).alias("_emp_f"),
    )
    mask = (df["_emp_f"].is_not_null() & (df["_emp_f"].str.strip_chars() != "")).fill_null(False)
    why = ("API flag EMP_F=" + df["_emp_f"].fill_null("")).alias("why")
    df = _suppress(df, mask, why, str(path), log).drop("_emp_f")
    if "PAYANN_F" in raw.columns:
        pay_f = raw["PAYANN_F"].fill_null("").str.strip_chars()
        for i in (pay_f != "").arg_true().to_list():
            r = df.row(i, named=True)
            log.add("suppressed", f"annual payroll not published (PAYANN_F={pay_f[i]}); "
                    "set to null", file=str(path), line=int(r[LINE_COL]), field="PAYANN",
                    region=r["region"], industry=r["industry"], year=r["year"])
        df = df.with_columns(
            pl.when(pay_f != "").then(None).otherwise(pl.col("payroll")).alias("payroll")
        )
    return _finish(df, path, log)


# --- (c) official bulk files -------------------------------------------------------
def load_cbp_bulk(path: str | Path, year: int | None = None) -> LoadResult:
    """Load an official bulk file cbpYYco.txt / cbpYYst.txt / cbpYYus.txt.

    Year defaults to the YY in the file name. In the state and US files only the
    all-establishments rows (lfo "-") are kept; the number of legal-form breakdown
    rows left out is written to the IssueLog.
    """
    path = Path(path)
    yr = _need_year(path, year)
    raw = _read_text(path)
    need = {"naics", "emp", "est", "ap"}
    if not need <= set(raw.columns):
        raise DataError(
            f"not a CBP bulk file: need columns {sorted(need)}, found {raw.columns}",
            file=path, line=1,
        )
    log = IssueLog()
    if "lfo" in raw.columns:
        other = raw.filter(pl.col("lfo").str.strip_chars() != "-").height
        raw = raw.filter(pl.col("lfo").str.strip_chars() == "-")
        if other:
            log.add("breakdown_rows", f"{other} legal-form (lfo) breakdown rows were left out; "
                    "the all-establishments rows (lfo '-') were kept", file=str(path))
    if "empszes" in raw.columns:  # size-class breakdowns: keep the all-sizes total
        other = raw.filter(pl.col("empszes").str.strip_chars() != "001").height
        raw = raw.filter(pl.col("empszes").str.strip_chars() == "001")
        if other:
            log.add("breakdown_rows", f"{other} size-class (empszes) breakdown rows were "
                    "left out; the all-sizes rows ('001') were kept", file=str(path))
    if "fipstate" in raw.columns and "fipscty" in raw.columns:
        region = pl.col("fipstate").str.zfill(2) + pl.col("fipscty").str.zfill(3)
    elif "fipstate" in raw.columns:
        region = pl.col("fipstate").str.zfill(2)
    else:
        region = pl.lit("US")
    emp_nf = (pl.col("emp_nf").str.strip_chars() if "emp_nf" in raw.columns
              else pl.lit(None, pl.Utf8))
    empflag = (pl.col("empflag").str.strip_chars() if "empflag" in raw.columns
               else pl.lit(None, pl.Utf8))
    ap_nf = (pl.col("ap_nf").str.strip_chars() if "ap_nf" in raw.columns
             else pl.lit(None, pl.Utf8))
    df = raw.select(
        pl.col(LINE_COL).cast(pl.Int64),
        region.alias("region"),
        pl.col("naics").map_elements(normalize_naics, return_dtype=pl.Utf8).alias("industry"),
        pl.lit(yr, dtype=pl.Int32).alias("year"),
        pl.col("emp").alias("employment"),
        pl.col("est").alias("establishments"),
        pl.when(ap_nf.is_in(list(WITHHELD_NOISE))).then(None).otherwise(pl.col("ap")).alias("payroll"),
        pl.when(emp_nf.is_in(list(NOISE_FLAGS))).then(emp_nf).otherwise(None).alias("flag"),
        empflag.alias("_empflag"),
        emp_nf.alias("_emp_nf"),
        ap_nf.alias("_ap_nf"),
    )
    ef = df["_empflag"].fill_null("")
    nf = df["_emp_nf"].fill_null("")
    by_range = ef.is_in(list(EMPFLAG_RANGES))
    by_noise = nf.is_in(list(WITHHELD_NOISE))
    mask = by_range | by_noise
    why = pl.Series([
        f"empflag {e}: {EMPFLAG_RANGES[e]} employees" if e in EMPFLAG_RANGES
        else f"emp_nf {n}: {WITHHELD_NOISE.get(n, '')}"
        for e, n in zip(ef.to_list(), nf.to_list())
    ])
    for i in df["_ap_nf"].fill_null("").is_in(list(WITHHELD_NOISE)).arg_true().to_list():
        r = df.row(i, named=True)
        log.add("suppressed", f"annual payroll not published (ap_nf {r['_ap_nf']}); set to null",
                file=str(path), line=int(r[LINE_COL]), field="ap",
                region=r["region"], industry=r["industry"], year=r["year"])
    df = _suppress(df, mask, why, str(path), log).drop("_empflag", "_emp_nf", "_ap_nf")
    return _finish(df, path, log)


# --- detection ---------------------------------------------------------------------
def detect_cbp_layout(path: str | Path) -> str:
    """Return "extract", "api_json" or "bulk"; DataError saying why when none matches."""
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", file=path)
    with path.open("r", encoding="utf-8", errors="replace") as fh:
        head = fh.read(4096)
    first = head.lstrip()
    if first.startswith("["):
        return "api_json"
    header_line = head.splitlines()[0] if head else ""
    cols = {c.strip().strip('"').lower() for c in header_line.split(",")}
    if {"naics", "emp", "est", "ap"} <= cols:
        return "bulk"
    if "naics" in cols and {"establishments", "employees", "payroll"} <= cols and (
        "state" in cols or "fips" in cols
    ):
        return "extract"
    raise DataError(
        "not a known CBP layout. Expected one of: a Census API JSON response (starts "
        "with '['); a bulk file with columns naics, emp, est, ap (cbpYYco/st/us.txt); "
        "or an extract with state|fips, naics, establishments, employees, payroll. "
        f"Header found: {header_line[:200]!r}",
        file=path, line=1,
    )


def load_cbp(path: str | Path, year: int | None = None) -> LoadResult:
    """Detect the CBP layout of ``path`` and load it (see the module docstring).

    The IssueLog's first entry (kind "layout") says which layout was found.
    """
    layout = detect_cbp_layout(path)
    loader = {"extract": load_cbp_extract, "api_json": load_cbp_api_json,
              "bulk": load_cbp_bulk}[layout]
    result = loader(path, year)
    note = IssueLog()
    note.add("layout", f"read as CBP layout '{layout}'", file=str(path))
    note.extend(result.issues)
    result.issues = note
    return result
