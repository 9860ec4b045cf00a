"""Pages: network view, partner requests and suggestions, proximity upload, events.

Thin views over klaster.networks / klaster.matchmaking (the analytics, framework-free) and
klaster.web.registry.permissions (the rule book): a record the user may not see is 404, a
visible one they may not change 403.
"""

from __future__ import annotations

import csv
import hashlib
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klaster.web.assets import figure_trace_types
from klaster.web.matchmaking import scheduling, suggestions
from klaster.web.matchmaking.data import CACHE_SECONDS, cached_tables
from klaster.web.matchmaking.forms import (
    EventForm,
    PartnerRequestForm,
    ProximityUploadForm,
    RegistrationForm,
    WishForm,
)
from klaster.web.matchmaking.models import (
    Contact,
    Dismissal,
    Event,
    Participant,
    ProximityTable,
    Wish,
)
from klaster.web.matchmaking.network import TIE_TYPES, metrics_payload, network_payload
from klaster.web.portal.caching import registry_version
from klaster.web.privacy import forms as privacy
from klaster.web.privacy.mail import send_mass_mail
from klaster.web.registry import permissions as perms
from klaster.web.registry.models import (
    Cluster,
    ConflictError,
    Helix,
    Organisation,
    PartnerRequest,
)
from klaster.web.security import plotly_csp

PAGE_SIZE = 50


# --- network --------------------------------------------------------------------------

def network_index(request):
    clusters = Paginator(perms.visible_clusters(request.user).order_by("name_en", "pk"),
                         PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "matchmaking/network_index.html", {"page": clusters})


def _tie_labels() -> dict[str, str]:
    return {"project": _("joint projects"), "activity": _("joint activities"),
            "membership": _("co-membership"),
            **{value: str(label) for value, label in Helix.choices}}


def _network_filters(request):
    from klaster.registry_tables import HELIX_TYPES
    year = request.GET.get("year") or None
    if year is not None:
        if not year.isdigit():
            return None
        year = int(year)
    tie_types = [t for t in request.GET.getlist("tie") if t in TIE_TYPES] or ["project",
                                                                             "activity"]
    helix = [h for h in request.GET.getlist("helix") if h in HELIX_TYPES] or list(HELIX_TYPES)
    return year, tie_types, helix


def network(request, pk):
    """One cluster's organisations and their ties (public for published clusters)."""
    cluster = perms.get_visible_or_404(Cluster, request.user, pk)
    filters = _network_filters(request)
    if filters is None:
        return HttpResponseBadRequest(_("The year must be a number."))
    year, tie_types, helix = filters
    payload = cached_network_payload(request.user, cluster, year=year, tie_types=tie_types,
                                     helix=helix)
    response = render(request, "matchmaking/network.html", {
        "cluster": cluster, "payload": payload, "year": year, "tie_types": tie_types,
        "helix": helix, "tie_choices": [(t, _tie_labels()[t]) for t in TIE_TYPES],
        "helix_choices": Helix.choices,
        "metrics_url": reverse("matchmaking:network_metrics", args=[cluster.pk])
        + (f"?year={year}" if year else ""),
    })
    # scattergl (from 1,000 organisations) is only in plotly.js's full bundle, which
    # {% plotly_js payload.figure %} then loads and which needs 'unsafe-eval'.
    return plotly_csp(response, figure_trace_types(payload["figure"]))


def _metric_labels() -> dict[str, str]:
    return {
        "members": _("members"), "ties": _("ties"), "density": _("density"),
        "components": _("components"), "isolates_share": _("share without ties"),
        "max_degree_centrality": _("highest degree centrality"),
        "mean_betweenness": _("mean betweenness"),
        "bridging_organisations": _("bridging organisations"),
        "mix_business_research": _("ties business–research"),
        "mix_business_public": _("ties business–public"),
        "mix_research_public": _("ties research–public"),
        "mix_business_business": _("ties business–business"),
        "mix_research_research": _("ties research–research"),
        "mix_public_public": _("ties public–public"), "mix_other": _("other ties"),
    }


