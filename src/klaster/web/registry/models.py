"""The registry's data model: organisations, clusters, memberships and what they do.

Integrity lives in the database (CheckConstraint / UniqueConstraint), not only in forms:
identifier formats per scheme, coordinate ranges, non-negative figures, date order, one
open membership per organisation and cluster. Every model keeps a change history
(django-simple-history: who, when, before/after). Records edited by people carry a
``version`` for optimistic concurrency (see ``Versioned.save_versioned``).

Names in several languages are per-language columns (``name_en`` required, ``name_pl``,
``name_be``, ``name_ru`` optional), not a JSON field: the language set is the UI's fixed
set, and plain columns can be searched, sorted, indexed and constrained by every database
backend alike. ``display_name`` picks the active UI language with an English fallback.
A cluster's sector, description and main region follow the same pattern (the plain
field is the fallback, ``<field>_pl/_be/_ru`` the translations; ``localized()`` picks
one): see docs/web.md "Content in four languages".
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from klaster.web.registry.validators import (
    IDENTIFIER_PATTERNS,
    canonical_identifier,
    normalise_codes,
    validate_identifier,
)

LANGS = ("en", "pl", "be", "ru")


class ConflictError(Exception):
    """A write based on an outdated version of a record (someone saved in between)."""

    def __init__(self, instance: models.Model, expected: int):
        super().__init__(f"{instance._meta.verbose_name} {instance.pk} changed since version "
                         f"{expected}")
        self.instance = instance
        self.expected = expected


class Versioned(models.Model):
    """Optimistic concurrency: ``version`` goes up by one on every versioned save."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save_versioned(self, expected_version: int | None) -> None:
        """Save only if the stored version still equals ``expected_version``.

        The compare-and-increment is one UPDATE ... WHERE version = expected, so two
        writers that both read version n cannot both succeed: the second raises
        ConflictError and nothing of it is written.
        """
        with transaction.atomic():
            if self.pk is None:
                self.version = 1
                self.save()
                return
            if expected_version is None:
                raise ConflictError(self, -1)
            bumped = type(self).objects.filter(pk=self.pk, version=expected_version).update(
                version=F("version") + 1)
            if bumped != 1:
                raise ConflictError(self, expected_version)
            self.version = expected_version + 1
            self.save()


