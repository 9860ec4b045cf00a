"""A person who has touched every kind of record, built on the demo content.

The demo loaders (registry, networks and matchmaking, assessment) give realistic records;
the person is then made the author, evaluator, respondent, registrant... of one row of
every model that points at a user (found by introspection, so a new model is covered),
the author of one history row of every history table, and writes their name, e-mail
address and phone number into the free text they own.
"""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command

from klaster.web.privacy import inventory

NAME = ("Zofia", "Erasowska")
EMAIL = "zofia.erasowska@example.org"
PHONE = "+48 600 123 457"
USERNAME = "zerasowska"
PASSWORD = "pw-zerasowska-Long1"
SIGNATURE = f"{NAME[0]} {NAME[1]}, {EMAIL}, tel. {PHONE}"


def _user_fks(model):
    return [f for f in inventory.fields_of(model)
            if f.is_relation and f.related_model is not None and not f.many_to_many
            and f.related_model._meta.label == settings.AUTH_USER_MODEL]


def _ensure_rows(person):
    """Rows the demo content lacks, so that every user-pointing model has one."""
    from klaster.web.analysis.models import Dataset, PotentialClusterRecord
    from klaster.web.assessment.models import Appeal, Application, Survey, SurveyResponse
    from klaster.web.matchmaking.models import Contact, Dismissal, ProximityTable
    from klaster.web.registry.models import (
        Cluster,
        Document,
        JoinRequest,
        Organisation,
        PartnerRequest,
    )

    cluster = Cluster.objects.order_by("pk").first()
    org, other = Organisation.objects.order_by("pk")[:2]
    request = PartnerRequest.objects.order_by("pk").first()
    if not Contact.objects.exists():
        Contact.objects.create(request=request, candidate_organisation=other)
    if not Dismissal.objects.exists():
        Dismissal.objects.create(request=request, candidate_organisation=org)
    if not ProximityTable.objects.exists():
        ProximityTable.objects.create(file="matchmaking/proximity/p.parquet",
                                      original_name="p.csv", pairs=1, activities=2)
    if not Document.objects.exists():
        Document.objects.create(cluster=cluster, title="Strategy", url="https://example.org/")
    jr = JoinRequest.objects.filter(status="pending").first() or JoinRequest.objects.create(
        organisation=other, cluster=cluster)
    jr.requested_by, jr.message = person, f"Please admit us. {SIGNATURE}"
    jr.save()  # a save: the history keeps the message too
    app = Application.objects.order_by("pk").first()
    appeal = Appeal.objects.first() or Appeal(application=app)
    appeal.reason, appeal.filed_by = f"We disagree. {SIGNATURE}", person
    appeal.save()
    survey = Survey.objects.first() or Survey.objects.create(cluster=cluster, year=2025,
                                                             title="Survey")
    SurveyResponse.objects.create(survey=survey, respondent=person, organisation=org,
                                  overall=4, services=4, cooperation=4, communication=4,
                                  comment=f"Fine. {SIGNATURE}")
    if not Dataset.objects.exists():
        Dataset.objects.create(title="Stats")
    if not PotentialClusterRecord.objects.exists():
        PotentialClusterRecord.objects.create(dataset=Dataset.objects.first(), region="PL84",
                                              cluster_code="x", kind="result",
                                              cluster=Cluster.objects.order_by("pk").last())
    assignment = app.assignments.first() if hasattr(app, "assignments") else None
    from klaster.web.assessment.models import EvaluatorAssignment

    assignment = assignment or EvaluatorAssignment.objects.first()
    assignment.evaluator, assignment.comment = person, f"Scored. {SIGNATURE}"
    assignment.save()
    request.description = f"{request.description} Contact: {SIGNATURE}"
    request.save_versioned(request.version)


@pytest.fixture
def person(db, client, monkeypatch):
    monkeypatch.setenv("KLASTER_DEMO_PASSWORD", "demo-Password-1")
    for command in ("load_demo", "load_matchmaking_demo", "load_assessment_demo"):
        call_command(command, stdout=io.StringIO())
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from klaster.web.privacy import services
    from klaster.web.privacy.models import AccessLogEntry, ErasureRequest
    from klaster.web.registry.models import Cluster, Organisation

    User = get_user_model()
    p = User.objects.create_user(USERNAME, EMAIL, PASSWORD, first_name=NAME[0],
                                 last_name=NAME[1])
    # Sign-in records: one failed attempt, one success (django-axes keeps both).
    client.post("/accounts/login/", {"username": USERNAME, "password": "wrong"})
    assert client.post("/accounts/login/", {"username": USERNAME,
                                            "password": PASSWORD}).status_code == 302
    _ensure_rows(p)
    touched = []
    for model in inventory.all_models():
        if inventory.is_historical(model) or model._meta.auto_created or model._meta.proxy:
            continue
        for field in _user_fks(model):
            if model._meta.app_label in ("admin", "authtoken", "privacy"):
                continue
            row = model._base_manager.order_by("pk").first()
            assert row is not None, f"no {model._meta.label} row to touch"
            model._base_manager.filter(pk=row.pk).update(**{field.name: p})
            touched.append(f"{model._meta.label}.{field.name}")
    Organisation.objects.order_by("pk").first().representatives.add(p)
    Cluster.objects.order_by("pk").first().coordinators.add(p)
    # The person is also a cluster's published contact person (found by e-mail address).
    contact = Cluster.objects.order_by("pk").last()
    contact.contact_name = contact.contact_consent_name = f"{NAME[0]} {NAME[1]}"
    contact.contact_role = contact.contact_role_pl = "Cluster manager"
    contact.contact_role_be = contact.contact_role_ru = "Cluster manager"
    contact.contact_email, contact.contact_phone = EMAIL.upper(), PHONE
    contact.contact_consent_at, contact.contact_consent_text = timezone.now(), "I agree"
    contact.save()
    for model in inventory.all_models():
        if inventory.is_historical(model):
            row = model._base_manager.order_by("history_id").first()
            if row is not None:
                # The earlier version names the person in every user column it has.
                model._base_manager.filter(pk=row.pk).update(
                    history_change_reason=f"edited by {NAME[0]} {NAME[1]}",
                    **{f.name: p for f in _user_fks(model)})
                touched.append(model._meta.label)
    Token.objects.create(user=p)
    from django.contrib.auth.models import Group, Permission

    p.groups.add(Group.objects.get(name="Cluster coordinators"))
    p.user_permissions.add(Permission.objects.get(codename="view_cluster"))
    LogEntry.objects.create(user=p, content_type=ContentType.objects.get_for_model(User),
                            object_id=str(p.pk), object_repr=USERNAME, action_flag=CHANGE,
                            change_message=f'[{{"changed": {{"name": "{NAME[0]} {NAME[1]}"}}}}]')
    services.record_consent(p, "notice")
    services.set_email_objection(p, False)
    ErasureRequest.objects.create(user=p, requested_by=p,
                                  message=f"Also remove my phone {PHONE}")
    AccessLogEntry.objects.create(actor=p, subject=p, action="view", what="self")
    p.refresh_from_db()
    p.touched = touched
    return p
