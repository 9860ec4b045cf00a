"""Engine messages (klaster.messages, klaster.i18n) in the reader's language.

The library keeps caveats and notes as codes + parameters (stored in Dataset.notes as
``{"code": ..., "params": ...}``) and table words such as opportunity quadrants as
catalogue msgids; these filters render them with the active Django language, from the
same catalogue tree Django registers in LOCALE_PATHS.
"""

from __future__ import annotations

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
