"""In headless Chromium (Debian package, Playwright), in Polish and in Belarusian: the
privacy notice from the footer, the consent asked at sign-in under the consent basis, the
consent recorded with the notice version, and asked again when the notice changes."""

from __future__ import annotations

import pytest

from ..browser import MARKS, launch, open_page, sign_in

pytestmark = MARKS

TEXTS = {
    "pl": {"notice": "Informacja o ochronie danych", "agree": "Wyrażam zgodę",
           "rights": "Twoje prawa", "my_data": "Moje dane"},
    "be": {"notice": "Паведамленне аб прыватнасці", "agree": "Я згаджаюся",
           "rights": "Вашы правы", "my_data": "Мае даныя"},
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["pl", "be"])
def test_notice_and_consent_flow(live_server, make_user, monkeypatch, settings, lang):
    from playwright.sync_api import expect, sync_playwright

    from klaster.web.privacy.models import ConsentRecord

    settings.KLASTER_PRIVACY = {**settings.KLASTER_PRIVACY, "LEGAL_BASIS": "consent",
                                "NOTICE_VERSION": "2026-12", "CONTROLLER": "Podlaskie Agency",
                                "CONTACT": "privacy@example.org"}
    user = make_user("ola", email="ola@example.org")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    t = TEXTS[lang]
    with sync_playwright() as p:
        browser = launch(p)
        outside = []
        page = open_page(browser, live_server.url, outside)
        page.goto(live_server.url + "/clusters/")
        page.select_option("#language", lang)
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        # The notice, from the footer, before signing in.
        page.click(f"footer >> text={t['notice']}")
        expect(page.locator("h1")).to_have_text(t["notice"])
        expect(page.locator("#notice-controller")).to_contain_text("Podlaskie Agency")
        expect(page.locator("#notice-rights h2")).to_have_text(t["rights"])
        expect(page.locator("#notice-version")).to_have_text("2026-12")

        # Signing in leads to the consent first; the box must be ticked.
        sign_in(page, live_server.url, "ola")
        expect(page).to_have_url(f"{live_server.url}/privacy/accept/?next=%2Fworkspace%2F")
        expect(page.locator("#accept-form label")).to_contain_text(t["agree"])
        page.click("#accept-form button[type=submit]")
        expect(page).to_have_url(f"{live_server.url}/privacy/accept/?next=%2Fworkspace%2F")
        page.check("#id_agree")
        page.click("#accept-form button[type=submit]")
        expect(page).to_have_url(f"{live_server.url}/workspace/")
        expect(page.locator("header")).to_contain_text(t["my_data"])
        rec = ConsentRecord.objects.get(user=user)
        assert (rec.notice_version, rec.basis, rec.context) == ("2026-12", "consent", "notice")

        # A new notice version asks again.
        settings.KLASTER_PRIVACY = {**settings.KLASTER_PRIVACY, "NOTICE_VERSION": "2027-01"}
        page.goto(f"{live_server.url}/workspace/")
        expect(page).to_have_url(f"{live_server.url}/privacy/accept/?next=%2Fworkspace%2F")
        expect(page.locator("#notice-version")).to_have_text("2027-01")
        page.check("#id_agree")
        page.click("#accept-form button[type=submit]")
        expect(page).to_have_url(f"{live_server.url}/workspace/")
        browser.close()
    assert outside == []
    assert list(ConsentRecord.objects.filter(user=user).order_by("given")
                .values_list("notice_version", flat=True)) == ["2026-12", "2027-01"]
