"""Queries per list page do not grow with the number of rows (5 vs 50)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klaster.web.matchmaking.models import Contact, Event, Participant
from klaster.web.registry.models import Cluster, Organisation, PartnerRequest

pytestmark = pytest.mark.django_db


def _orgs(n, prefix, rep=None):
    orgs = Organisation.objects.bulk_create([
        Organisation(name_en=f"{prefix} {i}", id_scheme="OTHER", id_value=f"{prefix}-{i}",
                     helix="business", approved=True) for i in range(n)])
    if rep is not None:
        Organisation.representatives.through.objects.bulk_create([
            Organisation.representatives.through(organisation_id=o.pk, user_id=rep.pk)
            for o in orgs])
    return orgs


def _fill_requests(n, registry, event):
    for org in _orgs(n, "Req", registry["rep_a"]):
        PartnerRequest.objects.create(organisation=org, kind="offer", topic=f"Topic {org.pk}")


def _fill_events(n, registry, event):
    Event.objects.bulk_create([Event(title=f"E{i}", date=dt.date(2026, 1, 1), start=dt.time(9),
                                     slots=3, tables=2) for i in range(n)])


def _fill_participants(n, registry, event):
    Participant.objects.bulk_create([Participant(event=event, organisation=o,
                                                 availability=[0, 1])
                                     for o in _orgs(n, "Part", registry["rep_a"])])


def _fill_clusters(n, registry, event):
    Cluster.objects.bulk_create([Cluster(name_en=f"Cluster {i}", status="operating",
                                         published=True) for i in range(n)])


def _fill_contacts(n, registry, event):
    req = PartnerRequest.objects.get(topic="Fixed")
    Contact.objects.bulk_create([Contact(request=req, candidate_organisation=o,
                                         accepted_by=registry["rep_a"])
                                 for o in _orgs(n, "Contact")])


PAGES = [
    ("matchmaking:requests", None, _fill_requests),
    ("matchmaking:events", None, _fill_events),
    ("matchmaking:event", "event", _fill_participants),
    ("matchmaking:networks", None, _fill_clusters),
    ("matchmaking:suggestions", "request", _fill_contacts),
]


def _count(client, registry, event, name, arg, fill, n) -> int:
    with transaction.atomic():
        req = PartnerRequest.objects.create(organisation=registry["org_a"], kind="seek",
                                            topic="Fixed")
        fill(n, registry, event)
        args = {"event": [event.pk], "request": [req.pk], None: []}[arg]
        url = reverse(name, args=args)
        client.get(url)  # warm the caches (registry state, tables, suggestions)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        transaction.set_rollback(True)
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("name", "arg", "fill"), PAGES, ids=[p[0] for p in PAGES])
def test_queries_do_not_grow_with_rows(client, registry, event, name, arg, fill):
    client.force_login(registry["rep_a"])
    assert _count(client, registry, event, name, arg, fill, 5) == _count(
        client, registry, event, name, arg, fill, 50)
