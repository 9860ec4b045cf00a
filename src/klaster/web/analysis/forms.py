"""The upload form of a dataset."""

from django import forms
from django.utils.translation import gettext_lazy as _

from klaster.web.analysis.models import Dataset

MAX_UPLOAD_MB = 200


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
            if f and f.size > MAX_UPLOAD_MB * 1024 * 1024:
                self.add_error(field, _("The file is larger than %(n)s MB.")
                               % {"n": MAX_UPLOAD_MB})
        if data.get("year") and data.get("from_year") and data["from_year"] > data["year"]:
            self.add_error("from_year", _("The first year must not be after the reference "
                                          "year."))
        return data