def network_metrics(request, pk):
    """The cluster_metrics table of the cluster (HTML fragment, fetched by the network page;
    cached per registry state, cluster and year)."""
    cluster = perms.get_visible_or_404(Cluster, request.user, pk)
    filters = _network_filters(request)
    if filters is None:
        return HttpResponseBadRequest(_("The year must be a number."))
    year = filters[0]
    state = registry_version()
    key = f"mm:metrics:{state}:{cluster.pk}:{year}"
    metrics = cache.get(key)
    if metrics is None:
        metrics = metrics_payload(cached_tables((cluster.pk,), state), year=year,
                                  cluster_id=cluster.pk)
        cache.set(key, metrics, CACHE_SECONDS)
    columns, rows = metrics["columns"], metrics["rows"]
    year_at = columns.index("year")
    labels = _metric_labels()
    names = dict(Organisation.objects.filter(
        pk__in={i for r in rows for i in (r[columns.index("bridging_organisations")] or [])}
        if "bridging_organisations" in columns else []).values_list("pk", "name_en"))
    # One column per year, one row per measure (the ids and the year are the header).
    table = []
    for i, c in enumerate(columns):
        if c in ("cluster_id", "year"):
            continue
        values = [r[i] for r in rows]
        if c == "bridging_organisations":
            values = [", ".join(names.get(o, str(o)) for o in (v or [])) or None
                      for v in values]
        table.append((labels.get(c, c), values))
    return render(request, "matchmaking/_metrics.html", {
        "metrics_table": table, "metrics_years": [r[year_at] for r in rows]})


def cached_network_payload(user, cluster, *, year, tie_types, helix) -> dict:
    """network_payload for the cluster, cached per (registry state, cluster, year, filters,
    language, set of organisations the viewer may see): 5,000 nodes are laid out once."""
    from django.utils.translation import get_language

    state = registry_version()
    if perms.is_admin(user):
        scope = "all"
        visible_ids = None
    else:
        visible_ids = set(perms.visible_organisations(user).values_list("pk", flat=True))
        scope = hashlib.sha1(",".join(map(str, sorted(visible_ids))).encode()).hexdigest()
    key = "mm:net:" + hashlib.sha1(repr((state, cluster.pk, year, sorted(tie_types),
                                         sorted(helix), scope, get_language())).encode()
                                   ).hexdigest()
    payload = cache.get(key)
    if payload is None:
        tables = cached_tables((cluster.pk,), state)
        payload = network_payload(
            tables, year=year, tie_types=tie_types, helix=helix, visible_ids=visible_ids,
            labels=_tie_labels(),
            org_url=reverse("portal:organisation", args=[0]).replace("/0/", "/{id}/"))
        cache.set(key, payload, CACHE_SECONDS)
    return payload


# --- partner requests -----------------------------------------------------------------

def _own_organisations(user):
    return Organisation.objects.filter(representatives=user).order_by("name_en", "pk")


