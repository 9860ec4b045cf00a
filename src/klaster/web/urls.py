"""URL map: portal pages (public + workspace), accounts, API, OpenAPI document, admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from klaster.web.api.docs import ApiDocsView


def health(request):
    """Liveness check for a proxy or load balancer: the full middleware stack, no database
    and no template. Also the "floor" of benchmarks/bench_web_cold.py (the cost of a
    request that does nothing)."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", health, name="health"),
    path("", include("klaster.web.portal.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/docs/", ApiDocsView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include("klaster.web.api.urls")),
    path("assessment/", include("klaster.web.assessment.urls")),
    path("matchmaking/", include("klaster.web.matchmaking.urls")),
    path("analysis/", include("klaster.web.analysis.urls")),
    path("privacy/", include("klaster.web.privacy.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("admin/", admin.site.urls),
]
