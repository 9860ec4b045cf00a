"""klaster.reports.spreadsheet: the one formula-neutralising helper (OWASP CSV injection)."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from klaster.reports.spreadsheet import neutralise, neutralise_frame, neutralise_row

# OWASP's list, written out independently of the module's constant.
TRIGGERS = "=+-@\t\r"


def test_each_trigger_is_quoted_and_plain_text_is_not():
    for text in ("=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
                 "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    for text in ("Org A", "", "'=already", " =x", "5260250274"):
        assert neutralise(text) == text
    # Not text: numbers (negative ones too), None, dates stay as they are.
    assert neutralise_row([-5, 1.5, None, "=1"]) == [-5, 1.5, None, "'=1"]


@given(st.text())
def test_neutralised_text_never_starts_a_formula_and_keeps_the_text(text):
    out = neutralise(text)
    assert out[:1] not in set(TRIGGERS) or out == ""
    assert out == text or (out == "'" + text and text[:1] in TRIGGERS)


@given(st.lists(st.text(max_size=8), max_size=20))
def test_frame_and_scalar_agree(texts):
    df = pl.DataFrame({"t": texts, "n": [-1.0] * len(texts)},
                      schema={"t": pl.Utf8, "n": pl.Float64})
    out = neutralise_frame(df)
    assert out["t"].to_list() == [neutralise(t) for t in texts]
    assert out["n"].to_list() == [-1.0] * len(texts)
