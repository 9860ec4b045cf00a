"""`klaster fetch gisco`: NUTS boundaries from Eurostat GISCO, offline with MockTransport."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from klaster.cli import app
from klaster.data.fetch import FetchError, fetch_gisco, gisco_file_name
from klaster.reports import load_geometry

BODY = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": "PL84",
     "properties": {"NUTS_ID": "PL84", "LEVL_CODE": 2, "NAME_LATN": "Podlaskie"},
     "geometry": {"type": "Polygon", "coordinates": [[[22, 53], [23, 53], [23, 54],
                                                      [22, 53]]]}}]}).encode()


def _client(body: bytes, seen: list, status: int = 200) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, content=body)
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_url_cache_progress_and_use_as_boundaries(tmp_path):
    seen: list = []
    progress: list = []
    client = _client(BODY, seen)
    path = fetch_gisco(2021, scale="20M", level=2, cache_dir=tmp_path, client=client,
                       progress=lambda d, t: progress.append((d, t)))
    assert str(seen[0].url) == ("https://gisco-services.ec.europa.eu/distribution/v2/nuts/"
                                "geojson/NUTS_RG_20M_2021_4326_LEVL_2.geojson")
    assert path == tmp_path / "gisco" / "NUTS_RG_20M_2021_4326_LEVL_2.geojson"
    assert path.read_bytes() == BODY and progress[-1][0] == len(BODY)
    assert fetch_gisco(2021, cache_dir=tmp_path, client=client) == path
    assert len(seen) == 1  # cached
    geo = load_geometry(path, id_property="NUTS_ID")
    assert [f["id"] for f in geo["features"]] == ["PL84"]
    assert list((tmp_path / "gisco").glob("*.part")) == []


def test_all_levels_name_and_bad_options():
    assert gisco_file_name(2016, "60M", None, 3035) == "NUTS_RG_60M_2016_3035.geojson"
    for kwargs in ({"scale": "5M"}, {"year": 2019}, {"crs": 2180}, {"level": 4}):
        with pytest.raises(FetchError):
            gisco_file_name(**kwargs)


def test_wrong_answer_leaves_nothing(tmp_path):
    with pytest.raises(FetchError, match="not a GeoJSON object"):
        fetch_gisco(2021, cache_dir=tmp_path, client=_client(b"<html>maintenance</html>", []))
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_gisco(2021, cache_dir=tmp_path, client=_client(b"no such file", [], 404))
    assert not any((tmp_path / "gisco").iterdir())


def test_cli_uses_the_cache_without_network(tmp_path):
    target = tmp_path / "gisco" / "NUTS_RG_20M_2021_4326_LEVL_2.geojson"
    target.parent.mkdir()
    target.write_bytes(BODY)
    res = CliRunner().invoke(app, ["fetch", "gisco", "--cache-dir", str(tmp_path)],
                             env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert str(target) in res.output and "EuroGeographics" in res.output
