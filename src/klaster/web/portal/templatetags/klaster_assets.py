"""``{% plotly_js %}``: the page's plotly.js loader (``klaster/plotly-loader.js``, deferred),
which fetches the npm partial bundle when it is installed and has the page's trace types,
else PyPI's full bundle (klaster.web.assets.plotly_static), after the page's load event."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from klaster.web import assets

register = template.Library()


@register.simple_tag
def plotly_js(figure=None):
    """``<script src="…plotly-loader.js" data-plotly="…plotly…" defer>``; pass the page's
    plotly figure ({data, layout}) when its trace types are chosen on the server (the
    network page's ``scattergl``). plotly.js itself (~1 MB to parse) is fetched after the
    page's load event, so the page's text and tables come first; put ``{% plotly_locale
    defer=True %}`` and the page's chart script (deferred, drawing through
    ``klasterPlotly(fn)``) after it."""
    types = assets.figure_trace_types(figure) if figure else None
    return format_html('<script src="{}" data-plotly="{}" defer></script>',
                       static("klaster/plotly-loader.js"), static(assets.plotly_static(types)))
