"""Partner suggestions for partner requests, each with a score breakdown and its reasons.

A request (offer or seek) is scored against every organisation (except its own) and every
open request of the opposite kind from another organisation. Four components, each in
[0, 1], are combined as a weighted mean (weights ``DEFAULT_WEIGHTS``, overridable):

* ``relatedness`` — industry relatedness: the highest proximity between an industry of
  the request (its ``sectors``, else its organisation's codes) and one of the candidate's
  industries, read from a proximity table in the format of klaster.relatedness
  (Hidalgo et al. 2007 product space: ``activity_1, activity_2, proximity`` or
  ``industry_a, industry_b, proximity``). The same code counts 1. Without a table, codes
  of the same two-digit division count ``SAME_DIVISION``.
* ``helix`` — helix complementarity (Etzkowitz & Leydesdorff 2000): ``HELIX_MATRIX`` gives
  how useful a partner of each helix type is to a requester of each type (a documented
  judgement: firms gain most from research bodies and finance, research bodies from firms);
  when the request text asks for a helix explicitly ("R&D", "badania", "инвестор", …) a
  candidate of that helix scores 1.
* ``region`` — 1 when the candidate's country is one the request lists in ``countries``;
  with no list, 1 in the requester's region, ``SAME_COUNTRY`` in its country and
  ``OTHER_COUNTRY`` elsewhere.
* ``text`` — cosine similarity of TF-IDF vectors (idf = ln(N/df), Spärck Jones 1972) of
  character n-grams within word boundaries (scikit-learn ``analyzer="char_wb"``; character n-grams match across
  inflections and related languages, McNamee & Mayfield 2004). Cyrillic text is also
  transliterated to Latin letters so Russian/Belarusian words meet their Polish and
  English cognates ("технологии" ~ "technologie"). Request text = topic + description;
  organisation text = name + profile (optional ``profiles`` table) + its own offers.
  Words that more than ``MAX_DF`` of the texts share are dropped before the n-grams are
  counted (a corpus-specific stop list by document frequency: Luhn's upper cut-off, 1958;
  Manning, Raghavan & Schütze 2008, §2.2.2; scikit-learn's ``max_df``): in a registry
  where every record says "demo" or "illustrative", those words tell nothing about a
  partner, and TF-IDF alone does not remove them (scikit-learn's idf adds 1, so a term in
  every document keeps weight 1). Words are compared by their first ``STEM_LETTERS``
  letters after transliteration, so the inflected and Cyrillic forms of one word
  ("demonstracyjny", "демонстрационный") are cut together. The cut-off applies from
  ``MIN_DOCS`` texts on (with a handful of texts every shared word would be "common").
* ``sectors`` of a request count as industries only where they are codes ("C25", "28",
  "25.62", compared as written; words such as "welding" are left to the text component).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from klaster.errors import DataError
from klaster.i18n import N_
from klaster.messages import Message
from klaster.registry_tables import HELIX_TYPES, RegistryTables

COMPONENTS = ("relatedness", "helix", "region", "text")
DEFAULT_WEIGHTS = {"relatedness": 0.25, "helix": 0.15, "region": 0.15, "text": 0.45}
SAME_DIVISION = 0.5
SAME_COUNTRY = 0.7
OTHER_COUNTRY = 0.4
NGRAMS = (3, 5)
MAX_DF = 0.5
MIN_DOCS = 10
STEM_LETTERS = 4

# Rows: requester's helix; columns: candidate's helix (order of HELIX_TYPES:
# business, research, public, support, civil, finance).
HELIX_MATRIX: dict[str, dict[str, float]] = {
    "business": dict(zip(HELIX_TYPES, (0.6, 0.9, 0.6, 0.7, 0.4, 0.7))),
    "research": dict(zip(HELIX_TYPES, (1.0, 0.6, 0.6, 0.5, 0.4, 0.5))),
    "public": dict(zip(HELIX_TYPES, (0.8, 0.8, 0.4, 0.6, 0.6, 0.5))),
    "support": dict(zip(HELIX_TYPES, (0.9, 0.6, 0.6, 0.3, 0.4, 0.5))),
    "civil": dict(zip(HELIX_TYPES, (0.5, 0.6, 0.7, 0.5, 0.4, 0.4))),
    "finance": dict(zip(HELIX_TYPES, (1.0, 0.6, 0.4, 0.5, 0.3, 0.2))),
}
# Words of the reasons (engine catalogue terms, translated where shown).
HELIX_NOUN = {"business": N_("a company"), "research": N_("a research body"),
              "public": N_("a public body"), "support": N_("a business-support organisation"),
              "civil": N_("a civil-society organisation"),
              "finance": N_("a financial institution")}

# Stems (lower case) that say which helix a request asks for, in en/pl/be/ru.
HELIX_CUES: dict[str, tuple[str, ...]] = {
    "research": ("r&d", "b+r", "research", "badań", "badani", "naukow", "uczeln",
                 "uniwersyt", "universit", "laborator", "instytut", "institut",
                 "исследов", "научн", "университет", "лаборатор", "институт",
                 "даследав", "навуков", "універсітэт", "інстытут"),
    "finance": ("investor", "investment", "inwestor", "inwestyc", "funding", "financ",
                "finansow", "venture", "kapitał", "инвест", "финанс", "інвест", "фінанс"),
    "public": ("municipal", "public procurement", "gmin", "samorząd", "zamówień publ",
               "муницип", "госзаказ", "муніцып", "дзяржаўн"),
    "support": ("training", "szkoleni", "consult", "doradztw", "accelerat", "inkubat",
                "incubat", "обучен", "консалт", "инкубат", "навучан", "кансалт", "інкубат"),
}
CUE_LABEL = {"research": N_("R&D"), "finance": N_("investment"),
             "public": N_("a public partner"), "support": N_("training or advice")}

_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіўє",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
     "r", "s", "t", "u", "f", "h", "c", "ch", "sh", "sch", "", "y", "", "e", "yu", "ya",
     "i", "u", "e"]))
_CYRILLIC = re.compile("[а-яёіўє]", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
# Words too common in requests to be a reason ("both mention 'partner'").
_STOP = frozenset((
    "about", "also", "between", "będzie", "companies", "company", "dla", "firma", "firmy", "from",
    "have", "into", "jako", "jest", "która", "które", "który", "looking", "more", "need", "needs",
    "oferuje", "oferujemy", "offer", "offers", "oraz", "other", "partner", "partnera", "partners",
    "partnerów", "przez", "seek", "seeking", "such", "szuka", "szukamy", "także", "that", "their",
    "they", "this", "want", "wants", "which", "will", "with", "within", "для", "ищем", "ищет",
    "кампанія", "компания", "которые", "который", "партнер", "партнера", "партнеров", "партнёр",
    "партнёра", "партнёраў", "партнёров", "прапануем", "предлагаем", "также", "таксама", "тому",
    "шукае", "шукаем", "яка", "який", "які", "якія"
))


def translit(text: str) -> str:
    """Latin transliteration of Russian/Belarusian letters (other characters unchanged)."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


