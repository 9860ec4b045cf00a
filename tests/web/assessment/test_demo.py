"""load_assessment_demo: idempotent, real workflow history, KKK label on the public page,
the open ECCP call on /assessment/, the evaluator free of conflicts of interest."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from klaster.web.assessment.models import (
    Application,
    Call,
    EvaluatorAssignment,
    Evidence,
    KpiSnapshot,
    Label,
    RubricEdition,
    conflicts_of_interest,
)
from klaster.web.registry.models import Cluster

pytestmark = pytest.mark.django_db


def _counts():
    return tuple(m.objects.count() for m in (RubricEdition, Call, Application, Evidence,
                                             EvaluatorAssignment, Label, KpiSnapshot))


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("KLASTER_DEMO_PASSWORD", "demo-pass-123")
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_assessment_demo", stdout=io.StringIO())


def test_twice_creates_nothing_twice(demo):
    first = _counts()
    call_command("load_assessment_demo", stdout=io.StringIO())
    assert _counts() == first
    from klaster.assessment import list_rubrics

    assert RubricEdition.objects.count() == len(list_rubrics())
    assert Call.objects.count() == 2 and Label.objects.count() == 2


def test_requires_the_registry_demo():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_assessment_demo", stdout=io.StringIO())


def test_kkk_call_closed_and_decided_through_the_workflow(demo):
    call = Call.objects.get(title__startswith="Key National Clusters — KKK 2021")
    assert not call.is_open and "illustrative" in call.title
    apps = call.applications.order_by("cluster__name_en")
    assert [a.cluster.name_en for a in apps] == ["Metal Processing Cluster",
                                                 "Polish Construction Cluster"]
    evaluator = get_user_model().objects.get(username="demo-evaluator")
    assert evaluator.check_password("demo-pass-123")
    for app in apps:
        assert (app.status, app.decision, app.published) == ("decided", "granted", True)
        assert app.level == "Key National Cluster"
        assignment = app.assignments.get()
        assert assignment.evaluator == evaluator and assignment.submitted is not None
        assert list(conflicts_of_interest(evaluator, app.cluster)) == []
        assert not app.cluster.coordinators.filter(pk=evaluator.pk).exists()
        # The scores pass: public policy 8/8 (four yes = 2 points each), customer
        # orientation 4/4; with equal area weights the weighted percent is
        # 0.2 * (4/6 + 2/8 + 6/8 + 8/8 + 4/4) * 100 = 73.3 >= the 60 % pass mark (the
        # registry-derived areas of the demo: resources 4/6, economic potential 2/8).
        areas = {a["key"]: (a["points"], a["max_points"]) for a in app.result["areas"]}
        assert areas["public_policy"] == (8, 8) and areas["customer_orientation"] == (4, 4)
        assert areas["knowledge"][0] >= 6
        assert app.result["percent"] >= 60 and "60 %" in app.decision_note
        # The workflow left a history: draft -> submitted -> decided.
        statuses = list(app.history.order_by("history_date", "history_id")
                        .values_list("status", flat=True))
        assert statuses[0] == "draft" and "submitted" in statuses and statuses[-1] == "decided"
        label = app.label
        # kkk-2021.yaml: valid_years 3, the last valid day the eve of the 3rd anniversary.
        assert label.valid_until == (label.granted.replace(year=label.granted.year + 3)
                                     - dt.timedelta(days=1))


def test_kkk_label_on_the_public_cluster_page(demo, client):
    cluster = Cluster.objects.get(name_en="Metal Processing Cluster")
    page = client.get(f"/clusters/{cluster.pk}/").content.decode()
    assert "KKK 2021 — status of Key National Cluster: Key National Cluster" in page


def test_open_eccp_call_with_the_belarusian_draft(demo, client):
    call = Call.objects.get(title__startswith="ECCP cluster profile")
    days = (call.deadline - timezone.now()).days
    assert call.is_open and 58 <= days <= 60
    app = call.applications.get()
    assert (app.cluster.country, app.cluster.status, app.status) == ("BY", "forming", "draft")
    page = client.get("/assessment/").content.decode()
    assert call.title in page and "Key National Clusters" not in page
    assert "No open calls" not in page


def test_kpi_snapshots_for_two_years(demo):
    year = timezone.localdate().year
    years = set(KpiSnapshot.objects.values_list("year", flat=True))
    assert years == {year - 2, year - 1}
    demo_clusters = Cluster.objects.filter(demo=True).count()
    assert (KpiSnapshot.objects.values("cluster_id").distinct().count() == demo_clusters)
