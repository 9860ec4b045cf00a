"""The upload form of a dataset."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from klaster.web.analysis.models import Dataset


class DatasetForm(forms.ModelForm):
    class Meta:
        model = Dataset
        fields = ["title", "file", "format", "data_year", "definitions", "definitions_file",
                  "code_system", "regions", "regions_file", "year", "from_year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].required = True

    def clean(self):
        data = super().clean()
        for choice, field in (("definitions", "definitions_file"),
                              ("regions", "regions_file")):
            if data.get(choice) == "file" and not data.get(field):
                self.add_error(field, _("Upload the file, or choose another option."))
        for field in ("file", "definitions_file", "regions_file"):
            f = data.get(field)
            limit = settings.KLASTER_MAX_UPLOAD_BYTES
            if f and f.size > limit:
                self.add_error(field, _("The file is larger than %(n)s MB.")
                               % {"n": f"{limit / 2**20:g}"})
        if data.get("year") and data.get("from_year") and data["from_year"] > data["year"]:
            self.add_error("from_year", _("The first year must not be after the reference "
                                          "year."))
        return data
