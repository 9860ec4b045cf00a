"""Partner suggestions for one request: ``klaster.matchmaking.suggest`` on the registry
tables, with the programme's proximity table when one was uploaded, minus what the user
may not see, dismissed candidates and existing contacts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.cache import cache

from klaster.web.matchmaking.data import CACHE_SECONDS, cached_tables
from klaster.web.matchmaking.models import Contact, Dismissal, ProximityTable
from klaster.web.portal.caching import registry_version
from klaster.web.registry import permissions as perms
from klaster.web.registry.models import Organisation, PartnerRequest

# Polars and the analytics load inside the functions that use them: the URL map imports
# this module at every start of the platform (1-3 s of `klaster serve`; issue 14).
if TYPE_CHECKING:
    import polars as pl

COMPONENTS = ("relatedness", "helix", "region", "text")
SHOWN = 10


@dataclass
class Suggestions:
    rows: list[dict] = field(default_factory=list)
    proximity: ProximityTable | None = None
    hidden: int = 0  # dismissed or already contacted candidates left out

    @property
    def relatedness_on(self) -> bool:
        return self.proximity is not None


def load_proximity(record: ProximityTable) -> pl.DataFrame:
    import polars as pl
    key = f"mm:prox:{record.pk}"
    table = cache.get(key)
    if table is None:
        with record.file.open("rb") as fh:
            table = pl.read_parquet(fh)
        cache.set(key, table, CACHE_SECONDS)
    return table


def weights(proximity: ProximityTable | None) -> dict[str, float]:
    """The library's default weights; relatedness off (weight 0) without the programme's
    proximity table — its fallback (same two-digit division) is not a measured relatedness."""
    from klaster.matchmaking.suggest import DEFAULT_WEIGHTS

    w = dict(DEFAULT_WEIGHTS)
    if proximity is None:
        w["relatedness"] = 0.0
    return w


def _ranked(req: PartnerRequest, k: int, proximity: ProximityTable | None) -> pl.DataFrame:
    from klaster.matchmaking import suggest

    state = registry_version()
    key = f"mm:sugg:{state}:{req.pk}:{proximity.pk if proximity else 0}:{k}"
    ranked = cache.get(key)
    if ranked is None:
        ranked = suggest(cached_tables(None, state), req.pk,
                         proximity=load_proximity(proximity) if proximity else None, k=k,
                         weights=weights(proximity))
        cache.set(key, ranked, CACHE_SECONDS)
    return ranked


def for_request(user, req: PartnerRequest, k: int = SHOWN) -> Suggestions:
    """Up to ``k`` suggestions the user may see, best first, each a dict with
    ``organisation`` (model), ``organisation_id``, ``candidate_kind``, ``candidate_id``,
    ``candidate_request_id``, ``score``, ``components`` [(name, value, weight share)],
    ``reasons``."""
    proximity = ProximityTable.objects.first()
    excluded = (set(Dismissal.objects.filter(request=req)
                    .values_list("candidate_organisation_id", flat=True))
                | set(Contact.objects.filter(request=req)
                      .values_list("candidate_organisation_id", flat=True)))
    # Ask for more than shown: excluded and invisible candidates are dropped afterwards.
    ranked = _ranked(req, 2 * k + len(excluded), proximity)
    w = weights(proximity)
    total = sum(w.values())
    ids = [i for i in ranked.get_column("organisation_id").to_list() if i is not None]
    visible = set(perms.visible_organisations(user).filter(pk__in=ids)
                  .values_list("pk", flat=True))
    orgs = Organisation.objects.in_bulk(visible)
    rows = []
    hidden = 0
    seen = set()
    for row in ranked.iter_rows(named=True):
        org_id = row["organisation_id"]
        if org_id == req.organisation_id or org_id in seen:
            continue
        if org_id in excluded:
            hidden += 1
            continue
        if org_id not in visible:
            continue
        seen.add(org_id)
        if len(rows) < k:
            rows.append({
                "organisation": orgs[org_id], "organisation_id": org_id,
                "candidate_kind": row["candidate_kind"], "candidate_id": row["candidate_id"],
                "candidate_request_id": (row["candidate_id"]
                                         if row["candidate_kind"] == "request" else None),
                "score": float(row["score"]),
                # (component, value in [0, 1], share of the score's weight): the score is
                # the sum of value x share.
                "components": [(c, float(row[c] or 0.0), w[c] / total) for c in COMPONENTS],
                # message dicts (code + parameters), rendered in the reader's language
                # by the engine_message filter; stored so in Contact.reasons
                "reasons": ([json.loads(m) for m in row.get("reason_messages") or []]
                            or list(row["reasons"] or [])),
            })
    return Suggestions(rows=rows, proximity=proximity, hidden=hidden)
