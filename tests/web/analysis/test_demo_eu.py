"""The EU demo as a finished analysis in the platform: Podlaskie's region page shows its
profile and where a pilot cluster could grow (relatedness opportunities); the report
draws the voivodeships."""

from __future__ import annotations

import pytest

from klaster.web.analysis.models import Dataset, Opportunity, RegionCluster, RegionSummary

pytestmark = pytest.mark.django_db


@pytest.fixture
def eu_demo():
    from klaster.web.analysis.management.commands.load_analysis_demo import create_demo_eu
    from klaster.web.analysis.tasks import claim, run

    ds = create_demo_eu()
    assert claim(ds.pk)
    run(ds)
    ds.refresh_from_db()
    assert ds.status == "done", ds.error
    return ds


def test_eu_demo_analysis_podlaskie_page_and_map(client, eu_demo):
    ds = eu_demo
    assert ds.summary["regions"] == 277
    pd = RegionSummary.objects.get(dataset=ds, region="PL84")
    assert pd.name == "Podlaskie"
    assert RegionCluster.objects.filter(dataset=ds, region="PL84").exists()
    assert Opportunity.objects.filter(dataset=ds, region="PL84").count() > 0
    Dataset.objects.filter(pk=ds.pk).update(published=True)
    r = client.get(f"/analysis/{ds.pk}/regions/PL84/")
    assert r.status_code == 200
    page = r.content.decode()
    assert "Podlaskie" in page and 'id="opportunity-table"' in page
    first = Opportunity.objects.filter(dataset=ds, region="PL84").order_by("rank").first()
    assert first.cluster_name in page
    report = b"".join(client.get(f"/analysis/{ds.pk}/report/").streaming_content).decode()
    assert '"id": "PL-PD"' in report or '"id":"PL-PD"' in report
    assert "sbs_r_nuts06_r2" in report and "OpenStreetMap" in report


def test_load_analysis_demo_loads_both_once(monkeypatch):
    """serve --demo's command creates the US and the EU demo datasets, runs and publishes
    them, and does not load a finished one again (runs faked: the real runs are tested
    above and in tests/web/test_api_demo.py)."""
    from django.core.management import call_command

    import klaster.web.analysis.management.commands.load_analysis_demo as cmd

    calls = []

    def fake_run(ds):
        calls.append(ds.source)
        Dataset.objects.filter(pk=ds.pk).update(status="done", results_dir="x")

    monkeypatch.setattr(cmd, "run", fake_run)
    call_command("load_analysis_demo")
    eu = Dataset.objects.get(source="demo-eu")
    assert (eu.status, eu.published, eu.definitions, eu.code_system) == (
        "done", True, "nace-division", "nace2")
    assert Dataset.objects.get(source="demo").published
    call_command("load_analysis_demo")
    assert calls == ["demo", "demo-eu"]
