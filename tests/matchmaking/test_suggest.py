"""Partner suggestions: correctness properties on constructed registries and on the
hand-labelled multilingual test set (no precision is asserted: the benchmark reports it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.errors import DataError
from klaster.matchmaking import (
    COMPONENTS,
    DEFAULT_WEIGHTS,
    match_requests,
    shared_terms,
    suggest,
    text_similarity,
    translit,
)
from klaster.registry_tables import RegistryTables

DATA = Path(__file__).resolve().parents[1] / "data" / "matchmaking"


def small_registry(**extra_requests) -> RegistryTables:
    orgs = [
        {"id": 1, "name": "Laser Metal Works", "helix": "business", "industry_codes": ["25"],
         "region": "PL84"},
        {"id": 2, "name": "Welding Research Institute", "helix": "research",
         "industry_codes": ["72"], "region": "PL21"},
        {"id": 3, "name": "Machine Builder", "helix": "business", "industry_codes": ["28"],
         "region": "BY-HM"},
        {"id": 4, "name": "City Hall", "helix": "public", "industry_codes": ["84"],
         "region": "PL84"},
        {"id": 5, "name": "Bakery", "helix": "business", "industry_codes": ["10"],
         "region": "LT01"},
    ]
    requests = [
        {"id": 10, "organisation_id": 1, "kind": "seek", "topic": "R&D partner for laser cutting",
         "description": "We seek research on laser cutting of thick steel.", "sectors": "25",
         "countries": "", "status": "open"},
        {"id": 11, "organisation_id": 3, "kind": "offer", "topic": "Laser cutting capacity",
         "description": "We offer laser cutting and bending.", "sectors": "28",
         "countries": "", "status": "open"},
        {"id": 12, "organisation_id": 5, "kind": "seek", "topic": "Flour supplier",
         "description": "Bakery seeks flour.", "sectors": "10", "countries": "",
         "status": "open"},
        {"id": 13, "organisation_id": 4, "kind": "offer", "topic": "Laser cutting old offer",
         "description": "closed", "sectors": "84", "countries": "", "status": "closed"},
    ]
    return RegistryTables.from_frames(organisations=orgs, partner_requests=requests)


def test_columns_and_ranks():
    s = suggest(small_registry(), 10, k=3)
    assert s.columns == ["request_id", "rank", "candidate_kind", "candidate_id",
                         "organisation_id", "name", "score", *COMPONENTS, "reasons",
                         "reason_messages"]
    assert s["rank"].to_list() == [1, 2, 3]
    assert s["score"].is_sorted(descending=True)


def test_never_own_organisation_and_candidate_requests():
    s = suggest(small_registry(), 10, k=20)
    assert 1 not in s["organisation_id"].to_list()
    reqs = s.filter(pl.col("candidate_kind") == "request")["candidate_id"].to_list()
    # Only open requests of the opposite kind: 11 (offer). 12 is a seek, 13 is closed.
    assert reqs == [11]
    assert s.filter(pl.col("candidate_kind") == "organisation").height == 4


def test_helix_cue_and_reason():
    s = suggest(small_registry(), 10, k=10)
    inst = s.filter((pl.col("candidate_kind") == "organisation")
                    & (pl.col("candidate_id") == 2)).row(0, named=True)
    assert inst["helix"] == 1.0  # "R&D" / "research" in the request, candidate research
    assert "seeks R&D; candidate is a research body" in inst["reasons"]
    bakery = s.filter(pl.col("candidate_id") == 5).row(0, named=True)
    assert bakery["helix"] == pytest.approx(0.6)  # HELIX_MATRIX business -> business


def test_relatedness_from_proximity_table():
    prox = pl.DataFrame({"industry_a": ["25"], "industry_b": ["28"], "proximity": [0.62]})
    s = suggest(small_registry(), 10, k=10, proximity=prox)
    machine = s.filter((pl.col("candidate_kind") == "organisation")
                       & (pl.col("candidate_id") == 3)).row(0, named=True)
    assert machine["relatedness"] == pytest.approx(0.62)
    assert "industries 25 and 28 are related (proximity 0.62)" in machine["reasons"]
    # klaster.relatedness' own format (activity_1, activity_2) is read the same way.
    prox2 = prox.rename({"industry_a": "activity_1", "industry_b": "activity_2"})
    assert suggest(small_registry(), 10, proximity=prox2).equals(
        suggest(small_registry(), 10, proximity=prox))
    bakery = s.filter(pl.col("candidate_id") == 5).row(0, named=True)
    assert bakery["relatedness"] == 0.0
    with pytest.raises(DataError, match="proximity"):
        suggest(small_registry(), 10, proximity=pl.DataFrame({"a": ["1"]}))


def test_relatedness_fallback_same_division():
    s = suggest(small_registry(), 12, k=10)  # bakery, sector 10: no related candidate
    assert s["relatedness"].max() == 0.0
    s = suggest(small_registry(), 11, k=10)  # sector 28: org 1 is 25 -> different division
    row = s.filter(pl.col("candidate_id") == 1).row(0, named=True)
    assert row["relatedness"] == 0.0


def test_region_preferences():
    reg = small_registry()
    req = reg.partner_requests.with_columns(
        pl.when(pl.col("id") == 10).then(pl.lit("BY, LT")).otherwise(pl.col("countries"))
        .alias("countries"))
    reg = RegistryTables.from_frames(organisations=reg.organisations, partner_requests=req)
    s = suggest(reg, 10, k=10).filter(pl.col("candidate_kind") == "organisation")
    region = dict(s.select("candidate_id", "region").iter_rows())
    assert region == {2: 0.0, 3: 1.0, 4: 0.0, 5: 1.0}
    row = s.filter(pl.col("candidate_id") == 3).row(0, named=True)
    assert "in BY, a country the request asks for" in row["reasons"]
    # No list: same region 1, same country 0.7, elsewhere 0.4.
    s = suggest(small_registry(), 10, k=10).filter(pl.col("candidate_kind") == "organisation")
    assert dict(s.select("candidate_id", "region").iter_rows()) == pytest.approx(
        {2: 0.7, 3: 0.4, 4: 1.0, 5: 0.4})


def test_score_is_the_weighted_mean():
    w = {"relatedness": 1.0, "helix": 2.0, "region": 3.0, "text": 4.0}
    s = suggest(small_registry(), 10, k=10, weights=w)
    for r in s.iter_rows(named=True):
        expected = (r["relatedness"] + 2 * r["helix"] + 3 * r["region"] + 4 * r["text"]) / 10
        assert r["score"] == pytest.approx(expected)
    # Text alone: the best text match scores 1 (rescaled by the best cosine).
    s = suggest(small_registry(), 10, k=10, weights={"relatedness": 0, "helix": 0,
                                                     "region": 0, "text": 1})
    assert s["score"][0] == pytest.approx(1.0)
    # The request seeks "research on laser cutting": with idf = ln(N/df), "research"
    # (2 of the 9 texts: ln 4.5 = 1.50) outweighs "laser" (6 of 9: ln 1.5 = 0.41) and
    # "cutting", so the Welding Research Institute is the best text match, then the
    # laser-cutting offer.
    assert s["candidate_id"].to_list()[:2] == [2, 11]


def test_text_reason_shared_terms():
    s = suggest(small_registry(), 10, k=10)
    offer = s.filter(pl.col("candidate_kind") == "request").row(0, named=True)
    assert any("both mention" in r and "'laser'" in r and "'cutting'" in r
               for r in offer["reasons"])
    assert shared_terms("Cięcie laserowe blach", "laser cutting") == ["laserowe"]
    # Russian "резка" and Belarusian "рэзка" meet after transliteration.
    assert shared_terms("лазерная резка стали", "Лазерная рэзка і гібка") == ["лазерная",
                                                                             "резка"]
    assert shared_terms("bread and flour", "laser cutting") == []


def test_bad_arguments():
    reg = small_registry()
    with pytest.raises(DataError, match="no partner request with id 99"):
        suggest(reg, 99)
    with pytest.raises(DataError, match="unknown weight"):
        suggest(reg, 10, weights={"colour": 1.0})
    with pytest.raises(DataError, match="not all 0"):
        suggest(reg, 10, weights=dict.fromkeys(COMPONENTS, 0.0))
    with pytest.raises(DataError, match="k must be"):
        suggest(reg, 10, k=0)


def test_cross_language_text():
    a = ["cięcie laserowe blach stalowych"]
    b = ["laser cutting of steel sheets", "лазерная резка стали", "выпечка хлеба"]
    sim = text_similarity(a, b)[0]
    # Polish and English share "laser"; Russian "lazernaya" (transliterated) too. With
    # idf = ln(N/df) the n-grams of "laser", in 3 of the 4 texts, weigh ln(4/3) = 0.29
    # (scikit-learn's default gave them 1.29), so the cosine is small but positive.
    assert sim[0] > 0.02 and sim[2] == 0
    assert sim[1] > sim[2]
    assert translit("Лазерная рэзка") == "lazernaya rezka"


texts = st.text(alphabet=st.sampled_from(list("abcłęśдлазерні ")), min_size=0, max_size=40)


@settings(max_examples=50, deadline=None)
@given(a=st.lists(texts, min_size=1, max_size=4), b=st.lists(texts, min_size=1, max_size=4))
def test_text_similarity_symmetric_and_bounded(a, b):
    ab = text_similarity(a, b)
    ba = text_similarity(b, a)
    assert np.allclose(ab, ba.T)
    assert ((ab >= 0) & (ab <= 1)).all()


@settings(max_examples=25, deadline=None)
@given(w=st.fixed_dictionaries({c: st.floats(0, 5) for c in COMPONENTS}).filter(
    lambda d: sum(d.values()) > 0.01))
def test_scores_in_unit_interval(w):
    s = suggest(small_registry(), 10, k=20, weights=w)
    for c in ("score", *COMPONENTS):
        assert s[c].is_between(0, 1).all(), c


# ------------------------------------------------------------- hand-labelled set ---------

@pytest.fixture(scope="module")
def testset():
    orgs = pl.read_csv(DATA / "organisations.csv", schema_overrides={"industry_codes": pl.Utf8})
    profiles = orgs.select(pl.col("id").alias("organisation_id"), "profile")
    orgs = orgs.drop("profile").with_columns(pl.col("industry_codes").str.split("|"))
    requests = pl.read_csv(DATA / "partner_requests.csv", infer_schema=False).with_columns(
        pl.col("id", "organisation_id").cast(pl.Int64))
    labels = pl.read_csv(DATA / "labels.csv")
    reg = RegistryTables.from_frames(str(DATA), organisations=orgs, partner_requests=requests)
    return reg, profiles, labels


def test_testset_shape(testset):
    reg, _profiles, labels = testset
    assert reg.organisations.height >= 150 and reg.partner_requests.height >= 50
    own = dict(reg.partner_requests.select("id", "organisation_id").iter_rows())
    assert set(labels["request_id"]) == set(own)
    assert set(labels["good_organisation_id"]) <= set(reg.organisations["id"])
    assert all(own[r] != g for r, g in labels.iter_rows())
    # Four languages: Latin-only Polish/English and Cyrillic Russian/Belarusian requests.
    texts = " ".join(reg.partner_requests["topic"] + " " + reg.partner_requests["description"])
    assert all(mark in texts for mark in ("ł", "ў", "ы", " for "))


def test_match_requests_on_testset(testset):
    reg, profiles, _labels = testset
    allm = match_requests(reg, k=7, profiles=profiles)
    assert allm["request_id"].n_unique() == reg.partner_requests.height
    own = dict(reg.partner_requests.select("id", "organisation_id").iter_rows())
    assert all(own[r] != o for r, o in allm.select("request_id", "organisation_id").iter_rows())
    assert allm.group_by("request_id").len()["len"].unique().to_list() == [7]
    assert allm["reasons"].list.len().min() >= 1
    # One fit for all requests gives the same as asking one by one.
    one = suggest(reg, 3, k=7, profiles=profiles)
    assert one.equals(allm.filter(pl.col("request_id") == 3))
    assert DEFAULT_WEIGHTS == {"relatedness": 0.25, "helix": 0.15, "region": 0.15, "text": 0.45}


def test_country_from_cluster_when_region_is_a_name():
    from datetime import date

    orgs = [{"id": 1, "name": "A", "helix": "business", "region": "Podlaskie"},
            {"id": 2, "name": "B", "helix": "business", "region": "Minsk"},
            {"id": 3, "name": "C", "helix": "business", "region": "PL21"}]
    reg = RegistryTables.from_frames(
        organisations=orgs,
        clusters=[{"id": 7, "status": "operating", "country": "BY"}],
        memberships=[{"organisation_id": 2, "cluster_id": 7, "joined": date(2020, 1, 1)}],
        partner_requests=[{"id": 1, "organisation_id": 3, "kind": "seek", "topic": "x",
                           "countries": "by", "status": "open"}])
    s = suggest(reg, 1)
    # "Podlaskie" has no country code and no cluster: unknown, so not a preferred country.
    assert dict(s.select("candidate_id", "region").iter_rows()) == {1: 0.0, 2: 1.0}


@pytest.mark.parametrize("lang", ["pl", "be", "ru"])
def test_reasons_are_messages_rendered_in_each_language(lang):
    """``reason_messages`` hold the reasons as codes + parameters: English = ``reasons``,
    and no English word of a reason's msgid is left in pl, be or ru."""
    import json
    import re

    from klaster.matchmaking.suggest import CUE_LABEL, HELIX_NOUN
    from klaster.messages import MESSAGES, render

    prox = pl.DataFrame({"industry_a": ["25"], "industry_b": ["28"], "proximity": [0.62]})
    s = suggest(small_registry(), 10, k=10, proximity=prox)
    english = set()
    for code, spec in MESSAGES.items():
        if code.startswith("match."):
            english |= {p.strip(" ;,()") for p in re.split(r"%\(\w+\)s", spec.msgid)}
    english |= set(HELIX_NOUN.values()) | set(CUE_LABEL.values())
    english = {e for e in english if re.search(r"[a-z]{3,}", e)}
    codes = set()
    for row in s.iter_rows(named=True):
        msgs = [json.loads(m) for m in row["reason_messages"]]
        assert [render(m) for m in msgs] == row["reasons"]
        for m in msgs:
            codes.add(m["code"])
            text = render(m, lang)
            left = [e for e in english if re.search(rf"\b{re.escape(e)}\b", text)]
            assert not left, (lang, text, left)
    assert {"match.cue.seek", "match.related"} <= codes
    inst = s.filter(pl.col("candidate_id") == 2).row(0, named=True)
    assert render(json.loads(inst["reason_messages"][0]), "pl") == (
        "szuka: B+R; kandydat: jednostka naukowa")
