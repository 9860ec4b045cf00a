from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from klaster.web.uploads import validate_document_size

from .models import Appeal, Call, RubricEdition, Survey, SurveyResponse
from .services import departure, evidence_required, indicators, level_names


def engine_term(text):
    """A rubric text in the reader's language when the engine catalogue has it."""
    from klaster.web.analysis.templatetags.engine_i18n import engine_term as term

    return term(text)


class RubricEditionForm(forms.ModelForm):
    class Meta:
        model = RubricEdition
        fields = ["key", "title", "content"]
        widgets = {"content": forms.Textarea(attrs={"rows": 24, "cols": 100})}

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.instance.in_use and "content" in self.changed_data:
            raise forms.ValidationError(_(
                "This rubric edition is used by a call and cannot be edited; supersede it "
                "with a new edition instead."))
        return data


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = ["rubric", "title", "year", "deadline", "is_open", "appeal_days"]
        widgets = {"deadline": forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                   format="%Y-%m-%dT%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rubric"].queryset = RubricEdition.objects.filter(superseded_by__isnull=True)


class ApplyForm(forms.Form):
    cluster = forms.ModelChoiceField(queryset=None, label=_("Cluster"))

    def __init__(self, *args, clusters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters


def value_field(spec, required=False):
    """A number, or yes/no for ``kind: bool`` indicators. Label and unit in the reader's
    language when the catalogue has them (klaster.assessment.labels: every built-in
    rubric's indicator labels)."""
    unit = f" ({engine_term(spec.unit)})" if spec.unit else ""
    label = engine_term(spec.label)
    if getattr(spec, "kind", "number") == "bool":
        return forms.TypedChoiceField(
            label=label, required=required, help_text=engine_term(spec.description),
            choices=[("", "—"), ("1", _("Yes")), ("0", _("No"))],
            coerce=lambda v: v == "1", empty_value=None)
    return forms.FloatField(label=f"{label}{unit}", required=required,
                            help_text=engine_term(spec.description))


def self_assessment_form(rubric, evidence: dict, data=None, files=None):
    """A form with value, note, link and document per evaluator- or survey-provided
    indicator, pre-filled from the stored evidence."""
    fields, initial = {}, {}
    for spec in indicators(rubric, "evaluator", "survey"):
        required = evidence_required(spec)
        fields[f"v_{spec.key}"] = value_field(spec)
        fields[f"u_{spec.key}"] = forms.URLField(label=_("Evidence link"), required=False,
                                                 assume_scheme="https")
        fields[f"f_{spec.key}"] = forms.FileField(
            label=(_("Evidence document (required: %(what)s)")
                   % {"what": engine_term(spec.evidence)}
                   if required else _("Evidence document")),
            required=False, validators=[validate_document_size])
        fields[f"n_{spec.key}"] = forms.CharField(label=_("Note"), required=False,
                                                  widget=forms.Textarea(attrs={"rows": 2}))
        ev = evidence.get(spec.key)
        if ev is not None:
            value = ev.value
            if getattr(spec, "kind", "number") == "bool" and value is not None:
                value = "1" if value else "0"
            initial.update({f"v_{spec.key}": value, f"u_{spec.key}": ev.url,
                            f"n_{spec.key}": ev.note})
    form_class = type("SelfAssessmentForm", (forms.Form,), fields)
    return form_class(data, files, initial=initial)


def score_form(rubric, data=None, initial=None):
    fields = {}
    for spec in indicators(rubric, "evaluator"):
        fields[f"v_{spec.key}"] = value_field(spec)
    fields["comment"] = forms.CharField(label=_("Comment"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}))
    return type("ScoreForm", (forms.Form,), fields)(data, initial=initial)


class AssignForm(forms.Form):
    evaluator = forms.ModelChoiceField(queryset=None, label=_("Evaluator"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = get_user_model().objects.filter(
            is_active=True).order_by("username")


class DecisionForm(forms.Form):
    # No default outcome: the decision-maker chooses one (issue 12).
    decision = forms.ChoiceField(label=_("Decision"), choices=[("", "—"),
                                                                ("granted", _("Granted")),
                                                                ("refused", _("Refused"))])
    level = forms.ChoiceField(label=_("Level"), required=False)
    note = forms.CharField(label=_("Reasons"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}), help_text=_("Required when the decision departs from the "
                                        "computed result."))
    publish = forms.BooleanField(label=_("Publish the report"), required=False, initial=True)

    def __init__(self, *args, rubric, suggested=None, result=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.result = result or {}
        self.fields["level"].choices = [("", "—")] + [(n, engine_term(n))
                                                   for n in level_names(rubric)]
        if suggested:
            self.fields["level"].initial = suggested

    def clean(self):
        data = super().clean()
        decision, level = data.get("decision"), data.get("level") or ""
        if decision == "granted" and not level:
            self.add_error("level", _("A granted label needs a level."))
        elif decision:
            why = departure(self.result, decision, level)
            if why and not (data.get("note") or "").strip():
                self.add_error("note", _("%(why)s Give the reasons for departing from the "
                                         "computed result.") % {"why": why})
        return data


class AppealForm(forms.ModelForm):
    class Meta:
        model = Appeal
        fields = ["reason"]


class ResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(label=_("Outcome"), coerce=lambda v: v == "1",
                                    choices=[("1", _("Upheld: decide again")),
                                             ("0", _("Rejected: the decision stands"))])
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "year"]


SCALE = [(i, str(i)) for i in range(1, 6)]


class SurveyAnswerForm(forms.ModelForm):
    class Meta:
        model = SurveyResponse
        fields = ["organisation", "overall", "services", "cooperation", "communication",
                  "comment"]
        widgets = {q: forms.RadioSelect(choices=SCALE) for q, _label in Survey.QUESTIONS}

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].label = _("Answering for")
