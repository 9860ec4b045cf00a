"""Eurostat TSV: every flag alone or combined, both layouts, streamed reading with
stated limits, and the real sbs_r_nuts06_r2 file (issue 11 / issue 12)."""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from klaster.cli import app
from klaster.data import stream
from klaster.data.eurostat import FLAGS, load_eurostat_tsv
from klaster.data.stream import iter_line_blocks
from klaster.errors import DataError

OLD_HEAD = "nace_r2,indic_sb,geo\\time"
NEW_HEAD = "freq,nace_r2,indic_sbs,geo\\TIME_PERIOD"
IND = {"old": ("V16110", "V11210", "V13320"), "new": ("EMP_LOC_NR", "LOC_NR", "WAGE_LOC_MEUR")}


def _tsv(layout: str, rows: list[tuple[str, str, str, list[str]]], years: list[int]) -> str:
    """rows: (nace, indicator position 0/1/2, geo, cells)."""
    head = OLD_HEAD if layout == "old" else NEW_HEAD
    out = [head + "\t" + "\t".join(f"{y} " for y in years)]
    for nace, k, geo, cells in rows:
        keys = f"{nace},{IND[layout][int(k)]},{geo}"
        if layout == "new":
            keys = "A," + keys
        out.append(keys + "\t" + "\t".join(cells))
    return "\n".join(out) + "\n"


