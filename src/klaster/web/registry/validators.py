"""Validation of national identifiers and industry codes (used by models, forms, API, import).

The format of every identifier is also enforced in the database by CheckConstraints on
``Organisation`` (see models.py); the checksums below are only checkable in Python.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from klaster.errors import DataError

# Scheme -> (regular expression of the canonical form, human description). The same
# expressions are used in the database CheckConstraints so both layers agree.
IDENTIFIER_PATTERNS: dict[str, str] = {
    "UNP": r"^[0-9]{9}$",  # Belarus: uchetny nomer platelshchika, 9 digits
    "NIP": r"^[0-9]{10}$",  # Poland: tax identification number, 10 digits
    "KRS": r"^[0-9]{10}$",  # Poland: National Court Register number, 10 digits
    "REGON": r"^([0-9]{9}|[0-9]{14})$",  # Poland: statistical number, 9 or 14 digits
    "OTHER": r"^\S.{0,63}$",
}

# Check-digit weights published by the Polish Ministry of Finance (NIP) and Statistics
# Poland (REGON, Rozporządzenie Rady Ministrów z 30 listopada 2015 r., zał. 2).
_NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
_REGON9_WEIGHTS = (8, 9, 2, 3, 4, 5, 6, 7)
_REGON14_WEIGHTS = (2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8)


def canonical_identifier(scheme: str, value: str) -> str:
    """Strip the separators people type (spaces, dashes, dots; a ``PL`` VAT prefix)."""
    v = (value or "").strip()
    if scheme in ("NIP", "KRS", "REGON", "UNP"):
        v = re.sub(r"[\s.\-]", "", v).upper()
        if scheme == "NIP" and v.startswith("PL"):
            v = v[2:]
    return v


def _weighted_check(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11


def validate_identifier(scheme: str, value: str) -> None:
    """Raise ValidationError (field ``id_value``) unless ``value`` is valid for ``scheme``."""
    if scheme not in IDENTIFIER_PATTERNS:
        raise ValidationError({"id_scheme": _("Unknown identifier scheme %(s)s.") % {"s": scheme}})
    if not re.fullmatch(IDENTIFIER_PATTERNS[scheme], value or ""):
        messages = {
            "UNP": _("A UNP has 9 digits."),
            "NIP": _("A NIP has 10 digits."),
            "KRS": _("A KRS number has 10 digits."),
            "REGON": _("A REGON has 9 or 14 digits."),
            "OTHER": _("Enter an identifier of 1 to 64 characters."),
        }
        raise ValidationError({"id_value": messages[scheme]})
    if scheme == "NIP":
        check = _weighted_check(value[:9], _NIP_WEIGHTS)
        if check == 10 or check != int(value[9]):
            raise ValidationError({"id_value": _("This NIP has a wrong check digit.")})
    elif scheme == "REGON":
        weights = _REGON9_WEIGHTS if len(value) == 9 else _REGON14_WEIGHTS
        check = _weighted_check(value[:-1], weights) % 10  # remainder 10 counts as 0
        if check != int(value[-1]):
            raise ValidationError({"id_value": _("This REGON has a wrong check digit.")})


def normalise_codes(codes: list[str] | str, system: str) -> list[str]:
    """Canonical, de-duplicated industry codes via klaster.taxonomy.normalise_code.

    Accepts a list or a comma/semicolon-separated string; raises ValidationError naming
    the offending code.
    """
    # Here, not at the top: klaster.taxonomy.codes imports Polars (1-3 s), and the models
    # import this module at every start of the platform (issue 14).
    from klaster.taxonomy import normalise_code

    if isinstance(codes, str):
        codes = [c for c in re.split(r"[,;]", codes) if c.strip()]
    out: list[str] = []
    for code in codes:
        try:
            canon = normalise_code(str(code).strip(), system)
        except DataError as exc:
            raise ValidationError(
                _("Industry code %(code)s is not valid in %(system)s: %(reason)s")
                % {"code": code, "system": system, "reason": exc.message}) from None
        if canon not in out:
            out.append(canon)
    return out
