"""Third-party browser assets served from installed Python packages, never from the
repository or a CDN.

Django apps that ship their files under ``static/`` (``bootstrap`` from
django-bootstrap-static, ``drf_spectacular_sidecar``) are found by the app-directories
finder. Packages that keep their files elsewhere are mapped here under ``vendor/`` by
:class:`PackageAssetFinder`:

* ``vendor/leaflet/…`` — Leaflet (``xstatic-leaflet``: ``xstatic/pkg/leaflet/data``);
* ``vendor/plotly/plotly.min.js`` — plotly.js from the ``plotly`` package's
  ``package_data`` (one shared URL for every page that draws a chart).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# prefix under STATIC_URL → (module, sub-directory of the module's folder, files or None)
VENDOR: dict[str, tuple[str, str, tuple[str, ...] | None]] = {
    "vendor/leaflet": ("xstatic.pkg.leaflet", "data", None),
    "vendor/plotly": ("plotly", "package_data", ("plotly.min.js",)),
}


def vendor_root(prefix: str) -> Path:
    module, sub, _files = VENDOR[prefix]
    return Path(importlib.import_module(module).__file__).resolve().parent / sub


class PackageAssetFinder(BaseFinder):
    """Finds ``vendor/<name>/<path>`` in the installed package that carries it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storages: dict[str, FileSystemStorage] = {}
        for prefix in VENDOR:
            storage = FileSystemStorage(location=str(vendor_root(prefix)))
            storage.prefix = prefix
            self.storages[prefix] = storage

    def _allowed(self, prefix: str, relative: str) -> bool:
        files = VENDOR[prefix][2]
        return files is None or relative in files

    def find(self, path, find_all=False, **kwargs):
        matches = []
        for prefix, storage in self.storages.items():
            if not path.startswith(prefix + "/"):
                continue
            relative = path[len(prefix) + 1:]
            if not self._allowed(prefix, relative):
                continue
            full = os.path.join(storage.location, relative)
            if os.path.isfile(full):
                if not find_all:
                    return full
                matches.append(full)
        return matches if find_all else []

    def list(self, ignore_patterns):
        from django.contrib.staticfiles.utils import get_files

        for prefix, storage in self.storages.items():
            for path in get_files(storage, ignore_patterns):
                if self._allowed(prefix, path):
                    yield path, storage
