"""/api/docs/ (Swagger UI from drf-spectacular-sidecar, no inline script, nothing from
outside) and the API root that says what the API is, in the reader's language."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from .browser import MARKS, launch, open_page

pytestmark = pytest.mark.django_db


def test_docs_page_has_no_inline_script_and_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL)
    assert len(scripts) == 3
    assert all('src="' in attrs and not body.strip() for attrs, body in scripts)
    srcs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in s
               for s in srcs)
    assert not [s for s in srcs if s.startswith(("http:", "https:", "//"))]
    # The start script is served by the same view, as JavaScript.
    script_url = next(s for s in srcs if "script=" in s).replace("&amp;", "&")
    js = client.get(script_url)
    assert js.status_code == 200 and js["Content-Type"].startswith("application/javascript")
    assert reverse("schema") in js.content.decode()


def test_docs_page_title_translated(client):
    response = client.get("/api/docs/", HTTP_ACCEPT_LANGUAGE="pl")
    assert "<title>Dokumentacja API klaster</title>" in response.content.decode()


def test_api_root_says_what_it_is(client):
    response = client.get("/api/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    data = response.json()
    assert {"clusters", "organisations", "partner-requests", "docs", "schema"} <= set(data)
    assert data["docs"].endswith("/api/docs/")
    page = client.get("/api/", HTTP_ACCEPT="text/html").content.decode()
    assert "The default basic root view for DefaultRouter" not in page
    assert "klaster&#x27;s REST API" in page or "klaster's REST API" in page


@pytest.mark.parametrize("lang", ["pl", "be", "ru"])
def test_api_root_description_translated(lang):
    from klaster.web.api.docs import ApiRootView

    with translation.override("en"):
        english = ApiRootView().get_view_description()
        name_en = ApiRootView().get_view_name()
    with translation.override(lang):
        text = ApiRootView().get_view_description()
        name = ApiRootView().get_view_name()
    assert text != english and "/api/docs/" in text
    assert name != name_en


@MARKS[0]
@MARKS[1]
@pytest.mark.django_db(transaction=True)
def test_docs_render_in_chromium_under_csp(live_server, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = launch(p)
        outside: list[str] = []
        page = open_page(browser, live_server.url, outside)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server.url}/api/docs/")
        # Swagger UI rendered the schema: the operations of the clusters collection.
        expect(page.locator(".opblock-tag-section").first).to_be_visible(timeout=60000)
        expect(page.locator("#operations-tag-clusters")).to_be_visible()
        assert page.locator(".opblock").count() > 10
        browser.close()
    assert outside == [] and errors == []
