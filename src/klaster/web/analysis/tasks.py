"""The background runner: a small job queue kept in the Dataset table.

Why not a task library: the DEP 14 backport (django-tasks) now needs a second package for
its database backend (django-tasks-db), its own settings block and apps, and it keeps no
progress; the job state here is three columns of the Dataset row that the page reads
anyway. The queue is the rows with status "queued"; a worker claims one with a single
``UPDATE ... WHERE status = 'queued'`` (so two workers never run the same dataset), runs
the analysis, and then either stores every result in one transaction (status "done") or
stores the error (status "failed") and nothing else.

Workers: ``python -m klaster.web analysis_worker`` (a loop; ``--once`` empties the queue
and exits); ``klaster serve`` runs :func:`start_worker_thread` beside the web server.

Heartbeat: while a worker runs a dataset, a thread of it writes ``heartbeat`` every
HEARTBEAT_SECONDS. A dataset "running" whose heartbeat is older than STALE_SECONDS has
lost its worker (killed, machine stopped, or the database went away so that not even the
failure could be recorded); every worker poll and every look at the dataset's page or
status marks it failed with that reason and removes its partial output (the results folder
of the run and the temporary folder it was being written to). With the defaults (10 s /
60 s) a dead worker's job shows as failed at most ~60 s after its last sign of life.
"""

from __future__ import annotations

import datetime
import logging
import math
import os
import shutil
import socket
import threading
import traceback
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from klaster.errors import KlasterError
from klaster.web.analysis.models import (
    Dataset,
    Opportunity,
    RegionCluster,
    RegionSummary,
    Status,
)

log = logging.getLogger(__name__)
RESULTS = "analysis/results"
HEARTBEAT_SECONDS = float(os.environ.get("KLASTER_JOB_HEARTBEAT_SECONDS", "10"))
STALE_SECONDS = float(os.environ.get("KLASTER_JOB_STALE_SECONDS", "60"))
# Stored in English like the stage names; the page and status endpoint translate it.
STALE_ERROR = gettext_noop(
    "The worker stopped during the analysis (it was stopped, or lost its database "
    "connection). Nothing was stored; start the analysis again.")


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:120]


def results_path(dataset: Dataset) -> Path:
    return Path(settings.MEDIA_ROOT) / dataset.results_dir


def claim(pk: int) -> bool:
    """Mark a queued dataset as running; False when another worker took it first."""
    now = timezone.now()
    return bool(Dataset.objects.filter(pk=pk, status=Status.QUEUED).update(
        status=Status.RUNNING, stage="Starting", percent=1, started=now, heartbeat=now,
        worker=worker_id()))


def _progress(pk: int):
    def report(stage: str, percent: int) -> None:
        Dataset.objects.filter(pk=pk, status=Status.RUNNING).update(
            stage=stage, percent=max(0, min(100, percent)), heartbeat=timezone.now())
    return report


@contextmanager
def heartbeat(pk: int, every: float | None = None):
    """Keep ``heartbeat`` of a running dataset fresh from a thread while the block runs.
    The thread stops with the block, whatever its outcome: a run that could not even
    record its failure leaves a heartbeat that goes stale."""
    every = HEARTBEAT_SECONDS if every is None else every
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    Dataset.objects.filter(pk=pk, status=Status.RUNNING).update(
                        heartbeat=timezone.now())
                except Exception:  # noqa: BLE001 — the database may be away; retry
                    log.warning("heartbeat of dataset %s failed", pk, exc_info=True)
                    connection.close()
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"klaster-heartbeat-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)


def _results_root() -> Path:
    return Path(settings.MEDIA_ROOT) / RESULTS


