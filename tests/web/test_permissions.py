"""Each forbidden path answers 403 or 404 — in the pages AND in the API."""

from __future__ import annotations

import pytest

from .conftest import api_client as _api

pytestmark = pytest.mark.django_db


# --- anonymous visitors see published records only ---------------------------------------

def test_anonymous_reads_published_not_unpublished_pages(client, registry):
    assert client.get(f"/clusters/{registry['published'].pk}/").status_code == 200
    assert client.get(f"/clusters/{registry['hidden'].pk}/").status_code == 404
    # org_b is neither approved nor a member of a published cluster.
    assert client.get(f"/organisations/{registry['org_b'].pk}/").status_code == 404
    assert client.get(f"/organisations/{registry['org_a'].pk}/").status_code == 200
    directory = client.get("/clusters/").content.decode()
    assert "Published cluster" in directory and "Hidden cluster" not in directory


def test_anonymous_reads_published_not_unpublished_api(registry):
    api = _api()
    assert api.get(f"/api/clusters/{registry['published'].pk}/").status_code == 200
    assert api.get(f"/api/clusters/{registry['hidden'].pk}/").status_code == 404
    assert api.get(f"/api/organisations/{registry['org_b'].pk}/").status_code == 404
    names = [c["name_en"] for c in api.get("/api/clusters/").json()["results"]]
    assert names == ["Published cluster"]
    members = api.get("/api/memberships/").json()["results"]
    assert [m["cluster"] for m in members] == [registry["published"].pk]


def test_anonymous_cannot_write(client, registry):
    r = client.get(f"/workspace/clusters/{registry['published'].pk}/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    api = _api()
    assert api.patch(f"/api/clusters/{registry['published'].pk}/",
                     {"name_en": "X", "version": 1}, format="json").status_code in (401, 403)


# --- a coordinator editing another cluster -----------------------------------------------

def test_coordinator_cannot_edit_other_cluster_pages(client, registry):
    client.force_login(registry["coord_a"])
    own = registry["published"]
    assert client.get(f"/workspace/clusters/{own.pk}/").status_code == 200
    # Another coordinator's unpublished cluster: invisible -> 404.
    assert client.get(f"/workspace/clusters/{registry['hidden'].pk}/").status_code == 404
    client.force_login(registry["coord_b"])
    # A published cluster coordinated by someone else: visible but not editable -> 403.
    assert client.get(f"/workspace/clusters/{own.pk}/").status_code == 403
    r = client.post(f"/workspace/clusters/{own.pk}/", {"name_en": "Hijacked", "status": "operating",
                                                      "code_system": "nace2", "version": 1})
    assert r.status_code == 403
    assert client.get(f"/workspace/clusters/{own.pk}/history/").status_code == 403
    assert client.get(f"/workspace/clusters/{own.pk}/export/").status_code == 403
    assert client.post(f"/workspace/clusters/{own.pk}/import/").status_code == 403
    m = own.memberships.get()
    assert client.post(f"/workspace/memberships/{m.pk}/end/").status_code == 403
    own.refresh_from_db()
    assert own.name_en == "Published cluster"


def test_coordinator_cannot_edit_other_cluster_api(registry):
    own, other = registry["published"], registry["hidden"]
    api = _api(registry["coord_b"])
    r = api.patch(f"/api/clusters/{own.pk}/", {"name_en": "Hijacked", "version": 1},
                  format="json")
    assert r.status_code == 403
    r = api.post("/api/activities/", {"cluster": own.pk, "kind": "training", "title": "T",
                                      "start": "2024-01-01"}, format="json")
    assert r.status_code == 403
    r = api.post("/api/memberships/", {"cluster": own.pk, "organisation": registry["org_b"].pk},
                 format="json")
    assert r.status_code == 403
    # coord_a cannot even see coord_b's unpublished cluster.
    assert _api(registry["coord_a"]).get(f"/api/clusters/{other.pk}/").status_code == 404
    # ... and their own cluster can be edited.
    r = _api(registry["coord_a"]).patch(f"/api/clusters/{own.pk}/",
                                        {"name_en": "Renamed", "version": 1}, format="json")
    assert r.status_code == 200, r.content
    own.refresh_from_db()
    assert own.name_en == "Renamed" and own.version == 2


# --- a representative editing another organisation ---------------------------------------

def test_representative_cannot_edit_other_organisation_pages(client, registry):
    client.force_login(registry["rep_a"])
    assert client.get(f"/workspace/organisations/{registry['org_a'].pk}/").status_code == 200
    # org_b is invisible to rep_a -> 404; make it public and it becomes 403.
    assert client.get(f"/workspace/organisations/{registry['org_b'].pk}/").status_code == 404
    registry["org_b"].approved = True
    registry["org_b"].save()
    assert client.get(f"/workspace/organisations/{registry['org_b'].pk}/").status_code == 403
    r = client.post(f"/workspace/organisations/{registry['org_b'].pk}/", {"name_en": "Mine"})
    assert r.status_code == 403


def test_representative_cannot_edit_other_organisation_api(registry):
    api = _api(registry["rep_a"])
    registry["org_b"].approved = True
    registry["org_b"].save()
    r = api.patch(f"/api/organisations/{registry['org_b'].pk}/", {"name_en": "Mine",
                                                                  "version": 1}, format="json")
    assert r.status_code == 403
    r = api.post("/api/partner-requests/", {"organisation": registry["org_b"].pk, "kind": "seek",
                                            "topic": "T"}, format="json")
    assert r.status_code == 403
    r = api.post("/api/partner-requests/", {"organisation": registry["org_a"].pk, "kind": "seek",
                                            "topic": "Partners for a pilot line"}, format="json")
    assert r.status_code == 201, r.content
    # Approval is the programme's: a representative's "approved" is ignored (read-only).
    r = api.patch(f"/api/organisations/{registry['org_a'].pk}/",
                  {"approved": False, "name_en": "Org A2", "version": 1}, format="json")
    assert r.status_code == 200
    registry["org_a"].refresh_from_db()
    assert registry["org_a"].approved is True and registry["org_a"].name_en == "Org A2"


def test_coordinators_only_create_clusters(client, registry):
    client.force_login(registry["stranger"])
    assert client.get("/workspace/clusters/new/").status_code == 403
    assert _api(registry["stranger"]).post("/api/clusters/", {"name_en": "N"},
                                           format="json").status_code == 403
    r = _api(registry["coord_a"]).post("/api/clusters/", {"name_en": "New one"}, format="json")
    assert r.status_code == 201, r.content


def test_programme_admin_sees_and_edits_everything(client, registry):
    client.force_login(registry["admin"])
    assert client.get(f"/workspace/clusters/{registry['hidden'].pk}/").status_code == 200
    api = _api(registry["admin"])
    assert api.get("/api/clusters/").json()["count"] == 2
    r = api.patch(f"/api/organisations/{registry['org_b'].pk}/", {"name_en": "B2", "version": 1},
                  format="json")
    assert r.status_code == 200


def test_memberships_cannot_be_deleted_through_the_api(registry):
    m = registry["published"].memberships.get()
    r = _api(registry["admin"]).delete(f"/api/memberships/{m.pk}/")
    assert r.status_code == 405
