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


# Plotly.js (the bundle the PyPI ``plotly`` package ships) evaluates
# ``new Function("return this")`` when it loads, so pages that draw with it allow
# 'unsafe-eval' for scripts — only those pages (the network and the KPI dashboard), whose
# scripts are still limited to this site's files and nonce-carrying inline scripts.
PLOTLY_PAGE_UPDATE = {"script-src": ["'unsafe-eval'"]}


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