def _prepare(text: str) -> str:
    text = (text or "").lower()
    return f"{text} {translit(text)}" if _CYRILLIC.search(text) else text


def _codes(text: str | None) -> list[str]:
    return [c for c in re.split(r"[\s,;|]+", text or "") if c]


# A NACE/PKD/OKED/NAICS code as typed: optional section letter, digits, optional dots.
_CODE = re.compile(r"^[A-Za-z]?(\d{2}(?:\.?\d{1,4})*)$")


def industry_codes(text: str | None) -> list[str]:
    """The tokens of a request's ``sectors`` that are industry codes, as written ("C25,
    28.1, welding" -> ["C25", "28.1"]): they are compared with the proximity table's and
    the organisations' codes as they are; words are left to the text component."""
    out = []
    for token in _codes(text):
        if _CODE.match(token) and token not in out:
            out.append(token)
    return out


_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def _stem(word: str) -> str:
    return translit(word)[:STEM_LETTERS]


def common_stems(texts: list[str], *, max_df: float = MAX_DF,
                 min_docs: int = MIN_DOCS) -> frozenset[str]:
    """Stems (first ``STEM_LETTERS`` letters, transliterated, lower case) of the words in
    more than ``max_df`` of ``texts`` (document frequency, each text counted once);
    empty below ``min_docs`` texts. Words shorter than ``STEM_LETTERS`` are never cut."""
    n = len(texts)
    if n < min_docs:
        return frozenset()
    df: dict[str, int] = {}
    for text in texts:
        for stem in {_stem(w) for w in _TOKEN.findall((text or "").lower())
                     if len(w) >= STEM_LETTERS}:
            df[stem] = df.get(stem, 0) + 1
    return frozenset(s for s, c in df.items() if c > max_df * n)


