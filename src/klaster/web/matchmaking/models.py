"""Matchmaking records: contacts and dismissals of partner suggestions, the programme's
proximity table, and B2B matchmaking events (participants, wishes, scheduled meetings).

The partner requests themselves are the registry's (``registry.PartnerRequest``); this app
keeps only what matchmaking adds. Integrity is in the database: one contact and one
dismissal per (request, candidate organisation), one registration per (event,
organisation), and — the rule that matters at an event — nobody sits in two meetings in the
same slot: every meeting has one seat row per participant, unique on (event, slot,
participant).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from klaster.web.registry.models import Localized, Organisation, PartnerRequest, _translations


class Contact(models.Model):
    """An accepted suggestion: the requester wants to talk to the candidate organisation."""

    request = models.ForeignKey(PartnerRequest, on_delete=models.CASCADE,
                                related_name="contacts", verbose_name=_("partner request"))
    candidate_organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                               related_name="+",
                                               verbose_name=_("candidate organisation"))
    candidate_request = models.ForeignKey(PartnerRequest, on_delete=models.SET_NULL,
                                          null=True, blank=True, related_name="+",
                                          verbose_name=_("candidate request"))
    score = models.FloatField(_("score"), null=True, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+", verbose_name=_("accepted by"))
    created = models.DateTimeField(_("accepted on"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "candidate_organisation"],
                                    name="contact_one_per_candidate"),
        ]


class Dismissal(models.Model):
    """A suggestion the requester does not want to see again."""

    request = models.ForeignKey(PartnerRequest, on_delete=models.CASCADE,
                                related_name="dismissals")
    candidate_organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                               related_name="+")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "candidate_organisation"],
                                    name="dismissal_one_per_candidate"),
        ]


class ProximityTable(models.Model):
    """The programme's industry proximity (``klaster relatedness`` → proximity.parquet/csv),
    validated on upload and stored as Parquet; the newest one is used for suggestions."""

    file = models.FileField(_("proximity table"), upload_to="matchmaking/proximity/")
    original_name = models.CharField(max_length=255)
    pairs = models.PositiveIntegerField(_("pairs"))
    activities = models.PositiveIntegerField(_("activities"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    uploaded = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded", "-pk"]


class Event(Localized, models.Model):
    """A B2B matchmaking event: ``slots`` consecutive bilateral meetings of
    ``slot_minutes`` at ``tables`` tables, from ``start``.

    Title and place have pl/be/ru copies (registry.models.Localized): pages, the board,
    the iCal feed and the home page show ``display_title``/``display_place``, the
    reader's copy or the plain text (the fallback) when that copy is empty."""

    TRANSLATED = ("title", "place")

    title = models.CharField(_("title"), max_length=300)
    title_pl, title_be, title_ru = _translations(title, _("title")).values()
    date = models.DateField(_("date"))
    start = models.TimeField(_("first slot starts"))
    slots = models.PositiveSmallIntegerField(_("number of slots"))
    tables = models.PositiveSmallIntegerField(_("number of tables"))
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=20)
    place = models.CharField(_("place"), max_length=200, blank=True)
    place_pl, place_be, place_ru = _translations(place, _("place")).values()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    scheduled = models.DateTimeField(_("schedule computed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(slots__gte=1, slots__lte=200),
                                   name="event_slots_range"),
            models.CheckConstraint(condition=Q(tables__gte=1), name="event_tables_positive"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                                   name="event_slot_minutes_range"),
        ]

    def __str__(self) -> str:
        return self.display_title

    def slot_times(self) -> list[tuple[int, str]]:
        """(slot index, "HH:MM") of every slot."""
        base = self.start.hour * 60 + self.start.minute
        return [(i, "{:02d}:{:02d}".format(*divmod(base + i * self.slot_minutes, 60)))
                for i in range(self.slots)]


class Participant(models.Model):
    """An organisation registered for an event, with the slots it is available in."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("organisation"))
    availability = models.JSONField(_("available slots"), default=list)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                      null=True, related_name="+")
    registered = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "organisation__name_en", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "organisation"],
                                    name="participant_once_per_event"),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class Wish(models.Model):
    """``participant`` wants to meet ``target``; priority 1 is the most wanted."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE,
                                    related_name="wishes")
    target = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("meet"))
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=2, choices=[(1, _("1 — must meet")), (2, _("2 — important")),
                                           (3, _("3 — if time allows"))])

    class Meta:
        ordering = ["participant", "priority", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "target"], name="wish_once"),
            models.CheckConstraint(condition=~Q(participant=F("target")), name="wish_not_self"),
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=3),
                                   name="wish_priority_range"),
        ]


class Meeting(models.Model):
    """One bilateral meeting of the computed schedule."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    slot = models.PositiveSmallIntegerField()  # 0-based index of Event.slot_times()
    table = models.PositiveSmallIntegerField()  # 1-based table number
    a = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["event", "slot", "table"]
        constraints = [
            models.UniqueConstraint(fields=["event", "slot", "table"], name="meeting_table_once"),
            models.CheckConstraint(condition=~Q(a=F("b")), name="meeting_two_sides"),
        ]


class Seat(models.Model):
    """A participant's place in a meeting. Unique on (event, slot, participant): the
    database itself refuses to put anyone in two meetings at the same time."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="seats")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    slot = models.PositiveSmallIntegerField()
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="seats")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "slot", "participant"],
                                    name="seat_no_double_booking"),
        ]
