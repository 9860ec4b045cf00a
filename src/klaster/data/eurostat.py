"""Loader for Eurostat TSV files (dissemination API "format=TSV" and the old bulk files).

Format (Eurostat, "Migrating to API - TSV", and the legacy bulk download): tab separated;
the first column holds the comma-separated dimension codes, its header names the
dimensions and ends with ``\\TIME_PERIOD`` (API, with a ``freq`` dimension first, e.g.
``freq,nace_r2,indic_sbs,geo\\TIME_PERIOD``) or ``\\time`` (old bulk files, e.g.
``nace_r2,indic_sb,geo\\time``); then one column per period. A cell is a number and/or
":" (not available), optionally followed by one or more flag letters, with or without a
space: ``123``, ``123 p``, ``12.5 e``, ``13 i``, ``:``, ``: c``, ``1234 bep``, ``:z``.
Eurostat SDMX-CSV (one observation a row, ``TIME_PERIOD``, ``OBS_VALUE``, ``OBS_FLAG``,
``CONF_STATUS`` columns) is read too (_SdmxCsvReader), into the same table.

Flags (Eurostat, "Codes and flags", dissemination database; ``i`` is the old bulk files'
"see metadata" flag):

====  ===========================  =======================================================
flag  meaning                      klaster
====  ===========================  =======================================================
b     break in time series         value kept; ``b`` in the row's flag
c     confidential                 value null (even when one is printed), ``suppressed``
d     definition differs           value kept; ``d`` in the flag
e     estimated                    value kept; ``e``
f     forecast                     value kept; ``f``
i     see metadata (phased out)    value kept; ``i``
n     not significant              value kept; ``n``
p     provisional                  value kept; ``p``
r     revised                      value kept; ``r``
s     Eurostat estimate            value kept; ``s``
u     low reliability              value kept; ``u``
z     not applicable               value kept (usually ``:``); ``z``
====  ===========================  =======================================================

``:`` without ``c`` is ``missing``. A negative number (published wages of -8.3 million
EUR occur) is not a count: value null, ``negative`` in the flag, IssueLog
``negative_value`` with its line. Any other letter is kept in the flag column and
reported once per letter (IssueLog ``unknown_flag``, with its first line and the number
of cells): never fatal. A row's ``flag`` lists the distinct flags of its cells (all
indicators of that region × industry × year), sorted and comma separated (``"e,p"``).

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

Why these: cluster mapping counts jobs where they are (Delgado, Porter & Stern 2016 use
CBP employment by establishment location), so *persons employed* (V16110: employees plus
working proprietors and unpaid family workers, SBS definition) is employment, not the
number of employees (V16130), which misses the self-employed who are many in small NACE
classes; *local units* (V11210), not enterprises, are the counterpart of CBP
establishments because regional SBS counts activity in the region of the unit. Growth
rates and shares (V91290, V94310) are derived figures and are left out (reported as
``unmapped_indicator``). Pass ``indicators=`` for another choice.

Payroll in million EUR is multiplied by 1,000 so that payroll is in thousands of the
currency unit, like CBP payroll (USD 1,000).

Eurostat writes NACE codes as the section letter followed by the division/group/class
digits ("C", "C25", "C251", "C2511"). klaster stores them in the canonical NACE form of
klaster.taxonomy (``normalise_code(code, "nace2")``): sections as letters, everything
below as digits without the letter ("C", "25", "251", "2511"), so that Eurostat tables,
PKD and OKED data, user definitions and the NACE hierarchy (imputation) share one code
form. Every code is kept as it is: a file with sections, divisions and groups side by
side keeps all three levels (choosing one level is the definitions' job). Aggregates
(e.g. "B-S_X_K642", "C10-C12", "TOTAL") are not single NACE codes: they are left out of
the table and each one is reported in the IssueLog.

Bounded memory: the file is decompressed and parsed as a stream, block by block
(:func:`klaster.data.stream.iter_line_blocks`, with its stated size, ratio and line
limits), each block parsed with vectorised Polars expressions; only the mapped cells are
kept, in compact form (categorical codes, one bit mask of flags per cell). Per-cell
warnings (``suppressed``, ``missing``) are listed one by one up to ``max_issues`` per
kind; the rest are counted in one summary entry (every such cell stays marked in the
``flag`` column). Measured in benchmarks/bench_eurostat.py and docs/data.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from klaster.data.generic import LoadResult
from klaster.data.stream import (
    BLOCK_BYTES,
    MAX_DECOMPRESSED_BYTES,
    MAX_RATIO,
    iter_line_blocks,
)
from klaster.data.validate import LINE_COL, validate_stats
from klaster.errors import DataError, IssueLog
from klaster.taxonomy.codes import normalise_code

DEFAULT_INDICATORS: dict[str, str] = {
    "EMP_LOC_NR": "employment",
    "LOC_NR": "establishments",
    "WAGE_LOC_MEUR": "payroll",
    "V16110": "employment",
    "V11210": "establishments",
    "V13320": "payroll",
}
DEFAULT_SCALE: dict[str, float] = {"WAGE_LOC_MEUR": 1000.0, "V13320": 1000.0}

FLAGS: dict[str, str] = {
    "b": "break in time series", "c": "confidential", "d": "definition differs",
    "e": "estimated", "f": "forecast", "i": "see metadata", "n": "not significant",
    "p": "provisional", "r": "revised", "s": "Eurostat estimate", "u": "low reliability",
    "z": "not applicable",
}
MAX_ISSUES_PER_KIND = 10_000

_CELL = r"^(:|[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)?\s*([A-Za-z]+)?$"
_NACE = r"^[A-U](\d{2,4})?$"
# One bit per flag letter (a-z: 0-25; flags are read case-insensitively, Eurostat writes
# them in lower case), plus the derived states; a cell's flags fit one UInt32.
_MISSING, _SUPPRESSED, _NEGATIVE = 1 << 26, 1 << 27, 1 << 28
_TARGETS = ("employment", "establishments", "payroll")


def _letter_bit(ch: str) -> int:
    return 1 << (ord(ch.lower()) - 97)


def _bits_to_flag(bits: int) -> str | None:
    out = []
    if bits & _SUPPRESSED:
        out.append("suppressed")
    if bits & _MISSING:
        out.append("missing")
    if bits & _NEGATIVE:
        out.append("negative")
    for k in range(26):
        if bits & (1 << k):
            ch = chr(97 + k)
            if ch != "c":
                out.append(ch)
    return ",".join(sorted(out)) or None


def normalize_nace(code: str) -> str:
    """'C25.1' -> 'C251'; upper case; no dots (the Eurostat form)."""
    return code.strip().upper().replace(".", "")


class _Reader:
    """State of one streamed read: header, counters, capped per-cell warnings."""

    def __init__(self, path: Path, indicators, scale, filters, geo_dim, nace_dim,
                 max_issues: int) -> None:
        self.path, self.src = path, str(path)
        self.indicators, self.scale, self.filters = indicators, scale, filters
        self.geo_dim, self.nace_dim = geo_dim, nace_dim
        self.max_issues = max_issues
        self.log = IssueLog()
        self.unmapped: dict[str, int] = {}
        self.aggregates: dict[str, int] = {}
        self.unknown_flags: dict[str, list] = {}  # letter -> [cells, first line, period]
        self.cell_counts = {"suppressed": 0, "missing": 0}
        self.nace_cache: dict[str, str | None] = {}
        self.parts: list[pl.DataFrame] = []

    # -- header ------------------------------------------------------------------------
    def header(self, line: str) -> None:
        path = self.path
        if not line.strip():
            raise DataError("the file is empty", file=path, line=1)
        header = line.rstrip("\r\n").split("\t")
        first = header[0]
        if "\\" not in first:
            raise DataError(
                "not a Eurostat TSV: the first header cell should look like "
                "'freq,nace_r2,indic_sbs,geo\\TIME_PERIOD' (API) or "
                "'nace_r2,indic_sb,geo\\time' (bulk)", file=path, line=1, field=first)
        self.first = first
        self.dims = [d.strip() for d in first.split("\\")[0].split(",")]
        self.periods = [p.strip() for p in header[1:]]
        if not self.periods:
            raise DataError("no period columns after the dimension codes (a tab-separated "
                            "year per column is expected)", file=path, line=1, field=first)
        if len(set(self.periods)) != len(self.periods):
            raise DataError(f"a period appears twice in the header: {self.periods}",
                            file=path, line=1)
        for p in self.periods:
            if not (len(p) == 4 and p.isdigit()):
                raise DataError(f"only annual data is supported; period {p!r} is not a year",
                                file=path, line=1, field=p)
        ind_dims = [d for d in self.dims if d.startswith("indic")]
        for needed, label in ((self.geo_dim, "geo"), (self.nace_dim, "NACE")):
            if needed not in self.dims:
                raise DataError(f"no {label} dimension {needed!r} in {self.dims}",
                                file=path, line=1, field=first)
        if len(ind_dims) != 1:
            raise DataError(f"expected one indicator dimension (indic_*), found {ind_dims}",
                            file=path, line=1, field=first)
        self.ind_dim = ind_dims[0]
        self.other_dims = [d for d in self.dims
                           if d not in {self.geo_dim, self.nace_dim, self.ind_dim, "freq"}]
        self.seen_other: dict[str, set[str]] = {d: set() for d in self.other_dims}

    def _error_at(self, df: pl.DataFrame, mask: pl.Series, message, field=None):
        row = df.filter(mask).row(0, named=True)
        msg = message(row) if callable(message) else message
        raise DataError(msg, file=self.path, line=int(row["line"]), field=field)

    # -- one block of lines --------------------------------------------------------------
    def block(self, lines: list[str], first_line: int) -> None:
        if not lines:
            return
        n_per = len(self.periods)
        df = pl.DataFrame({"raw": lines}).with_row_index("line", offset=first_line)
        df = df.with_columns(pl.col("line").cast(pl.Int64)).filter(
            pl.col("raw").str.strip_chars() != "")
        if df.height == 0:
            return
        df = df.with_columns(pl.col("raw").str.split("\t").alias("cells")).drop("raw")
        nf = df["cells"].list.len()
        bad = nf != n_per + 1
        if bad.any():
            self._error_at(df.with_columns(nf.alias("nf")), bad,
                           lambda r: f"{r['nf'] - 1} values, header has {n_per} periods")
        keys = df["cells"].list.get(0).str.split(",")
        bad = keys.list.len() != len(self.dims)
        if bad.any():
            self._error_at(df.with_columns(keys.list.len().alias("nk")), bad,
                           lambda r: f"{r['nk']} dimension codes, header names "
                           f"{len(self.dims)}", field=self.first)
        df = df.with_columns(
            [keys.list.get(i).str.strip_chars().alias(f"d:{d}") for i, d in
             enumerate(self.dims)]
            + [pl.col("cells").list.get(k + 1).str.strip_chars().alias(f"c{k}")
               for k in range(n_per)]
        ).drop("cells")
        df = self._select_rows(df)
        if df is None:
            return
        scale = pl.col(f"d:{self.ind_dim}").replace_strict(
            {k: float(v) for k, v in self.scale.items()}, default=1.0,
            return_dtype=pl.Float64)
        cols = []
        for k, period in enumerate(self.periods):
            cols.extend(self._cells(df, k, period, scale))
        out = df.select(
            pl.col(f"d:{self.geo_dim}").alias("geo"), "nace",
            pl.col(f"d:{self.ind_dim}").alias("ind"), "line", *cols)
        self._cell_issues(out)
        self.parts.append(out.with_columns(
            pl.col("geo").cast(pl.Categorical), pl.col("nace").cast(pl.Categorical),
            pl.col("ind").cast(pl.Categorical)))

    def _select_rows(self, df: pl.DataFrame) -> pl.DataFrame | None:
        """Apply the filters, drop unmapped indicators and NACE aggregates (counted),
        add the canonical ``nace`` column; None when nothing is left."""
        for d in self.other_dims:
            if d in self.filters:
                df = df.filter(pl.col(f"d:{d}") == self.filters[d])
            else:
                self.seen_other[d].update(df[f"d:{d}"].unique().to_list())
        ind = pl.col(f"d:{self.ind_dim}")
        mapped = ind.is_in(list(self.indicators))
        for code, n in df.filter(~mapped).group_by(f"d:{self.ind_dim}").len().iter_rows():
            self.unmapped[code] = self.unmapped.get(code, 0) + n
        df = df.filter(mapped)
        if df.height == 0:
            return
        # NACE: Eurostat form -> canonical; aggregates -> None (counted, left out).
        for raw in df[f"d:{self.nace_dim}"].unique().to_list():
            if raw not in self.nace_cache:
                eu = normalize_nace(raw)
                ok = pl.Series([eu]).str.contains(_NACE)[0]
                self.nace_cache[raw] = normalise_code(eu, "nace2") if ok else None
        df = df.with_columns(pl.col(f"d:{self.nace_dim}").replace_strict(
            self.nace_cache, return_dtype=pl.Utf8).alias("nace"))
        for code, n in df.filter(pl.col("nace").is_null()).group_by(
                f"d:{self.nace_dim}").len().iter_rows():
            agg = normalize_nace(code)
            self.aggregates[agg] = self.aggregates.get(agg, 0) + n
        df = df.filter(pl.col("nace").is_not_null())
        return df if df.height else None

    def _cells(self, df: pl.DataFrame, k: int, period: str, scale: pl.Expr,
               years: pl.Series | None = None):
        """Parse period column k: value (Float64, scaled, null unless published) and a
        bit mask of its flags. Raises DataError at the first unreadable cell.
        ``period`` names the field in messages; ``years``: the year of each row when
        the column holds several (SDMX-CSV), else int(period)."""
        raw = df[f"c{k}"]
        parts = raw.str.extract_groups(_CELL)
        num, flag = parts.struct.field("1"), parts.struct.field("2")
        bad = ~raw.str.contains(_CELL)
        # A flag with neither a number nor ':' is read as ': flag' when every letter is
        # a Eurostat flag (": c" written "c"); otherwise the cell is not a value.
        lone = num.is_null() & flag.is_not_null()
        if lone.any():
            known = flag.str.contains(f"(?i)^[{''.join(FLAGS)}]+$").fill_null(False)
            bad = bad | (lone & ~known)
        if bad.any():
            self._error_at(df, bad, lambda r: (
                f"cannot read value {r[f'c{k}']!r} (expected a number and/or ':', "
                "optionally followed by flags such as 'p', 'e', 'c', '13 i', ': c')"),
                field=period)
        # Flag strings -> bit masks, via the few distinct strings of the block.
        mapping: dict[str, int] = {}
        for f in flag.drop_nulls().unique().to_list():
            bits = 0
            for ch in f.lower():
                bits |= _letter_bit(ch)
                if ch not in FLAGS:
                    first = int(df.filter(flag == f)["line"][0])
                    rec = self.unknown_flags.setdefault(ch, [0, first, period])
                    rec[0] += int((flag == f).sum())
                    if first < rec[1]:  # periods are read column by column
                        rec[1], rec[2] = first, period
            mapping[f] = bits
        letters = flag.replace_strict(mapping, default=0, return_dtype=pl.UInt32) \
            .fill_null(0)
        confidential = flag.str.contains("(?i)c").fill_null(False)
        not_avail = num.is_null() | (num == ":")
        value = pl.Series(num).replace(":", None).cast(pl.Float64, strict=False)
        # A published negative count (Eurostat prints e.g. wages of -8.3 million EUR
        # for NO06 B06 2014, a correction) cannot be a count: value null, row flagged
        # 'negative', each cell warned about with its line.
        neg = (value < 0).fill_null(False) & ~confidential
        if neg.any():
            yr = years if years is not None else pl.Series([int(period)] * df.height)
            for r in df.with_columns(yr.alias("__year")).filter(neg).select(
                    "line", f"c{k}", f"d:{self.geo_dim}", "nace", f"d:{self.ind_dim}",
                    "__year").iter_rows():
                self.log.add("negative_value", f"{r[4]} value {r[1]!r} is negative; not a "
                             "count, left empty", file=self.src, line=r[0], field=period,
                             region=r[2], industry=r[3], year=int(r[5]))
        bits = (letters
                | pl.Series(confidential).cast(pl.UInt32) * _SUPPRESSED
                | (not_avail & ~confidential).cast(pl.UInt32) * _MISSING
                | neg.cast(pl.UInt32) * _NEGATIVE)
        value = pl.select(pl.when(pl.lit(~confidential & ~neg)).then(pl.lit(value))
                          .otherwise(None)).to_series()
        return [(pl.lit(value) * scale).alias(f"v{k}"), pl.lit(bits).alias(f"m{k}")]

    def _cell_issues(self, out: pl.DataFrame) -> None:
        """Per-cell 'suppressed' / 'missing' warnings in line order, listed up to
        max_issues per kind (the rest are counted; see finish)."""
        texts = {"suppressed": "confidential (Eurostat flag 'c')",
                 "missing": "not available (':')"}
        found = []
        for kind, bit in (("suppressed", _SUPPRESSED), ("missing", _MISSING)):
            room = self.max_issues - min(self.cell_counts[kind], self.max_issues)
            hits = []
            for k in range(len(self.periods)):
                hit = out.filter((pl.col(f"m{k}") & bit) != 0)
                self.cell_counts[kind] += hit.height
                if room > 0 and hit.height:
                    hits.append(hit.head(room).select(
                        "line", "geo", "nace", "ind", pl.lit(k).alias("k"),
                        pl.lit(kind).alias("kind")))
            if hits:
                found.append(pl.concat(hits).sort("line", "k").head(room))
        if not found:
            return
        for r in pl.concat(found).sort("line", "k").iter_rows(named=True):
            period = self.periods[r["k"]]
            self.log.add(r["kind"], f"{r['ind']} {texts[r['kind']]}", file=self.src,
                         line=r["line"], field=period, region=r["geo"],
                         industry=r["nace"], year=int(period))

    # -- assembly -------------------------------------------------------------------------
    def finish(self) -> pl.DataFrame:
        path, src = self.path, self.src
        for d, values in self.seen_other.items():
            if len(values) > 1:
                raise DataError(
                    f"dimension {d!r} has several values {sorted(values)[:10]}; choose one "
                    f"with filters={{'{d}': ...}}", file=path, line=1, field=self.first)
        for kind, n in self.cell_counts.items():
            if n > self.max_issues:
                self.log.add(kind, f"{n - self.max_issues:,} more {kind} cells not listed one "
                             f"by one (the first {self.max_issues:,} are); each is marked "
                             f"'{kind}' in the flag column", file=src)
        for ch, (n, line, period) in sorted(self.unknown_flags.items()):
            self.log.add("unknown_flag", f"flag {ch!r} is not a Eurostat flag "
                         f"({' '.join(FLAGS)}); kept in the flag column ({n:,} cell(s), "
                         "first here)", file=src, line=line, field=period)
        for code, n in sorted(self.unmapped.items()):
            self.log.add("unmapped_indicator", f"indicator {code!r} ({n} lines) is not "
                         "mapped to a canonical column and was left out", file=src,
                         field=self.ind_dim)
        for code, n in sorted(self.aggregates.items()):
            self.log.add("aggregate_code", f"NACE aggregate {code!r} ({n} lines) is not a "
                         "single NACE code and was left out", file=src, field=self.nace_dim,
                         industry=code)
        if not self.parts:
            raise DataError("no data rows for the mapped indicators "
                            f"{sorted(self.indicators)}", file=path)
        rows = pl.concat(self.parts)
        self.parts = []
        n_per = len(self.periods)
        rows = rows.with_columns(pl.col("ind").cast(pl.Utf8).replace_strict(
            self.indicators, return_dtype=pl.Utf8).alias("target"))
        key = ["geo", "nace", "target"]
        dup = rows.group_by(key).agg(pl.col("line").sort().head(2), pl.len()) \
            .filter(pl.col("len") > 1)
        if dup.height:
            first = dup.sort(pl.col("line").list.get(1)).row(0, named=True)
            lines = first["line"]
            raise DataError(
                f"duplicate {first['target']} value for geo={first['geo']}, "
                f"{self.nace_dim}={first['nace']}: lines {lines[0]} and {lines[1]}"
                + (f" (filter the dimension(s) {self.other_dims})" if self.other_dims
                   else ""), file=path, line=lines[1], field=self.first)
        # Join the indicators line by line (one row per geo x NACE, all periods), then
        # turn the periods into rows: cheaper than joining after unpivoting.
        wide = None
        present = []
        for target in _TARGETS:
            sub = rows.filter(pl.col("target") == target).select(
                "geo", "nace", pl.col("line").alias(f"l_{target}"),
                *[pl.col(f"v{k}").alias(f"v{k}_{target}") for k in range(n_per)],
                *[pl.col(f"m{k}").alias(f"m{k}_{target}") for k in range(n_per)])
            if sub.height == 0:
                continue
            present.append(target)
            rows = rows.filter(pl.col("target") != target)
            wide = sub if wide is None else wide.join(sub, on=["geo", "nace"], how="full",
                                                      coalesce=True)
            del sub
        del rows
        lcols = [f"l_{t}" for t in present]
        # One row per geo x NACE, sorted; then one row per year, in year order, by
        # exploding per-row lists (no sort of the large table: it would copy it).
        wide = wide.with_columns(
            pl.col("geo").cast(pl.Utf8), pl.col("nace").cast(pl.Utf8),
            pl.min_horizontal(lcols).alias(LINE_COL),
        ).drop(lcols).sort("geo", "nace")
        order = sorted(range(n_per), key=lambda k: int(self.periods[k]))
        years = [int(self.periods[k]) for k in order]
        table = wide.select(
            pl.col("geo").alias("region"), pl.col("nace").alias("industry"),
            pl.lit(pl.Series(years, dtype=pl.Int32).implode()).first().alias("year"),
            *[(pl.concat_list([f"v{k}_{t}" for k in order]) if t in present
               else pl.lit(pl.Series([None] * n_per, dtype=pl.Float64).implode()).first()).alias(t)
              for t in _TARGETS],
            pl.concat_list([
                pl.reduce(lambda a, b: a | b,
                          [pl.col(f"m{k}_{t}").fill_null(0) for t in present])
                for k in order]).alias("bits"),
            LINE_COL,
        )
        del wide
        table = table.explode(["year", *_TARGETS, "bits"])
        flag_map = {b: _bits_to_flag(b) for b in table["bits"].unique().to_list()}
        return table.with_columns(
            pl.col("bits").replace_strict(flag_map, return_dtype=pl.Utf8).alias("flag")
        ).select("region", "industry", "year", *_TARGETS, "flag", LINE_COL)


class _SdmxCsvReader(_Reader):
    """Eurostat SDMX-CSV (API ``format=SDMX-CSV``): one observation a row, columns
    ``DATAFLOW, LAST UPDATE, freq, <dimensions>, TIME_PERIOD, OBS_VALUE, OBS_FLAG
    [, CONF_STATUS]``. Dimensions are the lower-case columns; a cell is OBS_VALUE (empty
    = ':') with the letters of OBS_FLAG, and CONF_STATUS C, D or N (confidential,
    secondary confidentiality, not for publication) adds the flag 'c'. Read in blocks
    like the TSV layouts; the same flags, filters, warnings and limits apply."""

    ATTRIBUTES = ("DATAFLOW", "LAST UPDATE", "TIME_PERIOD", "OBS_VALUE", "OBS_FLAG",
                  "CONF_STATUS", "STRUCTURE", "STRUCTURE_ID", "ACTION")

    def header(self, line: str) -> None:
        path = self.path
        text = line.rstrip("\r\n")
        self.sep = "\t" if "\t" in text else (";" if ";" in text and "," not in text
                                              else ",")
        cols = [c.strip().strip('"') for c in text.split(self.sep)]
        self.header_line, self.columns, self.first = text, cols, "TIME_PERIOD"
        self.dims = [c for c in cols if c not in self.ATTRIBUTES and c == c.lower()]
        ind_dims = [d for d in self.dims if d.startswith("indic")]
        for needed, label in ((self.geo_dim, "geo"), (self.nace_dim, "NACE")):
            if needed not in self.dims:
                raise DataError(f"no {label} dimension {needed!r} in {self.dims}",
                                file=path, line=1)
        if len(ind_dims) != 1:
            raise DataError(f"expected one indicator dimension (indic_*), found {ind_dims}",
                            file=path, line=1)
        self.ind_dim = ind_dims[0]
        self.other_dims = [d for d in self.dims
                           if d not in {self.geo_dim, self.nace_dim, self.ind_dim, "freq"}]
        self.seen_other = {d: set() for d in self.other_dims}
        self.periods = []

    def block(self, lines: list[str], first_line: int) -> None:
        import io

        numbered = [(first_line + i, ln) for i, ln in enumerate(lines) if ln.strip()]
        if not numbered:
            return
        text = self.header_line + "\n" + "\n".join(ln.rstrip("\r") for _, ln in numbered)
        try:
            df = pl.read_csv(io.BytesIO(text.encode("utf-8")), separator=self.sep,
                             infer_schema=False, has_header=True)
        except Exception as exc:  # noqa: BLE001 - polars raises several kinds here
            raise DataError(f"cannot read these SDMX-CSV lines ({str(exc).splitlines()[0]})",
                            file=self.path, line=numbered[0][0]) from None
        if df.height != len(numbered):
            raise DataError("SDMX-CSV lines with line breaks inside quotes are not "
                            "supported", file=self.path, line=numbered[0][0])
        df = df.with_columns(pl.Series("line", [n for n, _ in numbered], dtype=pl.Int64))
        df = df.rename({c: f"d:{c}" for c in self.dims})
        df = df.with_columns(pl.col(f"d:{d}").str.strip_chars() for d in self.dims)
        period = pl.col("TIME_PERIOD").str.strip_chars()
        bad = ~df.select(period.str.contains(r"^\d{4}$").fill_null(False)).to_series()
        if bad.any():
            self._error_at(df, bad, lambda r: "only annual data is supported; period "
                           f"{r['TIME_PERIOD']!r} is not a year", field="TIME_PERIOD")
        df = self._select_rows(df)
        if df is None:
            return
        flag = (pl.col("OBS_FLAG").fill_null("") if "OBS_FLAG" in df.columns
                else pl.lit(""))
        conf = (pl.when(pl.col("CONF_STATUS").str.strip_chars().is_in(["C", "D", "N"]))
                .then(pl.lit("c")).otherwise(pl.lit(""))
                if "CONF_STATUS" in df.columns else pl.lit(""))
        value = pl.col("OBS_VALUE").fill_null("").str.strip_chars()
        df = df.with_columns(
            pl.concat_str([pl.when(value == "").then(pl.lit(":")).otherwise(value),
                           pl.lit(" "), flag.str.strip_chars(), conf]).str.strip_chars()
            .alias("c0"),
            period.cast(pl.Int32).alias("year"))
        scale = pl.col(f"d:{self.ind_dim}").replace_strict(
            {k: float(v) for k, v in self.scale.items()}, default=1.0,
            return_dtype=pl.Float64)
        cols = self._cells(df, 0, "OBS_VALUE", scale, years=df["year"])
        out = df.select(pl.col(f"d:{self.geo_dim}").alias("geo"), "nace",
                        pl.col(f"d:{self.ind_dim}").alias("ind"), "line", "year", *cols)
        for kind, bit, text_ in (("suppressed", _SUPPRESSED, "confidential"),
                                 ("missing", _MISSING, "not available")):
            hit = out.filter((pl.col("m0") & bit) != 0)
            room = self.max_issues - min(self.cell_counts[kind], self.max_issues)
            self.cell_counts[kind] += hit.height
            for r in hit.head(max(room, 0)).iter_rows(named=True):
                self.log.add(kind, f"{r['ind']} {text_}", file=self.src, line=r["line"],
                             field="OBS_VALUE", region=r["geo"], industry=r["nace"],
                             year=r["year"])
        self.parts.append(out.with_columns(
            pl.col("geo").cast(pl.Categorical), pl.col("nace").cast(pl.Categorical),
            pl.col("ind").cast(pl.Categorical)))

    def finish(self) -> pl.DataFrame:
        if self.parts:
            rows = pl.concat(self.parts)
            self.periods = [str(y) for y in sorted(rows["year"].unique().to_list())]
            key = ["geo", "nace", "ind"]
            # One pseudo-line per geo x NACE x indicator, one column per year, so the
            # assembly of the TSV layouts applies unchanged.
            wide = None
            for k, p in enumerate(self.periods):
                part = rows.filter(pl.col("year") == int(p)).select(
                    *key, pl.col("line").alias(f"l{k}"), pl.col("v0").alias(f"v{k}"),
                    pl.col("m0").alias(f"m{k}"))
                dup = part.filter(pl.struct(key).is_duplicated())
                if dup.height:
                    r = dup.sort(f"l{k}").row(0, named=True)
                    lines = sorted(dup.filter((pl.col("geo") == r["geo"]) & (
                        pl.col("nace") == r["nace"]) & (pl.col("ind") == r["ind"]))[
                        f"l{k}"].to_list())
                    raise DataError(f"duplicate {r['ind']} value for geo={r['geo']}, "
                                    f"{self.nace_dim}={r['nace']}, year={p}: lines "
                                    f"{lines[0]} and {lines[1]}", file=self.path,
                                    line=lines[1], field="OBS_VALUE")
                wide = part if wide is None else wide.join(part, on=key, how="full",
                                                           coalesce=True)
            n = len(self.periods)
            self.parts = [wide.select(
                *key, pl.min_horizontal([f"l{k}" for k in range(n)]).alias("line"),
                *[pl.col(f"v{k}") for k in range(n)],
                *[pl.col(f"m{k}").fill_null(0) for k in range(n)])]
        self.first = "TIME_PERIOD"
        return super().finish()


def _is_sdmx_csv(first_line: str) -> bool:
    cols = {c.strip().strip('"') for c in first_line.replace("\t", ",").replace(";", ",")
            .split(",")}
    return {"TIME_PERIOD", "OBS_VALUE"} <= cols


def load_eurostat_tsv(
    path: str | Path,
    *,
    indicators: Mapping[str, str] | None = None,
    scale: Mapping[str, float] | None = None,
    filters: Mapping[str, str] | None = None,
    geo_dim: str = "geo",
    nace_dim: str = "nace_r2",
    max_bytes: int = MAX_DECOMPRESSED_BYTES,
    max_ratio: float = MAX_RATIO,
    max_issues: int = MAX_ISSUES_PER_KIND,
    block_bytes: int = BLOCK_BYTES,
    nuts_version: int | None = None,
    nuts_level: int | None = None,
) -> LoadResult:
    """Load a Eurostat TSV (.tsv or .tsv.gz) into the canonical statistics table.

    indicators: indicator code -> canonical column (employment | establishments |
    payroll); defaults to DEFAULT_INDICATORS. scale: indicator code -> factor applied
    to its values (default: million EUR -> thousand EUR). filters: dimension -> code for
    any other dimension with more than one value (e.g. {"unit": "NR"}).
    Returns LoadResult; region = the geo code (NUTS, as in the file: recode vintages with
    klaster.taxonomy.recode_nuts), industry = NACE code (canonical form), year = the
    period. Flags: see the module docstring. max_bytes / max_ratio: limits of the
    streamed decompression (klaster.data.stream); max_issues: per-cell warnings listed
    one by one per kind; block_bytes: bytes parsed at a time (memory vs. speed).
    nuts_version: recode every geo code to this NUTS version (2010, 2013, 2016, 2021)
    with klaster.taxonomy.recode_nuts (warnings name each code's first line).
    nuts_level: keep the regions of this NUTS level only (0-3); the others are counted
    in the IssueLog (klaster.taxonomy.nuts.keep_nuts_level).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", file=path)
    indicators = dict(DEFAULT_INDICATORS if indicators is None else indicators)
    bad_targets = set(indicators.values()) - set(_TARGETS)
    if bad_targets:
        raise DataError(f"indicators must map to employment/establishments/payroll, "
                        f"not {sorted(bad_targets)}")
    scale = dict(DEFAULT_SCALE if scale is None else scale)
    reader = _Reader(path, indicators, scale, dict(filters or {}), geo_dim, nace_dim,
                     max_issues)
    got_header = False
    for first_line, block in iter_line_blocks(path, block_bytes=block_bytes,
                                              max_bytes=max_bytes, max_ratio=max_ratio):
        try:
            text = block.decode("utf-8-sig" if first_line == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            line = first_line + block[: exc.start].count(b"\n")
            raise DataError("not UTF-8 text (Eurostat TSV files are UTF-8)", file=path,
                            line=line) from None
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if not got_header:
            if not lines:
                continue
            if _is_sdmx_csv(lines[0]):
                reader = _SdmxCsvReader(path, indicators, scale, dict(filters or {}),
                                        geo_dim, nace_dim, max_issues)
            reader.header(lines[0])
            got_header = True
            lines, first_line = lines[1:], first_line + 1
        reader.block(lines, first_line)
    if not got_header:
        raise DataError("the file is empty", file=path, line=1)
    df = reader.finish()
    if nuts_version is not None:
        from klaster.taxonomy.nuts import recode_nuts
        df = recode_nuts(df, nuts_version, issues=reader.log, source=str(path))
    if nuts_level is not None:
        from klaster.taxonomy.nuts import keep_nuts_level
        df = keep_nuts_level(df, nuts_level, issues=reader.log, source=str(path))
    out, issues = validate_stats(df, source=path)
    reader.log.extend(issues)
    return LoadResult(table=out, issues=reader.log, source=str(path))
