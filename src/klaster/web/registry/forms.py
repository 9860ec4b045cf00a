"""Workspace forms. Validation is the model's (``full_clean``: identifiers, codes, ranges);
versioned forms carry the version they were loaded with, checked on save."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core import validators as django_validators
from django.db import models
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from klaster.web.registry import permissions as perms
from klaster.web.registry.models import (
    Activity,
    Cluster,
    CoordinatorProfile,
    Document,
    JoinRequest,
    Membership,
    Named,
    Organisation,
    OrganisationFigures,
    Project,
    with_translations,
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


NAME_FIELDS = ("name_en", "name_pl", "name_be", "name_ru")


class _DirectOptionsMixin:
    """A select that writes its <option>s directly instead of rendering Django's option
    template once per choice: the same markup (select.html, select_option.html,
    attrs.html), but the cluster edit page's coordinating-organisation list (every
    organisation the user may name: 20,000 in the benchmark) cost 2.2 s per page with
    2,000 organisations at load 14 through the template engine (issue 14)."""

    @staticmethod
    def _attrs(attrs) -> str:
        # attrs.html: in order; True → the bare name, False/None → left out.
        return mark_safe("".join(  # each part escaped by format_html
            format_html(" {}", k) if v is True else format_html(' {}="{}"', k, v)
            for k, v in attrs.items() if v is not False and v is not None))

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], self._attrs(widget["attrs"]))]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            parts.extend(
                format_html('\n  <option value="{}"{}>{}</option>', str(option["value"]),
                            self._attrs(option["attrs"]), option["label"])
                for option in group_choices)
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every part above is escaped by format_html


class DirectSelect(_DirectOptionsMixin, forms.Select):
    pass


class DirectSelectMultiple(_DirectOptionsMixin, forms.SelectMultiple):
    pass


_DIRECT = {forms.Select: DirectSelect, forms.SelectMultiple: DirectSelectMultiple}


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
                targets = perms.allowed_targets(user, model, name, cluster=cluster)
                if issubclass(targets.model, Named):
                    # An option needs the key and the names only: building 20,000 whole
                    # organisations (JSON fields decoded) was most of what remained of
                    # the cluster edit page's time. A chosen record is still a model
                    # instance (its other fields load on access).
                    targets = targets.only("pk", *NAME_FIELDS)
                field.queryset = targets
                direct = _DIRECT.get(type(field.widget))
                if direct is not None:  # the same widget, options written directly
                    widget = direct.__new__(direct)
                    widget.__dict__.update(field.widget.__dict__)
                    field.widget = widget

    def show_only(self, name: str, near, find: str = "") -> None:
        """Offer as options of ``name`` only the allowed records matching ``near`` (a Q),
        the record already chosen, and (``find``) at most ``SHOWN_AT_MOST`` records whose
        name or identifier matches — not every allowed record: the cluster edit page
        listed all 20,000 organisations twice (2 MB, 8.6 s per page; issue 14). The field
        still accepts any allowed record (``field.queryset`` is unchanged), so this only
        shortens the list, it never widens what may be named."""
        field = self.fields[name]
        chosen = (self.data.get(self.add_prefix(name)) if self.is_bound
                  else self.initial.get(name, getattr(self.instance, f"{name}_id", None)))
        if chosen is not None and str(chosen).isdigit():
            near |= models.Q(pk=int(chosen))
        # ``near`` resolved to keys first: PostgreSQL planned "allowed AND near" (ORs of
        # subqueries on both sides) as a scan of every organisation, 170-640 ms of the
        # cluster edit page with 20,000 (issue 14); the allowed rule is then checked on
        # the few keys.
        near = models.Q(pk__in=list(field.queryset.model._default_manager.filter(near)
                                    .values_list("pk", flat=True)))
        shown = field.queryset.filter(near)
        find = find.strip()
        if find:
            found = models.Q(id_value__iexact=find)
            for name_field in NAME_FIELDS:
                found |= models.Q(**{f"{name_field}__icontains": find})
            found_pks = list(field.queryset.filter(found).order_by("name_en", "pk")
                             .values_list("pk", flat=True)[:SHOWN_AT_MOST])
            shown = field.queryset.filter(near | models.Q(pk__in=found_pks))
        field.widget.choices = _ShownChoices(field, shown.order_by("name_en", "pk"))


SHOWN_AT_MOST = 50


class _ShownChoices(ModelChoiceIterator):
    """The field's choices drawn from ``queryset`` (a subset of the field's own)."""

    def __init__(self, field, queryset):
        super().__init__(field)
        self.queryset = queryset


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


# What the contact person agrees to (GDPR Art. 7(2): clear and plain language, distinct
# from other matters). Recorded word for word, in the language the coordinator saw it.
CONTACT_CONSENT_TEXT = _(
    "I agree that my name, my role and, where given, my e-mail address and phone number "
    "are published on the cluster's public profile and in the platform's open data (API), "
    "so that people can contact me about the cluster. I may withdraw this consent at any "
    "time; my details are then removed from the profile.")


class ClusterForm(ScopedChoicesMixin, VersionedForm):
    industry_codes = CodesField(label=_("Industry codes"), required=False,
                                help_text=_("Comma-separated, in the chosen code system."))
    contact_consent = forms.BooleanField(
        label=_("The contact person has consented to the publication of these details"),
        required=False, help_text=CONTACT_CONSENT_TEXT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self._user = user
        # The coordinating organisation is offered among the cluster's current members
        # and the user's own organisations (add it as a member first).
        near = models.Q(pk__in=perms.own_organisation_ids(user))
        if self.instance.pk:
            near |= models.Q(pk__in=Membership.objects.filter(
                cluster_id=self.instance.pk, left__isnull=True).values("organisation_id"))
        self.show_only("coordinator_organisation", near)
        self.fields["coordinator_organisation"].help_text = _(
            "One of the cluster's current members or of your own organisations (add an "
            "organisation as a member first).")
        order = list(self._meta.fields)
        order.insert(order.index("contact_phone") + 1, "contact_consent")
        self.order_fields(order)
        self.fields["contact_consent"].initial = self.instance.contact_published
        if self.instance.contact_published:
            self.fields["contact_consent"].help_text = format_html(
                "{}<br>{}", CONTACT_CONSENT_TEXT,
                _("Consent on record: %(name)s, %(date)s.") % {
                    "name": self.instance.contact_consent_name,
                    "date": date_format(timezone.localtime(self.instance.contact_consent_at),
                                        "SHORT_DATETIME_FORMAT")})

    def clean(self):
        data = super().clean()
        given = [f for f in Cluster.CONTACT_FIELDS if data.get(f)]
        if given and not data.get("contact_consent"):
            self.add_error("contact_consent", _(
                "A contact person is published only with their consent: tick the box, or "
                "leave the contact person's fields empty."))
        elif data.get("contact_consent") and not data.get("contact_name"):
            self.add_error("contact_name", _("Give the contact person's name."))
        return data

    def _post_clean(self):
        data = self.cleaned_data
        instance = self.instance
        if not self.errors:
            contact = {f: data.get(f, "") for f in Cluster.CONTACT_FIELDS}
            if not data.get("contact_consent"):
                instance.clear_contact_person()  # nothing filled in: no contact (withdrawn)
            elif not instance.contact_published or any(
                    getattr(instance, f) != v for f, v in contact.items()):
                # New details or a new person: the consent is recorded again for them.
                instance.contact_consent_name = contact["contact_name"]
                instance.contact_consent_at = timezone.now()
                instance.contact_consent_text = str(CONTACT_CONSENT_TEXT)
                instance.contact_consent_recorded_by = (
                    self._user if getattr(self._user, "is_authenticated", False) else None)
        super()._post_clean()

    class Meta:
        model = Cluster
        formfield_callback = _formfield
        fields = ["name_en", "name_pl", "name_be", "name_ru", "status", "phase", "founded",
                  "sector", "sector_pl", "sector_be", "sector_ru", "code_system",
                  "industry_codes", "country", "region", "region_pl", "region_be",
                  "region_ru", "territory",
                  "coordinator_organisation", "strategy_document", "strategy_review",
                  "website", "description", "description_pl", "description_be",
                  "description_ru", "contact_name", "contact_role", "contact_role_pl",
                  "contact_role_be", "contact_role_ru", "contact_email", "contact_phone",
                  "published"]
        widgets = {"founded": forms.DateInput(attrs={"type": "date"}),
                   "strategy_review": forms.DateInput(attrs={"type": "date"})}


class OrganisationForm(VersionedForm):
    industry_codes = CodesField(label=_("Industry codes"), required=False)

    class Meta:
        model = Organisation
        formfield_callback = _formfield
        fields = with_translations(Organisation, [
            "name_en", "name_pl", "name_be", "name_ru", "id_scheme", "id_value",
            "legal_form", "helix", "size_class", "code_system", "industry_codes",
            "region", "city", "latitude", "longitude", "website"])


class ActivityForm(VersionedForm):
    class Meta:
        model = Activity
        formfield_callback = _formfield
        fields = with_translations(Activity, [
            "kind", "title", "start", "end", "place", "participant_count",
            "foreign_participant_count", "description"])
        widgets = {"start": forms.DateInput(attrs={"type": "date"}),
                   "end": forms.DateInput(attrs={"type": "date"})}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Members file (CSV or Excel .xlsx)"))


class ProjectForm(ScopedChoicesMixin, VersionedForm):
    class Meta:
        model = Project
        fields = with_translations(Project, ["title", "partners", "budget", "funding_source",
                                             "outputs", "start", "end"])
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



# --- one organisation / one member at a time (workspace) -------------------------------
# The fields are the import's columns and the checks the import's own
# (registry.importing.check_row / check_organisation): a file row and a form answer the
# same, with the same messages, each on its field.

def _org_fields() -> dict[str, forms.Field]:
    from klaster.web.registry.models import CodeSystem, Helix, IdScheme, SizeClass

    def field(name, **kwargs):
        return Organisation._meta.get_field(name).formfield(required=False, **kwargs)

    return {
        "id_scheme": forms.ChoiceField(label=_("identifier scheme"), required=False,
                                       choices=[("", "—"), *IdScheme.choices]),
        "id_value": field("id_value"),
        "name_en": field("name_en"), "name_pl": field("name_pl"),
        "name_be": field("name_be"), "name_ru": field("name_ru"),
        "legal_form": field("legal_form"),
        "helix": forms.ChoiceField(label=_("helix type"), required=False,
                                   choices=[("", "—"), *Helix.choices]),
        "size_class": forms.ChoiceField(label=_("size class"), required=False,
                                        choices=[("", "—"), *SizeClass.choices]),
        "code_system": forms.ChoiceField(label=_("code system"), choices=CodeSystem.choices,
                                         initial=CodeSystem.NACE2),
        "industry_codes": forms.CharField(label=_("Industry codes"), required=False,
                                          help_text=_("Comma-separated, in the chosen code "
                                                      "system.")),
        "region": field("region"), "city": field("city"),
        "latitude": forms.CharField(label=_("latitude"), required=False),
        "longitude": forms.CharField(label=_("longitude"), required=False),
        "website": forms.CharField(label=_("website"), required=False),
    }


def _as_row(data: dict) -> dict:
    """Cleaned form values as the import's text row."""
    row = {}
    for key, value in data.items():
        if isinstance(value, bool):
            row[key] = "yes" if value else "no"
        elif isinstance(value, date):
            row[key] = value.isoformat()
        elif value is None:
            row[key] = ""
        else:
            row[key] = str(value)
    return row


