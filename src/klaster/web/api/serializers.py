"""API serializers. Validation is the model's (full_clean), so API and forms agree."""

from __future__ import annotations

from operator import attrgetter

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import ManyRelatedField, PKOnlyObject, PrimaryKeyRelatedField

from klaster.web.matchmaking.models import Event
from klaster.web.registry import permissions as perms
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
    with_translations,
)
from klaster.web.uploads import validate_document_size

NO_SUCH_RECORD = _("No such record.")
NOT_A_MEMBER = _("No such record among the cluster's current members.")


def _author(serializer):
    """The user a serializer writes for (anonymous without a request)."""
    request = serializer.context.get("request")
    return getattr(request, "user", None) or AnonymousUser()


class ScopedRelatedField(PrimaryKeyRelatedField):
    """A related field whose choices are what the requesting user may name
    (``permissions.allowed_targets``, the rule the page forms use too).

    A hidden record and a missing one get the same answer, "No such record." (no id
    echoed back, so the two bodies are identical). Without a request in the context the
    user is anonymous, who may name nothing hidden.
    """

    default_error_messages = {"does_not_exist": NO_SUCH_RECORD}

    def _owner(self):
        # A many-to-many field wraps this one: its name and serializer are the wrapper's.
        return self.parent if isinstance(self.parent, ManyRelatedField) else self

    def get_queryset(self):
        field = self._owner()
        serializer = field.parent
        return perms.allowed_targets(_author(serializer), serializer.Meta.model, field.source)


class ScopedModelSerializer(serializers.ModelSerializer):
    """Every related field of every API serializer is a ``ScopedRelatedField``; fields that
    must name members of the record's cluster (``permissions.MEMBERS_ONLY``) are checked
    here once the cluster (sent or stored) is known."""

    serializer_related_field = ScopedRelatedField

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        for (rule_model, name), cluster_field in perms.MEMBERS_ONLY.items():
            if rule_model is not model or not ({name, cluster_field} & attrs.keys()):
                continue
            cluster = attrs.get(cluster_field) or getattr(self.instance, cluster_field, None)
            if name in attrs:
                chosen = attrs[name]
            elif self.instance is not None:
                chosen = list(getattr(self.instance, name).all())
            else:
                continue
            if cluster is None or not chosen:
                continue
            allowed = set(perms.allowed_targets(_author(self), model, name, cluster=cluster)
                          .filter(pk__in=[o.pk for o in chosen]).values_list("pk", flat=True))
            if any(o.pk not in allowed for o in chosen):
                raise serializers.ValidationError({name: [NOT_A_MEMBER]})
        return attrs


# Conditional unique constraints are checked by Django with the message "Constraint
# “<name>” is violated."; say what they mean instead. (The API only lets a user name
# records they may see, so the conflicting row is one they may see as well.)
CONSTRAINT_MESSAGES = {
    "membership_one_open_per_cluster": _(
        "The organisation is already a current member of this cluster."),
    "join_request_one_pending": _("A request to join is already pending."),
}


def readable_errors(model, exc: DjangoValidationError):
    """``full_clean``'s errors as DRF wants them, constraint names replaced by meaning."""
    if not hasattr(exc, "error_dict"):
        return exc.messages
    meaning = {str(c.get_violation_error_message()): CONSTRAINT_MESSAGES[c.name]
               for c in model._meta.constraints if c.name in CONSTRAINT_MESSAGES}
    return {field: [meaning.get(m, m) for m in DjangoValidationError(errors).messages]
            for field, errors in exc.error_dict.items()}


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
            raise serializers.ValidationError(readable_errors(type(instance), exc)) from None
        # full_clean canonicalises (identifiers, codes): send the canonical values on.
        # (The key is tested first: reading a many-to-many attribute of an unsaved
        # record raises ValueError.)
        for key in attrs:
            if key in ("id_value", "industry_codes", "country") and hasattr(instance, key):
                attrs[key] = getattr(instance, key)
        return attrs


class FastReadMixin:
    """The output of DRF's ``Serializer.to_representation``, with less work per field.

    DRF resolves every field of every row through ``Field.get_attribute`` (a generic
    dotted-path walk with callable and mapping checks); for a 50-row list of 20-odd
    fields that is most of the API's CPU time. Fields that read one concrete model column
    are read here with a plain attribute getter (a foreign key shown as its id reads the
    ``<name>_id`` column, as DRF's pk-only optimisation does); every other field (method
    fields, many-to-many, dotted sources) goes through DRF unchanged. ``None`` is passed
    through without ``to_representation``, as DRF does.
    """

    def _read_plan(self):
        plan = self.__dict__.get("_fast_read_plan")
        if plan is None:
            model = self.Meta.model
            columns = {f.name: f for f in model._meta.concrete_fields}
            plan = []
            for field in self._readable_fields:
                column = (columns.get(field.source_attrs[0])
                          if len(field.source_attrs) == 1 else None)
                if column is None:
                    plan.append((field, None, False))
                elif column.is_relation:
                    fast = (isinstance(field, PrimaryKeyRelatedField)
                            and field.use_pk_only_optimization() and field.pk_field is None)
                    plan.append((field, attrgetter(column.attname) if fast else None, True))
                else:
                    plan.append((field, attrgetter(column.attname), False))
            self.__dict__["_fast_read_plan"] = plan
        return plan

    def to_representation(self, instance):
        ret = {}
        for field, getter, raw in self._read_plan():
            if getter is None:  # DRF's own path for this field
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                ret[field.field_name] = (None if check is None
                                         else field.to_representation(attribute))
                continue
            value = getter(instance)
            ret[field.field_name] = value if raw or value is None else (
                field.to_representation(value))
        return ret


