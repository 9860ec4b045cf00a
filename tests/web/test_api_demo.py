"""API (token auth, pagination, filters, OpenAPI document), demo content and `serve`."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from typer.testing import CliRunner

from klaster.web.registry.models import Activity, Cluster, Membership, Organisation

pytestmark = pytest.mark.django_db


def test_token_authentication(registry):
    token = Token.objects.create(user=registry["coord_b"])
    api = APIClient()
    assert api.get(f"/api/clusters/{registry['hidden'].pk}/").status_code == 404
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(f"/api/clusters/{registry['hidden'].pk}/").json()["name_en"] == "Hidden cluster"
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/clusters/").status_code == 401


def test_pagination_and_filters(registry):
    Cluster.objects.bulk_create([Cluster(name_en=f"C{i:02d}", published=True, status="potential",
                                         region="Grodno") for i in range(60)])
    api = APIClient()
    page1 = api.get("/api/clusters/", {"status": "potential"}).json()
    assert page1["count"] == 60 and len(page1["results"]) == 50 and page1["next"]
    page2 = api.get(page1["next"]).json()
    assert len(page2["results"]) == 10 and page2["next"] is None
    assert api.get("/api/clusters/", {"q": "published"}).json()["count"] == 1
    orgs = api.get("/api/organisations/", {"id_scheme": "NIP"}).json()
    assert [o["id_value"] for o in orgs["results"]] == ["5260250274"]


def test_api_validation_uses_the_model(registry):
    api = APIClient()
    api.force_authenticate(registry["rep_a"])
    r = api.post("/api/organisations/", {"name_en": "New", "id_scheme": "NIP",
                                         "id_value": "1234567890", "helix": "business"},
                 format="json")
    assert r.status_code == 400 and "check digit" in str(r.json()["id_value"])
    r = api.post("/api/organisations/", {"name_en": "New", "id_scheme": "REGON",
                                         "id_value": "123-456-785", "helix": "business",
                                         "code_system": "pkd2007",
                                         "industry_codes": ["62.01.Z"]}, format="json")
    assert r.status_code == 201, r.content
    assert (r.json()["id_value"], r.json()["industry_codes"]) == ("123456785", ["6201"])
    org = Organisation.objects.get(pk=r.json()["id"])
    assert list(org.representatives.all()) == [registry["rep_a"]]  # the creator represents it


def test_openapi_document():
    r = APIClient().get("/api/schema/")
    assert r.status_code == 200
    doc = yaml.safe_load(r.content)
    assert doc["openapi"].startswith("3.")
    for path in ("/api/clusters/", "/api/clusters/{id}/", "/api/organisations/",
                 "/api/memberships/", "/api/activities/", "/api/projects/",
                 "/api/partner-requests/"):
        assert path in doc["paths"], path
    assert "delete" not in doc["paths"]["/api/memberships/{id}/"]
    assert "tokenAuth" in doc["components"]["securitySchemes"]


def test_demo_content_is_idempotent_and_marked(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    counts = (Organisation.objects.count(), Cluster.objects.count(), Membership.objects.count())
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert (Organisation.objects.count(), Cluster.objects.count(),
            Membership.objects.count()) == counts
    names = set(Cluster.objects.values_list("name_en", flat=True))
    assert {"Metal Processing Cluster", "Polish Construction Cluster",
            "InfoTech Technology Cluster", "North-East Eco-Energy Cluster"} <= names
    assert Cluster.objects.filter(country="BY", status="forming").count() == 1
    visit = Activity.objects.get(kind="study_visit")
    assert (visit.start.year, visit.start.month, visit.participant_count) == (2019, 7, 18)
    for name in ("Białystok University of Technology", "Marshal Office of Podlaskie Voivodeship",
                 "Podlasie Regional Development Foundation"):
        assert Organisation.objects.filter(name_en=name).exists()
    # Nothing pretends to be a real register number.
    assert set(Organisation.objects.values_list("id_scheme", flat=True)) == {"OTHER"}
    page = client.get(f"/clusters/{Cluster.objects.get(name_en='Metal Processing Cluster').pk}/")
    assert "Illustrative demo data" in page.content.decode()
    demo_map = client.get("/map/").context["map"]
    assert demo_map["markers"]
    # The demo's Podlaskie clusters land in Podlaskie by their coordinates.
    assert demo_map["shading"]["regions"]["PL-PD"]["value"] >= 1


def test_serve_is_registered_in_the_cli(monkeypatch):
    from klaster import cli
    from klaster.web import cli as web_cli

    calls = []
    monkeypatch.setattr(web_cli, "serve", lambda **kw: calls.append(kw))
    result = CliRunner().invoke(cli.app, ["serve", "--demo", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls == [{"host": "127.0.0.1", "port": 8123, "demo": True}]


def test_serve_migrates_loads_demo_and_runs_the_server(monkeypatch):
    import django.core.management as management

    from klaster.web import cli as web_cli

    real = management.call_command
    ran = []

    from django.core.management.commands.runserver import Command as RunServer

    def intercept(name, *args, **kwargs):
        if isinstance(name, RunServer):  # the only step not run for real in a test
            ran.append((args, kwargs))
            return None
        return real(name, *args, **kwargs)

    monkeypatch.setattr(management, "call_command", intercept)
    import subprocess

    workers = []

    class Worker:  # the analysis worker process serve starts (not run in a test)
        def __init__(self, args, **kwargs):
            self.args, self.terminated = list(args), False
            workers.append(self)

        def terminate(self):
            self.terminated = True

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(subprocess, "Popen", Worker)
    monkeypatch.setenv("KLASTER_DEMO_PASSWORD", "demo-pass-123")
    monkeypatch.setenv("KLASTER_STATIC_PREPARED", "0")  # settings are already loaded
    web_cli.serve(host="127.0.0.1", port=8123, demo=True)
    assert ran == [(("127.0.0.1:8123",), {"use_reloader": False, "use_static_handler": False,
                                          "skip_checks": True})]
    assert Cluster.objects.filter(name_en="Metal Processing Cluster", published=True).exists()
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.get(username="demo-coordinator")
    assert coordinator.check_password("demo-pass-123")
    assert coordinator.coordinated_clusters.get().name_en == "Metal Processing Cluster"
    # --demo also loads the networks/matchmaking and the assessment demos.
    from klaster.web.assessment.models import Call, Label
    from klaster.web.matchmaking.models import Event, Meeting
    from klaster.web.registry.models import PartnerRequest, Project

    evaluator = get_user_model().objects.get(username="demo-evaluator")
    assert evaluator.check_password("demo-pass-123")
    assert sorted(Label.objects.values_list("cluster__name_en", flat=True)) == [
        "Metal Processing Cluster", "Polish Construction Cluster"]
    assert list(Call.objects.filter(is_open=True).values_list("rubric__key", flat=True)) == [
        "eccp-profile"]
    assert Project.objects.filter(demo=True).exists() and PartnerRequest.objects.exists()
    event = Event.objects.get(title="Podlaskie–Hrodna B2B day (illustrative)")
    assert event.scheduled and Meeting.objects.filter(event=event).exists()
    # The KPI snapshots were taken after the demo projects existed: some cluster has a
    # collaboration network of non-zero density.
    from klaster.web.assessment.models import KpiSnapshot

    assert KpiSnapshot.objects.filter(kpi__icontains="density", value__gt=0).exists()
    # --demo queues the two demo analyses (packaged CBP 2021, packaged Eurostat EU28 NUTS 2)
    # for the analysis worker, a child process started beside the server and stopped with
    # it (running and publishing them: test_startup.py).
    from klaster.web.analysis.models import Dataset

    assert sorted(Dataset.objects.filter(status="queued").values_list("source", flat=True)) == [
        "demo", "demo-eu"]
    assert len(workers) == 1 and workers[0].args[-2:] == ["klaster.web", "analysis_worker"]
    assert workers[0].terminated