@login_required
def request_list(request):
    """Every partner request the user may read (registry.permissions.visible): their
    own organisations', those concerning the clusters they coordinate, and the open ones
    of organisations they may see; the suggestions page only for those they may edit."""
    user = request.user
    qs = perms.visible(PartnerRequest, user)
    page = Paginator(qs.select_related("organisation", "cluster").order_by("-created", "pk"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    own = set(_own_organisations(user).values_list("pk", flat=True))
    for r in page:
        r.editable = perms.is_admin(user) or r.organisation_id in own
    return render(request, "matchmaking/request_list.html", {
        "page": page, "organisations": _own_organisations(user),
        "is_admin": perms.is_admin(user),
        "proximity": ProximityTable.objects.first() if perms.is_admin(user) else None})


@login_required
def request_create(request, org_pk):
    org = perms.get_editable_or_deny(Organisation, request.user, org_pk)
    form = privacy.attach_consent(PartnerRequestForm(request.POST or None,
                                                     instance=PartnerRequest(organisation=org)),
                                  request.user)
    if request.method == "POST" and form.is_valid():
        form.instance.save_versioned(None)
        privacy.record(request.user, "partner_request")
        messages.success(request, _("Request saved. Suggested partners are below."))
        return redirect("matchmaking:suggestions", pk=form.instance.pk)
    return render(request, "matchmaking/request_form.html",
                  {"form": form, "org": org, "title": _("New partner request")},
                  status=400 if request.method == "POST" else 200)


@login_required
def request_edit(request, pk):
    req = perms.get_editable_or_deny(PartnerRequest, request.user, pk)
    form = PartnerRequestForm(request.POST or None, instance=req)
    status = 200
    if request.method == "POST":
        valid = form.is_valid()
        if valid:
            try:
                form.instance.save_versioned(form.cleaned_data.get("version"))
            except ConflictError:
                form.add_error(None, _(
                    "Someone else changed this request since you opened it. Your changes "
                    "were not saved: reload the page and apply them again."))
            else:
                messages.success(request, _("Saved."))
                return redirect("matchmaking:suggestions", pk=req.pk)
        status = 409 if valid else 400
    return render(request, "matchmaking/request_form.html",
                  {"form": form, "org": req.organisation, "title": req.topic}, status=status)


@login_required
def suggestions_page(request, pk):
    req = perms.get_editable_or_deny(PartnerRequest, request.user, pk)
    result = suggestions.for_request(request.user, req)
    return render(request, "matchmaking/suggestions.html", {
        "req": req, "result": result,
        "contacts": req.contacts.select_related("candidate_organisation", "accepted_by"),
    })


@login_required
@require_POST
def suggestion_accept(request, pk):
    req = perms.get_editable_or_deny(PartnerRequest, request.user, pk)
    candidate = _candidate(request, req)
    with transaction.atomic():
        contact, created = Contact.objects.get_or_create(
            request=req, candidate_organisation_id=candidate["organisation_id"],
            defaults={"candidate_request_id": candidate.get("candidate_request_id"),
                      "score": candidate["score"], "reasons": candidate["reasons"],
                      "accepted_by": request.user})
    if created:
        sent = _notify(request, contact)
        messages.success(request, _("Contact recorded; %(n)d notification e-mail(s) sent.")
                         % {"n": sent})
    else:
        messages.info(request, _("This contact was already recorded."))
    return redirect("matchmaking:suggestions", pk=req.pk)


@login_required
@require_POST
def suggestion_dismiss(request, pk):
    req = perms.get_editable_or_deny(PartnerRequest, request.user, pk)
    candidate = _candidate(request, req)
    Dismissal.objects.get_or_create(request=req,
                                    candidate_organisation_id=candidate["organisation_id"],
                                    defaults={"dismissed_by": request.user})
    messages.success(request, _("Suggestion dismissed; it will not be shown again."))
    return redirect("matchmaking:suggestions", pk=req.pk)


def _candidate(request, req) -> dict:
    """The posted candidate, taken from the current suggestions (never from the form: the
    score and reasons recorded are the system's, and only suggested candidates count)."""
    raw = request.POST.get("organisation", "")
    if not raw.isdigit():
        raise Http404("No such suggestion")
    for row in suggestions.for_request(request.user, req).rows:
        if row["organisation_id"] == int(raw):
            return row
    raise Http404("No such suggestion")


def _reasons_text(reasons) -> str:
    """Stored reasons (message dicts; plain text in contacts recorded before) in the
    active language."""
    from klaster.web.analysis.templatetags.engine_i18n import engine_message

    return "; ".join(engine_message(r) for r in reasons)


def _notify(request, contact: Contact) -> int:
    """E-mail the requester's and the candidate's representatives (Django mail backend)."""
    req = contact.request
    own = req.organisation
    other = contact.candidate_organisation
    link = request.build_absolute_uri(reverse("portal:organisation", args=[other.pk]))
    back = request.build_absolute_uri(reverse("portal:organisation", args=[own.pk]))
    mails = []
    own_to = sorted({u.email for u in own.representatives.all() if u.email})
    other_to = sorted({u.email for u in other.representatives.all() if u.email})
    subject_own = _("Contact recorded: %(org)s") % {"org": other.display_name}
    body_own = _("Your request \"%(topic)s\" of %(own)s is now in contact with %(org)s.\n"
                 "Reasons: %(reasons)s\n%(link)s\n") % {
        "topic": req.topic, "own": own.display_name, "org": other.display_name,
        "reasons": _reasons_text(contact.reasons), "link": link}
    subject_other = _("%(org)s would like to get in touch") % {"org": own.display_name}
    body_other = _("%(own)s (request \"%(topic)s\", %(kind)s) found your organisation %(org)s "
                   "through the cluster programme's partner matching and would like to get "
                   "in touch.\nReasons: %(reasons)s\n%(link)s\n") % {
        "own": own.display_name, "topic": req.topic, "kind": req.get_kind_display(),
        "org": other.display_name, "reasons": _reasons_text(contact.reasons), "link": back}
    if own_to:
        mails.append((subject_own, body_own, None, own_to))
    if other_to:
        mails.append((subject_other, body_other, None, other_to))
    return send_mass_mail(mails, fail_silently=False) if mails else 0


@login_required
def proximity_upload(request):
    if not perms.is_admin(request.user):
        raise PermissionDenied("Only programme administrators upload the proximity table.")
    form = ProximityUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        table = form.table
        buffer = io.BytesIO()
        table.write_parquet(buffer)
        upload = form.cleaned_data["file"]
        record = ProximityTable(
            original_name=upload.name[:255], pairs=table.height,
            activities=len(set(table.get_column("activity_1").to_list())
                           | set(table.get_column("activity_2").to_list())),
            uploaded_by=request.user)
        record.file.save("proximity.parquet", ContentFile(buffer.getvalue()), save=False)
        record.save()
        messages.success(request, _("Proximity table saved: %(pairs)d pairs of %(n)d "
                                    "activities.") % {"pairs": record.pairs,
                                                      "n": record.activities})
        return redirect("matchmaking:requests")
    return render(request, "matchmaking/proximity.html", {
        "form": form, "current": ProximityTable.objects.first()},
        status=400 if request.method == "POST" else 200)


# --- events ---------------------------------------------------------------------------

@login_required
def event_list(request):
    page = Paginator(Event.objects.order_by("-date", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "matchmaking/event_list.html", {
        "page": page, "is_admin": perms.is_admin(request.user)})


@login_required
def event_create(request):
    if not perms.is_admin(request.user):
        raise PermissionDenied("Only programme administrators create events.")
    form = EventForm(request.POST or None, initial={"slot_minutes": 20})
    if request.method == "POST" and form.is_valid():
        event = form.save(commit=False)
        event.created_by = request.user
        event.save()
        messages.success(request, _("Event created."))
        return redirect("matchmaking:event", pk=event.pk)
    return render(request, "matchmaking/form.html", {"form": form, "title": _("New event")},
                  status=400 if request.method == "POST" else 200)


@login_required
def event_edit(request, pk):
    """Title, place (with their pl/be/ru copies) and the format of an event; the
    programme administrators' like creating one."""
    if not perms.is_admin(request.user):
        raise PermissionDenied("Only programme administrators edit events.")
    event = get_object_or_404(Event, pk=pk)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Event saved."))
        return redirect("matchmaking:event", pk=event.pk)
    return render(request, "matchmaking/form.html", {
        "form": form, "title": _("Edit %(event)s") % {"event": event.display_title}},
        status=400 if request.method == "POST" else 200)


@login_required
def event_detail(request, pk):
    event = get_object_or_404(Event, pk=pk)
    user = request.user
    admin = perms.is_admin(user)
    participants = list(event.participants.select_related("organisation")
                        .order_by("organisation__name_en", "pk"))
    own_ids = set(_own_organisations(user).values_list("pk", flat=True))
    mine = [p for p in participants if admin or p.organisation_id in own_ids]
    registrable = _own_organisations(user).exclude(
        pk__in=[p.organisation_id for p in participants])
    return render(request, "matchmaking/event.html", {
        "event": event, "participants": participants, "mine": mine, "is_admin": admin,
        "can_register": registrable.exists(),
        "meeting_count": event.meetings.count(),
        "wish_count": Wish.objects.filter(participant__event=event).count(),
    })


@login_required
def event_register(request, pk):
    event = get_object_or_404(Event, pk=pk)
    orgs = Organisation.objects.all() if perms.is_admin(request.user) else _own_organisations(
        request.user)
    if not orgs.exists():
        raise PermissionDenied("You represent no organisation.")
    form = RegistrationForm(request.POST or None, instance=Participant(
        event=event, registered_by=request.user), event=event, organisations=orgs)
    privacy.attach_consent(form, request.user)
    if request.method == "POST" and form.is_valid():
        participant = form.save()
        privacy.record(request.user, "event_registration")
        messages.success(request, _("Registered. Now choose whom you wish to meet."))
        return redirect("matchmaking:participant", pk=participant.pk)
    return render(request, "matchmaking/form.html", {
        "form": form, "title": _("Register for %(event)s") % {"event": event.display_title}},
        status=400 if request.method == "POST" else 200)


def _participant_for(user, pk) -> Participant:
    """The participant page is its organisation's representatives' and the admins'."""
    participant = get_object_or_404(Participant.objects.select_related("event", "organisation"),
                                     pk=pk)
    if not perms.can_edit_organisation(user, participant.organisation):
        raise PermissionDenied("This is another organisation's registration.")
    return participant


@login_required
def participant_detail(request, pk):
    participant = _participant_for(request.user, pk)
    form = WishForm(request.POST or None, participant=participant,
                    instance=Wish(participant=participant))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Meeting wish added."))
        return redirect("matchmaking:participant", pk=participant.pk)
    return render(request, "matchmaking/participant.html", {
        "participant": participant, "event": participant.event, "form": form,
        "wishes": participant.wishes.select_related("target__organisation"),
        "agenda": scheduling.agenda_rows(participant)},
        status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def event_schedule(request, pk):
    if not perms.is_admin(request.user):
        raise PermissionDenied("Only programme administrators run the scheduler.")
    event = get_object_or_404(Event, pk=pk)
    summary = scheduling.run(event)
    messages.success(request, _(
        "Schedule computed: %(placed)d of %(wished)d requested meetings placed (%(share).0f %%)."
    ) % {"placed": summary["placed"], "wished": summary["requested"],
         "share": 100 * summary["share"]})
    return redirect("matchmaking:event", pk=event.pk)


@login_required
def agenda(request, pk):
    from klaster.reports.spreadsheet import neutralise_row
    participant = _participant_for(request.user, pk)
    rows = scheduling.agenda_rows(participant)
    if request.GET.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["event", "date", "slot", "time", "table", "organisation",
                         "helix", "region"])
        for row in rows:
            writer.writerow(neutralise_row([
                participant.event.display_title, participant.event.date.isoformat(), row["slot"],
                row["time"], row["table"], row["other"].name_en, row["other"].helix,
                row["other"].region]))
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="agenda-{participant.event_id}-{participant.pk}.csv"')
        return response
    return render(request, "matchmaking/agenda.html", {
        "participant": participant, "event": participant.event, "rows": rows,
        "printed": timezone.now()})
