"""Upload limits and temporary upload files, for every form and API endpoint at once.

* :class:`UploadLimitMiddleware` answers 413 with a translated message when a request
  declares (Content-Length) a body over ``KLASTER_MAX_UPLOAD_BYTES``, before the body is
  read; and when :class:`LimitedUploadHandler` stopped a body without a declared length
  (chunked) or with a false one.
* :class:`LimitedUploadHandler` — first of ``FILE_UPLOAD_HANDLERS`` — counts the bytes of
  every file of the request as they arrive and stops the request past the limit; the
  temporary file of the file being received is closed (so deleted) at once.
* :class:`TemporaryFileUploadHandler` writes large uploads to
  ``FILE_UPLOAD_TEMP_DIR/klaster-upload-<pid>-*``: Django deletes them at the end of the
  request; a file whose server process was killed mid-upload (SIGKILL runs no clean-up)
  is recognised by its dead process id and removed by the next upload, by ``klaster
  serve`` and by the analysis worker (:func:`remove_stale_uploads`).
* :func:`validate_document_size` — the smaller limit of documents and assessment evidence
  (``KLASTER_MAX_DOCUMENT_BYTES``), used by their form and serializer fields.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.core.files.uploadhandler import (
    TemporaryFileUploadHandler as DjangoTemporaryFileUploadHandler,
)
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

from klaster.fileio import pid_alive

META_KEY = "klaster.upload_too_large"
PREFIX = "klaster-upload-"
# Form fields besides the files (titles, notes, CSRF token) may add this much to the body.
FORM_SLACK = 2**20
_cleaned_in_process = False


class UploadTooLarge(RequestDataTooBig):
    """A request body over the upload limit (a SuspiciousOperation: the request stops)."""


def _mb(n: int) -> str:
    return f"{n / 2**20:g}"


def too_large_message(limit: int) -> str:
    return _("The upload is larger than the limit of %(mb)s MB. Nothing was stored.") % {
        "mb": _mb(limit)}


def validate_document_size(file) -> None:
    """Form/serializer validator: a document or evidence file within its limit."""
    limit = settings.KLASTER_MAX_DOCUMENT_BYTES
    if file is not None and getattr(file, "size", 0) > limit:
        raise ValidationError(
            _("The file is larger than %(mb)s MB, the limit for documents.") % {
                "mb": _mb(limit)}, code="file_too_large")


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.total = 0
        self.limit = settings.KLASTER_MAX_UPLOAD_BYTES

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + FORM_SLACK:
            self._refuse()

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        global _cleaned_in_process
        if not _cleaned_in_process:
            _cleaned_in_process = True
            remove_stale_uploads()

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        if self.total > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None

    def _refuse(self):
        if self.request is not None:
            self.request.META[META_KEY] = self.limit
            # The file being received is not yet in request.FILES, so Django would only
            # drop it when the request is garbage-collected: close (= delete) it now.
            for handler in getattr(self.request, "_upload_handlers", []) or []:
                f = getattr(handler, "file", None)
                if f is not None:
                    try:
                        f.close()
                    except OSError:
                        pass
        raise UploadTooLarge(too_large_message(self.limit))


def upload_temp_dir() -> Path:
    path = Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir())
    path.mkdir(parents=True, exist_ok=True)
    return path


class _PidTemporaryUploadedFile(TemporaryUploadedFile):
    """Django's TemporaryUploadedFile, named klaster-upload-<pid>-… in the upload folder."""

    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        ext = os.path.splitext(name)[1][:16]
        file = tempfile.NamedTemporaryFile(prefix=f"{PREFIX}{os.getpid()}-",
                                           suffix=".upload" + ext, dir=upload_temp_dir())
        UploadedFile.__init__(self, file, name, content_type, size, charset,
                              content_type_extra)


class TemporaryFileUploadHandler(DjangoTemporaryFileUploadHandler):
    def new_file(self, *args, **kwargs):
        FileUploadHandler.new_file(self, *args, **kwargs)
        self.file = _PidTemporaryUploadedFile(self.file_name, self.content_type, 0,
                                              self.charset, self.content_type_extra)


def remove_stale_uploads(folder: Path | None = None) -> list[Path]:
    """Remove temporary uploads whose server process is gone; returns them."""
    folder = Path(folder or settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir())
    removed = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(PREFIX):
            continue
        pid = entry.name[len(PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            try:
                entry.unlink()
                removed.append(entry)
            except OSError:
                pass
    return removed


def _too_large_response(request, limit: int):
    message = too_large_message(limit)
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": message}, status=413)
    title = _("Upload too large")
    return HttpResponse(
        f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
        f"<p>{escape(message)}</p>", status=413, content_type="text/html; charset=utf-8")


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.KLASTER_MAX_UPLOAD_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit + FORM_SLACK:
            return _too_large_response(request, limit)
        response = self.get_response(request)
        if request.META.get(META_KEY):
            return _too_large_response(request, limit)
        return response