def drop_common(text: str, stems: frozenset[str]) -> str:
    """``text`` without its words whose stem is in ``stems`` and without the stop words
    of requests (``_STOP``: "partner", "seek", "szukamy", "ищем", …)."""
    def keep(m: re.Match) -> str:
        word = m.group().lower()
        if word in _STOP or (len(word) >= STEM_LETTERS and _stem(word) in stems):
            return ""
        return m.group()

    return _TOKEN.sub(keep, text or "")


def _country(region: str | None, cluster_countries: list[str] | None) -> str | None:
    # NUTS codes (PL84, DED2) and ISO 3166-2 codes (BY-HM) start with the country code;
    # a region name ("Podlaskie") does not, so the clusters' country is used instead.
    if region and re.match(r"^[A-Z]{2}([0-9][0-9A-Z]{0,2}|-[0-9A-Z]{1,3})?$", region.strip()):
        return region.strip()[:2]
    return cluster_countries[0] if cluster_countries else None


def _proximity_lookup(proximity: pl.DataFrame | None) -> dict[tuple[str, str], float]:
    if proximity is None:
        return {}
    cols = set(proximity.columns)
    if {"industry_a", "industry_b"} <= cols:
        a, b = "industry_a", "industry_b"
    elif {"activity_1", "activity_2"} <= cols:
        a, b = "activity_1", "activity_2"
    else:
        raise DataError("proximity table needs columns industry_a, industry_b, proximity "
                        "(or activity_1, activity_2, proximity)", field="proximity")
    if "proximity" not in cols:
        raise DataError("proximity table has no column 'proximity'", field="proximity")
    out: dict[tuple[str, str], float] = {}
    for x, y, p in proximity.select(pl.col(a).cast(pl.Utf8), pl.col(b).cast(pl.Utf8),
                                    pl.col("proximity").cast(pl.Float64)).iter_rows():
        if x is None or y is None or p is None:
            continue
        p = min(max(p, 0.0), 1.0)
        for key in ((x, y), (y, x)):  # symmetric: keep the larger if both orders differ
            out[key] = max(out.get(key, 0.0), p)
    return out


def _tfidf(texts: list[str], common: frozenset[str] | None = None) -> sparse.csr_matrix:
    """L2-normalised char_wb TF-IDF rows of ``texts`` (one fit over all of them), without
    the words of ``common`` (default: ``common_stems(texts)``)."""
    if not texts:
        return sparse.csr_matrix((0, 1))
    if common is None:
        common = common_stems(texts)
    # Spärck Jones' idf, ln(N/df) (Spärck Jones 1972; Robertson 2004): an n-gram in every
    # text weighs 0. scikit-learn's idf is ln(N/df) + 1 (smooth_idf=False), so the +1 is
    # taken off here (the tf part is sublinear: 1 + ln tf), then rows are L2-normalised.
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True,
                          smooth_idf=False, norm=None)
    try:
        m = vec.fit_transform([_prepare(drop_common(t, common)) for t in texts])
        m = normalize(m @ sparse.diags((vec.idf_ - 1.0) / vec.idf_))
        return sparse.csr_matrix(m)
    except ValueError:  # no n-gram at all (every text empty or too short)
        return sparse.csr_matrix((len(texts), 1))


def text_similarity(a: list[str], b: list[str]) -> np.ndarray:
    """Cosine similarity (len(a) x len(b), in [0, 1]) of the texts, as the ``text``
    component measures it before rescaling: char_wb 3-5-gram TF-IDF fitted on a + b,
    without the words shared by more than ``MAX_DF`` of a + b."""
    m = _tfidf(list(a) + list(b))
    sim = (m[: len(a)] @ m[len(a):].T).toarray()
    return np.clip(sim, 0.0, 1.0)


