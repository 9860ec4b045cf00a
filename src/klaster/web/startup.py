"""Bring the database up to date for ``klaster serve`` — and do nothing when it already is.

``klaster serve`` used to run ``migrate`` and (``--demo``) the four demo loaders on every
start: about 10 s of checks that change nothing on a second start (issue 14). Now the
database remembers two fingerprints in a small key/value table of its own
(``klaster_startup``, created here, outside the ORM so that it needs no migration):

* ``schema``: a SHA-256 of every installed app's migration files and the Django version.
  When it matches, ``migrate`` is skipped: nothing it would apply has changed.
* ``demo``: a SHA-256 of the schema fingerprint and of every file of the ``klaster``
  package (the demo loaders, the data they read and the code they call). When it
  matches, the demo loaders are skipped: run again they would find everything present.

A fingerprint is written only after its step succeeded, so an interrupted start is
simply redone. The loaders stay idempotent, so a changed fingerprint costs time, never
duplicate content. To load the demo again into a database whose content was deleted by
other means (e.g. ``manage.py flush``), run the ``load_*demo`` commands.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Callable
from pathlib import Path

import django
from django.apps import apps
from django.db import connection, transaction

TABLE = "klaster_startup"
DEMO_COMMANDS = ("load_demo",
                 # Networks before assessment: the KPI snapshots' network density reads
                 # the demo projects and activities.
                 "load_matchmaking_demo", "load_assessment_demo", "load_analysis_demo")
_SKIP_DIRS = {"__pycache__", "locale"}


def _hash_files(digest: hashlib._Hash, root: Path, pattern: str = "*") -> None:
    for path in sorted(root.rglob(pattern)):
        if path.is_file() and not _SKIP_DIRS.intersection(path.relative_to(root).parts) \
                and path.suffix not in (".pyc", ".mo"):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")


def schema_fingerprint() -> str:
    """SHA-256 of the migration files of every installed app and the Django version."""
    digest = hashlib.sha256(f"django {django.get_version()}\n".encode())
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        spec = importlib.util.find_spec(f"{config.module.__name__}.migrations")
        if spec is None or not spec.submodule_search_locations:
            continue
        digest.update(f"app {config.label}\n".encode())
        for location in spec.submodule_search_locations:
            _hash_files(digest, Path(location), "*.py")
    return digest.hexdigest()


def demo_fingerprint(schema: str) -> str:
    """SHA-256 of the schema fingerprint and of the whole ``klaster`` package (sources and
    packaged data; compiled files and translations left out)."""
    import klaster

    digest = hashlib.sha256(f"schema {schema}\n".encode())
    _hash_files(digest, Path(klaster.__file__).resolve().parent)
    return digest.hexdigest()


def read_state() -> dict[str, str]:
    """The stored fingerprints ({} for a new database)."""
    if TABLE not in connection.introspection.table_names():
        return {}
    with connection.cursor() as cur:
        cur.execute(f"SELECT key, value FROM {TABLE}")
        return dict(cur.fetchall())


def write_state(key: str, value: str) -> None:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} "
                    "(key VARCHAR(40) PRIMARY KEY, value VARCHAR(200) NOT NULL)")
        cur.execute(f"DELETE FROM {TABLE} WHERE key = %s", [key])
        cur.execute(f"INSERT INTO {TABLE} (key, value) VALUES (%s, %s)", [key, value])


def ensure_database(*, demo: bool, call: Callable[..., object] | None = None,
                    say: Callable[[str], None] = print) -> list[str]:
    """Migrate and (``demo``) load the demo content unless the stored fingerprints say the
    database is already up to date. Returns the management commands that were run."""
    if call is None:
        from django.core.management import call_command as call
    state = read_state()
    ran: list[str] = []
    schema = schema_fingerprint()
    if state.get("schema") != schema:
        call("migrate", interactive=False, verbosity=1)
        ran.append("migrate")
        write_state("schema", schema)
        state.pop("demo", None)
    if demo:
        fingerprint = demo_fingerprint(schema)
        if state.get("demo") == fingerprint:
            say("demo content up to date (same klaster files and migrations): "
                "skipping the demo loaders")
        else:
            # One password for every demo account (registry and evaluator), printed once.
            if not os.environ.get("KLASTER_DEMO_PASSWORD"):
                import secrets

                os.environ["KLASTER_DEMO_PASSWORD"] = secrets.token_urlsafe(12)
            for name in DEMO_COMMANDS:
                call(name)
                ran.append(name)
            write_state("demo", fingerprint)
    return ran
