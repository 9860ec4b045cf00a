"""Property tests of every loader through the CLI (``klaster load``), black-box.

Whatever bytes a file holds, the command ends with exit code 0 (and a table equal to the
data written) or exit code 2 with a one-line error that names the file (and the line
where a line is known) — never a traceback, never an output file or a temporary left
behind. The terminal is 40 columns wide on purpose: error lines must not be wrapped.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import math
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from klaster.cli import app

runner = CliRunner()
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FIX = Path(__file__).parent / "fixtures"

CYRILLIC = ["Минская вобласць", "Гомель", "Гродно", "Брэст", "Витебск"]
POLISH = ["Łódź", "Brześć Kujawski", "Zielona Góra", "Białystok", "Suwałki"]
ASCII = ["Podlaskie", "PL84", "Mazowieckie", "Grodno", "Minsk"]
HEADER = ["region", "industry", "year", "employment"]


def run(*args) -> tuple[int, str, BaseException | None]:
    res = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "40"})
    return res.exit_code, res.output, res.exception


def assert_clean_failure(code, output, exc, path: Path, out_dir: Path, line=None):
    assert code == 2, output
    assert isinstance(exc, SystemExit), repr(exc)
    assert "Traceback" not in output
    assert path.name in output, output
    if line is not None:
        assert f"line {line}" in output, output
    assert list(out_dir.iterdir()) == [], "nothing may be written on an error"


@st.composite
def tables(draw, names=None):
    """Rows (region, industry, year, employment) with unique keys."""
    pool = names or draw(st.sampled_from([CYRILLIC, POLISH, ASCII]))
    n = draw(st.integers(1, 8))
    keys = draw(st.lists(st.tuples(st.sampled_from(pool), st.sampled_from(
        ["C10", "C11", "01.11", "0100", "J62"]), st.integers(2015, 2023)),
        min_size=n, max_size=n, unique=True))
    values = draw(st.lists(st.integers(0, 10**9), min_size=n, max_size=n))
    return [[r, i, str(y), str(v)] for (r, i, y), v in zip(keys, values)], pool


def encode(rows, header, delimiter, encoding) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def encodings_for(pool):
    encs = ["utf-8", "utf-8-sig", "utf-16"]
    if pool is CYRILLIC:
        encs.append("cp1251")
    if pool is POLISH:
        encs.append("cp1250")
    return st.sampled_from(encs)


@SETTINGS
@given(data=st.data(), delimiter=st.sampled_from([",", ";", "\t", "|"]),
       gz=st.booleans())
def test_valid_tables_in_any_encoding_and_delimiter_load_exactly(data, delimiter, gz):
    rows, pool = data.draw(tables())
    encoding = data.draw(encodings_for(pool))
    body = encode(rows, HEADER, delimiter, encoding)
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / ("in.csv.gz" if gz else "in.csv")
        src.write_bytes(gzip.compress(body) if gz else body)
        out = Path(d) / "out.parquet"
        # Region names stay as written (--region-names none): this checks the reading.
        code, output, _ = run("load", src, "-f", "table", "-o", out, "--region-names", "none")
        assert code == 0, output
        got = pl.read_parquet(out)
        want = {(r, i, int(y)): float(v) for r, i, y, v in rows}
        assert {(r["region"], r["industry"], r["year"]): r["employment"]
                for r in got.iter_rows(named=True)} == want


CORRUPTIONS = ["ragged_short", "ragged_long", "unclosed_quote", "nan", "inf", "huge",
               "text", "empty_key"]


@SETTINGS
@given(data=st.data(), kind=st.sampled_from(CORRUPTIONS),
       delimiter=st.sampled_from([",", ";", "\t"]))
def test_each_corruption_is_named_by_file_and_line(data, kind, delimiter):
    rows, pool = data.draw(tables())
    encoding = data.draw(encodings_for(pool))
    k = data.draw(st.integers(0, len(rows) - 1))
    row = list(rows[k])
    if kind == "ragged_short":
        row = row[:-1]
    elif kind == "ragged_long":
        row = [*row, "7"]
    elif kind == "unclosed_quote":
        row[1] = '"' + row[1]
    elif kind == "empty_key":
        row[0] = ""
    else:
        row[3] = {"nan": data.draw(st.sampled_from(["nan", "NaN", "-nan"])),
                  "inf": data.draw(st.sampled_from(["inf", "-inf", "1e400", "Infinity"])),
                  "huge": "1e300", "text": "12 000 jobs"}[kind]
    rows = [*rows[:k], row, *rows[k + 1:]]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_NONE,
                   escapechar="\\", quotechar="\x07")
    w.writerow(HEADER)
    w.writerows(rows)
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "bad.csv"
        src.write_bytes(buf.getvalue().encode(encoding))
        out_dir = Path(d) / "out"
        out_dir.mkdir()
        code, output, exc = run("load", src, "-f", "table", "-o", out_dir / "t.xlsx")
        assert_clean_failure(code, output, exc, src, out_dir, line=k + 2)
        if kind in ("nan", "inf", "huge", "text"):
            assert "field 'employment'" in output


@SETTINGS
@given(data=st.binary(max_size=600), name=st.sampled_from(
    ["x.csv", "x.txt", "x.csv.gz", "x.parquet", "x.xlsx", "cbp21st.txt", "cbp2021_x.csv"]))
def test_arbitrary_bytes_never_crash(data, name):
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / name
        src.write_bytes(data)
        out_dir = Path(d) / "out"
        out_dir.mkdir()
        code, output, exc = run("load", src, "-o", out_dir / "t.csv")
        assert code in (0, 2), output
        if code == 2:
            assert_clean_failure(code, output, exc, src, out_dir)


def _mutate(data: bytes, draw) -> bytes:
    how = draw(st.sampled_from(["truncate", "flip", "insert", "delete_line", "dup_line"]))
    if not data:
        return data
    i = draw(st.integers(0, len(data) - 1))
    if how == "truncate":
        return data[:i]
    if how == "flip":
        return data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1:]
    if how == "insert":
        return data[:i] + draw(st.binary(min_size=1, max_size=8)) + data[i:]
    lines = data.split(b"\n")
    j = draw(st.integers(0, len(lines) - 1))
    if how == "delete_line":
        return b"\n".join(lines[:j] + lines[j + 1:])
    return b"\n".join(lines[: j + 1] + lines[j:])


def _parquet_bytes(rows) -> bytes:
    buf = io.BytesIO()
    pl.DataFrame(rows, schema=HEADER, orient="row").write_parquet(buf)
    return buf.getvalue()


def _xlsx_bytes(rows, header) -> bytes:
    buf = io.BytesIO()
    pl.DataFrame(rows, schema=header, orient="row").write_excel(buf)
    return buf.getvalue()


SOURCES = {
    # name -> (file name, extra CLI arguments, bytes of a valid file)
    "cbp_bulk": ("cbp21st.txt", [], lambda: (FIX / "cbp21st.txt").read_bytes()),
    "cbp_county": ("cbp21co.txt", [], lambda: (FIX / "cbp21co.txt").read_bytes()),
    "cbp_json": ("cbp_2021_state.json", ["-f", "cbp"],
                 lambda: (FIX / "cbp_2021_state.json").read_bytes()),
    "cbp_extract": ("cbp2021_states.csv", [], lambda: (
        b"state,naics,establishments,employees,payroll\n"
        b"MI,336,1200,170000,9000000\nOH,336,900,100000,5000000\n")),
    "eurostat": ("sbs_sample.tsv", [], lambda: (
        FIX / "sbs_r_nuts2021_sample.tsv").read_bytes()),
    "eurostat_gz": ("sbs_sample.tsv.gz", [], lambda: gzip.compress(
        (FIX / "sbs_r_nuts2021_sample.tsv").read_bytes())),
    "parquet": ("t.parquet", ["-f", "table"], lambda: _parquet_bytes(
        [["PL84", "C10", 2021, 5.0], ["PL71", "C10", 2021, 7.0]])),
    "xlsx_mapped": ("t.xlsx", ["-f", "table", "--map", "region=woj", "--map",
                               "employment=pracujacy"],
                    lambda: _xlsx_bytes([["PL84", "C10", "2021", "5"]],
                                        ["woj", "industry", "year", "pracujacy"])),
    "csv_mapped": ("t.csv", ["-f", "table", "--map", "region=woj", "--map",
                             "employment=pracujacy", "--data-year", "2021"],
                   lambda: "woj;industry;pracujacy\nГродно;C10;5\nМинск;C11;6\n".encode(
                       "cp1251")),
}


@functools.cache
def valid_bytes(source: str) -> bytes:
    """The valid sample of ``source``, made once per run: an .xlsx written twice differs
    (its creation time), and hypothesis needs the same bytes when it replays a case."""
    return SOURCES[source][2]()


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_each_loader_reads_its_valid_sample(source, tmp_path):
    name, extra, make = SOURCES[source]
    src = tmp_path / name
    src.write_bytes(make())
    code, output, _ = run("load", src, *extra, "-o", tmp_path / "out.parquet")
    assert code == 0, output
    assert pl.read_parquet(tmp_path / "out.parquet").height > 0


@SETTINGS
@given(data=st.data(), source=st.sampled_from(sorted(SOURCES)))
def test_each_loader_survives_mutated_input(data, source):
    name, extra, _make = SOURCES[source]
    body = _mutate(valid_bytes(source), data.draw)
    if name.endswith(".gz") and data.draw(st.booleans()):
        body = gzip.compress(_mutate(gzip.decompress(valid_bytes(source)), data.draw))
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / name
        src.write_bytes(body)
        out_dir = Path(d) / "out"
        out_dir.mkdir()
        code, output, exc = run("load", src, *extra, "-o", out_dir / "t.parquet")
        assert code in (0, 2), output
        if code == 2:
            assert_clean_failure(code, output, exc, src, out_dir)
        else:
            t = pl.read_parquet(out_dir / "t.parquet")
            assert all(v is None or (math.isfinite(v) and v >= 0)
                       for v in t["employment"].to_list())


@SETTINGS
@given(value=st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e300, -1.0]))
def test_parquet_and_json_reject_non_finite_or_negative_counts(value):
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "t.parquet"
        pl.DataFrame({"region": ["A", "B"], "industry": ["C", "C"], "year": [2021, 2021],
                      "employment": [1.0, value]}).write_parquet(src)
        out_dir = Path(d) / "out"
        out_dir.mkdir()
        code, output, exc = run("load", src, "-f", "table", "-o", out_dir / "t.csv")
        assert_clean_failure(code, output, exc, src, out_dir, line=3)
        js = Path(d) / "cbp_2021_x.json"
        emp = "1e400" if math.isinf(value) else str(value)
        js.write_text(json.dumps([["NAICS2017", "EMP", "ESTAB", "PAYANN", "state"],
                                  ["00", emp, "3", "4", "10"]]))
        code, output, exc = run("load", js, "-f", "cbp", "-o", out_dir / "t.csv")
        assert_clean_failure(code, output, exc, js, out_dir, line=2)


def test_empty_and_header_only_files(tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for name, body in [("e.csv", b""), ("h.csv", b"region,industry,year,employment\n"),
                       ("bom.csv", b"\xef\xbb\xbf"), ("e.xlsx", b""), ("e.parquet", b""),
                       ("e.tsv", b""), ("cbp2021_e.csv", b"")]:
        src = tmp_path / name
        src.write_bytes(body)
        code, output, exc = run("load", src, "-o", out_dir / "t.csv")
        assert_clean_failure(code, output, exc, src, out_dir)


def test_cp1251_without_hint_and_wrong_hint(tmp_path):
    src = tmp_path / "by.csv"
    src.write_bytes("region,industry,year,employment\nМинская вобласць,C10,2021,5\n"
                    "Гомельская вобласць,C10,2021,6\n".encode("cp1251"))
    code, output, _ = run("load", src, "-o", tmp_path / "t.parquet")
    assert code == 0, output
    # Decoded right, the Belarusian names match the built-in oblasts (--region-names auto).
    assert sorted(pl.read_parquet(tmp_path / "t.parquet")["region"]) == ["BY-HO", "BY-MI"]
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, output, exc = run("load", src, "--encoding", "utf-8", "-o", out_dir / "t.csv")
    assert_clean_failure(code, output, exc, src, out_dir, line=2)
    assert "--encoding" in output


def test_semicolon_header_is_named_when_columns_are_missing(tmp_path):
    src = tmp_path / "s.csv"
    src.write_text("województwo;pkd;rok\nPodlaskie;C10;2021\n", encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, output, exc = run("load", src, "-f", "table", "-o", out_dir / "t.csv")
    assert_clean_failure(code, output, exc, src, out_dir, line=1)
    assert "województwo" in output and "found []" not in output


def test_gzip_bomb_is_stopped_at_the_limit(tmp_path, monkeypatch):
    from klaster.data import textio

    monkeypatch.setattr(textio, "MAX_DECOMPRESSED_BYTES", 1 << 20)
    src = tmp_path / "bomb.csv.gz"
    body = b"region,industry,year,employment\n" + b"A,C,2021,1\n" * 200_000
    src.write_bytes(gzip.compress(body))
    assert src.stat().st_size < 50_000
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, output, exc = run("load", src, "-f", "table", "-o", out_dir / "t.csv")
    assert_clean_failure(code, output, exc, src, out_dir)
    assert "exceeds the limit" in output


def test_excel_row_limit_is_checked_before_writing(tmp_path):
    from klaster.errors import DataError
    from klaster.reports import write_table

    df = pl.DataFrame({"a": pl.zeros(1_048_576, eager=True)})
    with pytest.raises(DataError, match="do not fit in an Excel sheet"):
        write_table(df, tmp_path / "big.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_multi_line_record_and_blank_lines_keep_editor_line_numbers(tmp_path):
    src = tmp_path / "m.csv"
    src.write_text('region,industry,year,employment\n"Pod\nlaskie",C10,2021,5\n\n'
                   "PL84,C11,2021,x\n", encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, output, exc = run("load", src, "-f", "table", "-o", out_dir / "t.csv")
    assert_clean_failure(code, output, exc, src, out_dir, line=5)
