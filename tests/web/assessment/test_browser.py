"""A full call in headless Chromium (Debian package, Playwright), each role in its own
browser context: the administrator opens a call, the coordinator applies, fills the
self-assessment and submits, the administrator assigns an evaluator, the evaluator
scores, the administrator computes the consensus and grants the label, and a visitor
sees the label on the public cluster page."""

from __future__ import annotations

import datetime as dt

import pytest

from ..browser import MARKS, launch, open_page, sign_in

pytestmark = MARKS


# Self-contained data (no role groups from migrations, which another transactional test's
# flush may have removed): the administrator is a superuser, the coordinator is named on
# the cluster.
@pytest.mark.django_db(transaction=True)
def test_call_from_opening_to_label_on_public_page(live_server, rubric_text, monkeypatch):
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from playwright.sync_api import expect, sync_playwright

    from klaster.web.assessment.models import RubricEdition
    from klaster.web.registry.models import Cluster, Membership, Organisation

    User = get_user_model()
    User.objects.create_superuser("admin", password="pw-admin-Long1")
    for name in ("coord_a", "eva"):
        User.objects.create_user(name, password=f"pw-{name}-Long1")
    cluster = Cluster.objects.create(name_en="Published cluster", status="operating",
                                     published=True)
    cluster.coordinators.add(User.objects.get(username="coord_a"))
    for i, helix in enumerate(("business", "public")):
        org = Organisation.objects.create(name_en=f"Org {i}", id_scheme="OTHER",
                                          id_value=f"O-{i}", helix=helix, approved=True)
        Membership.objects.create(organisation=org, cluster=cluster)
    edition = RubricEdition(key="web-test", title="Web test label", content=rubric_text)
    edition.full_clean()
    edition.save()
    deadline = (timezone.localtime() + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    year = str(timezone.localdate().year)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    url = live_server.url

    with sync_playwright() as p:
        browser = launch(p)
        outside = []

        def as_user(name):
            page = open_page(browser, url, outside)
            sign_in(page, url, name)
            expect(page.locator("h1")).to_have_text("Workspace")
            return page

        admin = as_user("admin")
        admin.goto(f"{url}/assessment/")
        admin.click("text=New call")
        admin.select_option("#id_rubric", str(edition.pk))
        admin.fill("#id_title", "Cluster label call")
        admin.fill("#id_year", year)
        admin.fill("#id_deadline", deadline)
        admin.click("main form button[type=submit]")
        expect(admin.locator("h1")).to_have_text("Cluster label call")

        coord = as_user("coord_a")
        coord.goto(f"{url}/assessment/")
        coord.click("text=Cluster label call")
        coord.select_option("#id_cluster", label="Published cluster")
        coord.click("#apply-form button[type=submit]")
        expect(coord.locator(".message")).to_contain_text("Application created")
        # Registry values are shown computed (2 members), not as inputs.
        expect(coord.locator("#registry-values tbody tr").first).to_contain_text("2")
        coord.fill("#id_v_joint_products", "6")
        coord.fill("#id_u_joint_products", "https://example.org/products")
        coord.fill("#id_v_satisfaction", "4.2")
        coord.click("#self-form button[type=submit]")
        expect(coord.locator(".message")).to_contain_text("Self-assessment saved")
        coord.click("#submit-form button[type=submit]")
        expect(coord.locator(".message")).to_contain_text("Application submitted")
        app_url = coord.url

        admin.goto(app_url)
        admin.select_option("#id_evaluator", label="eva")
        admin.click("#assign-form button[type=submit]")
        expect(admin.locator("#assignments")).to_contain_text("eva")

        evaluator = as_user("eva")
        evaluator.goto(f"{url}/assessment/")
        evaluator.click("#my-assignments a")
        evaluator.fill("#id_v_joint_products", "5")
        evaluator.click("#score-form button[type=submit]")
        expect(evaluator.locator("#scores-submitted")).to_be_visible()

        admin.click("text=Consensus and decision")
        admin.click("#consensus-form button[type=submit]")
        # 5 products -> 10 points, satisfaction 4.2 -> 5 points: 15 of 15, Gold.
        expect(admin.locator("#result-total")).to_contain_text("15 / 15")
        expect(admin.locator("#result-level")).to_have_text("Gold")
        admin.select_option("#id_decision", "granted")
        admin.select_option("#id_level", "Gold")
        admin.click("#decision-form button[type=submit]")
        expect(admin.locator("#app-decision")).to_contain_text("Granted: Gold")

        visitor = browser.new_context(locale="en-GB").new_page()
        visitor.goto(f"{url}/clusters/{cluster.pk}/")
        expect(visitor.locator("#assessment-labels")).to_contain_text("Web test label: Gold")
        visitor.click("#assessment-labels >> text=assessment report")
        expect(visitor.locator("#result-total")).to_contain_text("15 / 15")
        browser.close()
    assert outside == []
