"""Property-based API tests generated from the OpenAPI document (schemathesis).

Every operation of /api/schema/ is called with generated data, anonymously and as a
programme administrator (who may write everything). Checks: no server error (5xx) for
any input, and every response matches the documented content type and schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from klaster.web.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Calls go straight to the WSGI application, whose request signals close the database
    connection (ending the test's transaction on PostgreSQL); detach them as Django's
    test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(db, make_user):
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=make_user("api_admin", is_superuser=True)).key


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_as_administrator(case, admin_token):
    case.call_and_validate(headers={"Authorization": f"Token {admin_token}"}, checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_anonymous(case):
    case.call_and_validate(checks=CHECKS)
