"""Every public and workspace page (tests/web/site_pages.py, built from the demo content)
in en, pl, be and ru at 390 px and 1280 px, in headless Chromium: axe-core finds no WCAG
2.1 A/AA violation, nothing scrolls sideways at 390 px, a full-page screenshot is saved
(test-artifacts/screenshots/<lang>/<width>/<who>-<page>.png, or under
$KLASTER_TEST_ARTIFACTS), and a pl/be/ru page shows no English UI text. Then the main
flows by keyboard alone.

One live server, one browser and one tab per person (public, coordinator, evaluator,
administrator, representative) serve all the parametrized cases; the language is the
cookie Django's language switcher sets. Without node_modules/axe-core (``npm ci``) the
tests skip, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from . import site_audit, site_pages
from .browser import MARKS, launch

pytestmark = MARKS
# The page cases only read: each runs in a transaction that is rolled back (django_db, not
# transactional), so what a page writes (a session's expiry) does not reach the next one,
# while the demo content the `site` fixture committed before stays. The mark also makes
# pytest-django create the test database. The keyboard flows write (sign-in, a message, a
# member) and are not marked: on SQLite the live server shares the test's connection, and
# those writes inside the test's transaction failed ("database table is locked").
READS = pytest.mark.django_db

# (who, name) of every page in site_pages.PAGES, in order, once: known at collection time
# (the URLs need the database; they are resolved by the `site` fixture).
PAGE_IDS = list(dict.fromkeys(f"{who}-{name}" for name, who, _u, _f in site_pages.PAGES))
CASES = [(lang, width, page_id) for lang in site_audit.LANGS for width in site_audit.WIDTHS
         for page_id in PAGE_IDS]


@pytest.fixture(scope="module")
def axe_ready():
    reason = site_audit.axe_missing_reason()
    if reason is not None:
        if site_audit.in_ci():
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)


class Site:
    """The live server's URL, the audited pages, one tab per person, the content values."""

    def __init__(self, base_url, pages, tabs, data):
        self.base_url, self.pages, self.tabs, self.data = base_url, pages, tabs, data

    def tab(self, who: str, lang: str):
        tab = self.tabs[who]
        tab.context.add_cookies([{"name": "django_language", "value": lang,
                                  "url": self.base_url}])
        return tab


def _require_test_database() -> None:
    """The fixture empties the database: never one that is not pytest-django's test
    database (it is made only when a selected test is marked django_db: run at least one
    page case with the keyboard tests)."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()) and not (
            Path(name).name.startswith("test_")):
        pytest.fail(f"no test database (the database is {name!r}): select at least one "
                    "test_page case too", pytrace=False)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The demo content in the test database for this module's tests (removed after them),
    its own live server, and a signed-in tab for each person.

    Not pytest-django's ``live_server`` fixture: a test that uses it gets
    ``transactional_db``, which empties every table after each test, so every case after
    the first saw an empty platform (0 clusters; the representative's organisation 404).
    The cases here only read, so the content is loaded once, and the tables are emptied
    before (whatever earlier tests left) and after (for the tests that follow)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from pytest_django.live_server_helper import LiveServer

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are made
    # before and after the pages are driven.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with django_db_blocker.unblock():
            _require_test_database()
            site_pages.empty_database()
            site_pages.load_demo_content()
            pages = {p.id: p for p in site_pages.site_pages()}
            data = site_audit.content_values()
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            try:
                with sync_api.sync_playwright() as pw:
                    browser = launch(pw)
                    try:
                        tabs = site_pages.open_tabs(browser, server.url)
                        yield Site(server.url, pages, tabs, data)
                    finally:
                        browser.close()
            finally:
                server._live_server_modified_settings.disable()
                server.stop()
                site_pages.empty_database()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@READS
@pytest.mark.parametrize(("lang", "width", "page_id"), CASES,
                         ids=[f"{lang}-{width}-{pid}" for lang, width, pid in CASES])
def test_page(axe_ready, site, lang, width, page_id):
    if page_id not in site.pages:
        pytest.skip(f"{page_id}: not a page of this branch yet "
                    f"(URL names absent: {', '.join(site_pages.missing_url_names())})")
    page = site.pages[page_id]
    who = page_id.split("-", 1)[0]
    result = site_audit.audit(site.tab(who, lang), site.base_url + page.url, page_id, lang,
                              width, site.data)
    problems = result.problems()
    assert not problems, f"{page.url} as {who}, {lang}, {width} px:\n{problems}"


@READS
def test_the_english_check_finds_english(axe_ready, site):
    """The untranslated-text check can fail: on the English directory page it finds the
    catalogue's English UI texts and the English function words."""
    tab = site.tab("public", "en")
    tab.set_viewport_size({"width": 1280, "height": site_audit.HEIGHT})
    tab.goto(site.base_url + site.pages["public-directory"].url)
    texts = tab.evaluate(site_audit.COLLECT)
    left = site_audit.english_left(texts, "pl", site.data)
    assert {"Cluster directory", "Language"} <= set(left), sorted(left)
    # ... and finds none of it once the page is in Polish
    tab = site.tab("public", "pl")
    tab.goto(site.base_url + site.pages["public-directory"].url)
    assert "Cluster directory" not in site_audit.english_left(
        tab.evaluate(site_audit.COLLECT), "pl", site.data)


