"""The registry as tables for the analytics, cached while the registry does not change.

Keys contain the registry version token of :mod:`klaster.web.portal.caching`, which every
content write replaces (signals, at the write and at commit), so anything cached under it
is recomputed after any change; the timeout bounds staleness from writes that bypass model
signals without calling ``bump_version`` (bulk updates).
"""

from __future__ import annotations

from django.core.cache import cache

from klaster.web.portal.caching import registry_version
from klaster.web.registry.tables import export_tables

CACHE_SECONDS = 600


def cached_tables(cluster_ids: tuple[int, ...] | None = None, state: str | None = None):
    """``export_tables(cluster_ids)`` cached per registry state."""
    state = state or registry_version()
    key = f"mm:tables:{state}:{'all' if cluster_ids is None else ','.join(map(str, cluster_ids))}"
    tables = cache.get(key)
    if tables is None:
        tables = export_tables(None if cluster_ids is None else list(cluster_ids))
        cache.set(key, tables, CACHE_SECONDS)
    return tables
