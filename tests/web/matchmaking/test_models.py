"""Database constraints of the matchmaking models (enforced by the database itself)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from klaster.web.matchmaking.models import Contact, Dismissal, Meeting, Participant, Seat, Wish
from klaster.web.registry.models import Organisation, PartnerRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(registry, event):
    org_c = Organisation.objects.create(name_en="Org C", id_scheme="OTHER", id_value="C-1",
                                        helix="public", approved=True)
    return [Participant.objects.create(event=event, organisation=o, availability=[0, 1, 2])
            for o in (registry["org_a"], registry["org_b"], org_c)]


def _meet(event, slot, table, a, b):
    m = Meeting.objects.create(event=event, slot=slot, table=table, a=a, b=b)
    Seat.objects.create(meeting=m, event=event, slot=slot, participant=a)
    Seat.objects.create(meeting=m, event=event, slot=slot, participant=b)
    return m


def test_no_double_booking_in_the_database(event, three):
    a, b, c = three
    _meet(event, 0, 0, a, b)
    # a again in slot 0, at another table, with c: the seat constraint refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        _meet(event, 0, 1, c, a)
    # The same pair in another slot is fine.
    _meet(event, 1, 0, a, c)
    assert Seat.objects.filter(participant=a).count() == 2


def test_one_meeting_per_table_and_slot(event, three):
    a, b, c = three
    _meet(event, 0, 0, a, b)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(event=event, slot=0, table=0, a=c, b=b)


def test_meeting_needs_two_sides_and_wish_not_self(event, three):
    a, _b, _c = three
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(event=event, slot=2, table=0, a=a, b=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Wish.objects.create(participant=a, target=a, priority=1)


def test_participant_once_per_event(event, three, registry):
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(event=event, organisation=registry["org_a"])


def test_contact_and_dismissal_once_per_candidate(registry):
    req = PartnerRequest.objects.create(organisation=registry["org_a"], kind="seek", topic="t")
    Contact.objects.create(request=req, candidate_organisation=registry["org_b"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(request=req, candidate_organisation=registry["org_b"])
    Dismissal.objects.create(request=req, candidate_organisation=registry["org_b"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Dismissal.objects.create(request=req, candidate_organisation=registry["org_b"])


def test_contact_is_audited(registry):
    req = PartnerRequest.objects.create(organisation=registry["org_a"], kind="seek", topic="t")
    contact = Contact.objects.create(request=req, candidate_organisation=registry["org_b"],
                                     accepted_by=registry["rep_a"])
    assert contact.history.count() == 1
    assert contact.history.first().history_type == "+"


def test_event_slot_times(event):
    assert event.slot_times()[:3] == [(0, "09:00"), (1, "09:20"), (2, "09:40")]
    assert event.slot_times()[-1] == (5, "10:40")