class Named(models.Model):
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_pl = models.CharField(_("name (Polish)"), max_length=300, blank=True)
    name_be = models.CharField(_("name (Belarusian)"), max_length=300, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        lang = (get_language() or "en")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_en

    def __str__(self) -> str:
        return self.display_name


def _translations(field: models.Field, label: str) -> dict[str, models.Field]:
    """Per-language copies (pl, be, ru) of a text field; the field itself is the fallback
    (English, or whatever language it was written in) shown when a copy is empty."""
    names = {"pl": _("Polish"), "be": _("Belarusian"), "ru": _("Russian")}
    out = {}
    for lang, language in names.items():
        kwargs = {"blank": True}
        if isinstance(field, models.CharField):
            kwargs["max_length"] = field.max_length
        out[lang] = type(field)(format_lazy("{} ({})", label, language), **kwargs)
    return out


def with_translations(model, fields) -> list[str]:
    """``fields`` with each translated field of ``model`` followed by its pl/be/ru copies
    (for forms, serializers and exports, so no list repeats the copies by hand)."""
    out = []
    for name in fields:
        out.append(name)
        if name in getattr(model, "TRANSLATED", ()):
            out += [f"{name}_{lang}" for lang in ("pl", "be", "ru")]
    return out


class Localized:
    """``localized(field)``: the reader's language's copy of a translated text field, the
    plain field (fallback language) when that copy is empty."""

    TRANSLATED: tuple[str, ...] = ()

    def localized(self, field: str) -> str:
        lang = (get_language() or "en")[:2]
        if lang != "en" and field in self.TRANSLATED:
            value = getattr(self, f"{field}_{lang}", "")
            if value:
                return value
        return getattr(self, field)

    def __getattr__(self, name: str):
        # ``display_<field>`` for every translated field (display_sector, display_title,
        # ...), so templates and views never repeat the fallback rule. Only reached when
        # normal lookup fails, i.e. never for real fields.
        if name.startswith("display_") and name[8:] in type(self).TRANSLATED:
            return self.localized(name[8:])
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


class CodeSystem(models.TextChoices):
    NACE2 = "nace2", "NACE Rev.2"
    PKD2007 = "pkd2007", "PKD 2007"
    OKED = "oked", "OKED"
    NAICS2017 = "naics2017", "NAICS 2017"


def _clean_codes(instance) -> None:
    try:
        instance.industry_codes = normalise_codes(instance.industry_codes or [],
                                                  instance.code_system)
    except ValidationError as exc:
        raise ValidationError({"industry_codes": exc.messages}) from None


class Helix(models.TextChoices):
    BUSINESS = "business", _("Business")
    RESEARCH = "research", _("Research / university")
    PUBLIC = "public", _("Public authority")
    SUPPORT = "support", _("Business-support organisation")
    CIVIL = "civil", _("Civil society")
    FINANCE = "finance", _("Finance")


class SizeClass(models.TextChoices):
    MICRO = "micro", _("Micro")
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class IdScheme(models.TextChoices):
    UNP = "UNP", _("UNP (Belarus)")
    NIP = "NIP", _("NIP (Poland)")
    KRS = "KRS", _("KRS (Poland)")
    REGON = "REGON", _("REGON (Poland)")
    OTHER = "OTHER", _("Other")


class OrganisationQuerySet(models.QuerySet):
    def public(self):
        """Approved organisations and members (current or past) of published clusters:
        the maintained ``is_public`` flag (see Organisation.is_public)."""
        return self.filter(is_public=True)

    def public_by_rule(self):
        """The same set computed from the rule itself (the flag's reference, in tests)."""
        in_published = Membership.objects.filter(organisation=models.OuterRef("pk"),
                                                 cluster__published=True)
        return self.filter(Q(approved=True) | Q(models.Exists(in_published)))


class Organisation(Localized, Versioned, Named):
    TRANSLATED = ("region",)

    id_scheme = models.CharField(_("identifier scheme"), max_length=8, choices=IdScheme.choices)
    id_value = models.CharField(_("identifier"), max_length=64)
    legal_form = models.CharField(_("legal form"), max_length=120, blank=True)
    helix = models.CharField(_("helix type"), max_length=16, choices=Helix.choices)
    size_class = models.CharField(_("size class"), max_length=8, choices=SizeClass.choices,
                                  blank=True)
    code_system = models.CharField(_("code system"), max_length=12, choices=CodeSystem.choices,
                                   default=CodeSystem.NACE2)
    industry_codes = models.JSONField(_("industry codes"), default=list, blank=True)
    region = models.CharField(_("region"), max_length=80, blank=True,
                              help_text=_("Region code or name, e.g. PL84 or Podlaskie."))
    region_pl, region_be, region_ru = _translations(region, _("region")).values()
    city = models.CharField(_("city"), max_length=120, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True,
                                 validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), null=True, blank=True,
                                  validators=[MinValueValidator(-180), MaxValueValidator(180)])
    website = models.URLField(_("website"), blank=True)
    approved = models.BooleanField(_("approved by the programme"), default=False)
    # Public = approved, or a member (current or past) of a published cluster. Kept by the
    # DATABASE (triggers of migration 0008_public_flag on organisations, memberships and
    # clusters), so every write path keeps it right — saves, QuerySet.update, bulk_create,
    # raw SQL — and whatever value a save() carries is replaced. Computing the rule on
    # each request (an EXISTS per organisation) was the anonymous organisation list's
    # 20–140 ms COUNT with 20,000 organisations (issue 14, docs/web.md).
    is_public = models.BooleanField(default=False, editable=False, db_index=True)
    representatives = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                             related_name="represented_organisations")
    demo = models.BooleanField(_("illustrative demo data"), default=False)
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["version", "is_public"])

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name_en", "pk"]
        indexes = [models.Index(fields=["name_en", "id"], name="organisation_name_idx")]
        constraints = [
            models.UniqueConstraint(fields=["id_scheme", "id_value"],
                                    name="organisation_identifier_unique"),
            models.CheckConstraint(
                condition=Q(id_scheme__in=IdScheme.values), name="organisation_scheme_known"),
            *[models.CheckConstraint(
                condition=~Q(id_scheme=scheme) | Q(id_value__regex=pattern),
                name=f"organisation_{scheme.lower()}_format")
              for scheme, pattern in IDENTIFIER_PATTERNS.items()],
            models.CheckConstraint(condition=Q(helix__in=Helix.values),
                                   name="organisation_helix_known"),
            models.CheckConstraint(condition=Q(size_class__in=[*SizeClass.values, ""]),
                                   name="organisation_size_known"),
            models.CheckConstraint(condition=Q(latitude__isnull=True)
                                   | Q(latitude__gte=-90, latitude__lte=90),
                                   name="organisation_latitude_range"),
            models.CheckConstraint(condition=Q(longitude__isnull=True)
                                   | Q(longitude__gte=-180, longitude__lte=180),
                                   name="organisation_longitude_range"),
            models.CheckConstraint(condition=Q(latitude__isnull=True, longitude__isnull=True)
                                   | Q(latitude__isnull=False, longitude__isnull=False),
                                   name="organisation_coordinates_pair"),
            models.CheckConstraint(condition=~Q(name_en=""), name="organisation_name_en"),
        ]

    def clean(self) -> None:
        self.id_value = canonical_identifier(self.id_scheme, self.id_value)
        validate_identifier(self.id_scheme, self.id_value)
        _clean_codes(self)
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))


