"""Portal pages: the public directory, cluster/organisation pages, maps, and the workspace.

Thin views: they read through klaster.web.registry.permissions (the same rules as the
API), validate with the registry's forms, import/export with registry.importing.
"""

from __future__ import annotations

import io
import smtplib
from collections import OrderedDict
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Avg
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST

# Polars, klaster.geo and the other analytics load inside the views that use them: the URL
# map imports this module at every start of the platform (1-3 s of `klaster serve`; issue 14).
from klaster.web.analysis.templatetags.engine_i18n import named_choices
from klaster.web.assessment.templatetags.assessment_tags import current_labels
from klaster.web.portal import caching, contact, figures, maps
from klaster.web.portal import directory as directory_data
from klaster.web.portal.maps import MapPoint
from klaster.web.privacy import forms as privacy
from klaster.web.registry import permissions as perms
from klaster.web.registry.forms import (
    DUPLICATE_YEAR,
    ActivityForm,
    ClusterForm,
    DocumentForm,
    FiguresForm,
    ImportForm,
    JoinRequestForm,
    MemberAddForm,
    OrganisationAddForm,
    OrganisationForm,
    ProfileForm,
    ProjectForm,
)
from klaster.web.registry.importing import export_members, import_members, read_table
from klaster.web.registry.models import (
    Activity,
    Cluster,
    ClusterStatus,
    ConflictError,
    CoordinatorProfile,
    Document,
    Helix,
    JoinRequest,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationFigures,
    Project,
)
from klaster.web.registry.queries import attach_member_counts
from klaster.web.security import plotly_page

PAGE_SIZE = 50
_MARKER_ID = 918273645  # stands for "the id goes here" in a reversed URL
_MEMBER_ORGANISATION_FIELDS = ("name_en", "name_pl", "name_be", "name_ru", "helix", "city",
                               "latitude", "longitude")


def _public_page(request, name: str, template: str, build_context):
    """Render ``template`` with ``build_context()``; for anonymous visitors the page's
    title and content come from the shared cache (klaster.web.portal.caching), so a hit
    runs no query and renders only the frame. Signed-in users always get a fresh page."""
    if not caching.is_public_request(request):
        return render(request, template, build_context())
    blocks = caching.cached_public(
        request, name, lambda: caching.render_blocks(template, build_context(), request))
    return render(request, "portal/cached_page.html", {"blocks": blocks})


_DIRECTORY_ROW_FIELDS = ("id", "approved", "published", "status", "founded",
                         *(f"name_{x}" for x in ("en", "pl", "be", "ru")),
                         *(f"{f}{x}" for f in ("region", "sector")
                           for x in ("", "_pl", "_be", "_ru")))


def _directory_rows(clusters, coordinators: dict[int, dict]) -> list[dict]:
    """The page's rows as plain dicts: a template looks a dict key up directly, whereas
    each model attribute costs it a failed dict lookup first, and names, labels and URLs
    are computed here once. URLs come from one reverse() with a marker id."""
    statuses = dict(ClusterStatus.choices)
    url = directory_data.cluster_url_pattern()
    org_url = reverse("portal:organisation", args=[_MARKER_ID]).replace(
        str(_MARKER_ID), "{}")
    rows = []
    for c, row in clusters:
        coordinator = coordinators.get(c.pk)
        rows.append({
            "url": url.format(c.pk), "name": c.display_name, "approved": c.approved,
            "published": c.published, "status": statuses.get(c.status, c.status),
            "status_code": c.status, "country": row["country"],
            "region": c.display_region, "sector": c.display_sector, "member_count": row["members"], "founded": c.founded,
            "labels": row["labels"],
            "coordinator": coordinator["name"] if coordinator else "",
            "coordinator_url": org_url.format(coordinator["id"]) if coordinator else "",
        })
    return rows


def _directory_result(request):
    """The filtered, sorted directory table of this request (see portal/directory.py)."""
    from klaster import cluster_directory
    table = directory_data.visible_table(request.user, request.GET.get("q", ""))
    filtered = cluster_directory.apply_facets(table,
                                              directory_data.selection_from(request.GET))
    sort = request.GET.get("sort", "name")
    if sort not in cluster_directory.SORTS:
        sort = "name"
    return filtered, cluster_directory.sort_directory(filtered, sort), sort


def favicon(request):
    """The site's icon (not permanent: its static URL changes with its content hash)."""
    from django.templatetags.static import static

    return redirect(static("klaster/favicon.svg"))


