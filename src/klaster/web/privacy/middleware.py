"""Two request hooks of the privacy app.

* The notice gate: when the deployment's notice version changed since a signed-in person
  last answered (or they never did), ``gate = "block"`` (the default under consent) sends
  page requests to the acceptance page first; ``"banner"`` only shows a banner (the
  context processor) until they answer.
* The access log: an administrator opening a person's account in the admin (change page,
  history, the list of accounts) is recorded (who, whose, when).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from klaster.web.privacy import conf, services

EXEMPT = ("/privacy/", "/accounts/", "/i18n/", "/static/", "/media/", "/api/", "/admin/")


class PrivacyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._is_page(request):
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return self.get_response(request)
            cfg = conf.get()
            if cfg.gate == "block" and not services.has_current_consent(user):
                target = reverse("privacy:accept") + "?" + urlencode(
                    {"next": request.get_full_path()})
                return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _is_page(request) -> bool:
        """Only page requests of someone with a session are gated. Scripts, styles and
        fetches (Accept without text/html) are not, and are not made to read the session:
        reading it adds "Vary: Cookie", which would stop browsers from reusing cached
        assets such as plotly.js once a cookie is set."""
        accept = request.headers.get("Accept")
        return (settings.SESSION_COOKIE_NAME in request.COOKIES
                and (accept is None or "text/html" in accept)
                and not request.path.startswith(EXEMPT))

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        user = getattr(request, "user", None)
        if (match is None or match.namespace != "admin" or user is None
                or not user.is_authenticated or request.method != "GET"):
            return None
        if match.url_name in ("auth_user_change", "auth_user_history"):
            from django.contrib.auth import get_user_model

            subject = get_user_model().objects.filter(
                pk=view_kwargs.get("object_id", "")).first() if str(
                view_kwargs.get("object_id", "")).isdigit() else None
            if subject is not None:
                services.log_access(user, subject, "view", f"admin: {match.url_name}")
        elif match.url_name == "auth_user_changelist":
            services.log_access(user, None, "view", "admin: list of user accounts")
        elif match.url_name == "privacy_erasurerequest_change":
            from klaster.web.privacy.models import ErasureRequest

            req = ErasureRequest.objects.filter(pk=view_kwargs.get("object_id") or 0).first() \
                if str(view_kwargs.get("object_id", "")).isdigit() else None
            if req is not None:
                services.log_access(user, req.user, "view", "admin: erasure request")
        return None


def notice_context(request):
    """Context processor: whether to show the "the privacy notice changed" banner."""
    user = getattr(request, "user", None)
    pending = bool(user is not None and user.is_authenticated
                   and not services.has_current_consent(user))
    return {"privacy_notice_pending": pending}