class OrganisationFigures(Versioned):
    """Yearly figures of one organisation (employees, turnover, exports, R&D staff)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="figures")
    year = models.PositiveSmallIntegerField(_("year"))
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    turnover = models.DecimalField(_("turnover (EUR)"), max_digits=16, decimal_places=2,
                                   null=True, blank=True)
    exports = models.DecimalField(_("exports (EUR)"), max_digits=16, decimal_places=2,
                                  null=True, blank=True)
    rd_staff = models.PositiveIntegerField(_("R&D staff"), null=True, blank=True)
    demo = models.BooleanField(_("illustrative demo data"), default=False)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["organisation", "year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="figures_one_per_year"),
            models.CheckConstraint(condition=Q(year__gte=1900, year__lte=2100),
                                   name="figures_year_range"),
            models.CheckConstraint(condition=Q(turnover__isnull=True) | Q(turnover__gte=0),
                                   name="figures_turnover_nonnegative"),
            models.CheckConstraint(condition=Q(exports__isnull=True) | Q(exports__gte=0),
                                   name="figures_exports_nonnegative"),
        ]


class ClusterStatus(models.TextChoices):
    POTENTIAL = "potential", _("Potential")
    FORMING = "forming", _("Forming")
    OPERATING = "operating", _("Operating")
    DISSOLVED = "dissolved", _("Dissolved")


class Phase(models.TextChoices):
    EMBRYONIC = "embryonic", _("Embryonic")
    DEVELOPMENT = "development", _("Development")
    MATURITY = "maturity", _("Maturity")


_SECTOR = models.CharField(max_length=120, blank=True)
_REGION = models.CharField(max_length=80, blank=True)
_DESCRIPTION = models.TextField(blank=True)
_sector_t = _translations(_SECTOR, _("sector / ecosystem"))
_region_t = _translations(_REGION, _("main region"))
_description_t = _translations(_DESCRIPTION, _("description"))


class Cluster(Localized, Versioned, Named):
    TRANSLATED = ("sector", "description", "region", "contact_role")

    status = models.CharField(_("status"), max_length=12, choices=ClusterStatus.choices,
                              default=ClusterStatus.FORMING)
    phase = models.CharField(_("lifecycle phase"), max_length=12, choices=Phase.choices,
                             blank=True)
    coordinator_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True,
        related_name="coordinated_clusters", verbose_name=_("coordinator organisation"))
    founded = models.DateField(_("founding date"), null=True, blank=True)
    sector = models.CharField(_("sector / ecosystem"), max_length=120, blank=True)
    sector_pl, sector_be, sector_ru = _sector_t["pl"], _sector_t["be"], _sector_t["ru"]
    code_system = models.CharField(_("code system"), max_length=12, choices=CodeSystem.choices,
                                   default=CodeSystem.NACE2)
    industry_codes = models.JSONField(_("industry codes"), default=list, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True,
                               help_text=_("ISO 3166 code, e.g. PL or BY."))
    region = models.CharField(_("main region"), max_length=80, blank=True)
    region_pl, region_be, region_ru = _region_t["pl"], _region_t["be"], _region_t["ru"]
    territory = models.CharField(_("territory (regions)"), max_length=300, blank=True)
    strategy_document = models.URLField(_("strategy document"), blank=True)
    strategy_review = models.DateField(_("strategy review date"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    description_pl = _description_t["pl"]
    description_be = _description_t["be"]
    description_ru = _description_t["ru"]
    # A named contact person, published only with that person's recorded consent (GDPR
    # Art. 6(1)(a), Art. 7(1): the controller must be able to show who consented, when and
    # to what text). ``contact_published`` is the one gate every page, export and API uses.
    contact_name = models.CharField(_("contact person's name"), max_length=200, blank=True)
    contact_role = models.CharField(_("contact person's role"), max_length=200, blank=True,
                                    help_text=_("Function in the cluster, e.g. cluster manager."))
    contact_role_pl, contact_role_be, contact_role_ru = _translations(
        contact_role, _("contact person's role")).values()
    contact_email = models.EmailField(_("contact person's e-mail"), blank=True)
    contact_phone = models.CharField(_("contact person's phone"), max_length=40, blank=True)
    contact_consent_name = models.CharField(_("consent given by"), max_length=200, blank=True)
    contact_consent_at = models.DateTimeField(_("consent given on"), null=True, blank=True)
    contact_consent_text = models.TextField(_("text consented to"), blank=True)
    contact_consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("consent recorded by"))
    published = models.BooleanField(_("published"), default=False)
    approved = models.BooleanField(_("approved by the programme"), default=False)
    coordinators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                          related_name="coordinated_clusters")
    demo = models.BooleanField(_("illustrative demo data"), default=False)
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["name_en", "pk"]
        indexes = [models.Index(fields=["name_en", "id"], name="cluster_name_idx")]
        permissions = [("administer_programme", "Programme administrator: everything")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ClusterStatus.values),
                                   name="cluster_status_known"),
            models.CheckConstraint(condition=Q(phase__in=[*Phase.values, ""]),
                                   name="cluster_phase_known"),
            models.CheckConstraint(condition=~Q(name_en=""), name="cluster_name_en"),
            models.CheckConstraint(condition=Q(strategy_review__isnull=True)
                                   | Q(founded__isnull=True)
                                   | Q(strategy_review__gte=F("founded")),
                                   name="cluster_review_after_founding"),
        ]

    def clean(self) -> None:
        _clean_codes(self)
        self.country = (self.country or "").upper()

    CONTACT_FIELDS = ("contact_name", "contact_role", "contact_role_pl", "contact_role_be",
                      "contact_role_ru", "contact_email", "contact_phone")
    CONSENT_FIELDS = ("contact_consent_name", "contact_consent_at", "contact_consent_text",
                      "contact_consent_recorded_by")

    @property
    def contact_published(self) -> bool:
        """A contact person is shown only when consent is on record and was given by the
        person now named (a changed name needs that person's own consent)."""
        return bool(self.contact_name and self.contact_consent_at
                    and self.contact_consent_text
                    and self.contact_consent_name == self.contact_name)

    def clear_contact_person(self) -> None:
        """Remove the contact person and the consent (withdrawal, Art. 7(3), or erasure):
        without consent there is no reason to keep the details."""
        for field in self.CONTACT_FIELDS + self.CONSENT_FIELDS[:-1]:
            setattr(self, field, None if field == "contact_consent_at" else "")
        self.contact_consent_recorded_by = None


class MembershipRole(models.TextChoices):
    FOUNDER = "founder", _("Founder")
    MEMBER = "member", _("Member")
    COORDINATOR = "coordinator", _("Coordinator")
    BOARD = "board", _("Board")


class Membership(models.Model):
    """An organisation's membership of a cluster. Ended, never deleted: ``left`` is set."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="memberships")
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=12, choices=MembershipRole.choices,
                            default=MembershipRole.MEMBER)
    committed = models.BooleanField(_("committed member"), default=False)
    joined = models.DateField(_("joined"), default=timezone.localdate)
    left = models.DateField(_("left"), null=True, blank=True)
    working_groups = models.CharField(_("working groups"), max_length=300, blank=True)
    demo = models.BooleanField(_("illustrative demo data"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cluster", "organisation__name_en", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "cluster"],
                                    condition=Q(left__isnull=True),
                                    name="membership_one_open_per_cluster"),
            models.CheckConstraint(condition=Q(left__isnull=True) | Q(left__gte=F("joined")),
                                   name="membership_left_after_joined"),
            models.CheckConstraint(condition=Q(role__in=MembershipRole.values),
                                   name="membership_role_known"),
        ]

    def end(self, on=None) -> None:
        """End the membership (history kept: the row stays, ``left`` is set)."""
        self.left = on or timezone.localdate()
        self.full_clean()
        self.save(update_fields=["left"])

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Memberships are never deleted; end them instead."))


class CoordinatorProfile(models.Model):
    """The coordinator organisation's capacity in one year."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="profiles")
    year = models.PositiveSmallIntegerField(_("year"))
    management_fte = models.DecimalField(_("management staff (FTE)"), max_digits=6,
                                         decimal_places=2, default=0)
    budget = models.DecimalField(_("budget (EUR)"), max_digits=14, decimal_places=2, default=0)
    income_member_fees = models.DecimalField(_("income: member fees"), max_digits=14,
                                             decimal_places=2, default=0)
    income_public = models.DecimalField(_("income: public funds"), max_digits=14,
                                        decimal_places=2, default=0)
    income_services = models.DecimalField(_("income: paid services"), max_digits=14,
                                          decimal_places=2, default=0)
    demo = models.BooleanField(_("illustrative demo data"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cluster", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "year"], name="profile_one_per_year"),
            models.CheckConstraint(
                condition=Q(management_fte__gte=0, budget__gte=0, income_member_fees__gte=0,
                            income_public__gte=0, income_services__gte=0),
                name="profile_nonnegative"),
        ]


class ActivityKind(models.TextChoices):
    STUDY_VISIT = "study_visit", _("Study visit")
    TRAINING = "training", _("Training")
    CONFERENCE = "conference", _("Conference")
    B2B = "b2b", _("B2B meeting")
    WORKING_GROUP = "working_group", _("Working group")
    OTHER = "other", _("Other")


class Activity(Localized, Versioned):
    TRANSLATED = ("title", "description")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=300)
    title_pl, title_be, title_ru = _translations(title, _("title")).values()
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    participants = models.ManyToManyField(Organisation, blank=True,
                                          related_name="activities")
    participant_count = models.PositiveIntegerField(_("participants"), default=0)
    foreign_participant_count = models.PositiveIntegerField(_("foreign participants"),
                                                            default=0)
    description = models.TextField(_("description"), blank=True)
    description_pl, description_be, description_ru = _translations(
        description, _("description")).values()
    demo = models.BooleanField(_("illustrative demo data"), default=False)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-start", "pk"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                                   name="activity_end_after_start"),
            models.CheckConstraint(
                condition=Q(foreign_participant_count__lte=F("participant_count")),
                name="activity_foreign_within_total"),
            models.CheckConstraint(condition=Q(kind__in=ActivityKind.values),
                                   name="activity_kind_known"),
        ]

    def __str__(self) -> str:
        return self.title