def remove_partial_output(pk: int, keep: str = "") -> list[Path]:
    """Remove the results folders of dataset ``pk`` (final "<pk>-<time>" and temporary
    ".<pk>-<time>-*") except ``keep`` (its stored results_dir); returns what was removed."""
    root = _results_root()
    removed = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for entry in entries:
        name = entry.name.lstrip(".")
        if name.split("-", 1)[0] == str(pk) and f"{RESULTS}/{entry.name}" != keep:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def remove_orphan_results() -> list[Path]:
    """Remove results folders that no dataset stands behind: of deleted datasets, and of
    datasets not running that store another folder (a run killed after writing)."""
    root = _results_root()
    try:
        entries = list(root.iterdir())
    except OSError:
        return []
    pks = {e.name.lstrip(".").split("-", 1)[0] for e in entries}
    state = {str(pk): (status, rdir) for pk, status, rdir in Dataset.objects.filter(
        pk__in=[int(p) for p in pks if p.isdigit()]).values_list("pk", "status", "results_dir")}
    removed = []
    for entry in entries:
        pk = entry.name.lstrip(".").split("-", 1)[0]
        status, rdir = state.get(pk, (None, ""))
        if status in (Status.RUNNING, Status.QUEUED) or f"{RESULTS}/{entry.name}" == rdir:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def fail_lost_jobs(pk: int | None = None) -> int:
    """Mark running datasets whose heartbeat is older than STALE_SECONDS as failed
    (reason STALE_ERROR) and remove their partial output; returns how many.
    ``pk``: only that dataset (the page's check)."""
    now = timezone.now()
    cutoff = now - datetime.timedelta(seconds=STALE_SECONDS)
    stale = Dataset.objects.filter(status=Status.RUNNING).filter(
        Q(heartbeat__lt=cutoff) | Q(heartbeat__isnull=True, started__lt=cutoff))
    if pk is not None:
        stale = stale.filter(pk=pk)
    pks = list(stale.values_list("pk", flat=True))
    if not pks:
        return 0
    # The same condition again in the UPDATE: a worker that came back meanwhile keeps it.
    n = stale.filter(pk__in=pks).update(status=Status.FAILED, finished=now, error=STALE_ERROR)
    for one in pks:
        remove_partial_output(one)
    return n


def _inputs(ds: Dataset):
    """(stats, definitions, code system, regions, source label) of a dataset; raises
    DataError."""
    import polars as pl

    from klaster.data import load_demo
    from klaster.taxonomy import load_regions, us_states
    from klaster.web.analysis.pipeline import load_statistics

    if ds.source == Dataset.Source.DEMO:
        from klaster.data.demo import DEMO_SOURCE

        stats, label = load_demo(), DEMO_SOURCE
    elif ds.source == Dataset.Source.DEMO_EU:
        from klaster.data.demo import EU_DEMO_SOURCE, eu_demo_regions, load_demo_eu

        stats, label = load_demo_eu(), EU_DEMO_SOURCE
    else:
        stats, _issues = load_statistics(ds.file.path, ds.file_name or Path(ds.file.name).name,
                                         ds.format, ds.data_year)
        label = ds.file_name
    defs, system = ds.cluster_definitions()
    if ds.regions == Dataset.Regions.FILE:
        regions = _named(load_regions, ds.regions_file)
    elif ds.regions == Dataset.Regions.US_STATES:
        regions = us_states()
    elif ds.source == Dataset.Source.DEMO_EU:
        # NUTS 2021 names; Poland's voivodeships joined to the built-in boundaries
        regions = eu_demo_regions(stats["region"].unique().to_list())
    else:
        regions = None
    assert isinstance(stats, pl.DataFrame)
    return stats, defs, system, regions, label


def _demo_extras(ds: Dataset) -> dict:
    """Boundaries and caveats of the EU demo: Poland's voivodeships from the built-in
    pl-by-lt boundaries (OpenStreetMap, ODbL, attributed in the notes) and the demo's
    data note; nothing for other datasets."""
    if ds.source != Dataset.Source.DEMO_EU:
        return {}
    from klaster.messages import Message
    from klaster.reports import builtin_geometry

    geometry, _table, attribution = builtin_geometry("pl")
    return {"geometry": geometry,
            "caveats": [Message("demo.eurostat"),
                        Message("boundaries.attribution", {"source": attribution})]}


def _named(loader, field, **kwargs):
    """Run a file loader; errors name the uploaded file's name, not the server path."""
    from klaster.errors import DataError
    try:
        return loader(field.path, **kwargs)
    except DataError as exc:
        raise DataError(exc.message, file=Path(field.name).name, line=exc.line,
                        field=exc.field) from None