def _write(tmp_path: Path, text: str, name: str = "x.tsv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _expected(num: str, flags: str) -> tuple[float | None, set[str]]:
    """Independent reading of one cell: value and the flag tokens it adds to its row."""
    letters = set(flags.lower())
    tokens = {ch for ch in letters if ch != "c"}
    if "c" in letters:
        return None, tokens | {"suppressed"}
    if num == ":":
        return None, tokens | {"missing"}
    return float(num), tokens


cell_st = st.tuples(
    st.one_of(st.just(":"), st.integers(0, 10**7).map(str),
              st.decimals(0, 10**5, places=1).map(str)),
    st.lists(st.sampled_from(sorted(FLAGS)), max_size=4).map("".join),
    st.sampled_from(["", " ", "  "]),
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(cell_st, min_size=1, max_size=5), layout=st.sampled_from(["old", "new"]))
def test_every_flag_alone_or_combined(tmp_path_factory, cells, layout):
    tmp = tmp_path_factory.mktemp("flags")
    years = list(range(2020, 2020 - len(cells), -1))
    raw = [f"{num}{sep if flags else ''}{flags} " for num, flags, sep in cells]
    p = _write(tmp, _tsv(layout, [("C10", 0, "PL84", raw)], years))
    r = load_eurostat_tsv(p)
    got = {row["year"]: row for row in r.table.iter_rows(named=True)}
    for (num, flags, _sep), year in zip(cells, years):
        value, tokens = _expected(num, flags)
        assert got[year]["employment"] == value
        assert (got[year]["flag"] or "") == ",".join(sorted(tokens))
    assert "unknown_flag" not in r.issues.counts()


@pytest.mark.parametrize("cell, value, flag", [
    ("13 i", 13.0, "i"), (": c", None, "suppressed"), ("1234 bep", 1234.0, "b,e,p"),
    (":", None, "missing"), ("", None, "missing"), ("5 c", None, "suppressed"),
    (":z", None, "missing,z"), ("12e", 12.0, "e"), ("7 P", 7.0, "p"), ("c", None, "suppressed"),
    ("0 n", 0.0, "n"), ("1.5e3 u", 1500.0, "u"),
])
def test_flag_examples(tmp_path, cell, value, flag):
    p = _write(tmp_path, _tsv("old", [("C10", 0, "PL34", [cell])], [2015]))
    row = load_eurostat_tsv(p).table.row(0, named=True)
    assert (row["employment"], row["flag"]) == (value, flag)


def test_unknown_flag_is_kept_and_warned_with_its_line(tmp_path):
    p = _write(tmp_path, _tsv("new", [("C10", 0, "PL84", ["5 p", "6 x"]),
                                      ("C11", 0, "PL84", ["7 xq", "8"])], [2021, 2022]))
    r = load_eurostat_tsv(p)
    rows = {(x["industry"], x["year"]): x for x in r.table.iter_rows(named=True)}
    assert rows[("10", 2022)]["employment"] == 6.0 and rows[("10", 2022)]["flag"] == "x"
    assert rows[("11", 2021)]["flag"] == "q,x"
    unknown = {i.message.split("'")[1]: i for i in r.issues if i.kind == "unknown_flag"}
    assert set(unknown) == {"q", "x"}
    assert (unknown["x"].line, unknown["x"].field) == (2, "2022")
    assert "2 cell(s)" in unknown["x"].message


def test_both_layouts_give_the_same_table(tmp_path):
    rows = [("C", 0, "PL84", ["45000 ", "46500 p"]), ("C", 1, "PL84", ["5200 ", ": c"]),
            ("C", 2, "PL84", ["520.5 ", "560.0 e"]), ("C25", 0, "PL84", [": c", "13 i"])]
    old = load_eurostat_tsv(_write(tmp_path, _tsv("old", rows, [2021, 2022]), "o.tsv"))
    new = load_eurostat_tsv(_write(tmp_path, _tsv("new", rows, [2021, 2022]), "n.tsv"))
    assert old.table.equals(new.table)
    assert old.table.filter(pl.col("industry") == "C")["payroll"].to_list() == [520500.0,
                                                                                  560000.0]


def test_a_letter_cell_that_is_not_a_flag_is_an_error_with_line(tmp_path):
    p = _write(tmp_path, _tsv("old", [("C10", 0, "PL84", ["1"]), ("C11", 0, "PL84", ["abc"])],
                              [2015]))
    with pytest.raises(DataError) as e:
        load_eurostat_tsv(p)
    assert (e.value.line, e.value.field) == (3, "2015")


def test_negative_published_value_is_warned_not_fatal(tmp_path):
    p = _write(tmp_path, _tsv("old", [("B06", 2, "NO06", [": ", "-8.3 ", "15.0 "])],
                              [2015, 2014, 2013]))
    r = load_eurostat_tsv(p)
    row = r.table.filter(pl.col("year") == 2014).row(0, named=True)
    assert row["payroll"] is None and row["flag"] == "negative"
    neg = [i for i in r.issues if i.kind == "negative_value"]
    assert [(i.line, i.field) for i in neg] == [(2, "2014")]


def test_tiny_blocks_give_the_same_table_and_lines(tmp_path):
    rows = [(f"C{10 + i % 20}", i % 3, f"PL{i // 60}{i % 9}", [f"{i} ", ": c" if i % 7 else ":",
                                                               f"{i * 2} p"])
            for i in range(300)]
    p = _write(tmp_path, _tsv("new", rows, [2020, 2021, 2022]))
    whole = load_eurostat_tsv(p)
    small = load_eurostat_tsv(p, block_bytes=50)
    assert small.table.equals(whole.table)
    assert [(i.kind, i.line, i.field) for i in small.issues] == \
        [(i.kind, i.line, i.field) for i in whole.issues]
    bad = p.read_text().replace("PL48\t", "PL48\tzz ", 1)
    with pytest.raises(DataError) as e:
        load_eurostat_tsv(_write(tmp_path, bad, "bad.tsv"), block_bytes=64)
    lines = bad.splitlines()
    assert "PL48\tzz" in lines[e.value.line - 1]


def test_per_cell_warnings_are_capped_with_a_summary(tmp_path):
    rows = [("C10", 0, f"X{i:03d}", [": c", ":"]) for i in range(30)]
    r = load_eurostat_tsv(_write(tmp_path, _tsv("old", rows, [2015, 2014])), max_issues=5)
    sup = [i for i in r.issues if i.kind == "suppressed"]
    assert len(sup) == 6 and "25 more suppressed cells" in sup[-1].message
    assert r.table["flag"].to_list().count("suppressed") == 30


# --- bounded reading ------------------------------------------------------------------------


def test_gzip_bomb_is_refused_by_size(tmp_path):
    bomb = tmp_path / "bomb.tsv.gz"
    bomb.write_bytes(gzip.compress(
        (OLD_HEAD + "\t2015 \n").encode() + b"C10,V16110,PL84\t1 \n" * 2_000_000))
    assert bomb.stat().st_size < 200_000  # tiny on disk, ~40 MB unpacked
    with pytest.raises(DataError, match="decompression bomb") as e:
        load_eurostat_tsv(bomb, max_bytes=4 * 2**20)
    assert e.value.file == str(bomb)


def test_gzip_bomb_is_refused_by_ratio(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "RATIO_CHECK_AFTER", 2**20)
    bomb = tmp_path / "zeros.tsv.gz"
    bomb.write_bytes(gzip.compress(b"0" * (30 * 2**20)))
    with pytest.raises(DataError, match="ratio above the limit"):
        list(iter_line_blocks(bomb))


def test_a_file_without_line_breaks_is_refused(tmp_path):
    p = tmp_path / "one.tsv.gz"
    p.write_bytes(gzip.compress(b"x" * (3 * 2**20)))
    with pytest.raises(DataError, match="line longer than the limit"):
        list(iter_line_blocks(p, max_line=2**20, block_bytes=2**18))


def test_corrupt_gzip_and_non_utf8_name_file_and_line(tmp_path):
    good = gzip.compress((OLD_HEAD + "\t2015 \nC10,V16110,PL84\t1 \n").encode())
    p = tmp_path / "cut.tsv.gz"
    p.write_bytes(good[: len(good) - 12])
    with pytest.raises(DataError, match="gzip"):
        load_eurostat_tsv(p)
    q = tmp_path / "cp1251.tsv"
    q.write_bytes((OLD_HEAD + "\t2015 \nC10,V16110,PL84\t1 \n").encode()
                  + "C10,V16110,Минск\t1 \n".encode("cp1251"))
    with pytest.raises(DataError) as e:
        load_eurostat_tsv(q)
    assert e.value.line == 3 and "UTF-8" in str(e.value)


# --- the real file ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sbs_file(shared_data):
    path = shared_data / "eurostat" / "sbs_r_nuts06_r2.tsv.gz"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path


@pytest.mark.shared_data
def test_real_sbs_file_loads_and_podlaskie_c10_is_found_as_pl84(sbs_file):
    r = load_eurostat_tsv(sbs_file, nuts_version=2021)
    t = r.table
    row = t.filter((pl.col("region") == "PL84") & (pl.col("industry") == "10")
                   & (pl.col("year") == 2015)).row(0, named=True)
    assert row["employment"] == 14611.0
    assert t.filter(pl.col("region") == "PL34").height == 0
    assert t.filter(pl.col("region") == "PL91+PL92").height > 0
    # '13 i' (line 72, DE41) no longer stops the load; DE41 went into DE40
    assert any(i.kind == "nuts_recoded" and i.region == "DE41" and i.line == 72
               for i in r.issues)


@pytest.mark.shared_data
def test_cli_load_real_file(sbs_file, tmp_path):
    out = tmp_path / "eu.parquet"
    res = CliRunner().invoke(app, ["load", str(sbs_file), "--nuts-version", "2021", "-o",
                                   str(out)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    t = pl.read_parquet(out)
    assert t.filter((pl.col("region") == "PL84") & (pl.col("industry") == "10")
                    & (pl.col("year") == 2015))["employment"].to_list() == [14611.0]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["PL84", "PL21", "BY-HR", "ÄÖ"]),
                          st.sampled_from(["C", "10", "251"]),
                          st.integers(1990, 2030)), min_size=1, max_size=40))