class Project(Localized, Versioned):
    TRANSLATED = ("title", "funding_source", "outputs")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(_("title"), max_length=300)
    title_pl, title_be, title_ru = _translations(title, _("title")).values()
    partners = models.ManyToManyField(Organisation, blank=True, related_name="projects")
    budget = models.DecimalField(_("budget (EUR)"), max_digits=14, decimal_places=2,
                                 null=True, blank=True)
    funding_source = models.CharField(_("funding source"), max_length=200, blank=True)
    funding_source_pl, funding_source_be, funding_source_ru = _translations(
        funding_source, _("funding source")).values()
    outputs = models.TextField(_("outputs"), blank=True)
    outputs_pl, outputs_be, outputs_ru = _translations(outputs, _("outputs")).values()
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    demo = models.BooleanField(_("illustrative demo data"), default=False)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__isnull=True) | Q(budget__gte=0),
                                   name="project_budget_nonnegative"),
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(start__isnull=True)
                                   | Q(end__gte=F("start")), name="project_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class PartnerRequest(Localized, Versioned):
    TRANSLATED = ("topic", "description", "sectors")

    class Kind(models.TextChoices):
        OFFER = "offer", _("Offer")
        SEEK = "seek", _("Seek")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="partner_requests")
    cluster = models.ForeignKey(Cluster, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="partner_requests")
    kind = models.CharField(_("offer or seek"), max_length=8, choices=Kind.choices)
    topic = models.CharField(_("topic"), max_length=300)
    topic_pl, topic_be, topic_ru = _translations(topic, _("topic")).values()
    description = models.TextField(_("description"), blank=True)
    description_pl, description_be, description_ru = _translations(
        description, _("description")).values()
    sectors = models.CharField(_("sectors"), max_length=300, blank=True)
    sectors_pl, sectors_be, sectors_ru = _translations(sectors, _("sectors")).values()
    countries = models.CharField(_("countries"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.OPEN)
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-created", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["offer", "seek"]),
                                   name="partner_request_kind_known"),
            models.CheckConstraint(condition=Q(status__in=["open", "closed"]),
                                   name="partner_request_status_known"),
        ]