def run(ds: Dataset) -> None:
    """Run the analysis of a claimed (running) dataset and store its outcome."""
    with heartbeat(ds.pk):
        _run(ds)


def _run(ds: Dataset) -> None:
    from klaster.web.analysis.pipeline import analyse, write_results

    say = _progress(ds.pk)
    folder = None
    try:
        say("Loading statistics", 5)
        stats, defs, system, regions, label = _inputs(ds)
        out = analyse(stats, defs, regions=regions, year=ds.year, from_year=ds.from_year,
                      title=ds.title, source_note=label, progress=say, system=system,
                      **_demo_extras(ds))
        say("Writing results", 85)
        rel = f"{RESULTS}/{ds.pk}-{timezone.now():%Y%m%d%H%M%S%f}"
        folder = write_results(out, Path(settings.MEDIA_ROOT) / rel)
        # Every object is built before the transaction, so the write transaction (which
        # holds SQLite's single write lock) is only the inserts.
        objects = _result_objects(ds, out)
        summary = _summary(out)
        with transaction.atomic():
            # Only while still ours: a run declared lost (stale heartbeat) stores nothing.
            if not Dataset.objects.filter(pk=ds.pk, status=Status.RUNNING).update(
                    status=Status.DONE, stage="Finished", percent=100, results_dir=rel,
                    notes=[m.to_dict() for m in out.notes], summary=summary,
                    finished=timezone.now(), error=""):
                raise RuntimeError("the run was declared lost before it finished")
            publish_if_demo(ds)
            for model, rows in objects:
                model.objects.bulk_create(rows, batch_size=1000)
    except Exception as exc:  # noqa: BLE001 — every failure is stored for the analyst
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        message = str(exc) if isinstance(exc, KlasterError) else (
            f"{type(exc).__name__}: {exc}")
        if not isinstance(exc, KlasterError):
            log.error("analysis of dataset %s failed\n%s", ds.pk, traceback.format_exc())
        try:
            Dataset.objects.filter(pk=ds.pk, status=Status.RUNNING).update(
                status=Status.FAILED, error=message, finished=timezone.now())
        except Exception:  # noqa: BLE001 — e.g. the database went away
            # The heartbeat stops with this run, so the next worker poll (or a look at the
            # page) fails the dataset within STALE_SECONDS.
            log.exception("could not record the failure of dataset %s", ds.pk)


def publish_if_demo(ds: Dataset) -> None:
    """A demo analysis queued by the demo loader (``load_analysis_demo --queue``, no
    author) is published as soon as it is done, as the synchronous loader does."""
    if ds.source in (Dataset.Source.DEMO, Dataset.Source.DEMO_EU) and ds.created_by_id is None:
        Dataset.objects.filter(pk=ds.pk, status=Status.DONE).update(published=True)


def _summary(out) -> dict:
    ind = out.mapping.indicators
    year = int(ind["year"].max())
    now = ind.filter(ind["year"] == year)
    return {"year": year, "regions": int(now["region"].n_unique()),
            "clusters": int(now["cluster"].n_unique()),
            "strong": int(now["strong"].fill_null(False).sum()),
            "change": out.mapping.options.get("change", "")}


def _num(x):
    return None if x is None or math.isnan(x) else float(x)  # NaN -> NULL


