"""Downloads for online users: Census CBP API and Eurostat dissemination API.

Both functions write into a local cache (``platformdirs.user_cache_dir("klaster")`` by
default) and return the path of the cached file, which the matching loader reads
(:func:`klaster.data.cbp.load_cbp`, :func:`klaster.data.eurostat.load_eurostat_tsv`).
Files are written atomically: the body goes to a temporary file in the cache directory
that is renamed into place only when the download is complete, so an interrupted
download never leaves a half-written file behind.

Endpoints:

* Census Data API, County Business Patterns: ``https://api.census.gov/data/{year}/cbp``
  with ``get=NAICS<vintage>,ESTAB,EMP,PAYANN&for=state:*`` (or ``for=county:*``,
  ``in=state:XX``), ``EMPSZES=001`` (all establishment sizes) and, from 2017 on,
  ``LFO=001`` (all legal forms). The NAICS variable follows the NAICS vintage of the
  year (see NAICS_VARIABLE). The Census Bureau asks for an API key (``key=``).
* Eurostat dissemination API, SDMX 2.1 data query:
  ``https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/{dataset}?format=TSV&compressed=true``
  which returns the whole dataset as gzipped TSV (the successor of the bulk download).
* Eurostat GISCO, NUTS boundaries (distribution API v2):
  ``https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/NUTS_RG_{scale}_{year}_{crs}[_LEVL_{level}].geojson``
  (scale 01M, 03M, 10M, 20M or 60M; year 2010, 2013, 2016, 2021, 2024; EPSG 4326, 3035
  or 3857). © EuroGeographics for the administrative boundaries; GISCO's terms allow
  non-commercial use only, which is why klaster downloads them instead of shipping them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import httpx
import platformdirs

from klaster.errors import KlasterError
from klaster.fileio import atomic_output

CENSUS_URL = "https://api.census.gov/data/{year}/cbp"
EUROSTAT_URL = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/{dataset}"
GISCO_URL = "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/{name}"
GISCO_SCALES = ("01M", "03M", "10M", "20M", "60M")
GISCO_YEARS = (2010, 2013, 2016, 2021, 2024)
GISCO_CRS = (4326, 3035, 3857)
GISCO_NOTICE = ("© EuroGeographics for the administrative boundaries; Eurostat GISCO NUTS "
                "— non-commercial use only (https://ec.europa.eu/eurostat/web/gisco/"
                "geodata/administrative-units/territorial-units-statistics)")

# NAICS vintage used by the CBP API variable for each data year. 2017-2022 (NAICS2017)
# were checked against the API variable lists /data/{2017,2020,2022}/cbp/variables;
# the earlier vintages follow the Census switch years of NAICS (2008, 2012).
NAICS_VARIABLE: dict[range, str] = {
    range(2008, 2012): "NAICS2007",
    range(2012, 2017): "NAICS2012",
    range(2017, 2023): "NAICS2017",
}

Progress = Callable[[int, int | None], None]


class FetchError(KlasterError):
    """A download failed (HTTP error, offline, or an unexpected answer)."""


def naics_variable(year: int) -> str:
    """The CBP API variable holding NAICS codes for `year` (e.g. 2021 -> "NAICS2017")."""
    for years, name in NAICS_VARIABLE.items():
        if year in years:
            return name
    raise FetchError(
        f"no known NAICS variable for CBP {year}; supported years are "
        f"{min(r.start for r in NAICS_VARIABLE)}-{max(r.stop for r in NAICS_VARIABLE) - 1}. "
        "Pass naics_var=... (see https://api.census.gov/data/{year}/cbp/variables.html)"
    )


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("klaster"))


def _stream(cl: httpx.Client, url: str, params: dict[str, str], fh, progress: Progress | None,
            what: str) -> None:
    """GET ``url`` and copy the body into ``fh``, telling ``progress`` the bytes so far."""
    try:
        with cl.stream("GET", url, params=params) as resp:
            if resp.status_code >= 400:
                body = resp.read().decode("utf-8", "replace")[:300]
                raise FetchError(f"{what}: HTTP {resp.status_code} from {resp.request.url}: "
                                 f"{body}")
            if resp.status_code == 204:
                raise FetchError(f"{what}: no data for this request ({resp.request.url})")
            length = resp.headers.get("content-length")
            total = int(length) if length and length.isdigit() else None
            if resp.headers.get("content-encoding", "identity") != "identity":
                total = None  # content-length counts compressed bytes
            done = 0
            for chunk in resp.iter_bytes():
                fh.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
    except httpx.TimeoutException as exc:
        raise FetchError(f"{what}: timed out ({exc}); try again later") from exc
    except httpx.TransportError as exc:
        raise FetchError(
            f"{what}: cannot reach {url} ({exc}). Are you offline? Files already "
            "downloaded stay usable from the cache."
        ) from exc


def _download(
    url: str,
    params: dict[str, str],
    target: Path,
    client: httpx.Client | None,
    progress: Progress | None,
    what: str,
    check: Callable[[bytes], bool],
    expected: str,
) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    own = client is None
    cl = client or httpx.Client(timeout=httpx.Timeout(60.0, connect=15.0), follow_redirects=True)
    try:
        with atomic_output(target, suffix=".part") as tmp:
            with tmp.open("wb") as fh:
                _stream(cl, url, params, fh, progress, what)
            with tmp.open("rb") as fh:
                head = fh.read(512)
            if not check(head):
                raise FetchError(
                    f"{what}: the answer is not {expected}; it starts with "
                    f"{head[:120].decode('utf-8', 'replace')!r}"
                )
    finally:
        if own:
            cl.close()
    return target


def fetch_cbp(
    year: int,
    geography: str = "state",
    *,
    state: str | None = None,
    cache_dir: str | Path | None = None,
    client: httpx.Client | None = None,
    progress: Progress | None = None,
    key: str | None = None,
    naics_var: str | None = None,
    refresh: bool = False,
) -> Path:
    """Download CBP `year` for all states ("state") or counties ("county") as API JSON.

    state: 2-digit FIPS to limit a county download to one state. key: Census API key
    (defaults to the CENSUS_API_KEY environment variable if set). Returns the cached
    file ``cbp_{year}_{geography}[_{state}].json``; an existing file is reused unless
    refresh=True. Read it with klaster.data.cbp.load_cbp.
    """
    if geography not in {"state", "county"}:
        raise FetchError(f"geography must be 'state' or 'county', not {geography!r}")
    if state is not None and geography != "county":
        raise FetchError("state= limits a county download; use geography='county'")
    var = naics_var or naics_variable(int(year))
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    name = f"cbp_{year}_{geography}" + (f"_{state}" if state else "") + ".json"
    target = cache / "cbp" / name
    if target.is_file() and not refresh:
        return target
    params = {"get": f"{var},ESTAB,EMP,PAYANN", "EMPSZES": "001"}
    if int(year) >= 2017:
        params["LFO"] = "001"
    if geography == "state":
        params["for"] = "state:*"
    else:
        params["for"] = "county:*"
        params["in"] = f"state:{state}" if state else "state:*"
    api_key = key if key is not None else os.environ.get("CENSUS_API_KEY")
    if api_key:
        params["key"] = api_key
    return _download(CENSUS_URL.format(year=int(year)), params, target, client, progress,
                     f"Census CBP {year} {geography}",
                     lambda head: head.lstrip().startswith(b"["), "a JSON array (Census API)")


def fetch_eurostat(
    dataset: str,
    *,
    cache_dir: str | Path | None = None,
    client: httpx.Client | None = None,
    progress: Progress | None = None,
    refresh: bool = False,
) -> Path:
    """Download a whole Eurostat dataset (e.g. "sbs_r_nuts2021") as gzipped TSV.

    Returns the cached file ``{dataset}.tsv.gz``; an existing file is reused unless
    refresh=True. Read it with klaster.data.eurostat.load_eurostat_tsv.
    """
    code = dataset.strip()
    if not code or "/" in code or "?" in code:
        raise FetchError(f"not a Eurostat dataset code: {dataset!r}")
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = cache / "eurostat" / f"{code.lower()}.tsv.gz"
    if target.is_file() and not refresh:
        return target
    params = {"format": "TSV", "compressed": "true"}
    return _download(EUROSTAT_URL.format(dataset=code.upper()), params, target, client,
                     progress, f"Eurostat {code}",
                     lambda head: head[:2] == b"\x1f\x8b", "a gzip file (TSV, compressed=true)")


def gisco_file_name(year: int = 2021, scale: str = "20M", level: int | None = 2,
                    crs: int = 4326) -> str:
    """GISCO's file name, e.g. ``NUTS_RG_20M_2021_4326_LEVL_2.geojson`` (level None:
    every level in one file, ``NUTS_RG_20M_2021_4326.geojson``)."""
    scale = str(scale).upper()
    if scale not in GISCO_SCALES:
        raise FetchError(f"scale must be one of {', '.join(GISCO_SCALES)}, not {scale!r}")
    if int(year) not in GISCO_YEARS:
        raise FetchError(f"NUTS year must be one of {', '.join(map(str, GISCO_YEARS))}, "
                         f"not {year}")
    if int(crs) not in GISCO_CRS:
        raise FetchError(f"crs must be one of {', '.join(map(str, GISCO_CRS))}, not {crs}")
    if level is not None and int(level) not in (0, 1, 2, 3):
        raise FetchError(f"NUTS level must be 0, 1, 2 or 3, not {level}")
    tail = f"_LEVL_{int(level)}" if level is not None else ""
    return f"NUTS_RG_{scale}_{int(year)}_{int(crs)}{tail}.geojson"


def fetch_gisco(
    year: int = 2021,
    *,
    scale: str = "20M",
    level: int | None = 2,
    crs: int = 4326,
    cache_dir: str | Path | None = None,
    client: httpx.Client | None = None,
    progress: Progress | None = None,
    refresh: bool = False,
) -> Path:
    """Download NUTS region boundaries (GeoJSON) from Eurostat GISCO into the cache.

    Returns ``gisco/{gisco_file_name(...)}``; an existing file is reused unless
    refresh=True. Written atomically; the answer must be a GeoJSON object. Use it with
    ``klaster report --boundaries FILE --id-property NUTS_ID``. Licence: GISCO_NOTICE
    (non-commercial; not shipped with klaster).
    """
    name = gisco_file_name(year, scale, level, crs)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = cache / "gisco" / name
    if target.is_file() and not refresh:
        return target
    return _download(GISCO_URL.format(name=name), {}, target, client, progress,
                     f"GISCO {name}",
                     lambda head: head.lstrip()[:1] == b"{" and b'"type"' in head,
                     "a GeoJSON object")
