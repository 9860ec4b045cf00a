"""Translated report templates and plotly.js's toolbar in the report's language.

One Jinja2 environment per language, with the ``jinja2.ext.i18n`` extension bound to the
engine catalogue (klaster.i18n): templates write ``{{ _("Overview") }}``,
``{{ _("%(n)s regions", n=x) }}`` or
``{% trans trimmed %}...{% endtrans %}``, and the filters ``num``, ``lq``, ``pct``
format numbers with the language's CLDR separators.

plotly.py ships plotly.min.js but none of plotly.js's locale files (its package_data
has no ``locale-*.js``), so the toolbar's button titles and notices are messages of our
catalogue (PLOTLY_MESSAGES, the strings plotly.js passes to its ``_(gd, "...")``
localiser) registered with ``Plotly.register({moduleType: "locale", ...})`` and made the
default with ``Plotly.setPlotConfig``; the number separators go to ``layout.separators``.
"""

from __future__ import annotations

import json
from functools import lru_cache

import jinja2

from klaster.i18n import N_, Translator, translator

__all__ = ["PLOTLY_MESSAGES", "TERMS", "environment", "plotly_locale", "plotly_locale_spec"]

# Texts plotly.js shows in the toolbar (button titles) and its notices (plotly.js 3,
# src/components/modebar/buttons.js and src/plot_api).
PLOTLY_MESSAGES = (
    N_("Autoscale"), N_("Box Select"), N_("Compare data on hover"),
    N_("Double-click to zoom back out"), N_("Download plot"),
    N_("Download plot as a PNG"), N_("Image download succeeded"), N_("Lasso Select"),
    N_("Pan"), N_("Preparing image - this may take a few seconds"), N_("Reset"),
    N_("Reset axes"), N_("Reset view"), N_("Reset views"),
    N_("Show closest data on hover"), N_("Sorry, there was a problem downloading your image!"),
    N_("Toggle Spike Lines"), N_("Toggle show closest data on hover"), N_("Zoom"),
    N_("Zoom in"), N_("Zoom out"),
)


# Words that reach the page as data values of the engine's own tables and are shown
# translated: Kd modes (klaster.spatial) and opportunity quadrants (klaster.relatedness).
TERMS = (
    N_("exact"), N_("sample"),
    N_("high relatedness, high complexity"), N_("high relatedness, low complexity"),
    N_("low relatedness, high complexity"), N_("low relatedness, low complexity"),
)


def _stars(n) -> str:
    if n is None:
        return ""
    n = int(n)
    return "★" * n + "☆" * (3 - n)


@lru_cache(maxsize=8)
def environment(language: str = "en") -> jinja2.Environment:
    """The report templates' environment for ``language`` (cached, one per language)."""
    tr = translator(language)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("klaster.reports", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Not Jinja's "newstyle" gettext, which %-formats every message (so "Top 10%" would
    # have to be written "Top 10%%" in templates but not in Python): parameters are
    # applied only when given. The result is escaped on output like any other text.
    def gettext(message: str, **params) -> str:
        text = tr.gettext(message)
        return text % params if params else text

    def ngettext(singular: str, plural: str, n: int, **params) -> str:
        return tr.ngettext(singular, plural, n) % {"num": n, **params}

    env.install_gettext_callables(gettext, ngettext, newstyle=False)
    env.filters.update(
        num=lambda x, digits=0: tr.num(x, digits),
        lq=lambda x: tr.num(x, 2),
        pct=lambda x, digits=1: tr.pct(x, digits, signed=True),
        share=lambda x, digits=0: tr.pct(x, digits),
        stars=_stars,
    )
    env.globals["_decimal"] = tr.decimal
    return env


def plotly_locale_spec(tr: Translator) -> dict:
    """plotly.js's locale module of ``tr``'s language (toolbar words and CLDR separators),
    for ``Plotly.register``; the platform's pages pass it as JSON to a static script."""
    return {
        "moduleType": "locale", "name": tr.lang,
        "dictionary": {m: tr.gettext(m) for m in PLOTLY_MESSAGES},
        "format": {"decimal": tr.decimal, "thousands": tr.group},
    }


def plotly_locale(tr: Translator) -> str:
    """JavaScript that registers ``tr``'s language with plotly.js and makes it the
    default; run it after plotly.min.js and before the first plot (empty for English)."""
    if tr.lang == "en":
        return ""
    spec = plotly_locale_spec(tr)
    data = json.dumps(spec, ensure_ascii=False).replace("</", "<\\/")
    return (f"Plotly.register({data});"
            f"Plotly.setPlotConfig({{locale: {json.dumps(tr.lang)}}});")
