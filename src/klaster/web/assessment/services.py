"""Workflow steps: each one checks its preconditions, writes in one transaction and so
leaves one history record per changed row (django-simple-history). Views and management
commands call these; the rights of the caller are checked by ``permissions`` first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from klaster.web.registry.models import Cluster

from . import engine
from .models import (
    MIN_SURVEY_ANSWERS,
    Appeal,
    Application,
    Call,
    EvaluatorAssignment,
    Evidence,
    KpiSnapshot,
    Label,
    Survey,
    SurveyResponse,
)


def indicators(rubric, *providers: str):
    return [spec for spec in rubric.indicators if not providers or spec.provider in providers]


def evidence_required(spec) -> bool:
    """Does the rubric demand a document for this indicator? (``evidence`` names it.)"""
    return bool(getattr(spec, "evidence", None))


def level_names(rubric) -> list[str]:
    names = []
    for level in rubric.levels or []:
        if isinstance(level, str):
            names.append(level)
        elif isinstance(level, Mapping):
            names.append(str(level.get("name") or level.get("key")))
        else:
            names.append(str(getattr(level, "name", None) or getattr(level, "key", level)))
    return names


@transaction.atomic
def apply(call: Call, cluster: Cluster) -> Application:
    if not call.accepting():
        raise ValidationError(_("This call is closed or its deadline has passed."))
    if Application.objects.filter(call=call, cluster=cluster).exists():
        raise ValidationError(_("This cluster has already applied to this call."))
    app = Application.objects.create(call=call, cluster=cluster)
    app.registry_values = engine.registry_values(cluster.pk, call.year)
    app.save(update_fields=["registry_values"])
    return app


@transaction.atomic
def submit(app: Application, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    if app.status != Application.Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."))
    if not app.call.accepting(now):
        raise ValidationError(_("The deadline of this call has passed; the application "
                                "can no longer be submitted."))
    rubric = app.call.rubric.rubric()
    evidence = {e.indicator: e for e in app.evidence.all()}
    missing = [spec.label for spec in indicators(rubric, "evaluator", "survey")
               if evidence_required(spec)
               and not (evidence.get(spec.key) and (evidence[spec.key].file
                                                    or evidence[spec.key].url))]
    if missing:
        raise ValidationError(_("A document or link is required for: %(names)s.")
                              % {"names": ", ".join(missing)})
    # Registry values are taken again at submission: the assessed figures are those of
    # the moment the coordinator signed the application off.
    app.registry_values = engine.registry_values(app.cluster_id, app.call.year)
    app.status = Application.Status.SUBMITTED
    app.submitted = now
    app.save()


def save_evidence(app: Application, key: str, *, value, note, url, file) -> Evidence:
    ev, _created = Evidence.objects.get_or_create(application=app, indicator=key)
    ev.value, ev.note, ev.url = value, note or "", url or ""
    if file:
        ev.file = file
    ev.save()
    return ev


@transaction.atomic
def assign(app: Application, evaluator, by) -> EvaluatorAssignment:
    if app.status not in (Application.Status.SUBMITTED, Application.Status.APPEALED):
        raise ValidationError(_("Evaluators are assigned to submitted applications."))
    if app.assignments.filter(evaluator=evaluator).exists():
        raise ValidationError(_("This evaluator is already assigned."))
    return EvaluatorAssignment.objects.create(application=app, evaluator=evaluator,
                                              assigned_by=by)


@transaction.atomic
def submit_scores(assignment: EvaluatorAssignment, values: Mapping, comment: str) -> None:
    if assignment.submitted is not None:
        raise ValidationError(_("These scores have already been submitted."))
    assignment.values = {k: (None if v is None else float(v)) for k, v in values.items()}
    assignment.comment = comment
    assignment.submitted = timezone.now()
    assignment.save()


def assessment_values(app: Application, evaluator_values: Mapping) -> dict:
    """Values given to the engine: registry-derived (snapshot at submission), the
    evaluators' consensus for evaluator-provided ones, and the self-assessed values for
    survey-provided ones."""
    rubric = app.call.rubric.rubric()
    values = {}
    self_values = {e.indicator: e.value for e in app.evidence.all()}
    for spec in rubric.indicators:
        if spec.provider == "registry":
            values[spec.key] = app.registry_values.get(spec.key)
        elif spec.provider == "evaluator":
            values[spec.key] = evaluator_values.get(spec.key)
        else:
            values[spec.key] = self_values.get(spec.key)
        if getattr(spec, "kind", "number") == "bool" and values[spec.key] is not None:
            values[spec.key] = bool(values[spec.key])  # stored as 1.0 / 0.0
    return values


@transaction.atomic
def compute_consensus(app: Application) -> dict:
    submitted = list(app.assignments.filter(submitted__isnull=False))
    if not submitted:
        raise ValidationError(_("No evaluator has submitted scores yet."))
    rubric = app.call.rubric.rubric()
    combined = engine.consensus(rubric, [a.values for a in submitted])
    app.consensus_values = combined["values"]
    app.result = engine.assess(rubric, assessment_values(app, app.consensus_values),
                               app.cluster.phase or None)
    app.result["consensus_ties"] = combined["ties"]
    app.result["n_evaluators"] = combined["n_evaluators"]
    app.save(update_fields=["consensus_values", "result"])
    return app.result


def departure(result: dict, decision: str, level: str) -> str | None:
    """Why ``decision`` (at ``level``) departs from the computed ``result``, or None.

    Granting what did not pass, refusing what passed, or granting another level than the
    computed one is the decision-maker's right, but it must be reasoned and visible
    (issue 12): the reasons are required and the decision, the label and the public
    report say that the decision departs from the computed result.
    """
    passed, computed = bool(result.get("passed")), result.get("level") or ""
    if decision == Application.Decision.GRANTED and not passed:
        return _("The label is granted although the computed result did not pass.")
    if decision == Application.Decision.REFUSED and passed:
        return _("The label is refused although the computed result passed.")
    if decision == Application.Decision.GRANTED and computed and level != computed:
        return _("The level %(level)s differs from the computed level %(computed)s.") % {
            "level": level, "computed": computed}
    return None


@transaction.atomic
def decide(app: Application, decision: str, level: str, note: str, publish: bool, by,
           today: dt.date | None = None) -> Label | None:
    if app.status not in (Application.Status.SUBMITTED, Application.Status.APPEALED):
        raise ValidationError(_("Only a submitted application can be decided."))
    if not app.result:
        raise ValidationError(_("Compute the consensus before deciding."))
    if decision not in Application.Decision.values:
        raise ValidationError(_("Choose the decision: granted or refused."))
    if decision == Application.Decision.GRANTED and not level:
        raise ValidationError(_("A granted label needs a level."))
    note = (note or "").strip()
    departs = departure(app.result, decision, level)
    if departs and not note:
        raise ValidationError({"note": _("%(why)s Give the reasons for departing from the "
                                         "computed result.") % {"why": departs}})
    today = today or timezone.localdate()
    app.decision, app.level, app.decision_note = decision, level if decision == "granted" else "", note
    app.departs_from_result = departs is not None
    app.decided, app.decided_by, app.published = timezone.now(), by, publish
    app.status = Application.Status.DECIDED
    app.save()
    label = Label.objects.filter(application=app).first()
    if decision == Application.Decision.GRANTED:
        rubric = app.call.rubric.rubric()
        label = label or Label(application=app, cluster=app.cluster)
        label.scheme, label.level, label.granted = app.call.rubric.title, level, today
        label.valid_until = (engine.validity(today, rubric) if rubric.valid_years is not None
                             else None)  # e.g. an ECCP profile: no fixed expiry
        label.revoked = False
        label.departs_from_result = app.departs_from_result
        label.save()
        return label
    if label is not None and not label.revoked:
        label.revoked = True
        label.save()
    return None


@transaction.atomic
def file_appeal(app: Application, reason: str, by, now: dt.datetime | None = None) -> Appeal:
    now = now or timezone.now()
    if app.status != Application.Status.DECIDED:
        raise ValidationError(_("Only a decided application can be appealed."))
    if now > app.appeal_deadline():
        raise ValidationError(_("The appeal window closed on %(date)s.")
                              % {"date": timezone.localtime(app.appeal_deadline()).date()})
    appeal = Appeal.objects.create(application=app, reason=reason, filed_by=by)
    app.status = Application.Status.APPEALED
    app.save(update_fields=["status"])
    return appeal


@transaction.atomic
def resolve_appeal(appeal: Appeal, upheld: bool, resolution: str, by) -> None:
    """Rejected: the decision stands. Upheld: the application is open for a new decision
    (evaluators may be added, consensus recomputed); the earlier label stays until then."""
    if appeal.status != Appeal.Status.PENDING:
        raise ValidationError(_("This appeal has already been resolved."))
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED
    appeal.resolution, appeal.resolved_by, appeal.resolved = resolution, by, timezone.now()
    appeal.save()
    app = appeal.application
    app.status = Application.Status.APPEALED if upheld else Application.Status.DECIDED
    app.save(update_fields=["status"])


def survey_summary(survey: Survey) -> dict | None:
    """Mean answers and count; ``None`` below ``MIN_SURVEY_ANSWERS`` answers, so that no
    single member's answers can be read off the aggregate."""
    agg = survey.responses.aggregate(
        n=Count("pk"), **{q: Avg(q) for q, _label in Survey.QUESTIONS})
    if agg["n"] < MIN_SURVEY_ANSWERS:
        return None
    return agg


