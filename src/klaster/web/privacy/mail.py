"""Every e-mail the platform sends to people goes through :func:`send_mass_mail` here, so
that a person's objection (GDPR Art. 21; withdrawal of consent, Law No. 99-Z Art. 10) is
honoured in one place: recipients who objected are dropped, and a message left with no
recipient is not sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core import mail


def objecting_addresses(addresses: Iterable[str]) -> set[str]:
    """The lower-cased addresses among ``addresses`` whose account objects to e-mails (or
    is erased or inactive: nobody is left to receive them)."""
    given = {a for a in addresses if a}
    if not given:
        return set()
    User = get_user_model()
    rows = User.objects.filter(email__in=sorted(given | {a.lower() for a in given})).values_list(
        "email", "is_active", "privacy_preference__no_emails")
    return {email.lower() for email, active, no in rows if no or not active}


def allowed(addresses: Iterable[str]) -> list[str]:
    addresses = list(addresses)
    blocked = objecting_addresses(addresses)
    return [a for a in addresses if a and a.lower() not in blocked]


def send_mass_mail(datatuple, fail_silently: bool = False, **kwargs) -> int:
    """django.core.mail.send_mass_mail with objecting recipients removed."""
    messages = list(datatuple)
    blocked = objecting_addresses(a for m in messages for a in m[3])
    kept = []
    for subject, body, sender, recipients in messages:
        to = [a for a in recipients if a and a.lower() not in blocked]
        if to:
            kept.append((subject, body, sender, to))
    return mail.send_mass_mail(kept, fail_silently=fail_silently, **kwargs) if kept else 0
