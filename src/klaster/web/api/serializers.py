"""API serializers. Validation is the model's (full_clean), so API and forms agree."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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


class ModelCleanMixin:
    """Run the model's ``full_clean`` (identifiers, codes, DB constraints) before saving."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance or self.Meta.model()
        for key, value in attrs.items():
            if key != "version" and not isinstance(self.fields.get(key),
                                                   serializers.ManyRelatedField):
                setattr(instance, key, value)
        try:
            instance.full_clean(exclude=["version"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
        # full_clean canonicalises (identifiers, codes): send the canonical values on.
        for key in attrs:
            if hasattr(instance, key) and key in ("id_value", "industry_codes", "country"):
                attrs[key] = getattr(instance, key)
        return attrs


class VersionField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, required=False, help_text=(
            "The version the client last read. Required on update: a write based on an "
            "older version is rejected with 409 Conflict."), **kwargs)


class OrganisationSerializer(ModelCleanMixin, serializers.ModelSerializer):
    version = VersionField()

    class Meta:
        model = Organisation
        fields = ["id", "version", "name_en", "name_pl", "name_be", "name_ru", "id_scheme",
                  "id_value", "legal_form", "helix", "size_class", "code_system",
                  "industry_codes", "region", "city", "latitude", "longitude", "website",
                  "approved", "demo"]
        read_only_fields = ["approved", "demo"]


class ClusterSerializer(ModelCleanMixin, serializers.ModelSerializer):
    version = VersionField()
    member_count = serializers.SerializerMethodField()

    class Meta:
        model = Cluster
        fields = ["id", "version", "name_en", "name_pl", "name_be", "name_ru", "status",
                  "phase", "coordinator_organisation", "founded", "sector", "code_system",
                  "industry_codes", "country", "region", "territory", "strategy_document",
                  "strategy_review", "website", "description", "published", "approved",
                  "demo", "member_count"]
        read_only_fields = ["approved", "demo"]

    @extend_schema_field(OpenApiTypes.INT)
    def get_member_count(self, cluster) -> int:
        """Current members; lists annotate it in one query, single writes count it."""
        count = getattr(cluster, "member_count", None)
        if count is None:
            count = cluster.memberships.filter(left__isnull=True).count()
        return count


class MembershipSerializer(ModelCleanMixin, serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "organisation", "cluster", "role", "committed", "joined", "left",
                  "working_groups", "demo"]
        read_only_fields = ["demo"]


class ActivitySerializer(ModelCleanMixin, serializers.ModelSerializer):
    version = VersionField()

    class Meta:
        model = Activity
        fields = ["id", "version", "cluster", "kind", "title", "start", "end", "place",
                  "participants", "participant_count", "foreign_participant_count",
                  "description", "demo"]
        read_only_fields = ["demo"]


class ProjectSerializer(ModelCleanMixin, serializers.ModelSerializer):
    version = VersionField()

    class Meta:
        model = Project
        fields = ["id", "version", "cluster", "title", "partners", "budget", "funding_source",
                  "outputs", "start", "end", "demo"]
        read_only_fields = ["demo"]


class PartnerRequestSerializer(ModelCleanMixin, serializers.ModelSerializer):
    version = VersionField()

    class Meta:
        model = PartnerRequest
        fields = ["id", "version", "organisation", "cluster", "kind", "topic", "description",
                  "sectors",
                  "countries", "status", "created"]
        read_only_fields = ["created"]


class CoordinatorProfileSerializer(ModelCleanMixin, serializers.ModelSerializer):
    class Meta:
        model = CoordinatorProfile
        fields = ["id", "cluster", "year", "management_fte", "budget", "income_member_fees",
                  "income_public", "income_services", "demo"]
        read_only_fields = ["demo"]


class DocumentSerializer(ModelCleanMixin, serializers.ModelSerializer):
    # Files are downloaded through the permission-checked portal view, never /media/.
    file = serializers.FileField(write_only=True, required=False)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "cluster", "title", "file", "url", "download", "uploaded"]
        read_only_fields = ["uploaded"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download(self, document) -> str | None:
        if not document.file:
            return None
        path = reverse("portal:document", args=[document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class JoinRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = JoinRequest
        fields = ["id", "organisation", "cluster", "message", "status", "created", "decided"]
        read_only_fields = ["status", "created", "decided"]


class DecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