class Document(models.Model):
    """Evidence attached to a cluster (a file or a link)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to="documents/%Y/", blank=True)
    url = models.URLField(_("link"), blank=True)
    uploaded = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(file="") | ~Q(url=""),
                                   name="document_file_or_link"),
        ]

    def __str__(self) -> str:
        return self.title


class JoinRequest(models.Model):
    """An organisation's representative asks to join a cluster; its coordinator decides.

    Accepting creates the Membership; the request stays as the record of who asked, when,
    and who decided.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="join_requests")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    decided = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "cluster"],
                                    condition=Q(status="pending"),
                                    name="join_request_one_pending"),
            models.CheckConstraint(condition=Q(status__in=["pending", "accepted", "declined"]),
                                   name="join_request_status_known"),
            models.CheckConstraint(condition=Q(status="pending", decided__isnull=True)
                                   | (~Q(status="pending") & Q(decided__isnull=False)),
                                   name="join_request_decided_when_not_pending"),
        ]

    @transaction.atomic
    def decide(self, user, accept: bool) -> Membership | None:
        """Accept (creating the membership) or decline a pending request."""
        if self.status != self.Status.PENDING:
            raise ValidationError(_("This request has already been decided."))
        membership = None
        if accept:
            if Membership.objects.filter(organisation=self.organisation, cluster=self.cluster,
                                         left__isnull=True).exists():
                raise ValidationError(_("The organisation is already a member."))
            membership = Membership.objects.create(organisation=self.organisation,
                                                   cluster=self.cluster)
        self.status = self.Status.ACCEPTED if accept else self.Status.DECLINED
        self.decided_by = user
        self.decided = timezone.now()
        self.save()
        return membership
