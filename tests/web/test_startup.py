"""`klaster serve` skips migrate and the demo loaders when the database is up to date
(klaster.web.startup), and the demo content is the same either way (issue 14)."""

from __future__ import annotations

import hashlib
import json
import io

import pytest
from django.apps import apps
from django.core.management import call_command

from klaster.web import startup

pytestmark = pytest.mark.django_db

VOLATILE = {"password", "last_login", "date_joined", "created", "updated", "modified",
            "created_at", "updated_at", "submitted_at", "decided_at", "history_date",
            "computed_at", "started_at", "finished_at", "queued_at", "key", "token",
            "expires_at", "joined_at", "sent_at", "at"}


def content_digest(*, history: bool = False) -> dict[str, tuple[int, str]]:
    """Rows per model of the klaster apps and auth, and a hash of their stable fields
    (primary keys, timestamps, password hashes and generated keys left out); the
    simple-history tables only with ``history``."""
    out = {}
    labels = {"registry", "matchmaking", "assessment", "analysis", "auth"}
    for model in apps.get_models():
        if model._meta.app_label not in labels:
            continue
        if model.__name__.startswith("Historical") and not history:
            continue
        fields = sorted(f.attname for f in model._meta.concrete_fields
                        if not f.primary_key and f.attname not in VOLATILE
                        and not f.attname.endswith(("_at", "_date", "_id", "history_id"))
                        and f.get_internal_type() not in ("DateTimeField", "FileField"))
        rows = sorted(repr(r) for r in model.objects.values_list(*fields)) if fields else []
        out[model._meta.label] = (model.objects.count(),
                                  hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


def quiet(name, *args, **kwargs):
    kwargs.setdefault("stdout", io.StringIO())
    return call_command(name, *args, **kwargs)


def test_second_start_runs_nothing_and_the_demo_content_is_the_same(monkeypatch):
    monkeypatch.setenv("KLASTER_DEMO_PASSWORD", "demo-pass-123")
    # What `serve --demo` did before: the four loaders on an empty database.
    for name in startup.DEMO_COMMANDS:
        quiet(name)
    before = content_digest()
    assert before["registry.Organisation"][0] > 0

    said = []
    # First start through the fingerprints: nothing stored yet, so everything runs (the
    # loaders find their content present and add nothing — except that the assessment
    # loader re-stores its KPI snapshots, one more history row each: what every start
    # used to add).
    assert startup.ensure_database(demo=True, call=quiet, say=said.append) == [
        "migrate", *startup.DEMO_COMMANDS]
    assert content_digest() == before
    with_history = content_digest(history=True)
    # Second start: both fingerprints match, nothing runs, not even history grows.
    assert startup.ensure_database(demo=True, call=quiet, say=said.append) == []
    assert said and "skipping" in said[-1]
    assert startup.ensure_database(demo=False, call=quiet) == []
    assert content_digest(history=True) == with_history


def test_a_changed_fingerprint_runs_its_step_again(monkeypatch):
    ran = []

    def record(name, *args, **kwargs):
        ran.append(name)

    startup.write_state("schema", startup.schema_fingerprint())
    startup.write_state("demo", "from an older klaster")
    assert startup.ensure_database(demo=True, call=record, say=lambda _m: None) == list(
        startup.DEMO_COMMANDS)
    ran.clear()
    # A migration added or changed: migrate, and the demo again after it.
    startup.write_state("schema", "older migrations")
    startup.ensure_database(demo=True, call=record, say=lambda _m: None)
    assert ran == ["migrate", *startup.DEMO_COMMANDS]
    assert startup.read_state()["schema"] == startup.schema_fingerprint()


def test_fingerprints_follow_the_files(tmp_path, monkeypatch):
    schema = startup.schema_fingerprint()
    assert schema == startup.schema_fingerprint()  # stable
    assert startup.demo_fingerprint(schema) != startup.demo_fingerprint("other")
    digest_a, digest_b = hashlib.sha256(), hashlib.sha256()
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"compiled")
    startup._hash_files(digest_a, tmp_path)
    (tmp_path / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"recompiled")
    startup._hash_files(digest_b, tmp_path)
    assert digest_a.hexdigest() == digest_b.hexdigest()  # caches do not count
    (tmp_path / "a.py").write_text("x = 2\n")
    digest_c = hashlib.sha256()
    startup._hash_files(digest_c, tmp_path)
    assert digest_c.hexdigest() != digest_a.hexdigest()


def test_prepared_schema_carries_the_current_fingerprint():
    # After adding or changing a migration: uv run python -m klaster.web.startup --write
    assert startup._prepared_fingerprint() == startup.schema_fingerprint(), (
        "src/klaster/web/prepared/sqlite_schema.sql is out of date: run "
        "`uv run python -m klaster.web.startup --write`")


