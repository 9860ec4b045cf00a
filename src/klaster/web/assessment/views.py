"""Assessment pages. Every view asks ``assessment.permissions`` (404 for what the user may
not see, 403 for what they may see but not do) and changes state through ``services``."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klaster.web.registry import permissions as registry_perms
from klaster.web.registry.models import Cluster, Membership
from klaster.web.security import plotly_page

from . import engine, forms, services
from . import permissions as perms
from .models import (
    MIN_SURVEY_ANSWERS,
    Appeal,
    Application,
    Call,
    EvaluatorAssignment,
    Evidence,
    KpiSnapshot,
    RubricEdition,
    Survey,
    SurveyResponse,
    fingerprint,
)


def _errors(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# --- calls and rubrics ---------------------------------------------------------------


def home(request):
    """Calls (public), and for signed-in users their applications and evaluation work."""
    user = request.user
    calls = (Call.objects.select_related("rubric").annotate(n_applications=Count("applications"))
             .order_by("-deadline", "pk"))
    if not perms.is_admin(user):
        calls = calls.filter(is_open=True)
    ctx = {"calls": calls, "is_admin": perms.is_admin(user), "now": timezone.now()}
    if user.is_authenticated:
        ctx["applications"] = (Application.objects.filter(cluster__coordinators=user)
                               .select_related("call", "cluster").order_by("-created", "pk"))
        ctx["assignments"] = (EvaluatorAssignment.objects.filter(evaluator=user)
                              .select_related("application__call", "application__cluster")
                              .order_by("submitted", "-created"))
        ctx["clusters"] = Cluster.objects.filter(coordinators=user).order_by("name_en")
    return render(request, "assessment/home.html", ctx)


@login_required
def rubric_list(request):
    perms.require_admin(request.user)
    rubrics = (RubricEdition.objects.select_related("superseded_by")
               .annotate(n_calls=Count("calls")).order_by("key", "-created", "pk"))
    try:
        builtin = engine.builtin_rubrics()
    except ImportError:
        builtin = []
    return render(request, "assessment/rubrics.html", {"rubrics": rubrics, "builtin": builtin})


@login_required
@require_POST
def rubric_import(request):
    """Store a built-in rubric file of ``klaster.assessment`` as an edition."""
    perms.require_admin(request.user)
    info = {r.key: r for r in engine.builtin_rubrics()}.get(request.POST.get("key"))
    if info is None:
        raise Http404("No such built-in rubric")
    content = Path(info.path).read_text(encoding="utf-8")
    existing = RubricEdition.objects.filter(fingerprint=fingerprint(content)).first()
    if existing:
        messages.info(request, _("This edition is already stored."))
        return redirect("assessment:rubric_edit", pk=existing.pk)
    edition = RubricEdition(key=info.key, scheme=info.scheme, edition=str(info.edition),
                            title=info.title, content=content)
    try:
        edition.full_clean()
        edition.save()
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("assessment:rubrics")
    messages.success(request, _("Rubric edition stored."))
    return redirect("assessment:rubric_edit", pk=edition.pk)


@login_required
def rubric_edit(request, pk=None):
    perms.require_admin(request.user)
    edition = get_object_or_404(RubricEdition, pk=pk) if pk else RubricEdition()
    form = forms.RubricEditionForm(request.POST or None, instance=edition)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                form.save()
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("assessment:rubric_edit", pk=form.instance.pk)
        status = 400
    return render(request, "assessment/rubric_edit.html",
                  {"form": form, "edition": edition if pk else None}, status=status)


@login_required
def rubric_supersede(request, pk):
    perms.require_admin(request.user)
    old = get_object_or_404(RubricEdition, pk=pk)
    if old.superseded_by_id:
        messages.error(request, _("This edition has already been superseded."))
        return redirect("assessment:rubric_edit", pk=old.superseded_by_id)
    form = forms.RubricEditionForm(request.POST or None, initial={
        "key": old.key, "title": old.title, "content": old.content})
    if request.method == "POST" and form.is_valid():
        try:
            new = old.supersede(form.cleaned_data["content"], title=form.cleaned_data["title"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("New edition stored; the old one is kept, frozen."))
            return redirect("assessment:rubric_edit", pk=new.pk)
    return render(request, "assessment/rubric_edit.html",
                  {"form": form, "edition": None, "supersedes": old},
                  status=400 if request.method == "POST" else 200)


@login_required
def call_edit(request, pk=None):
    perms.require_admin(request.user)
    call = get_object_or_404(Call, pk=pk) if pk else Call(created_by=request.user)
    form = forms.CallForm(request.POST or None, instance=call)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("assessment:call", pk=form.instance.pk)
    return render(request, "portal/form.html",
                  {"form": form, "title": call.title or _("New call")},
                  status=400 if request.method == "POST" else 200)


def call_detail(request, pk):
    user = request.user
    qs = Call.objects.select_related("rubric")
    call = get_object_or_404(qs if perms.is_admin(user) else qs.filter(is_open=True), pk=pk)
    applications = None
    if perms.is_admin(user):
        applications = (call.applications.select_related("cluster")
                        .annotate(n_evaluators=Count("assignments", distinct=True),
                                  n_submitted=Count("assignments", distinct=True,
                                                    filter=Q(assignments__submitted__isnull=False)))
                        .order_by("cluster__name_en", "pk"))
    own = (Cluster.objects.filter(coordinators=user).exclude(assessment_applications__call=call)
           .order_by("name_en") if user.is_authenticated else Cluster.objects.none())
    return render(request, "assessment/call.html", {
        "call": call, "applications": applications, "accepting": call.accepting(),
        "apply_form": forms.ApplyForm(clusters=own) if own.exists() else None,
        "is_admin": perms.is_admin(user)})


@login_required
@require_POST
def call_apply(request, pk):
    call = get_object_or_404(Call, pk=pk, is_open=True)
    cluster = registry_perms.get_visible_or_404(Cluster, request.user, request.POST.get("cluster"))
    if not perms.coordinates(request.user, cluster.pk):
        raise PermissionDenied("Only the cluster's coordinators may apply for it.")
    try:
        app = services.apply(call, cluster)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("assessment:call", pk=call.pk)
    messages.success(request, _("Application created: fill in the self-assessment."))
    return redirect("assessment:application", pk=app.pk)


# --- applications --------------------------------------------------------------------


def _registry_rows(rubric, app):
    return [{"spec": spec, "value": app.registry_values.get(spec.key)}
            for spec in services.indicators(rubric, "registry")]


def application_detail(request, pk):
    app = perms.get_application(request.user, pk)
    if not perms.can_see_workflow(request.user, app):
        # Visitors see a published application as its report.
        return redirect("assessment:report", pk=app.pk)
    rubric = app.call.rubric.rubric()
    evidence = {e.indicator: e for e in app.evidence.all()}
    editable = perms.can_edit_application(request.user, app)
    form = None
    status = 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("This application cannot be changed.")
        form = forms.self_assessment_form(rubric, evidence, request.POST, request.FILES)
        if form.is_valid():
            with transaction.atomic():
                for spec in services.indicators(rubric, "evaluator", "survey"):
                    d = form.cleaned_data
                    services.save_evidence(app, spec.key, value=d[f"v_{spec.key}"],
                                           note=d[f"n_{spec.key}"], url=d[f"u_{spec.key}"],
                                           file=d[f"f_{spec.key}"])
            messages.success(request, _("Self-assessment saved."))
            return redirect("assessment:application", pk=app.pk)
        status = 400
    elif editable:
        form = forms.self_assessment_form(rubric, evidence)
    self_rows = [{"spec": spec, "evidence": evidence.get(spec.key),
                  "required": services.evidence_required(spec)}
                 for spec in services.indicators(rubric, "evaluator", "survey")]
    is_admin = perms.is_admin(request.user)
    return render(request, "assessment/application.html", {
        "app": app, "rubric": rubric, "registry_rows": _registry_rows(rubric, app),
        "self_rows": self_rows, "form": form, "editable": editable,
        "is_coordinator": perms.coordinates(request.user, app.cluster_id),
        "is_admin": is_admin, "assign_form": forms.AssignForm() if is_admin else None,
        "assignments": app.assignments.select_related("evaluator") if is_admin else None,
        "can_see_result": perms.can_see_result(request.user, app),
        "appeals": app.appeals.all(), "appeal_form": forms.AppealForm(),
        "resolve_form": forms.ResolveForm(),
        "appeal_open": (app.status == "decided" and app.decided is not None
                        and timezone.now() <= app.appeal_deadline()),
    }, status=status)


@login_required
@require_POST
def application_submit(request, pk):
    app = perms.get_application(request.user, pk)
    if not perms.coordinates(request.user, app.cluster_id):
        raise PermissionDenied("Only the cluster's coordinators submit its application.")
    try:
        services.submit(app)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("assessment:application", pk=app.pk)
    messages.success(request, _("Application submitted."))
    return redirect("assessment:application", pk=app.pk)


def evidence_download(request, pk):
    ev = get_object_or_404(Evidence.objects.select_related("application"), pk=pk)
    app = perms.get_application(request.user, ev.application_id)
    if not perms.can_see_workflow(request.user, app) or not ev.file:
        raise Http404("No document")
    return FileResponse(ev.file.open("rb"), as_attachment=True,
                        filename=ev.file.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def assign(request, pk):
    perms.require_admin(request.user)
    app = perms.get_application(request.user, pk)
    form = forms.AssignForm(request.POST)
    if form.is_valid():
        try:
            services.assign(app, form.cleaned_data["evaluator"], request.user)
        except ValidationError as exc:
            _errors(request, exc)
            return redirect("assessment:application", pk=app.pk)
        messages.success(request, _("Evaluator assigned."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("assessment:application", pk=app.pk)


@login_required
def assignment_score(request, pk):
    assignment = perms.get_assignment(request.user, pk)
    app = assignment.application
    rubric = app.call.rubric.rubric()
    own = assignment.evaluator_id == request.user.pk
    form = None
    status = 200
    if request.method == "POST":
        if not own or assignment.submitted is not None:
            raise PermissionDenied("These scores cannot be changed.")
        form = forms.score_form(rubric, request.POST)
        if form.is_valid():
            values = {spec.key: form.cleaned_data[f"v_{spec.key}"]
                      for spec in services.indicators(rubric, "evaluator")}
            try:
                services.submit_scores(assignment, values, form.cleaned_data["comment"])
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("Scores submitted."))
            return redirect("assessment:assignment", pk=assignment.pk)
        status = 400
    elif own and assignment.submitted is None:
        form = forms.score_form(rubric)
    evidence = {e.indicator: e for e in app.evidence.all()}
    return render(request, "assessment/assignment.html", {
        "assignment": assignment, "app": app, "rubric": rubric, "form": form,
        "registry_rows": _registry_rows(rubric, app),
        "self_rows": [{"spec": s, "evidence": evidence.get(s.key)}
                      for s in services.indicators(rubric, "evaluator", "survey")],
        "scores": perms.visible_scores(request.user, app).exclude(pk=assignment.pk),
        "specs": services.indicators(rubric, "evaluator"),
    }, status=status)


@login_required
def decide(request, pk):
    """Consensus of the submitted scores, then the decision (administrators)."""
    perms.require_admin(request.user)
    app = perms.get_application(request.user, pk)
    rubric = app.call.rubric.rubric()
    suggested = (app.result or {}).get("level")
    form = forms.DecisionForm(rubric=rubric, suggested=suggested, result=app.result)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "consensus":
                services.compute_consensus(app)
                messages.success(request, _("Consensus computed."))
                return redirect("assessment:decide", pk=app.pk)
            form = forms.DecisionForm(request.POST, rubric=rubric, suggested=suggested,
                                      result=app.result)
            if form.is_valid():
                d = form.cleaned_data
                services.decide(app, d["decision"], d["level"], d["note"], d["publish"],
                                request.user)
                messages.success(request, _("Decision recorded."))
                return redirect("assessment:application", pk=app.pk)
        except ValidationError as exc:
            _errors(request, exc)
    return render(request, "assessment/decide.html", {
        "app": app, "rubric": rubric, "form": form,
        "scores": perms.visible_scores(request.user, app),
        "specs": services.indicators(rubric, "evaluator"), "result": app.result or None})


def _report_context(request, pk):
    app = perms.get_application(request.user, pk)
    if not perms.can_see_result(request.user, app) or not app.result:
        raise Http404("No published report")
    rubric = app.call.rubric.rubric()
    evidence = list(app.evidence.exclude(file="", url=""))
    return {"app": app, "rubric": rubric, "result": app.result, "evidence": evidence,
            "show_evidence_links": perms.can_see_workflow(request.user, app)}


def report(request, pk):
    return render(request, "assessment/report.html", _report_context(request, pk))


def report_pdf(request, pk):
    ctx = _report_context(request, pk)
    try:
        import weasyprint
    except (ImportError, OSError):
        # WeasyPrint loads Pango (Debian libpango-1.0-0, libpangoft2-1.0-0) at import.
        return HttpResponse(_("PDF rendering is not available on this server (WeasyPrint "
                              "needs the Pango library); use the HTML report."),
                            status=503, content_type="text/plain; charset=utf-8")
    html = render_to_string("assessment/report_pdf.html", ctx, request=request)
    pdf = weasyprint.HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="assessment-{ctx["app"].pk}.pdf"'
    return response


@login_required
@require_POST
def appeal(request, pk):
    app = perms.get_application(request.user, pk)
    if not perms.coordinates(request.user, app.cluster_id):
        raise PermissionDenied("Only the cluster's coordinators may appeal.")
    form = forms.AppealForm(request.POST)
    if form.is_valid():
        try:
            services.file_appeal(app, form.cleaned_data["reason"], request.user)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Appeal filed."))
    return redirect("assessment:application", pk=app.pk)


@login_required
@require_POST
def appeal_resolve(request, pk):
    perms.require_admin(request.user)
    item = get_object_or_404(Appeal, pk=pk)
    form = forms.ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.resolve_appeal(item, form.cleaned_data["upheld"],
                                    form.cleaned_data["resolution"], request.user)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Appeal resolved."))
    return redirect("assessment:application", pk=item.application_id)


# --- monitoring ----------------------------------------------------------------------


def _kpi_label(kpi: str) -> str:
    """A KPI's name in the reader's language (the label table klaster.assessment.labels;
    a key klaster does not know is shown as it is)."""
    from klaster.web.analysis.templatetags.engine_i18n import kpi_label

    return kpi_label(kpi)


@plotly_page
def dashboard(request, pk):
    from klaster.assessment.labels import kpi_panels
    from klaster.web.analysis.templatetags.engine_i18n import _translator

    cluster = registry_perms.get_visible_or_404(Cluster, request.user, pk)
    rows = list(KpiSnapshot.objects.filter(cluster=cluster).order_by("kpi", "year")
                .values("kpi", "year", "value"))
    years = sorted({r["year"] for r in rows})
    latest = years[-1] if years else None
    groups, position = [], []
    if rows:
        peers = list(KpiSnapshot.objects.filter(
            year=latest, cluster__in=registry_perms.visible_clusters(request.user))
            .values("cluster_id", "year", "kpi", "value"))
        table = engine.peer_percentiles(peers)
        mine = table.filter(table["cluster_id"] == cluster.pk)
        # Small multiples (one chart per KPI, grouped, in the label table's order): every
        # KPI is visible at once on its own scale, instead of one series at a time.
        groups = kpi_panels(rows, _translator(),
                            {r["kpi"]: r for r in mine.iter_rows(named=True)})
        position = [p for g in groups for p in g["panels"]]
    return render(request, "assessment/dashboard.html", {
        "cluster": cluster, "groups": groups, "position": position,
        "latest": latest, "is_admin": perms.is_admin(request.user),
        "this_year": timezone.localdate().year})


@login_required
@require_POST
def snapshot(request, pk):
    perms.require_admin(request.user)
    cluster = get_object_or_404(Cluster, pk=pk)
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        return HttpResponse(_("Give a year."), status=400)
    n = services.take_snapshots(year)
    messages.success(request, _("KPI snapshot of %(year)d stored (%(n)d values).")
                     % {"year": year, "n": n})
    return redirect("assessment:dashboard", pk=cluster.pk)


# --- member survey -------------------------------------------------------------------


@login_required
def survey_create(request, pk):
    cluster = registry_perms.get_visible_or_404(Cluster, request.user, pk)
    if not (perms.is_admin(request.user) or perms.coordinates(request.user, cluster.pk)):
        raise PermissionDenied("Only the cluster's coordinators send its surveys.")
    form = forms.SurveyForm(request.POST or None, initial={
        "year": timezone.localdate().year, "title": _("Member satisfaction survey")})
    if request.method == "POST" and form.is_valid():
        survey = form.save(commit=False)
        survey.cluster, survey.created_by = cluster, request.user
        survey.save()
        sent = send_survey(request, survey)
        messages.success(request, _("Survey sent to %(n)d member representatives.") % {"n": sent})
        return redirect("assessment:survey_results", pk=survey.pk)
    surveys = cluster.surveys.annotate(n=Count("responses")).order_by("-created")
    return render(request, "assessment/survey_create.html",
                  {"form": form, "cluster": cluster, "surveys": surveys},
                  status=400 if request.method == "POST" else 200)


def send_survey(request, survey: Survey) -> int:
    from django.contrib.auth import get_user_model

    from klaster.web.privacy.mail import send_mass_mail

    link = request.build_absolute_uri(reverse("assessment:survey_answer", args=[survey.pk]))
    users = get_user_model().objects.filter(
        represented_organisations__memberships__cluster=survey.cluster,
        represented_organisations__memberships__left__isnull=True,
    ).exclude(email="").distinct()
    body = _("The coordinator of %(cluster)s asks for your opinion (answers are shown only "
             "in aggregate, with at least 5 answers): %(link)s") % {
                 "cluster": survey.cluster.display_name, "link": link}
    return send_mass_mail([(survey.title, body, None, [u.email]) for u in users])


@login_required
def survey_answer(request, pk):
    survey = get_object_or_404(Survey.objects.select_related("cluster"), pk=pk)
    org_ids = perms.may_answer(request.user, survey)
    if not org_ids:
        raise Http404("No survey for you")
    if SurveyResponse.objects.filter(survey=survey, respondent=request.user).exists():
        return render(request, "assessment/survey_done.html", {"survey": survey})
    if not survey.is_open:
        raise PermissionDenied("This survey is closed.")
    from klaster.web.registry.models import Organisation

    form = forms.SurveyAnswerForm(request.POST or None,
                                  instance=SurveyResponse(survey=survey, respondent=request.user),
                                  organisations=Organisation.objects.filter(pk__in=org_ids))
    from klaster.web.privacy import forms as privacy

    privacy.attach_consent(form, request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        privacy.record(request.user, "survey")
        messages.success(request, _("Thank you: your answer is recorded."))
        return render(request, "assessment/survey_done.html", {"survey": survey})
    return render(request, "assessment/survey_answer.html", {"survey": survey, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def survey_results(request, pk):
    survey = get_object_or_404(Survey.objects.select_related("cluster"), pk=pk)
    if not perms.can_see_survey_results(request.user, survey):
        raise Http404("No survey")
    summary = services.survey_summary(survey)
    rows = ([(label, summary[q]) for q, label in Survey.QUESTIONS] if summary else [])
    comments = (list(survey.responses.exclude(comment="").order_by("?")
                     .values_list("comment", flat=True)) if summary else [])
    members = Membership.objects.filter(cluster=survey.cluster, left__isnull=True).count()
    return render(request, "assessment/survey_results.html", {
        "survey": survey, "summary": summary, "rows": rows, "comments": comments,
        "n": survey.responses.count(), "members": members,
        "minimum": MIN_SURVEY_ANSWERS})
