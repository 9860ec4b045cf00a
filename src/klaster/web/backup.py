"""Backup and restore of the platform: the database (SQLite or PostgreSQL) and the uploads
folder (MEDIA_ROOT), in one archive.

Archive (a tar file, gzip-compressed when its name ends in ``.gz``):

* ``manifest.json`` — format version, time, database engine, the applied migrations, the
  row count of every table, and every uploaded file with its size and SHA-256;
* ``database.sqlite3`` — a consistent copy made with SQLite's online backup API
  (``sqlite3.Connection.backup``: readers and writers may go on meanwhile), or
  ``database.pgdump`` — ``pg_dump --format=custom`` (one consistent snapshot);
* ``media/…`` — the uploaded files.

Restore goes into an empty database (or, with ``force``, over one holding data): SQLite via
the backup API in the other direction, PostgreSQL via ``pg_restore --clean --if-exists
--no-owner``; then the files, each checked against its SHA-256, then every table's row
count against the manifest. The archive is written atomically (klaster.fileio), so an
interrupted backup leaves no half archive.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

from klaster.fileio import atomic_output

FORMAT = 1
DB_SQLITE = "database.sqlite3"
DB_PG = "database.pgdump"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message says why."""


@dataclass
class Report:
    archive: Path
    engine: str
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0


def _conn(alias):
    """A Django connection: by alias, or the connection object itself (tests restore into a
    database that is not in settings)."""
    return connections[alias] if isinstance(alias, str) else alias


def _engine(alias="default") -> str:
    vendor = _conn(alias).vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"database engine {vendor!r} is not supported (SQLite, PostgreSQL)")
    return vendor


def table_counts(alias="default") -> dict[str, int]:
    conn = _conn(alias)
    with conn.cursor() as cur:
        names = sorted(conn.introspection.table_names(cur))
        counts = {}
        for name in names:
            cur.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(name)}")
            counts[name] = int(cur.fetchone()[0])
    return counts


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink())


def _pg_env_args(db: dict) -> tuple[dict, list[str]]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return env, args


def _run(cmd: list[str], env: dict) -> None:
    tool = cmd[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (PostgreSQL client tools)")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupError(f"{tool} failed: {proc.stderr.strip()[:2000]}")


def _dump_database(engine: str, alias: str, target: Path) -> dict[str, int]:
    """Copy the database to ``target``; returns the row count of every table *in the
    copy* (the manifest's counts are those of the very snapshot that was saved)."""
    conn = connections[alias]
    if engine == "sqlite":
        conn.ensure_connection()
        dest = sqlite3.connect(target)
        try:
            # Online backup (SQLite C API sqlite3_backup_*): copies pages in steps and
            # restarts when another connection writes, so the copy is consistent.
            conn.connection.backup(dest, pages=1024)
            names = [r[0] for r in dest.execute(
                "SELECT name FROM sqlite_master WHERE type='table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            return {n: int(dest.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0])
                    for n in names}
        finally:
            dest.close()
    # PostgreSQL: count in a REPEATABLE READ transaction and let pg_dump read the same
    # snapshot (pg_export_snapshot / pg_dump --snapshot).
    from django.db import transaction

    db = conn.settings_dict
    env, args = _pg_env_args(db)
    with transaction.atomic(using=alias), conn.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cur.execute("SELECT pg_export_snapshot()")
        snapshot = cur.fetchone()[0]
        counts = table_counts(alias)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--snapshot={snapshot}", *args, "-f", str(target), str(db["NAME"])], env)
    return counts


def backup(archive: str | Path, *, alias: str = "default",
           media_root: str | Path | None = None) -> Report:
    """Write the database and the uploads into ``archive`` (see the module docstring)."""
    archive = Path(archive)
    engine = _engine(alias)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    from django.db.migrations.recorder import MigrationRecorder

    with tempfile.TemporaryDirectory(prefix="klaster-backup-") as tmp:
        db_file = Path(tmp) / (DB_SQLITE if engine == "sqlite" else DB_PG)
        counts = _dump_database(engine, alias, db_file)
        files = []
        for path in _media_files(media_root):
            rel = path.relative_to(media_root).as_posix()
            files.append({"path": rel, "size": path.stat().st_size, "sha256": _sha256(path)})
        applied = sorted(f"{a}.{n}" for a, n in MigrationRecorder(
            connections[alias]).applied_migrations())
        manifest = {"format": FORMAT, "created": datetime.now(UTC).isoformat(),
                    "engine": engine, "migrations": applied, "tables": counts,
                    "files": files}
        mode = "w:gz" if archive.name.endswith(".gz") else "w"
        with atomic_output(archive) as out, tarfile.open(out, mode) as tar:
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            for f in files:
                tar.add(media_root / f["path"], arcname=f"media/{f['path']}")
    return Report(archive=archive, engine=engine, tables=counts, files=len(files),
                  bytes=archive.stat().st_size)


def _holds_data(alias) -> bool:
    """Whether the database holds records a restore would overwrite (users or any row of
    the platform's own apps)."""
    try:
        counts = table_counts(alias)
    except Exception:  # noqa: BLE001 — no database yet: empty
        return False
    own = ("auth_user", "registry_", "analysis_", "assessment_", "matchmaking_", "portal_")
    return any(n > 0 for t, n in counts.items() if t.startswith(own))


def _restore_database(engine: str, alias, db_file: Path) -> None:
    conn = _conn(alias)
    if engine == "sqlite":
        conn.ensure_connection()
        src = sqlite3.connect(db_file)
        try:
            src.backup(conn.connection, pages=1024)
        finally:
            src.close()
        return
    db = conn.settings_dict
    conn.close()
    env, args = _pg_env_args(db)
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", *args, "-d", str(db["NAME"]),
          str(db_file)], env)


