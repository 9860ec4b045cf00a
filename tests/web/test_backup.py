"""Backup and restore: the database and every uploaded file come back, row for row.

SQLite always; PostgreSQL when DATABASE_URL names a server (.ci/run), where the restored
database is a new empty one created for the test."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connections

from klaster.web.backup import BackupError, backup, read_manifest, restore

pytestmark = pytest.mark.django_db(transaction=True)

CSV = ("region,industry,year,employment\nCA,336412,2021,5000\nTX,336412,2021,2500\n"
       "NV,311111,2021,100\nCA,311111,2021,800\nTX,311111,2021,1500\n")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def restored(tmp_path):
    """A second, empty database ("restored") of the same engine as the default."""
    db = copy.deepcopy(connections["default"].settings_dict)
    created = None
    if connections["default"].vendor == "sqlite":
        db["NAME"] = str(tmp_path / "restored.sqlite3")
    else:
        created = f"{db['NAME']}_restored"
        with connections["default"].cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{created}"')
            cur.execute(f'CREATE DATABASE "{created}"')
        db["NAME"] = created
    # A connection outside settings (Django's test isolation allows only those).
    from django.db.utils import load_backend

    conn = load_backend(db["ENGINE"]).DatabaseWrapper(db, alias=restored)
    yield conn
    conn.close()
    if created:
        with connections["default"].cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{created}"')


def _rows(alias) -> dict[str, list[str]]:
    conn = connections[alias] if isinstance(alias, str) else alias
    out = {}
    with conn.cursor() as cur:
        for table in sorted(conn.introspection.table_names(cur)):
            cur.execute(f"SELECT * FROM {conn.ops.quote_name(table)}")
            out[table] = sorted(repr(tuple(r)) for r in cur.fetchall())
    return out


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _populate(client, registry):
    """Registry records, a document with a file, and a finished analysis (upload and
    results folder)."""
    from klaster.web.analysis.tasks import run_pending
    from klaster.web.registry.models import Document

    Document.objects.create(cluster=registry["published"], title="Strategy",
                            file=SimpleUploadedFile("strategy.pdf", b"%PDF-1.4 strategy"))
    client.force_login(registry["admin"])
    from django.contrib.auth.models import Group
    registry["admin"].groups.add(Group.objects.get(name="Analysts"))
    r = client.post("/analysis/new/", {
        "title": "Five rows", "format": "auto", "definitions": "us-benchmark",
        "code_system": "naics2017", "regions": "us-states",
        "file": SimpleUploadedFile("five.csv", CSV.encode())})
    assert r.status_code == 302, r.content[:500]
    assert run_pending() == 1


def test_backup_restores_every_row_and_file_into_an_empty_database(
        client, registry, media, restored, tmp_path):
    _populate(client, registry)
    archive = tmp_path / "klaster.tar.gz"
    report = backup(archive)
    manifest = read_manifest(archive)
    assert report.files == len(manifest["files"]) >= 3  # document, upload, results
    assert manifest["tables"]["registry_cluster"] == 2
    assert manifest["tables"]["analysis_regioncluster"] > 0

    target_media = tmp_path / "restored-media"
    rep = restore(archive, alias=restored, media_root=target_media)
    assert rep.tables == manifest["tables"]
    assert _rows(restored) == _rows("default")
    assert _files(target_media) == _files(media)

    # A second restore over the now non-empty database is refused without --force.
    with pytest.raises(BackupError, match="already holds data"):
        restore(archive, alias=restored, media_root=target_media)
    restore(archive, alias=restored, media_root=target_media, force=True)
    assert _rows(restored) == _rows("default")


def test_commands_and_damaged_archive(client, registry, media, restored, tmp_path):
    _populate(client, registry)
    archive = tmp_path / "klaster.tar"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "uploaded file(s)" in out.getvalue()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".klaster")] == []
    # Flip one byte of an uploaded file inside the (uncompressed) archive.
    data = bytearray(archive.read_bytes())
    at = data.find(b"%PDF-1.4 strategy")
    data[at] ^= 0xFF
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="damaged in the archive"):
        restore(damaged, alias=restored, media_root=tmp_path / "m2")
    from django.core.management.base import CommandError
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(archive))  # the default database is not empty
