"""Compile the UI translations (.po -> .mo) with polib, so no GNU gettext is needed.

Only the .po files are kept in the repository; the .mo files are build products written
next to them (ignored by git). ``klaster serve``, the ``compiletranslations`` management
command and the test suite call ``compile_translations`` before Django loads catalogues.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import polib

WEB_DIR = Path(__file__).resolve().parent
LOCALE_DIR = WEB_DIR / "locale"


ENGINE_LOCALE_DIR = WEB_DIR.parent / "locale"  # the library's messages (klaster.i18n)


def locale_dirs(web_dir: Path = WEB_DIR) -> list[Path]:
    """The project catalogue, each web app's own ``<app>/locale`` (Django reads both) and
    the engine's catalogue (reports, caveats, notes; context "klaster"), which settings
    registers in LOCALE_PATHS."""
    return [LOCALE_DIR, *sorted(p for p in web_dir.glob("*/locale") if p.is_dir()),
            ENGINE_LOCALE_DIR]


def compile_translations(locale_dir: Path | None = None, *, force: bool = False) -> list[Path]:
    """Write ``django.mo`` next to every ``django.po`` that is newer; return those written.

    Without ``locale_dir``, every catalogue of the web package (project and apps) is
    compiled. Each .mo is written to a temporary file and renamed, so a reader never sees
    half a catalogue.
    """
    written = []
    dirs = [locale_dir] if locale_dir is not None else locale_dirs()
    for po_path in sorted(p for d in dirs for p in d.glob("*/LC_MESSAGES/django.po")):
        mo_path = po_path.with_suffix(".mo")
        if (not force and mo_path.exists()
                and mo_path.stat().st_mtime >= po_path.stat().st_mtime):
            continue
        catalogue = polib.pofile(str(po_path))
        fd, tmp = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        os.close(fd)
        try:
            catalogue.save_as_mofile(tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, mo_path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        written.append(mo_path)
    return written
