"""Public portal pages, workspace import/export, and queries per page."""

from __future__ import annotations

import io
import re
from datetime import date

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from klaster.web.portal.caching import bump_version
from klaster.web.registry.models import Activity, Cluster, Membership, Organisation

pytestmark = pytest.mark.django_db

GOOD_ROWS = [
    # id_scheme, id_value, name_en, helix, latitude, longitude, industry_codes, role, joined
    ("NIP", "526-025-02-74", "Alpha Sp. z o.o.", "business", "53.13", "23.16", "C25", "member",
     "2024-02-01"),
    ("REGON", "123456785", "Beta University", "research", "53.12", "23.15", "P85", "founder",
     "2024-03-01"),
    ("UNP", "190123456", "Gamma Hrodna", "business", "", "", "", "member", ""),
]
HEADER = "id_scheme,id_value,name_en,helix,latitude,longitude,industry_codes,role,joined"


def _csv(rows):
    return (HEADER + "\n" + "\n".join(",".join(r) for r in rows) + "\n").encode()


def _upload(client, cluster, content, name="members.csv"):
    return client.post(f"/workspace/clusters/{cluster.pk}/import/",
                       {"file": SimpleUploadedFile(name, content)})


@pytest.fixture
def uncached(settings):
    """Tests that read the view's template context need the uncached path: a public page
    served from the shared cache renders no page template (see test_public_cache.py)."""
    settings.KLASTER_PUBLIC_CACHE_SECONDS = 0


def test_directory_filters_and_search(client, registry, uncached):
    c = Cluster.objects.create(name_en="ICT Valley", name_pl="Dolina ICT", status="forming",
                               published=True, region="Mazowieckie", sector="ICT",
                               industry_codes=["J62"])
    Membership.objects.create(organisation=registry["org_b"], cluster=c)
    def names(query):
        page = client.get("/clusters/", query)
        assert page.status_code == 200
        return [x["name"] for x in page.context["rows"]]
    assert names({}) == ["ICT Valley", "Published cluster"]
    assert names({"q": "dolina"}) == ["ICT Valley"]
    assert names({"q": "J62"}) == ["ICT Valley"]  # industry codes are searched too
    assert names({"region": "podlaskie"}) == ["Published cluster"]  # facet, any case
    assert names({"status": "forming"}) == ["ICT Valley"]
    assert names({"sector": "metal"}) == ["Published cluster"]
    assert names({"sector": ["metal", "ICT"]}) == ["ICT Valley", "Published cluster"]
    assert names({"helix": ["research"]}) == ["ICT Valley"]
    assert names({"helix": ["research", "business"]}) == []


def test_cluster_page_members_by_helix_timeline_and_map(client, registry, uncached):
    cluster = registry["published"]
    Membership.objects.create(organisation=registry["org_b"], cluster=cluster)
    Activity.objects.create(cluster=cluster, kind="conference", title="Late event",
                            start=date(2024, 5, 1))
    Activity.objects.create(cluster=cluster, kind="study_visit", title="Early visit",
                            start=date(2019, 7, 2), participant_count=18)
    r = client.get(f"/clusters/{cluster.pk}/")
    page = r.content.decode()
    groups = {helix: [m.organisation.name_en for m in ms] for helix, ms in r.context["by_helix"]}
    assert groups == {"Business": ["Org A"], "Research / university": ["Org B"]}
    assert page.index("Early visit") < page.index("Late event")  # timeline in date order
    assert len(r.context["map"]["markers"]) == 2  # the member map (test_maps.py)
    assert "18 participants" in page


def test_map_of_all_clusters(client, registry):
    r = client.get("/map/")
    page = r.content.decode()
    # The published cluster is placed at its current members' centroid (Org A only).
    (marker,) = r.context["map"]["markers"]
    assert marker["name"] == "Published cluster"
    assert "Hidden cluster" not in page


def test_import_members_all_or_nothing_with_row_report(client, registry):
    cluster = registry["published"]
    client.force_login(registry["coord_a"])
    bad = [*GOOD_ROWS[1:], GOOD_ROWS[1],
           ("NIP", "5260250275", "Wrong Checksum", "business", "", "", "", "member", ""),
           ("OTHER", "x-9", "Far North", "business", "95", "20", "", "member", ""),
           ("OTHER", "x-10", "Bad code", "business", "", "", "ZZ", "boss", "yesterday")]
    before = Organisation.objects.count()
    r = _upload(client, cluster, _csv(bad))
    assert r.status_code == 400
    errors = [(e.line, e.field) for e in r.context["result"].errors]
    assert errors == [(4, "id_value"), (5, "id_value"), (6, "latitude"),
                      (7, "industry_codes"), (7, "role"), (7, "joined")], errors
    assert "wrong check digit" in r.content.decode()
    assert Organisation.objects.count() == before  # nothing written
    assert cluster.memberships.count() == 1

    r = _upload(client, cluster, _csv(GOOD_ROWS[1:]))
    assert r.status_code == 302
    members = {m.organisation.id_value: m
               for m in cluster.memberships.select_related("organisation")}
    assert set(members) == {"5260250274", "123456785", "190123456"}
    beta = members["123456785"]
    assert (beta.role, beta.joined, beta.organisation.industry_codes) == (
        "founder", date(2024, 3, 1), ["85"])


