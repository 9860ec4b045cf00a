from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from klaster.web.registry import models as m


class MembershipInline(admin.TabularInline):
    model = m.Membership
    extra = 0
    can_delete = False  # memberships are ended, never deleted


@admin.register(m.Cluster)
class ClusterAdmin(SimpleHistoryAdmin):
    list_display = ("name_en", "status", "published", "approved", "country", "region")
    list_filter = ("status", "published", "approved", "country")
    search_fields = ("name_en", "name_pl", "name_be", "name_ru")
    filter_horizontal = ("coordinators",)
    inlines = [MembershipInline]


@admin.register(m.Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name_en", "id_scheme", "id_value", "helix", "region", "approved")
    list_filter = ("helix", "approved", "id_scheme")
    search_fields = ("name_en", "name_pl", "name_be", "name_ru", "id_value")
    filter_horizontal = ("representatives",)


for model in (m.Activity, m.Project, m.PartnerRequest, m.Document, m.CoordinatorProfile,
              m.OrganisationFigures):
    admin.site.register(model, SimpleHistoryAdmin)
