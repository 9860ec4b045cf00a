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

A new, empty SQLite database (the one ``klaster serve`` creates on a first start) does not
replay the migrations either when ``prepared/sqlite_schema.sql`` carries the current
schema fingerprint: that file is the dump of a freshly migrated database, executed in one
transaction (about 0.1 s instead of the 10-30 s that rendering every migration's model
states takes), followed by the post_migrate signal as ``migrate`` sends it (content types,
permissions, the registry and analysis groups). After a migration is added or changed,
regenerate it with ``uv run python -m klaster.web.startup --write`` (a test fails until
then; a stale file is never used, ``migrate`` runs instead).

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
PREPARED = Path(__file__).resolve().parent / "prepared" / "sqlite_schema.sql"
_HEADER = "-- klaster prepared SQLite schema; schema fingerprint "
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
                    say: Callable[[str], None] = print,
                    queue_analyses: bool = False) -> list[str]:
    """Migrate and (``demo``) load the demo content unless the stored fingerprints say the
    database is already up to date. Returns the management commands that were run.

    ``queue_analyses`` (``klaster serve``): the demo analyses are only queued, for the
    server's analysis worker (a child process) to run after the server answers — they
    were 88 of the 128 s of a first start at load 8 (issue 14); a demo analysis that did
    not finish (server stopped meanwhile) is queued again at the next start."""
    if call is None:
        from django.core.management import call_command as call
    from klaster.web.portal.caching import one_bump
    state = read_state()
    ran: list[str] = []
    schema = schema_fingerprint()
    if state.get("schema") != schema:
        if not state and load_prepared_schema(schema):
            ran.append("prepared schema")
        else:
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
            # One registry-version bump for the whole load, not one per saved row.
            with one_bump():
                for name in DEMO_COMMANDS:
                    if queue_analyses and name == "load_analysis_demo":
                        call(name, queue=True)
                    else:
                        call(name)
                    ran.append(name)
            write_state("demo", fingerprint)
            return ran
        if queue_analyses:
            from klaster.web.analysis.management.commands.load_analysis_demo import (
                queue_demos,
            )

            if queue_demos():
                ran.append("load_analysis_demo")
    return ran


def _prepared_fingerprint(path: Path = PREPARED) -> str | None:
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as fh:
        first = fh.readline().strip()
    return first[len(_HEADER):] if first.startswith(_HEADER) else None


def load_prepared_schema(schema: str, path: Path = PREPARED) -> bool:
    """Create the schema of an empty SQLite database from the prepared dump when its
    fingerprint is ``schema``; False (nothing done) otherwise."""
    if connection.vendor != "sqlite" or connection.introspection.table_names():
        return False
    if _prepared_fingerprint(path) != schema:
        return False
    from django.core.management.sql import emit_post_migrate_signal

    connection.ensure_connection()
    # Django's own SQLite connection: it registers the SQL functions (REGEXP, JSON
    # checks, …) that the dumped constraints use. The dump runs as one transaction;
    # foreign keys are off meanwhile, since it creates the tables in name order (and
    # can be switched only outside a transaction).
    raw = connection.connection
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        raw.executescript(path.read_text(encoding="utf-8"))
    finally:
        raw.execute("PRAGMA foreign_keys = ON")
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    return True


def dump_prepared_schema() -> str:
    """The prepared dump: migrate a new SQLite database in a temporary data directory (a
    child process, so this process's database is not touched) and dump it, migration
    timestamps fixed so that the file changes only when the schema does."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, KLASTER_DATA_DIR=tmp, KLASTER_DEBUG="1",
                   DJANGO_SETTINGS_MODULE="klaster.web.settings")
        env.pop("DATABASE_URL", None)
        out = subprocess.run([sys.executable, "-m", "klaster.web.startup", "--dump-here"],
                             env=env, capture_output=True, text=True, check=True)
    return out.stdout


def _dump_here() -> str:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    connection.ensure_connection()
    raw = connection.connection
    raw.execute("UPDATE django_migrations SET applied = '2000-01-01 00:00:00'")
    raw.commit()
    return f"{_HEADER}{schema_fingerprint()}\n" + "\n".join(raw.iterdump()) + "\n"


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Write or check the prepared SQLite schema "
                                 f"({PREPARED.relative_to(PREPARED.parents[3])}).")
    ap.add_argument("--write", action="store_true", help="regenerate the file")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 unless the file is current (same dump)")
    ap.add_argument("--dump-here", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.dump_here:
        import sys

        sys.stdout.write(_dump_here())
        return 0
    text = dump_prepared_schema()
    if args.write:
        PREPARED.parent.mkdir(exist_ok=True)
        tmp = PREPARED.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(PREPARED)
        print(f"wrote {PREPARED}")
        return 0
    current = PREPARED.read_text(encoding="utf-8") if PREPARED.is_file() else ""
    if current != text:
        print(f"{PREPARED} is out of date: run `uv run python -m klaster.web.startup --write`")
        return 1
    print(f"{PREPARED} is current")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klaster.web.settings")
    os.environ.setdefault("KLASTER_DEBUG", "1")
    django.setup()
    raise SystemExit(main())
