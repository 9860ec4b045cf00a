"""``{% plotly_js %}``: the page's plotly.js ``<script>`` (deferred), the npm partial
bundle when it is installed and has the page's trace types, else PyPI's full bundle
(klaster.web.assets.plotly_static)."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from klaster.web import assets

register = template.Library()


@register.simple_tag
def plotly_js(figure=None):
    """``<script src="…plotly…" defer>``; pass the page's plotly figure ({data, layout})
    when its trace types are chosen on the server (the network page's ``scattergl``).
    Deferred: the page renders before plotly.js is parsed; put ``{% plotly_locale
    defer=True %}`` and the page's chart script (also deferred) after it."""
    types = assets.figure_trace_types(figure) if figure else None
    return format_html('<script src="{}" defer></script>', static(assets.plotly_static(types)))
