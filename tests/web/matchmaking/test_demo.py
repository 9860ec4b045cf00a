"""load_matchmaking_demo: idempotent, networks with project/activity ties for each operating
cluster, partner requests with suggested candidates, a scheduled B2B event without double
bookings and with agendas."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from klaster.web.matchmaking import scheduling
from klaster.web.matchmaking.models import Event, Meeting, Participant, Seat, Wish
from klaster.web.registry.models import (
    Activity,
    Cluster,
    Membership,
    Organisation,
    PartnerRequest,
    Project,
)

pytestmark = pytest.mark.django_db

MODELS = (Organisation, Membership, Project, Activity, PartnerRequest, Event, Participant,
          Wish, Meeting, Seat)


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_matchmaking_demo", stdout=io.StringIO())


def test_twice_creates_nothing_twice(demo):
    first = tuple(m.objects.count() for m in MODELS)
    scheduled = Event.objects.get().scheduled
    call_command("load_matchmaking_demo", stdout=io.StringIO())
    assert tuple(m.objects.count() for m in MODELS) == first
    assert Event.objects.get().scheduled == scheduled  # not recomputed
    assert 6 <= PartnerRequest.objects.count() <= 10
    assert not Project.objects.filter(demo=False).exists()
    assert not Activity.objects.filter(demo=False).exists()
    assert all("illustrative" in t.lower() or "демонстрац" in t.lower() or "demonstrac" in t
               for t in PartnerRequest.objects.values_list("description", flat=True))


def test_requires_the_registry_demo():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_matchmaking_demo", stdout=io.StringIO())


def test_each_operating_cluster_has_project_and_activity_ties(demo):
    """Ties among current members, counted here from the rows themselves (pairs of members
    sharing a project or an activity), independently of klaster.networks."""
    for cluster in Cluster.objects.filter(status="operating"):
        members = set(Membership.objects.filter(cluster=cluster, left__isnull=True)
                      .values_list("organisation_id", flat=True))
        for kind, rows in (("project", Project.objects.filter(partners__in=members)),
                           ("activity", Activity.objects.filter(participants__in=members))):
            pairs = set()
            for row in rows.distinct():
                ids = sorted(set(row.partners.values_list("pk", flat=True) if kind == "project"
                                 else row.participants.values_list("pk", flat=True)) & members)
                pairs |= {(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]}
            assert len(pairs) >= 1, (cluster.name_en, kind)


def test_network_pages_show_project_and_activity_ties(demo, client):
    """The public network page of every operating cluster (anonymous visitor) draws ties
    of both kinds among its members."""
    for cluster in Cluster.objects.filter(status="operating"):
        response = client.get(reverse("matchmaking:network", args=[cluster.pk]))
        assert response.status_code == 200
        payload = response.context["payload"]
        assert payload["nodes"] >= 3 and payload["edges"] >= 2, cluster.name_en
        by_tie = payload["by_tie"]
        assert by_tie.get("project") and by_tie.get("activity"), (cluster.name_en, by_tie)


def test_demo_request_has_suggestions_with_reasons(demo, client):
    client.force_login(get_user_model().objects.get(username="demo-admin"))
    req = PartnerRequest.objects.get(topic="BIM training partner for site engineers")
    response = client.get(reverse("matchmaking:suggestions", args=[req.pk]))
    assert response.status_code == 200
    rows = response.context["result"].rows
    assert rows and all(r["reasons"] for r in rows)
    names = [r["organisation"].name_en for r in rows]
    assert "Demo BIM Studio (illustrative)" in names  # the matching offer
    assert "Demo Builders (illustrative)" not in names  # never the requester itself


def test_event_schedule_has_no_double_booking_and_agendas(demo):
    event = Event.objects.get(title="Podlaskie–Hrodna B2B day (illustrative)")
    assert event.scheduled is not None and 10 <= event.participants.count() <= 14
    meetings = list(Meeting.objects.filter(event=event).select_related("a", "b"))
    assert meetings
    seats = Counter((s.slot, s.participant_id) for s in Seat.objects.filter(event=event))
    assert set(seats.values()) == {1} and len(seats) == 2 * len(meetings)
    tables = Counter((m.slot, m.table) for m in meetings)
    assert set(tables.values()) == {1} and all(1 <= m.table <= event.tables for m in meetings)
    for m in meetings:  # both sides available in the slot
        assert m.slot in m.a.availability and m.slot in m.b.availability
    wished = {frozenset(p) for p in Wish.objects.filter(participant__event=event)
              .values_list("participant_id", "target_id")}
    assert all(frozenset((m.a_id, m.b_id)) in wished for m in meetings)
    with_agenda = [p for p in event.participants.all() if scheduling.agenda_rows(p)]
    assert len(with_agenda) >= 10


def test_demo_suggestions_rank_related_organisations_first(demo):
    """The issue: in the demo, suggestions ranked by the words "demo" and "illustrative"
    (relatedness off, text 60 % of the score), so an unrelated organisation came first.
    Now the demo's proximity table is loaded (relatedness on) and the words nearly every
    record shares are ignored: the builder seeking BIM training gets the BIM studio (was
    the welding university), and the Hrodna machine works seeking laser cutting of metal
    gets a metal-processing company (NACE 25), not the construction company."""
    from klaster.web.matchmaking import suggestions
    from klaster.web.matchmaking.models import ProximityTable

    admin = get_user_model().objects.get(username="demo-admin")
    assert ProximityTable.objects.count() == 1
    bim = PartnerRequest.objects.get(topic="BIM training partner for site engineers")
    laser = PartnerRequest.objects.get(topic__startswith="Лазерная резка металла")
    for req in PartnerRequest.objects.all():
        result = suggestions.for_request(admin, req)
        assert result.relatedness_on
        words = " ".join(str(r) for row in result.rows for r in row["reasons"]).lower()
        assert "illustrative" not in words and "'demo'" not in words
    top = suggestions.for_request(admin, bim).rows[0]["organisation"]
    assert top.name_en == "Demo BIM Studio (illustrative)"
    top = suggestions.for_request(admin, laser).rows[0]["organisation"]
    assert "25" in top.industry_codes
