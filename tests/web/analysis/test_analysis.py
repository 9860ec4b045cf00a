"""Upload -> background task -> stored results -> pages; failures; progress; recording a
potential cluster; permissions."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings

from klaster.web.analysis import tasks
from klaster.web.analysis.models import (
    Dataset,
    Opportunity,
    PotentialClusterRecord,
    RegionCluster,
    RegionSummary,
)
from klaster.web.registry.models import Cluster, Document

from .conftest import CLUSTER_OF, SMALL_CSV

pytestmark = pytest.mark.django_db


def _hand_lq() -> dict[tuple[str, str], float]:
    """LQ = (e_rc / e_r) / (e_c / e) from the CSV with plain Python (denominator: all
    employment of the region / of all regions, as klaster's default "total")."""
    rows = list(csv.DictReader(io.StringIO(SMALL_CSV)))
    e_rc: dict[tuple[str, str], float] = {}
    e_r: dict[str, float] = {}
    e_c: dict[str, float] = {}
    for r in rows:
        emp = float(r["employment"])
        c = CLUSTER_OF[r["industry"]]
        e_rc[(r["region"], c)] = e_rc.get((r["region"], c), 0) + emp
        e_r[r["region"]] = e_r.get(r["region"], 0) + emp
        e_c[c] = e_c.get(c, 0) + emp
    total = sum(e_r.values())
    return {(r, c): (v / e_r[r]) / (e_c[c] / total) for (r, c), v in e_rc.items()}


def _uploaded_and_run(client, analyst, upload) -> Dataset:
    client.force_login(analyst)
    resp = upload()
    assert resp.status_code == 302
    ds = Dataset.objects.get()
    assert ds.status == "queued" and ds.file_name == "small.csv"
    assert tasks.run_pending() == 1
    ds.refresh_from_db()
    return ds


def test_upload_runs_in_the_background_and_stores_results(client, analyst, upload):
    client.force_login(analyst)
    upload()
    ds = Dataset.objects.get()
    # Nothing is computed in the request: the dataset waits in the queue.
    assert ds.status == "queued" and not RegionCluster.objects.exists()
    page = client.get(f"/analysis/{ds.pk}/")
    assert 'id="progress-bar"' in page.content.decode()
    assert tasks.run_pending() == 1
    ds.refresh_from_db()
    assert (ds.status, ds.percent, ds.error) == ("done", 100, "")

    expected = _hand_lq()
    stored = {(r.region, r.cluster): r.lq for r in RegionCluster.objects.filter(dataset=ds)}
    assert set(stored) == set(expected)
    for key, lq in expected.items():
        assert stored[key] == pytest.approx(lq, rel=1e-12)
    # Rank of NV among regions in Casino Hotels: highest LQ -> 1.
    nv = RegionCluster.objects.get(dataset=ds, region="NV", cluster="1011")
    assert nv.rank == 1 and nv.employment == 6000 and nv.region_name == "Nevada"
    assert RegionSummary.objects.filter(dataset=ds).count() == 6
    assert Opportunity.objects.filter(dataset=ds).exists()

    html = client.get(f"/analysis/{ds.pk}/").content.decode()
    assert 'id="report-frame"' in html and 'id="ranking-table"' in html
    assert "Casino Hotels" in html and "Nevada" in html
    report = client.get(f"/analysis/{ds.pk}/report/")
    assert report.status_code == 200
    assert report["X-Frame-Options"] == "SAMEORIGIN"
    body = b"".join(report.streaming_content).decode()
    assert "plotly" in body.lower() and "Casino Hotels" in body

    # Downloads: the indicator table as CSV carries the same LQ.
    dl = client.get(f"/analysis/{ds.pk}/tables/indicators.csv")
    assert dl.status_code == 200
    table = list(csv.DictReader(io.StringIO(b"".join(dl.streaming_content).decode())))
    row = next(r for r in table if r["region"] == "NV" and r["cluster"] == "1011")
    assert float(row["lq"]) == pytest.approx(expected[("NV", "1011")], rel=1e-12)
    assert client.get(f"/analysis/{ds.pk}/tables/opportunities.parquet").status_code == 200
    assert client.get(f"/analysis/{ds.pk}/tables/secrets.csv").status_code == 404


def test_filters_of_the_ranking(client, analyst, upload):
    ds = _uploaded_and_run(client, analyst, upload)
    html = client.get(f"/analysis/{ds.pk}/?cluster=1011&strong=1").content.decode()
    table = html.split('id="ranking-table"')[1]
    assert "Nevada" in table and "Texas" not in table
    # Local clusters are left out unless asked for.
    assert "Local Retail" not in html.split('id="ranking-table"')[1].split("</table>")[0]
    with_local = client.get(f"/analysis/{ds.pk}/?local=1&region=CA").content.decode()
    assert "Local Retail" in with_local.split('id="ranking-table"')[1]


def test_malformed_upload_names_line_and_field_and_stores_nothing(client, analyst, upload):
    bad = SMALL_CSV.replace("CA,311111,2021,800,12", "CA,311111,2021,eight hundred,12")
    client.force_login(analyst)
    upload(text=bad, name="broken.csv")
    ds = Dataset.objects.get()
    tasks.run_pending()
    ds.refresh_from_db()
    assert ds.status == "failed"
    assert "broken.csv" in ds.error and "line 3" in ds.error and "employment" in ds.error
    assert ds.results_dir == ""
    assert not RegionCluster.objects.exists() and not Opportunity.objects.exists()
    assert not list((Path(settings.MEDIA_ROOT) / tasks.RESULTS).glob(f"{ds.pk}-*"))
    html = client.get(f"/analysis/{ds.pk}/").content.decode()
    assert 'id="error-message"' in html and "line 3" in html
    assert client.get(f"/analysis/{ds.pk}/report/").status_code == 404


def test_a_failure_while_storing_leaves_no_partial_result(client, analyst, upload,
                                                         monkeypatch):
    client.force_login(analyst)
    upload()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # Rows of the first table are written, then the second bulk insert fails.
    monkeypatch.setattr(RegionSummary.objects, "bulk_create", broken)
    tasks.run_pending()
    ds = Dataset.objects.get()
    assert ds.status == "failed" and "disk full" in ds.error
    assert not RegionCluster.objects.exists()
    assert not list((Path(settings.MEDIA_ROOT) / tasks.RESULTS).glob(f"{ds.pk}-*"))


def test_progress_is_persisted_and_served_as_json(client, analyst, upload, monkeypatch):
    client.force_login(analyst)
    upload()
    ds = Dataset.objects.get()
    status = client.get(f"/analysis/{ds.pk}/status/").json()
    assert (status["status"], status["percent"], status["finished"]) == ("queued", 0, False)

    seen = []
    real = tasks._progress

    def spy(pk):
        report = real(pk)

        def wrapped(stage, percent):
            report(stage, percent)
            # What a polling browser would get at this moment, read from the database.
            seen.append(client.get(f"/analysis/{pk}/status/").json())
        return wrapped

    monkeypatch.setattr(tasks, "_progress", spy)
    tasks.run_pending()
    assert [s["stage"] for s in seen] == ["Loading statistics", "Computing indicators",
                                         "Rendering the report",
                                         "Relatedness and opportunities", "Writing results"]
    percents = [s["percent"] for s in seen]
    assert percents == sorted(percents) and all(s["status"] == "running" for s in seen)
    final = client.get(f"/analysis/{ds.pk}/status/").json()
    assert (final["status"], final["percent"], final["finished"]) == ("done", 100, True)


def test_record_as_potential_cluster_once_with_evidence(client, analyst, upload):
    ds = _uploaded_and_run(client, analyst, upload)
    form = {"region": "NV", "cluster": "1011", "kind": "result"}
    first = client.post(f"/analysis/{ds.pk}/record/", form)
    cluster = Cluster.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/clusters/{cluster.pk}/"
    assert (cluster.status, cluster.published, cluster.region) == ("potential", False, "NV")
    assert cluster.industry_codes == ["721120"] and cluster.code_system == "naics2017"
    assert cluster.name_en == "Casino Hotels — Nevada"
    assert list(cluster.coordinators.all()) == [analyst]
    doc = Document.objects.get(cluster=cluster)
    assert doc.url == f"http://testserver/analysis/{ds.pk}/regions/NV/"
    row = RegionCluster.objects.get(dataset=ds, region="NV", cluster="1011")
    assert f"LQ {row.lq:.2f}" in doc.title and "6,000" in doc.title
    record = PotentialClusterRecord.objects.get()
    assert (record.lq, record.employment, record.rank) == (row.lq, 6000, 1)
    # Audited: the creation is in the history, by the analyst.
    (version,) = cluster.history.all()
    assert version.history_type == "+" and version.history_user == analyst

    second = client.post(f"/analysis/{ds.pk}/record/", form)
    assert second["Location"] == f"/clusters/{cluster.pk}/"
    assert Cluster.objects.count() == 1 and Document.objects.count() == 1
    assert PotentialClusterRecord.objects.count() == 1
    # The dataset page now links the recorded cluster instead of offering the button.
    html = client.get(f"/analysis/{ds.pk}/?cluster=1011").content.decode()
    assert f'href="/clusters/{cluster.pk}/"' in html
    # The analyst finds it in the workspace.
    assert "Casino Hotels — Nevada" in client.get("/workspace/").content.decode()


def test_record_an_opportunity_keeps_its_density(client, analyst, upload):
    ds = _uploaded_and_run(client, analyst, upload)
    opp = Opportunity.objects.filter(dataset=ds).order_by("region", "rank").first()
    page = client.get(f"/analysis/{ds.pk}/regions/{opp.region}/").content.decode()
    assert 'id="opportunity-table"' in page and opp.cluster_name in page
    resp = client.post(f"/analysis/{ds.pk}/record/",
                       {"region": opp.region, "cluster": opp.cluster, "kind": "opportunity"})
    assert resp.status_code == 302
    record = PotentialClusterRecord.objects.get()
    assert (record.kind, record.density, record.rank) == ("opportunity", opp.density,
                                                         opp.rank)
    assert "relatedness density" in Document.objects.get().title


def test_permissions(client, analyst, upload, make_user):
    from django.test import Client

    stranger = make_user("stranger")
    anonymous = Client()
    # Anonymous and non-analysts cannot upload.
    assert anonymous.get("/analysis/new/").status_code == 403
    client.force_login(stranger)
    assert client.get("/analysis/new/").status_code == 403
    assert upload().status_code == 403
    assert client.post("/analysis/demo/").status_code == 403
    assert not Dataset.objects.exists()

    ds = _uploaded_and_run(client, analyst, upload)
    for who in (anonymous, _logged(stranger)):
        for url in (f"/analysis/{ds.pk}/", f"/analysis/{ds.pk}/status/",
                    f"/analysis/{ds.pk}/report/", f"/analysis/{ds.pk}/regions/NV/",
                    f"/analysis/{ds.pk}/tables/indicators.csv"):
            assert who.get(url).status_code == 404, url
        assert ds.title not in who.get("/analysis/").content.decode()
        assert who.post(f"/analysis/{ds.pk}/publish/", {"published": "1"}).status_code == 404

    # The analyst publishes; then everybody reads, but only analysts record.
    assert client.post(f"/analysis/{ds.pk}/publish/", {"published": "1"}).status_code == 302
    ds.refresh_from_db()
    assert ds.published
    assert anonymous.get(f"/analysis/{ds.pk}/").status_code == 200
    assert "Record as potential cluster" not in anonymous.get(
        f"/analysis/{ds.pk}/").content.decode()
    form = {"region": "NV", "cluster": "1011", "kind": "result"}
    assert anonymous.post(f"/analysis/{ds.pk}/record/", form).status_code == 403
    assert _logged(stranger).post(f"/analysis/{ds.pk}/record/", form).status_code == 403
    assert _logged(stranger).post(f"/analysis/{ds.pk}/publish/",
                                  {"published": "0"}).status_code == 403
    assert not Cluster.objects.exists()


def _logged(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_options_need_their_files(client, analyst, upload):
    client.force_login(analyst)
    resp = upload(definitions="file", regions="file")
    assert resp.status_code == 200
    assert not Dataset.objects.exists()
    html = resp.content.decode()
    assert html.count("Upload the file, or choose another option.") == 2


def test_uploaded_definitions_and_region_table(client, analyst, upload):
    from django.core.files.uploadedfile import SimpleUploadedFile

    defs = ("industry,cluster,cluster_name,cluster_type\n336412,AER,Aerospace,traded\n"
            "311111,FOOD,Food,traded\n212111,COAL,Coal,traded\n721120,CAS,Casinos,traded\n"
            "448110,RET,Retail,local\n")
    regions = "region,name\nCA,Kalifornia\nTX,Teksas\nNV,Nevada\nWV,Wirginia Zach.\n" \
              "WA,Waszyngton\nOH,Ohio\n"
    client.force_login(analyst)
    upload(definitions="file", regions="file",
           definitions_file=SimpleUploadedFile("defs.csv", defs.encode()),
           regions_file=SimpleUploadedFile("regions.csv", regions.encode()))
    tasks.run_pending()
    ds = Dataset.objects.get()
    assert ds.status == "done", ds.error
    row = RegionCluster.objects.get(dataset=ds, region="NV", cluster="CAS")
    assert row.cluster_name == "Casinos" and row.region_name == "Nevada"
    assert row.lq == pytest.approx(_hand_lq()[("NV", "1011")], rel=1e-12)
    assert RegionSummary.objects.get(dataset=ds, region="CA").name == "Kalifornia"


def test_worker_command_once(client, analyst, upload):
    from django.core.management import call_command

    client.force_login(analyst)
    upload()
    out = io.StringIO()
    call_command("analysis_worker", "--once", stdout=out)
    assert "1 dataset(s) processed" in out.getvalue()
    assert Dataset.objects.get().status == "done"


def test_a_claimed_dataset_is_not_claimed_twice(client, analyst, upload):
    client.force_login(analyst)
    upload()
    pk = Dataset.objects.get().pk
    assert tasks.claim(pk) is True
    assert tasks.claim(pk) is False
    assert tasks.run_pending() == 0


def test_pages_and_stages_are_translated(client, analyst, upload):
    from klaster.web.analysis.views import STAGES

    ds = _uploaded_and_run(client, analyst, upload)
    html = client.get(f"/analysis/{ds.pk}/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Raport z mapowania" in html and "Zapisz jako potencjalny klaster" in html
    ru = client.get(f"/analysis/{ds.pk}/status/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert (ru["stage"], ru["status_label"]) == ("Завершено", "Завершено")
    # Every stage the runner stores has an entry in each catalogue.
    import polib

    base = Path(__file__).parents[3] / "src/klaster/web/analysis/locale"
    for lang in ("pl", "be", "ru"):
        po = {e.msgid: e.msgstr for e in polib.pofile(base / lang / "LC_MESSAGES/django.po")}
        assert all(po.get(s) for s in STAGES), lang


@pytest.mark.django_db(transaction=True)
def test_role_groups_come_back_after_a_flush():
    """A flushed database (as TransactionTestCase leaves it) gets the groups again from
    post_migrate, so browser tests do not depend on their order."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    groups = {g.name: {p.codename for p in g.permissions.all()}
              for g in Group.objects.all()}
    assert groups["Analysts"] == {"add_dataset", "change_dataset", "view_dataset"}
    assert groups["Cluster coordinators"] == {"add_cluster"}
    assert groups["Programme administrators"] == {"administer_programme"}


def test_deleting_a_dataset_removes_its_files(client, analyst, upload,
                                              django_capture_on_commit_callbacks):
    ds = _uploaded_and_run(client, analyst, upload)
    folder = tasks.results_path(ds)
    upload_path = Path(ds.file.path)
    assert (folder / "report.html").exists() and upload_path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        ds.delete()
    assert not folder.exists() and not upload_path.exists()
    assert not RegionCluster.objects.exists()


def test_a_dataset_with_recorded_clusters_cannot_be_deleted(client, analyst, upload):
    from django.db.models import ProtectedError

    ds = _uploaded_and_run(client, analyst, upload)
    client.post(f"/analysis/{ds.pk}/record/", {"region": "NV", "cluster": "1011",
                                               "kind": "result"})
    with pytest.raises(ProtectedError):
        ds.delete()


def test_stale_running_datasets_are_marked_failed(client, analyst, upload):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    client.force_login(analyst)
    upload()
    upload(title="Second")
    old, new = Dataset.objects.order_by("pk")
    now = timezone.now()
    Dataset.objects.filter(pk=old.pk).update(status="running",
                                             started=now - datetime.timedelta(hours=7))
    # Started an hour ago, its worker alive (fresh heartbeat): left running.
    Dataset.objects.filter(pk=new.pk).update(status="running", heartbeat=now,
                                             started=now - datetime.timedelta(hours=1))
    out = io.StringIO()
    call_command("analysis_worker", "--once", "--fail-stale", "6", stdout=out)
    assert "1 stale dataset(s) marked failed" in out.getvalue()
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.status == "failed" and "start the analysis again" in old.error
    assert new.status == "running"


def test_region_codes_with_a_slash_have_working_pages(client, analyst, upload):
    """Issue 12: a region code such as 'PL/21' broke /analysis/<id>/ for everyone
    (NoReverseMatch: the URL converter refused '/')."""
    client.force_login(analyst)
    text = (SMALL_CSV.replace("CA,", "PL/21,").replace("TX,", "BY#3 ?x,")
            .replace("WV,", "=1+2,"))
    assert upload(text=text, regions="none").status_code == 302
    assert tasks.run_pending() == 1
    ds = Dataset.objects.get()
    assert ds.status == "done", ds.error
    page = client.get(f"/analysis/{ds.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/analysis/{ds.pk}/regions/PL/21/" in html
    assert f"/analysis/{ds.pk}/regions/BY%233%20%3Fx/" in html
    region = client.get(f"/analysis/{ds.pk}/regions/PL/21/")
    assert region.status_code == 200 and "PL/21" in region.content.decode()
    assert client.get(f"/analysis/{ds.pk}/regions/BY%233%20%3Fx/").status_code == 200
    assert client.get(f"/analysis/{ds.pk}/regions/PL/22/").status_code == 404
    # Downloads people open in a spreadsheet: the formula-like region code is quoted.
    dl = client.get(f"/analysis/{ds.pk}/tables/indicators.csv")
    regions = {r["region"] for r in csv.DictReader(io.StringIO(
        b"".join(dl.streaming_content).decode()))}
    assert "'=1+2" in regions and "=1+2" not in regions and "PL/21" in regions
    # The report (inline Plotly) has its own Content-Security-Policy: nothing loaded or sent.
    policy = client.get(f"/analysis/{ds.pk}/report/")["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy


@pytest.mark.parametrize("code", ["PL21", "PL/21", "BY#3 ?x", "=1+2", "Mińsk-1", "a%b", "x~y:z@"])
def test_region_urls_are_what_reverse_gives(code):
    """The dataset page builds its few hundred region links from one reverse()
    (views.region_urls): each must be the URL reverse() gives for that code."""
    from types import SimpleNamespace

    from django.urls import reverse

    from klaster.web.analysis.views import region_urls

    ds = SimpleNamespace(pk=7)
    assert region_urls(ds, [code]) == {code: reverse("analysis:region", args=[7, code])}
