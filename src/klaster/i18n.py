"""Words for people in four languages, for the library (no Django at import time).

The engine's texts (report pages, caveats, notes, badges, quadrant names) are gettext
messages in ONE catalogue tree shared with the platform: ``src/klaster/locale/<lang>/
LC_MESSAGES/django.po``. Every entry carries the message context ``klaster`` (so that
Django, which registers this tree in ``LOCALE_PATHS``, never mixes these entries with the
platform's own words of the same spelling). The library reads it with the standard
``gettext`` module; the .mo files are compiled with polib, as the platform compiles its
catalogues (:func:`klaster.web.i18n.compile_translations` compiles this tree too). When a
.mo file is missing or older than its .po (a source checkout), the catalogue is compiled
in memory, so the library never needs a build step.

English is the source language: ``en`` needs no catalogue. How to add a message:
docs/reports.md ("Adding a message").
"""

from __future__ import annotations

import gettext as _gettext
import io
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["CONTEXT", "LANGUAGES", "LOCALE_DIR", "N_", "Translator", "translator"]

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "pl", "be", "ru")
CONTEXT = "klaster"
DOMAIN = "django"  # the platform's gettext domain, so Django can load the same files


def N_(message: str) -> str:
    """Mark a message for extraction without translating it (translated when shown)."""
    return message


# Number symbols from the Unicode CLDR (v44, "latn" numbering system): decimal sign,
# group separator, minimum grouping digits (Polish groups only from 5 digits: 1234 but
# 12 345) and the percent pattern (Russian and Belarusian put a no-break space before %).
_NBSP = "\u00a0"
_NUMBERS = {
    "en": (".", ",", 1, "{}%"),
    "pl": (",", _NBSP, 2, "{}%"),
    "be": (",", _NBSP, 2, "{}" + _NBSP + "%"),
    "ru": (",", _NBSP, 1, "{}" + _NBSP + "%"),
}


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


@lru_cache(maxsize=8)
def _catalogue(lang: str) -> _gettext.NullTranslations:
    if lang == "en":
        return _gettext.NullTranslations()
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    import polib

    return _gettext.GNUTranslations(io.BytesIO(polib.pofile(str(po)).to_binary()))


@dataclass(frozen=True)
class Translator:
    """Messages and numbers in one language (``en``, ``pl``, ``be`` or ``ru``)."""

    lang: str = "en"

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            from klaster.errors import DataError

            raise DataError(f"language {self.lang!r} is not one of {', '.join(LANGUAGES)}",
                            field="language")

    # --- messages ---
    def gettext(self, message: str) -> str:
        return _catalogue(self.lang).pgettext(CONTEXT, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _catalogue(self.lang).npgettext(CONTEXT, singular, plural, n)

    def __call__(self, message: str, **params: Any) -> str:
        text = self.gettext(message)
        return text % params if params else text

    # --- numbers (CLDR symbols, see _NUMBERS) ---
    @property
    def decimal(self) -> str:
        return _NUMBERS[self.lang][0]

    @property
    def group(self) -> str:
        return _NUMBERS[self.lang][1]

    def num(self, x: Any, digits: int = 0) -> str:
        """``x`` with ``digits`` decimals and thousands separators; "–" when missing."""
        if _missing(x):
            return "–"
        dec, grp, min_group, _pct = _NUMBERS[self.lang]
        text = f"{abs(x):,.{digits}f}"
        whole, _, frac = text.partition(".")
        if len(whole.replace(",", "")) < 4 + (min_group - 1):
            whole = whole.replace(",", "")
        out = whole.replace(",", grp) + (dec + frac if frac else "")
        return ("-" if x < 0 and out.strip("0" + dec + grp) else "") + out

    def pct(self, x: Any, digits: int = 1, *, signed: bool = False) -> str:
        """A fraction as a percentage (0.123 -> "12.3%"; signed: "+12.3%")."""
        if _missing(x):
            return "–"
        body = self.num(100 * x, digits)
        if signed and not body.startswith("-"):
            body = "+" + body
        return _NUMBERS[self.lang][3].format(body)

    def plotly_separators(self) -> str:
        """Plotly's ``layout.separators``: decimal sign then thousands separator."""
        return self.decimal + self.group


@lru_cache(maxsize=8)
def translator(lang: str | None = "en") -> Translator:
    """The :class:`Translator` of ``lang`` (None = English); cached."""
    return Translator(lang or "en")
