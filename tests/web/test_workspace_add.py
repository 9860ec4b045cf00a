"""Workspace: add one organisation, add one member to a cluster — checked by the member
import's own row check (NIP checksum, duplicate detection, already a member), scoped
choices (a hidden organisation answers like a missing one), history kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klaster.web.registry.models import Membership, Organisation

pytestmark = pytest.mark.django_db

NEW = {"id_scheme": "NIP", "id_value": "526-104-08-28", "name_en": "Narew Dairy",
       "helix": "business", "code_system": "nace2", "industry_codes": "C10",
       "latitude": "53,17", "longitude": "22.07", "role": "member", "joined": "2025-03-01"}


def _import_errors(cluster, row: dict) -> list[tuple[str, str]]:
    """What the file import says about the same row (the expectation)."""
    import polars as pl

    from klaster.web.registry.importing import COLUMNS, import_members

    table = pl.DataFrame([{c: row.get(c) for c in COLUMNS if c in row}])
    return [(e.field, e.message) for e in import_members(cluster, table).errors]


def test_add_new_member_creates_organisation_and_membership_with_history(client, registry):
    cluster = registry["published"]
    client.force_login(registry["coord_a"])
    response = client.post(reverse("portal:member_add", args=[cluster.pk]), NEW)
    assert response.status_code == 302
    org = Organisation.objects.get(id_scheme="NIP", id_value="5261040828")  # canonical
    assert org.industry_codes == ["10"] and org.latitude == 53.17
    m = Membership.objects.get(organisation=org, cluster=cluster, left__isnull=True)
    assert m.joined.isoformat() == "2025-03-01"
    assert org.history.count() == 1 and m.history.count() == 1


def test_add_existing_visible_organisation(client, registry):
    client.force_login(registry["coord_a"])
    # Org A is a member already: the import's error, on the organisation's row.
    response = client.post(reverse("portal:member_add", args=[registry["published"].pk]),
                           {"organisation": registry["org_a"].pk, "role": "member",
                            "code_system": "nace2"})
    assert response.status_code == 400
    assert "already a current member of this cluster" in response.content.decode()


def test_hidden_organisation_answers_like_missing(client, registry):
    """Org B is a member of the hidden cluster only: coord_a may not name it."""
    client.force_login(registry["coord_a"])
    url = reverse("portal:member_add", args=[registry["published"].pk])
    hidden = client.post(url, {"organisation": registry["org_b"].pk, "role": "member",
                               "code_system": "nace2"})
    missing = client.post(url, {"organisation": 999999, "role": "member",
                                "code_system": "nace2"})
    assert hidden.status_code == missing.status_code == 400
    assert (hidden.context["member_form"].errors["organisation"]
            == missing.context["member_form"].errors["organisation"])
    assert not Membership.objects.filter(organisation=registry["org_b"],
                                         cluster=registry["published"]).exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"id_value": "5261040829"}, "id_value"),  # NIP checksum
    ({"industry_codes": "C99"}, "industry_codes"),
    ({"latitude": "north"}, "latitude"),
    ({"role": "boss"}, "role"),
])
def test_same_errors_as_the_import(client, registry, change, field):
    cluster = registry["published"]
    row = {**NEW, **change}
    expected = _import_errors(cluster, row)
    assert expected and expected[0][0] == field
    client.force_login(registry["coord_a"])
    response = client.post(reverse("portal:member_add", args=[cluster.pk]), row)
    if field == "role":  # a choice field: refused by the form before the row check
        assert response.status_code == 400
        assert "role" in response.context["member_form"].errors
        return
    assert response.status_code == 400
    errors = response.context["member_form"].errors
    assert [(field, m) for m in errors[field]] == [e for e in expected if e[0] == field]
    assert not Organisation.objects.filter(name_en="Narew Dairy").exists()


def test_duplicate_identifier_reuses_the_registered_organisation(client, registry):
    """The import's duplicate detection: the same scheme and identifier (written any way)
    is the same organisation; a new member row naming it reuses it."""
    client.force_login(registry["coord_b"])
    row = {**NEW, "id_value": "526-025-02-74", "name_en": "Typed differently"}
    response = client.post(reverse("portal:member_add", args=[registry["hidden"].pk]), row)
    assert response.status_code == 302
    assert Organisation.objects.filter(id_value="5260250274").count() == 1
    assert Membership.objects.filter(organisation=registry["org_a"],
                                     cluster=registry["hidden"]).exists()


def test_member_add_needs_the_right_to_edit(client, registry):
    client.force_login(registry["coord_a"])
    assert client.post(reverse("portal:member_add", args=[registry["hidden"].pk]),
                       NEW).status_code == 404
    client.force_login(registry["rep_a"])
    assert client.post(reverse("portal:member_add", args=[registry["published"].pk]),
                       NEW).status_code == 403


def test_cluster_page_shows_the_form(client, registry):
    client.force_login(registry["coord_a"])
    body = client.get(reverse("portal:cluster_edit", args=[registry["published"].pk])
                      ).content.decode()
    assert 'id="member-form"' in body and "member_id_value" in body


# --- add organisation -------------------------------------------------------------------

def test_add_organisation_makes_the_author_its_representative(client, registry):
    client.force_login(registry["stranger"])
    body = client.get(reverse("portal:workspace")).content.decode()
    assert 'id="organisation-form"' in body
    response = client.post(reverse("portal:organisation_add"), NEW)
    assert response.status_code == 302
    org = Organisation.objects.get(id_value="5261040828")
    assert list(org.representatives.all()) == [registry["stranger"]]
    assert not org.approved and org.history.count() == 1


def test_add_organisation_refuses_a_registered_identifier_and_bad_checksum(client, registry):
    client.force_login(registry["stranger"])
    dup = client.post(reverse("portal:organisation_add"), {**NEW, "id_value": "5260250274"})
    assert dup.status_code == 400
    assert "already in the registry" in dup.content.decode()
    bad = client.post(reverse("portal:organisation_add"), {**NEW, "id_value": "5261040829"})
    assert bad.status_code == 400
    expected = _import_errors(registry["published"], {**NEW, "id_value": "5261040829"})
    assert list(bad.context["org_form"].errors["id_value"]) == [m for f, m in expected
                                                                 if f == "id_value"]
    missing = client.post(reverse("portal:organisation_add"), {"code_system": "nace2"})
    assert set(missing.context["org_form"].errors) >= {"id_scheme", "id_value", "name_en",
                                                       "helix"}
    assert Organisation.objects.count() == 2


def _options(form, name: str) -> set[int]:
    return {int(str(v)) for v, _label in form.fields[name].widget.choices if str(v) != ""}


def test_edit_page_offers_found_and_member_organisations_not_every_one(client, registry):
    """The cluster edit page lists, as organisations to add, only those its search found
    (never a hidden one), and as coordinating organisation the cluster's members; a
    visible organisation that is not listed is still accepted (the choice is scoped by
    visibility, the list is only shortened)."""
    org_c = Organisation.objects.create(name_en="Narew Cooperative", id_scheme="OTHER",
                                        id_value="NAREW-1", helix="civil", approved=True)
    client.force_login(registry["coord_a"])
    url = reverse("portal:cluster_edit", args=[registry["published"].pk])
    page = client.get(url)
    assert _options(page.context["member_form"], "organisation") == set()
    assert _options(page.context["form"], "coordinator_organisation") == {
        registry["org_a"].pk}  # the cluster's one member
    found = client.get(url, {"find": "narew"}).context["member_form"]
    assert _options(found, "organisation") == {org_c.pk}
    by_identifier = client.get(url, {"find": "narew-1"}).context["member_form"]
    assert _options(by_identifier, "organisation") == {org_c.pk}
    # Org B (member of the hidden cluster only) is not found, though its name matches.
    assert _options(client.get(url, {"find": "Org B"}).context["member_form"],
                    "organisation") == set()
    assert _options(client.get(url, {"find": "Org"}).context["member_form"],
                    "organisation") == {registry["org_a"].pk}
    response = client.post(reverse("portal:member_add", args=[registry["published"].pk]),
                           {"organisation": org_c.pk, "role": "member",
                            "code_system": "nace2"})
    assert response.status_code == 302
    assert Membership.objects.filter(organisation=org_c, left__isnull=True).exists()
