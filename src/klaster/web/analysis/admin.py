from django.contrib import admin

from klaster.web.analysis.models import Dataset, PotentialClusterRecord


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "status", "percent", "published", "created"]
    list_filter = ["status", "published", "source"]
    readonly_fields = ["status", "stage", "percent", "error", "results_dir", "notes",
                       "summary", "started", "finished"]


@admin.register(PotentialClusterRecord)
class PotentialClusterRecordAdmin(admin.ModelAdmin):
    list_display = ["cluster", "dataset", "region", "cluster_code", "kind", "lq", "rank",
                    "recorded"]
    readonly_fields = [f.name for f in PotentialClusterRecord._meta.fields]
