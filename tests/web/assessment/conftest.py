"""Fixtures of the assessment tests: the registry fixture of tests/web/conftest.py plus a
stored rubric edition (rubric_test.yaml), an open call and evaluators."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

RUBRIC_FILE = Path(__file__).with_name("rubric_test.yaml")


@pytest.fixture
def rubric_text():
    return RUBRIC_FILE.read_text(encoding="utf-8")


@pytest.fixture
def edition(db, rubric_text):
    from klaster.web.assessment.models import RubricEdition

    e = RubricEdition(key="web-test", title="Web test label", content=rubric_text)
    e.full_clean()
    e.save()
    return e


@pytest.fixture
def world(registry, edition, make_user):
    """registry + a third member of the published cluster (so the gate of 2 members can
    pass), an open call for this year, two evaluators with e-mail addresses."""
    from django.utils import timezone

    from klaster.web.assessment.models import Call
    from klaster.web.registry.models import Membership, Organisation

    org_c = Organisation.objects.create(name_en="Org C", id_scheme="OTHER", id_value="C-1",
                                        helix="public", approved=True)
    Membership.objects.create(organisation=org_c, cluster=registry["published"])
    call = Call.objects.create(rubric=edition, title="Label call 2025",
                               deadline=timezone.now() + dt.timedelta(days=30),
                               year=timezone.localdate().year, created_by=registry["admin"])
    for name in ("coord_a", "coord_b", "admin"):
        registry[name].email = f"{name}@example.org"
        registry[name].save()
    ev1 = make_user("eva", email="eva@example.org")
    ev2 = make_user("ewa", email="ewa@example.org")
    return dict(registry, org_c=org_c, call=call, ev1=ev1, ev2=ev2)


def client_for(client, user):
    client.force_login(user)
    return client
