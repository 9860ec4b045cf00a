"""The map in headless Chromium: Leaflet draws the built-in boundaries (shaded) and the
cluster markers, a marker opens its popup from the keyboard, and nothing is loaded from
outside the server (offline by default) nor blocked by the Content-Security-Policy."""

from __future__ import annotations

import pytest

from .browser import MARKS, launch, open_page

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
def test_map_draws_boundaries_and_markers_offline(live_server, monkeypatch, settings):
    from playwright.sync_api import expect, sync_playwright

    from klaster.web.registry.models import Cluster, Membership, Organisation

    settings.KLASTER_PUBLIC_CACHE_SECONDS = 0
    org = Organisation.objects.create(name_en="Białystok Tech", id_scheme="OTHER",
                                      id_value="b-1", helix="business", latitude=53.13,
                                      longitude=23.16, approved=True)
    cluster = Cluster.objects.create(name_en="Podlaskie Metal", status="operating",
                                     published=True, coordinator_organisation=org)
    Membership.objects.create(organisation=org, cluster=cluster)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = launch(p)
        outside: list[str] = []
        page = open_page(browser, live_server.url, outside)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server.url}/map/")
        container = page.locator("#cluster-map")
        # The boundaries arrive by fetch after the page: allow for a busy test machine.
        expect(container).to_have_attribute("data-regions", "33", timeout=30_000)
        # 33 region outlines drawn as SVG paths, Podlaskie shaded (one cluster there).
        paths = container.locator(".leaflet-overlay-pane path")
        expect(paths).to_have_count(33)
        fills = paths.evaluate_all("ps => ps.map(p => p.getAttribute('fill'))")
        assert len(set(fills)) == 2  # the 0-class and the 1-class colours
        marker = container.locator(".km-marker[data-label='Podlaskie Metal']")
        expect(marker).to_have_count(1)
        expect(marker).to_have_attribute("tabindex", "0")
        marker.focus()
        page.keyboard.press("Enter")
        link = container.locator(".leaflet-popup a", has_text="Open the page")
        expect(link).to_have_attribute("href", f"/clusters/{cluster.pk}/")
        browser.close()
    assert outside == []
    assert errors == []
