"""Erasure (GDPR Art. 17): after erasing a person who touched every kind of record, no
table of the database — every column, history tables included — holds their name, e-mail
address, user name or phone number; what others depend on keeps working."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from klaster.web.privacy import services

from .conftest import EMAIL, NAME, PHONE, USERNAME

pytestmark = pytest.mark.django_db


def _search_everywhere(needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every needle found in any column of any table, by plain
    SQL over the database's own table and column lists (independent of the ORM)."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(
                cursor, table)]
            for column in columns:
                for needle in needles:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} WHERE "
                        f"LOWER(CAST({connection.ops.quote_name(column)} AS TEXT)) LIKE %s",
                        [f"%{needle.lower()}%"])
                    if cursor.fetchone()[0]:
                        hits.append((table, column, needle))
    return hits


def _needles() -> list[str]:
    digits = re.sub(r"\D", "", PHONE)
    return [f"{NAME[0]} {NAME[1]}", NAME[1], EMAIL, USERNAME, PHONE, digits,
            digits[2:], "600 123 457", "600-123-457"]


def test_erasure_leaves_nothing_to_find(person):
    from klaster.web.assessment.models import EvaluatorAssignment, SurveyResponse
    from klaster.web.registry.models import Membership

    # Before: the person is everywhere (the search itself works).
    before = _search_everywhere(_needles())
    tables_before = {t for t, _c, _n in before}
    assert {"auth_user", "axes_accesslog", "registry_joinrequest",
            "registry_historicaljoinrequest", "registry_partnerrequest",
            "django_admin_log", "assessment_surveyresponse", "registry_cluster",
            "registry_historicalcluster"} <= tables_before
    memberships = Membership.objects.count()
    scored = EvaluatorAssignment.objects.filter(evaluator=person).values_list("pk", "values")
    scored = list(scored)
    history_rows = sum(1 for _ in person.touched)
    from klaster.web.registry.models import Cluster

    contacts = Cluster.objects.exclude(contact_name="").count()

    request = person.erasure_requests.get()
    counts = services.erase_person(person, extra_terms=services.terms_from_message(
        request.message))

    assert _search_everywhere(_needles()) == []
    assert counts["accounts"] == 1 and counts["sign_in_records"] >= 1
    assert counts["tokens"] == 1 and counts["sessions"] >= 1
    # The person was a cluster's contact: the contact and the consent are gone.
    assert counts["contact_persons_removed"] == 1
    assert not Cluster.objects.filter(contact_email__iexact=EMAIL).exists()
    assert Cluster.objects.exclude(contact_name="").count() == contacts - 1  # others stay
    # What others depend on keeps working.
    person.refresh_from_db()
    assert person.username.startswith("erased-") and not person.is_active
    assert not person.has_usable_password()
    assert Membership.objects.count() == memberships
    assert list(EvaluatorAssignment.objects.filter(evaluator=person)
                .values_list("pk", "values")) == scored
    assert SurveyResponse.objects.filter(respondent=person).get().overall == 4
    # The audit trail keeps that changes happened and when, by the pseudonym.
    from klaster.web.registry.models import JoinRequest

    hist = JoinRequest.history.filter(history_user=person)
    assert hist.exists() and all(h.history_date for h in hist)
    assert history_rows > 0
    request.refresh_from_db()
    assert request.status == "done" and request.counts["accounts"] == 1


def test_erased_person_cannot_sign_in(person, client):
    from .conftest import PASSWORD

    services.erase_person(person)
    client.logout()
    r = client.post("/accounts/login/", {"username": USERNAME, "password": PASSWORD})
    assert r.status_code == 200  # the form again: no account of that name


def test_other_people_keep_their_text(person):
    """Scrubbing takes whole identifiers only: another person's text is untouched."""
    from klaster.web.registry.models import Organisation

    org = Organisation.objects.order_by("pk").last()
    Organisation.objects.filter(pk=org.pk).update(city="Erasowskaville")
    services.erase_person(person)
    assert Organisation.objects.get(pk=org.pk).city == "Erasowskaville"