def test_packed_duplicate_key_equals_the_struct_test(keys):
    from klaster.data.validate import _duplicated_key

    df = pl.DataFrame(keys, schema={"region": pl.Utf8, "industry": pl.Utf8,
                                    "year": pl.Int32}, orient="row")
    want = df.select(pl.struct("region", "industry", "year").is_duplicated()).to_series()
    assert _duplicated_key(df).to_list() == want.to_list()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(
    st.binary(max_size=300),
    st.text(alphabet=st.sampled_from(list("C10,V16110PL84:\t \n\r ecbpiz-.5x\\\"'")),
            max_size=300).map(str.encode)),
    gz=st.booleans(), header=st.booleans())
def test_malformed_input_is_a_data_error_or_a_table(tmp_path_factory, body, gz, header):
    """Whatever the bytes, the loader answers a table or a DataError naming the file —
    never another exception (issue 12)."""
    data = ((OLD_HEAD + "\t2015 \t2014 \n").encode() if header else b"") + body
    p = tmp_path_factory.mktemp("junk") / ("x.tsv.gz" if gz else "x.tsv")
    p.write_bytes(gzip.compress(data) if gz else data)
    try:
        r = load_eurostat_tsv(p)
    except DataError as exc:
        assert exc.file == str(p)
    else:
        assert set(r.table.columns) >= {"region", "industry", "year", "employment"}


