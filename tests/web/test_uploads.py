"""Upload limits are applied while the body arrives, before anything is stored; the error
is clear and translated; temporary upload files are removed on every path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from klaster.web.registry.models import Document
from klaster.web.uploads import PREFIX, validate_document_size

KB = 1024


@pytest.fixture
def limits(settings, tmp_path):
    settings.KLASTER_MAX_UPLOAD_BYTES = 64 * KB
    settings.KLASTER_MAX_DOCUMENT_BYTES = 16 * KB
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * KB  # larger files go to temporary files
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _temporaries(settings) -> list[str]:
    return os.listdir(settings.FILE_UPLOAD_TEMP_DIR)


@pytest.mark.parametrize("size", [200 * KB, 4 * 1024 * KB])  # counted; refused by length
def test_api_document_over_the_upload_limit_is_refused_before_storing(registry, limits,
                                                                      size):
    r = _api(registry["coord_a"]).post("/api/documents/", {
        "cluster": registry["published"].pk, "title": "Big",
        "file": SimpleUploadedFile("big.pdf", b"x" * size)}, format="multipart",
        HTTP_ACCEPT_LANGUAGE="pl")
    assert r.status_code == 413
    assert "limit 0.0625 MB" in r.json()["detail"]  # Polish: "przekraczają limit …"
    assert not Document.objects.exists()
    assert _media_files(limits) == [] and _temporaries(limits) == []


def test_api_document_over_the_document_limit_is_a_field_error(registry, limits):
    r = _api(registry["coord_a"]).post("/api/documents/", {
        "cluster": registry["published"].pk, "title": "Medium",
        "file": SimpleUploadedFile("m.pdf", b"x" * (32 * KB))}, format="multipart")
    assert r.status_code == 400
    assert "limit for documents" in str(r.json()["file"])
    assert not Document.objects.exists()
    assert _media_files(limits) == [] and _temporaries(limits) == []


def test_document_within_limits_is_stored_and_temporary_removed(registry, limits):
    r = _api(registry["coord_a"]).post("/api/documents/", {
        "cluster": registry["published"].pk, "title": "Small",
        "file": SimpleUploadedFile("s.pdf", b"x" * (8 * KB))}, format="multipart")
    assert r.status_code == 201, r.content
    assert len(_media_files(limits)) == 1 and _temporaries(limits) == []


def test_analysis_upload_over_the_limit_gets_a_translated_page(client, make_user, limits):
    client.force_login(make_user("ana", group="Analysts"))
    r = client.post("/analysis/new/", {
        "title": "Huge", "format": "auto", "definitions": "us-benchmark",
        "code_system": "naics2017", "regions": "us-states",
        "file": SimpleUploadedFile("s.csv", b"region,industry\n" + b"x" * (100 * KB))},
        HTTP_ACCEPT_LANGUAGE="ru")
    assert r.status_code == 413
    assert "Загрузка превышает лимит" in r.content.decode()
    from klaster.web.analysis.models import Dataset
    assert not Dataset.objects.exists()
    assert _media_files(limits) == [] and _temporaries(limits) == []


def test_temporary_upload_of_a_killed_server_is_removed(registry, limits, monkeypatch):
    import klaster.web.uploads as uploads

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # a process id that no longer runs: the killed server's
    stale = Path(limits.FILE_UPLOAD_TEMP_DIR) / f"{PREFIX}{child.pid}-abc.upload.pdf"
    stale.write_bytes(b"x" * KB)
    mine = Path(limits.FILE_UPLOAD_TEMP_DIR) / f"{PREFIX}{os.getpid()}-live.upload.pdf"
    mine.write_bytes(b"x")  # a live process's upload in progress: kept
    monkeypatch.setattr(uploads, "_cleaned_in_process", False)
    r = _api(registry["coord_a"]).post("/api/documents/", {
        "cluster": registry["published"].pk, "title": "Small",
        "file": SimpleUploadedFile("s.pdf", b"x" * (8 * KB))}, format="multipart")
    assert r.status_code == 201
    assert not stale.exists() and mine.exists()


def test_every_document_and_evidence_field_has_the_size_check():
    from klaster.web.api.serializers import DocumentSerializer
    from klaster.web.assessment import forms as assessment_forms
    from klaster.web.registry.forms import DocumentForm

    assert validate_document_size in DocumentSerializer().fields["file"].validators
    assert validate_document_size in DocumentForm().fields["file"].validators
    source = Path(assessment_forms.__file__).read_text()
    assert "validators=[validate_document_size]" in source
