"""A cluster's named contact person: published only with that person's recorded consent
(GDPR Art. 6(1)(a), 7), on the profile, the PDF profile and the API; the consent is
recorded by the workspace form (who, when, the text); access and erasure find it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from klaster.web.privacy import inventory, services
from klaster.web.registry.forms import CONTACT_CONSENT_TEXT, ClusterForm
from klaster.web.registry.models import Cluster

from .conftest import api_client

NAME, EMAIL, PHONE = "Ewa Testowa", "ewa.testowa@example.org", "+48 600 111 222"


def _contact(cluster, *, consent: bool, consent_name=NAME) -> Cluster:
    cluster.contact_name, cluster.contact_role = NAME, "Cluster manager"
    cluster.contact_role_pl = "Menedżerka klastra"
    cluster.contact_email, cluster.contact_phone = EMAIL, PHONE
    if consent:
        cluster.contact_consent_name = consent_name
        cluster.contact_consent_at = timezone.now()
        cluster.contact_consent_text = "I agree ..."
    cluster.save()
    return cluster


def _post_data(cluster, user, **changes) -> dict:
    """The edit form as the browser would send it, unchanged except ``changes``."""
    form = ClusterForm(instance=cluster, user=user)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = ", ".join(value) if isinstance(value, list) else value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


@pytest.mark.parametrize("consent_name", [None, "Someone Else"])
def test_contact_hidden_without_consent_of_the_person_named(client, registry, consent_name):
    cluster = _contact(registry["published"], consent=consent_name is not None,
                       consent_name=consent_name)
    assert not cluster.contact_published
    page = client.get(f"/clusters/{cluster.pk}/").content.decode()
    assert NAME not in page and EMAIL not in page and 'id="contact-person"' not in page
    assert 'id="coordinator-link"' in page or "Contact this cluster" in page
    body = api_client().get(f"/api/clusters/{cluster.pk}/").json()
    assert body["contact_person"] is None
    assert NAME not in str(body) and EMAIL not in str(body)
    listed = api_client().get("/api/clusters/").json()
    assert NAME not in str(listed)


def test_contact_shown_with_consent_in_the_readers_language(client, registry):
    cluster = _contact(registry["published"], consent=True)
    assert cluster.contact_published
    en = client.get(f"/clusters/{cluster.pk}/").content.decode()
    assert 'id="contact-person"' in en and NAME in en and "Cluster manager" in en
    assert f'href="mailto:{EMAIL}"' in en and 'href="tel:+48600111222"' in en
    pl = client.get(f"/clusters/{cluster.pk}/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Menedżerka klastra" in pl and "Osoba do kontaktu" in pl
    body = api_client().get(f"/api/clusters/{cluster.pk}/").json()
    assert body["contact_person"] == {
        "name": NAME, "role": "Cluster manager", "role_pl": "Menedżerka klastra",
        "role_be": "", "role_ru": "", "email": EMAIL, "phone": PHONE}
    # The consent record itself is not published.
    assert "contact_consent_text" not in body and "I agree" not in str(body)


def test_form_requires_consent_and_records_it(client, registry):
    cluster, coord = registry["published"], registry["coord_a"]
    client.force_login(coord)
    url = reverse("portal:cluster_edit", args=[cluster.pk])
    data = _post_data(cluster, coord, contact_name=NAME, contact_email=EMAIL)
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "only with their consent" in refused.content.decode()
    cluster.refresh_from_db()
    assert cluster.contact_name == "" and cluster.contact_consent_at is None

    before = timezone.now()
    saved = client.post(url, {**data, "contact_consent": "on"}, HTTP_ACCEPT_LANGUAGE="pl")
    assert saved.status_code == 302, saved.content.decode()[:2000]
    cluster.refresh_from_db()
    assert cluster.contact_published
    assert cluster.contact_consent_name == NAME
    assert cluster.contact_consent_recorded_by == coord
    assert cluster.contact_consent_at >= before
    with translation.override("pl"):  # the text the coordinator was shown, word for word
        assert cluster.contact_consent_text == str(CONTACT_CONSENT_TEXT)
    assert cluster.contact_consent_text.startswith("Wyrażam zgodę")
    # The history keeps who recorded the consent and when.
    assert cluster.history.first().contact_consent_name == NAME

    # Another person named: the consent is recorded again, for that person.
    first_at = cluster.contact_consent_at
    data = _post_data(cluster, coord, contact_name="Piotr Inny")
    assert data.get("contact_consent") == "on"
    assert client.post(url, data).status_code == 302
    cluster.refresh_from_db()
    assert cluster.contact_consent_name == "Piotr Inny" and cluster.contact_consent_at > first_at

    # Withdrawn: the box unticked with the fields emptied removes person and consent.
    data = _post_data(cluster, coord, contact_name="", contact_email="")
    data.pop("contact_consent")
    assert client.post(url, data).status_code == 302
    cluster.refresh_from_db()
    assert (cluster.contact_name, cluster.contact_email, cluster.contact_consent_name,
            cluster.contact_consent_at, cluster.contact_consent_text,
            cluster.contact_consent_recorded_by) == ("", "", "", None, "", None)


def test_consent_without_a_name_is_refused(registry):
    cluster, coord = registry["published"], registry["coord_a"]
    form = ClusterForm(_post_data(cluster, coord, contact_consent="on"), instance=cluster,
                       user=coord)
    assert not form.is_valid() and "contact_name" in form.errors


def test_inventory_classifies_the_contact_fields():
    for field in ("contact_name", "contact_role", "contact_role_pl", "contact_email",
                  "contact_phone"):
        item = inventory.entry(Cluster, field)
        assert isinstance(item, inventory.Personal), field
        assert (item.basis, item.erase, item.subject) == ("consent", "clear", "contact_email")
    assert inventory.entry(Cluster, "contact_email").category == inventory.CONTACT
    for field in ("contact_consent_name", "contact_consent_at", "contact_consent_text"):
        assert inventory.entry(Cluster, field).category == inventory.PRIVACY
    assert inventory.entry(Cluster, "contact_consent_recorded_by").subject == (
        "contact_consent_recorded_by")
    historical = Cluster.history.model
    assert isinstance(inventory.entry(historical, "contact_phone"), inventory.Personal)
    assert inventory.unmarked_fields() == [] and inventory.stale_entries() == []


@pytest.mark.django_db
def test_access_export_and_erasure_of_a_contact_person(registry, make_user):
    cluster = _contact(registry["published"], consent=True)
    other = _contact(registry["hidden"], consent=True)
    other.contact_name = other.contact_consent_name = "Unrelated Person"
    other.contact_email, other.contact_phone = "someone@example.org", ""
    other.save()
    person = make_user("ewa", first_name="Ewa", last_name="Testowa", email=EMAIL.upper())

    exported = services.export_person(person)["records"]
    rows = exported["registry.Cluster"]
    assert [r["id"] for r in rows] == [cluster.pk]
    assert rows[0]["contact_phone"] == PHONE and rows[0]["_found_by"] == ["contact_email"]
    assert any(r["contact_name"] == NAME for r in exported["registry.HistoricalCluster"])

    counts = services.erase_person(person)
    assert counts["contact_persons_removed"] == 1
    cluster.refresh_from_db()
    assert not cluster.contact_published
    assert (cluster.contact_name, cluster.contact_email, cluster.contact_phone,
            cluster.contact_role_pl, cluster.contact_consent_name) == ("", "", "", "", "")
    # Earlier values in the history are scrubbed like every other text column.
    assert not cluster.history.filter(contact_name=NAME).exists()
    assert not Cluster.history.filter(contact_email__iexact=EMAIL).exists()
    other.refresh_from_db()
    assert other.contact_published and other.contact_name == "Unrelated Person"


def test_a_contact_person_without_an_account_is_erased_by_listed_terms(client, registry):
    cluster = _contact(registry["published"], consent=True)
    url = f"/clusters/{cluster.pk}/"
    assert NAME in client.get(url).content.decode()  # (cached for anonymous visitors)
    assert services.clear_contact_persons([PHONE.replace(" ", "")]) == 1
    cluster.refresh_from_db()
    assert cluster.contact_name == "" and cluster.contact_consent_at is None
    # A plain UPDATE: the cached public page must not keep showing the person.
    assert NAME not in client.get(url).content.decode()
