"""Issue 12's reproductions through the API and the pages: each failed on the old code.

Private data: every related record a write names must be one its author may see (and,
for project partners, a current member of the cluster); otherwise 400 "No such record.",
the very answer given for an id that does not exist. Ordinary use: no 500.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from rest_framework.test import APIClient

from klaster.web.registry.models import (
    Activity,
    Cluster,
    Membership,
    Organisation,
    PartnerRequest,
    Project,
)

from .conftest import api_client as _api

pytestmark = pytest.mark.django_db

NO_SUCH = ["No such record."]


@pytest.fixture
def hidden_org(registry):
    """Unapproved, member of no published cluster: only admins (and coord_b, whose hidden
    cluster it belongs to) see it."""
    return registry["org_b"]


def _missing(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def test_membership_of_a_hidden_organisation_is_no_such_record(registry, hidden_org):
    api = _api(registry["coord_a"])
    own = registry["published"]
    before = Membership.objects.count()
    hidden = api.post("/api/memberships/", {"organisation": hidden_org.pk, "cluster": own.pk},
                      format="json")
    missing = api.post("/api/memberships/", {"organisation": _missing(Organisation),
                                             "cluster": own.pk}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json() == {"organisation": NO_SUCH}
    assert Membership.objects.count() == before
    # ... so the organisation stays private.
    assert _api().get(f"/api/organisations/{hidden_org.pk}/").status_code == 404
    assert APIClient().get(f"/organisations/{hidden_org.pk}/").status_code == 404


def test_coordinator_organisation_must_be_visible(registry, hidden_org):
    own = registry["published"]
    api = _api(registry["coord_a"])
    r = api.patch(f"/api/clusters/{own.pk}/", {"coordinator_organisation": hidden_org.pk,
                                               "version": own.version}, format="json")
    m = api.patch(f"/api/clusters/{own.pk}/", {"coordinator_organisation":
                                               _missing(Organisation),
                                               "version": own.version}, format="json")
    assert r.status_code == m.status_code == 400
    assert r.json() == m.json() == {"coordinator_organisation": NO_SUCH}
    own.refresh_from_db()
    assert own.coordinator_organisation_id is None
    assert hidden_org.name_en not in APIClient().get(f"/clusters/{own.pk}/").content.decode()
    # The page form applies the same rule.
    from django.test import Client
    page = Client()
    page.force_login(registry["coord_a"])
    resp = page.post(f"/workspace/clusters/{own.pk}/", {
        "name_en": own.name_en, "status": own.status, "code_system": "nace2",
        "coordinator_organisation": hidden_org.pk, "version": own.version})
    assert resp.status_code == 400
    own.refresh_from_db()
    assert own.coordinator_organisation_id is None


def test_project_partners_are_visible_current_members(registry, hidden_org, make_user):
    own = registry["published"]
    outsider = Organisation.objects.create(name_en="Outsider", id_scheme="NIP",
                                           id_value="7740001454", helix="business",
                                           approved=True)  # visible, not a member
    api = _api(registry["coord_a"])
    # Creating with partners (even none) answered 500 before.
    created = api.post("/api/projects/", {"cluster": own.pk, "title": "P", "partners": []},
                       format="json")
    assert created.status_code == 201, created.content
    project = Project.objects.get(pk=created.json()["id"])
    ok = api.post("/api/projects/", {"cluster": own.pk, "title": "Q",
                                     "partners": [registry["org_a"].pk]}, format="json")
    assert ok.status_code == 201 and ok.json()["partners"] == [registry["org_a"].pk]
    hidden = api.patch(f"/api/projects/{project.pk}/", {
        "partners": [hidden_org.pk], "version": project.version}, format="json")
    missing = api.patch(f"/api/projects/{project.pk}/", {
        "partners": [_missing(Organisation)], "version": project.version}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json() == {"partners": NO_SUCH}
    foreign = api.patch(f"/api/projects/{project.pk}/", {
        "partners": [outsider.pk], "version": project.version}, format="json")
    assert foreign.status_code == 400 and "partners" in foreign.json()
    assert list(project.partners.all()) == []
    project.refresh_from_db()
    assert project.version == 1


def test_activity_with_participants_is_created(registry, hidden_org):
    own = registry["published"]
    api = _api(registry["coord_a"])
    r = api.post("/api/activities/", {"cluster": own.pk, "kind": "training", "title": "T",
                                      "start": "2024-05-01",
                                      "participants": [registry["org_a"].pk]}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["participants"] == [registry["org_a"].pk]
    r = api.post("/api/activities/", {"cluster": own.pk, "kind": "training", "title": "U",
                                      "start": "2024-05-01",
                                      "participants": [hidden_org.pk]}, format="json")
    assert r.status_code == 400 and r.json() == {"participants": NO_SUCH}
    assert Activity.objects.filter(title="U").count() == 0


def test_duplicate_membership_does_not_name_the_constraint(registry):
    own = registry["published"]
    api = _api(registry["coord_a"])
    r = api.post("/api/memberships/", {"organisation": registry["org_a"].pk,
                                       "cluster": own.pk}, format="json")
    assert r.status_code == 400
    body = r.content.decode()
    assert "membership_one_open_per_cluster" not in body and "already a current member" in body
    # Hidden organisation in a hidden cluster (such a membership exists): no such record,
    # exactly like a made-up pair.
    hidden = api.post("/api/memberships/", {"organisation": registry["org_b"].pk,
                                            "cluster": registry["hidden"].pk}, format="json")
    made_up = api.post("/api/memberships/", {"organisation": _missing(Organisation),
                                             "cluster": _missing(Cluster)}, format="json")
    assert hidden.status_code == made_up.status_code == 400
    assert hidden.json() == made_up.json() == {"organisation": NO_SUCH, "cluster": NO_SUCH}


def test_partner_request_to_a_hidden_cluster_is_no_such_record(registry):
    api = _api(registry["rep_a"])
    base = {"organisation": registry["org_a"].pk, "kind": "seek", "topic": "Laser cutting"}
    hidden = api.post("/api/partner-requests/", {**base, "cluster": registry["hidden"].pk},
                      format="json")
    missing = api.post("/api/partner-requests/", {**base, "cluster": _missing(Cluster)},
                       format="json")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json() == {"cluster": NO_SUCH}
    assert not PartnerRequest.objects.exists()
    ok = api.post("/api/partner-requests/", {**base, "cluster": registry["published"].pk},
                  format="json")
    assert ok.status_code == 201


@pytest.mark.parametrize("which", ["cluster", "organisation"])
def test_deleting_a_record_with_memberships_is_409_not_500(registry, which):
    api = _api(registry["admin"])
    target = registry["published"] if which == "cluster" else registry["org_a"]
    r = api.delete(f"/api/{which}s/{target.pk}/")
    assert r.status_code == 409
    assert "memberships" in r.json()["detail"]
    assert type(target).objects.filter(pk=target.pk).exists()


def test_the_browsable_api_offers_only_visible_choices(registry, hidden_org):
    """The HTML form of the browsable API lists the choices of each related field."""
    api = _api(registry["coord_a"])
    html = api.get("/api/memberships/", HTTP_ACCEPT="text/html").content.decode()
    assert "Org A" in html and hidden_org.name_en not in html
    assert "Hidden cluster" not in html


# --- exports: text a spreadsheet would run is quoted (OWASP CSV injection) ---------------

EVIL = {"name_en": "=HYPERLINK(\"http://evil\",\"x\")", "city": "+cmd|' /C calc'!A0",
        "legal_form": "@SUM(1+1)", "region": "-2+3"}


def test_members_export_neutralises_formulas(client, registry):
    org = registry["org_a"]
    Organisation.objects.filter(pk=org.pk).update(**EVIL)
    client.force_login(registry["coord_a"])
    url = f"/workspace/clusters/{registry['published'].pk}/export/"
    text = client.get(url + "?format=csv").content.decode()
    row = next(csv.DictReader(io.StringIO(text)))
    for field, value in EVIL.items():
        assert row[field] == "'" + value
    xlsx = zipfile.ZipFile(io.BytesIO(client.get(url + "?format=xlsx").content))
    sheet = xlsx.read("xl/worksheets/sheet1.xml").decode()
    strings = xlsx.read("xl/sharedStrings.xml").decode() if (
        "xl/sharedStrings.xml" in xlsx.namelist()) else sheet
    assert "<f>" not in sheet  # no formula cell
    assert "&apos;=HYPERLINK" in strings or "'=HYPERLINK" in strings


def test_filters_by_a_hidden_record_answer_like_a_missing_one(registry, hidden_org):
    api = _api(registry["coord_a"])
    hidden = api.get(f"/api/memberships/?organisation={hidden_org.pk}")
    missing = api.get(f"/api/memberships/?organisation={_missing(Organisation)}")
    assert hidden.status_code == missing.status_code == 400
    assert (hidden.content.decode().replace(str(hidden_org.pk), "N")
            == missing.content.decode().replace(str(_missing(Organisation)), "N"))


def test_no_such_record_is_translated(registry, hidden_org):
    api = _api(registry["coord_a"])
    r = api.post("/api/memberships/", {"organisation": hidden_org.pk,
                                       "cluster": registry["published"].pk},
                 format="json", HTTP_ACCEPT_LANGUAGE="pl")
    assert r.json() == {"organisation": ["Nie ma takiego rekordu."]}


@pytest.mark.parametrize("app", ["api", "assessment"])
@pytest.mark.parametrize("lang", ["pl", "be", "ru"])
def test_catalogues_of_the_new_strings_are_complete(app, lang):
    import re
    from pathlib import Path

    import polib

    import klaster.web

    po = polib.pofile(str(Path(klaster.web.__file__).parent / app / "locale" / lang
                          / "LC_MESSAGES" / "django.po"))
    assert po.percent_translated() == 100 and not po.fuzzy_entries()
    fmt = re.compile(r"%\(\w+\)[sd]")
    for entry in po.translated_entries():
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            assert sorted(set(fmt.findall(form))) == sorted(set(fmt.findall(entry.msgid))), (
                entry.msgid)
