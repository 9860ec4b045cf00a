"""Third-party browser assets come from installed packages (klaster.web.assets)."""

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
