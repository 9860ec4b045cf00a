"""Text similarity ignores the words nearly every record shares (document-frequency
cut-off) and weighs n-grams by Spärck Jones' idf ln(N/df); request sectors count as
industries only where they are codes."""

from __future__ import annotations

import math

import pytest

from klaster.matchmaking.suggest import (
    common_stems,
    drop_common,
    industry_codes,
    shared_terms,
    text_similarity,
)

# 12 texts: "demo" (or its Cyrillic/inflected forms) in all 12, "illustrative" in 7,
# "laser" in 2, "welding" in 2 — counted by hand.
TEXTS = [
    "Demo laser cutting illustrative", "Laser cutting demo illustrative",
    "Demo welding systems illustrative", "Welding research demo illustrative",
    "Demo bakery illustrative", "Demo dairy illustrative", "Demo brewery illustrative",
    "Демо пекарня", "Demonstracyjna piekarnia", "Demo software house", "Demo builders",
    "Demo heat pumps",
]


def test_common_stems_by_hand():
    # demo: 12/12 > 0.5; illu(strative): 7/12 > 0.5; lase(r): 2/12; cutt(ing): 2/12.
    assert common_stems(TEXTS) == {"demo", "illu"}
    assert common_stems(TEXTS, max_df=0.6) == {"demo"}  # 7/12 = 0.58 is not above 0.6
    assert common_stems(TEXTS[:5]) == frozenset()  # fewer than MIN_DOCS texts: no cut-off


def test_drop_common_removes_every_form_of_the_word():
    stems = frozenset({"demo"})
    assert drop_common("Demo laser; Демо; demonstracyjna piekarnia", stems).split() == [
        "laser;", ";", "piekarnia"]
    # Stop words of requests go too; short words are kept.
    assert drop_common("We seek a partner for laser", frozenset()).split() == [
        "We", "a", "for", "laser"]


def test_similarity_of_texts_sharing_only_common_words_is_zero():
    corpus = [*TEXTS, "Demo laser cutting illustrative"]
    # Texts 2 (laser) and 4 (bakery) share only "demo" and "illustrative": both are cut,
    # so nothing else is shared.
    full = text_similarity(corpus[:1], corpus[1:])
    bakery = 3  # index of "Demo bakery (illustrative)" in corpus[1:]
    assert full[0, bakery] == pytest.approx(0.0, abs=1e-12)
    # The last text is the first one again: identical after the cut, cosine 1.
    assert full[0, -1] == pytest.approx(1.0)


def test_idf_is_ln_n_over_df():
    """Two texts of single words: "aaaa" in both, "bbbb" in one. With idf = ln(N/df) the
    shared word weighs 0, so the cosine is 0; with scikit-learn's ln(N/df)+1 it would be
    > 0. Checked on the n-gram vectors through text_similarity."""
    sim = text_similarity(["aaaa bbbb"], ["aaaa"])
    assert sim[0, 0] == pytest.approx(0.0, abs=1e-12)
    # Three texts: "aaaa" in two of them (idf ln(3/2)), "bbbb" in one (ln 3). The 3-5-gram
    # vector of "aaaa bbbb" has the 6 n-grams of " aaaa " and the 6 of " bbbb ", each
    # tf 1, so the cosine with "aaaa" is ln(3/2)^2*6 / (sqrt(6*(ln(3/2)^2 + ln(3)^2)) *
    # sqrt(6*ln(3/2)^2)) = ln(3/2) / sqrt(ln(3/2)^2 + ln(3)^2).
    sim = text_similarity(["aaaa bbbb"], ["aaaa", "cccc"])
    a, b = math.log(3 / 2), math.log(3)
    assert sim[0, 0] == pytest.approx(a / math.sqrt(a * a + b * b))
    assert sim[0, 1] == 0.0


def test_reasons_leave_out_common_words():
    assert shared_terms("demo laser cutting", "demo laser cells",
                        common=frozenset({"demo"})) == ["laser"]


@pytest.mark.parametrize(("text", "codes"), [
    ("C25, C28", ["C25", "C28"]),
    ("25.62; 28", ["25.62", "28"]),
    ("metal processing, laser cutting", []),
    ("welding, C25, research, 72, C25", ["C25", "72"]),
    ("", []),
])
def test_industry_codes_from_sectors(text, codes):
    assert industry_codes(text) == codes
