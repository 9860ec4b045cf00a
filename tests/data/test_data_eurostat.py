import gzip
from pathlib import Path

import pytest

from klaster.data.eurostat import load_eurostat_tsv, normalize_nace
from klaster.errors import DataError

FIX = Path(__file__).parent / "fixtures"
NEW = FIX / "sbs_r_nuts2021_sample.tsv"
OLD = FIX / "sbs_r_nuts06_r2_sample.tsv"


def _rows(t):
    return {(r["region"], r["industry"], r["year"]): (r["employment"], r["establishments"],
                                                      r["payroll"], r["flag"])
            for r in t.iter_rows(named=True)}


def test_new_api_format():
    r = load_eurostat_tsv(NEW)
    rows = _rows(r.table)
    assert rows[("PL84", "C", 2021)] == (45000.0, 5200.0, 520500.0, None)
    # payroll: million EUR -> thousand EUR; flags p and e kept, joined
    assert rows[("PL84", "C", 2022)] == (46500.0, 5300.0, 560000.0, "e,p")
    assert rows[("PL84", "25", 2021)] == (None, 800.0, None, "suppressed")
    assert rows[("PL84", "25", 2022)] == (6100.0, None, pytest.approx(70200.0), "missing")
    assert rows[("PL71", "C", 2022)][0] == 125000.0
    assert len(rows) == 6
    kinds = r.issues.counts()
    assert kinds == {"suppressed": 2, "missing": 1, "aggregate_code": 1}
    agg = [i for i in r.issues if i.kind == "aggregate_code"][0]
    assert agg.industry == "B-S_X_K642"
    sup = [(i.line, i.field) for i in r.issues if i.kind == "suppressed"]
    assert sup == [(5, "2021"), (7, "2021")]


def test_old_bulk_format_and_unmapped_indicator():
    r = load_eurostat_tsv(OLD)
    rows = _rows(r.table)
    assert rows[("PL84", "C", 2016)] == (44000.0, 5100.0, pytest.approx(450300.0), None)
    # "5900 c": confidential with a value -> value not used
    assert rows[("PL84", "25", 2016)] == (None, 780.0, None, "suppressed")
    assert rows[("PL84", "25", 2015)] == (None, 770.0, pytest.approx(60400.0), "missing")
    assert r.issues.counts()["unmapped_indicator"] == 1


def test_gzip(tmp_path):
    gz = tmp_path / "sbs_r_nuts2021.tsv.gz"
    gz.write_bytes(gzip.compress(NEW.read_bytes()))
    assert load_eurostat_tsv(gz).table.equals(load_eurostat_tsv(NEW).table)


def test_custom_indicator_mapping():
    r = load_eurostat_tsv(NEW, indicators={"EMP_LOC_NR": "employment"})
    assert r.table["payroll"].null_count() == r.table.height
    assert r.issues.counts()["unmapped_indicator"] == 2


@pytest.mark.parametrize("raw, expected", [("C25", "C25"), ("c25.1", "C251"), ("C", "C")])  # Eurostat form, before taxonomy normalisation
def test_normalize_nace(raw, expected):
    assert normalize_nace(raw) == expected


def _write(tmp_path, text):
    p = tmp_path / "x.tsv"
    p.write_text(text)
    return p


def test_bad_cell_names_line_and_period(tmp_path):
    p = _write(tmp_path, "freq,nace_r2,indic_sbs,geo\\TIME_PERIOD\t2021 \nA,C,LOC_NR,PL84\t5200 \n"
                         "A,C25,LOC_NR,PL84\tabc\n")
    with pytest.raises(DataError) as e:
        load_eurostat_tsv(p)
    assert (e.value.file, e.value.line, e.value.field) == (str(p), 3, "2021")


def test_wrong_number_of_dimension_codes(tmp_path):
    p = _write(tmp_path, "freq,nace_r2,indic_sbs,geo\\TIME_PERIOD\t2021 \nA,C,PL84\t1 \n")
    with pytest.raises(DataError) as e:
        load_eurostat_tsv(p)
    assert e.value.line == 2 and e.value.field.startswith("freq,nace_r2")


def test_not_a_eurostat_header(tmp_path):
    p = _write(tmp_path, "region\tindustry\n")
    with pytest.raises(DataError) as e:
        load_eurostat_tsv(p)
    assert e.value.line == 1 and "TIME_PERIOD" in str(e.value)


def test_extra_dimension_needs_filter(tmp_path):
    text = ("freq,size_emp,nace_r2,indic_sbs,geo\\TIME_PERIOD\t2021 \n"
            "A,TOTAL,C,LOC_NR,PL84\t10 \nA,GE10,C,LOC_NR,PL84\t4 \n")
    p = _write(tmp_path, text)
    with pytest.raises(DataError) as e:
        load_eurostat_tsv(p)
    assert "size_emp" in str(e.value)
    r = load_eurostat_tsv(p, filters={"size_emp": "TOTAL"})
    assert r.table["establishments"].to_list() == [10.0]


def test_duplicate_indicator_cells_name_both_lines(tmp_path):
    p = _write(tmp_path, "nace_r2,indic_sb,geo\\time\t2016 \nC,V11210,PL84\t1 \nC,V11210,PL84\t2 \n")
    with pytest.raises(DataError, match="lines 2 and 3") as e:
        load_eurostat_tsv(p)
    assert e.value.line == 3


def test_quarterly_data_rejected(tmp_path):
    p = _write(tmp_path, "nace_r2,indic_sb,geo\\time\t2016Q1 \nC,V11210,PL84\t1 \n")
    with pytest.raises(DataError) as e:
        load_eurostat_tsv(p)
    assert e.value.field == "2016Q1" and e.value.line == 1
