"""The database export to RegistryTables: every record, scoped by cluster, constant queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from klaster.web.registry.models import (
    Activity,
    CoordinatorProfile,
    Membership,
    Organisation,
    OrganisationFigures,
    PartnerRequest,
    Project,
)
from klaster.web.registry.tables import export_tables

pytestmark = pytest.mark.django_db


def _add_records(registry):
    published, hidden = registry["published"], registry["hidden"]
    org_a, org_b = registry["org_a"], registry["org_b"]
    CoordinatorProfile.objects.create(cluster=published, year=2024, management_fte=Decimal("1.5"),
                                      budget=Decimal("1000.50"))
    OrganisationFigures.objects.create(organisation=org_a, year=2024, employees=12,
                                       turnover=Decimal("250000.00"))
    activity = Activity.objects.create(cluster=published, kind="training", title="T",
                                       start=dt.date(2024, 3, 1), participant_count=9)
    activity.participants.add(org_a, org_b)
    project = Project.objects.create(cluster=hidden, title="P", budget=Decimal("5000"))
    project.partners.add(org_b)
    PartnerRequest.objects.create(organisation=org_a, kind="seek", topic="laser cutting",
                                  description="We seek a partner")
    return activity, project


def test_export_carries_every_record(registry):
    activity, project = _add_records(registry)
    tables = export_tables()
    assert sorted(tables.clusters.get_column("name").to_list()) == ["Hidden cluster",
                                                                    "Published cluster"]
    assert tables.organisations.height == Organisation.objects.count()
    assert tables.memberships.height == Membership.objects.count() == 2
    profile = tables.profiles.row(0, named=True)
    assert profile["management_fte"] == 1.5 and profile["budget"] == 1000.5
    assert tables.figures.row(0, named=True)["turnover"] == 250000.0
    assert tables.figures.row(0, named=True)["exports"] is None
    assert sorted(tables.activity_participants.get_column("organisation_id").to_list()) == sorted(
        [registry["org_a"].pk, registry["org_b"].pk])
    assert tables.project_partners.rows() == [(project.pk, registry["org_b"].pk)]
    assert tables.partner_requests.row(0, named=True)["description"] == "We seek a partner"


def test_export_scoped_to_one_cluster(registry):
    _add_records(registry)
    tables = export_tables([registry["hidden"].pk])
    assert tables.clusters.get_column("id").to_list() == [registry["hidden"].pk]
    assert tables.memberships.get_column("cluster_id").unique().to_list() == [registry["hidden"].pk]
    assert tables.activities.height == 0 and tables.profiles.height == 0
    # org_b is the hidden cluster's member and project partner; org_a has no tie to it
    assert tables.organisations.get_column("id").to_list() == [registry["org_b"].pk]
    assert tables.partner_requests.height == 0


def test_export_query_count_is_constant(registry, make_user):
    _add_records(registry)
    with CaptureQueriesContext(connection) as small:
        export_tables()
    for i in range(30):
        org = Organisation.objects.create(name_en=f"Extra {i}", id_scheme="OTHER",
                                          id_value=f"X{i}", helix="business")
        Membership.objects.create(organisation=org, cluster=registry["published"])
    with CaptureQueriesContext(connection) as large:
        tables = export_tables()
    assert tables.memberships.height == 32
    assert len(large.captured_queries) == len(small.captured_queries)
