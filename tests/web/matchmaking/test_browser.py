"""In headless Chromium (Debian package, Playwright): a representative signs in, creates a
partner request, sees the suggestions with their reasons and score breakdown, accepts one;
the contact is recorded and both sides are e-mailed (locmem outbox)."""

from __future__ import annotations

import pytest

from ..browser import MARKS, launch, open_page, sign_in, small_cluster

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
def test_representative_request_suggestions_accept(live_server, make_user, monkeypatch):
    from django.core import mail
    from playwright.sync_api import expect, sync_playwright

    from klaster.web.matchmaking.models import Contact
    from klaster.web.registry.models import Organisation

    ola = make_user("ola", email="ola@example.org")
    lab_rep = make_user("lab", email="lab@example.org")
    works = Organisation.objects.create(name_en="Narew Metal Works", id_scheme="OTHER",
                                        id_value="NMW", helix="business", approved=True,
                                        region="Podlaskie", industry_codes=["C25"])
    works.representatives.add(ola)
    lab = Organisation.objects.create(name_en="Białystok Laser Research Institute",
                                      id_scheme="OTHER", id_value="BLRI", helix="research",
                                      approved=True, region="Podlaskie",
                                      industry_codes=["M72"])
    lab.representatives.add(lab_rep)
    Organisation.objects.create(name_en="Suwałki Dairy", id_scheme="OTHER", id_value="SD",
                                helix="business", approved=True, region="Podlaskie",
                                industry_codes=["C10"])
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as p:
        browser = launch(p)
        outside = []
        page = open_page(browser, live_server.url, outside)
        sign_in(page, live_server.url, "ola")
        expect(page.locator("h1")).to_have_text("Workspace")

        page.click("header >> text=Networks and matchmaking")
        page.click('main >> text="Partner requests"')
        page.click("a.new-request:has-text('Narew Metal Works')")
        page.select_option("#id_kind", "seek")
        page.fill("#id_topic", "Laser research partner for coatings")
        page.fill("#id_description", "We seek R&D on laser cladding of machine parts.")
        page.click("#request-form button[type=submit]")
        expect(page.locator("h1")).to_have_text("Laser research partner for coatings")
        first = page.locator("#suggestions section.suggestion").first
        expect(first.locator("h3 a")).to_have_text("Białystok Laser Research Institute")
        expect(first.locator("ul.reasons li").first).to_be_visible()
        expect(first.locator(".breakdown .bar")).to_have_count(5)
        expect(page.locator("#relatedness-off")).to_be_visible()
        first.locator("button.accept").click()
        expect(page.locator(".message")).to_contain_text("Contact recorded")
        expect(page.locator("#contacts tbody")).to_contain_text(
            "Białystok Laser Research Institute")
        browser.close()
    assert outside == []
    contact = Contact.objects.get()
    assert (contact.candidate_organisation, contact.accepted_by) == (lab, ola)
    assert sorted(m.to[0] for m in mail.outbox) == ["lab@example.org", "ola@example.org"]


@pytest.mark.django_db(transaction=True)
def test_network_page_draws_and_opens_an_organisation(live_server, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    small_cluster()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as p:
        browser = launch(p)
        outside = []
        page = open_page(browser, live_server.url, outside)
        page.goto(f"{live_server.url}/matchmaking/networks/")
        page.click("text=Narew Valley")
        page.select_option("select[name=year]", "2024")
        page.click("#network-filters button[type=submit]")
        expect(page.locator("#network-summary")).to_have_attribute("data-edges", "1")
        expect(page.locator("#network-plot .main-svg").first).to_be_attached()
        expect(page.locator("#metrics-table")).to_contain_text("density")
        # A click on a node (plotly's event, as the plot emits it) opens the organisation.
        page.evaluate("""() => {
            const el = document.getElementById('network-plot');
            const trace = el.data.find(t => t.mode === 'markers');
            el.emit('plotly_click', {points: [{customdata: trace.customdata[0]}]});
        }""")
        expect(page.locator("h1")).to_have_text("Member 0")
        browser.close()
    assert outside == []
