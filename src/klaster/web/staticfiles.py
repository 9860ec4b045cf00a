"""Static files: content-hashed names, brotli + gzip copies, and ``klaster serve``'s
prepared ``STATIC_ROOT``.

:class:`KlasterStaticStorage` is Django's ``ManifestStaticFilesStorage`` (each file also
stored as ``name.<md5-prefix>.ext``, references inside CSS rewritten) plus compressed
copies (``.br`` and ``.gz``) of every hashed text file. WhiteNoise (settings MIDDLEWARE)
serves the copy the browser accepts and marks hashed names ``immutable`` with a ten-year
``max-age``: a later visit asks for nothing it already has.

Hashed URLs are used whenever the manifest exists and is known to be current: in
production (DEBUG off, after ``collectstatic``) and under ``klaster serve``
(``KLASTER_STATIC_PREPARED``), which rebuilds ``STATIC_ROOT`` by :func:`ensure_static`
only when its fingerprint changes. Without a manifest (tests, a bare ``runserver``) the
plain names are used and the files come from the finders.

Brotli quality: quality 11 (brotli's and WhiteNoise's default) takes about a minute for
plotly.min.js (4.8 MB) on this machine under load; quality 5 takes about 1 s and is 16 %
larger (1.29 vs 1.11 MB) — measured in docs/web.md. ``KLASTER_STATIC_BROTLI_QUALITY``
changes it (e.g. 11 for a production build that can take its time).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage, StaticFilesStorage

# Text formats worth compressing; source maps (.map) are fetched only by developer tools.
COMPRESSIBLE = (".js", ".mjs", ".css", ".svg", ".json", ".html", ".txt", ".xml", ".ico",
                ".ttf", ".eot", ".otf")
MIN_SIZE = 512  # bytes: below this a compressed copy saves less than its headers cost
# Left out of `klaster serve`'s STATIC_ROOT, whose build time they would only add to (a
# production `collectstatic` keeps everything): source maps and sources, right-to-left
# and ES-module builds, Bootstrap's unminified copies and the jQuery it ships for old
# themes, Leaflet's unminified source. Django's admin keeps all (it loads unminified
# files in DEBUG).
SERVE_IGNORE = [
    "CVS", ".*", "*~", "*.map", "*.scss", "*.less", "*.ts", "*.md",
    "*.rtl.*", "*.esm.*", "leaflet-src*", "bootstrap/js/jquery*",
    "bootstrap/css/bootstrap.css", "bootstrap/css/bootstrap-grid.css",
    "bootstrap/css/bootstrap-reboot.css", "bootstrap/css/bootstrap-utilities.css",
    "bootstrap/js/bootstrap.js", "bootstrap/js/bootstrap.bundle.js",
]
FINGERPRINT_FILE = ".klaster-static-fingerprint"
STORAGE_VERSION = "1"  # bump when what post_process writes changes


def brotli_quality() -> int:
    return int(os.environ.get("KLASTER_STATIC_BROTLI_QUALITY", "5"))


def gzip_level() -> int:
    return int(os.environ.get("KLASTER_STATIC_GZIP_LEVEL", "6"))


def compress_file(path: str) -> None:
    """Write ``path.br`` and ``path.gz`` beside ``path``; a copy that is not smaller is
    not kept (the server then sends the original)."""
    import brotli

    data = Path(path).read_bytes()
    for suffix, packed in ((".br", brotli.compress(data, quality=brotli_quality())),
                           (".gz", gzip.compress(data, compresslevel=gzip_level(), mtime=0))):
        target = Path(path + suffix)
        if len(packed) < len(data) * 0.95:
            target.write_bytes(packed)
        elif target.exists():
            target.unlink()


class KlasterStaticStorage(ManifestStaticFilesStorage):
    manifest_strict = False
    keep_intermediate_files = False
    # Only CSS references are rewritten to hashed names (url(), @import). Django also
    # rewrites sourceMappingURL comments, which requires every .map file to be collected
    # (several MB, only developer tools fetch them); they are left out (staticapp.py).
    patterns = (("*.css", (
        r"""(?P<matched>url\(['"]{0,1}\s*(?P<url>.*?)["']{0,1}\))""",
        (r"""(?P<matched>@import\s*["']\s*(?P<url>.*?)["'])""", """@import url("%(url)s")"""),
    )),)

    def _use_hashed(self) -> bool:
        return bool(self.hashed_files) and (
            not settings.DEBUG or getattr(settings, "KLASTER_STATIC_PREPARED", False))

    def url(self, name, force=False):
        clean = name.split("?", 1)[0].split("#", 1)[0]
        if force or (self._use_hashed() and clean in self.hashed_files):
            return super().url(name, force=True)
        return StaticFilesStorage.url(self, name)

    def post_process(self, paths, dry_run=False, **options):
        yield from super().post_process(paths, dry_run=dry_run, **options)
        if dry_run:
            return
        for hashed in sorted(set(self.hashed_files.values())):
            if hashed.endswith(COMPRESSIBLE) and self.size(hashed) >= MIN_SIZE:
                compress_file(self.path(hashed))


def fingerprint() -> str:
    """What the prepared STATIC_ROOT depends on: every file the finders see (path, size,
    modification time — installed packages keep theirs, an edited file of ours changes
    it), the storage's own version and compression settings, STATIC_URL, and which
    plotly.js bundles are served (klaster.web.assets: the npm partial bundle appears or
    goes with ``npm ci`` or ``KLASTER_NODE_MODULES``)."""
    from django.contrib.staticfiles import finders

    from klaster.web import assets

    digest = hashlib.sha256(f"{STORAGE_VERSION}|{brotli_quality()}|{gzip_level()}|"
                            f"{settings.STATIC_URL}|{assets.describe()}".encode())
    seen = set()
    for finder in finders.get_finders():
        for path, storage in finder.list(SERVE_IGNORE):
            prefix = getattr(storage, "prefix", None) or ""
            url = f"{prefix}/{path}" if prefix else path
            if url in seen:
                continue
            seen.add(url)
            stat = os.stat(storage.path(path))
            digest.update(f"{url}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def ensure_static(log=None) -> bool:
    """Build ``STATIC_ROOT`` (collectstatic: hashed names, manifest, compressed copies)
    unless its fingerprint is current. Returns True when it was built.

    The fingerprint file is written last, so an interrupted build is redone next time.
    """
    from django.core.management import call_command

    root = Path(settings.STATIC_ROOT)
    marker = root / FINGERPRINT_FILE
    current = fingerprint()
    if (marker.exists() and marker.read_text() == current
            and (root / "staticfiles.json").exists()):
        return False
    started = time.perf_counter()
    if root.exists():
        shutil.rmtree(root)
    # Symbolic links for the originals (the hashed copies are written anyway): half the
    # bytes to write. Production runs a plain `collectstatic` (copies).
    call_command("collectstatic", interactive=False, verbosity=0, link=True,
                 ignore_patterns=SERVE_IGNORE, use_default_ignore_patterns=False)
    marker.write_text(current)
    if log:
        log(f"klaster serve: static files prepared in {time.perf_counter() - started:.1f} s "
            f"({root})")
    return True
