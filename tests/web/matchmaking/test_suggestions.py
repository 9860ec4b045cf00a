"""Suggestions page: ranked candidates with breakdown and reasons, visibility, accept
(contact + e-mails through Django's locmem backend), dismiss, relatedness on/off."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from klaster.messages import render
from klaster.web.matchmaking.models import Contact, Dismissal
from klaster.web.registry.models import Organisation, PartnerRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(registry, make_user):
    registry["rep_a"].email = "rep.a@example.org"
    registry["rep_a"].save()
    rep_lab = make_user("rep_lab", email="lab@example.org")
    lab = Organisation.objects.create(
        name_en="Laser Coatings Research Institute", id_scheme="OTHER", id_value="LAB-1",
        helix="research", approved=True, region="Podlaskie", industry_codes=["M72"])
    lab.representatives.add(rep_lab)
    Organisation.objects.create(name_en="Bakery Plus", id_scheme="OTHER", id_value="BAK-1",
                                helix="business", approved=True, region="Mazowieckie",
                                industry_codes=["C10"])
    # org_b is not visible to rep_a; give it the closest name to make sure it is hidden
    # because of visibility, not because of its score.
    registry["org_b"].name_en = "Laser Coatings Research Lab"
    registry["org_b"].save()
    req = PartnerRequest.objects.create(
        organisation=registry["org_a"], kind="seek", topic="Laser coatings research partner",
        description="We seek R&D on laser cladding and coatings.", sectors="C25")
    return dict(registry, lab=lab, req=req, rep_lab=rep_lab)


def _ids(response) -> list[int]:
    return [row["organisation_id"] for row in response.context["result"].rows]


def test_suggestions_ranked_with_reasons_and_visible_only(client, scene):
    client.force_login(scene["rep_a"])
    response = client.get(reverse("matchmaking:suggestions", args=[scene["req"].pk]))
    assert response.status_code == 200
    ids = _ids(response)
    assert ids[0] == scene["lab"].pk
    assert scene["org_b"].pk not in ids and scene["org_a"].pk not in ids
    top = response.context["result"].rows[0]
    assert top["reasons"] and any("R&D" in render(r) or "research" in render(r)
                                  for r in top["reasons"])
    # The score is the weighted mean of the components (relatedness weighted 0: no table).
    assert top["score"] == pytest.approx(sum(v * share for _n, v, share in top["components"]))
    assert {n: share for n, _v, share in top["components"]}["relatedness"] == 0
    body = response.content.decode()
    assert 'id="relatedness-off"' in body and "Laser Coatings Research Institute" in body


def test_accept_records_contact_and_mails_both_sides(client, scene):
    client.force_login(scene["rep_a"])
    url = reverse("matchmaking:accept", args=[scene["req"].pk])
    response = client.post(url, {"organisation": scene["lab"].pk})
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.request, contact.candidate_organisation, contact.accepted_by) == (
        scene["req"], scene["lab"], scene["rep_a"])
    assert contact.reasons and 0 < contact.score <= 1
    assert sorted(m.to[0] for m in mail.outbox) == ["lab@example.org", "rep.a@example.org"]
    to_lab = next(m for m in mail.outbox if m.to == ["lab@example.org"])
    assert "Org A" in to_lab.subject and "Laser coatings research partner" in to_lab.body
    # Accepted candidates leave the suggestions and appear as contacts; twice is once.
    page = client.get(reverse("matchmaking:suggestions", args=[scene["req"].pk]))
    assert scene["lab"].pk not in _ids(page)
    assert page.context["result"].hidden == 1
    client.post(url, {"organisation": scene["lab"].pk})
    assert Contact.objects.count() == 1 and len(mail.outbox) == 2


def test_only_suggested_visible_candidates_can_be_accepted(client, scene):
    client.force_login(scene["rep_a"])
    url = reverse("matchmaking:accept", args=[scene["req"].pk])
    assert client.post(url, {"organisation": scene["org_b"].pk}).status_code == 404
    assert client.post(url, {"organisation": scene["org_a"].pk}).status_code == 404
    assert client.post(url, {"organisation": "x"}).status_code == 404
    assert client.get(url).status_code == 405
    assert not Contact.objects.exists() and not mail.outbox


def test_dismiss_hides_the_candidate(client, scene):
    client.force_login(scene["rep_a"])
    response = client.post(reverse("matchmaking:dismiss", args=[scene["req"].pk]),
                           {"organisation": scene["lab"].pk})
    assert response.status_code == 302
    assert Dismissal.objects.get().candidate_organisation == scene["lab"]
    page = client.get(reverse("matchmaking:suggestions", args=[scene["req"].pk]))
    assert scene["lab"].pk not in _ids(page)
    assert not Contact.objects.exists() and not mail.outbox


def test_proximity_table_turns_relatedness_on(client, scene):
    client.force_login(scene["admin"])
    csv = b"activity_1,activity_2,proximity\nC25,M72,0.8\nM72,C25,0.8\n"
    client.post(reverse("matchmaking:proximity"),
                {"file": SimpleUploadedFile("proximity.csv", csv)})
    client.force_login(scene["rep_a"])
    page = client.get(reverse("matchmaking:suggestions", args=[scene["req"].pk]))
    top = page.context["result"].rows[0]
    assert top["organisation_id"] == scene["lab"].pk
    components = {n: (v, share) for n, v, share in top["components"]}
    assert components["relatedness"][0] == pytest.approx(0.8)
    assert components["relatedness"][1] > 0
    assert any("proximity 0.80" in render(r) for r in top["reasons"])
    assert 'id="relatedness-off"' not in page.content.decode()


def test_edit_request_with_version_check(client, scene):
    client.force_login(scene["rep_a"])
    req = scene["req"]
    url = reverse("matchmaking:request_edit", args=[req.pk])
    data = {"kind": "seek", "topic": "Coatings partner", "description": "", "sectors": "",
            "countries": "", "status": "open", "version": 1}
    assert client.post(url, data).status_code == 302
    req.refresh_from_db()
    assert (req.topic, req.version) == ("Coatings partner", 2)
    assert client.post(url, {**data, "topic": "stale"}).status_code == 409
    req.refresh_from_db()
    assert req.topic == "Coatings partner"


@pytest.mark.parametrize("lang", ["pl", "ru"])
def test_reasons_shown_in_the_readers_language(client, scene, lang):
    from django.utils.html import escape

    client.force_login(scene["rep_a"])
    client.cookies["django_language"] = lang
    response = client.get(reverse("matchmaking:suggestions", args=[scene["req"].pk]))
    html = response.content.decode()
    top = response.context["result"].rows[0]
    for reason in top["reasons"]:
        assert escape(render(reason, lang)) in html
        assert escape(render(reason)) not in html  # the English sentence is not shown
