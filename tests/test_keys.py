"""klaster._keys: text keys as integer codes over their sorted values.

The expectation is computed independently: the sorted distinct values with Python's
``sorted`` (bytewise order for ASCII text) and each row's position among them.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster._keys import coded_keys, text_codes

CODES = st.sampled_from(["1", "10", "100", "2", "20", "a", "b", "ab", "", "Z9"])


def expected(values: list[str]) -> tuple[list[int], list[str]]:
    labels = sorted(set(values))
    return [labels.index(v) for v in values], labels


@settings(max_examples=200, deadline=None)
@given(st.lists(CODES, min_size=1, max_size=60), st.lists(CODES, max_size=8))
def test_codes_with_and_without_a_hint_of_known_values(values, known):
    want_codes, want_labels = expected(values)
    s = pl.Series("industry", values)
    for hint in (None, pl.Series(known, dtype=pl.Utf8)):
        codes, labels = text_codes(s, hint)  # type: ignore[misc]
        assert codes.tolist() == want_codes
        assert labels.to_list() == want_labels


def test_hint_with_values_outside_it_over_many_rows():
    # Mostly known values (the hint is used), a few rows outside it sorted in between.
    values = ["200", "100", "300"] * 10_000 + ["150", "050"]
    s = pl.Series("industry", values)
    codes, labels = text_codes(s, pl.Series(["100", "200", "300", "400"]))  # type: ignore[misc]
    want_codes, want_labels = expected(values)
    assert labels.to_list() == want_labels == ["050", "100", "150", "200", "300"]
    assert codes.tolist() == want_codes


def test_coded_keys_gives_enums_with_the_same_text():
    frame = pl.DataFrame({"region": ["b", "a", "b"], "industry": ["2", "1", "9"]})
    out = coded_keys(frame, ("region", "industry"), known={"industry": pl.Series(["1", "2"])})
    assert out.schema["industry"] == pl.Enum(["1", "2", "9"])
    assert out["industry"].cast(pl.Utf8).to_list() == ["2", "1", "9"]
    assert out["region"].cast(pl.Utf8).to_list() == ["b", "a", "b"]
    assert np.array_equal(out["region"].to_physical().to_numpy(), [1, 0, 1])