def home(request):
    """What the programme is, its key figures, the newest clusters and upcoming events."""
    def context():
        today = timezone.localdate()
        return {"figures": figures.key_figures(request.user, today),
                "clusters": figures.newest_clusters(request.user),
                "events": figures.upcoming_events(today)}

    return _public_page(request, "home", "portal/home.html", context)


def directory(request):
    import polars as pl
    def context():
        filtered, ordered, sort = _directory_result(request)
        page = Paginator(ordered["id"].to_list(), PAGE_SIZE).get_page(request.GET.get("page"))
        ids = list(page.object_list)
        # Only what a row shows (descriptions and contacts are long).
        by_id = {c.pk: c for c in Cluster.objects.filter(pk__in=ids)
                 .only(*_DIRECTORY_ROW_FIELDS)}
        rows_by_id = {r["id"]: r for r in ordered.filter(pl.col("id").is_in(ids))
                      .iter_rows(named=True)}
        page_clusters = [(by_id[pk], rows_by_id[pk]) for pk in ids if pk in by_id]
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        return {"page": page, "query": query.urlencode(), "q": request.GET.get("q", ""),
                "sort": sort, "sorts": list(directory_data.SORT_TITLES.items()),
                "sort_fields": [(k, v) for k, vs in sort_query.lists() for v in vs],
                "facets": directory_data.cached_facet_panels(filtered, request.GET),
                "rows": _directory_rows(page_clusters, directory_data.coordinators(ids)),
                "page_clusters": [c for c, _row in page_clusters]}

    return _public_page(request, "directory", "portal/directory.html", context)


