"""Matchmaking events end to end through the pages: create, register, wishes, schedule,
agenda (HTML and CSV). Checks against the stored rows: nobody double-booked, every
meeting in a slot both sides are available in, tables within the event's count."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

import pytest
from django.urls import reverse

from klaster.web.matchmaking import scheduling
from klaster.web.matchmaking.models import Event, Meeting, Participant, Seat, Wish
from klaster.web.registry.models import Organisation

pytestmark = pytest.mark.django_db


def test_admin_creates_event(client, registry):
    client.force_login(registry["admin"])
    response = client.post(reverse("matchmaking:event_create"), {
        "title": "Metal B2B", "date": "2026-06-01", "start": "09:00", "slots": 9,
        "tables": 4, "slot_minutes": 20, "place": "Białystok"})
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.slots, event.tables, event.slot_minutes) == (9, 4, 20)
    bad = client.post(reverse("matchmaking:event_create"), {
        "title": "x", "date": "2026-06-01", "start": "09:00", "slots": 0, "tables": 0,
        "slot_minutes": 20})
    assert bad.status_code == 400 and Event.objects.count() == 1


def _check_schedule(event):
    meetings = list(Meeting.objects.filter(event=event).select_related("a", "b"))
    seats = Counter((s.slot, s.participant_id) for s in Seat.objects.filter(event=event))
    assert all(n == 1 for n in seats.values())  # no double booking
    assert len(seats) == 2 * len(meetings)
    for m in meetings:
        assert m.slot in m.a.availability and m.slot in m.b.availability
        assert 1 <= m.table <= event.tables
    assert max(Counter(m.slot for m in meetings).values(), default=0) <= event.tables
    return meetings


def test_register_wish_schedule_and_agenda(client, registry, event, make_user):
    org_c = Organisation.objects.create(name_en="Org C", id_scheme="OTHER", id_value="C",
                                        helix="public", approved=True, region="Podlaskie")
    rep_c = make_user("rep_c")
    org_c.representatives.add(rep_c)
    client.force_login(registry["rep_a"])
    client.post(reverse("matchmaking:register", args=[event.pk]),
                {"organisation": registry["org_a"].pk, "availability": [0, 1, 2]})
    client.force_login(rep_c)
    client.post(reverse("matchmaking:register", args=[event.pk]),
                {"organisation": org_c.pk, "availability": [1, 2, 3]})
    pa = Participant.objects.get(organisation=registry["org_a"])
    pc = Participant.objects.get(organisation=org_c)
    response = client.post(reverse("matchmaking:participant", args=[pc.pk]),
                           {"target": pa.pk, "priority": 1})
    assert response.status_code == 302
    assert Wish.objects.get().target == pa
    # A wish naming yourself is not a choice.
    assert client.post(reverse("matchmaking:participant", args=[pc.pk]),
                       {"target": pc.pk, "priority": 1}).status_code == 400

    client.force_login(registry["admin"])
    assert client.post(reverse("matchmaking:schedule", args=[event.pk])).status_code == 302
    (meeting,) = _check_schedule(event)
    assert {meeting.a_id, meeting.b_id} == {pa.pk, pc.pk}
    assert meeting.slot in (1, 2)  # the only slots both are available in

    client.force_login(rep_c)
    page = client.get(reverse("matchmaking:agenda", args=[pc.pk]))
    assert page.status_code == 200
    time = dict(event.slot_times())[meeting.slot]
    body = page.content.decode()
    assert time in body and "Org A" in body and "@media print" in _css(client)
    rows = list(csv.reader(io.StringIO(
        client.get(reverse("matchmaking:agenda", args=[pc.pk]) + "?format=csv"
                   ).content.decode())))
    assert rows[0] == ["event", "date", "slot", "time", "table", "organisation", "helix",
                       "region"]
    assert rows[1] == ["B2B day", "2026-05-14", str(meeting.slot), time, str(meeting.table),
                       "Org A", "business", ""]


def _css(client):
    from django.contrib.staticfiles import finders

    return open(finders.find("matchmaking/matchmaking.css"), encoding="utf-8").read()


def test_generated_event_is_scheduled_without_double_booking(registry):
    from klaster.matchmaking import generate_event

    gen = generate_event(n_participants=40, seed=3)
    event = Event.objects.create(title="Generated", date=dt.date(2026, 9, 1),
                                 start=dt.time(9, 0), slots=len(gen.slots), tables=gen.tables)
    orgs = Organisation.objects.bulk_create([
        Organisation(name_en=f"Participant {i}", id_scheme="OTHER", id_value=f"G-{i}",
                     helix="business") for i in gen.participants["participant_id"]])
    pid = {}
    for org, row in zip(orgs, gen.participants.iter_rows(named=True), strict=True):
        pid[row["participant_id"]] = Participant.objects.create(
            event=event, organisation=org, availability=list(row["available"] or [])).pk
    for row in gen.requests.iter_rows(named=True):
        Wish.objects.get_or_create(participant_id=pid[row["a"]], target_id=pid[row["b"]],
                                   defaults={"priority": int(4 - row["priority"])})
    summary = scheduling.run(event)
    meetings = _check_schedule(event)
    assert summary["placed"] == len(meetings) > 0
    assert summary["share"] >= 0.95
    # Running again replaces the schedule instead of adding to it.
    scheduling.run(event)
    assert Meeting.objects.filter(event=event).count() == len(meetings)