def _put_errors(form: forms.Form, errors) -> None:
    for e in errors:
        form.add_error(e.field if e.field in form.fields else None, e.message)


def _required(form: forms.Form, data: dict) -> bool:
    from klaster.web.registry.importing import REQUIRED

    ok = True
    for name in REQUIRED:
        if not data.get(name):
            form.add_error(name, forms.Field.default_error_messages["required"])
            ok = False
    return ok


class OrganisationAddForm(forms.Form):
    """A new organisation, checked as an imported row is (NIP/REGON/KRS/UNP format and
    checksum, industry codes, coordinates); one already registered is refused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_org_fields())
        self.organisation = None

    def clean(self):
        from klaster.web.registry.importing import check_organisation

        data = super().clean()
        if self.errors or not _required(self, data):
            return data
        org, errors = check_organisation(_as_row(data))
        _put_errors(self, errors)
        self.organisation = org
        return data


class MemberAddForm(ScopedChoicesMixin, forms.ModelForm):
    """Add one member to a cluster: an organisation the author may see (scoped choices:
    a hidden one is "not one of the available choices", like a missing one) or a new one
    typed in; then the import's row check (duplicates: the same scheme and identifier is
    the same organisation; already a current member; identifier checksum; …)."""

    class Meta:
        model = Membership
        fields = ["organisation", "role", "committed", "joined", "working_groups"]
        widgets = {"joined": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, find: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].required = False
        # The model field has no verbose_name: its automatic label would stay English.
        self.fields["organisation"].label = _("Organisation")
        self.fields["organisation"].empty_label = _("— a new organisation (below) —")
        self.fields["organisation"].queryset = self.fields["organisation"].queryset.order_by(
            "name_en", "pk")
        # Options: the organisations found by the page's search (``find``), not every
        # organisation the author may see.
        self.show_only("organisation", models.Q(pk__in=[]), find)
        self.fields["joined"].required = False
        self.fields.update(_org_fields())
        self.result = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        existing = data.get("organisation")
        row = _as_row({k: v for k, v in data.items() if k != "organisation"})
        if existing is not None:
            row["id_scheme"], row["id_value"] = existing.id_scheme, existing.id_value
        elif not _required(self, data):
            return data
        self.row = row
        return data

    def _post_clean(self):
        # The membership is validated by the import's row check (clean + save_member),
        # not by the model form: the organisation may not exist yet.
        pass

    def save_member(self, cluster):
        """Write the membership (and the new organisation) or put the errors on the form;
        returns the organisation or None."""
        from klaster.web.registry.importing import add_member

        result, org = add_member(cluster, self.row)
        _put_errors(self, result.errors)
        return org