def read_manifest(archive: str | Path) -> dict:
    with tarfile.open(archive, "r:*") as tar:
        member = tar.extractfile(MANIFEST)
        if member is None:
            raise BackupError(f"{archive}: no {MANIFEST}; not a klaster backup")
        return json.loads(member.read())


def restore(archive: str | Path, *, alias="default",
            media_root: str | Path | None = None, force: bool = False) -> Report:
    """Restore ``archive`` into the (empty) database ``alias`` and ``media_root``; checks
    every file's SHA-256 and every table's row count. BackupError on any mismatch."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    engine = _engine(alias)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    try:
        manifest = read_manifest(archive)
    except (tarfile.TarError, KeyError, json.JSONDecodeError) as exc:
        raise BackupError(f"{archive}: not a klaster backup ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: backup format {manifest.get('format')} is not {FORMAT}")
    if manifest["engine"] != engine:
        raise BackupError(
            f"{archive} holds a {manifest['engine']} database; this platform uses {engine}. "
            "Move data between engines with dumpdata/loaddata instead.")
    if not force and _holds_data(alias):
        raise BackupError("the database already holds data; restore into an empty database "
                          "(or pass --force to replace everything in it)")
    clashes = [f["path"] for f in manifest["files"] if (media_root / f["path"]).exists()
               and _sha256(media_root / f["path"]) != f["sha256"]]
    if clashes and not force:
        raise BackupError(f"{len(clashes)} uploaded file(s) differ from the backup's, e.g. "
                          f"{clashes[0]}; pass --force to replace them")
    with tempfile.TemporaryDirectory(prefix="klaster-restore-") as tmp:
        with tarfile.open(archive, "r:*") as tar:
            # filter="data": no absolute paths, no "..", no links out of the folder.
            tar.extractall(tmp, filter="data")
        db_name = DB_SQLITE if engine == "sqlite" else DB_PG
        _restore_database(engine, alias, Path(tmp) / db_name)
        media_root.mkdir(parents=True, exist_ok=True)
        for f in manifest["files"]:
            src = Path(tmp) / "media" / f["path"]
            if _sha256(src) != f["sha256"]:
                raise BackupError(f"{f['path']}: damaged in the archive (SHA-256 differs)")
            dest = media_root / f["path"]
            dest.parent.mkdir(parents=True, exist_ok=True)
            with atomic_output(dest) as out:
                shutil.copyfile(src, out)
    counts = table_counts(alias)
    wrong = {t: (n, counts.get(t)) for t, n in manifest["tables"].items()
             if counts.get(t) != n}
    if wrong:
        t, (want, got) = next(iter(wrong.items()))
        raise BackupError(f"after the restore table {t} has {got} rows, the backup {want}")
    return Report(archive=archive, engine=engine, tables=counts,
                  files=len(manifest["files"]),
                  bytes=sum(f["size"] for f in manifest["files"]))
