"""REST API: the registry through klaster.web.registry.permissions (same rules as pages).

Reads are filtered by ``permissions.visible`` (an invisible record is 404); writes need
``permissions.can_edit`` on the record (403), and creating a child record needs it on the
parent cluster or organisation. Updates must send the ``version`` they read: a stale one
answers 409 Conflict and nothing is written. Memberships are never deleted (405); set
``left`` to end one.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, ProtectedError, RestrictedError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from klaster.web.api import serializers as s
from klaster.web.matchmaking.models import Event
from klaster.web.portal import caching
from klaster.web.registry import permissions as perms
from klaster.web.registry.filters import ClusterFilter, OrganisationFilter
from klaster.web.registry.models import (
    Activity,
    Cluster,
    ConflictError,
    CoordinatorProfile,
    Document,
    JoinRequest,
    Membership,
    Organisation,
    PartnerRequest,
    Project,
)
from klaster.web.registry.queries import attach_member_counts


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = ("This record was changed by someone else since version you sent; "
                      "read it again and re-apply your change.")
    default_code = "conflict"


class InUse(APIException):
    """Deleting a record other records still point to (a cluster or organisation with
    memberships, an organisation coordinating a cluster): the history is kept, so the
    database protects them; say so instead of failing."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This record is still referred to by others (for example "
                       "memberships) and cannot be deleted; end the memberships or "
                       "unpublish it instead.")
    default_code = "in_use"