# --- keyboard only ---------------------------------------------------------------------

ACTIVE = """() => { const a = document.activeElement; if (!a || a === document.body) return '';
  return a.tagName.toLowerCase() + (a.id ? '#' + a.id : '') + ' ' +
         (a.getAttribute('aria-label') || a.textContent || a.value || '').trim().slice(0, 40); }"""


def tab_to(page, selector: str, limit: int = 120) -> list[str]:
    """Press Tab until the focused element matches ``selector``; returns the elements
    passed on the way. Fails naming them when it is not reached within ``limit``."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)",
                         selector):
            return seen
        seen.append(page.evaluate(ACTIVE))
    raise AssertionError(f"{selector} not reached by Tab; focus went through: {seen}")


def _enter(tab, selector: str, limit: int = 120) -> None:
    """Tab to ``selector`` and follow it with Enter (a link or a form's button)."""
    tab_to(tab, selector, limit)
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


def _fill_by_tab(tab, values: dict[str, str]) -> None:
    """Type into the focused field, then Tab to the next: the fields must come in the
    order of ``values`` (element id -> text)."""
    for n, (field_id, text) in enumerate(values.items()):
        if n:
            tab.keyboard.press("Tab")
        focused = tab.evaluate("document.activeElement.id")
        assert focused == field_id, f"Tab reached #{focused}, expected #{field_id}"
        tab.keyboard.type(text)


def _keyboard_tab(site):
    return site.tabs["public"].context.browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": site_audit.HEIGHT}).new_page()


def test_keyboard_only(site):
    """Skip link, menu, directory filters, language switcher and sign-in without a mouse,
    at 390 px (where a header menu is folded) in a fresh tab."""
    from playwright.sync_api import expect

    tab = _keyboard_tab(site)
    base = site.base_url
    directory = base + site.pages["public-directory"].url
    tab.goto(directory)
    # 1. The first Tab reaches a visible "skip to content" link; Enter moves to <main>.
    tab.keyboard.press("Tab")
    skip = tab.evaluate("""() => { const a = document.activeElement;
        return a && a.matches('a[href^="#"]') ? a.getAttribute('href') : null; }""")
    assert skip, f"the first Tab stops on {tab.evaluate(ACTIVE)!r}, not a skip link"
    assert tab.locator(f"main{skip}, {skip} main, main:has({skip}), {skip}").count(), skip
    assert tab.evaluate("() => { const r = document.activeElement.getBoundingClientRect();"
                        " return r.width > 0 && r.height > 0; }"), "skip link not visible"
    tab.keyboard.press("Enter")
    tab.keyboard.press("Tab")
    assert tab.evaluate("() => !!document.activeElement.closest('main')"), (
        f"after the skip link, Tab goes to {tab.evaluate(ACTIVE)!r}, outside <main>")

    # 2. The header menu: a folded menu opens with the keyboard; every header link is
    #    reachable by Tab.
    tab.goto(directory)
    toggles = tab.locator("header [aria-expanded]:visible")
    if toggles.count():
        tab_to(tab, "header [aria-expanded]")
        tab.keyboard.press("Enter")
        expect(toggles.first).to_have_attribute("aria-expanded", "true")
    links = tab.locator("header nav a:visible")
    assert links.count() >= 5, "the header menu shows fewer than 5 links"
    tab_to(tab, "header a[href$='/map/']")

    # 3. The directory's filters: type a search, submit with Enter.
    tab.goto(directory)
    tab_to(tab, "main form input[type=search], main form input[name=q]")
    tab.keyboard.type("Metal")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert "q=Metal" in tab.url, tab.url
    expect(tab.locator("main")).to_contain_text("Metal Processing Cluster")

    # 4. The language switcher: Polish chosen by keyboard.
    tab_to(tab, "#language, [name=language]")
    if tab.evaluate("document.activeElement.tagName") == "SELECT":
        with tab.expect_navigation():
            tab.keyboard.press("ArrowDown")  # en -> pl, the next in settings.LANGUAGES
    else:
        tab_to(tab, "[hreflang=pl], [name=language][value=pl], [lang=pl]")
        with tab.expect_navigation():
            tab.keyboard.press("Enter")
    expect(tab.locator("html")).to_have_attribute("lang", "pl")

    # 5. Sign in: the fields and the button by Tab, the form sent with Enter.
    tab.goto(base + site.pages["public-login"].url)
    tab_to(tab, "#id_username")
    tab.keyboard.type(site_pages.USERS["coordinator"])
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.id") == "id_password"
    tab.keyboard.type(site_pages.DEMO_PASSWORD)
    tab_to(tab, "main button[type=submit]", limit=5)
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert "/accounts/login/" not in tab.url, tab.url
    expect(tab.locator("header")).to_contain_text(site_pages.USERS["coordinator"])
    tab.context.close()


def test_keyboard_contact_a_cluster(site):
    """Directory -> cluster profile -> "Contact this cluster" -> the form filled and sent,
    by keyboard alone at 390 px: the coordinator gets the message."""
    from django.core import mail
    from playwright.sync_api import expect

    tab = _keyboard_tab(site)
    cluster_url = site.pages["public-cluster"].url
    tab.goto(site.base_url + site.pages["public-directory"].url)
    _enter(tab, f"#directory-table a[href='{cluster_url}']")
    assert tab.url == site.base_url + cluster_url, tab.url
    _enter(tab, "main a[href$='/contact/']")
    assert tab.url == site.base_url + site.pages["public-cluster-contact"].url, tab.url
    tab_to(tab, "#contact-form input, #contact-form textarea")
    _fill_by_tab(tab, {"id_name": "Jan Kowalski", "id_email": "jan@example.org",
                       "id_subject": "Joint project",
                       "id_message": "We would like to join a project on metal recycling."})
    sent = len(mail.outbox)
    _enter(tab, "#contact-form button[type=submit]", limit=5)
    assert tab.url == site.base_url + cluster_url, f"the form was not accepted: {tab.url}"
    expect(tab.locator("main [role=alert], main .alert").first).to_be_visible()
    assert len(mail.outbox) == sent + 1
    assert mail.outbox[-1].to == [f"{site_pages.USERS['coordinator']}@example.org"]
    assert "Joint project" in mail.outbox[-1].subject + mail.outbox[-1].body
    tab.context.close()


def test_keyboard_add_a_member(site):
    """Sign in -> workspace -> the cluster's page -> "Add a member": an existing
    organisation found by the search field and chosen from the list by typing, the member added, by keyboard alone.
    (The membership it adds stays until the module's content is removed; the page tests
    come before this one.)"""
    from playwright.sync_api import expect

    tab = _keyboard_tab(site)
    base = site.base_url
    tab.goto(base + site.pages["public-login"].url)
    tab_to(tab, "#id_username")
    _fill_by_tab(tab, {"id_username": site_pages.USERS["coordinator"],
                       "id_password": site_pages.DEMO_PASSWORD})
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    toggles = tab.locator("header [aria-expanded]:visible")
    if toggles.count():  # the folded menu at 390 px
        tab_to(tab, "header [aria-expanded]")
        tab.keyboard.press("Enter")
    _enter(tab, "header a[href$='/workspace/']")
    edit_url = site.pages["coordinator-cluster-edit"].url
    _enter(tab, f"main a[href='{edit_url}']")
    tab_to(tab, "#add-member summary")
    tab.keyboard.press("Enter")
    expect(tab.locator("#add-member")).to_have_attribute("open", "")
    # The list offers the organisations found by the search field (at most 50), not the
    # whole registry: find first, then choose.
    tab_to(tab, "#member-find-text")
    tab.keyboard.type("Marshal Office")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    expect(tab.locator("#add-member")).to_have_attribute("open", "")
    tab_to(tab, "#member_organisation")
    tab.keyboard.type("Marshal Office")  # a closed <select> jumps to the typed option
    assert tab.evaluate("document.activeElement.selectedOptions[0].text").startswith(
        "Marshal Office"), tab.evaluate("document.activeElement.selectedOptions[0].text")
    _enter(tab, "#member-form button[type=submit]")
    expect(tab.locator("main")).to_contain_text(
        "Member added: Marshal Office of Podlaskie Voivodeship")
    tab.context.close()
