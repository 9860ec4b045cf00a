""""Contact this cluster": a public form whose message is e-mailed to the cluster's
coordinators, without ever showing their addresses.

Abuse limits (an open form that sends e-mail is a spam relay otherwise):

* a honeypot field that people do not see and bots fill: such a post is answered like a
  success and nothing is sent (a bot learns nothing);
* at most ``KLASTER_CONTACT_PER_IP`` messages per hour from one address and
  ``KLASTER_CONTACT_PER_CLUSTER`` per day to one cluster (settings, defaults 5 and 20),
  counted in the shared cache so that every gunicorn worker sees the same counters;
  beyond them the page answers 429 with a translated message.

Privacy: the sender's name, address and message are not stored; they travel once, in the
e-mail, and the coordinator answers by replying (Reply-To is the sender). Coordinators
who object to e-mails (klaster.web.privacy) are not written to.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from klaster.web.privacy import mail as privacy_mail

HONEYPOT = "homepage"
IP_WINDOW = 3600
CLUSTER_WINDOW = 24 * 3600


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Your e-mail address"),
                             help_text=_("The coordinator replies to this address."))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(label=_("Message"), min_length=10, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    # Honeypot: hidden from people (CSS class and aria-hidden on its wrapper), filled by
    # form-filling bots.
    homepage = forms.CharField(label=_("Leave this field empty"), required=False)

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get(HONEYPOT))


def recipients(cluster) -> list[str]:
    """The e-mail addresses of the cluster's active coordinators who accept e-mails."""
    users = get_user_model().objects.filter(coordinated_clusters=cluster, is_active=True)
    return privacy_mail.allowed(sorted({u.email for u in users if u.email}))


def _cache():
    return caches[getattr(settings, "KLASTER_PUBLIC_CACHE_ALIAS", "default")]


def _keys(request, cluster_id: int) -> list[tuple[str, int, int]]:
    ip = request.META.get("REMOTE_ADDR", "") or "unknown"
    return [(f"klaster:contact:ip:{ip}", int(getattr(settings, "KLASTER_CONTACT_PER_IP", 5)),
             IP_WINDOW),
            (f"klaster:contact:cluster:{cluster_id}",
             int(getattr(settings, "KLASTER_CONTACT_PER_CLUSTER", 20)), CLUSTER_WINDOW)]


def limited(request, cluster_id: int) -> bool:
    """Has this address or this cluster reached its limit?"""
    cache = _cache()
    return any((cache.get(key) or 0) >= limit for key, limit, _w in _keys(request, cluster_id))


def count(request, cluster_id: int) -> None:
    """Count one sent (or honeypot) message against both limits."""
    cache = _cache()
    for key, _limit, window in _keys(request, cluster_id):
        cache.add(key, 0, window)  # the window starts with the first message
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)


def send(cluster, form: ContactForm, page_url: str, to: list[str]) -> int:
    data = form.cleaned_data
    subject = gettext("[klaster] %(cluster)s: %(subject)s") % {
        "cluster": cluster.display_name, "subject": data["subject"]}
    body = "\n".join([
        gettext("A visitor of the cluster's public page wrote to the coordinators of "
                "%(cluster)s.") % {"cluster": cluster.display_name},
        "",
        gettext("From: %(name)s <%(email)s>") % {"name": data["name"], "email": data["email"]},
        gettext("Subject: %(subject)s") % {"subject": data["subject"]},
        "",
        data["message"],
        "",
        "-- ",
        gettext("Sent with the contact form of %(url)s. Reply to this e-mail to answer the "
                "sender; the platform does not keep the message.") % {"url": page_url},
    ])
    # One message per coordinator: co-coordinators' addresses are not disclosed either.
    messages = [EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address],
                             reply_to=[data["email"]]) for address in to]
    return get_connection().send_messages(messages) or 0
