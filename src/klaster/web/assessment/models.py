"""Assessment workflow: rubric editions, calls, applications, evaluators, labels, appeals,
KPI snapshots and member-satisfaction surveys.

The scoring itself is done by the framework-free library ``klaster.assessment`` (see
``engine.py``); these models keep who did what, when, and with which rubric edition. Every
model keeps a django-simple-history history (who, when, each version), so each step of a
call is in the audit trail.

Rules enforced here (not only in views), so the admin, views and commands obey them alike:

* a rubric edition used by any call is frozen: its content cannot change (``save`` refuses);
  it can only be superseded by a new edition;
* an evaluator may not represent an organisation that is, or was in the last
  ``CONFLICT_YEARS`` years, a member of the applicant cluster, nor coordinate it
  (``EvaluatorAssignment.clean`` / ``conflicts_of_interest``);
* an application is submitted only while its call is open and before the deadline;
* one answer per survey and respondent (a database constraint).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from klaster.web.registry.models import Cluster, Membership, Organisation

CONFLICT_YEARS = 3
MIN_SURVEY_ANSWERS = 5


def fingerprint(content: str) -> str:
    """The rubric's fingerprint (``Rubric.fingerprint``: sha256 of its validated content,
    the same whatever the YAML layout or comments). Raises ValidationError if invalid."""
    from klaster.web.assessment import engine

    try:
        return engine.rubric_from_text(content, "rubric").fingerprint
    except engine.RubricError as exc:
        raise ValidationError({"content": str(exc)}) from None


class RubricEdition(models.Model):
    """One edition of a scheme's rubric, with a snapshot of its YAML content."""

    key = models.CharField(_("key"), max_length=80)
    scheme = models.CharField(_("scheme"), max_length=80, blank=True)
    edition = models.CharField(_("edition"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=300)
    content = models.TextField(_("rubric (YAML)"))
    fingerprint = models.CharField(max_length=64, editable=False)
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="supersedes",
                                      verbose_name=_("superseded by"))
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["key", "-created", "pk"]
        constraints = [models.UniqueConstraint(fields=["fingerprint"],
                                               name="rubric_edition_fingerprint_unique")]

    def __str__(self) -> str:
        return f"{self.title} ({self.key}, {self.fingerprint[:8]})"

    @property
    def in_use(self) -> bool:
        return self.pk is not None and self.calls.exists()

    def clean(self) -> None:
        from klaster.web.assessment import engine

        try:
            rubric = engine.rubric_from_text(self.content, self.key or "rubric")
        except engine.RubricError as exc:
            raise ValidationError({"content": str(exc)}) from None
        self.key = self.key or rubric.key
        self.scheme = self.scheme or rubric.scheme
        self.edition = self.edition or str(rubric.edition)
        self.title = self.title or rubric.title

    def save(self, *args, **kwargs):
        self.fingerprint = fingerprint(self.content)
        if self.pk is not None:
            stored = RubricEdition.objects.filter(pk=self.pk).values_list(
                "content", "key").first()
            if (stored is not None and stored != (self.content, self.key)
                    and Call.objects.filter(rubric_id=self.pk).exists()):
                raise ValidationError(_("This rubric edition is used by a call and cannot be "
                                        "edited; supersede it with a new edition instead."))
        super().save(*args, **kwargs)

    @transaction.atomic
    def supersede(self, content: str, *, title: str | None = None) -> RubricEdition:
        """A new edition with ``content`` that replaces this one (which stays, frozen)."""
        new = RubricEdition(key=self.key, scheme=self.scheme, title=title or self.title,
                            content=content)
        new.full_clean()
        new.save()
        self.superseded_by = new
        super().save(update_fields=["superseded_by"])
        return new

    def rubric(self):
        """The parsed rubric (``klaster.assessment.Rubric``) of this stored content."""
        from klaster.web.assessment import engine

        return engine.rubric_from_text(self.content, self.key)


