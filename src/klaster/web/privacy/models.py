"""Records the privacy features keep: consent (or notice acknowledgement) with the notice
version and time, the person's objection to e-mails, erasure requests, and the log of
administrators' access to personal data.

None of them copies a name or an e-mail address: they point at the user row, which erasure
anonymises, so after erasure they keep proving what happened without saying to whom.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentRecord(models.Model):
    """The person gave consent (or, under another legal basis, was informed) under
    notice ``notice_version`` at ``given`` in ``context``; ``withdrawn`` when taken back."""

    class Context(models.TextChoices):
        NOTICE = "notice", _("privacy notice (sign-in)")
        SIGNUP = "signup", _("account creation")
        PARTNER_REQUEST = "partner_request", _("partner request")
        EVENT_REGISTRATION = "event_registration", _("event registration")
        SURVEY = "survey", _("survey answer")
        CONTACT = "contact", _("contact form")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="privacy_consents")
    context = models.CharField(_("where"), max_length=24, choices=Context.choices)
    notice_version = models.CharField(_("notice version"), max_length=64)
    basis = models.CharField(_("legal basis"), max_length=24)
    given = models.DateTimeField(_("given"), auto_now_add=True)
    withdrawn = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-given", "-pk"]
        indexes = [models.Index(fields=["user", "notice_version"], name="consent_user_version")]


class PrivacyPreference(models.Model):
    """The person's objection to e-mails from the platform (GDPR Art. 21)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="privacy_preference")
    no_emails = models.BooleanField(_("no e-mails from the platform"), default=False)
    changed = models.DateTimeField(auto_now=True)


class ErasureRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Carried out")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="erasure_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+")
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.PENDING)
    created = models.DateTimeField(auto_now_add=True)
    done = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+")
    counts = models.JSONField(_("what was erased"), default=dict, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["pending", "done", "refused"]),
                                   name="erasure_status_known"),
        ]


class AccessLogEntry(models.Model):
    """Who viewed, exported or erased whose personal data, and when (GDPR Art. 5(2),
    Art. 32; Law No. 99-Z Art. 17: measures include keeping track of access)."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        EXPORT = "export", _("exported")
        ERASE = "erase", _("erased")
        REPORT = "report", _("exported with personal data")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="+")
    # For actions from the command line (no signed-in user): the operating-system account.
    actor_label = models.CharField(max_length=150, blank=True)
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+")
    action = models.CharField(max_length=8, choices=Action.choices)
    what = models.CharField(max_length=300)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "access log entries"
