"""Security pieces the settings refer to: DEBUG kept to this computer, the analysis
report's own Content-Security-Policy, the serve command's address check."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpResponseForbidden

# The mapping report is a self-contained HTML file (klaster.reports.html, Jinja with
# autoescape; data passed to Plotly as JSON) with inline Plotly: inline scripts and styles
# are allowed for this response only, which may load and send nothing (no connect, image,
# font or form target but data:/blob: URIs) and is framed by this site's pages alone.
# (A `sandbox` directive was tried to give it an opaque origin: in Chromium it stopped
# the form of the page that frames the report from submitting, so it is not used.)
REPORT_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'unsafe-inline'", "'unsafe-eval'"],
        "style-src": ["'unsafe-inline'"],
        "img-src": ["data:", "blob:"],
        "font-src": ["data:"],
        "connect-src": ["'none'"],
        "frame-src": ["'none'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
    },
}


# Plotly.js's full bundle (the one the PyPI ``plotly`` package ships) evaluates
# ``new Function("return this")`` when it loads, so a page that loads it allows
# 'unsafe-eval' for scripts — only such a page, whose scripts are still limited to this
# site's files and nonce-carrying inline scripts. npm's partial bundle
# (plotly.js-basic-dist-min, klaster.web.assets) has no eval: with it the page keeps the
# site's policy unchanged.
PLOTLY_PAGE_UPDATE = {"script-src": ["'unsafe-eval'"]}


def plotly_csp(response, trace_types=None):
    """``response`` with 'unsafe-eval' allowed when the page's plotly.js bundle for
    ``trace_types`` (klaster.web.assets.plotly_static, as ``{% plotly_js %}`` picks it) is
    the full one."""
    from klaster.web import assets

    if assets.plotly_static(trace_types) == assets.PLOTLY_FULL:
        response._csp_update = PLOTLY_PAGE_UPDATE  # what django-csp's csp_update sets
    return response


def plotly_page(view):
    """Decorator of a view whose page draws with klaster's chart scripts (trace types
    within the partial bundle's): :func:`plotly_csp` on its response."""
    from functools import wraps

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return plotly_csp(view(request, *args, **kwargs))

    return wrapped


def is_loopback(host: str) -> bool:
    """Is ``host`` (an address or ``localhost``) this computer only?"""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may resolve to any interface


class DebugLoopbackOnlyMiddleware:
    """With DEBUG on, answer requests from this computer only (403 otherwise): Django's
    debug pages (URL list, tracebacks with settings) must never reach another machine,
    whatever server or address the process was started with."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG and not is_loopback(request.META.get("REMOTE_ADDR", "")):
            return HttpResponseForbidden(
                "This server runs in development mode (DEBUG) and answers only on this "
                "computer. Run it with KLASTER_DEBUG=0 to serve other machines.",
                content_type="text/plain; charset=utf-8")
        return self.get_response(request)