class Call(models.Model):
    """A call for applications, opened by a programme administrator."""

    rubric = models.ForeignKey(RubricEdition, on_delete=models.PROTECT, related_name="calls",
                               verbose_name=_("rubric edition"))
    title = models.CharField(_("title"), max_length=300)
    deadline = models.DateTimeField(_("deadline"))
    is_open = models.BooleanField(_("open"), default=True)
    year = models.PositiveSmallIntegerField(
        _("assessment year"), help_text=_("Registry figures of this year are assessed."))
    appeal_days = models.PositiveSmallIntegerField(_("appeal window (days)"), default=14)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-deadline", "pk"]
        constraints = [models.CheckConstraint(condition=Q(year__gte=1900, year__lte=2100),
                                              name="call_year_range")]

    def __str__(self) -> str:
        return self.title

    def accepting(self, now=None) -> bool:
        return self.is_open and (now or timezone.now()) <= self.deadline


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        DECIDED = "decided", _("Decided")
        APPEALED = "appealed", _("Under appeal")

    class Decision(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT,
                                related_name="assessment_applications")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    registry_values = models.JSONField(_("registry-derived values"), default=dict, blank=True)
    submitted = models.DateTimeField(_("submitted"), null=True, blank=True)
    consensus_values = models.JSONField(_("consensus values"), default=dict, blank=True)
    result = models.JSONField(_("assessment result"), default=dict, blank=True)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices,
                                blank=True)
    level = models.CharField(_("level"), max_length=80, blank=True)
    decision_note = models.TextField(_("reasons"), blank=True)
    # The decision differs from the computed result (granted though not passed, refused
    # though passed, or another level): allowed only with reasons, and shown as such on
    # the decision, the label and the public report (services.departure).
    departs_from_result = models.BooleanField(_("departs from the computed result"),
                                              default=False)
    decided = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    published = models.BooleanField(_("report published"), default=False)
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "cluster"], name="application_one_per_call"),
            models.CheckConstraint(condition=Q(status__in=["draft", "submitted", "decided",
                                                           "appealed"]),
                                   name="application_status_known"),
            models.CheckConstraint(condition=Q(decision__in=["", "granted", "refused"]),
                                   name="application_decision_known"),
            models.CheckConstraint(condition=Q(published=False) | ~Q(decision=""),
                                   name="application_published_after_decision"),
            models.CheckConstraint(condition=Q(departs_from_result=False)
                                   | ~Q(decision_note=""),
                                   name="application_departure_has_reasons"),
        ]

    def __str__(self) -> str:
        return f"{self.cluster} — {self.call}"

    def appeal_deadline(self) -> dt.datetime | None:
        return self.decided + dt.timedelta(days=self.call.appeal_days) if self.decided else None


