"""Web maps: the map page's markers, region shading (count / location quotient), the
boundaries endpoint, the member map of a cluster and an organisation, the tile setting."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from django.utils.html import escape

from klaster.web.analysis.models import Dataset, RegionCluster, RegionSummary
from klaster.web.registry.models import Cluster, Membership, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def uncached(settings):
    settings.KLASTER_PUBLIC_CACHE_SECONDS = 0


def _map_data(page: str, map_id: str) -> dict:
    m = re.search(rf'<script id="{map_id}-data" type="application/json">(.*?)</script>', page,
                  re.DOTALL)
    assert m, f"no data block for {map_id}"
    return json.loads(m.group(1))


def test_map_page_markers_regions_and_table(client, registry):
    grodno = Organisation.objects.create(name_en="Grodno Azot", id_scheme="UNP",
                                         id_value="500000001", helix="business",
                                         latitude=53.68, longitude=23.83, approved=True)
    big = Cluster.objects.create(name_en="Hrodna Chemicals", status="forming", published=True,
                                 coordinator_organisation=grodno)
    for i in range(12):
        org = Organisation.objects.create(name_en=f"Member {i}", id_scheme="OTHER",
                                          id_value=f"m-{i}", helix="business", approved=True)
        Membership.objects.create(organisation=org, cluster=big)
    r = client.get("/map/")
    page = r.content.decode()
    assert r.status_code == 200
    data = _map_data(page, "cluster-map")
    markers = {m["name"]: m for m in data["markers"]}
    assert set(markers) == {"Published cluster", "Hrodna Chemicals"}
    assert "Hidden cluster" not in page
    # Size by members: 1 member → smallest class, 12 → the 10–49 class.
    assert markers["Published cluster"]["px"] < markers["Hrodna Chemicals"]["px"]
    assert markers["Hrodna Chemicals"]["detail"] == "Forming · 12 members"
    assert markers["Published cluster"]["url"] == f"/clusters/{registry['published'].pk}/"
    # Shading by number of clusters: one in Podlaskie (Org A's centroid), one in Hrodna.
    shading = data["shading"]
    assert shading["kind"] == "count"
    assert shading["regions"]["PL-PD"]["value"] == shading["regions"]["BY-HR"]["value"] == 1
    assert shading["regions"]["PL-MZ"]["value"] == 0
    assert {r["id"] for r in shading["rows"]} == {"PL-PD", "BY-HR"}
    # The text alternative: the table names each cluster's region; the legend says what
    # each colour/shape and size means.
    assert re.search(r"Hrodna Chemicals</a></td><td>Forming</td><td>12</td>"
                     r"<td>Hrodna Region</td>", page)
    assert "Status of the cluster" in page and "10–49 members" in page
    assert "OpenStreetMap" in page
    assert 'src="/static/vendor/leaflet/leaflet.js"' in page
    assert "<script>" not in page  # no inline script (CSP)


def test_map_page_in_polish_names_regions_in_polish(client, registry):
    r = client.get("/map/", HTTP_ACCEPT_LANGUAGE="pl")
    page = r.content.decode()
    assert "Status klastra" in page and "Liczba klastrów w regionie" in page
    assert "Wielkość znacznika" in page and "współtwórcy" in page
    data = _map_data(page, "cluster-map")
    assert data["text"]["open"] == "Otwórz stronę"
    assert data["names"]["PL-PD"] == "województwo podlaskie"
    assert data["names"]["BY-HR"] == "obwód grodzieński"


def _analysis(published=True):
    ds = Dataset.objects.create(title="EU demo", source="demo", status="done",
                                results_dir="x", published=published)
    for region, lq in (("PL84", 2.5), ("PL91", 1.0), ("PL92", 3.0), ("DE30", 4.0)):
        RegionCluster.objects.create(dataset=ds, region=region, region_name=region,
                                     cluster="food", cluster_name="Food processing",
                                     traded=True, year=2021, lq=lq)
    for region, emp in (("PL84", 500.0), ("PL91", 3000.0), ("PL92", 1000.0)):
        RegionSummary.objects.create(dataset=ds, region=region, name=region, employment=emp)
    return ds


def test_map_shaded_by_location_quotient_of_a_finished_analysis(client, registry):
    ds = _analysis()
    r = client.get("/map/", {"analysis": ds.pk, "category": "food"})
    page = r.content.decode()
    shading = _map_data(page, "cluster-map")["shading"]
    assert shading["kind"] == "lq"
    values = {k: v["value"] for k, v in shading["regions"].items()}
    assert values == {"PL-PD": 2.5, "PL-MZ": pytest.approx((1.0 * 3000 + 3.0 * 1000) / 4000)}
    # Classes: <0.8, 0.8–1.25, 1.25–2, ≥2 → Podlaskie (2.5) in the top class, MZ (1.5) in 2.
    assert shading["regions"]["PL-PD"]["class"] == 3
    assert shading["regions"]["PL-MZ"]["class"] == 2
    assert "Location quotient of Food processing (EU demo)" in page
    assert '<option value="food" selected>Food processing</option>' in page


def test_lq_needs_a_category_and_a_visible_analysis(client, registry):
    ds = _analysis(published=False)
    r = client.get("/map/", {"analysis": ds.pk, "category": "food"})
    assert _map_data(r.content.decode(), "cluster-map")["shading"]["kind"] == "count"
    assert "EU demo" not in r.content.decode()  # unpublished: not offered to the public
    ds.published = True
    ds.save()
    r = client.get("/map/", {"analysis": ds.pk, "category": "nope"})
    page = r.content.decode()
    assert _map_data(page, "cluster-map")["shading"]["kind"] == "count"
    assert "Choose a cluster category of this analysis." in page


def test_boundaries_endpoint_cached_and_compressed(client):
    r = client.get("/map/regions.geojson", HTTP_ACCEPT_ENCODING="gzip")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/geo+json"
    assert r["Content-Encoding"] == "gzip"
    assert "max-age=86400" in r["Cache-Control"]
    body = json.loads(gzip.decompress(r.content))
    assert len(body["features"]) == 33
    ids = {f["id"] for f in body["features"]}
    assert {"PL-PD", "BY-HM", "LT-VL"} <= ids
    again = client.get("/map/regions.geojson", HTTP_IF_NONE_MATCH=r["ETag"])
    assert again.status_code == 304


def test_cluster_page_member_map_by_helix(client, registry, uncached):
    cluster = registry["published"]
    Membership.objects.create(organisation=registry["org_b"], cluster=cluster)
    r = client.get(f"/clusters/{cluster.pk}/")
    data = _map_data(r.content.decode(), "map")
    assert sorted((m["name"], m["detail"]) for m in data["markers"]) == [
        ("Org A", "Business"), ("Org B", "Research / university")]
    assert [e["label"] for e in data["legend"]] == ["Business", "Research / university"]
    assert data["shading"] is None


def test_organisation_page_map(client, registry):
    r = client.get(f"/organisations/{registry['org_a'].pk}/")
    data = _map_data(r.content.decode(), "organisation-map")
    assert [(m["lat"], m["lon"]) for m in data["markers"]] == [(53.1, 23.2)]


def test_offline_by_default_tiles_only_when_configured(client, registry, settings):
    r = client.get("/map/")
    assert _map_data(r.content.decode(), "cluster-map")["tiles"] == ""
    assert "tile" not in r["Content-Security-Policy"]
    settings.KLASTER_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.KLASTER_MAP_TILE_ATTRIBUTION = "© Example tiles"
    data = _map_data(client.get("/map/").content.decode(), "cluster-map")
    assert data["tiles"] == settings.KLASTER_MAP_TILE_URL
    assert data["tile_attribution"] == "© Example tiles"


def test_tile_host_in_csp_source():
    from django.core.exceptions import ImproperlyConfigured

    from klaster.web.settings import _tile_source

    assert _tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == \
        "https://*.tile.example.org"
    assert _tile_source("https://tiles.example.org:8443/{z}/{x}/{y}.png") == \
        "https://tiles.example.org:8443"
    with pytest.raises(ImproperlyConfigured):
        _tile_source("tiles/{z}/{x}/{y}.png")


def test_eu_demo_analysis_shades_every_voivodeship(client):
    """The real EU demo (NUTS 2 regions): every voivodeship gets its category's LQ,
    Mazowieckie from its union code, and no Belarusian region."""
    from klaster.web.analysis.management.commands.load_analysis_demo import create_demo_eu
    from klaster.web.analysis.tasks import claim, run

    ds = create_demo_eu()
    assert claim(ds.pk)
    run(ds)
    Dataset.objects.filter(pk=ds.pk).update(published=True)
    # The 2008–2015 data is NUTS 2013: Mazowieckie (PL12) is kept whole as "PL91+PL92".
    mz = "PL91+PL92"
    have = [set(RegionCluster.objects.filter(dataset=ds, region=r, lq__isnull=False)
                .values_list("cluster", flat=True)) for r in ("PL84", mz)]
    code = min(set.intersection(*have))
    name = RegionCluster.objects.filter(dataset=ds, cluster=code).first().cluster_name
    r = client.get("/map/", {"analysis": ds.pk, "category": code})
    shading = _map_data(r.content.decode(), "cluster-map")["shading"]
    assert shading["kind"] == "lq"
    voivodeships = {k for k in shading["regions"] if k.startswith("PL-")}
    assert len(voivodeships) == 16, sorted(voivodeships)
    expect = RegionCluster.objects.get(dataset=ds, region=mz, cluster=code).lq
    assert shading["regions"]["PL-MZ"]["value"] == pytest.approx(expect)
    assert not any(k.startswith("BY-") for k in shading["regions"])
    pd = RegionCluster.objects.get(dataset=ds, region="PL84", cluster=code).lq
    assert shading["regions"]["PL-PD"]["value"] == pytest.approx(pd)
    assert escape(name) in r.content.decode()
