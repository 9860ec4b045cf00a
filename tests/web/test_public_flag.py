"""Organisation.is_public (maintained by database triggers, migration 0008_public_flag)
always equals the rule it stands for — approved, or a member (current or past) of a
published cluster — after every kind of write that can change visibility, and a
visitor never sees an organisation the rule hides (page and API answer 404)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import api_client as _api

pytestmark = pytest.mark.django_db


def _flagged():
    from klaster.web.registry.models import Organisation

    return set(Organisation.objects.filter(is_public=True).values_list("pk", flat=True))


def _by_rule():
    from klaster.web.registry.models import Organisation

    return set(Organisation.objects.public_by_rule().values_list("pk", flat=True))


def _check(client, org_pk: int) -> None:
    """Flag == rule for every organisation; ``org_pk`` answers as the rule says."""
    from klaster.web.portal.caching import bump_version

    # Writes that bypass model signals must bump the public cache themselves
    # (klaster.web.portal.caching); here the flag, not the cache, is under test.
    bump_version()
    assert _flagged() == _by_rule()
    shown = org_pk in _by_rule()
    expected = 200 if shown else 404
    assert client.get(f"/organisations/{org_pk}/").status_code == expected
    assert _api().get(f"/api/organisations/{org_pk}/").status_code == expected
    listed = {o["id"] for o in _api().get("/api/organisations/?page_size=500").json()["results"]}
    assert (org_pk in listed) is shown


def _org(name, **kw):
    from klaster.web.registry.models import Organisation

    return Organisation.objects.create(name_en=name, id_scheme="OTHER", id_value=name,
                                       helix="business", **kw)


def test_every_write_path_keeps_the_flag(client, registry):
    from klaster.web.registry.models import Cluster, Membership, Organisation

    published, hidden = registry["published"], registry["hidden"]
    org = _org("Flag org")
    _check(client, org.pk)  # neither approved nor a member: hidden
    # approved through save(), then withdrawn through QuerySet.update
    org.approved = True
    org.save()
    _check(client, org.pk)
    Organisation.objects.filter(pk=org.pk).update(approved=False)
    _check(client, org.pk)
    # a membership of an unpublished cluster shows nothing; of a published one it does
    Membership.objects.create(organisation=org, cluster=hidden)
    _check(client, org.pk)
    m = Membership.objects.create(organisation=org, cluster=published)
    _check(client, org.pk)
    # a save() of an instance loaded before (its flag stale) does not hide it again
    stale = Organisation.objects.get(pk=org.pk)
    stale.is_public = False
    stale.city = "Grodno"
    stale.save()
    _check(client, org.pk)
    # an ended membership of a published cluster still counts (past members are public)
    m.end(on=date.today())
    _check(client, org.pk)
    # the cluster unpublished through save(), then published and unpublished by update()
    published.published = False
    published.save()
    _check(client, org.pk)
    Cluster.objects.filter(pk=published.pk).update(published=True)
    _check(client, org.pk)
    Cluster.objects.filter(pk=published.pk).update(published=False)
    _check(client, org.pk)
    hidden.published = True
    hidden.save()
    _check(client, org.pk)
    # a membership moved to another cluster, and one removed by raw SQL
    Membership.objects.filter(organisation=org, cluster=hidden).update(cluster=published)
    _check(client, org.pk)
    Cluster.objects.filter(pk=published.pk).update(published=True)
    _check(client, org.pk)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM registry_membership WHERE organisation_id = %s", [org.pk])
    _check(client, org.pk)
    # bulk_create of organisations and memberships (the importer's and loaders' path)
    made = Organisation.objects.bulk_create([
        Organisation(name_en=f"Bulk {i}", id_scheme="OTHER", id_value=f"bulk{i}",
                     helix="research", approved=i == 0) for i in range(3)])
    made = list(Organisation.objects.filter(name_en__startswith="Bulk").order_by("name_en"))
    _check(client, made[0].pk)
    _check(client, made[1].pk)
    Membership.objects.bulk_create([Membership(organisation=made[2], cluster=published)])
    _check(client, made[2].pk)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["approve", "join", "leave_raw", "publish",
                                           "move"]),
                          st.integers(0, 2), st.integers(0, 1), st.booleans()),
                min_size=1, max_size=12))
def test_flag_equals_rule_after_random_writes(registry, ops):
    """Any sequence of visibility writes (save and update paths mixed) keeps flag == rule."""
    from django.db import transaction

    with transaction.atomic():  # each example starts from the same registry
        _random_writes(registry, ops)
        transaction.set_rollback(True)


def _random_writes(registry, ops):
    from klaster.web.registry.models import Cluster, Membership, Organisation

    orgs = [_org(f"Random {i}") for i in range(3)]
    clusters = [registry["published"], registry["hidden"]]
    for op, o, c, flag in ops:
        org, cluster = orgs[o], clusters[c]
        if op == "approve":
            if flag:
                Organisation.objects.filter(pk=org.pk).update(approved=not org.approved)
            else:
                org.approved = not org.approved
                org.save()
            org.refresh_from_db()
        elif op == "join":
            if not Membership.objects.filter(organisation=org, cluster=cluster,
                                             left__isnull=True).exists():
                Membership.objects.create(organisation=org, cluster=cluster)
        elif op == "leave_raw":
            with connection.cursor() as cur:
                cur.execute("DELETE FROM registry_membership WHERE organisation_id = %s "
                            "AND cluster_id = %s", [org.pk, cluster.pk])
        elif op == "publish":
            if flag:
                Cluster.objects.filter(pk=cluster.pk).update(published=not cluster.published)
                cluster.refresh_from_db()
            else:
                cluster.refresh_from_db()
                cluster.published = not cluster.published
                cluster.save()
        elif op == "move":
            other = clusters[1 - c]
            if not Membership.objects.filter(organisation=org, cluster=other,
                                             left__isnull=True).exists():
                Membership.objects.filter(organisation=org, cluster=cluster).update(
                    cluster=other)
        assert _flagged() == _by_rule(), (op, o, c, flag)
