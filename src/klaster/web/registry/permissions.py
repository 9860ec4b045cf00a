"""Roles and object-level permissions: the ONE place both pages and the API ask.

Roles:

* public visitor — reads published clusters and public organisations (approved ones and
  members of published clusters), with their activities, projects and documents;
* organisation representative (``Organisation.representatives``) — also edits their own
  organisation and its partner requests;
* cluster coordinator (``Cluster.coordinators``) — also reads and edits their own clusters
  (members, activities, projects, coordinator profile, documents) and reads every partner
  request concerning them (posted for the cluster or by a current member); a user may create a
  cluster if they hold ``registry.add_cluster`` (group "Cluster coordinators");
* programme administrator (``registry.administer_programme`` or superuser) — everything,
  including approving clusters and organisations.

Join requests: a representative asks for their organisation (``can_ask_to_join``); the
cluster's coordinators see and decide them.

Reading goes through ``visible_*`` querysets, so a record the user may not see answers
404 (its existence is not disclosed); a visible record the user may not change answers 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from rest_framework import permissions as drf

from klaster.web.registry.models import (
    Activity,
    Cluster,
    CoordinatorProfile,
    Document,
    JoinRequest,
    Membership,
    Organisation,
    PartnerRequest,
    Project,
)

CLUSTER_CHILDREN = (Activity, Project, Membership, CoordinatorProfile, Document)


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated
                and (user.is_superuser or user.has_perm("registry.administer_programme")))


def can_create_cluster(user) -> bool:
    return is_admin(user) or bool(user.is_authenticated and user.has_perm("registry.add_cluster"))


def _own_cluster_ids(user):
    return Cluster.coordinators.through.objects.filter(user_id=user.pk).values("cluster_id")


def own_organisation_ids(user):
    """The organisations ``user`` represents (a subquery of ids)."""
    return Organisation.representatives.through.objects.filter(user_id=user.pk).values(
        "organisation_id")


def visible_clusters(user) -> QuerySet[Cluster]:
    qs = Cluster.objects.all()
    if is_admin(user):
        return qs
    if user.is_authenticated:
        return qs.filter(Q(published=True) | Q(pk__in=_own_cluster_ids(user)))
    return qs.filter(published=True)


def visible_organisations(user) -> QuerySet[Organisation]:
    if is_admin(user):
        return Organisation.objects.all()
    if not user.is_authenticated:
        return Organisation.objects.public()
    members_of_own = Membership.objects.filter(cluster_id__in=_own_cluster_ids(user)).values(
        "organisation_id")
    # The flag itself, not "pk IN (public pks)": that subquery hashed every public
    # organisation on each signed-in request (18-30 ms with 20,000; issue 14).
    return Organisation.objects.filter(
        Q(is_public=True) | Q(pk__in=own_organisation_ids(user))
        | Q(pk__in=members_of_own))


def visible(model: type[Model], user) -> QuerySet:
    """The records of ``model`` that ``user`` may read."""
    if model is Cluster:
        return visible_clusters(user)
    if model is Organisation:
        return visible_organisations(user)
    if model in CLUSTER_CHILDREN:
        # Children (members included) are visible exactly when their cluster is.
        return model.objects.filter(cluster__in=visible_clusters(user))
    if model is PartnerRequest:
        qs = PartnerRequest.objects.filter(organisation__in=visible_organisations(user))
        if is_admin(user):
            return qs
        if user.is_authenticated:
            # Open requests of organisations the user may see (evaluators and everyone
            # signed in, like the public board); every request of their own
            # organisations; and, for a cluster coordinator, every request concerning
            # their clusters: posted for one of them, or by one of its current members.
            own_clusters = _own_cluster_ids(user)
            members = Membership.objects.filter(cluster_id__in=own_clusters,
                                                left__isnull=True).values("organisation_id")
            return qs.filter(Q(status="open")
                             | Q(organisation_id__in=own_organisation_ids(user))
                             | Q(cluster_id__in=own_clusters)
                             | Q(organisation_id__in=members))
        return qs.filter(status="open")
    if model is JoinRequest:
        if is_admin(user):
            return JoinRequest.objects.all()
        if not user.is_authenticated:
            return JoinRequest.objects.none()
        return JoinRequest.objects.filter(Q(organisation_id__in=own_organisation_ids(user))
                                          | Q(cluster_id__in=_own_cluster_ids(user)))
    raise TypeError(f"no visibility rule for {model.__name__}")


def can_edit_cluster(user, cluster: Cluster) -> bool:
    if is_admin(user):
        return True
    return bool(user.is_authenticated
                and cluster.coordinators.filter(pk=user.pk).exists())


def can_edit_organisation(user, organisation: Organisation) -> bool:
    if is_admin(user):
        return True
    return bool(user.is_authenticated
                and organisation.representatives.filter(pk=user.pk).exists())


def can_edit(user, obj: Model) -> bool:
    """May ``user`` change (or add children to) ``obj``?"""
    if isinstance(obj, Cluster):
        return can_edit_cluster(user, obj)
    if isinstance(obj, Organisation):
        return can_edit_organisation(user, obj)
    if isinstance(obj, CLUSTER_CHILDREN):
        return can_edit_cluster(user, obj.cluster)
    if isinstance(obj, PartnerRequest):
        return can_edit_organisation(user, obj.organisation)
    if isinstance(obj, JoinRequest):
        # Deciding a request is the cluster's business; asking is the organisation's
        # (checked on creation against the organisation, see can_ask_to_join).
        return can_edit_cluster(user, obj.cluster)
    raise TypeError(f"no edit rule for {type(obj).__name__}")


def can_ask_to_join(user, organisation: Organisation, cluster: Cluster) -> bool:
    """A representative of ``organisation`` may ask to join any cluster they can see."""
    return (can_edit_organisation(user, organisation)
            and visible_clusters(user).filter(pk=cluster.pk).exists())


# Related records a write may name: visible ones, and for the fields listed here only
# those that are current members of the record's cluster (the page form offers no others).
# Key: (model, field); value: the field of the record that names the cluster.
MEMBERS_ONLY = {(Project, "partners"): "cluster"}


def allowed_targets(user, model: type[Model], field_name: str, cluster=None) -> QuerySet:
    """The records a write by ``user`` may name in ``model.field_name``.

    The ONE rule for every related field of every write, pages (forms) and API
    (serializers) alike: a record the author may not see is answered exactly like a record
    that does not exist ("no such record"). Where ``MEMBERS_ONLY`` says so, the targets
    are further narrowed to the current members of ``cluster`` (the cluster the written
    record belongs to; without one — e.g. before the cluster field itself is validated —
    only visibility applies and the caller checks membership once the cluster is known).
    """
    target = model._meta.get_field(field_name).related_model
    if target not in (Cluster, Organisation, *CLUSTER_CHILDREN, PartnerRequest, JoinRequest):
        raise TypeError(f"no target rule for {model.__name__}.{field_name}")
    qs = visible(target, user)
    if (model, field_name) in MEMBERS_ONLY and cluster is not None:
        qs = qs.filter(pk__in=Membership.objects.filter(
            cluster=cluster, left__isnull=True).values("organisation_id"))
    return qs


# Fields only a programme administrator may change.
ADMIN_ONLY_FIELDS = {"approved"}


def get_visible_or_404(model: type[Model], user, pk) -> Model:
    try:
        return visible(model, user).get(pk=pk)
    except (model.DoesNotExist, ValueError):
        raise Http404(f"No {model._meta.verbose_name} {pk}") from None


def get_editable_or_deny(model: type[Model], user, pk) -> Model:
    """404 for records the user cannot see, 403 for visible ones they may not change."""
    obj = get_visible_or_404(model, user, pk)
    if not can_edit(user, obj):
        raise PermissionDenied("You may not change this record.")
    return obj


class RecordPermission(drf.BasePermission):
    """The API face of this module: read what ``visible`` gives, write what ``can_edit`` allows.

    Views filter their queryset with ``visible`` (404 otherwise); creation of a child record
    is checked against its parent in the view (``perform_create``).
    """

    def has_permission(self, request, view) -> bool:
        if request.method in drf.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in drf.SAFE_METHODS:
            return True
        return can_edit(request.user, obj)
