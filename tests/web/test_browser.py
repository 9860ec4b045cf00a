"""End to end in headless Chromium (Debian package, Playwright): a coordinator signs in,
creates a cluster, imports members (a bad row is rejected with its reason), publishes it,
finds it in the public directory and on the map, and switches the language."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .browser import MARKS, launch, open_page, sign_in

pytestmark = MARKS

HEADER = "id_scheme,id_value,name_en,helix,latitude,longitude,industry_codes,role\n"
GOOD = ("NIP,5260250274,Narew Dairy,business,53.17,22.07,C10,founder\n"
        "REGON,123456785,Łomża Food Institute,research,53.18,22.06,M72,member\n")
BAD = "NIP,5260250275,Broken Checksum Ltd,business,53.2,22.1,C10,member\n"


@pytest.mark.django_db(transaction=True)
def test_coordinator_journey(live_server, make_user, tmp_path, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    make_user("kasia", group="Cluster coordinators")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the live
    # server makes are in its own threads, and this test makes none after this point.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    bad_file = tmp_path / "members-bad.csv"
    bad_file.write_text(HEADER + GOOD + BAD, encoding="utf-8")
    good_file = tmp_path / "members.csv"
    good_file.write_text(HEADER + GOOD, encoding="utf-8")

    with sync_playwright() as p:
        browser = launch(p)
        # No request leaves the machine: everything is served by the live server.
        outside = []
        page = open_page(browser, live_server.url, outside)
        sign_in(page, live_server.url, "kasia")
        expect(page.locator("h1")).to_have_text("Workspace")

        page.click("text=New cluster")
        page.fill("#id_name_en", "Narew Food Valley")
        page.fill("#id_name_pl", "Dolina Żywności Narwi")
        page.select_option("#id_status", "operating")
        page.fill("#id_region", "Podlaskie")
        page.fill("#id_industry_codes", "C10, 10.51")
        page.click("main form button[type=submit]")
        expect(page.locator("h1")).to_have_text("Narew Food Valley")

        page.click("text=Import members (CSV or Excel)")
        page.set_input_files("#id_file", str(bad_file))
        page.click("main form button[type=submit]")
        errors = page.locator("#import-errors")
        expect(errors).to_contain_text("nothing was imported")
        expect(errors.locator("tbody tr")).to_have_count(1)
        expect(errors.locator("tbody tr td").nth(0)).to_have_text("4")
        expect(errors.locator("tbody tr td").nth(2)).to_contain_text("wrong check digit")

        page.set_input_files("#id_file", str(good_file))
        page.click("main form button[type=submit]")
        expect(page.locator(".message")).to_contain_text("2 members imported")

        page.check("#id_published")
        page.click("#cluster-form button[type=submit]")
        expect(page.locator(".message")).to_contain_text("Saved")

        # Public directory: search finds it; signed out so only published records show.
        page.click("header .account-toggle")
        page.click("header button:has-text('Sign out')")
        page.goto(live_server.url + reverse("portal:directory"))
        page.fill("#directory-q", "Narew")
        page.click("form[role=search] button[type=submit]")
        expect(page.locator("table.list tbody a")).to_have_text(["Narew Food Valley"])
        page.click("text=Narew Food Valley")
        expect(page.locator("h3.helix-group")).to_have_text(["Business 1",
                                                            "Research / university 1"])

        page.click("header >> text=Map of clusters")
        point = page.locator("#cluster-map .km-marker[data-label='Narew Food Valley']")
        expect(point).to_have_count(1)

        page.select_option("#language", "pl")
        expect(page.locator("h1")).to_have_text("Mapa klastrów")
        expect(page.locator("html")).to_have_attribute("lang", "pl")
        page.goto(live_server.url + reverse("portal:directory"))
        expect(page.locator("table.list tbody a").first).to_have_text("Dolina Żywności Narwi")
        browser.close()
    assert outside == []