class VersionField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, required=False, help_text=(
            "The version the client last read. Required on update: a write based on an "
            "older version is rejected with 409 Conflict."), **kwargs)


class OrganisationSerializer(FastReadMixin, ModelCleanMixin, ScopedModelSerializer):
    version = VersionField()

    class Meta:
        model = Organisation
        fields = ["id", "version", "name_en", "name_pl", "name_be", "name_ru", "id_scheme",
                  "id_value", "legal_form", "helix", "size_class", "code_system",
                  "industry_codes", "region", "region_pl", "region_be", "region_ru", "city",
                  "latitude", "longitude", "website", "approved", "demo"]
        read_only_fields = ["approved", "demo"]


class ClusterSerializer(FastReadMixin, ModelCleanMixin, ScopedModelSerializer):
    version = VersionField()
    member_count = serializers.SerializerMethodField()
    contact_person = serializers.SerializerMethodField()

    class Meta:
        model = Cluster
        fields = ["id", "version", "name_en", "name_pl", "name_be", "name_ru", "status",
                  "phase", "coordinator_organisation", "founded", "sector", "sector_pl",
                  "sector_be", "sector_ru", "code_system", "industry_codes", "country",
                  "region", "region_pl", "region_be", "region_ru", "territory",
                  "strategy_document", "strategy_review", "website", "description",
                  "description_pl", "description_be", "description_ru", "published",
                  "approved", "demo", "member_count", "contact_person"]
        read_only_fields = ["approved", "demo"]

    @extend_schema_field({"type": "object", "nullable": True, "properties": {
        "name": {"type": "string"}, "role": {"type": "string"},
        "role_pl": {"type": "string"}, "role_be": {"type": "string"},
        "role_ru": {"type": "string"}, "email": {"type": "string"}, "phone": {"type": "string"}}})
    def get_contact_person(self, cluster) -> dict | None:
        """The named contact person, only with that person's consent on record (GDPR Art.
        6(1)(a)); otherwise null. Set in the workspace, where the consent is recorded."""
        if not cluster.contact_published:
            return None
        return {"name": cluster.contact_name, "role": cluster.contact_role,
                **{f"role_{lang}": getattr(cluster, f"contact_role_{lang}")
                   for lang in ("pl", "be", "ru")},
                "email": cluster.contact_email, "phone": cluster.contact_phone}

    @extend_schema_field(OpenApiTypes.INT)
    def get_member_count(self, cluster) -> int:
        """Current members; lists annotate it in one query, single writes count it."""
        count = getattr(cluster, "member_count", None)
        if count is None:
            count = cluster.memberships.filter(left__isnull=True).count()
        return count


class MembershipSerializer(FastReadMixin, ModelCleanMixin, ScopedModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "organisation", "cluster", "role", "committed", "joined", "left",
                  "working_groups", "demo"]
        read_only_fields = ["demo"]


class ActivitySerializer(ModelCleanMixin, ScopedModelSerializer):
    version = VersionField()

    class Meta:
        model = Activity
        fields = with_translations(Activity, [
            "id", "version", "cluster", "kind", "title", "start", "end", "place",
            "participants", "participant_count", "foreign_participant_count",
            "description", "demo"])
        read_only_fields = ["demo"]


class ProjectSerializer(ModelCleanMixin, ScopedModelSerializer):
    version = VersionField()

    class Meta:
        model = Project
        fields = with_translations(Project, [
            "id", "version", "cluster", "title", "partners", "budget", "funding_source",
            "outputs", "start", "end", "demo"])
        read_only_fields = ["demo"]


class PartnerRequestSerializer(ModelCleanMixin, ScopedModelSerializer):
    version = VersionField()

    class Meta:
        model = PartnerRequest
        fields = with_translations(PartnerRequest, [
            "id", "version", "organisation", "cluster", "kind", "topic", "description",
            "sectors", "countries", "status", "created"])
        read_only_fields = ["created"]


class EventSerializer(serializers.ModelSerializer):
    """A B2B matchmaking event as the public board shows it (no participant is named):
    title and place with their pl/be/ru copies, the format, and how many organisations
    registered."""

    registered = serializers.IntegerField(read_only=True)

    class Meta:
        model = Event
        fields = with_translations(Event, [
            "id", "title", "date", "start", "slots", "tables", "slot_minutes", "place",
            "scheduled", "registered"])
        read_only_fields = fields


class CoordinatorProfileSerializer(ModelCleanMixin, ScopedModelSerializer):
    class Meta:
        model = CoordinatorProfile
        fields = ["id", "cluster", "year", "management_fte", "budget", "income_member_fees",
                  "income_public", "income_services", "demo"]
        read_only_fields = ["demo"]


class DocumentSerializer(ModelCleanMixin, ScopedModelSerializer):
    # Files are downloaded through the permission-checked portal view, never /media/.
    file = serializers.FileField(write_only=True, required=False,
                                 validators=[validate_document_size])
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


class JoinRequestSerializer(ScopedModelSerializer):
    class Meta:
        model = JoinRequest
        fields = ["id", "organisation", "cluster", "message", "status", "created", "decided"]
        read_only_fields = ["status", "created", "decided"]


class DecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
