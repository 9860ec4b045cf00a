"""Every forbidden path of the matchmaking pages: 404 for what the user may not see,
403 for what they see but may not change, the sign-in page for anonymous visitors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klaster.web.matchmaking.models import Participant, ProximityTable
from klaster.web.registry.models import PartnerRequest

pytestmark = pytest.mark.django_db


def _request_of(org, topic="Laser cutting capacity"):
    return PartnerRequest.objects.create(organisation=org, kind="offer", topic=topic)


def test_representative_creates_request_for_own_organisation(client, registry):
    client.force_login(registry["rep_a"])
    url = reverse("matchmaking:request_create", args=[registry["org_a"].pk])
    response = client.post(url, {"kind": "seek", "topic": "Research partner for coatings",
                                 "description": "", "sectors": "C25", "countries": "PL",
                                 "status": "open"})
    assert response.status_code == 302
    req = PartnerRequest.objects.get()
    assert (req.organisation, req.kind, req.version) == (registry["org_a"], "seek", 1)


def test_request_for_someone_elses_visible_organisation_is_403(client, registry, make_user):
    # org_a is approved, hence public: a stranger sees it but does not represent it.
    client.force_login(registry["stranger"])
    url = reverse("matchmaking:request_create", args=[registry["org_a"].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"kind": "offer", "topic": "x", "status": "open"}
                       ).status_code == 403
    assert PartnerRequest.objects.count() == 0


def test_request_for_invisible_organisation_is_404(client, registry):
    # org_b is unapproved and only in the hidden cluster: rep_a cannot even see it.
    client.force_login(registry["rep_a"])
    url = reverse("matchmaking:request_create", args=[registry["org_b"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": "offer", "topic": "x", "status": "open"}
                       ).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, registry, event):
    req = _request_of(registry["org_a"])
    participant = Participant.objects.create(event=event, organisation=registry["org_a"])
    for url in [reverse("matchmaking:requests"),
                reverse("matchmaking:request_create", args=[registry["org_a"].pk]),
                reverse("matchmaking:suggestions", args=[req.pk]),
                reverse("matchmaking:request_edit", args=[req.pk]),
                reverse("matchmaking:proximity"), reverse("matchmaking:events"),
                reverse("matchmaking:event_create"),
                reverse("matchmaking:event", args=[event.pk]),
                reverse("matchmaking:register", args=[event.pk]),
                reverse("matchmaking:participant", args=[participant.pk]),
                reverse("matchmaking:agenda", args=[participant.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for url in [reverse("matchmaking:accept", args=[req.pk]),
                reverse("matchmaking:dismiss", args=[req.pk]),
                reverse("matchmaking:schedule", args=[event.pk])]:
        response = client.post(url, {"organisation": registry["org_b"].pk})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_others_request_pages_are_forbidden(client, registry):
    req = _request_of(registry["org_a"])  # open, so visible to every signed-in user
    client.force_login(registry["stranger"])
    assert client.get(reverse("matchmaking:suggestions", args=[req.pk])).status_code == 403
    assert client.get(reverse("matchmaking:request_edit", args=[req.pk])).status_code == 403
    for name in ("accept", "dismiss"):
        response = client.post(reverse(f"matchmaking:{name}", args=[req.pk]),
                               {"organisation": registry["org_b"].pk})
        assert response.status_code == 403, name
    assert req.contacts.count() == 0 and req.dismissals.count() == 0


def test_closed_request_of_others_is_404(client, registry):
    req = _request_of(registry["org_a"])
    req.status = "closed"
    req.save()
    client.force_login(registry["stranger"])
    assert client.get(reverse("matchmaking:suggestions", args=[req.pk])).status_code == 404
    assert client.post(reverse("matchmaking:accept", args=[req.pk]),
                       {"organisation": registry["org_b"].pk}).status_code == 404


def test_request_list_shows_only_own_requests(client, registry, make_user):
    mine = _request_of(registry["org_a"], "Mine")
    other = _request_of(registry["org_b"], "Not mine")
    client.force_login(registry["rep_a"])
    body = client.get(reverse("matchmaking:requests")).content.decode()
    assert mine.topic in body and other.topic not in body
    client.force_login(registry["admin"])
    body = client.get(reverse("matchmaking:requests")).content.decode()
    assert mine.topic in body and other.topic in body


def test_proximity_upload_is_for_admins_only(client, registry):
    for user in ("rep_a", "coord_a", "stranger"):
        client.force_login(registry[user])
        assert client.get(reverse("matchmaking:proximity")).status_code == 403
    assert ProximityTable.objects.count() == 0


def test_events_admin_only_actions(client, registry, event):
    client.force_login(registry["rep_a"])
    assert client.get(reverse("matchmaking:event_create")).status_code == 403
    assert client.post(reverse("matchmaking:schedule", args=[event.pk])).status_code == 403
    assert client.get(reverse("matchmaking:event", args=[event.pk])).status_code == 200


def test_registration_only_for_own_organisations(client, registry, event):
    client.force_login(registry["rep_a"])
    url = reverse("matchmaking:register", args=[event.pk])
    # org_b is not rep_a's: not a valid choice.
    response = client.post(url, {"organisation": registry["org_b"].pk, "availability": [0, 1]})
    assert response.status_code == 400
    assert not Participant.objects.exists()
    response = client.post(url, {"organisation": registry["org_a"].pk,
                                 "availability": [0, 2, 5]})
    assert response.status_code == 302
    p = Participant.objects.get()
    assert (p.organisation, p.availability) == (registry["org_a"], [0, 2, 5])
    # A stranger represents nothing: may not register at all.
    client.force_login(registry["stranger"])
    assert client.get(url).status_code == 403


def test_participant_pages_of_other_organisations_are_403(client, registry, event):
    p = Participant.objects.create(event=event, organisation=registry["org_b"])
    client.force_login(registry["rep_a"])
    assert client.get(reverse("matchmaking:participant", args=[p.pk])).status_code == 403
    assert client.post(reverse("matchmaking:participant", args=[p.pk]),
                       {"target": p.pk, "priority": 1}).status_code == 403
    assert client.get(reverse("matchmaking:agenda", args=[p.pk])).status_code == 403
    assert client.get(reverse("matchmaking:agenda", args=[p.pk]) + "?format=csv"
                      ).status_code == 403
    assert client.get(reverse("matchmaking:participant", args=[999999])).status_code == 404


def test_network_of_hidden_cluster_is_404_for_public(client, registry):
    url = reverse("matchmaking:network", args=[registry["hidden"].pk])
    assert client.get(url).status_code == 404
    client.force_login(registry["stranger"])
    assert client.get(url).status_code == 404
    index = client.get(reverse("matchmaking:networks")).content.decode()
    assert "Published cluster" in index and "Hidden cluster" not in index
