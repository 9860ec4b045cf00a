"""Forms of the privacy pages, and the consent checkbox that other apps' forms get.

Where a person gives data (partner requests, event registration, survey answers, the
sign-in notice), :func:`attach_consent` adds a required "I agree" checkbox when the
deployment's legal basis is consent and the person has not yet agreed to the current notice
version; :func:`record` then stores the consent — or, under another legal basis, that the
person was informed — with the notice version and the time.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from klaster.web.privacy import conf, services

FIELD = "privacy_consent"


def consent_label():
    return format_html(
        '{} <a href="{}" target="_blank">{}</a>',
        _("I agree to the processing of my personal data as described in the"),
        reverse("privacy:notice"), _("privacy notice"))


def attach_consent(form: forms.BaseForm, user) -> forms.BaseForm:
    """Add the consent checkbox to ``form`` when the deployment asks for consent and
    ``user`` has not given it for the current notice version."""
    if conf.get().consent_based and not services.has_current_consent(user):
        form.fields[FIELD] = forms.BooleanField(
            label=consent_label(), required=True,
            error_messages={"required": _("Your consent is needed to send this form.")})
    return form


def record(user, context: str):
    """Store the consent (or the information under another basis) for this submission."""
    return services.record_consent(user, context)


class AcceptForm(forms.Form):
    agree = forms.BooleanField(required=True, label=_("I have read the privacy notice"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if conf.get().consent_based:
            self.fields["agree"].label = consent_label()


class ProfileForm(forms.ModelForm):
    """Rectification (GDPR Art. 16; Law No. 99-Z Art. 11): the person's own name and
    e-mail address."""

    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name", "email"]


class ErasureForm(forms.Form):
    confirm = forms.BooleanField(
        required=True, label=_("I ask for my personal data to be erased and understand that "
                               "my account will stop working"))
    message = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Anything else to remove (for example a phone number you wrote in a "
                "message)"))
