"""Third-party browser assets served from installed packages, never from the repository
or a CDN.

Django apps that ship their files under ``static/`` (``bootstrap`` from
django-bootstrap-static, ``drf_spectacular_sidecar``) are found by the app-directories
finder. Packages that keep their files elsewhere are mapped here under ``vendor/`` by
:class:`PackageAssetFinder`:

* ``vendor/leaflet/…`` — Leaflet (``xstatic-leaflet``: ``xstatic/pkg/leaflet/data``);
* ``vendor/plotly/plotly.min.js`` — plotly.js's full bundle (4.8 MB, every trace type)
  from the ``plotly`` PyPI package's ``package_data``: always there after ``uv sync``;
* ``vendor/plotly/plotly-basic.min.js`` — plotly.js's official partial bundle
  ``plotly.js-basic-dist-min`` (1.2 MB: ``bar``, ``pie``, ``scatter``) from npm
  (``npm ci``, pinned in package.json/package-lock.json), only when it is installed.

Pages write their plotly.js ``<script>`` with ``{% plotly_js %}`` (template library
``klaster_assets``), which picks the partial bundle when it is installed and draws every
trace type the page needs (:func:`plotly_static`), else the full one: a machine without
npm still draws every chart, only the first load is heavier (parsing 4.8 MB of script
took 4–5 s at load 5–9 on the 2-core development machine, see docs/web.md).

Where node_modules is looked for (:func:`node_modules`): ``$KLASTER_NODE_MODULES`` when
set (an empty value turns the npm assets off), else ``node_modules`` beside the
checkout's ``package.json`` (an editable install from the repository, as ``uv sync``
makes it). A partial bundle whose plotly.js major version differs from the PyPI bundle's
is not used (the pages and the locale module are written for one version;
tests/web/test_assets.py checks that the pins agree exactly).
"""

from __future__ import annotations

import functools
import importlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_FULL = "vendor/plotly/plotly.min.js"
PLOTLY_PARTIAL = "vendor/plotly/plotly-basic.min.js"
PLOTLY_NPM_PACKAGE = "plotly.js-basic-dist-min"
# The trace types plotly.js-basic-dist-min registers (its README and its
# `moduleType:"trace"` entries; tests/web/test_assets.py reads them from the bundle).
PLOTLY_PARTIAL_TRACES = frozenset({"bar", "pie", "scatter"})

_VERSION = re.compile(rb"plotly\.js[^\n]*? v(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True)
class Source:
    """Files under ``prefix`` (a static URL path) from ``root``; ``files`` limits which
    (None: all)."""

    prefix: str
    root: Path
    files: tuple[str, ...] | None = None


def _module_dir(module: str, sub: str) -> Path:
    return Path(importlib.import_module(module).__file__).resolve().parent / sub


def node_modules() -> Path | None:
    """The node_modules folder npm assets come from, or None (see the module's text)."""
    configured = os.environ.get("KLASTER_NODE_MODULES")
    if configured is not None:
        return Path(configured).resolve() if configured.strip() else None
    checkout = Path(__file__).resolve().parents[3]  # src/klaster/web/assets.py
    folder = checkout / "node_modules"
    return folder if (checkout / "package.json").is_file() and folder.is_dir() else None


def plotly_version(path: Path) -> tuple[int, int, int] | None:
    """plotly.js's version from a bundle's licence header ("plotly.js … v4.1.1")."""
    try:
        with open(path, "rb") as f:
            match = _VERSION.search(f.read(400))
    except OSError:
        return None
    return tuple(int(g) for g in match.groups()) if match else None


def plotly_full_path() -> Path:
    return _module_dir("plotly", "package_data") / "plotly.min.js"


def plotly_partial_path(modules: Path | None) -> Path | None:
    """The npm partial bundle in ``modules`` if it is there and of the full bundle's major
    version, else None."""
    if modules is None:
        return None
    path = modules / PLOTLY_NPM_PACKAGE / "plotly-basic.min.js"
    if not path.is_file():
        return None
    mine, full = plotly_version(path), plotly_version(plotly_full_path())
    if mine is None or full is None or mine[0] != full[0]:
        return None
    return path


@functools.cache
def _installed_partial() -> Path | None:
    return plotly_partial_path(node_modules())


def sources(partial: Path | None | bool = True) -> list[Source]:
    """Where each ``vendor/`` file comes from. ``partial``: the plotly.js partial bundle's
    path, None for none, True for the installed one (:func:`node_modules`)."""
    if partial is True:
        partial = _installed_partial()
    out = [Source("vendor/leaflet", _module_dir("xstatic.pkg.leaflet", "data")),
           Source("vendor/plotly", plotly_full_path().parent, ("plotly.min.js",))]
    if partial is not None:
        out.append(Source("vendor/plotly", partial.parent, (partial.name,)))
    return out


def plotly_static(trace_types=None, partial: Path | None | bool = True) -> str:
    """The static name of the plotly.js bundle for a page drawing ``trace_types`` (None:
    klaster's chart scripts, all within the partial bundle's types): the partial bundle
    when it is installed and has them all, else the full one. ``partial`` is the partial
    bundle's path (None: absent); True means the installed one."""
    if partial is True:
        partial = _installed_partial()
    if partial is None or not set(trace_types or ()) <= PLOTLY_PARTIAL_TRACES:
        return PLOTLY_FULL
    return PLOTLY_PARTIAL


def figure_trace_types(figure: dict) -> set[str]:
    """The trace types of a plotly figure ({data, layout}); plotly's default is scatter."""
    return {t.get("type", "scatter") for t in figure.get("data", ())}


def describe() -> str:
    """Which plotly.js bundles are served (part of klaster serve's static fingerprint)."""
    partial = _installed_partial()
    return f"plotly-full={plotly_full_path()}|plotly-partial={partial}"


class PackageAssetFinder(BaseFinder):
    """Finds ``vendor/<name>/<path>`` in the installed package that carries it."""

    def __init__(self, *args, sources_list: list[Source] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sources = sources() if sources_list is None else sources_list
        self.storages: list[tuple[Source, FileSystemStorage]] = []
        for source in self.sources:
            storage = FileSystemStorage(location=str(source.root))
            storage.prefix = source.prefix
            self.storages.append((source, storage))

    @staticmethod
    def _allowed(source: Source, relative: str) -> bool:
        return source.files is None or relative in source.files

    def find(self, path, find_all=False, **kwargs):
        matches = []
        for source, storage in self.storages:
            if not path.startswith(source.prefix + "/"):
                continue
            relative = path[len(source.prefix) + 1:]
            if not self._allowed(source, relative):
                continue
            full = os.path.join(storage.location, relative)
            if os.path.isfile(full):
                if not find_all:
                    return full
                matches.append(full)
        return matches if find_all else []

    def list(self, ignore_patterns):
        from django.contrib.staticfiles.utils import get_files

        for source, storage in self.storages:
            if source.files is not None:  # a few named files: no walk of the folder
                for name in source.files:
                    if os.path.isfile(os.path.join(storage.location, name)):
                        yield name, storage
                continue
            for path in get_files(storage, ignore_patterns):
                yield path, storage
