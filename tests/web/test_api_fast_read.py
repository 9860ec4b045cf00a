"""FastReadMixin (api.serializers) gives exactly DRF's own representation."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework import serializers

from klaster.web.api import serializers as s
from klaster.web.registry.models import Cluster, Membership, Organisation

pytestmark = pytest.mark.django_db


def _drf(serializer, instance):
    # DRF's generic Serializer.to_representation: the reference the fast path must match.
    return serializers.Serializer.to_representation(serializer, instance)


def test_fast_read_matches_drf_for_clusters_organisations_memberships(registry):
    org = Organisation.objects.create(
        name_en="Gamma", name_pl="Gamma PL", id_scheme="OTHER", id_value="g-1",
        helix="public", size_class="small", industry_codes=["C25", "C28"], region="PL84",
        city="Białystok", latitude=53.13, longitude=23.16, website="https://gamma.example")
    full = Cluster.objects.create(
        name_en="Full", status="operating", phase="maturity", coordinator_organisation=org,
        founded=date(2012, 5, 1), sector="Metal", industry_codes=["C25"], country="PL",
        region="Podlaskie", published=True, website="https://full.example",
        description="Line one\nline two")
    sparse = Cluster.objects.create(name_en="Sparse", published=True)  # None / blank values
    Membership.objects.create(organisation=org, cluster=full, role="coordinator",
                              committed=True, joined=date(2020, 1, 2),
                              working_groups=["energy"])
    cases = [
        (s.ClusterSerializer, [full, sparse, registry["published"]]),
        (s.OrganisationSerializer, [org, registry["org_a"], registry["org_b"]]),
        (s.MembershipSerializer, list(Membership.objects.all())),
    ]
    for serializer_class, instances in cases:
        for instance in instances:
            fast = serializer_class(instance)
            reference = serializer_class(instance)
            assert fast.data == _drf(reference, instance), (serializer_class, instance)
            # Same keys in the same order (the documented field order).
            assert list(fast.data) == list(_drf(reference, instance))


def test_fast_read_takes_the_column_path_for_plain_and_id_fields():
    plan = {field.field_name: (getter is not None, raw)
            for field, getter, raw in s.MembershipSerializer()._read_plan()}
    assert plan["organisation"] == (True, True) and plan["cluster"] == (True, True)
    assert plan["role"] == (True, False)
    cluster_plan = {field.field_name: getter is not None
                    for field, getter, raw in s.ClusterSerializer()._read_plan()}
    assert cluster_plan["member_count"] is False  # a method field: DRF's path
