"""Shared cache of public (anonymous) pages, API lists and pagination counts.

What is cached, and for whom:

* the rendered content of public pages (directory, cluster page) and the data of API list
  responses, ONLY for anonymous visitors — a signed-in user's pages depend on their
  rights and are never read from or written to this cache;
* row counts of paginated lists, for everybody: the key is the COUNT query's own SQL and
  parameters, which already contain the user's visibility filter, so two users share a
  count only if their queries are identical.

Invalidation: every key contains the *registry version*, a random token kept in the cache
itself. Any save, delete or many-to-many change of a model outside ``NON_CONTENT_APPS``
replaces the token (``bump_version``), in whichever process made the change, so the next
request of every gunicorn worker misses and rebuilds. The token is replaced once at the
write (the writer's next page shows its edit) and once more when the transaction commits
(a request of another worker that read the pre-commit state in between cannot leave a stale
entry behind). Writes that bypass model signals (``QuerySet.update``, ``bulk_create``,
raw SQL) must call ``bump_version()`` themselves. A lost token (cache cleared, culled) is
replaced by a fresh random one, which misses everything: the cache can only fail towards
rebuilding, never towards serving an old page.

The cache must be shared by all worker processes (settings: file-based cache in the data
directory by default); ``KLASTER_PUBLIC_CACHE_SECONDS=0`` turns all of this off.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.context import make_context
from django.template.loader import get_template
from django.template.loader_tags import BlockNode
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

VERSION_KEY = "klaster:registry-version"
# Apps whose rows never appear on the cached pages and lists (sessions, login throttling,
# admin log, tokens, user accounts — every sign-in saves last_login): their writes must not
# empty the cache. Registry links to users (coordinators, representatives) are registry
# tables and do invalidate.
NON_CONTENT_APPS = frozenset({"sessions", "axes", "admin", "authtoken", "contenttypes",
                              "auth"})


def _cache():
    return caches[getattr(settings, "KLASTER_PUBLIC_CACHE_ALIAS", "default")]


def timeout() -> int:
    """Seconds a cached entry lives at most (0: caching off)."""
    return int(getattr(settings, "KLASTER_PUBLIC_CACHE_SECONDS", 0))


def enabled() -> bool:
    return timeout() > 0


def registry_version() -> str:
    """The current registry version token (created on first use)."""
    cache = _cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        # add() so that concurrent first requests agree on one token.
        cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
        version = cache.get(VERSION_KEY) or "none"
    return version


def bump_version() -> None:
    """Invalidate every cached page, list and count (call after bulk writes).

    The token is replaced even with the public cache off: other caches derived from the
    registry (the matchmaking app's tables and network payloads) are keyed on it too."""
    _cache().set(VERSION_KEY, secrets.token_hex(8), timeout=None)


_held = threading.local()


@contextmanager
def one_bump():
    """Within the block (this thread), writes do not bump the registry version one by
    one; it is bumped once when the block ends, whatever happened. For bulk loads that
    no page reads meanwhile: the demo loaders made 570 bumps, each a file write of the
    shared cache, 5 s at load 17 (issue 14)."""
    depth = getattr(_held, "depth", 0)
    _held.depth = depth + 1
    try:
        yield
    finally:
        _held.depth = depth
        if not depth:
            bump_version()


def _bump_now_and_on_commit() -> None:
    if getattr(_held, "depth", 0):
        return
    bump_version()
    connection = transaction.get_connection()
    # One commit-time bump per transaction, however many rows it writes (an import).
    if not any(entry[1] is bump_version for entry in connection.run_on_commit):
        transaction.on_commit(bump_version)


def _on_change(sender, **kwargs) -> None:
    if sender._meta.app_label not in NON_CONTENT_APPS:
        _bump_now_and_on_commit()


def _on_m2m(sender, action, **kwargs) -> None:
    if action.startswith("post_"):
        _on_change(sender, **kwargs)


def connect_signals() -> None:
    """Called once from the portal's AppConfig.ready(), in every process."""
    post_save.connect(_on_change, dispatch_uid="klaster-public-cache-save")
    post_delete.connect(_on_change, dispatch_uid="klaster-public-cache-delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="klaster-public-cache-m2m")


def is_public_request(request) -> bool:
    """Cacheable: caching on, a safe method and an anonymous visitor.

    ``request`` is a Django HttpRequest or a DRF Request (whose ``user`` is the result of
    token/session authentication).
    """
    return (enabled() and request.method in ("GET", "HEAD")
            and not request.user.is_authenticated)


def _key(kind: str, *parts: Any) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"klaster:{kind}:{registry_version()}:{digest}"


def public_key(request, name: str, *extra: Any) -> str:
    """Key of one public response: view name, language, absolute URL with query, today's
    date (pages show what is valid today, e.g. labels), extras."""
    return _key("public", name, get_language(), request.build_absolute_uri(),
                timezone.localdate().isoformat(), *extra)


def cached_public(request, name: str, build: Callable[[], Any], *extra: Any) -> Any:
    """``build()`` for this request, read from / stored in the shared cache if public."""
    if not is_public_request(request):
        return build()
    cache = _cache()
    key = public_key(request, name, *extra)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout())
    return value


def cached_count(queryset) -> int:
    """``queryset.count()``, cached under the registry version when caching is on.

    The key is the SQL and parameters of the queryset (filters, including a user's
    visibility rules), so the cached number is exactly the one the query would return.
    """
    if not enabled():
        return queryset.count()
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. pk__in=[]: nothing to count or to cache
        return queryset.count()
    key = _key("count", queryset.db, sql, params)
    cache = _cache()
    count = cache.get(key)
    if count is None:
        count = queryset.count()
        cache.set(key, count, timeout())
    return count


class CachedCountPaginator(Paginator):
    """Django's Paginator with the total row count read through ``cached_count``."""

    @cached_property
    def count(self) -> int:
        return cached_count(self.object_list)


def render_blocks(template_name: str, context: dict, request,
                  names: tuple[str, ...] = ("title", "content")) -> dict[str, str]:
    """Render only the named ``{% block %}``s of a page template (one that extends the
    portal's base template), as safe strings.

    A public page's cacheable part is its title and content; the base template around
    them (sign-in state, CSRF token of the language form, messages) is rendered for every
    request, so no visitor receives another visitor's token or messages.
    """
    template = get_template(template_name).template
    nodes = {node.name: node for node in template.nodelist.get_nodes_by_type(BlockNode)}
    ctx = make_context(context, request, autoescape=template.engine.autoescape)
    # The same set-up as Template.render, without rendering the parent template.
    with ctx.render_context.push_state(template), ctx.bind_template(template):
        ctx.template_name = template.name
        return {name: mark_safe(nodes[name].render(ctx)) for name in names}