def satisfaction(cluster_ids: list[int], year: int) -> dict[int, float]:
    """Mean overall satisfaction per cluster over that year's surveys with enough answers."""
    rows = (SurveyResponse.objects.filter(survey__cluster_id__in=cluster_ids, survey__year=year)
            .values("survey_id", "survey__cluster_id").annotate(n=Count("pk"), mean=Avg("overall")))
    per_cluster: dict[int, list[tuple[int, float]]] = {}
    for row in rows:
        if row["n"] >= MIN_SURVEY_ANSWERS:
            per_cluster.setdefault(row["survey__cluster_id"], []).append((row["n"], row["mean"]))
    return {cid: sum(n * m for n, m in parts) / sum(n for n, _m in parts)
            for cid, parts in per_cluster.items()}


@transaction.atomic
def take_snapshots(year: int, cluster_ids: list[int] | None = None) -> int:
    """Compute and store the KPI snapshot of ``year`` for the clusters; returns rows written."""
    ids = cluster_ids if cluster_ids is not None else list(
        Cluster.objects.order_by("pk").values_list("pk", flat=True))
    values = engine.kpi_snapshots(ids, year)
    sat = satisfaction(ids, year)
    written = 0
    for cid, kpis in values.items():
        kpis = dict(kpis)
        kpis["member_satisfaction"] = sat.get(cid)
        for kpi, value in kpis.items():
            KpiSnapshot.objects.update_or_create(cluster_id=cid, year=year, kpi=kpi,
                                                 defaults={"value": value})
            written += 1
    return written
