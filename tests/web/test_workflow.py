"""Join requests, approvals, joint projects and coordinator profiles (pages and API)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from klaster.web.registry.models import CoordinatorProfile, JoinRequest, Membership, Project

pytestmark = pytest.mark.django_db


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_representative_asks_and_coordinator_accepts_in_pages(client, registry):
    org_a, published = registry["org_a"], registry["published"]
    Membership.objects.filter(organisation=org_a).update(left="2100-01-01")  # not a member now
    client.force_login(registry["rep_a"])
    page = client.get(f"/workspace/organisations/{org_a.pk}/")
    assert "Published cluster" in page.content.decode()
    r = client.post(f"/workspace/organisations/{org_a.pk}/join/",
                    {"cluster": published.pk, "message": "We make valves."})
    assert r.status_code == 302
    # Asking twice while pending is refused with a message, not a second row.
    client.post(f"/workspace/organisations/{org_a.pk}/join/", {"cluster": published.pk})
    assert JoinRequest.objects.filter(organisation=org_a).count() == 1
    join = JoinRequest.objects.get()
    # The representative sees the request but cannot decide (403); another cluster's
    # coordinator does not even see it (404).
    assert client.post(f"/workspace/join-requests/{join.pk}/decide/",
                       {"accept": "1"}).status_code == 403
    client.force_login(registry["coord_b"])
    assert client.post(f"/workspace/join-requests/{join.pk}/decide/",
                       {"accept": "1"}).status_code == 404
    client.force_login(registry["coord_a"])
    assert "We make valves." in client.get(f"/workspace/clusters/{published.pk}/").content.decode()
    assert client.post(f"/workspace/join-requests/{join.pk}/decide/",
                       {"accept": "1"}).status_code == 302
    join.refresh_from_db()
    assert (join.status, join.decided_by) == ("accepted", registry["coord_a"])
    assert Membership.objects.filter(organisation=org_a, cluster=published,
                                     left__isnull=True).count() == 1


def test_only_representatives_ask_to_join(client, registry):
    client.force_login(registry["stranger"])
    r = client.post(f"/workspace/organisations/{registry['org_a'].pk}/join/",
                    {"cluster": registry["published"].pk})
    assert r.status_code == 403
    r = _api(registry["stranger"]).post("/api/join-requests/", {
        "organisation": registry["org_a"].pk, "cluster": registry["published"].pk},
        format="json")
    assert r.status_code == 403
    assert not JoinRequest.objects.exists()


def test_join_request_api(registry):
    org_a, published = registry["org_a"], registry["published"]
    Membership.objects.filter(organisation=org_a).update(left="2100-01-01")
    r = _api(registry["rep_a"]).post("/api/join-requests/", {
        "organisation": org_a.pk, "cluster": published.pk, "message": "Hi"}, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert _api(registry["rep_a"]).post(f"/api/join-requests/{pk}/decide/", {"accept": True},
                                        format="json").status_code == 403
    assert _api(registry["coord_b"]).get(f"/api/join-requests/{pk}/").status_code == 404
    r = _api(registry["coord_a"]).post(f"/api/join-requests/{pk}/decide/", {"accept": False},
                                       format="json")
    assert r.status_code == 200 and r.json()["status"] == "declined"
    r = _api(registry["coord_a"]).post(f"/api/join-requests/{pk}/decide/", {"accept": True},
                                       format="json")
    assert r.status_code == 400  # already decided
    assert not Membership.objects.filter(organisation=org_a, left__isnull=True).exists()


def test_only_programme_admin_approves(client, registry):
    cluster = registry["published"]
    form = {"name_en": cluster.name_en, "status": "operating", "code_system": "nace2",
            "version": 1, "published": "on", "approved": "on"}
    client.force_login(registry["coord_a"])
    client.post(f"/workspace/clusters/{cluster.pk}/", form)
    cluster.refresh_from_db()
    assert cluster.approved is False and cluster.version == 2  # saved, approval ignored
    client.force_login(registry["admin"])
    assert 'name="approved"' in client.get(f"/workspace/clusters/{cluster.pk}/").content.decode()
    client.post(f"/workspace/clusters/{cluster.pk}/", {**form, "version": 2})
    cluster.refresh_from_db()
    assert cluster.approved is True


def test_project_and_profile_pages(client, registry):
    cluster = registry["published"]
    client.force_login(registry["coord_a"])
    r = client.post(f"/workspace/clusters/{cluster.pk}/projects/new/", {
        "title": "Shared test bench", "partners": [registry["org_a"].pk], "budget": "120000",
        "start": "2024-01-01", "end": "2023-01-01"})
    assert r.status_code == 400  # ends before it starts: refused inline
    r = client.post(f"/workspace/clusters/{cluster.pk}/projects/new/", {
        "title": "Shared test bench", "partners": [registry["org_a"].pk], "budget": "120000",
        "start": "2024-01-01"})
    assert r.status_code == 302
    assert list(Project.objects.get().partners.all()) == [registry["org_a"]]
    # Partners must be current members: org_b (a member of another cluster) is refused.
    r = client.post(f"/workspace/clusters/{cluster.pk}/projects/new/", {
        "title": "X", "partners": [registry["org_b"].pk]})
    assert r.status_code == 400
    url = f"/workspace/clusters/{cluster.pk}/profile/"
    data = {"year": 2024, "management_fte": "2.5", "budget": "300000",
            "income_member_fees": "50000", "income_public": "200000", "income_services": "0"}
    assert client.post(url, data).status_code == 302
    assert client.post(url + "?year=2024", {**data, "budget": "310000"}).status_code == 302
    assert CoordinatorProfile.objects.get(cluster=cluster, year=2024).budget == 310000
    r = client.post(url, {**data, "income_public": "-1", "year": 2025})
    assert r.status_code == 400
    client.force_login(registry["coord_b"])
    assert client.post(url, {**data, "year": 2026}).status_code == 403


def test_profile_and_document_api(registry):
    cluster = registry["published"]
    r = _api(registry["coord_b"]).post("/api/coordinator-profiles/", {
        "cluster": cluster.pk, "year": 2024}, format="json")
    assert r.status_code == 403
    r = _api(registry["coord_a"]).post("/api/coordinator-profiles/", {
        "cluster": cluster.pk, "year": 2024, "budget": "1000"}, format="json")
    assert r.status_code == 201, r.content
    r = _api(registry["coord_a"]).post("/api/coordinator-profiles/", {
        "cluster": cluster.pk, "year": 2024}, format="json")
    assert r.status_code == 400  # one profile per year
    r = _api(registry["coord_a"]).post("/api/documents/", {
        "cluster": cluster.pk, "title": "Strategy 2030"}, format="json")
    assert r.status_code == 400  # neither file nor link
    r = _api(registry["coord_a"]).post("/api/documents/", {
        "cluster": cluster.pk, "title": "Strategy 2030",
        "url": "https://example.org/strategy.pdf"}, format="json")
    assert r.status_code == 201, r.content
    assert APIClient().get("/api/documents/").json()["count"] == 1  # published cluster


def test_documents_are_served_only_to_those_who_may_see_the_cluster(client, registry):
    from django.core.files.uploadedfile import SimpleUploadedFile

    hidden = registry["hidden"]
    client.force_login(registry["coord_b"])
    r = client.post(f"/workspace/clusters/{hidden.pk}/documents/", {"title": "Empty"})
    assert r.status_code == 302 and not hidden.documents.exists()  # neither file nor link
    r = client.post(f"/workspace/clusters/{hidden.pk}/documents/", {
        "title": "Minutes", "file": SimpleUploadedFile("minutes.txt", b"board minutes")})
    assert r.status_code == 302
    doc = hidden.documents.get()
    got = client.get(f"/documents/{doc.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"board minutes"
    client.logout()
    assert client.get(f"/documents/{doc.pk}/").status_code == 404  # unpublished cluster
    client.force_login(registry["coord_a"])
    assert client.get(f"/documents/{doc.pk}/").status_code == 404
    assert client.post(f"/workspace/clusters/{hidden.pk}/documents/",
                       {"title": "X", "url": "https://example.org"}).status_code == 404
    api_doc = _api(registry["coord_b"]).get(f"/api/documents/{doc.pk}/").json()
    assert api_doc["download"] == f"http://testserver/documents/{doc.pk}/"
    assert "file" not in api_doc
