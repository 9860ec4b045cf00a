"""The registry as tables for the analytics, cached while the registry does not change.

``registry_state`` is a cheap fingerprint of the registry (constant number of aggregate
queries): the newest history row of every audited model plus size and newest row of the
many-to-many tables simple-history does not audit. Anything cached under a key that
contains it is recomputed after any change; the timeout bounds staleness from writes that
bypass the history (bulk updates).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, Max

from klaster.web.registry.models import (
    Activity,
    Cluster,
    Membership,
    Organisation,
    PartnerRequest,
    Project,
)
from klaster.web.registry.tables import export_tables

CACHE_SECONDS = 600


def registry_state() -> str:
    parts = []
    for model in (Organisation, Cluster, Membership, Activity, Project, PartnerRequest):
        parts.append(model.history.model.objects.aggregate(m=Max("history_id"))["m"] or 0)
    for through in (Activity.participants.through, Project.partners.through,
                    Organisation.representatives.through):
        agg = through.objects.aggregate(n=Count("pk"), m=Max("pk"))
        parts += [agg["n"], agg["m"] or 0]
    return "-".join(str(p) for p in parts)


def cached_tables(cluster_ids: tuple[int, ...] | None = None, state: str | None = None):
    """``export_tables(cluster_ids)`` cached per registry state."""
    state = state or registry_state()
    key = f"mm:tables:{state}:{'all' if cluster_ids is None else ','.join(map(str, cluster_ids))}"
    tables = cache.get(key)
    if tables is None:
        tables = export_tables(None if cluster_ids is None else list(cluster_ids))
        cache.set(key, tables, CACHE_SECONDS)
    return tables
