"""Engine messages (klaster.messages, klaster.i18n) in the reader's language.

The library keeps caveats and notes as codes + parameters (stored in Dataset.notes as
``{"code": ..., "params": ...}``) and table words such as opportunity quadrants as
catalogue msgids; these filters render them with the active Django language, from the
same catalogue tree Django registers in LOCALE_PATHS.
"""

from __future__ import annotations

import re

from django import template
from django.utils.translation import get_language

from klaster.i18n import LANGUAGES, translator
from klaster.messages import render

register = template.Library()


def _translator():
    lang = (get_language() or "en").split("-")[0]
    return translator(lang if lang in LANGUAGES else "en")


@register.filter
def engine_message(item) -> str:
    """A stored note (message dict) as text; notes stored as plain text are shown as is."""
    return render(item, _translator())


@register.filter
def engine_term(text) -> str:
    """A word of the engine's tables (e.g. a quadrant) translated when it is a message."""
    return _translator().gettext(str(text)) if text else text


def named_choices(pairs) -> list[tuple[str, str]]:
    """(code, English name) pairs, e.g. an analysis's benchmark cluster categories, as
    (code, name in the reader's language), sorted by the translated name."""
    tr = _translator()
    return sorted(((code, tr.gettext(name) if name else code) for code, name in pairs),
                  key=lambda pair: (pair[1].casefold(), pair[0]))


_SUPPORT_ITEM = re.compile(r"^(?P<name>.+) \((?P<p>[0-9.]+)\)$")


@register.filter
def engine_supporting(text) -> str:
    """An opportunity's supporting categories as stored ("Name (0.45); Name (0.31)"):
    names translated, proximities with the reader's decimal sign."""
    if not text:
        return "–"
    tr = _translator()
    out = []
    for item in str(text).split("; "):
        match = _SUPPORT_ITEM.match(item)
        if match is None:
            out.append(tr.gettext(item))
            continue
        out.append(f"{tr.gettext(match['name'])} ({tr.num(float(match['p']), 2)})")
    return "; ".join(out)


@register.filter
def num(value, digits=0) -> str:
    """A number with the reader's CLDR separators (pl/be/ru: a no-break space groups the
    thousands, a comma is the decimal sign); "–" when missing."""
    if value is None or value == "":
        return "–"
    try:
        return _translator().num(float(value), int(digits))
    except (TypeError, ValueError):
        return value


@register.filter
def kpi_label(key) -> str:
    """A KPI or indicator key's label in the reader's language (klaster.assessment.labels)."""
    from klaster.assessment.labels import indicator_label

    return indicator_label(str(key), _translator())


@register.filter
def kpi_value(value, key) -> str:
    """A KPI's value formatted by its unit: 830 000 €, 35 %, tak/nie (klaster.assessment.labels)."""
    from klaster.assessment.labels import format_value, indicator_unit

    return format_value(value, indicator_unit(str(key)), _translator())


@register.filter
def yesno_word(value) -> str:
    """True/False (or 1/0) as the reader's word for yes/no, never "1"."""
    if value is None or value == "":
        return "–"
    return _translator().gettext("yes" if float(value) else "no")


@register.inclusion_tag("analysis/_plotly_locale.html")
def plotly_locale(defer=False):
    """plotly.js's toolbar and number separators in the reader's language: the locale as
    JSON plus a static script that registers it (CSP-safe: no inline code). Put it after
    plotly.min.js and before the page's own plots; ``defer=True`` where plotly.min.js and
    the plots are deferred scripts (they run in document order)."""
    from klaster.reports.i18n import plotly_locale_spec

    tr = _translator()
    return {"spec": plotly_locale_spec(tr) if tr.lang != "en" else None, "defer": defer}


@register.filter
def unit_value(value, unit) -> str:
    """A value by its unit without the unit word (shown beside it): "tak" not "1" for a
    yes/no indicator, CLDR separators for numbers, percentages for shares."""
    from klaster.assessment.labels import format_value

    if value is None or value == "":
        return "–"
    unit = str(unit or "")
    tr = _translator()
    if unit in ("FTE", "years", "months", "persons", "count", ""):
        x = float(value)
        return tr.num(x, 0 if x == int(x) else 2)
    return format_value(value, unit, tr)


@register.filter
def money(value) -> str:
    """An amount in euros (the registry's currency) with the reader's CLDR pattern:
    €830,000 / 830 000 €."""
    from klaster.assessment.labels import format_value

    return format_value(value, "EUR", _translator())
