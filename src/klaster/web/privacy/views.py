"""The privacy notice and the person's self-service page (access, rectification, objection,
withdrawal, erasure request)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klaster.web.privacy import conf, inventory, services
from klaster.web.privacy.forms import AcceptForm, ErasureForm, ProfileForm
from klaster.web.privacy.models import ConsentRecord, ErasureRequest


def _register_rows():
    """(category, purpose, retention) of the personal data, for the notice."""
    seen = {}
    for _model, _name, item in inventory.personal_fields():
        key = (str(item.category), str(item.purpose), str(item.retention))
        seen.setdefault(key, key)
    return sorted(seen)


def notice(request):
    cfg = conf.get()
    current = (request.user.is_authenticated
               and services.has_current_consent(request.user))
    return render(request, "privacy/notice.html", {
        "cfg": cfg, "rows": _register_rows(), "current": current})


def _safe_next(request, default="portal:workspace"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


@login_required
def accept(request):
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.record_consent(request.user, ConsentRecord.Context.NOTICE)
        messages.success(request, _("Thank you: your answer to the privacy notice is "
                                    "recorded."))
        return redirect(_safe_next(request))
    return render(request, "privacy/accept.html", {
        "form": form, "cfg": conf.get(), "next": _safe_next(request, "")},
        status=400 if request.method == "POST" else 200)


@login_required
def my_data(request):
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details are saved."))
        return redirect("privacy:my_data")
    return render(request, "privacy/my_data.html", {
        "form": form, "cfg": conf.get(),
        "consents": ConsentRecord.objects.filter(user=user)[:20],
        "no_emails": services.objects_to_emails(user),
        "organisations": user.represented_organisations.order_by("name_en"),
        "erase_form": ErasureForm(),
        "pending": ErasureRequest.objects.filter(user=user, status="pending").first(),
    }, status=400 if request.method == "POST" else 200)


def _download(request, content: str, kind: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=kind)
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}"'
    return response


@login_required
def download_json(request):
    return _download(request, services.export_json(request.user),
                     "application/json; charset=utf-8", "my-data.json")


@login_required
def download_csv(request):
    return _download(request, services.export_csv(request.user), "text/csv; charset=utf-8",
                     "my-data.csv")


@login_required
@require_POST
def emails(request):
    objects = request.POST.get("no_emails") == "1"
    services.set_email_objection(request.user, objects)
    messages.success(request, _("You will receive no e-mails from the platform.") if objects
                     else _("You will receive the platform's e-mails again."))
    return redirect("privacy:my_data")


@login_required
@require_POST
def withdraw(request):
    services.withdraw_consent(request.user)
    messages.success(request, _("Your consent is withdrawn. Data you gave under it will "
                                "not be used for new purposes; ask for erasure to remove "
                                "it."))
    return redirect("privacy:my_data")


@login_required
@require_POST
def erase_request(request):
    form = ErasureForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm the request."))
        return redirect("privacy:my_data")
    ErasureRequest.objects.get_or_create(
        user=request.user, status=ErasureRequest.Status.PENDING,
        defaults={"requested_by": request.user, "message": form.cleaned_data["message"]})
    messages.success(request, _("Your erasure request is recorded; an administrator will "
                                "carry it out and the account will then stop working."))
    return redirect("privacy:my_data")
