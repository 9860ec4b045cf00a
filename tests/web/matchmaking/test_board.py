"""The public board (open partner requests, upcoming events, filters), its iCalendar feed,
and who sees which partner request (registry.permissions.visible)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from klaster.web.registry.models import Membership, Organisation, PartnerRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(registry):
    """Requests: open offer of public Org A; open seek of Org B (member of the hidden
    cluster only, so not public); a closed request of Org A for the published cluster;
    events: one upcoming, one past."""
    from klaster.web.matchmaking.models import Event, Participant

    r = registry
    offer = PartnerRequest.objects.create(organisation=r["org_a"], cluster=r["published"],
                                          kind="offer", topic="Laser cutting capacity",
                                          sectors="C25, metal", description="Sheet; metal, 20 mm")
    seek = PartnerRequest.objects.create(organisation=r["org_b"], cluster=r["hidden"],
                                         kind="seek", topic="Welding research partner",
                                         sectors="C25")
    closed = PartnerRequest.objects.create(organisation=r["org_a"], cluster=r["published"],
                                           kind="seek", topic="Old closed search",
                                           status="closed")
    today = timezone.localdate()
    upcoming = Event.objects.create(title="B2B day; metal, welding", date=today + dt.timedelta(days=10),
                                    start=dt.time(9, 0), slots=6, tables=3, slot_minutes=20,
                                    place="Białystok, Poland")
    past = Event.objects.create(title="Last year's fair", date=today - dt.timedelta(days=300),
                                start=dt.time(9, 0), slots=4, tables=2)
    Participant.objects.create(event=upcoming, organisation=r["org_a"], availability=[0, 1])
    return dict(r, offer=offer, seek=seek, closed=closed, upcoming=upcoming, past=past)


def _topics(response):
    return {r.topic for r in response.context["page"]}


def test_anonymous_sees_open_public_requests_and_upcoming_events(client, board):
    response = client.get(reverse("matchmaking:board"))
    assert response.status_code == 200
    # Org B is a member of an unpublished cluster only: its request is not public.
    assert _topics(response) == {"Laser cutting capacity"}
    assert [e.title for e in response.context["events"]] == ["B2B day; metal, welding"]
    body = response.content.decode()
    assert "Welding research partner" not in body and "Old closed search" not in body
    # No person is named: the representative's user name never appears.
    assert "rep_a" not in body


@pytest.mark.parametrize(("query", "topics", "events"), [
    ({"kind": "offer"}, {"Laser cutting capacity"}, []),
    ({"kind": "seek"}, set(), []),
    ({"kind": "event"}, set(), ["B2B day; metal, welding"]),
    ({"sector": "metal"}, {"Laser cutting capacity"}, ["B2B day; metal, welding"]),
    ({"sector": "biomass"}, set(), []),
])
def test_filters_type_and_sector(client, board, query, topics, events):
    response = client.get(reverse("matchmaking:board"), query)
    assert _topics(response) == topics
    assert [e.title for e in response.context["events"]] == events


def test_filters_cluster_region_date(client, board, registry):
    Organisation.objects.filter(pk=registry["org_a"].pk).update(region="Podlaskie")
    url = reverse("matchmaking:board")
    assert _topics(client.get(url, {"cluster": registry["published"].pk})) == {
        "Laser cutting capacity"}
    # The hidden cluster is no choice for the public: "not one of the available choices",
    # exactly like a cluster that does not exist.
    for pk in (registry["hidden"].pk, 999999):
        response = client.get(url, {"cluster": pk})
        assert response.status_code == 400
        assert "cluster" in response.context["form"].errors
    assert _topics(client.get(url, {"region": "Podlaskie"})) == {"Laser cutting capacity"}
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.get(url, {"start": tomorrow})
    assert _topics(response) == set()  # created today
    assert [e.title for e in response.context["events"]] == ["B2B day; metal, welding"]
    response = client.get(url, {"start": tomorrow, "end": timezone.localdate().isoformat()})
    assert response.status_code == 400


def test_request_page_hidden_answers_like_missing(client, board):
    ok = client.get(reverse("matchmaking:board_request", args=[board["offer"].pk]))
    assert ok.status_code == 200 and "Laser cutting capacity" in ok.content.decode()
    hidden = client.get(reverse("matchmaking:board_request", args=[board["seek"].pk]))
    missing = client.get(reverse("matchmaking:board_request", args=[999999]))
    assert hidden.status_code == missing.status_code == 404


def test_public_event_page(client, board):
    response = client.get(reverse("matchmaking:board_event", args=[board["upcoming"].pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "09:00–11:00" in body  # 6 slots of 20 minutes
    assert "Org A" not in body  # participants are not listed publicly, only counted


# --- who sees which request -------------------------------------------------------------

@pytest.mark.parametrize(("who", "expected"), [
    (None, {"Laser cutting capacity"}),
    ("stranger", {"Laser cutting capacity"}),
    # coordinator of the published cluster: also the closed request posted for it
    ("coord_a", {"Laser cutting capacity", "Old closed search"}),
    # coordinator of the hidden cluster: the request of its member Org B
    ("coord_b", {"Laser cutting capacity", "Welding research partner"}),
    ("rep_a", {"Laser cutting capacity", "Old closed search"}),
    ("admin", {"Laser cutting capacity", "Old closed search", "Welding research partner"}),
])
def test_visibility_rule(board, who, expected):
    from django.contrib.auth.models import AnonymousUser

    from klaster.web.registry import permissions as perms

    user = board[who] if who else AnonymousUser()
    assert set(perms.visible(PartnerRequest, user).values_list("topic", flat=True)) == expected


def test_coordinator_request_list_is_not_empty(client, board):
    """The issue: coordinators saw "No requests yet." while requests were open."""
    client.force_login(board["coord_b"])
    response = client.get(reverse("matchmaking:requests"))
    body = response.content.decode()
    assert {r.topic for r in response.context["page"]} == {"Laser cutting capacity",
                                                           "Welding research partner"}
    assert "No requests yet." not in body
    # Not theirs to edit: linked to the read-only page, not to the suggestions.
    assert reverse("matchmaking:board_request", args=[board["seek"].pk]) in body
    assert reverse("matchmaking:suggestions", args=[board["seek"].pk]) not in body
    # ... and the suggestions page stays the requester's (403: visible, not editable).
    assert client.get(reverse("matchmaking:suggestions", args=[board["seek"].pk])
                      ).status_code == 403


def test_evaluator_sees_open_requests(client, board, make_user):
    """Evaluators have no registry role (assessment.permissions: applications only): they
    read what every signed-in user reads — the open requests of visible organisations."""
    evaluator = make_user("evaluator_x")
    client.force_login(evaluator)
    response = client.get(reverse("matchmaking:requests"))
    assert {r.topic for r in response.context["page"]} == {"Laser cutting capacity"}


def test_coordinator_of_former_member_does_not_see_closed(board):
    """Only current members' requests concern a cluster."""
    from klaster.web.registry import permissions as perms

    Membership.objects.filter(organisation=board["org_b"]).update(
        left=timezone.localdate())
    PartnerRequest.objects.filter(pk=board["seek"].pk).update(cluster=None)
    seen = set(perms.visible(PartnerRequest, board["coord_b"]).values_list("topic", flat=True))
    # Org B stays visible (past member of their cluster), its request is open: seen as
    # any open request of a visible organisation; a closed one would not be.
    PartnerRequest.objects.filter(pk=board["seek"].pk).update(status="closed")
    seen_closed = set(perms.visible(PartnerRequest, board["coord_b"])
                      .values_list("topic", flat=True))
    assert "Welding research partner" in seen
    assert "Welding research partner" not in seen_closed


