"""Workspace forms. Validation is the model's (``full_clean``: identifiers, codes, ranges);
versioned forms carry the version they were loaded with, checked on save."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core import validators as django_validators
from django.db import models
from django.utils.translation import gettext_lazy as _

from klaster.web.registry import permissions as perms
from klaster.web.registry.models import (
    Activity,
    Cluster,
    CoordinatorProfile,
    Document,
    JoinRequest,
    Organisation,
    OrganisationFigures,
    Project,
)


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


class ScopedChoicesMixin:
    """Every related field of the form offers only the records ``user`` may name there
    (``permissions.allowed_targets``: the API's serializers apply the same rule), so a
    hidden record is "not one of the available choices", like one that does not exist.
    The instance carries its cluster (if any) before the form is built."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        cluster = getattr(self.instance, "cluster", None)
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = perms.allowed_targets(user, model, name, cluster=cluster)


class VersionedForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, admin=False, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        # Approval is the programme administrator's (see permissions.ADMIN_ONLY_FIELDS).
        if admin and hasattr(self.instance, "approved"):
            self.fields["approved"] = forms.BooleanField(
                label=self.instance._meta.get_field("approved").verbose_name,
                required=False, initial=self.instance.approved)

    def _post_clean(self):
        if "approved" in self.fields:
            self.instance.approved = self.cleaned_data.get("approved", False)
        super()._post_clean()


class ClusterForm(ScopedChoicesMixin, VersionedForm):
    industry_codes = CodesField(label=_("Industry codes"), required=False,
                                help_text=_("Comma-separated, in the chosen code system."))

    class Meta:
        model = Cluster
        formfield_callback = _formfield
        fields = ["name_en", "name_pl", "name_be", "name_ru", "status", "phase", "founded",
                  "sector", "sector_pl", "sector_be", "sector_ru", "code_system",
                  "industry_codes", "country", "region", "region_pl", "region_be",
                  "region_ru", "territory",
                  "coordinator_organisation", "strategy_document", "strategy_review",
                  "website", "description", "description_pl", "description_be",
                  "description_ru", "published"]
        widgets = {"founded": forms.DateInput(attrs={"type": "date"}),
                   "strategy_review": forms.DateInput(attrs={"type": "date"})}


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


class ProjectForm(ScopedChoicesMixin, VersionedForm):
    class Meta:
        model = Project
        fields = ["title", "partners", "budget", "funding_source", "outputs", "start", "end"]
        widgets = {"start": forms.DateInput(attrs={"type": "date"}),
                   "end": forms.DateInput(attrs={"type": "date"})}


class ProfileForm(forms.ModelForm):
    class Meta:
        model = CoordinatorProfile
        fields = ["year", "management_fte", "budget", "income_member_fees", "income_public",
                  "income_services"]

    def clean_year(self):
        # The (cluster, year) constraint involves a field not on the form, so Django would
        # not check it before saving; check it here for an inline message.
        year = self.cleaned_data["year"]
        if (CoordinatorProfile.objects.filter(cluster=self.instance.cluster, year=year)
                .exclude(pk=self.instance.pk).exists()):
            raise forms.ValidationError(_("A profile for this year already exists."))
        return year


class JoinRequestForm(ScopedChoicesMixin, forms.ModelForm):
    class Meta:
        model = JoinRequest
        fields = ["cluster", "message"]
        labels = {"cluster": _("Cluster")}  # the model field has no translated name

    def __init__(self, *args, clusters=None, **kwargs):
        super().__init__(*args, **kwargs)
        if clusters is not None:  # narrower still: not those it already belongs to
            field = self.fields["cluster"]
            field.queryset = field.queryset.filter(pk__in=clusters.values("pk"))


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["title", "file", "url"]
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from klaster.web.uploads import validate_document_size
        self.fields["file"].validators.append(validate_document_size)


DUPLICATE_YEAR = _("Figures for this year already exist; edit that year instead.")


class FiguresForm(VersionedForm):
    """One year of an organisation's figures. The instance must carry its organisation
    (``OrganisationFigures(organisation=org)``): the one-row-per-year check needs it."""

    # Figures are reported for past or current years; the database allows 1900-2100
    # (figures_year_range), this narrows it to what a representative can know.
    FIRST_YEAR = 1900

    class Meta:
        model = OrganisationFigures
        fields = ["year", "employees", "turnover", "exports", "rd_staff"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Money: the database refuses negatives (figures_*_nonnegative); say so inline.
        # Counts are PositiveIntegerFields, whose form fields already have min_value=0.
        for name in ("turnover", "exports"):
            self.fields[name].validators.append(django_validators.MinValueValidator(0))
            self.fields[name].widget.attrs["min"] = 0

    def clean_year(self):
        year = self.cleaned_data["year"]
        last = date.today().year
        if not self.FIRST_YEAR <= year <= last:
            raise forms.ValidationError(
                _("The year must be between %(first)s and %(last)s."),
                params={"first": self.FIRST_YEAR, "last": last})
        # The (organisation, year) constraint involves a field not on the form, so Django
        # would not check it before saving; check it here for an inline message (the view
        # also turns the database's refusal into this error, for concurrent saves).
        if (OrganisationFigures.objects.filter(organisation=self.instance.organisation,
                                               year=year)
                .exclude(pk=self.instance.pk).exists()):
            raise forms.ValidationError(DUPLICATE_YEAR)
        return year