class CachedCountPagination(PageNumberPagination):
    """Page-number pagination whose total ``count`` is read through the shared cache
    (keyed by the list query's SQL and the registry version; see portal.caching)."""

    django_paginator_class = caching.CachedCountPaginator


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request carries no parameter but the
    page, the ordering or the format: building a filterset deep-copies every filter (with
    their querysets) on each request, and a filterset whose values are all empty filters
    nothing (none of ours has a default or a required filter). Any other parameter, valid
    or not, goes through django-filter as before."""

    PASS_THROUGH = frozenset({"page", "ordering", "format"})

    def get_filterset(self, request, queryset, view):
        """Filters naming a record (``?organisation=<id>``) choose among the records the
        user may see: a hidden id is "not one of the available choices", like a missing
        one (else the two answers would tell hidden records from missing ones, and the
        browsable API's filter form would list hidden names)."""
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            for flt in filterset.filters.values():
                model = getattr(getattr(flt, "queryset", None), "model", None)
                if model is not None:
                    flt.queryset = perms.visible(model, request.user)
        return filterset

    def filter_queryset(self, request, queryset, view):
        if set(request.query_params) <= self.PASS_THROUGH:
            return queryset
        return super().filter_queryset(request, queryset, view)


class RegistryViewSet(viewsets.ModelViewSet):
    model = None
    parent_field: str | None = None  # "cluster" or "organisation": checked on create
    pagination_class = CachedCountPagination
    filter_backends = [FilterBackend, filters.OrderingFilter]

    def list(self, request, *args, **kwargs):
        """Anonymous JSON lists come from the shared cache (any registry write
        invalidates it); other formats and signed-in users are computed every time."""
        if request.accepted_renderer.format != "json" or not caching.is_public_request(
                request):
            return super().list(request, *args, **kwargs)
        # The cache holds the rendered JSON, keyed by the negotiated media type; DRF's
        # finalize_response still adds its headers (Allow, Vary: Accept) to every answer.
        renderer = request.accepted_renderer

        def build() -> bytes:
            data = super(RegistryViewSet, self).list(request, *args, **kwargs).data
            return renderer.render(data, request.accepted_media_type,
                                   self.get_renderer_context())

        content = caching.cached_public(request, f"api:{self.basename}", build,
                                        request.accepted_media_type)
        return HttpResponse(content, content_type=renderer.media_type)

    def get_queryset(self):
        return perms.visible(self.model, self.request.user).order_by("pk")

    def _check_parent(self, serializer):
        if self.parent_field is None:
            return
        parent = serializer.validated_data.get(self.parent_field)
        if parent is None:
            return
        if not perms.visible(type(parent), self.request.user).filter(pk=parent.pk).exists():
            raise ValidationError({self.parent_field: [s.NO_SUCH_RECORD]})
        if not perms.can_edit(self.request.user, parent):
            raise PermissionDenied(f"You may not add records to this {self.parent_field}.")

    def perform_create(self, serializer):
        self._check_parent(serializer)
        serializer.validated_data.pop("version", None)
        serializer.save()

    def perform_destroy(self, instance):
        try:
            with transaction.atomic():
                instance.delete()
        except (ProtectedError, RestrictedError):
            raise InUse() from None

    def perform_update(self, serializer):
        self._check_parent(serializer)
        if hasattr(self.model, "save_versioned"):
            expected = serializer.validated_data.pop("version", None)
            if expected is None:
                raise ValidationError({"version": "Send the version you read (optimistic "
                                                  "concurrency)."})
            instance = serializer.instance
            m2m = {}
            for key, value in serializer.validated_data.items():
                if isinstance(serializer.fields.get(key), s.serializers.ManyRelatedField):
                    m2m[key] = value
                else:
                    setattr(instance, key, value)
            try:
                instance.save_versioned(expected)
            except ConflictError:
                raise Conflict() from None
            for key, value in m2m.items():
                getattr(instance, key).set(value)
        else:
            serializer.save()


class ClusterViewSet(RegistryViewSet):
    model = Cluster
    serializer_class = s.ClusterSerializer
    filterset_class = ClusterFilter
    ordering_fields = ["name_en", "founded", "id"]

    def get_queryset(self):
        qs = super().get_queryset()
        # Lists serialise related records as ids only: no join, no related objects.
        return qs if self.action == "list" else qs.select_related("coordinator_organisation")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else attach_member_counts(page)

    def perform_create(self, serializer):
        if not perms.can_create_cluster(self.request.user):
            raise PermissionDenied("You may not create clusters.")
        serializer.validated_data.pop("version", None)
        cluster = serializer.save()
        cluster.coordinators.add(self.request.user)


class OrganisationViewSet(RegistryViewSet):
    model = Organisation
    serializer_class = s.OrganisationSerializer
    filterset_class = OrganisationFilter
    ordering_fields = ["name_en", "id"]

    def perform_create(self, serializer):
        if not self.request.user.is_authenticated:
            raise PermissionDenied()
        serializer.validated_data.pop("version", None)
        org = serializer.save()
        if not perms.is_admin(self.request.user):
            # The creator represents the new organisation; the programme approves it.
            org.representatives.add(self.request.user)


class MembershipViewSet(RegistryViewSet):
    model = Membership
    http_method_names = ["get", "post", "put", "patch", "head", "options"]  # no DELETE
    serializer_class = s.MembershipSerializer
    parent_field = "cluster"
    filterset_fields = ["cluster", "organisation", "role", "committed"]

    def get_queryset(self):
        qs = super().get_queryset()
        # Lists serialise organisation and cluster as ids: no join, no related objects.
        return qs if self.action == "list" else qs.select_related("organisation", "cluster")


class ActivityViewSet(RegistryViewSet):
    model = Activity
    serializer_class = s.ActivitySerializer
    parent_field = "cluster"
    filterset_fields = ["cluster", "kind"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("participants")


class ProjectViewSet(RegistryViewSet):
    model = Project
    serializer_class = s.ProjectSerializer
    parent_field = "cluster"
    filterset_fields = ["cluster"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("partners")


class PartnerRequestViewSet(RegistryViewSet):
    model = PartnerRequest
    serializer_class = s.PartnerRequestSerializer
    parent_field = "organisation"
    filterset_fields = ["organisation", "cluster", "kind", "status"]


class CoordinatorProfileViewSet(RegistryViewSet):
    model = CoordinatorProfile
    serializer_class = s.CoordinatorProfileSerializer
    parent_field = "cluster"
    filterset_fields = ["cluster", "year"]


class DocumentViewSet(RegistryViewSet):
    model = Document
    serializer_class = s.DocumentSerializer
    parent_field = "cluster"
    filterset_fields = ["cluster"]

    def perform_create(self, serializer):
        self._check_parent(serializer)
        serializer.save(uploaded_by=self.request.user)


class EventViewSet(viewsets.ReadOnlyModelViewSet):
    """B2B matchmaking events, public like the board's (read-only: the programme's
    administrators create and edit them in the workspace)."""

    serializer_class = s.EventSerializer
    filterset_fields = ["date"]
    ordering_fields = ["date", "id"]

    def get_queryset(self):
        return Event.objects.annotate(
            registered=Count("participants", distinct=True)).order_by("-date", "pk")


class JoinRequestViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin,
                         mixins.ListModelMixin, viewsets.GenericViewSet):
    """Representatives ask to join (POST); the cluster's coordinators decide."""

    serializer_class = s.JoinRequestSerializer
    filterset_fields = ["organisation", "cluster", "status"]

    def get_queryset(self):
        return perms.visible(JoinRequest, self.request.user).order_by("pk")

    def perform_create(self, serializer):
        org = serializer.validated_data["organisation"]
        cluster = serializer.validated_data["cluster"]
        if not perms.visible(Organisation, self.request.user).filter(pk=org.pk).exists():
            raise ValidationError({"organisation": [s.NO_SUCH_RECORD]})
        if not perms.can_ask_to_join(self.request.user, org, cluster):
            raise PermissionDenied("Only a representative of the organisation may ask.")
        if JoinRequest.objects.filter(organisation=org, cluster=cluster,
                                      status="pending").exists():
            raise ValidationError({"cluster": "A request to join is already pending."})
        serializer.save(requested_by=self.request.user)

    @extend_schema(request=s.DecisionSerializer, responses=s.JoinRequestSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        join = self.get_object()
        if not perms.can_edit(request.user, join):
            raise PermissionDenied("Only the cluster's coordinators decide.")
        decision = s.DecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        try:
            join.decide(request.user, accept=decision.validated_data["accept"])
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from None
        return Response(s.JoinRequestSerializer(join).data)