@pytest.mark.parametrize("text, match", [
    ("nace_r2,indic_sb,geo\\time\nC10,V16110,PL84\n", "no period columns"),
    ("nace_r2,indic_sb,geo\\time\t2015 \t2015 \nC10,V16110,PL84\t1 \t2 \n", "twice"),
    ("nace_r2,indic_sb,geo\\time\t2015 \n", "no data rows"),
    ("", "empty"),
])
def test_header_problems_are_named(tmp_path, text, match):
    with pytest.raises(DataError, match=match) as e:
        load_eurostat_tsv(_write(tmp_path, text))
    assert e.value.file is not None


def test_crlf_and_blank_lines(tmp_path):
    p = tmp_path / "crlf.tsv"
    p.write_bytes(b"nace_r2,indic_sb,geo\\time\t2015 \r\n\r\nC10,V16110,PL84\t5 p\r\n\r\n")
    row = load_eurostat_tsv(p).table.row(0, named=True)
    assert (row["employment"], row["flag"]) == (5.0, "p")


# --- SDMX-CSV (API format=SDMX-CSV): one observation a row ---------------------------------

SDMX_HEAD = ("DATAFLOW,LAST UPDATE,freq,nace_r2,indic_sbs,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,"
             "CONF_STATUS")


def _sdmx(rows, years, conf_as_status: bool) -> str:
    out = [SDMX_HEAD]
    for nace, k, geo, cells in rows:
        for year, (num, flags) in zip(years, cells):
            status = ""
            if conf_as_status and "c" in flags:
                flags, status = flags.replace("c", ""), "C"
            value = "" if num == ":" else num
            out.append(f"ESTAT:SBS_R_NUTS2021(1.0),18/03/24 23:00:00,A,{nace},"
                       f"{IND['new'][int(k)]},{geo},{year},{value},{flags},{status}")
    return "\n".join(out) + "\n"


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.lists(st.tuples(st.sampled_from(["C", "C10", "C25", "G47"]), st.integers(0, 2),
                               st.sampled_from(["PL84", "PL71", "LT01"]),
                               st.lists(cell_st, min_size=2, max_size=2)),
                     min_size=1, max_size=12, unique_by=lambda r: r[:3]),
       conf_as_status=st.booleans())
def test_sdmx_csv_reads_like_the_tsv(tmp_path_factory, data, conf_as_status):
    tmp = tmp_path_factory.mktemp("sdmx")
    years = [2021, 2022]
    tsv_rows = [(n, k, g, [f"{num} {flags}".strip() if flags else num
                           for num, flags, _ in cells]) for n, k, g, cells in data]
    csv_rows = [(n, k, g, [(num, flags) for num, flags, _ in cells]) for n, k, g, cells in data]
    a = load_eurostat_tsv(_write(tmp, _tsv("new", tsv_rows, years), "a.tsv"))
    b = load_eurostat_tsv(_write(tmp, _sdmx(csv_rows, years, conf_as_status), "b.csv"))
    assert b.table.equals(a.table)
    assert b.issues.counts() == a.issues.counts()


def test_sdmx_csv_gz_and_cli_guess(tmp_path):
    rows = [("C", 0, "PL84", [("45000", ""), ("46500", "p")]),
            ("C25", 0, "PL84", [(":", "c"), ("13", "i")])]
    gz = tmp_path / "sbs_r_nuts2021.csv.gz"
    gz.write_bytes(gzip.compress(_sdmx(rows, [2021, 2022], True).encode()))
    out = tmp_path / "t.csv"
    res = CliRunner().invoke(app, ["load", str(gz), "-o", str(out)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    t = pl.read_csv(out, schema_overrides={"industry": pl.Utf8})
    assert t.filter(pl.col("industry") == "25")["flag"].to_list() == ["suppressed", "i"]


def test_sdmx_csv_bad_period_named(tmp_path):
    text = SDMX_HEAD + "\nX,Y,Q,C,LOC_NR,PL84,2021-Q1,5,,\n"
    with pytest.raises(DataError) as e:
        load_eurostat_tsv(_write(tmp_path, text, "q.csv"))
    assert (e.value.line, e.value.field) == (2, "TIME_PERIOD")
