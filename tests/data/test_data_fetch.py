"""Offline tests: httpx.MockTransport replays format samples from fixtures/."""

import gzip
from pathlib import Path

import httpx
import pytest

from klaster.data.cbp import load_cbp
from klaster.data.eurostat import load_eurostat_tsv
from klaster.data.fetch import FetchError, fetch_cbp, fetch_eurostat, naics_variable

FIX = Path(__file__).parent / "fixtures"


def _client(handler, seen):
    def wrapped(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)
    return httpx.Client(transport=httpx.MockTransport(wrapped))


def test_fetch_cbp_state_url_cache_and_load(tmp_path):
    body = (FIX / "cbp_2021_state.json").read_bytes()
    seen: list[httpx.Request] = []
    progress: list[tuple[int, int | None]] = []
    client = _client(lambda r: httpx.Response(200, content=body), seen)
    path = fetch_cbp(2021, "state", cache_dir=tmp_path, client=client, key="K",
                     progress=lambda d, t: progress.append((d, t)))
    url = seen[0].url
    assert (url.scheme, url.host, url.path) == ("https", "api.census.gov", "/data/2021/cbp")
    q = dict(url.params)
    assert q["get"] == "NAICS2017,ESTAB,EMP,PAYANN" and q["for"] == "state:*"
    assert q["LFO"] == "001" and q["EMPSZES"] == "001" and q["key"] == "K"
    assert path == tmp_path / "cbp" / "cbp_2021_state.json"
    assert path.read_bytes() == body
    assert progress[-1] == (len(body), len(body))
    # cached: no second request
    assert fetch_cbp(2021, "state", cache_dir=tmp_path, client=client, key="K") == path
    assert len(seen) == 1
    assert load_cbp(path).table.height == 4
    assert list(tmp_path.glob("cbp/*.part")) == []


def test_fetch_cbp_county_one_state_and_older_vintage(tmp_path):
    seen: list[httpx.Request] = []
    body = (FIX / "cbp_2021_county.json").read_bytes()
    client = _client(lambda r: httpx.Response(200, content=body), seen)
    fetch_cbp(2014, "county", state="10", cache_dir=tmp_path, client=client, key="K")
    q = dict(seen[0].url.params)
    assert q["get"].startswith("NAICS2012,") and "LFO" not in q
    assert q["for"] == "county:*" and q["in"] == "state:10"


def test_naics_variable_by_year():
    assert naics_variable(2021) == "NAICS2017"
    assert naics_variable(2012) == "NAICS2012"
    assert naics_variable(2010) == "NAICS2007"
    with pytest.raises(FetchError, match="naics_var"):
        naics_variable(1999)


def test_http_error_leaves_no_file(tmp_path):
    client = _client(lambda r: httpx.Response(400, text="error: unknown variable 'NAICS2017'"),
                     [])
    with pytest.raises(FetchError) as e:
        fetch_cbp(2021, cache_dir=tmp_path, client=client, key="K")
    assert "HTTP 400" in str(e.value) and "unknown variable" in str(e.value)
    assert list((tmp_path / "cbp").iterdir()) == []


def test_offline_error(tmp_path):
    def fail(request):
        raise httpx.ConnectError("Name or service not known", request=request)
    client = httpx.Client(transport=httpx.MockTransport(fail))
    with pytest.raises(FetchError, match="offline"):
        fetch_eurostat("sbs_r_nuts2021", cache_dir=tmp_path, client=client)
    assert list((tmp_path / "eurostat").iterdir()) == []


def test_unexpected_body_is_not_cached(tmp_path):
    client = _client(lambda r: httpx.Response(200, text="<html>Invalid Key</html>"), [])
    with pytest.raises(FetchError, match="not a JSON array"):
        fetch_cbp(2021, cache_dir=tmp_path, client=client, key="bad")
    assert not (tmp_path / "cbp" / "cbp_2021_state.json").exists()


def test_fetch_eurostat_url_and_load(tmp_path):
    body = gzip.compress((FIX / "sbs_r_nuts2021_sample.tsv").read_bytes())
    seen: list[httpx.Request] = []
    client = _client(lambda r: httpx.Response(
        200, content=body, headers={"content-type": "application/octet-stream"}), seen)
    path = fetch_eurostat("sbs_r_nuts2021", cache_dir=tmp_path, client=client)
    url = seen[0].url
    assert url.host == "ec.europa.eu"
    assert url.path == "/eurostat/api/dissemination/sdmx/2.1/data/SBS_R_NUTS2021"
    assert dict(url.params) == {"format": "TSV", "compressed": "true"}
    assert path.name == "sbs_r_nuts2021.tsv.gz"
    assert load_eurostat_tsv(path).table.height == 6
    fetch_eurostat("sbs_r_nuts2021", cache_dir=tmp_path, client=client, refresh=True)
    assert len(seen) == 2


def test_bad_arguments(tmp_path):
    with pytest.raises(FetchError):
        fetch_cbp(2021, "zip", cache_dir=tmp_path)
    with pytest.raises(FetchError):
        fetch_cbp(2021, "state", state="10", cache_dir=tmp_path)
    with pytest.raises(FetchError):
        fetch_eurostat("a/b", cache_dir=tmp_path)