class _Pool:
    """Everything about the candidates that does not depend on the request."""

    def __init__(self, tables: RegistryTables, profiles: pl.DataFrame | None,
                 proximity: pl.DataFrame | None) -> None:
        orgs = tables.organisations
        req = tables.partner_requests
        self.prox = _proximity_lookup(proximity)
        self.have_table = proximity is not None
        countries = (tables.memberships.join(
            tables.clusters.select(pl.col("id").alias("cluster_id"), "country"),
            on="cluster_id").group_by("organisation_id")
            .agg(pl.col("country").drop_nulls().sort()))
        ccountry = dict(countries.iter_rows())
        prof = {}
        if profiles is not None:
            for col in ("organisation_id", "profile"):
                if col not in profiles.columns:
                    raise DataError(f"profiles table has no column {col!r}",
                                    field=f"profiles.{col}")
            prof = dict(profiles.select("organisation_id", "profile").iter_rows())
        # An organisation's offers describe what it does; its seek requests describe
        # what it lacks, so they are not part of its profile.
        own_text: dict[int, list[str]] = {}
        for oid, kind, topic, desc in req.select("organisation_id", "kind", "topic",
                                                 "description").iter_rows():
            if kind == "offer":
                own_text.setdefault(oid, []).append(f"{topic or ''} {desc or ''}")
        self.org = {}
        for row in orgs.iter_rows(named=True):
            oid = row["id"]
            self.org[oid] = {
                "name": row["name"] or f"organisation {oid}", "helix": row["helix"],
                "codes": list(row["industry_codes"] or []), "region": row["region"],
                "country": _country(row["region"], ccountry.get(oid)),
                "text": " ".join([row["name"] or "", prof.get(oid) or "",
                                  *own_text.get(oid, [])]),
            }
        self.requests = {}
        for row in req.iter_rows(named=True):
            org = self.org.get(row["organisation_id"])
            if org is None:
                raise DataError(f"partner request {row['id']} names unknown organisation "
                                f"{row['organisation_id']}", field="partner_requests.organisation_id")
            codes = industry_codes(row["sectors"]) or org["codes"]
            self.requests[row["id"]] = {
                **row, "codes": codes, "helix": org["helix"], "region": org["region"],
                "country": org["country"],
                "wanted": [c.upper() for c in _codes(row["countries"])],
                "text": f"{row['topic'] or ''} {row['description'] or ''}",
            }
        # One TF-IDF fit over every organisation and request text.
        self.org_ids = list(self.org)
        self.req_ids = list(self.requests)
        texts = ([self.org[o]["text"] for o in self.org_ids]
                 + [self.requests[r]["text"] for r in self.req_ids])
        self.common = common_stems(texts)
        matrix = _tfidf(texts, self.common)
        self.org_vec = matrix[: len(self.org_ids)]
        self.req_vec = matrix[len(self.org_ids):]
        self.req_row = {r: i for i, r in enumerate(self.req_ids)}

    def relatedness(self, mine: list[str], theirs: list[str]
                    ) -> tuple[float, Message | None]:
        best, why = 0.0, None
        for a in mine:
            for b in theirs:
                if a == b:
                    return 1.0, Message("match.same_industry", {"code": a})
                p = self.prox.get((a, b))
                if p is None and self.have_table and (a[:2], b[:2]) in self.prox:
                    # A table of divisions (e.g. the 2-digit NACE proximity of regional
                    # statistics) also serves deeper codes, through their divisions.
                    p = self.prox[(a[:2], b[:2])]
                if p is None and not self.have_table and a[:2] == b[:2]:
                    p = SAME_DIVISION
                    if p > best:
                        best, why = p, Message("match.same_division", {"a": a, "b": b})
                    continue
                if p is not None and p > best:
                    best, why = p, Message("match.related", {"a": a, "b": b, "p": p})
        return best, why


def _cues(text: str) -> list[str]:
    low = text.lower()
    return [h for h, stems in HELIX_CUES.items() if any(s in low for s in stems)]


def _stems(text: str, common: frozenset[str] = frozenset()) -> dict[str, str]:
    """Stem (first five letters, transliterated) -> first word with it; stop words and
    words of ``common`` (see common_stems) left out."""
    out: dict[str, str] = {}
    for word in _WORD.findall(text.lower()):
        if word in _STOP or _stem(word) in common:
            continue
        stem = translit(word)[:5]
        if len(stem) >= 4:
            out.setdefault(stem, word)
    return out


def shared_terms(a: str, b: str, limit: int = 3,
                 common: frozenset[str] = frozenset()) -> list[str]:
    """Words of ``a`` whose five-letter stem (after transliteration) also occurs in ``b``,
    except words of ``common`` (stems of words nearly every text shares)."""
    sb = _stems(b, common)
    return [w for s, w in _stems(a, common).items() if s in sb][:limit]


