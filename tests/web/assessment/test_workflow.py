"""The assessment workflow through the pages, and every forbidden path (403/404/refusal).

Expected scores are worked out by hand from rubric_test.yaml: gate "members ≥ 2";
area Cooperation = joint products (bands [0,2) 0 pt, [2,5) 5 pt, ≥5 10 pt) + member
satisfaction (≥ 4 → 5 pt), maximum 15 points; Silver from 50 %, Gold from 80 %; 3 years.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from klaster.messages import render
from klaster.web.assessment.models import (
    Application,
    EvaluatorAssignment,
    Evidence,
    Label,
)

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def apply_and_submit(world, *, products=3.0, satisfaction=4.5, with_document=True):
    """Coordinator applies, fills the self-assessment and submits; returns the application."""
    coord = login(world["coord_a"])
    r = coord.post(reverse("assessment:apply", args=[world["call"].pk]),
                   {"cluster": world["published"].pk})
    assert r.status_code == 302
    app = Application.objects.get(call=world["call"], cluster=world["published"])
    data = {"v_joint_products": products, "n_joint_products": "three products",
            "v_satisfaction": satisfaction, "u_satisfaction": "https://example.org/survey"}
    if with_document:
        data["f_joint_products"] = SimpleUploadedFile("products.pdf", b"%PDF-1.4 list",
                                                      content_type="application/pdf")
    r = coord.post(reverse("assessment:application", args=[app.pk]), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    r = coord.post(reverse("assessment:submit", args=[app.pk]))
    assert r.status_code == 302
    app.refresh_from_db()
    return app


def test_full_call_to_label_and_history(world):
    app = apply_and_submit(world)
    assert app.status == "submitted"
    # Registry-derived values are computed, not typed: Org A and Org C, no profile.
    assert app.registry_values["members"] == 2
    assert app.registry_values["management_fte"] is None

    admin = login(world["admin"])
    for ev in (world["ev1"], world["ev2"]):
        r = admin.post(reverse("assessment:assign", args=[app.pk]), {"evaluator": ev.pk})
        assert r.status_code == 302
    assert app.assignments.count() == 2
    # Evaluators score 4 and 7 joint products: median 5.5 -> band >= 5 -> 10 points.
    for ev, value in ((world["ev1"], 4), (world["ev2"], 7)):
        a = EvaluatorAssignment.objects.get(application=app, evaluator=ev)
        r = login(ev).post(reverse("assessment:assignment", args=[a.pk]),
                           {"v_joint_products": value, "comment": "ok"})
        assert r.status_code == 302
    r = admin.post(reverse("assessment:decide", args=[app.pk]), {"action": "consensus"})
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.consensus_values["joint_products"] == 5.5
    # 10 (products) + 5 (satisfaction 4.5 >= 4) = 15 of 15 -> 100 % -> Gold.
    assert app.result["total"] == 15 and app.result["max_total"] == 15
    assert app.result["level"] == "Gold"
    r = admin.post(reverse("assessment:decide", args=[app.pk]),
                   {"action": "decide", "decision": "granted", "level": "Gold",
                    "note": "Meets all criteria.", "publish": "on"})
    assert r.status_code == 302
    label = Label.objects.get(application=app)
    today = timezone.localdate()
    # Valid 3 years: until the day before the third anniversary.
    assert label.valid_until == (today.replace(year=today.year + 3) - dt.timedelta(days=1)
                                 if not (today.month == 2 and today.day == 29)
                                 else dt.date(today.year + 3, 2, 28))
    public = Client().get(reverse("portal:cluster", args=[world["published"].pk]))
    assert "Web test label: Gold" in public.content.decode()
    # Every step is in the audit history, with who did it.
    users = set(app.history.values_list("history_user__username", flat=True))
    assert {"coord_a", "admin"} <= users
    statuses = list(app.history.order_by("history_date").values_list("status", flat=True))
    assert statuses[0] == "draft" and statuses[-1] == "decided" and "submitted" in statuses
    assert label.history.get().history_user.username == "admin"
    assert EvaluatorAssignment.history.filter(history_user__username="eva").exists()


def test_registry_values_are_read_only(world):
    app = apply_and_submit(world)
    page = login(world["coord_a"]).get(reverse("assessment:application", args=[app.pk]))
    html = page.content.decode()
    assert 'name="v_members"' not in html
    assert "Organisations that are members at year end" in html  # how it is computed


def test_document_required_where_the_rubric_says(world):
    coord = login(world["coord_a"])
    coord.post(reverse("assessment:apply", args=[world["call"].pk]),
               {"cluster": world["published"].pk})
    app = Application.objects.get(cluster=world["published"])
    coord.post(reverse("assessment:application", args=[app.pk]), {"v_joint_products": 3})
    r = coord.post(reverse("assessment:submit", args=[app.pk]), follow=True)
    assert "A document or link is required for: Joint products" in r.content.decode()
    app.refresh_from_db()
    assert app.status == "draft"


def test_submission_after_deadline_refused(world):
    coord = login(world["coord_a"])
    coord.post(reverse("assessment:apply", args=[world["call"].pk]),
               {"cluster": world["published"].pk})
    app = Application.objects.get(cluster=world["published"])
    Evidence.objects.create(application=app, indicator="joint_products", value=3,
                            url="https://example.org/list")
    call = world["call"]
    call.deadline = timezone.now() - dt.timedelta(minutes=1)
    call.save()
    r = coord.post(reverse("assessment:submit", args=[app.pk]), follow=True)
    assert "deadline of this call has passed" in r.content.decode()
    app.refresh_from_db()
    assert app.status == "draft" and app.submitted is None


def test_coordinator_of_another_cluster_is_refused(world):
    other = login(world["coord_b"])
    r = other.post(reverse("assessment:apply", args=[world["call"].pk]),
                   {"cluster": world["published"].pk})
    assert r.status_code == 403
    assert not Application.objects.exists()
    app = apply_and_submit(world)
    assert other.get(reverse("assessment:application", args=[app.pk])).status_code == 404
    assert other.post(reverse("assessment:application", args=[app.pk]),
                      {"v_joint_products": 99}).status_code == 404
    assert other.post(reverse("assessment:appeal", args=[app.pk]),
                      {"reason": "x"}).status_code == 404
    # ... and an evaluator cannot act as the coordinator.
    assert login(world["stranger"]).post(reverse("assessment:assign", args=[app.pk]),
                                         {"evaluator": world["ev1"].pk}).status_code == 403


def test_conflict_of_interest_refused(world):
    from klaster.web.registry.models import Membership, Organisation

    app = apply_and_submit(world)
    admin = login(world["admin"])
    # rep_a represents Org A, a current member.
    r = admin.post(reverse("assessment:assign", args=[app.pk]),
                   {"evaluator": world["rep_a"].pk}, follow=True)
    assert "Conflict of interest" in r.content.decode()
    # A coordinator of the cluster.
    r = admin.post(reverse("assessment:assign", args=[app.pk]),
                   {"evaluator": world["coord_a"].pk}, follow=True)
    assert "Conflict of interest" in r.content.decode()
    assert not app.assignments.exists()
    # Former member that left 2 years ago: still a conflict; 4 years ago: none.
    today = timezone.localdate()
    for years, refused in ((2, True), (4, False)):
        org = Organisation.objects.create(name_en=f"Old {years}", id_scheme="OTHER",
                                          id_value=f"OLD-{years}", helix="business")
        user = world["ev1"] if refused else world["ev2"]
        org.representatives.add(user)
        Membership.objects.create(organisation=org, cluster=world["published"],
                                  joined=dt.date(today.year - 8, 1, 1),
                                  left=dt.date(today.year - years, today.month, 1))
        admin.post(reverse("assessment:assign", args=[app.pk]), {"evaluator": user.pk})
        assert app.assignments.filter(evaluator=user).exists() is not refused
    # The model refuses it too, whatever the caller (admin site, shell, commands).
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError, match="Conflict of interest"):
        EvaluatorAssignment.objects.create(application=app, evaluator=world["rep_a"])


def test_evaluators_score_independently(world):
    app = apply_and_submit(world)
    admin = login(world["admin"])
    for ev in (world["ev1"], world["ev2"]):
        admin.post(reverse("assessment:assign", args=[app.pk]), {"evaluator": ev.pk})
    a1 = EvaluatorAssignment.objects.get(evaluator=world["ev1"])
    a2 = EvaluatorAssignment.objects.get(evaluator=world["ev2"])
    e1, e2 = login(world["ev1"]), login(world["ev2"])
    e2.post(reverse("assessment:assignment", args=[a2.pk]), {"v_joint_products": 7})
    # eva has not submitted: she sees neither ewa's page nor ewa's scores on hers.
    assert e1.get(reverse("assessment:assignment", args=[a2.pk])).status_code == 404
    page = e1.get(reverse("assessment:assignment", args=[a1.pk]))
    assert list(page.context["scores"]) == []
    assert 'id="scores"' not in page.content.decode()
    # The report (consensus result) is not open to her either.
    admin.post(reverse("assessment:decide", args=[app.pk]), {"action": "consensus"})
    assert e1.get(reverse("assessment:report", args=[app.pk])).status_code == 404
    e1.post(reverse("assessment:assignment", args=[a1.pk]), {"v_joint_products": 4})
    page = e1.get(reverse("assessment:assignment", args=[a1.pk]))
    assert [s.evaluator.username for s in page.context["scores"]] == ["ewa"]
    # Submitted scores are final.
    assert e1.post(reverse("assessment:assignment", args=[a1.pk]),
                   {"v_joint_products": 9}).status_code == 403
    a1.refresh_from_db()
    assert a1.values == {"joint_products": 4.0}
    # The coordinator never sees individual scores.
    assert login(world["coord_a"]).get(
        reverse("assessment:assignment", args=[a1.pk])).status_code == 404


def _scored(world, products):
    """Applied, scored by one evaluator (joint products = ``products``), consensus
    computed; returns the application and the administrator's client."""
    app = apply_and_submit(world)
    admin = login(world["admin"])
    admin.post(reverse("assessment:assign", args=[app.pk]), {"evaluator": world["ev1"].pk})
    a = EvaluatorAssignment.objects.get(evaluator=world["ev1"])
    login(world["ev1"]).post(reverse("assessment:assignment", args=[a.pk]),
                             {"v_joint_products": products})
    admin.post(reverse("assessment:decide", args=[app.pk]), {"action": "consensus"})
    app.refresh_from_db()
    return app, admin


