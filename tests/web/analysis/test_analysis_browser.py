"""End to end in headless Chromium (Debian package, Playwright): an analyst uploads a
small statistics CSV, watches the progress until the background worker finishes, sees the
map in the report, records a potential cluster and finds it in the workspace."""

from __future__ import annotations

import pytest

from ..browser import MARKS, launch, open_page, sign_in
from .conftest import SMALL_CSV

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
def test_analyst_journey(live_server, make_user, tmp_path, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    from klaster.web.analysis.tasks import start_worker_thread

    make_user("ana", group="Analysts")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    stats = tmp_path / "six-states.csv"
    stats.write_text(SMALL_CSV, encoding="utf-8")
    # The worker runs as in `klaster serve`: a thread beside the server, polling the queue.
    thread, stop = start_worker_thread(interval=0.5)
    try:
        with sync_playwright() as p:
            browser = launch(p)
            outside = []
            page = open_page(browser, live_server.url, outside)
            sign_in(page, live_server.url, "ana")

            page.click("header >> text=Analysis")
            page.click("text=Upload a statistics file")
            page.fill("#id_title", "Six states 2021")
            page.set_input_files("#id_file", str(stats))
            page.click("#upload-form button[type=submit]")
            expect(page.locator("h1")).to_have_text("Six states 2021")
            # The page polls the status endpoint and reloads itself when the run ends.
            # The report loads on demand (it weighs megabytes), into the frame.
            page.locator("#report-load").click(timeout=60_000)
            expect(page.locator("#report-frame")).to_be_visible()
            frame = page.frame_locator("#report-frame")
            expect(frame.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
            expect(frame.locator("path.choroplethlocation").first).to_be_attached()

            page.select_option("#f-cluster", label="Casino Hotels")
            page.click("#ranking button[type=submit]")
            first = page.locator("#ranking-table tbody tr").first
            expect(first.locator("td").first).to_have_text("Nevada")
            first.locator("button:has-text('Record as potential cluster')").click()
            expect(page.locator("h1")).to_have_text("Casino Hotels — Nevada")
            expect(page.locator(".message")).to_contain_text("potential cluster")

            page.click("header >> text=Workspace")
            expect(page.locator("main")).to_contain_text("Casino Hotels — Nevada")
            browser.close()
        assert outside == []
    finally:
        stop.set()
        thread.join(timeout=30)