def _check_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    w = dict(DEFAULT_WEIGHTS)
    if weights:
        unknown = set(weights) - set(COMPONENTS)
        if unknown:
            raise DataError(f"unknown weight(s) {sorted(unknown)}; use {list(COMPONENTS)}",
                            field="weights")
        w.update(weights)
    if any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise DataError("weights must be >= 0 and not all 0", field="weights")
    return w


SUGGESTION_SCHEMA = {
    "request_id": pl.Int64, "rank": pl.Int64, "candidate_kind": pl.Utf8,
    "candidate_id": pl.Int64, "organisation_id": pl.Int64, "name": pl.Utf8,
    "score": pl.Float64, "relatedness": pl.Float64, "helix": pl.Float64,
    "region": pl.Float64, "text": pl.Float64, "reasons": pl.List(pl.Utf8),
    "reason_messages": pl.List(pl.Utf8),
}


def _score_request(pool: _Pool, rid: int, k: int, w: dict[str, float]) -> list[dict]:
    req = pool.requests[rid]
    own = req["organisation_id"]
    qv = pool.req_vec[pool.req_row[rid]]
    text_org = np.asarray((pool.org_vec @ qv.T).todense()).ravel()
    text_req = np.asarray((pool.req_vec @ qv.T).todense()).ravel()
    cues = _cues(req["text"])
    opposite = "seek" if req["kind"] == "offer" else "offer"
    cands = []  # (kind, id, organisation, codes, text score, candidate text)
    for i, oid in enumerate(pool.org_ids):
        if oid != own:
            cands.append(("organisation", oid, oid, pool.org[oid]["codes"], text_org[i],
                          pool.org[oid]["text"]))
    for i, other in enumerate(pool.req_ids):
        o = pool.requests[other]
        if o["organisation_id"] != own and o["status"] == "open" and o["kind"] == opposite:
            cands.append(("request", other, o["organisation_id"], o["codes"], text_req[i],
                          o["text"]))
    total = sum(w.values())
    # Cosines of character n-gram vectors are small in absolute terms (0.05-0.4 between
    # related texts) while the other components span [0, 1]; rescaling by the best cosine
    # of this request puts text on the same scale (min-max normalisation, with 0 kept).
    top = max((c[4] for c in cands), default=0.0)
    scale = 1.0 / top if top > 0 else 0.0
    rows = []
    for kind, cid, oid, codes, tscore, ctext in cands:
        org = pool.org[oid]
        rel, rel_why = pool.relatedness(req["codes"], codes)
        hx = HELIX_MATRIX.get(req["helix"], {}).get(org["helix"], 0.0)
        cued = org["helix"] in cues
        if cued:
            hx = 1.0
        if req["wanted"]:
            reg = 1.0 if org["country"] in req["wanted"] else 0.0
        elif req["region"] and org["region"] == req["region"]:
            reg = 1.0
        elif req["country"] and org["country"] == req["country"]:
            reg = SAME_COUNTRY
        else:
            reg = OTHER_COUNTRY
        cosine = float(min(max(tscore, 0.0), 1.0))
        tscore = min(cosine * scale, 1.0)
        score = (w["relatedness"] * rel + w["helix"] * hx + w["region"] * reg
                 + w["text"] * tscore) / total
        rows.append({"kind": kind, "cid": cid, "oid": oid, "score": score, "rel": rel,
                     "rel_why": rel_why, "hx": hx, "cued": cued, "reg": reg,
                     "text": tscore, "cosine": cosine, "ctext": ctext})
    rows.sort(key=lambda r: (-r["score"], r["kind"] != "organisation", r["cid"]))
    out = []
    for rank, r in enumerate(rows[:k], start=1):
        org = pool.org[r["oid"]]
        out.append({"request_id": rid, "rank": rank, "candidate_kind": r["kind"],
                    "candidate_id": r["cid"], "organisation_id": r["oid"],
                    "name": org["name"], "score": r["score"], "relatedness": r["rel"],
                    "helix": r["hx"], "region": r["reg"], "text": r["text"],
                    **_reason_columns(_reasons(req, org, r, pool.common))})
    return out


