"""The public board: open partner requests and upcoming B2B events, with filters, and the
events as an iCalendar feed (klaster.matchmaking.ical).

What a visitor reads is what registry.permissions lets them read: the open requests of
public organisations (signed-in users: also what their role adds), never a person — the
board names organisations, clusters and the request's own text (privacy inventory:
``PartnerRequest.*`` is organisation text), not the representatives who posted it.
Events show title, date, times, place and the number of registered organisations, title
and place in the reader's language (``Event.display_title``: the copy, else the plain
text). The feed is in the request's language, or in each language of ``?lang=pl,ru``: one
VEVENT per event and language, since an iCalendar event holds one SUMMARY (RFC 5545 §3.6.1).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from klaster.matchmaking.ical import CalendarEvent, calendar
from klaster.web.matchmaking.models import Event
from klaster.web.registry import permissions as perms
from klaster.web.registry.models import Cluster, Membership, PartnerRequest

PAGE_SIZE = 30
KINDS = (("", _lazy("Requests and events")), ("offer", _lazy("Offers")),
         ("seek", _lazy("Searches")), ("event", _lazy("Events only")))


class BoardFilter(forms.Form):
    """The board's filters (GET). Cluster and region choices are the visible ones only."""

    kind = forms.ChoiceField(label=_lazy("Type"), choices=KINDS, required=False)
    sector = forms.CharField(label=_lazy("Sector or keyword"), required=False, max_length=100)
    region = forms.ChoiceField(label=_lazy("Region"), required=False)
    cluster = forms.ModelChoiceField(label=_lazy("Cluster"), queryset=Cluster.objects.none(),
                                     required=False, empty_label=_lazy("All clusters"))
    start = forms.DateField(label=_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_lazy("To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, requests, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = perms.visible_clusters(user).order_by("name_en", "pk")
        # The value is the plain region (what the filter matches); the label is the
        # reader's language's name of it (Organisation.region_<lang>), as on the pages.
        lang = (get_language() or "en")[:2]
        own = f"organisation__region_{lang}" if lang in ("pl", "be", "ru") else (
            "organisation__region")
        labels = {}
        for region, label in requests.values_list("organisation__region", own):
            if region:
                labels[region] = labels.get(region) or label or region
        self.fields["region"].choices = [("", _lazy("All regions"))] + sorted(
            labels.items(), key=lambda item: item[1])

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date is before the start date."))
        return data


def _filtered(user, data: dict):
    """(open requests, upcoming events) the user may see, narrowed by the filters."""
    requests = (perms.visible(PartnerRequest, user).filter(status="open")
                .select_related("organisation", "cluster"))
    today = timezone.localdate()
    events = Event.objects.filter(date__gte=data.get("start") or today)
    kind = data.get("kind") or ""
    if kind in ("offer", "seek"):
        requests = requests.filter(kind=kind)
        events = events.none()
    elif kind == "event":
        requests = requests.none()
    if data.get("sector"):
        word = data["sector"]
        text = Q()
        for field in ("sectors", "topic", "description", *(
                f"{f}_{lang}" for f in PartnerRequest.TRANSLATED for lang in ("pl", "be", "ru"))):
            text |= Q(**{f"{field}__icontains": word})
        requests = requests.filter(text)
        words = Q()
        for field in (f"{f}{suffix}" for f in Event.TRANSLATED
                      for suffix in ("", "_pl", "_be", "_ru")):
            words |= Q(**{f"{field}__icontains": word})
        events = events.filter(words)
    if data.get("region"):
        requests = requests.filter(organisation__region=data["region"])
        events = events.filter(participants__organisation__region=data["region"])
    if data.get("cluster"):
        cluster = data["cluster"]
        members = Membership.objects.filter(cluster=cluster, left__isnull=True).values(
            "organisation_id")
        requests = requests.filter(Q(cluster=cluster) | Q(organisation_id__in=members))
        events = events.filter(participants__organisation_id__in=members)
    if data.get("start"):
        requests = requests.filter(created__date__gte=data["start"])
    if data.get("end"):
        requests = requests.filter(created__date__lte=data["end"])
        events = events.filter(date__lte=data["end"])
    events = (events.distinct().annotate(registered=Count("participants", distinct=True))
              .order_by("date", "start", "pk"))
    return requests.distinct().order_by("-created", "pk"), events


def board(request):
    base = perms.visible(PartnerRequest, request.user).filter(status="open")
    form = BoardFilter(request.GET or None, user=request.user, requests=base)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    requests, events = _filtered(request.user, data)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    feed = query.copy()
    # A calendar application fetches the feed without the reader's cookie or browser
    # language: the link names the page's language so the subscription keeps it.
    feed.setdefault("lang", (get_language() or settings.LANGUAGE_CODE)[:2])
    return render(request, "matchmaking/board.html", {
        "form": form, "page": page, "events": events[:PAGE_SIZE], "query": query.urlencode(),
        "ical_url": reverse("matchmaking:board_ical") + f"?{feed.urlencode()}",
    }, status=400 if form.is_bound and not form.is_valid() else 200)


def request_public(request, pk):
    req = perms.get_visible_or_404(PartnerRequest, request.user, pk)
    return render(request, "matchmaking/board_request.html", {
        "req": req, "editable": perms.can_edit(request.user, req)})


def event_public(request, pk):
    event = get_object_or_404(Event.objects.annotate(
        registered=Count("participants", distinct=True)), pk=pk)
    return render(request, "matchmaking/board_event.html", {
        "event": event, "end": _event_times(event)[1]})


def _event_times(event: Event) -> tuple[dt.datetime, dt.datetime]:
    """Start of the first slot and end of the last one, in the programme's time zone."""
    start = dt.datetime.combine(event.date, event.start, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return start, start + dt.timedelta(minutes=event.slots * event.slot_minutes)


def _feed_languages(request) -> list[str]:
    """The languages of ``?lang=`` (``pl,ru`` or repeated), in order, without repeats;
    the request's language when none is named. ValueError naming an unknown one."""
    known = [code for code, _name in settings.LANGUAGES]
    asked = [code.strip() for value in request.GET.getlist("lang")
             for code in value.split(",") if code.strip()]
    for code in asked:
        if code not in known:
            raise ValueError(_("Unknown language in lang: %(code)s (use %(known)s).") % {
                "code": code, "known": ", ".join(known)})
    return list(dict.fromkeys(asked)) or [(get_language() or settings.LANGUAGE_CODE)[:2]]


def _calendar_event(request, e: Event, lang: str, uid: str) -> CalendarEvent:
    """``e`` in ``lang`` (call under translation.override(lang)): the copies in that
    language, else the plain texts, whose language is then not stated (the plain text is
    in whatever language it was written in)."""
    start, end = _event_times(e)
    own = {"SUMMARY": "title", "LOCATION": "place"}
    languages = {prop: lang for prop, field in own.items()
                 if getattr(e, f"{field}_{lang}", "")}
    languages["DESCRIPTION"] = lang
    return CalendarEvent(
        uid=uid, start=start, end=end, summary=e.display_title, location=e.display_place,
        description=_("B2B matchmaking: %(slots)d meetings of %(minutes)d minutes; "
                      "%(n)d organisations registered.") % {
            "slots": e.slots, "minutes": e.slot_minutes, "n": e.registered},
        url=request.build_absolute_uri(reverse("matchmaking:board_event", args=[e.pk])),
        languages=languages)


def ical(request):
    """The board's events (same filters) as text/calendar; past events of the last 90
    days stay in the feed so that calendars that subscribed keep them. In several
    languages, each event's UID carries the language (one VEVENT per language)."""
    try:
        languages = _feed_languages(request)
    except ValueError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    base = perms.visible(PartnerRequest, request.user).filter(status="open")
    form = BoardFilter(request.GET or None, user=request.user, requests=base)
    data = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        return HttpResponse(" ".join(e for errs in form.errors.values() for e in errs),
                            status=400, content_type="text/plain; charset=utf-8")
    data.setdefault("start", None)
    data["start"] = data["start"] or timezone.localdate() - dt.timedelta(days=90)
    if data.get("kind") in ("offer", "seek"):
        data["kind"] = ""  # the feed holds events whatever the board shows
    _requests, events = _filtered(request.user, data)
    host = request.get_host().split(":")[0]
    events = list(events)
    items = []
    for lang in languages:
        with override(lang):
            for e in events:
                suffix = f"-{lang}" if len(languages) > 1 else ""
                items.append(_calendar_event(request, e, lang,
                                             f"klaster-event-{e.pk}{suffix}@{host}"))
    with override(languages[0]):
        name = _("Cluster programme events")
    text = calendar(items, name=name, stamp=timezone.now())
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response
