"""Reminders (locmem mail), KPI snapshots and dashboard, member survey (≥ 5 answers),
query counts of list pages, translations."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.templatetags.static import static
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from klaster.web import assets
from klaster.web.assessment.models import (
    Application,
    Call,
    EvaluatorAssignment,
    KpiSnapshot,
    Label,
    Survey,
    SurveyResponse,
)
from klaster.web.registry.models import Cluster, Membership, Organisation

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_reminders_for_expiring_labels_and_pending_evaluators(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    today = timezone.localdate()
    soon = Application.objects.create(call=world["call"], cluster=world["published"],
                                      status="decided", decision="granted", level="Gold")
    Label.objects.create(cluster=world["published"], application=soon, scheme="Web test label",
                         level="Gold", granted=today - dt.timedelta(days=1000),
                         valid_until=today + dt.timedelta(days=20))
    later = Application.objects.create(call=world["call"], cluster=world["hidden"],
                                       status="submitted")
    Label.objects.create(cluster=world["hidden"], application=later, scheme="Other",
                         level="Silver", granted=today, valid_until=today + dt.timedelta(days=400))
    EvaluatorAssignment.objects.create(application=later, evaluator=world["ev1"])
    done = EvaluatorAssignment.objects.create(application=later, evaluator=world["ev2"],
                                              submitted=timezone.now())
    assert done.submitted

    call_command("assessment_reminders", "--days", "30", stdout=io.StringIO())
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipient) == {("coord_a@example.org",), ("eva@example.org",)}
    assert "expires" in by_recipient[("coord_a@example.org",)].subject
    assert "Hidden cluster" in by_recipient[("eva@example.org",)].body
    # The label is reminded once; the evaluator again while the work is pending.
    mail.outbox.clear()
    call_command("assessment_reminders", "--days", "30", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [["eva@example.org"]]
    assert Label.objects.get(application=soon).history.count() == 2


def test_kpi_snapshots_command_dashboard_and_peers(world):
    year = timezone.localdate().year
    call_command("kpi_snapshots", "--year", str(year), stdout=io.StringIO())
    rows = dict(KpiSnapshot.objects.filter(cluster=world["published"], year=year)
                .values_list("kpi", "value"))
    assert rows["members"] == 2  # Org A and Org C
    assert rows["member_satisfaction"] is None  # no survey with 5 answers
    assert KpiSnapshot.objects.filter(cluster=world["hidden"], kpi="members").get().value == 1
    page = Client().get(reverse("assessment:dashboard", args=[world["published"].pk]))
    assert page.status_code == 200
    position = {r["kpi"]: r for r in page.context["position"]}
    # The anonymous visitor compares among visible (published) clusters only: 1 peer.
    assert position["members"]["n_peers"] == 1 and position["members"]["percentile"] == 50
    admin_page = login(world["admin"]).get(
        reverse("assessment:dashboard", args=[world["published"].pk]))
    # Among both clusters: 2 members vs 1 -> (1 + 0.5) / 2 = 75th percentile.
    assert {r["kpi"]: r for r in admin_page.context["position"]}["members"]["percentile"] == 75
    html = page.content.decode()
    # plotly.js: a shared static file (klaster.web.assets), not a view of its own.
    assert f'data-plotly="{static(assets.plotly_static())}" defer' in html and "cdn" not in html.lower()
    # A hidden cluster's dashboard is not disclosed.
    assert Client().get(reverse("assessment:dashboard",
                                args=[world["hidden"].pk])).status_code == 404


def test_kpi_dashboard_in_polish_shows_labels_not_keys(world):
    from klaster.assessment.labels import INDICATOR_LABELS

    year = timezone.localdate().year
    call_command("kpi_snapshots", "--year", str(year), stdout=io.StringIO())
    KpiSnapshot.objects.filter(cluster=world["published"], kpi="joint_projects_value").update(
        value=830000)
    page = Client().get(reverse("assessment:dashboard", args=[world["published"].pk]),
                        HTTP_ACCEPT_LANGUAGE="pl")
    html = page.content.decode()
    # The data (JSON for the charts) carries keys; what a person reads must not.
    text = re.sub(r"<script.*?</script>", "", html, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", text)
    stored = set(KpiSnapshot.objects.values_list("kpi", flat=True))
    assert stored and not [k for k in stored if re.search(rf"\b{k}\b", text)]
    assert "Wartość wspólnych projektów" in text and "Członkowie: biznes" in text
    assert "830\u00a0000\u00a0€" in text and "830000" not in text
    # Small multiples: one chart per KPI with values, all drawn at once.
    charts = re.findall(r'id="kpi-chart-([a-z_]+)"', html)
    assert len(charts) >= 10 and set(charts) <= set(INDICATOR_LABELS)
    assert 'id="plotly-locale"' in html and "klaster-i18n/plotly-locale.js" in html
    assert '"Autoscale": "Autoskalowanie"' in html or "Autoskal" in html


def test_kpi_snapshot_has_network_density(world):
    from klaster.web.registry.models import Activity

    year = timezone.localdate().year
    call_command("kpi_snapshots", "--year", str(year), stdout=io.StringIO())

    def density():
        return KpiSnapshot.objects.get(cluster=world["published"], year=year,
                                       kpi="network_density").value

    # two members (Org A, Org C), no joint work yet: 0 of 1 possible ties
    assert density() == 0
    training = Activity.objects.create(cluster=world["published"], kind="training", title="T",
                                       start=dt.date(year, 1, 15), participant_count=2)
    training.participants.add(world["org_a"], world["org_c"])
    call_command("kpi_snapshots", "--year", str(year), stdout=io.StringIO())
    assert density() == 1  # the one possible tie among two members exists


def test_snapshot_button_is_for_administrators(world):
    url = reverse("assessment:snapshot", args=[world["published"].pk])
    assert login(world["coord_a"]).post(url, {"year": 2025}).status_code == 403
    assert login(world["admin"]).post(url, {"year": 2025}).status_code == 302
    assert KpiSnapshot.objects.filter(year=2025, kpi="members").count() == 2


def _survey_with_answers(world, n):
    cluster = world["published"]
    survey = Survey.objects.create(cluster=cluster, year=2025, title="S")
    from django.contrib.auth import get_user_model

    for i in range(n):
        org = Organisation.objects.create(name_en=f"M{i}", id_scheme="OTHER",
                                          id_value=f"M-{i}", helix="business")
        Membership.objects.create(organisation=org, cluster=cluster)
        user = get_user_model().objects.create_user(f"m{i}", email=f"m{i}@example.org")
        org.representatives.add(user)
        r = login(user).post(reverse("assessment:survey_answer", args=[survey.pk]), {
            "organisation": org.pk, "overall": (i % 5) + 1, "services": 4,
            "cooperation": 3, "communication": 5, "comment": f"comment {i}"})
        assert r.status_code == 200 and "recorded" in r.content.decode()
    return survey


@pytest.mark.parametrize("n,shown", [(4, False), (5, True)])
def test_survey_results_only_in_aggregate_from_five_answers(world, n, shown):
    survey = _survey_with_answers(world, n)
    page = login(world["coord_a"]).get(reverse("assessment:survey_results", args=[survey.pk]))
    html = page.content.decode()
    assert ('id="survey-summary"' in html) is shown
    assert ('id="survey-too-few"' in html) is not shown
    assert ("comment 0" in html) is shown
    if shown:
        # overall answers 1..5 -> mean 3.00; services all 4.
        assert dict(page.context["rows"])[Survey.QUESTIONS[0][1]] == 3
        assert "3.00" in html and "4.00" in html
    # Nobody sees who answered what: no page lists respondents. (The user name is matched
    # as a word: a random CSRF token or CSP nonce may contain "m0".)
    assert not re.search(r"\bm0\b", html)


def test_survey_answered_once_by_member_representatives_only(world):
    survey = _survey_with_answers(world, 1)
    from django.contrib.auth import get_user_model

    m0 = get_user_model().objects.get(username="m0")
    r = login(m0).post(reverse("assessment:survey_answer", args=[survey.pk]), {
        "organisation": Organisation.objects.get(name_en="M0").pk, "overall": 1, "services": 1,
        "cooperation": 1, "communication": 1})
    assert "already" in r.content.decode() or "recorded" in r.content.decode()
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert login(world["stranger"]).get(
        reverse("assessment:survey_answer", args=[survey.pk])).status_code == 404
    assert login(world["coord_b"]).get(
        reverse("assessment:survey_results", args=[survey.pk])).status_code == 404
    assert login(world["rep_a"]).post(reverse("assessment:survey_answer", args=[survey.pk]), {
        "organisation": world["org_a"].pk, "overall": 9, "services": 1, "cooperation": 1,
        "communication": 1}).status_code == 400  # outside the 1-5 scale


def test_survey_sent_by_mail_to_member_representatives(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world["rep_a"].email = "rep_a@example.org"
    world["rep_a"].save()
    r = login(world["coord_a"]).post(
        reverse("assessment:survey_create", args=[world["published"].pk]),
        {"title": "Satisfaction 2025", "year": 2025})
    assert r.status_code == 302
    assert [m.to for m in mail.outbox] == [["rep_a@example.org"]]
    assert login(world["coord_b"]).post(
        reverse("assessment:survey_create", args=[world["published"].pk]),
        {"title": "x", "year": 2025}).status_code == 403


def _rows(world, n):
    """n calls and n applications (n clusters) of one call."""
    calls = Call.objects.bulk_create([
        Call(rubric=world["call"].rubric, title=f"Call {i}", year=2025,
             deadline=timezone.now() + dt.timedelta(days=i + 1)) for i in range(n)])
    clusters = Cluster.objects.bulk_create([Cluster(name_en=f"C{i}") for i in range(n)])
    Application.objects.bulk_create([Application(call=calls[0], cluster=c) for c in clusters])
    return calls[0]


@pytest.mark.parametrize("page", ["home", "call", "rubrics"])
def test_list_pages_query_count_constant(world, page):
    admin = login(world["admin"])
    counts = []
    for n in (5, 50):
        Application.objects.all().delete()
        Call.objects.exclude(pk=world["call"].pk).delete()
        first = _rows(world, n)
        url = {"home": reverse("assessment:home"),
               "call": reverse("assessment:call", args=[first.pk]),
               "rubrics": reverse("assessment:rubrics")}[page]
        with CaptureQueriesContext(connection) as ctx:
            r = admin.get(url)
        assert r.status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def test_ui_translated(world):
    from django.utils import translation

    for lang, word in (("pl", "Ocena"), ("be", "Ацэнка"), ("ru", "Оценка")):
        with translation.override(lang):
            assert translation.gettext("Assessment") == word


def test_catalogues_complete_with_placeholders_kept():
    import re
    from pathlib import Path

    import polib

    import klaster.web.assessment as app

    locale = Path(app.__file__).parent / "locale"
    for lang in ("pl", "be", "ru"):
        po = polib.pofile(str(locale / lang / "LC_MESSAGES" / "django.po"))
        assert po.percent_translated() == 100 and not po.fuzzy_entries(), lang
        for e in po:
            wanted = sorted(re.findall(r"%\(\w+\)[sd]", e.msgid))
            for text in ([e.msgstr] if not e.msgid_plural else e.msgstr_plural.values()):
                assert sorted(re.findall(r"%\(\w+\)[sd]", text)) == wanted, (lang, e.msgid)
