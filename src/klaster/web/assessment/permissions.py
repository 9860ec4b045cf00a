"""Who may do what in the assessment workflow: the one rule book for views and commands.

* programme administrator (``registry.permissions.is_admin``): rubric editions, calls,
  assigning evaluators, consensus, decisions, resolving appeals, KPI snapshots; sees all;
* cluster coordinator: applies for their own clusters, fills and submits the
  self-assessment, appeals a decision, sends member surveys; sees their applications and
  the consensus result once decided — never an evaluator's individual scores;
* evaluator (an ``EvaluatorAssignment``): sees the applications assigned to them and scores
  them; sees other evaluators' scores of an application only after submitting their own;
* visitor: published reports of decided applications, labels of visible clusters.

As in the registry, a record the user may not see answers 404; a visible one they may not
change, 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from klaster.web.registry import permissions as registry_perms
from klaster.web.registry.models import Cluster, Membership

from .models import Application, EvaluatorAssignment, Survey

is_admin = registry_perms.is_admin


def coordinates(user, cluster_id: int) -> bool:
    return bool(user.is_authenticated and Cluster.coordinators.through.objects.filter(
        user_id=user.pk, cluster_id=cluster_id).exists())


def visible_applications(user) -> QuerySet[Application]:
    qs = Application.objects.all()
    if is_admin(user):
        return qs
    published = Q(published=True, cluster__in=registry_perms.visible_clusters(user))
    if not user.is_authenticated:
        return qs.filter(published)
    own = Cluster.coordinators.through.objects.filter(user_id=user.pk).values("cluster_id")
    assigned = EvaluatorAssignment.objects.filter(evaluator_id=user.pk).values("application_id")
    return qs.filter(published | Q(cluster_id__in=own) | Q(pk__in=assigned))


def get_application(user, pk) -> Application:
    try:
        return visible_applications(user).select_related("call__rubric", "cluster").get(pk=pk)
    except (Application.DoesNotExist, ValueError):
        raise Http404("No application") from None


def can_edit_application(user, app: Application) -> bool:
    """The cluster's coordinators (and administrators) edit a draft."""
    return app.status == Application.Status.DRAFT and (
        is_admin(user) or coordinates(user, app.cluster_id))


def can_see_workflow(user, app: Application) -> bool:
    """Non-public parts (self-assessment values, evidence files, appeals)."""
    return is_admin(user) or coordinates(user, app.cluster_id) or (
        user.is_authenticated and app.assignments.filter(evaluator_id=user.pk).exists())


def can_see_result(user, app: Application) -> bool:
    """The consensus result and decision: public once published; the coordinator once
    decided; administrators always; evaluators after their own submission."""
    if is_admin(user) or app.published:
        return True
    if app.decision and coordinates(user, app.cluster_id):
        return True
    return bool(user.is_authenticated and app.assignments.filter(
        evaluator_id=user.pk, submitted__isnull=False).exists())


def visible_scores(user, app: Application) -> QuerySet[EvaluatorAssignment]:
    """Individual evaluators' scores this user may read: administrators all; an evaluator
    their own, and the others' only after submitting their own (independent scoring)."""
    qs = app.assignments.select_related("evaluator")
    if is_admin(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    own = qs.filter(evaluator_id=user.pk)
    if own.filter(submitted__isnull=False).exists():
        return qs.filter(submitted__isnull=False)
    return own


def get_assignment(user, pk) -> EvaluatorAssignment:
    """An assignment is visible to its evaluator and administrators only."""
    qs = EvaluatorAssignment.objects.select_related("application__call__rubric",
                                                    "application__cluster", "evaluator")
    if not is_admin(user):
        qs = qs.filter(evaluator_id=user.pk) if user.is_authenticated else qs.none()
    try:
        return qs.get(pk=pk)
    except (EvaluatorAssignment.DoesNotExist, ValueError):
        raise Http404("No assignment") from None


def require_admin(user) -> None:
    if not is_admin(user):
        raise PermissionDenied("Programme administrators only.")


def may_answer(user, survey: Survey):
    """The organisations (current members of the survey's cluster) ``user`` answers for."""
    if not user.is_authenticated:
        return []
    return list(Membership.objects.filter(
        cluster_id=survey.cluster_id, left__isnull=True,
        organisation__representatives=user).select_related("organisation")
        .values_list("organisation", flat=True))


def can_see_survey_results(user, survey: Survey) -> bool:
    return is_admin(user) or coordinates(user, survey.cluster_id)
