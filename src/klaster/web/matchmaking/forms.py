"""Forms of the matchmaking pages. Validation of records is the models' own; the proximity
upload is validated here (columns, types, values) with messages naming line and field."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from klaster.web.matchmaking.models import Event, Participant, Wish
from klaster.web.registry.forms import VersionedForm
from klaster.web.registry.models import PartnerRequest, with_translations

# Polars and the analytics load inside the functions that use them: the URL map imports
# this module at every start of the platform (1-3 s of `klaster serve`; issue 14).
if TYPE_CHECKING:
    import polars as pl

PROXIMITY_COLUMNS = ("activity_1", "activity_2", "proximity")
MAX_PROXIMITY_BYTES = 50 * 1024 * 1024


class PartnerRequestForm(VersionedForm):
    class Meta:
        model = PartnerRequest
        fields = with_translations(PartnerRequest, ["kind", "topic", "description", "sectors",
                                                    "countries", "status"])
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "sectors": _("Industry codes or words, comma-separated, e.g. C25, C28."),
            "countries": _("Preferred partner countries (ISO codes), e.g. PL, BY, LT."),
        }


def read_proximity(name: str, content: bytes) -> pl.DataFrame:
    """The ``activity_1, activity_2, proximity`` table of ``klaster relatedness``, from
    Parquet or CSV, checked: columns present, codes non-empty, proximity a number in [0, 1].

    Raises forms.ValidationError with the file, line and field of the first problems.
    """
    import polars as pl
    lower = name.lower()
    try:
        if lower.endswith(".parquet"):
            frame = pl.read_parquet(io.BytesIO(content))
            first_line = 0  # Parquet has no header line: rows are numbered from 0
        elif lower.endswith(".csv"):
            frame = pl.read_csv(io.BytesIO(content), infer_schema_length=0)
            first_line = 2  # line 1 is the header
        else:
            raise forms.ValidationError(
                _("%(name)s: expected a .parquet or .csv file (proximity.parquet or "
                  "proximity.csv written by `klaster relatedness`).") % {"name": name})
    except forms.ValidationError:
        raise
    except Exception as exc:  # polars/pyarrow raise many error types for unreadable files
        raise forms.ValidationError(_("%(name)s: cannot be read (%(error)s).")
                                    % {"name": name, "error": str(exc)[:200]}) from None
    missing = [c for c in PROXIMITY_COLUMNS if c not in frame.columns]
    if missing:
        raise forms.ValidationError(
            _("%(name)s: missing column(s) %(columns)s; expected activity_1, activity_2, "
              "proximity.") % {"name": name, "columns": ", ".join(missing)})
    if frame.height == 0:
        raise forms.ValidationError(_("%(name)s: the table has no rows.") % {"name": name})
    frame = frame.select(PROXIMITY_COLUMNS).with_columns(
        pl.col("activity_1").cast(pl.Utf8).str.strip_chars(),
        pl.col("activity_2").cast(pl.Utf8).str.strip_chars(),
        pl.col("proximity").cast(pl.Utf8).str.strip_chars().alias("_raw"),
    ).with_columns(pl.col("_raw").cast(pl.Float64, strict=False).alias("proximity"))
    problems = []
    checks = [
        ("activity_1", pl.col("activity_1").is_null() | (pl.col("activity_1") == ""),
         _("empty activity code")),
        ("activity_2", pl.col("activity_2").is_null() | (pl.col("activity_2") == ""),
         _("empty activity code")),
        ("proximity", pl.col("proximity").is_null() | pl.col("proximity").is_nan(),
         _("not a number")),
        ("proximity", (pl.col("proximity") < 0) | (pl.col("proximity") > 1),
         _("outside 0…1")),
    ]
    indexed = frame.with_row_index("_line", offset=first_line)
    for field, condition, reason in checks:
        bad = indexed.filter(condition).head(5)
        for row in bad.iter_rows(named=True):
            where = (_("line %(line)d") if first_line else _("row %(line)d")) % {
                "line": row["_line"]}
            problems.append(_("%(name)s, %(where)s, field %(field)s: %(reason)s (%(value)s)") % {
                "name": name, "where": where, "field": field, "reason": reason,
                "value": repr(row["_raw"] if field == "proximity" else row[field])})
    if problems:
        raise forms.ValidationError(problems[:10])
    return frame.select(PROXIMITY_COLUMNS)


class ProximityUploadForm(forms.Form):
    file = forms.FileField(label=_("Proximity table (.parquet or .csv)"),
                           help_text=_("The proximity table written by `klaster relatedness` "
                                       "(columns activity_1, activity_2, proximity)."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PROXIMITY_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        self.table = read_proximity(upload.name, upload.read())
        return upload


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = with_translations(Event, ["title", "date", "start", "slots", "tables",
                                           "slot_minutes", "place"])
        widgets = {"date": forms.DateInput(attrs={"type": "date"}),
                   "start": forms.TimeInput(attrs={"type": "time"})}


class RegistrationForm(forms.ModelForm):
    """Register one of the user's organisations, ticking the slots it is available in."""

    availability = forms.TypedMultipleChoiceField(
        label=_("Available slots"), coerce=int, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Participant
        fields = ["organisation", "availability"]

    def __init__(self, *args, event, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["availability"].choices = event.slot_times()
        if not self.instance.pk:
            self.fields["availability"].initial = [i for i, _t in event.slot_times()]

    def clean_organisation(self):
        org = self.cleaned_data["organisation"]
        if (Participant.objects.filter(event=self.instance.event, organisation=org)
                .exclude(pk=self.instance.pk).exists()):
            raise forms.ValidationError(_("This organisation is already registered."))
        return org


class WishForm(forms.ModelForm):
    class Meta:
        model = Wish
        fields = ["target", "priority"]

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant
        self.fields["target"].queryset = (
            Participant.objects.filter(event_id=participant.event_id)
            .exclude(pk=participant.pk).select_related("organisation"))

    def clean_target(self):
        target = self.cleaned_data["target"]
        if Wish.objects.filter(participant=self.participant, target=target).exists():
            raise forms.ValidationError(_("This meeting is already on your list."))
        return target
