"""The API's front door: a root that says what klaster's API is (translated), and the
documentation page (Swagger UI from the installed drf-spectacular-sidecar package).

The documentation page is drf-spectacular's "split" Swagger view: the page and its start
script are two responses, so the page has no inline script and needs no CSP exception
(every script is this site's file, 'self'); the Swagger UI files come from the sidecar
package's static files, nothing from a CDN.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import routers
from rest_framework.response import Response


class ApiRootView(routers.APIRootView):
    """Lists the collections of the API, with links to its documentation and schema."""

    def get_view_name(self) -> str:
        return _("klaster API")

    def get_view_description(self, html: bool = False) -> str:
        from django.utils.html import escape
        from django.utils.safestring import mark_safe

        text = _(
            "klaster's REST API gives programs the cluster programme's registry: clusters, "
            "member organisations, memberships, activities, joint projects, partner "
            "requests, coordinator profiles, documents and join requests. Reading follows "
            "the same rules as the web pages (what you may not see answers 404); writing "
            "needs a token or a signed-in session and the right to change the record. "
            "Interactive documentation: %(docs)s; OpenAPI schema: %(schema)s.") % {
                "docs": reverse("api-docs"), "schema": reverse("schema")}
        return mark_safe(f"<p>{escape(text)}</p>") if html else text

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # The root also points to the documentation (after the collections).
        try:
            response.data["docs"] = request.build_absolute_uri(reverse("api-docs"))
            response.data["schema"] = request.build_absolute_uri(reverse("schema"))
        except NoReverseMatch:  # mounted without the docs (tests of the router alone)
            pass
        return Response(response.data)


class Router(routers.DefaultRouter):
    APIRootView = ApiRootView


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"

    @property
    def title(self):  # read per request, in the active language
        return _("klaster API documentation")
