"""Shared set-up of the platform's browser tests: Debian's Chromium driven by Playwright.

Each test module sets ``pytestmark = MARKS``; pages come from :func:`open_page`, which
records every request that would leave the live server (the platform loads nothing from
the network), and :func:`sign_in` logs a user in through the login form.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is absent (apt-get install chromium)"),
]


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def open_page(browser, base_url: str, outside: list[str]):
    """A page in a fresh context (its own cookies) that appends to ``outside`` the URL of
    every request not addressed to ``base_url``, and every Content-Security-Policy
    violation the browser reports (so each browser test also checks the policy)."""
    page = browser.new_context(locale="en-GB").new_page()
    page.on("request", lambda r: None if r.url.startswith(base_url) else outside.append(r.url))
    page.on("console", lambda m: outside.append(f"CSP: {m.text}")
            if "Content Security Policy" in m.text else None)
    return page


def sign_in(page, base_url: str, username: str, password: str | None = None) -> None:
    """Log in through the form; the password defaults to the ``make_user`` fixture's."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or f"pw-{username}-Long1")
    page.click("main button[type=submit]")


def small_cluster():
    """A published cluster "Narew Valley" with three members (business, research, public;
    joined 2022, 2023, 2024) and one 2024 project joining the first two: one tie."""
    import datetime as dt

    from klaster.web.registry.models import Cluster, Membership, Organisation, Project

    cluster = Cluster.objects.create(name_en="Narew Valley", status="operating",
                                     published=True)
    orgs = [Organisation.objects.create(name_en=f"Member {i}", id_scheme="OTHER",
                                        id_value=f"M{i}", helix=h, approved=True)
            for i, h in enumerate(["business", "research", "public"])]
    for i, o in enumerate(orgs):
        Membership.objects.create(organisation=o, cluster=cluster,
                                  joined=dt.date(2022 + i, 1, 1))
    project = Project.objects.create(cluster=cluster, title="Joint", start=dt.date(2024, 1, 1))
    project.partners.add(orgs[0], orgs[1])
    return cluster