def _reason_columns(reasons: list[Message]) -> dict:
    """``reasons``: the English sentences (logs, the CLI, old callers);
    ``reason_messages``: the same as JSON message dicts, for shells that render them in
    the reader's language (klaster.messages.render)."""
    return {"reasons": [str(m) for m in reasons],
            "reason_messages": [json.dumps(m.to_dict(), ensure_ascii=False)
                                for m in reasons]}


def _reasons(req: dict, org: dict, r: dict,
             common: frozenset[str] = frozenset()) -> list[Message]:
    reasons = []
    noun = HELIX_NOUN.get(org["helix"], org["helix"])
    if r["cued"]:
        label = CUE_LABEL.get(org["helix"], org["helix"])
        reasons.append(Message("match.cue.seek" if req["kind"] == "seek" else
                               "match.cue.offer", {"what": label, "noun": noun}))
    elif r["hx"] >= 0.8:
        reasons.append(Message("match.helix", {
            "own": HELIX_NOUN.get(req["helix"], req["helix"]), "noun": noun,
            "fit": r["hx"]}))
    if r["rel_why"]:
        reasons.append(r["rel_why"])
    if req["wanted"] and r["reg"] == 1.0:
        reasons.append(Message("match.wanted_country", {"country": org["country"]}))
    elif not req["wanted"] and r["reg"] == 1.0:
        reasons.append(Message("match.same_region", {"region": org["region"]}))
    elif not req["wanted"] and r["reg"] == SAME_COUNTRY:
        reasons.append(Message("match.same_country", {"country": org["country"]}))
    terms = shared_terms(req["text"], r["ctext"], common=common)
    if terms:
        reasons.append(Message("match.both_mention",
                               {"terms": ", ".join(f"'{t}'" for t in terms)}))
    if not reasons:  # always say something: the strongest component
        if r["cosine"] > 0:
            reasons.append(Message("match.wording", {"cosine": r["cosine"]}))
        else:
            reasons.append(Message("match.candidate", {"noun": noun, "fit": r["hx"]}))
    if r["kind"] == "request":
        reasons.append(Message("match.request.offers" if req["kind"] == "seek"
                               else "match.request.seeks"))
    return reasons


def suggest(tables: RegistryTables, request_id: int, *, proximity: pl.DataFrame | None = None,
            k: int = 10, weights: Mapping[str, float] | None = None,
            profiles: pl.DataFrame | None = None) -> pl.DataFrame:
    """The ``k`` best partners for partner request ``request_id``.

    Reads ``partner_requests``, ``organisations`` (helix, industry_codes, region),
    ``memberships`` and ``clusters`` (country when the region is not a NUTS-like code).
    ``proximity``: industry_a, industry_b, proximity (or klaster.relatedness'
    activity_1, activity_2, proximity); ``profiles``: organisation_id, profile (free text
    in any language). Returns SUGGESTION_SCHEMA columns: ``request_id, rank,
    candidate_kind`` (organisation | request), ``candidate_id`` (organisation or request
    id), ``organisation_id, name, score`` (weighted mean of the components, in [0, 1]),
    ``relatedness, helix, region, text`` (components in [0, 1]), ``reasons`` (list of
    readable English sentences) and ``reason_messages`` (the same reasons as JSON message
    dicts ``{"code", "params"}``, rendered in a language by klaster.messages.render). The request's own organisation is never suggested.
    """
    return match_requests(tables, request_ids=[request_id], proximity=proximity, k=k,
                          weights=weights, profiles=profiles)


def match_requests(tables: RegistryTables, *, request_ids: list[int] | None = None,
                   proximity: pl.DataFrame | None = None, k: int = 10,
                   weights: Mapping[str, float] | None = None,
                   profiles: pl.DataFrame | None = None) -> pl.DataFrame:
    """:func:`suggest` for many requests with one TF-IDF fit: every open request when
    ``request_ids`` is None. Same columns, sorted by request_id and rank."""
    if k < 1:
        raise DataError("k must be at least 1", field="k")
    w = _check_weights(weights)
    pool = _Pool(tables, profiles, proximity)
    if request_ids is None:
        request_ids = [r for r in pool.req_ids if pool.requests[r]["status"] == "open"]
    rows = []
    for rid in request_ids:
        if rid not in pool.requests:
            raise DataError(f"no partner request with id {rid}", field="partner_requests.id")
        rows.extend(_score_request(pool, rid, k, w))
    return pl.DataFrame(rows, schema=SUGGESTION_SCHEMA)