def _decided(world, publish):
    app, admin = _scored(world, products=1)
    data = {"action": "decide", "decision": "refused", "level": "", "note": "Too few."}
    if publish:
        data["publish"] = "on"
    admin.post(reverse("assessment:decide", args=[app.pk]), data)
    app.refresh_from_db()
    return app


def test_anonymous_sees_only_published_results(world):
    app = _decided(world, publish=False)
    assert app.decision == "refused" and not app.published
    anon = Client()
    for name in ("report", "report_pdf", "application"):
        assert anon.get(reverse(f"assessment:{name}", args=[app.pk])).status_code == 404
    assert login(world["stranger"]).get(
        reverse("assessment:report", args=[app.pk])).status_code == 404
    # The coordinator sees the decided result.
    assert login(world["coord_a"]).get(
        reverse("assessment:report", args=[app.pk])).status_code == 200
    app.published = True
    app.save()
    r = anon.get(reverse("assessment:report", args=[app.pk]))
    assert r.status_code == 200
    # 1 joint product -> band [0,2) -> 0 points; satisfaction 4.5 -> 5: total 5 of 15.
    assert app.result["total"] == 5
    html = r.content.decode()
    for line in app.result["explanation"]:
        assert isinstance(line, dict)  # stored as a message: code + parameters
        assert escape(render(line)) in html
    # Evidence files stay private: listed by name without a download link.
    ev = app.evidence.exclude(file="").get()
    assert reverse("assessment:evidence", args=[ev.pk]) not in html
    assert anon.get(reverse("assessment:evidence", args=[ev.pk])).status_code == 404