def _child(code: str, data_dir) -> str:
    import os
    import subprocess
    import sys

    env = dict(os.environ, KLASTER_DATA_DIR=str(data_dir), KLASTER_DEBUG="1",
               DJANGO_SETTINGS_MODULE="klaster.web.settings")
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True).stdout


def test_prepared_schema_is_the_dump_of_a_migrated_database(tmp_path):
    # The file is exactly what `migrate` produces on a new SQLite database.
    assert startup.dump_prepared_schema() == startup.PREPARED.read_text(encoding="utf-8")


def test_first_start_on_a_new_database_uses_the_prepared_schema(tmp_path):
    out = _child(
        "import django; django.setup()\n"
        "from django.contrib.auth.models import Group\n"
        "from django.db import connection\n"
        "from klaster.web import startup\n"
        "print(startup.ensure_database(demo=False, say=print))\n"
        "print(sorted(Group.objects.values_list('name', flat=True)))\n"
        "dump = [line for line in startup._dump_here().splitlines()\n"
        "        if 'klaster_startup' not in line]\n"
        "print(dump == startup.PREPARED.read_text(encoding='utf-8').splitlines())\n",
        tmp_path)
    ran, groups, same = out.strip().splitlines()[-3:]
    assert ran == "['prepared schema']"
    assert groups != "[]"  # the post_migrate handlers ran (registry and analysis roles)
    # and migrate finds nothing to do: the same database as a migrated one (apart from
    # the fingerprint table)
    assert same == "True"


def test_serve_queues_the_demo_analyses_and_publishes_them_when_done(monkeypatch):
    # `klaster serve --demo` only queues the two demo analyses (the analysis worker runs
    # them after the server answers); done, a loader's demo is published, an analyst's
    # own demo run is not.
    from django.contrib.auth import get_user_model

    from klaster.web.analysis.management.commands.load_analysis_demo import queue_demos
    from klaster.web.analysis.models import Dataset, Status
    from klaster.web.analysis.tasks import publish_if_demo

    monkeypatch.setenv("KLASTER_DEMO_PASSWORD", "demo-pass-123")
    startup.write_state("schema", startup.schema_fingerprint())
    calls = []
    startup.ensure_database(demo=True, call=lambda name, **kw: calls.append((name, kw)),
                            say=lambda _m: None, queue_analyses=True)
    assert calls[-1] == ("load_analysis_demo", {"queue": True})
    queued = queue_demos()
    assert sorted(ds.source for ds in queued) == sorted(
        [Dataset.Source.DEMO, Dataset.Source.DEMO_EU])
    assert queue_demos() == []  # waiting: not queued twice
    # The next start (fingerprints unchanged) queues nothing while they wait ...
    assert startup.ensure_database(demo=True, call=quiet, say=lambda _m: None,
                                   queue_analyses=True) == []
    # ... and queues again a demo whose run failed (server stopped meanwhile).
    Dataset.objects.filter(pk=queued[0].pk).update(status=Status.FAILED)
    assert startup.ensure_database(demo=True, call=quiet, say=lambda _m: None,
                                   queue_analyses=True) == ["load_analysis_demo"]
    own = Dataset.objects.create(title="mine", source=Dataset.Source.DEMO,
                                 created_by=get_user_model().objects.create(username="an"))
    Dataset.objects.filter(pk__in=[queued[1].pk, own.pk]).update(status=Status.DONE,
                                                                 results_dir="r")
    for ds in (queued[1], own):
        publish_if_demo(Dataset.objects.get(pk=ds.pk))
    assert Dataset.objects.get(pk=queued[1].pk).published
    assert not Dataset.objects.get(pk=own.pk).published


def test_first_page_of_a_start_imports_no_analytics(tmp_path):
    # `klaster serve` sets Django up, builds the URL map and answers `/`: Polars, NumPy
    # and the rest of the analytics load only with the pages that use them (issue 14:
    # 1-3 s of every start). The directory page does use them.
    out = _child(
        "import json, sys\nimport django; django.setup()\n"
        "from klaster.web import startup\n"
        "startup.ensure_database(demo=False, say=print)\n"
        "from django.test import Client\n"
        "from django.urls import get_resolver\n"
        "get_resolver()._populate()\n"
        "heavy = ('polars', 'numpy', 'pandas', 'scipy', 'pyarrow', 'networkx')\n"
        "status = Client().get('/', HTTP_HOST='127.0.0.1').status_code\n"
        "first = sorted(m for m in heavy if m in sys.modules)\n"
        "Client().get('/clusters/', HTTP_HOST='127.0.0.1')\n"
        "print(json.dumps([status, first, 'polars' in sys.modules]))\n",
        tmp_path)
    assert json.loads(out.strip().splitlines()[-1]) == [200, [], True]
