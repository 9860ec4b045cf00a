"""Third-party browser assets come from installed packages (klaster.web.assets)."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.parametrize("path, package_dir", [
    ("vendor/leaflet/leaflet.js", "xstatic/pkg/leaflet"),
    ("vendor/leaflet/leaflet.css", "xstatic/pkg/leaflet"),
    ("vendor/plotly/plotly.min.js", "plotly/package_data"),
    ("bootstrap/css/bootstrap.min.css", "bootstrap/static"),
    ("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", "drf_spectacular_sidecar"),
])
def test_vendor_assets_are_found_in_their_packages(path, package_dir):
    found = finders.find(path)
    assert found, path
    assert package_dir in Path(found).as_posix() and "site-packages" in Path(found).as_posix()


def test_only_the_listed_plotly_file_is_exposed():
    assert not finders.find("vendor/plotly/../__init__.py")
    assert not finders.find("vendor/plotly/__init__.py")


def test_prepared_static_root_is_hashed_compressed_and_rebuilt_only_on_change(
        tmp_path, settings, monkeypatch):
    """klaster serve's static step: collectstatic into STATIC_ROOT with hashed names and
    brotli/gzip copies that decompress to the file; a second call with nothing changed
    is a no-op; a changed fingerprint rebuilds."""
    import gzip

    import brotli
    from django.contrib.staticfiles.storage import staticfiles_storage

    from klaster.web import staticfiles

    monkeypatch.setenv("KLASTER_STATIC_BROTLI_QUALITY", "1")  # fast; any quality is valid
    settings.STATIC_ROOT = str(tmp_path / "static")
    settings.DEBUG = True
    settings.KLASTER_STATIC_PREPARED = True
    assert staticfiles.ensure_static() is True
    url = staticfiles_storage.url("klaster/site.css")
    assert re.fullmatch(r"/static/klaster/site\.[0-9a-f]{12}\.css", url), url
    hashed = tmp_path / "static" / url.removeprefix("/static/")
    original = Path(finders.find("klaster/site.css")).read_bytes()
    assert hashed.read_bytes() == original
    assert brotli.decompress(Path(f"{hashed}.br").read_bytes()) == original
    assert gzip.decompress(Path(f"{hashed}.gz").read_bytes()) == original
    assert staticfiles_storage.url("vendor/plotly/plotly.min.js") != "/static/vendor/plotly/plotly.min.js"
    assert staticfiles.ensure_static() is False  # nothing changed: no rebuild
    monkeypatch.setenv("KLASTER_STATIC_GZIP_LEVEL", "5")  # part of the fingerprint
    assert staticfiles.ensure_static() is True


def test_without_a_manifest_static_urls_are_plain(tmp_path, settings):
    from django.contrib.staticfiles.storage import staticfiles_storage

    settings.STATIC_ROOT = str(tmp_path / "empty")
    assert staticfiles_storage.url("klaster/site.css") == "/static/klaster/site.css"


# --- plotly.js: npm's partial bundle when installed, PyPI's full bundle otherwise --------

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "klaster" / "web"


def _fake_partial(modules: Path, version: str) -> Path:
    """A node_modules folder holding a stand-in for plotly.js-basic-dist-min's file (its
    real licence header's form)."""
    folder = modules / "plotly.js-basic-dist-min"
    folder.mkdir(parents=True)
    path = folder / "plotly-basic.min.js"
    path.write_text(f"/**\n* plotly.js (basic - minified) v{version}\n*/\nvar Plotly;\n")
    return path


def _full_major() -> int:
    from klaster.web import assets

    return assets.plotly_version(assets.plotly_full_path())[0]


def test_the_partial_bundle_is_served_when_node_modules_has_it(tmp_path):
    from klaster.web import assets

    fake = _fake_partial(tmp_path / "node_modules", f"{_full_major()}.0.0")
    partial = assets.plotly_partial_path(tmp_path / "node_modules")
    assert partial == fake
    finder = assets.PackageAssetFinder(sources_list=assets.sources(partial))
    assert finder.find(assets.PLOTLY_PARTIAL) == str(fake)
    assert "plotly/package_data" in Path(finder.find(assets.PLOTLY_FULL)).as_posix()
    listed = {(s.prefix, p) for p, s in finder.list([])}
    assert ("vendor/plotly", "plotly-basic.min.js") in listed
    assert ("vendor/plotly", "plotly.min.js") in listed
    # klaster's chart scripts (no trace types given) and scatter/bar pages get the partial
    # bundle; a page drawing a trace the partial bundle lacks gets the full one.
    assert assets.plotly_static(None, partial) == assets.PLOTLY_PARTIAL
    assert assets.plotly_static({"scatter", "bar"}, partial) == assets.PLOTLY_PARTIAL
    assert assets.plotly_static({"scatter", "scattergl"}, partial) == assets.PLOTLY_FULL


def test_the_full_bundle_is_served_without_node_modules(tmp_path):
    from klaster.web import assets

    assert assets.plotly_partial_path(None) is None
    assert assets.plotly_partial_path(tmp_path) is None  # node_modules without the package
    finder = assets.PackageAssetFinder(sources_list=assets.sources(None))
    assert not finder.find(assets.PLOTLY_PARTIAL)
    assert "plotly/package_data" in Path(finder.find(assets.PLOTLY_FULL)).as_posix()
    assert {p for p, s in finder.list([]) if s.prefix == "vendor/plotly"} == {"plotly.min.js"}
    assert assets.plotly_static(None, None) == assets.PLOTLY_FULL
    assert assets.plotly_static({"bar"}, None) == assets.PLOTLY_FULL