def directory_export(request):
    """CSV or Excel of exactly the directory's result (same search, facets and order;
    every page of it), public fields only."""
    from klaster.reports.spreadsheet import neutralise_frame
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        return HttpResponse(_("Unknown format."), status=400)
    _filtered, ordered, _sort = _directory_result(request)
    frame = neutralise_frame(directory_data.export_frame(
        ordered, request.build_absolute_uri("/").rstrip("/")))
    buf = io.BytesIO()
    if fmt == "xlsx":
        frame.write_excel(buf, worksheet="clusters", autofit=True)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        buf.write(b"\xef\xbb\xbf")  # BOM: Excel opens UTF-8 CSV (Cyrillic) correctly
        frame.write_csv(buf)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(buf.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="clusters.{fmt}"'
    return response


def _profile_context(request, pk) -> dict:
    """Everything the cluster profile shows (page and PDF): public fields only."""
    from klaster import cluster_directory
    cluster = perms.get_visible_or_404(Cluster, request.user, pk)
    # Only the columns the page shows (organisations carry codes, figures, texts).
    memberships = list(
        Membership.objects.filter(cluster=cluster).select_related("organisation")
        .only("cluster_id", "organisation_id", "role", "committed", "joined", "left",
              *(f"organisation__{f}" for f in _MEMBER_ORGANISATION_FIELDS))
        .order_by("organisation__name_en"))
    current = [m for m in memberships if m.left is None]
    by_helix = OrderedDict((label, []) for value, label in Helix.choices)
    member_rows = OrderedDict((label, []) for value, label in Helix.choices)
    labels, roles = dict(Helix.choices), dict(MembershipRole.choices)
    org_url = reverse("portal:organisation", args=[_MARKER_ID]).replace(
        str(_MARKER_ID), "{}")
    points = []
    for m in current:
        org = m.organisation
        row = {"url": org_url.format(m.organisation_id), "name": org.display_name,
               "role": roles.get(m.role, m.role), "committed": m.committed,
               "city": org.city}
        by_helix[labels[org.helix]].append(m)
        member_rows[labels[org.helix]].append(row)
        if org.latitude is not None:
            points.append(MapPoint(row["name"], org.latitude, org.longitude, row["url"],
                                   org.helix))
    helix_counts = [(k, len(v)) for k, v in member_rows.items() if v]
    coordinator = directory_data.coordinators([cluster.pk]).get(cluster.pk)
    profiles = list(cluster.profiles.order_by("year"))
    growth = cluster_directory.members_by_year(
        [(m.joined, m.left) for m in memberships], timezone.localdate().year)
    charts = {
        "helix": {"title": _("Members by helix type"),
                  "labels": [str(k) for k, _n in helix_counts],
                  "values": [n for _k, n in helix_counts]},
        "growth": {"title": _("Members at the end of each year"),
                   "years": [y for y, _n in growth], "values": [n for _y, n in growth],
                   "axis": _("Year")},
        "income": {"title": _("Coordinator's income by source (EUR)"),
                   "years": [p.year for p in profiles],
                   "series": [{"name": str(name),
                               "values": [float(getattr(p, field)) for p in profiles]}
                              for field, name in (
                                  ("income_member_fees", _("member fees")),
                                  ("income_public", _("public funds")),
                                  ("income_services", _("paid services")))]},
    }
    return {
        "cluster": cluster, "by_helix": [(k, v) for k, v in by_helix.items() if v],
        # The same members as plain dicts for the template (see _directory_rows).
        "member_rows": [(k, v) for k, v in member_rows.items() if v],
        "member_count": len(current), "helix_counts": helix_counts,
        "country": directory_data.option_label("country", (cluster.country or "").upper()),
        "past": [m for m in memberships if m.left is not None],
        "activities": cluster.activities.all().order_by("start", "pk"),
        "projects": list(cluster.projects.all().order_by("-start", "pk")),
        "documents": cluster.documents.all(),
        "map": maps.member_map(points, dict(Helix.choices), get_language() or "en"),
        "coordinator": coordinator, "profile": profiles[-1] if profiles else None,
        "charts": charts, "has_charts": bool(helix_counts or growth or profiles),
        "can_edit": perms.can_edit(request.user, cluster),
        "current_labels": current_labels(cluster),
    }


@plotly_page
def cluster_detail(request, pk):
    return _public_page(request, "cluster", "portal/cluster.html",
                        lambda: _profile_context(request, pk))


def cluster_profile_pdf(request, pk):
    """The cluster profile as a one-to-three-page PDF (A4, WeasyPrint) to attach to a
    note: the public fields of the page, in the reader's language."""
    ctx = _profile_context(request, pk)
    try:
        import weasyprint
    except (ImportError, OSError):
        # WeasyPrint loads Pango (Debian libpango-1.0-0, libpangoft2-1.0-0) at import.
        return HttpResponse(_("PDF rendering is not available on this server (WeasyPrint "
                              "needs the Pango library); use the HTML page."),
                            status=503, content_type="text/plain; charset=utf-8")
    ctx["page_url"] = request.build_absolute_uri(
        reverse("portal:cluster_contact", args=[ctx["cluster"].pk]))
    ctx["today"] = timezone.localdate()
    html = render_to_string("portal/cluster_profile_pdf.html", ctx, request=request)
    pdf = weasyprint.HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="cluster-{ctx["cluster"].pk}-profile.pdf"')
    return response


def cluster_contact(request, pk):
    """The "contact this cluster" form (its own page: the cluster page is cached for
    anonymous visitors and must not carry a visitor's CSRF token)."""
    cluster = perms.get_visible_or_404(Cluster, request.user, pk)
    to = contact.recipients(cluster)
    form = contact.ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not to:
            status = 400
        elif contact.limited(request, cluster.pk):
            form.add_error(None, _(
                "Too many messages were sent from your address or to this cluster in a "
                "short time. Please try again in an hour."))
            status = 429
        elif form.is_valid():
            contact.count(request, cluster.pk)
            try:
                if not form.is_bot():
                    contact.send(cluster, form, request.build_absolute_uri(
                        reverse("portal:cluster", args=[cluster.pk])), to)
            except (OSError, smtplib.SMTPException):
                # The mail server is down or refuses: say so, keep what was typed.
                form.add_error(None, _("The message could not be sent now (the mail server "
                                       "did not accept it). Please try again later."))
                return render(request, "portal/cluster_contact.html", {
                    "cluster": cluster, "form": form, "can_contact": True,
                    "honeypot": contact.HONEYPOT}, status=503)
            messages.success(request, _("Your message was sent to the cluster's "
                                        "coordinator."))
            return redirect("portal:cluster", pk=cluster.pk)
        else:
            status = 400
    return render(request, "portal/cluster_contact.html", {
        "cluster": cluster, "form": form, "can_contact": bool(to),
        "honeypot": contact.HONEYPOT}, status=status)


def organisation_detail(request, pk):
    org = perms.get_visible_or_404(Organisation, request.user, pk)
    visible = perms.visible_clusters(request.user)
    memberships = (Membership.objects.filter(organisation=org, cluster__in=visible)
                   .select_related("cluster").order_by("left", "-joined", "pk"))
    projects = (Project.objects.filter(partners=org, cluster__in=visible)
                .select_related("cluster").order_by("-start", "pk"))
    can_edit = perms.can_edit(request.user, org)
    # Figures follow the visibility rules of the organisation itself: shown when the
    # organisation is public (approved or member of a published cluster) or to those who
    # edit it, not to a coordinator who sees an unapproved member only through their own
    # cluster. Only the latest year is shown here; all years are in the workspace.
    # Representatives (people) are never shown on the public page.
    latest = None
    if can_edit or Organisation.objects.public().filter(pk=org.pk).exists():
        latest = org.figures.order_by("-year").first()
    points = ([MapPoint(org.display_name, org.latitude, org.longitude, "", org.helix)]
              if org.latitude is not None and org.longitude is not None else [])
    return render(request, "portal/organisation.html", {
        "org": org, "memberships": list(memberships), "projects": list(projects),
        "latest_figures": latest, "can_edit": can_edit,
        "coordinates": list(org.coordinated_clusters.filter(pk__in=visible.values("pk"))),
        "map": maps.member_map(points, dict(Helix.choices), get_language() or "en",
                               label=_("Location of the organisation")),
    })


def _lq_choice(request, language: str) -> tuple[dict, dict | None]:
    """The analysis/category select of the map page and, when both are chosen and
    visible, the regions shaded by that category's location quotient."""
    from klaster import geo
    from klaster.web.analysis import permissions as analysis_perms
    from klaster.web.analysis.models import RegionCluster, RegionSummary, Status

    analyses = list(analysis_perms.visible_datasets(request.user)
                    .filter(status=Status.DONE).only("pk", "title"))
    chosen = next((a for a in analyses if str(a.pk) == request.GET.get("analysis")), None)
    form = {"analyses": analyses, "analysis": chosen, "categories": [], "category": None,
            "message": ""}
    if chosen is None:
        return form, None
    form["categories"] = named_choices(RegionCluster.categories(chosen))
    code = request.GET.get("category", "")
    name = dict(form["categories"]).get(code)
    if name is None:
        form["message"] = _("Choose a cluster category of this analysis.")
        return form, None
    form["category"] = code
    lq = dict(RegionCluster.objects.filter(dataset=chosen, cluster=code)
              .values_list("region", "lq"))
    employment = dict(RegionSummary.objects.filter(dataset=chosen)
                      .values_list("region", "employment"))
    values = geo.admin1_values(lq, employment, maps._geometry())
    if not values:
        form["message"] = _("This analysis has no region on this map.")
        return form, None
    title = _("Location quotient of %(category)s (%(analysis)s)") % {
        "category": name, "analysis": chosen.title}
    return form, maps.lq_shading(values, title, language)


MAP_ENTRIES_SECONDS = 600


def _map_entries(language: str) -> list[tuple]:
    """(cluster id, marker or None, table row HTML, region id, name, marker JSON) of
    EVERY cluster in the map's order, in ``language``, cached under the registry version
    (any registry write replaces it, as for the directory's member counts): building
    1,500 markers and
    rows from model instances cost 0.7 s per map request (issue 14). The reader's
    visible clusters are picked from it per request."""
    key = f"portal:map-entries:{language}:{caching.registry_version()}"
    entries = cache.get(key)
    if entries is not None:
        return entries
    lang = language[:2]
    name_field = f"name_{lang}" if lang in ("pl", "be", "ru") else "name_en"
    # The coordinator's location from a join; the members' centroid only for the
    # clusters without one, in one grouped query. An annotation over every cluster
    # grouped all cluster columns with all memberships (0.6 s with 1,500 clusters and
    # 60,000 memberships; issue 14).
    rows = list(Cluster.objects.order_by("name_en", "pk").values_list(
        "pk", "name_en", name_field, "status", "coordinator_organisation__latitude",
        "coordinator_organisation__longitude"))
    counts = directory_data.member_counts(r[0] for r in rows)
    unplaced = [r[0] for r in rows if r[4] is None or r[5] is None]
    centroid = {}
    if unplaced:
        centroid = {row["cluster_id"]: (row["lat"], row["lon"]) for row in (
            Membership.objects.filter(cluster_id__in=unplaced, left__isnull=True)
            .values("cluster_id").annotate(lat=Avg("organisation__latitude"),
                                           lon=Avg("organisation__longitude"))
            .order_by())}
    statuses = dict(ClusterStatus.choices)
    url = reverse("portal:cluster", args=[_MARKER_ID]).replace(str(_MARKER_ID), "{}")
    points = []
    for pk, name_en, name, status, lat, lon in rows:
        clat, clon = centroid.get(pk, (None, None))
        lat = lat if lat is not None else clat
        lon = lon if lon is not None else clon
        points.append((pk, MapPoint(name or name_en, lat, lon, url.format(pk), status,
                                    counts.get(pk, 0))))
    placed = [(pk, p) for pk, p in points if p.lat is not None and p.lon is not None]
    region_of = dict(zip((pk for pk, _p in placed),
                         maps.regions_of([p for _pk, p in placed]), strict=True))
    names = maps.region_names(language)
    details: dict = {}
    entries = []
    for pk, p in points:
        fid = region_of.get(pk)
        marker = maps.cluster_marker(p, statuses, details) if pk in region_of else None
        row = ('<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>'
               .format(p.url, escape(p.label), escape(statuses.get(p.kind, p.kind)),
                       p.members, escape(names.get(fid, "") or "—")))
        entries.append((pk, marker, row, fid, p.label,
                        maps.marker_json(marker) if marker is not None else ""))
    cache.set(key, entries, MAP_ENTRIES_SECONDS)
    return entries


def cluster_map(request):
    """Every visible cluster at its coordinator's location, else its members' centroid;
    regions shaded by the number of clusters in them, or by a cluster category's
    location quotient from a finished analysis (?analysis=<id>&category=<code>)."""
    language = get_language() or "en"
    visible = set(perms.visible_clusters(request.user).values_list("pk", flat=True))
    entries = [e for e in _map_entries(language) if e[0] in visible]
    markers = [e[1] for e in entries if e[1] is not None]
    form, shading = _lq_choice(request, language)
    if shading is None:
        shading = maps.count_shading([e[3] for e in entries if e[1] is not None], language)
    data = maps.cluster_map([], dict(ClusterStatus.choices), language, shading,
                            markers=markers)
    # The list of every cluster, each value escaped when its row was built: the template
    # loop rendered 1,500 rows × 5 variables in 0.9 s (issue 14).
    return render(request, "portal/map.html", {
        "map": data,
        "map_json": maps.data_json(data, [e[5] for e in entries if e[1] is not None]),
        "rows_html": mark_safe("".join(e[2] for e in entries)),  # each row escaped when built
        "form": form, "unplaced": [e[4] for e in entries if e[1] is None]})


@gzip_page
def map_boundaries(request):
    """The background boundaries as GeoJSON (same for every user and language: names
    in every language are in the properties). Built once per process, cached by the
    browser for a day and revalidated by ETag."""
    body, etag = maps.boundaries_payload()
    # gzip_page weakens the ETag of a compressed response (W/"…"): compare without it.
    sent = [t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")]
    if etag in sent:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/geo+json")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- workspace ------------------------------------------------------------------------


def _workspace_page(request, org_form, status=200):
    user = request.user
    clusters = (Cluster.objects.all() if perms.is_admin(user)
                else Cluster.objects.filter(coordinators=user))
    return render(request, "portal/workspace.html", {
        "clusters": attach_member_counts(clusters.order_by("name_en")),
        "organisations": (Organisation.objects.filter(representatives=user)
                          .order_by("name_en")),
        "can_create": perms.can_create_cluster(user),
        "org_form": org_form,
    }, status=status)


@login_required
def workspace(request):
    return _workspace_page(request, OrganisationAddForm(auto_id="org_%s"))


@login_required
@require_POST
def organisation_add(request):
    """Register one organisation (checked as an imported row is); its author becomes its
    representative (a programme administrator does not); approval stays the programme's."""
    form = OrganisationAddForm(request.POST, auto_id="org_%s")
    if not form.is_valid():
        return _workspace_page(request, form, status=400)
    org = form.organisation
    with transaction.atomic():
        org.save()
        if not perms.is_admin(request.user):
            org.representatives.add(request.user)
    return _done(request, _("Organisation added: %(name)s.") % {"name": org.display_name},
                 "portal:organisation_edit", org.pk)


def _save_versioned(request, form, obj) -> bool:
    """Save ``obj`` if its version is current; otherwise put a conflict error on ``form``."""
    try:
        obj.save_versioned(form.cleaned_data.get("version"))
    except ConflictError:
        form.add_error(None, _(
            "Someone else changed this record since you opened it. Your changes were not "
            "saved: reload the page to see the current version, then apply them again."))
        return False
    return True


def _done(request, message, url_name: str, pk):
    """Success message and redirect (the end of every successful workspace form)."""
    messages.success(request, message)
    return redirect(url_name, pk=pk)


def _form_page(request, form, title, on_valid, *, invalid_status: int = 400):
    """The one create/edit-form flow of the workspace: GET shows ``portal/form.html``;
    a valid POST returns ``on_valid(form)`` (a redirect); an invalid POST shows the form
    with its inline errors and ``invalid_status``."""
    if request.method == "POST" and form.is_valid():
        return on_valid(form)
    return render(request, "portal/form.html", {"form": form, "title": title},
                  status=invalid_status if request.method == "POST" else 200)


def _versioned_edit(request, form, url_name: str, pk, template: str, context: dict):
    """Edit a Versioned record: saved → redirect to ``url_name``; invalid → 400; valid
    but someone saved in between (stale version) → 409 with the conflict message."""
    status = 200
    if request.method == "POST":
        valid = form.is_valid()
        if valid and _save_versioned(request, form, form.instance):
            return _done(request, _("Saved."), url_name, pk)
        # A valid form that was not saved lost the version race: 409 Conflict.
        status = 409 if valid else 400
    return render(request, template, {"form": form, **context}, status=status)


def _post_form(request, form, save, message, url_name: str, pk):
    """A POST-only form posted from another page: save and report success, or report the
    form's errors as one message; back to ``url_name`` either way."""
    if form.is_valid():
        if save(form):
            messages.success(request, message)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(url_name, pk=pk)


@login_required
def cluster_create(request):
    if not perms.can_create_cluster(request.user):
        raise PermissionDenied("You may not create clusters.")
    form = ClusterForm(request.POST or None, user=request.user)

    def create(form):
        cluster = form.save(commit=False)
        cluster.save_versioned(None)
        cluster.coordinators.add(request.user)
        return _done(request, _("Cluster created."), "portal:cluster_edit", cluster.pk)

    # An invalid new cluster has always answered 200 (kept: clients may rely on it).
    return _form_page(request, form, _("New cluster"), create, invalid_status=200)


def _member_form(request, cluster, data=None):
    return MemberAddForm(data, instance=Membership(cluster=cluster), user=request.user,
                         auto_id="member_%s", find=request.GET.get("find", ""))


def _cluster_edit_context(request, cluster, member_form=None) -> dict:
    return {
        "cluster": cluster, "title": cluster.display_name,
        "member_form": member_form or _member_form(request, cluster),
        "find": request.GET.get("find", ""),
        "import_form": ImportForm(), "activity_form": ActivityForm(),
        "members": cluster.memberships.filter(left__isnull=True)
        .select_related("organisation"),
        "join_requests": cluster.join_requests.filter(status="pending")
        .select_related("organisation"),
        "profiles": cluster.profiles.all(),
        "document_form": DocumentForm(),
    }


@login_required
def cluster_edit(request, pk):
    cluster = perms.get_editable_or_deny(Cluster, request.user, pk)
    form = ClusterForm(request.POST or None, instance=cluster, user=request.user,
                       admin=perms.is_admin(request.user))
    return _versioned_edit(request, form, "portal:cluster_edit", cluster.pk,
                           "portal/cluster_edit.html", _cluster_edit_context(request, cluster))


@login_required
@require_POST
def member_add(request, pk):
    """Add one member (an organisation the author may see, or a new one), checked as an
    imported row is; errors are shown on the cluster's page with the form filled in."""
    cluster = perms.get_editable_or_deny(Cluster, request.user, pk)
    member_form = _member_form(request, cluster, request.POST)
    org = member_form.save_member(cluster) if member_form.is_valid() else None
    if org is None:
        return render(request, "portal/cluster_edit.html", {
            "form": ClusterForm(instance=cluster, user=request.user,
                                admin=perms.is_admin(request.user)),
            **_cluster_edit_context(request, cluster, member_form)}, status=400)
    return _done(request, _("Member added: %(name)s.") % {"name": org.display_name},
                 "portal:cluster_edit", cluster.pk)


@login_required
def organisation_edit(request, pk):
    org = perms.get_editable_or_deny(Organisation, request.user, pk)
    form = OrganisationForm(request.POST or None, instance=org,
                            admin=perms.is_admin(request.user))
    return _versioned_edit(request, form, "portal:organisation_edit", org.pk,
                           "portal/organisation_edit.html", {
        "org": org, "title": org.display_name,
        "join_form": privacy.attach_consent(
            JoinRequestForm(user=request.user, clusters=_joinable(request.user, org)),
            request.user),
        "join_requests": org.join_requests.select_related("cluster"),
        "figures": org.figures.order_by("-year"),
    })


def _joinable(user, org):
    """Visible clusters the organisation is not a current member of."""
    return (perms.visible_clusters(user)
            .exclude(memberships__organisation=org, memberships__left__isnull=True)
            .order_by("name_en"))


def _field_label(record, name: str) -> str:
    try:
        return capfirst(str(record._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:  # a field no longer in the model: its stored name
        return name


def _history_rows(records) -> list[dict]:
    """``records``: one record's history, newest first → rows with before → after."""
    rows = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changes = []
        if older is not None:
            # the field's name in the reader's language ("sector (Polish)"), not its key
            changes = [(_field_label(newer, c.field), c.old, c.new)
                       for c in newer.diff_against(older).changes]
        rows.append({"record": newer, "changes": changes})
    return rows


def _history(request, obj, back_url, related=None):
    """History page of ``obj``; ``related``: history records of child rows (any number of
    rows, ordered by row id then newest first), listed per row after ``obj``'s own."""
    rows = _history_rows(list(obj.history.all().select_related("history_user")))
    related_rows = []
    for _pk, group in groupby(related or [], key=lambda r: r.id):
        related_rows.extend(_history_rows(list(group)))
    return render(request, "portal/history.html", {"obj": obj, "rows": rows,
                                                   "related_rows": related_rows,
                                                   "back_url": back_url})


@login_required
def cluster_history(request, pk):
    cluster = perms.get_editable_or_deny(Cluster, request.user, pk)
    return _history(request, cluster, reverse("portal:cluster_edit", args=[pk]))


@login_required
def organisation_history(request, pk):
    org = perms.get_editable_or_deny(Organisation, request.user, pk)
    # The yearly figures are the organisation's too: their history (django-simple-history,
    # including rows since deleted, e.g. in the admin) is listed below the organisation's.
    figures = list(OrganisationFigures.history.filter(organisation_id=org.pk)
                   .select_related("history_user").order_by("id", "-history_date",
                                                             "-history_id"))
    return _history(request, org, reverse("portal:organisation_edit", args=[pk]),
                    related=figures)


@login_required
def members_import(request, pk):
    cluster = perms.get_editable_or_deny(Cluster, request.user, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = read_table(upload.name, upload.read())
        except ValidationError as exc:
            form.add_error("file", exc.messages)
            status = 400
        else:
            result = import_members(cluster, table)
            if result.ok:
                messages.success(request, _(
                    "%(n)d members imported (%(new)d new organisations).") % {
                        "n": result.memberships, "new": result.created_organisations})
                return redirect("portal:cluster_edit", pk=cluster.pk)
            status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "portal/import.html", {"form": form, "cluster": cluster,
                                                  "result": result}, status=status)


@login_required
def members_export(request, pk):
    cluster = perms.get_editable_or_deny(Cluster, request.user, pk)
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        return HttpResponse(_("Unknown format."), status=400)
    content_type = ("text/csv; charset=utf-8" if fmt == "csv" else
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = HttpResponse(export_members(cluster, fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="cluster-{cluster.pk}-members.{fmt}"'
    return response


@login_required
@require_POST
def membership_end(request, pk):
    membership = perms.get_editable_or_deny(Membership, request.user, pk)
    if membership.left is None:
        membership.end()
        messages.success(request, _("Membership ended (kept in the history)."))
    return redirect("portal:cluster_edit", pk=membership.cluster_id)


@login_required
def activity_create(request, pk):
    cluster = perms.get_editable_or_deny(Cluster, request.user, pk)
    form = ActivityForm(request.POST or None, instance=Activity(cluster=cluster))

    def create(form):
        form.instance.save_versioned(None)
        return _done(request, _("Activity added."), "portal:cluster", cluster.pk)

    return _form_page(request, form, _("New activity"), create)


@login_required
@require_POST
def join_request_create(request, pk):
    org = perms.get_editable_or_deny(Organisation, request.user, pk)
    form = JoinRequestForm(request.POST, instance=JoinRequest(organisation=org,
                                                              requested_by=request.user),
                           user=request.user, clusters=_joinable(request.user, org))
    privacy.attach_consent(form, request.user)

    def save(form):
        if JoinRequest.objects.filter(organisation=org, cluster=form.cleaned_data["cluster"],
                                      status="pending").exists():
            messages.error(request, _("A request to join this cluster is already pending."))
            return False
        form.save()
        privacy.record(request.user, "contact")
        return True

    return _post_form(request, form, save, _("Request sent to the cluster's coordinators."),
                      "portal:organisation_edit", org.pk)


@login_required
@require_POST
def join_request_decide(request, pk):
    join = perms.get_editable_or_deny(JoinRequest, request.user, pk)
    try:
        join.decide(request.user, accept=request.POST.get("accept") == "1")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Request accepted: membership created.")
                         if join.status == "accepted" else _("Request declined."))
    return redirect("portal:cluster_edit", pk=join.cluster_id)


@login_required
def project_create(request, pk):
    cluster = perms.get_editable_or_deny(Cluster, request.user, pk)
    form = ProjectForm(request.POST or None, instance=Project(cluster=cluster),
                       user=request.user)

    def create(form):
        form.save(commit=False).save_versioned(None)
        form.save_m2m()
        return _done(request, _("Project added."), "portal:cluster", cluster.pk)

    return _form_page(request, form, _("New joint project"), create)


@login_required
def profile_edit(request, pk):
    """Create or update the coordinator profile of one year (``?year=``)."""
    cluster = perms.get_editable_or_deny(Cluster, request.user, pk)
    year = request.POST.get("year") or request.GET.get("year")
    instance = None
    if year and str(year).isdigit():
        instance = CoordinatorProfile.objects.filter(cluster=cluster, year=int(year)).first()
    form = ProfileForm(request.POST or None,
                       instance=instance or CoordinatorProfile(cluster=cluster),
                       initial={"year": year} if year and not instance else None)
    def save(form):
        form.save()
        return _done(request, _("Saved."), "portal:cluster_edit", cluster.pk)

    return _form_page(request, form, _("Coordinator profile"), save)


def document_download(request, pk):
    """Uploaded evidence, served only to those who may see its cluster (never a bare
    /media/ URL, which would bypass the permission rules)."""
    document = perms.get_visible_or_404(Document, request.user, pk)
    if not document.file:
        raise Http404("This document is a link, not a file.")
    return FileResponse(document.file.open("rb"), as_attachment=True,
                        filename=document.file.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def document_upload(request, pk):
    cluster = perms.get_editable_or_deny(Cluster, request.user, pk)
    form = DocumentForm(request.POST, request.FILES,
                        instance=Document(cluster=cluster, uploaded_by=request.user))
    return _post_form(request, form, lambda form: form.save() is not None,
                      _("Document added."), "portal:cluster_edit", cluster.pk)


def _figures_form(request, org, instance, title):
    """Add or edit one year of ``org``'s figures (inline errors, 400 when invalid). A
    duplicate year that slips past the form's check (two saves at once) is refused by the
    database (figures_one_per_year) and shown as the same inline error, never a 500."""
    form = FiguresForm(request.POST or None, instance=instance)
    history_url = reverse("portal:organisation_history", args=[org.pk])

    def page(status):
        return render(request, "portal/form.html", {"form": form, "title": title,
                                                    "history_url": history_url},
                      status=status)

    if request.method != "POST":
        return page(200)
    if not form.is_valid():
        return page(400)
    try:
        with transaction.atomic():
            saved = _save_versioned(request, form, form.instance)
    except IntegrityError:
        form.add_error("year", DUPLICATE_YEAR)
        return page(400)
    if not saved:  # someone saved this year in between: 409 with the conflict message
        return page(409)
    return _done(request, _("Yearly figures saved."), "portal:organisation_edit", org.pk)


@login_required
def figures_create(request, pk):
    org = perms.get_editable_or_deny(Organisation, request.user, pk)
    return _figures_form(request, org, OrganisationFigures(organisation=org),
                         _("Yearly figures of %(s)s") % {"s": org.display_name})


@login_required
def figures_edit(request, pk):
    """Edit one year's row. Rights are the organisation's: a row of an organisation the
    user may not see answers 404 (as a missing row), a visible one they may not edit 403."""
    org_id = (OrganisationFigures.objects.filter(pk=pk)
              .values_list("organisation_id", flat=True).first())
    if org_id is None:
        raise Http404("No such figures.")
    org = perms.get_editable_or_deny(Organisation, request.user, org_id)
    figures = OrganisationFigures.objects.get(pk=pk)
    figures.organisation = org
    return _figures_form(request, org, figures,
                         _("Yearly figures of %(s)s") % {"s": org.display_name})