def test_import_refuses_existing_member_and_duplicates(client, registry):
    cluster = registry["published"]
    client.force_login(registry["coord_a"])
    rows = [GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[1]]
    r = _upload(client, cluster, _csv(rows))
    report = [(e.line, e.message) for e in r.context["result"].errors]
    assert report == [(2, "already a current member of this cluster"),
                      (4, "same organisation as line 3")]


def test_import_excel_and_export_round_trip(client, registry):
    cluster = registry["hidden"]
    client.force_login(registry["coord_b"])
    table = pl.DataFrame([dict(zip(HEADER.split(","), r, strict=True)) for r in GOOD_ROWS[1:]])
    table = table.with_columns(pl.col("joined").str.to_date(strict=False))
    buf = io.BytesIO()
    table.write_excel(buf)
    r = _upload(client, cluster, buf.getvalue(), name="members.xlsx")
    assert r.status_code == 302, r.context and r.context["result"].errors
    assert cluster.memberships.filter(organisation__id_value="123456785",
                                      joined=date(2024, 3, 1)).exists()
    csv = client.get(f"/workspace/clusters/{cluster.pk}/export/?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    exported = pl.read_csv(io.BytesIO(csv.content), infer_schema=False)
    assert sorted(exported["id_value"].to_list()) == ["100000001", "123456785", "190123456"]
    xlsx = client.get(f"/workspace/clusters/{cluster.pk}/export/?format=xlsx")
    assert pl.read_excel(io.BytesIO(xlsx.content)).height == 3
    # An export imports again into another cluster unchanged.
    client.force_login(registry["admin"])
    r = _upload(client, registry["published"],
                csv.content.replace(b"100000001", b"100000002"))
    assert r.status_code == 302


def test_ending_membership_keeps_history(client, registry):
    cluster = registry["published"]
    client.force_login(registry["coord_a"])
    m = cluster.memberships.get()
    assert client.post(f"/workspace/memberships/{m.pk}/end/").status_code == 302
    m.refresh_from_db()
    assert m.left is not None
    assert "Former members" in client.get(f"/clusters/{cluster.pk}/").content.decode()


def _populate(n):
    """n organisations, n published clusters; the first cluster has n members, n activities."""
    orgs = Organisation.objects.bulk_create([
        Organisation(name_en=f"Org {i}", id_scheme="OTHER", id_value=f"o{i}",
                     helix=["business", "research", "public"][i % 3],
                     latitude=52 + i / 100, longitude=21 + i / 100) for i in range(n)])
    clusters = Cluster.objects.bulk_create([
        Cluster(name_en=f"Cluster {i:03d}", published=True, coordinator_organisation=orgs[i])
        for i in range(n)])
    Membership.objects.bulk_create([Membership(organisation=o, cluster=clusters[0])
                                    for o in orgs])
    Activity.objects.bulk_create([Activity(cluster=clusters[0], kind="training", title=f"A{i}",
                                           start=date(2020, 1, 1 + i % 28)) for i in range(n)])
    bump_version()  # bulk_create sends no signal: invalidate the public cache by hand
    return clusters[0]


def _queries(client, url, n):
    with transaction.atomic():
        first = _populate(n)
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url.format(pk=first.pk))
        assert r.status_code == 200
        transaction.set_rollback(True)  # the next size starts from an empty registry
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/", "/clusters/", "/map/", "/clusters/{pk}/", "/api/clusters/",
                                 "/api/organisations/", "/api/memberships/",
                                 "/api/activities/"])
def test_queries_per_page_do_not_grow_with_rows(client, url):
    assert _queries(client, url, 5) == _queries(client, url, 50)


def test_queries_per_page_with_signed_in_coordinator(client, django_assert_num_queries,
                                                      registry):
    client.force_login(registry["coord_a"])
    small = _queries(client, "/clusters/{pk}/", 5)
    with transaction.atomic():
        first = _populate(50)
        with django_assert_num_queries(small):
            client.get(f"/clusters/{first.pk}/")
        transaction.set_rollback(True)


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.DOTALL).group(1)


def test_page_titles_are_plain_text(client, registry):
    """The cluster edit page's title block once held a copy of the page's forms (CSRF token
    included) in the browser tab: every title is text only."""
    client.force_login(registry["coord_a"])
    cluster = registry["published"]
    for url in ("/", "/clusters/", f"/clusters/{cluster.pk}/", "/workspace/",
                f"/workspace/clusters/{cluster.pk}/"):
        title = _title(client.get(url).content.decode())
        assert "<" not in title and "csrf" not in title.lower(), (url, title)
    assert _title(client.get(f"/workspace/clusters/{cluster.pk}/").content.decode()).startswith(
        "Published cluster")


def test_home_page_key_figures(client, registry):
    """Counted for the visitor: published clusters only, organisations with a current
    membership in them (each once), by helix; the directory is at /clusters/."""
    from klaster.web.portal.figures import key_figures

    # The fixture: Org A (business) in the published cluster, Org B (research) in the hidden.
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/clusters/"' in html and "Published cluster" in html
    assert "Hidden cluster" not in html
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    figures = key_figures(AnonymousUser(), timezone.localdate())
    helix = registry["org_a"].helix
    assert figures.clusters == 1 and figures.organisations == 1
    assert {h.key: h.count for h in figures.by_helix if h.count} == {helix: 1}
    admin_figures = key_figures(registry["admin"], timezone.localdate())
    assert admin_figures.clusters == 2 and admin_figures.organisations == 2
    assert "Published cluster" in client.get("/clusters/").content.decode()
