"""Workspace forms. Validation is the model's (``full_clean``: identifiers, codes, ranges);
versioned forms carry the version they were loaded with, checked on save."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from klaster.web.registry.models import Activity, Cluster, Organisation


class CodesField(forms.CharField):
    """Industry codes typed as "C25, 2562"; the model normalises them (klaster.taxonomy)."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [c.strip() for c in text.replace(";", ",").split(",") if c.strip()]


def _formfield(model_field, **kwargs):
    # Links typed without a scheme are taken as https (Django 6 default, set explicitly).
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class VersionedForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class ClusterForm(VersionedForm):
    industry_codes = CodesField(label=_("Industry codes"), required=False,
                                help_text=_("Comma-separated, in the chosen code system."))

    class Meta:
        model = Cluster
        formfield_callback = _formfield
        fields = ["name_en", "name_pl", "name_be", "name_ru", "status", "phase", "founded",
                  "sector", "code_system", "industry_codes", "country", "region", "territory",
                  "coordinator_organisation", "strategy_document", "strategy_review",
                  "website", "description", "published"]
        widgets = {"founded": forms.DateInput(attrs={"type": "date"}),
                   "strategy_review": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["coordinator_organisation"].queryset = organisations


class OrganisationForm(VersionedForm):
    industry_codes = CodesField(label=_("Industry codes"), required=False)

    class Meta:
        model = Organisation
        formfield_callback = _formfield
        fields = ["name_en", "name_pl", "name_be", "name_ru", "id_scheme", "id_value",
                  "legal_form", "helix", "size_class", "code_system", "industry_codes",
                  "region", "city", "latitude", "longitude", "website"]


class ActivityForm(VersionedForm):
    class Meta:
        model = Activity
        formfield_callback = _formfield
        fields = ["kind", "title", "start", "end", "place", "participant_count",
                  "foreign_participant_count", "description"]
        widgets = {"start": forms.DateInput(attrs={"type": "date"}),
                   "end": forms.DateInput(attrs={"type": "date"})}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Members file (CSV or Excel .xlsx)"))
