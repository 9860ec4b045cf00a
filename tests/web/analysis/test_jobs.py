"""Jobs with a heartbeat: a worker that dies, or loses the database, leaves a dataset that
the next worker and the page see as failed (reason shown, partial output removed)."""

from __future__ import annotations

import datetime
import time

import pytest
from django.db import OperationalError
from django.db.models import QuerySet
from django.utils import timezone

from klaster.web.analysis import tasks
from klaster.web.analysis.models import Dataset, RegionCluster

pytestmark = pytest.mark.django_db


def _running(ds, *, beat_age: float, media_root):
    """Make ``ds`` look claimed by a worker whose last heartbeat was ``beat_age`` s ago,
    with a finished-but-unstored results folder and a temporary one left behind."""
    now = timezone.now()
    Dataset.objects.filter(pk=ds.pk).update(
        status="running", stage="Computing indicators", percent=45, started=now,
        heartbeat=now - datetime.timedelta(seconds=beat_age), worker="gone:1:1")
    root = media_root / tasks.RESULTS
    left = [root / f"{ds.pk}-20260101000000000000", root / f".{ds.pk}-20260101-abcd"]
    for folder in left:
        folder.mkdir(parents=True)
        (folder / "report.html").write_text("partial")
    return left


def test_a_killed_workers_job_is_failed_by_the_next_worker(client, analyst, upload,
                                                           media_root):
    client.force_login(analyst)
    upload()
    upload(title="Other")
    ds, other = Dataset.objects.order_by("pk")
    left = _running(ds, beat_age=tasks.STALE_SECONDS + 5, media_root=media_root)
    other_folder = media_root / tasks.RESULTS / f"{other.pk}-20260101000000000000"
    _running(other, beat_age=1, media_root=media_root)  # a live worker's: untouched
    tasks.run_pending(limit=0)
    ds.refresh_from_db()
    other.refresh_from_db()
    assert ds.status == "failed" and ds.error == tasks.STALE_ERROR and ds.finished
    assert not any(p.exists() for p in left)
    assert other.status == "running" and other_folder.exists()


def test_the_page_shows_a_lost_job_as_failed_with_the_reason(client, analyst, upload,
                                                             media_root):
    client.force_login(analyst)
    upload()
    ds = Dataset.objects.get()
    left = _running(ds, beat_age=tasks.STALE_SECONDS + 5, media_root=media_root)
    status = client.get(f"/analysis/{ds.pk}/status/", HTTP_ACCEPT_LANGUAGE="pl").json()
    assert status["status"] == "failed" and status["finished"]
    assert status["error"] and status["error"] != tasks.STALE_ERROR  # translated (pl)
    page = client.get(f"/analysis/{ds.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "The worker stopped during the analysis" in page.content.decode()
    assert not any(p.exists() for p in left)


def test_a_fresh_heartbeat_keeps_the_job_running(client, analyst, upload, media_root):
    client.force_login(analyst)
    upload()
    ds = Dataset.objects.get()
    _running(ds, beat_age=1, media_root=media_root)
    assert client.get(f"/analysis/{ds.pk}/status/").json()["status"] == "running"


def test_losing_the_database_mid_run_ends_failed_after_the_stale_time(
        client, analyst, upload, media_root, monkeypatch):
    client.force_login(analyst)
    upload()
    ds = Dataset.objects.get()
    assert tasks.claim(ds.pk)
    down = {"now": False}
    real_update = QuerySet.update

    def update(self, **kwargs):
        if down["now"]:
            raise OperationalError("server closed the connection unexpectedly")
        return real_update(self, **kwargs)

    def objects(ds, out):
        down["now"] = True  # the database goes away after the results were written
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(QuerySet, "update", update)
    monkeypatch.setattr(tasks, "_result_objects", objects)
    tasks.run(Dataset.objects.get(pk=ds.pk))  # the worker survives its lost database
    down["now"] = False
    ds.refresh_from_db()
    assert ds.status == "running"  # recording the failure failed too
    assert list((media_root / tasks.RESULTS).iterdir()) == []  # results folder removed
    # No heartbeat arrives any more; after STALE_SECONDS the next poll fails it.
    Dataset.objects.filter(pk=ds.pk).update(
        heartbeat=timezone.now() - datetime.timedelta(seconds=tasks.STALE_SECONDS + 1))
    assert tasks.fail_lost_jobs() == 1
    ds.refresh_from_db()
    assert ds.status == "failed" and ds.error == tasks.STALE_ERROR


def test_a_run_declared_lost_stores_nothing(client, analyst, upload, media_root,
                                            monkeypatch):
    client.force_login(analyst)
    upload()
    ds = Dataset.objects.get()
    assert tasks.claim(ds.pk)
    real = tasks._result_objects

    def objects(ds_, out):
        # Meanwhile the page declared the run lost (e.g. a long pause of the worker).
        Dataset.objects.filter(pk=ds_.pk).update(status="failed", error=tasks.STALE_ERROR)
        return real(ds_, out)

    monkeypatch.setattr(tasks, "_result_objects", objects)
    tasks.run(Dataset.objects.get(pk=ds.pk))
    ds.refresh_from_db()
    assert ds.status == "failed" and ds.error == tasks.STALE_ERROR
    assert not RegionCluster.objects.filter(dataset=ds).exists()
    assert list((media_root / tasks.RESULTS).iterdir()) == []


def test_orphan_results_of_deleted_or_finished_datasets_are_removed(client, analyst, upload,
                                                                    media_root):
    client.force_login(analyst)
    upload()
    ds = Dataset.objects.get()
    tasks.run_pending()
    ds.refresh_from_db()
    assert ds.status == "done"
    root = media_root / tasks.RESULTS
    kept = media_root / ds.results_dir
    orphans = [root / f"{ds.pk}-19990101000000000000", root / "99999-19990101000000000000"]
    for o in orphans:
        o.mkdir()
    removed = tasks.remove_orphan_results()
    assert sorted(removed) == sorted(orphans) and kept.exists()


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_beats_while_the_job_runs(make_user):
    ds = Dataset.objects.create(title="t", source="demo")
    assert tasks.claim(ds.pk)
    first = Dataset.objects.get(pk=ds.pk).heartbeat
    with tasks.heartbeat(ds.pk, every=0.05):
        time.sleep(0.4)
    beat = Dataset.objects.get(pk=ds.pk).heartbeat
    assert beat > first