def _result_objects(ds: Dataset, out) -> list[tuple[type, list]]:
    """The unsaved result rows of a run: [(model, objects), ...]."""
    import polars as pl

    ind = out.mapping.indicators
    year = int(ind["year"].max()) if ds.year is None else ds.year
    now = ind.filter(pl.col("year") == year).with_columns(
        pl.col("lq").fill_nan(None))
    now = now.with_columns(
        pl.col("lq").rank("ordinal", descending=True).over("cluster").alias("rank"))
    names = dict(out.regions.select("region", "name").iter_rows())
    cells = [
        RegionCluster(dataset=ds, region=r["region"],
                      region_name=names.get(r["region"], r["region"]),
                      cluster=r["cluster"], cluster_name=r["cluster_name"] or r["cluster"],
                      traded=r["cluster_type"] == "traded", year=year,
                      employment=_num(r["employment"]),
                      establishments=_num(r["establishments"]), lq=_num(r["lq"]),
                      strong=r["strong"], stars=r["stars"],
                      rank=r["rank"] if r["lq"] is not None else None)
        for r in now.iter_rows(named=True)]
    regions = [
        RegionSummary(dataset=ds, region=r["region"], name=r["name"],
                      employment=_num(r["employment"]),
                      traded_employment=_num(r["traded_employment"]), strong=r["strong"],
                      three_star=r["three_star"], diversity=r["diversity"],
                      eci=_num(r["eci"]), coi=_num(r["coi"]))
        for r in out.regions.iter_rows(named=True)]
    opportunities = [
        Opportunity(dataset=ds, region=r["region"], cluster=r["activity"],
                    cluster_name=r["cluster_name"] or r["activity"], rank=r["rank"],
                    score=r["score"], density=r["density"], pci=r["pci"], rca=r["rca"],
                    quadrant=r["quadrant"], supporting=_supporting(out.support, r))
        for r in out.opportunities.iter_rows(named=True)]
    return [(RegionCluster, cells), (RegionSummary, regions), (Opportunity, opportunities)]


def _supporting(support, row) -> str:
    import polars as pl

    part = support.filter((pl.col("region") == row["region"])
                          & (pl.col("activity") == row["activity"])).sort("rank")
    return "; ".join(f"{n or c} ({p:.2f})" for c, n, p in part.select(
        "supporting_activity", "supporting_name", "proximity").iter_rows())


def fail_stale(hours: float) -> int:
    """Mark datasets "running" for more than ``hours`` as failed (their worker died);
    returns how many. Nothing of theirs was stored, so they can simply be uploaded again."""
    cutoff = timezone.now() - datetime.timedelta(hours=hours)
    stale = Dataset.objects.filter(status=Status.RUNNING, started__lt=cutoff)
    pks = list(stale.values_list("pk", flat=True))
    n = stale.filter(pk__in=pks).update(status=Status.FAILED, finished=timezone.now(),
                                        error=STALE_ERROR)
    for pk in pks:
        remove_partial_output(pk)
    return n


def run_pending(limit: int | None = None) -> int:
    """Run queued datasets, oldest first, until none is left (or ``limit``); count run.
    Datasets whose worker was lost are failed first (fail_lost_jobs)."""
    fail_lost_jobs()
    done = 0
    while limit is None or done < limit:
        pk = (Dataset.objects.filter(status=Status.QUEUED).order_by("created", "pk")
              .values_list("pk", flat=True).first())
        if pk is None:
            break
        if claim(pk):
            run(Dataset.objects.get(pk=pk))
            done += 1
    return done


def worker_loop(stop: threading.Event, interval: float = 2.0, *,
                first_wait: bool = False) -> None:
    """Poll the queue every ``interval`` seconds until ``stop`` is set (``first_wait``:
    wait one interval before the first poll)."""
    try:
        if first_wait and stop.wait(interval):
            return
        try:
            from klaster.web.uploads import remove_stale_uploads
            remove_orphan_results()
            remove_stale_uploads()
        except Exception:  # noqa: BLE001 — clean-up must not stop the worker
            log.exception("clean-up of orphan results failed")
        while not stop.is_set():
            try:
                close_old_connections()
                fail_lost_jobs()
                run_pending()
            except Exception:  # a worker outlives one bad poll (e.g. a database restart)
                log.exception("analysis worker poll failed")
            finally:
                close_old_connections()
            stop.wait(interval)
    finally:
        # Persistent connections (CONN_MAX_AGE) would outlive the loop: a stopped worker
        # must not hold a database session (it blocks e.g. dropping the database).
        connections.close_all()


def start_worker_thread(interval: float = 2.0) -> tuple[threading.Thread, threading.Event]:
    """A daemon thread running :func:`worker_loop` (used by ``klaster serve``); set the
    returned event to stop it. It first polls after one interval."""
    stop = threading.Event()
    thread = threading.Thread(target=worker_loop, args=(stop, interval),
                              kwargs={"first_wait": True},
                              name="klaster-analysis-worker", daemon=True)
    thread.start()
    return thread, stop