class Evidence(models.Model):
    """A self-assessed value of one indicator, with its evidence (a file or a link)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="evidence")
    indicator = models.CharField(_("indicator"), max_length=120)
    value = models.FloatField(_("value"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    file = models.FileField(_("document"), upload_to="assessment/%Y/", blank=True)
    url = models.URLField(_("link"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "indicator"]
        constraints = [models.UniqueConstraint(fields=["application", "indicator"],
                                               name="evidence_one_per_indicator")]


def conflicts_of_interest(user, cluster: Cluster, today: dt.date | None = None):
    """Organisations that make ``user`` conflicted for ``cluster``.

    Those the user represents that are members of the cluster now or left it less than
    ``CONFLICT_YEARS`` years ago, plus the cluster's coordinator organisation if the user
    represents it. (A coordinator of the cluster is refused separately.)
    """
    today = today or timezone.localdate()
    cutoff = today.replace(year=today.year - CONFLICT_YEARS) if not (
        today.month == 2 and today.day == 29) else dt.date(today.year - CONFLICT_YEARS, 2, 28)
    recent = Membership.objects.filter(cluster=cluster).filter(
        Q(left__isnull=True) | Q(left__gte=cutoff)).values("organisation_id")
    return Organisation.objects.filter(representatives=user).filter(
        Q(pk__in=recent) | Q(coordinated_clusters=cluster)).distinct()


class EvaluatorAssignment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="assignments")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="assessment_assignments",
                                  verbose_name=_("evaluator"))
    values = models.JSONField(_("scores"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    submitted = models.DateTimeField(_("submitted"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "pk"]
        constraints = [models.UniqueConstraint(fields=["application", "evaluator"],
                                               name="assignment_one_per_evaluator")]

    def clean(self) -> None:
        cluster = self.application.cluster
        if cluster.coordinators.filter(pk=self.evaluator_id).exists():
            raise ValidationError({"evaluator": _(
                "Conflict of interest: this person coordinates the cluster.")})
        orgs = list(conflicts_of_interest(self.evaluator, cluster))
        if orgs:
            raise ValidationError({"evaluator": _(
                "Conflict of interest: this person represents %(orgs)s, a member of the "
                "cluster now or within the last %(years)d years.") % {
                    "orgs": ", ".join(o.display_name for o in orgs), "years": CONFLICT_YEARS}})

    def save(self, *args, **kwargs):
        self.full_clean(exclude=["values"])
        super().save(*args, **kwargs)


class Label(models.Model):
    """A label granted to a cluster by a decision, valid until a date."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="labels")
    application = models.OneToOneField(Application, on_delete=models.PROTECT,
                                       related_name="label")
    scheme = models.CharField(_("scheme"), max_length=300)
    level = models.CharField(_("level"), max_length=80)
    granted = models.DateField(_("granted"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True,
                                   help_text=_("Empty: no fixed expiry (the rubric states none)."))
    revoked = models.BooleanField(_("revoked"), default=False)
    departs_from_result = models.BooleanField(
        _("granted against the computed result"), default=False,
        help_text=_("The decision granted this label although the computed result did not "
                    "(or at another level); its reasons are in the public report."))
    reminded = models.DateField(_("expiry reminder sent"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted", "pk"]
        constraints = [models.CheckConstraint(condition=Q(valid_until__isnull=True)
                                              | Q(valid_until__gte=models.F("granted")),
                                              name="label_valid_after_granted")]

    def __str__(self) -> str:
        return f"{self.scheme}: {self.level}"


class Appeal(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="appeals")
    reason = models.TextField(_("reason"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, related_name="+")
    filed = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.PENDING)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    resolved = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-filed", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=Q(status="pending"),
                                    name="appeal_one_pending"),
            models.CheckConstraint(condition=Q(status__in=["pending", "upheld", "rejected"]),
                                   name="appeal_status_known"),
        ]


class KpiSnapshot(models.Model):
    """One KPI of one cluster in one year, as computed by ``klaster.assessment.kpi_snapshot``."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="kpi_snapshots")
    year = models.PositiveSmallIntegerField(_("year"))
    kpi = models.CharField(_("indicator"), max_length=80)
    value = models.FloatField(_("value"), null=True, blank=True)
    computed = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cluster", "kpi", "year"]
        constraints = [models.UniqueConstraint(fields=["cluster", "year", "kpi"],
                                               name="kpi_one_per_cluster_year")]


class Survey(models.Model):
    """A member-satisfaction survey sent by a cluster's coordinator."""

    QUESTIONS = (
        ("overall", _("Overall satisfaction with the cluster")),
        ("services", _("Value of the services for your organisation")),
        ("cooperation", _("New cooperation with other members")),
        ("communication", _("Information and communication from the coordinator")),
    )

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="surveys")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=300)
    is_open = models.BooleanField(_("open"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created", "pk"]

    def __str__(self) -> str:
        return self.title


def _scale():
    return [MinValueValidator(1), MaxValueValidator(5)]


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    overall = models.PositiveSmallIntegerField(Survey.QUESTIONS[0][1], validators=_scale())
    services = models.PositiveSmallIntegerField(Survey.QUESTIONS[1][1], validators=_scale())
    cooperation = models.PositiveSmallIntegerField(Survey.QUESTIONS[2][1], validators=_scale())
    communication = models.PositiveSmallIntegerField(Survey.QUESTIONS[3][1],
                                                     validators=_scale())
    comment = models.TextField(_("comment"), blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # No history: answers are never edited, and a history would keep who said what.

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "respondent"],
                                    name="survey_one_answer_per_person"),
            *[models.CheckConstraint(condition=Q(**{f"{q}__gte": 1, f"{q}__lte": 5}),
                                     name=f"survey_{q}_scale") for q, _label in Survey.QUESTIONS],
        ]
