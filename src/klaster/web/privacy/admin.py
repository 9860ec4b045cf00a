"""The operator's views: consent records, erasure requests (with the action that carries
them out) and the read-only log of access to personal data."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from klaster.web.privacy import services
from klaster.web.privacy.models import AccessLogEntry, ConsentRecord, ErasureRequest


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "context", "notice_version", "basis", "given", "withdrawn"]
    list_filter = ["context", "notice_version", "basis"]
    readonly_fields = [f.name for f in ConsentRecord._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "created", "done", "done_by"]
    list_filter = ["status"]
    readonly_fields = ["user", "requested_by", "message", "created", "done", "done_by",
                       "counts"]
    actions = ["carry_out"]

    @admin.action(description=_("Carry out the selected erasure requests"))
    def carry_out(self, request, queryset):
        pending = list(queryset.filter(status=ErasureRequest.Status.PENDING)
                       .select_related("user"))
        for req in pending:
            extra = services.terms_from_message(req.message)
            services.erase_person(req.user, actor=request.user, extra_terms=extra)
        self.message_user(request, _("%(n)d erasure request(s) carried out.")
                          % {"n": len(pending)}, messages.SUCCESS)


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "actor_label", "action", "subject", "what"]
    list_filter = ["action"]
    readonly_fields = [f.name for f in AccessLogEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