# --- iCalendar --------------------------------------------------------------------------

def test_ical_feed_parses_and_matches_the_events(client, board):
    import icalendar

    response = client.get(reverse("matchmaking:board_ical"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    raw = response.content
    cal = icalendar.Calendar.from_ical(raw)
    events = cal.walk("VEVENT")
    # The past event is 300 days old, beyond the feed's 90 days.
    assert [str(e["SUMMARY"]) for e in events] == ["B2B day; metal, welding"]
    (event,) = events
    start = event.decoded("DTSTART")
    end = event.decoded("DTEND")
    assert end - start == dt.timedelta(minutes=6 * 20)
    local = timezone.localtime(start)
    assert (local.date(), local.hour, local.minute) == (board["upcoming"].date, 9, 0)
    assert str(event["LOCATION"]) == "Białystok, Poland"
    assert str(event["UID"]).startswith(f"klaster-event-{board['upcoming'].pk}@")
    # Raw text: escaped separators, CRLF, no line over 75 octets.
    assert b"SUMMARY:B2B day\\; metal\\, welding\r\n" in raw
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))


def test_ical_feed_filters_like_the_board(client, board):
    import icalendar

    response = client.get(reverse("matchmaking:board_ical"), {"sector": "biomass"})
    assert icalendar.Calendar.from_ical(response.content).walk("VEVENT") == []
    assert client.get(reverse("matchmaking:board_ical"), {"cluster": "999999"}
                      ).status_code == 400