def test_appeal_within_window_and_resolution(world):
    app = _decided(world, publish=True)
    coord = login(world["coord_a"])
    r = coord.post(reverse("assessment:appeal", args=[app.pk]), {"reason": "Products missed."})
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.status == "appealed"
    appeal = app.appeals.get()
    r = login(world["admin"]).post(reverse("assessment:appeal_resolve", args=[appeal.pk]),
                                   {"upheld": "1", "resolution": "Re-evaluate."})
    appeal.refresh_from_db()
    assert appeal.status == "upheld" and appeal.history.count() == 2
    # Outside the window: refused.
    app.status = "decided"
    app.decided = timezone.now() - dt.timedelta(days=app.call.appeal_days + 1)
    app.save()
    r = coord.post(reverse("assessment:appeal", args=[app.pk]), {"reason": "Late"}, follow=True)
    assert "appeal window closed" in r.content.decode()
    assert app.appeals.count() == 1


def test_report_pdf_is_valid_and_contains_the_total(world):
    pypdf = pytest.importorskip("pypdf")
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:  # Pango is loaded at import
        pytest.skip(f"WeasyPrint cannot load Pango ({exc}); apt-get install "
                    "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core")
    app = _decided(world, publish=True)
    r = Client().get(reverse("assessment:report_pdf", args=[app.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(r.content)).pages)
    assert "5 / 15" in text  # total of points / maximum
    assert "Test assumption" in text and "Constructed for the klaster web tests" in text
    assert "joint_products: " in text and "three products" in text  # evidence listed
    assert "Not passed: 33.33 % is below the lowest level (Silver, 50 %)." in text
    assert "At least 2 members 2 >= 2 0 passed" in text  # gate: value, requirement, gap


def test_upheld_appeal_leads_to_a_new_decision(world):
    app = _decided(world, publish=True)  # refused: 5 of 15
    login(world["coord_a"]).post(reverse("assessment:appeal", args=[app.pk]),
                                 {"reason": "A second opinion, please."})
    admin = login(world["admin"])
    admin.post(reverse("assessment:appeal_resolve", args=[app.appeals.get().pk]),
               {"upheld": "1", "resolution": "A second evaluator."})
    admin.post(reverse("assessment:assign", args=[app.pk]), {"evaluator": world["ev2"].pk})
    a2 = EvaluatorAssignment.objects.get(application=app, evaluator=world["ev2"])
    login(world["ev2"]).post(reverse("assessment:assignment", args=[a2.pk]),
                             {"v_joint_products": 6})
    admin.post(reverse("assessment:decide", args=[app.pk]), {"action": "consensus"})
    app.refresh_from_db()
    # Median of 1 and 6 = 3.5 -> band [2, 5) -> 5 points; + 5 (satisfaction) = 10 of 15.
    assert app.consensus_values["joint_products"] == 3.5
    assert app.result["total"] == 10 and app.result["level"] == "Silver"
    admin.post(reverse("assessment:decide", args=[app.pk]),
               {"action": "decide", "decision": "granted", "level": "Silver", "publish": "on"})
    app.refresh_from_db()
    assert app.decision == "granted" and app.label.level == "Silver"
    statuses = list(app.history.order_by("history_date").values_list("status", flat=True))
    assert "appealed" in statuses and statuses[-1] == "decided"


# --- decisions that depart from the computed result (issue 12) -----------------------------

def test_the_decision_form_has_no_default_outcome(world):
    app, admin = _scored(world, products=1)
    html = admin.get(reverse("assessment:decide", args=[app.pk])).content.decode()
    select = html[html.index('name="decision"'):]
    select = select[:select.index("</select>")]
    assert 'value="" selected' in select
    assert 'value="granted" selected' not in select and 'value="refused" selected' not in select
    r = admin.post(reverse("assessment:decide", args=[app.pk]),
                   {"action": "decide", "level": "", "note": "", "publish": "on"})
    assert r.status_code == 200
    app.refresh_from_db()
    assert app.decision == "" and app.status == "submitted"


def test_granting_a_result_that_did_not_pass_needs_reasons_and_is_marked(world):
    app, admin = _scored(world, products=1)  # 0 + 5 of 15 = 33 %: not passed
    assert app.result["passed"] is False
    url = reverse("assessment:decide", args=[app.pk])
    r = admin.post(url, {"action": "decide", "decision": "granted", "level": "Silver",
                         "note": "   ", "publish": "on"})
    assert r.status_code == 200 and "Give the reasons" in r.content.decode()
    app.refresh_from_db()
    assert app.decision == "" and not Label.objects.exists()
    reasons = "The ministry counts the 2024 joint products the evaluator could not see."
    r = admin.post(url, {"action": "decide", "decision": "granted", "level": "Silver",
                         "note": reasons, "publish": "on"})
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.decision == "granted" and app.departs_from_result
    assert app.label.departs_from_result
    report = Client().get(reverse("assessment:report", args=[app.pk])).content.decode()
    assert "departs from the computed result" in report and escape(reasons) in report
    assert "Reasons for departing from the computed result" in report
    cluster_page = Client().get(reverse("portal:cluster", args=[world["published"].pk]))
    assert "granted against the computed result" in cluster_page.content.decode()
    # The database refuses a departure without reasons, whatever writes it.
    from django.db import IntegrityError, transaction
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=app.pk).update(decision_note="")


def test_a_decision_that_agrees_needs_no_reasons_and_is_not_marked(world):
    app, admin = _scored(world, products=1)
    r = admin.post(reverse("assessment:decide", args=[app.pk]),
                   {"action": "decide", "decision": "refused", "level": "", "note": "",
                    "publish": "on"})
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.decision == "refused" and not app.departs_from_result
    report = Client().get(reverse("assessment:report", args=[app.pk])).content.decode()
    assert "departs from the computed result" not in report


def test_departure_rule():
    from klaster.web.assessment.services import departure

    passed = {"passed": True, "level": "Gold"}
    failed = {"passed": False, "level": None}
    assert departure(passed, "granted", "Gold") is None
    assert departure(failed, "refused", "") is None
    assert departure(failed, "granted", "Silver")
    assert departure(passed, "refused", "")
    assert departure(passed, "granted", "Silver")  # another level than computed
