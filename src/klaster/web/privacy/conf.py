"""The deployment's privacy settings (who is the controller, on what basis, for how long).

Everything comes from ``settings.KLASTER_PRIVACY`` (filled from ``KLASTER_PRIVACY_*``
environment variables in settings.py; see docs/privacy.md). The notice version is the
operator's own string when given; otherwise it is derived from the configured values and
the notice text's revision, so that changing the controller, the basis or a retention
period changes the version and signed-in people are asked again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Bump when the wording of templates/privacy/notice.html changes in substance.
NOTICE_TEXT_REVISION = 1

# Legal bases the operator can choose, with the articles they rest on (GDPR Art. 6(1);
# Law 99-Z: consent is the general rule, Art. 5; processing without consent, Art. 6).
LEGAL_BASES = {
    "consent": _("consent of the person (GDPR Art. 6(1)(a); Law No. 99-Z Art. 5)"),
    "contract": _("performance of a contract with the person (GDPR Art. 6(1)(b); "
                  "Law No. 99-Z Art. 6)"),
    "legal_obligation": _("a legal obligation of the controller (GDPR Art. 6(1)(c); "
                          "Law No. 99-Z Art. 6)"),
    "public_task": _("a task in the public interest or in the exercise of official "
                     "authority (GDPR Art. 6(1)(e); Law No. 99-Z Art. 6)"),
    "legitimate_interests": _("legitimate interests of the controller (GDPR Art. 6(1)(f))"),
}


@dataclass(frozen=True)
class PrivacyConfig:
    controller: str
    contact: str
    dpo: str
    legal_basis: str
    inactive_days: int
    history_days: int
    upload_days: int
    notice_version: str
    gate: str

    @property
    def consent_based(self) -> bool:
        return self.legal_basis == "consent"

    @property
    def legal_basis_text(self):
        return LEGAL_BASES[self.legal_basis]


def get() -> PrivacyConfig:
    raw = dict(getattr(settings, "KLASTER_PRIVACY", {}) or {})
    basis = raw.get("LEGAL_BASIS") or "public_task"
    if basis not in LEGAL_BASES:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"KLASTER_PRIVACY_LEGAL_BASIS={basis!r}: expected one of "
                                   + ", ".join(LEGAL_BASES))
    values = dict(
        controller=raw.get("CONTROLLER") or "",
        contact=raw.get("CONTACT") or "",
        dpo=raw.get("DPO") or "",
        legal_basis=basis,
        inactive_days=int(raw.get("INACTIVE_DAYS") or 3 * 365),
        history_days=int(raw.get("HISTORY_DAYS") or 10 * 365),
        upload_days=int(raw.get("UPLOAD_DAYS") or 365),
    )
    version = raw.get("NOTICE_VERSION") or ""
    if not version:
        digest = hashlib.sha256(json.dumps([NOTICE_TEXT_REVISION, values], sort_keys=True)
                                .encode()).hexdigest()[:10]
        version = f"auto-{digest}"
    gate = raw.get("GATE") or ("block" if basis == "consent" else "banner")
    if gate not in ("block", "banner"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"KLASTER_PRIVACY_GATE={gate!r}: expected block or banner")
    return PrivacyConfig(notice_version=version, gate=gate, **values)


def as_dict() -> dict:
    return asdict(get())
