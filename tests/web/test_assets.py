"""Third-party browser assets come from installed packages (klaster.web.assets)."""

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
