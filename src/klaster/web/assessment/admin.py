from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models as m


@admin.register(m.RubricEdition)
class RubricEditionAdmin(SimpleHistoryAdmin):
    list_display = ("key", "title", "fingerprint", "superseded_by", "created")
    readonly_fields = ("fingerprint",)


@admin.register(m.Call)
class CallAdmin(SimpleHistoryAdmin):
    list_display = ("title", "rubric", "year", "deadline", "is_open")


@admin.register(m.Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = ("cluster", "call", "status", "decision", "level", "published")
    list_filter = ("status", "decision")


for model in (m.EvaluatorAssignment, m.Label, m.Appeal, m.KpiSnapshot, m.Survey, m.Evidence):
    admin.site.register(model, SimpleHistoryAdmin)
