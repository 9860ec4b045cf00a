from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models as m
from .forms import RubricEditionForm


@admin.register(m.RubricEdition)
class RubricEditionAdmin(SimpleHistoryAdmin):
    # The page's form: a used edition's content is refused as a form error, not a 500.
    form = RubricEditionForm
    list_display = ("key", "title", "fingerprint", "superseded_by", "created")
    readonly_fields = ("fingerprint", "superseded_by")


@admin.register(m.Call)
class CallAdmin(SimpleHistoryAdmin):
    list_display = ("title", "rubric", "year", "deadline", "is_open")


@admin.register(m.Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = ("cluster", "call", "status", "decision", "level", "published")
    list_filter = ("status", "decision")


for model in (m.EvaluatorAssignment, m.Label, m.Appeal, m.KpiSnapshot, m.Survey, m.Evidence):
    admin.site.register(model, SimpleHistoryAdmin)