def test_a_partial_bundle_of_another_major_version_is_not_used(tmp_path):
    from klaster.web import assets

    _fake_partial(tmp_path, f"{_full_major() + 1}.0.0")
    assert assets.plotly_partial_path(tmp_path) is None


def test_node_modules_is_found_by_the_environment_variable(tmp_path, monkeypatch):
    from klaster.web import assets

    monkeypatch.setenv("KLASTER_NODE_MODULES", str(tmp_path))
    assert assets.node_modules() == tmp_path.resolve()
    monkeypatch.setenv("KLASTER_NODE_MODULES", "")  # turned off
    assert assets.node_modules() is None
    monkeypatch.delenv("KLASTER_NODE_MODULES")
    found = assets.node_modules()  # the checkout's, if `npm ci` made it
    assert found is None or found == ROOT / "node_modules"


def test_the_template_tag_and_the_fingerprint_follow_the_bundle(tmp_path, monkeypatch):
    from django.template import Context, Template

    from klaster.web import assets, staticfiles

    fake = _fake_partial(tmp_path, f"{_full_major()}.0.0")
    tag = Template("{% load klaster_assets %}{% plotly_js %}|{% plotly_js figure %}")
    gl = {"data": [{"type": "scattergl"}], "layout": {}}
    monkeypatch.setattr(assets, "_installed_partial", lambda: fake)
    with_npm = tag.render(Context({"figure": gl}))
    print_with = staticfiles.fingerprint()
    loader = '<script src="/static/klaster/plotly-loader.js" data-plotly="/static/vendor/plotly/'
    assert with_npm == (f'{loader}plotly-basic.min.js" defer></script>|'
                        f'{loader}plotly.min.js" defer></script>')
    monkeypatch.setattr(assets, "_installed_partial", lambda: None)
    without = tag.render(Context({"figure": gl}))
    assert without == (f'{loader}plotly.min.js" defer></script>|'
                       f'{loader}plotly.min.js" defer></script>')
    assert staticfiles.fingerprint() != print_with  # klaster serve rebuilds STATIC_ROOT


def _lock_version(package: str) -> str:
    import json

    lock = json.loads((ROOT / "package-lock.json").read_text())
    return lock["packages"][f"node_modules/{package}"]["version"]


def test_the_npm_pin_is_the_plotly_js_of_the_pypi_package():
    """package-lock.json's plotly.js-basic-dist-min is the plotly.js version PyPI's plotly
    (uv.lock) bundles: one plotly.js, whichever bundle a machine serves. Bump both."""
    from klaster.web import assets

    full = ".".join(map(str, assets.plotly_version(assets.plotly_full_path())))
    assert _lock_version(assets.PLOTLY_NPM_PACKAGE) == full


def _installed_partial_bundle() -> Path:
    from klaster.web import assets

    path = ROOT / "node_modules" / assets.PLOTLY_NPM_PACKAGE / "plotly-basic.min.js"
    if not path.is_file():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{path} is missing: .ci/run's `npm ci` installs it")
        pytest.skip("npm ci has not been run (package-lock.json pins plotly.js-basic-dist-min)")
    return path


def test_the_installed_partial_bundle_registers_the_listed_trace_types():
    """PLOTLY_PARTIAL_TRACES is what the bundle registers (its trace modules'
    `moduleType:"trace",name:"…"`), and the bundle is the locked version."""
    from klaster.web import assets

    path = _installed_partial_bundle()
    text = path.read_text(encoding="utf-8")
    registered = set(re.findall(r'moduleType:"trace",name:"(\w+)"', text))
    assert registered == assets.PLOTLY_PARTIAL_TRACES
    version = ".".join(map(str, assets.plotly_version(path)))
    assert version == _lock_version(assets.PLOTLY_NPM_PACKAGE)
    assert "new Function" not in text  # hence no 'unsafe-eval' for pages that use it
    assert assets.plotly_partial_path(ROOT / "node_modules") == path


def _chart_sources() -> dict[Path, str]:
    """klaster's web code that draws with plotly.js: static scripts and templates."""
    files = [p for p in WEB.rglob("*") if p.suffix in (".js", ".html") and p.is_file()]
    return {p: p.read_text(encoding="utf-8") for p in files
            if re.search(r"Plotly\.(newPlot|react|plot|addTraces)\(", p.read_text(
                encoding="utf-8"))}


def test_every_trace_type_klaster_draws_is_in_the_partial_bundle():
    """Each chart script's trace types (`type: "…"` in the traces it builds) are in the
    partial bundle; the one script that draws a server-made figure (the network page) has
    its types checked where the figure is made (tests/web/matchmaking/test_network.py)
    and gets the full bundle for scattergl ({% plotly_js payload.figure %})."""
    from klaster.web import assets

    sources = _chart_sources()
    names = {p.name for p in sources}
    assert {"cluster_charts.js", "kpi-dashboard.js", "network.js"} <= names, names
    server_figure = {"network.js"}
    used = set()
    for path, text in sources.items():
        types = set(re.findall(r"""\btype\s*:\s*["'](\w+)["']""", text))
        if path.name in server_figure:
            assert not types, path
            continue
        assert types, f"{path}: no literal trace type found: check it by hand"
        used |= types
    assert used == {"bar", "scatter"}
    assert used <= assets.PLOTLY_PARTIAL_TRACES


def test_pages_load_plotly_through_the_tag():
    """No template names a plotly.js file itself ({% plotly_js %} picks the bundle)."""
    templates = [p for p in WEB.rglob("*.html")]
    direct = [p for p in templates if "vendor/plotly/" in p.read_text(encoding="utf-8")]
    assert not direct
    using = {p.name for p in templates if "{% plotly_js" in p.read_text(encoding="utf-8")}
    assert using == {"cluster.html", "dashboard.html", "network.html"}
