"""The shared cache of public pages, anonymous API lists and pagination counts
(klaster.web.portal.caching): hits run no query, any write is visible at once, signed-in
users never share a cached page, languages are cached apart."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from klaster.web.portal import caching
from klaster.web.registry.models import Cluster, Membership, Organisation

pytestmark = pytest.mark.django_db


def _get(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, **extra)
    assert r.status_code == 200, (url, r.status_code)
    return r, len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/", "/clusters/", "/clusters/{pk}/", "/api/clusters/",
                                 "/api/organisations/", "/api/memberships/"])
def test_second_anonymous_request_is_a_hit_without_queries(client, registry, url):
    url = url.format(pk=registry["published"].pk)
    first, cold_queries = _get(client, url)
    second, warm_queries = _get(client, url)
    assert cold_queries > 0 and warm_queries == 0
    if url.startswith("/api/"):
        assert second.content == first.content
        for header in ("Content-Type", "Allow", "Vary"):
            assert second[header] == first[header]
    else:
        assert "Published cluster" in second.content.decode()


def test_edit_is_visible_immediately_in_pages_and_api(client, registry):
    cluster = registry["published"]
    assert "Published cluster" in client.get("/clusters/").content.decode()
    assert client.get(f"/clusters/{cluster.pk}/").status_code == 200
    api = APIClient()
    assert api.get("/api/clusters/").json()["results"][0]["member_count"] == 1

    admin = APIClient()
    admin.force_authenticate(registry["admin"])
    r = admin.patch(f"/api/clusters/{cluster.pk}/",
                    {"name_en": "Renamed cluster", "version": cluster.version}, format="json")
    assert r.status_code == 200, r.content
    Membership.objects.create(organisation=registry["org_b"], cluster=cluster)

    assert "Renamed cluster" in client.get("/clusters/").content.decode()
    assert "Renamed cluster" in client.get(f"/clusters/{cluster.pk}/").content.decode()
    (row,) = api.get("/api/clusters/").json()["results"]
    assert (row["name_en"], row["member_count"]) == ("Renamed cluster", 2)


def test_unpublishing_hides_a_cached_cluster_page(client, registry):
    cluster = registry["published"]
    assert client.get(f"/clusters/{cluster.pk}/").status_code == 200
    cluster.published = False
    cluster.save_versioned(cluster.version)
    assert client.get(f"/clusters/{cluster.pk}/").status_code == 404
    assert "Published cluster" not in client.get("/clusters/").content.decode()


def test_signed_in_users_never_read_or_fill_the_public_cache(client, registry):
    hidden = registry["hidden"]
    assert "Hidden cluster" not in client.get("/clusters/").content.decode()  # cached for anonymous
    coordinator = Client()
    coordinator.force_login(registry["coord_b"])
    assert "Hidden cluster" in coordinator.get("/clusters/").content.decode()
    assert coordinator.get(f"/clusters/{hidden.pk}/").status_code == 200
    # ... and the coordinator's pages did not become the anonymous ones.
    assert "Hidden cluster" not in client.get("/clusters/").content.decode()
    assert client.get(f"/clusters/{hidden.pk}/").status_code == 404

    token = Token.objects.create(user=registry["coord_b"])
    anonymous_api, token_api = APIClient(), APIClient()
    token_api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert anonymous_api.get("/api/clusters/").json()["count"] == 1
    assert token_api.get("/api/clusters/").json()["count"] == 2
    assert anonymous_api.get("/api/clusters/").json()["count"] == 1


def test_languages_are_cached_apart(client, registry):
    polish = client.get("/clusters/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    english = client.get("/clusters/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Katalog klastrów" in polish and "Katalog klastrów" not in english
    assert "Cluster directory" in english


def test_cached_page_carries_each_visitors_own_csrf_token(registry):
    """The language switcher is a POST form: a cached page must not hand one visitor's
    CSRF token to another (the frame around the cached content is rendered per request)."""
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get("/clusters/").content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        tokens.append(token)
        r = visitor.post("/i18n/setlang/", {"language": "pl", "next": "/",
                                            "csrfmiddlewaretoken": token})
        assert r.status_code == 302
    assert tokens[0] != tokens[1]


def test_filtered_counts_are_cached_per_query(client, registry):
    Cluster.objects.create(name_en="ICT Valley", status="forming", published=True,
                           sector="ICT")
    for _ in range(2):  # cold, then warm
        assert client.get("/api/clusters/", {"sector": "ICT"}).json()["count"] == 1
        assert client.get("/api/clusters/", {"status": "operating"}).json()["count"] == 1
        assert client.get("/api/clusters/").json()["count"] == 2
        assert "2 clusters" in client.get("/clusters/").content.decode()
        assert "1 cluster<" in client.get("/clusters/", {"sector": "ICT"}).content.decode()


def test_writes_outside_content_apps_keep_the_cache(client, registry):
    client.get("/clusters/")
    version = caching.registry_version()
    Client().force_login(registry["stranger"])  # a session row: not registry content
    assert caching.registry_version() == version
    Organisation.objects.create(name_en="New org", id_scheme="OTHER", id_value="x1",
                                helix="business")
    assert caching.registry_version() != version


def test_version_is_replaced_again_at_commit(django_capture_on_commit_callbacks):
    # No fixture writes before: the test's own transaction has no pending callbacks.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for i in range(3):
            Organisation.objects.create(name_en=f"Org {i}", id_scheme="OTHER",
                                        id_value=f"c{i}", helix="business")
        at_write = caching.registry_version()
    # One commit-time bump for the whole transaction (rows and their history rows) ...
    assert [c for c in callbacks if c is caching.bump_version] == [caching.bump_version]
    assert caching.registry_version() != at_write  # ... and it replaced the token


def test_lost_version_token_misses_instead_of_serving_old_pages(client, registry):
    client.get("/clusters/")
    caches[caching.settings.KLASTER_PUBLIC_CACHE_ALIAS].delete(caching.VERSION_KEY)
    _, queries = _get(client, "/clusters/")
    assert queries > 0


def test_caching_off(client, registry, settings):
    settings.KLASTER_PUBLIC_CACHE_SECONDS = 0
    _, first = _get(client, "/api/clusters/")
    _, second = _get(client, "/api/clusters/")
    assert first == second > 0
