"""Reads for the faceted directory and its export: a few grouped queries in, the
framework-free tables of :mod:`klaster.cluster_directory` out.

Query budget of one directory page, whatever the number of clusters: the visible
clusters' facet columns (1), current members per cluster and helix type (1, grouped),
labels valid today (1), then for the page only its clusters with their coordinator
organisation (1) and the coordinator members of clusters without one (1). No query per
row; the whole-set reads are what the facet counts and the sort by members need.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from klaster.web.portal.caching import registry_version
from klaster.web.registry import permissions as perms
from klaster.web.registry.models import (
    Cluster,
    ClusterStatus,
    Helix,
    Membership,
    MembershipRole,
)

# Polars and the analytics load inside the functions that use them: the URL map imports
# this module at every start of the platform (1-3 s of `klaster serve`; issue 14).
if TYPE_CHECKING:
    import polars as pl

MARKER_ID = 918273645  # stands for "the id goes here" in a reversed URL

COUNTRY_NAMES = {"PL": _("Poland"), "BY": _("Belarus"), "LT": _("Lithuania"),
                 "UA": _("Ukraine"), "LV": _("Latvia"), "DE": _("Germany")}
FACET_TITLES = {"country": _("Country"), "region": _("Region"), "sector": _("Sector"),
                "status": _("Status"), "label": _("Label"),
                "helix": _("Helix mix (has members of every chosen type)")}
SORT_TITLES = {"name": _("Name"), "-members": _("Most members"),
               "founded": _("Founded (oldest first)"), "-founded": _("Founded (newest first)")}


def _lang() -> str:
    return (get_language() or "en")[:2]


def search(qs, q: str):
    """Free-text search: names, description and sector in every language, industry codes."""
    q = q.strip()
    if not q:
        return qs
    cond = Q(industry_codes__icontains=q.upper())
    fields = ("name_en", "name_pl", "name_be", "name_ru",
              *(f"{f}{lang}" for f in ("description", "sector") for lang in ("", "_pl", "_be",
                                                                             "_ru")))
    for field in fields:
        cond |= Q(**{f"{field}__icontains": q})
    return qs.filter(cond)


def selection_from(params) -> dict[str, list[str]]:
    """Facet → chosen options from a QueryDict (repeated parameters)."""
    from klaster import cluster_directory as lib
    return {facet: [v for v in params.getlist(facet) if v.strip()] for facet in lib.FACETS}


def visible_table(user, q: str = "") -> pl.DataFrame:
    """The directory table of every cluster ``user`` may see matching the search ``q``:
    the rows of :func:`full_table` whose ids one query (visibility and search) returns."""
    import polars as pl
    ids = search(perms.visible_clusters(user), q).values_list("id", flat=True).order_by()
    return full_table().filter(pl.col("id").is_in(list(ids)))


TABLE_SECONDS = 600


def full_table() -> pl.DataFrame:
    """The directory table of EVERY cluster in the reader's language, cached under the
    registry version and today's date (labels expire by date), like the member counts:
    reading 1,500 clusters as dicts and building the frame cost about 110 ms of every
    directory request, signed in or not (issue 14). Callers keep the rows their reader
    may see (:func:`visible_table`)."""
    lang = _lang()
    today = timezone.localdate()
    key = f"directory:table:{lang}:{today.isoformat()}:{registry_version()}"
    table = cache.get(key)
    if table is not None:
        return table
    name_field = f"name_{lang}" if lang != "en" else "name_en"
    # Region and sector in the reader's language, the plain (English) field as fallback,
    # as Cluster.localized does: the facets then read in the page's language.
    own = {f: (f"{f}_{lang}" if lang != "en" else f) for f in ("region", "sector")}
    rows = [{"id": r["id"], "name": r.get(name_field) or r["name_en"],
             "country": r["country"], "region": r[own["region"]] or r["region"],
             "sector": r[own["sector"]] or r["sector"],
             "status": r["status"], "founded": r["founded"]}
            for r in Cluster.objects.values(*dict.fromkeys((
                "id", "name_en", name_field, "country", "region", "sector", *own.values(),
                "status", "founded")))]
    from klaster import cluster_directory as lib
    from klaster.web.assessment.models import Label

    labels = (Label.objects.filter(revoked=False)
              .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
              .values_list("cluster_id", "scheme", "level"))
    table = lib.directory_table(rows, member_helix_counts(), labels)
    cache.set(key, table, TABLE_SECONDS)
    return table


HELIX_COUNTS_SECONDS = 600


def member_helix_counts() -> list[tuple[int, str, int]]:
    """(cluster id, helix type, current members) of EVERY cluster — callers keep the
    clusters their reader may see —, one grouped query cached under the registry version
    (klaster.web.portal.caching; any registry write replaces it, as for the matchmaking
    tables). Grouping 60,000 memberships with their organisations took 30–200 ms of
    PostgreSQL on every directory and map request, signed in or not (issue 14)."""
    key = f"directory:helix-counts:{registry_version()}"
    counts = cache.get(key)
    if counts is None:
        counts = list(Membership.objects.filter(left__isnull=True)
                      .values_list("cluster_id", "organisation__helix")
                      .annotate(n=Count("id")).order_by())
        cache.set(key, counts, HELIX_COUNTS_SECONDS)
    return counts


def member_counts(cluster_ids) -> dict[int, int]:
    """Current members of each of ``cluster_ids`` (from :func:`member_helix_counts`)."""
    wanted = set(cluster_ids)
    out: dict[int, int] = {}
    for cluster_id, _helix, n in member_helix_counts():
        if cluster_id in wanted:
            out[cluster_id] = out.get(cluster_id, 0) + n
    return out


def cluster_url_pattern() -> str:
    return reverse("portal:cluster", args=[MARKER_ID]).replace(str(MARKER_ID), "{}")


def coordinators(cluster_ids: Iterable[int]) -> dict[int, dict]:
    """Cluster id → its coordinator organisation ``{"id", "name"}``: the cluster's
    ``coordinator_organisation``, or else its current member whose role is
    "coordinator" (imports and join requests record the coordinator as a member's role,
    and most clusters never had the separate field set — that is why the directory's
    Coordinator column used to be empty). Two queries for any number of clusters."""
    ids = list(cluster_ids)
    out: dict[int, dict] = {}
    lang = _lang()
    for c in (Cluster.objects.filter(pk__in=ids, coordinator_organisation__isnull=False)
              .select_related("coordinator_organisation")
              .only("id", "coordinator_organisation__id",
                    *(f"coordinator_organisation__name_{x}" for x in ("en", lang)))):
        org = c.coordinator_organisation
        out[c.pk] = {"id": org.pk, "name": org.display_name}
    missing = [pk for pk in ids if pk not in out]
    if missing:
        for m in (Membership.objects.filter(cluster_id__in=missing, left__isnull=True,
                                            role=MembershipRole.COORDINATOR)
                  .select_related("organisation")
                  .only("cluster_id", "organisation__id",
                        *(f"organisation__name_{x}" for x in ("en", lang)))
                  .order_by("cluster_id", "joined", "pk")):
            out.setdefault(m.cluster_id, {"id": m.organisation.pk,
                                          "name": m.organisation.display_name})
    return out


def option_label(facet: str, value: str) -> str:
    if facet == "status":
        return str(dict(ClusterStatus.choices).get(value, value))
    if facet == "helix":
        return str(dict(Helix.choices).get(value, value))
    if facet == "country":
        return str(COUNTRY_NAMES.get(value, value))
    return value


FACETS_SECONDS = 600


def cached_facet_panels(filtered: pl.DataFrame, params) -> list[dict]:
    """:func:`facet_panels`, cached under the registry version, the language, the
    result's ids and the query (without the page): about 40 small Polars queries, a
    quarter of a directory request (issue 14). Paging through a result, or two readers
    with the same result, share one entry."""
    query = params.copy()
    query.pop("page", None)
    query.pop("format", None)
    digest = hashlib.sha256(
        (",".join(map(str, filtered["id"].to_list())) + "?" + query.urlencode()).encode()
    ).hexdigest()[:32]
    key = f"directory:facets:{_lang()}:{registry_version()}:{digest}"
    panels = cache.get(key)
    if panels is None:
        panels = facet_panels(filtered, params)
        cache.set(key, panels, FACETS_SECONDS)
    return panels


def facet_panels(filtered: pl.DataFrame, params) -> list[dict]:
    """The facet panels of the page: every option of the filtered result with its count
    and a link that adds it to (or removes it from) the query; chosen options are listed
    even when the result no longer contains them, so they can be removed."""
    from klaster import cluster_directory as lib
    counts = lib.facet_counts(filtered)
    panels = []
    for facet in lib.FACETS:
        chosen = params.getlist(facet)
        chosen_keys = {v.casefold() for v in chosen}
        options = list(counts[facet])
        present = {v.casefold() for v, _n in options}
        options += [(v, 0) for v in chosen if v.casefold() not in present]
        items = []
        for value, n in options:
            selected = value.casefold() in chosen_keys
            query = params.copy()
            query.pop("page", None)
            query.pop("format", None)
            values = [v for v in query.getlist(facet) if v.casefold() != value.casefold()]
            query.setlist(facet, values if selected else [*values, value])
            items.append({"value": value, "label": option_label(facet, value), "count": n,
                          "selected": selected, "query": query.urlencode()})
        panels.append({"name": facet, "title": FACET_TITLES[facet], "options": items,
                       "open": bool(chosen)})
    return panels


EXPORT_HEADERS = {
    "name": _("Cluster"), "country": _("Country"), "region": _("Region"),
    "sector": _("Sector"), "status": _("Status"), "founded": _("Founded"),
    "members": _("Members"), "helix": _("Helix types"), "labels": _("Labels"),
    "coordinator": _("Coordinator"), "url": _("Address"),
}


def export_frame(table: pl.DataFrame, base_url: str) -> pl.DataFrame:
    """The rows to download (the library's shape) with values and headers in the
    reader's language."""
    import polars as pl

    from klaster import cluster_directory as lib
    pattern = cluster_url_pattern()
    ids = table["id"].to_list()
    names = {pk: c["name"] for pk, c in coordinators(ids).items()}
    urls = {pk: base_url + pattern.format(pk) for pk in ids}
    frame = lib.directory_export(table, names, urls)
    statuses = {k: str(v) for k, v in ClusterStatus.choices}
    helix = {k: str(v) for k, v in Helix.choices}
    order = {k: i for i, k in enumerate(helix)}  # the helix types in the registry's order

    def helix_names(text: str) -> str:
        kinds = sorted((x for x in text.split("; ") if x), key=lambda x: order.get(x, 99))
        return "; ".join(helix.get(x, x) for x in kinds)

    frame = frame.with_columns(
        pl.col("status").replace(statuses),
        pl.col("helix").map_elements(helix_names, return_dtype=pl.Utf8),
    )
    return frame.rename({k: str(v) for k, v in EXPORT_HEADERS.items()})
