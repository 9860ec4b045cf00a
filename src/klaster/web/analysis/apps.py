from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _analyst_group(sender, using="default", **kwargs) -> None:
    from klaster.web.registry.apps import ensure_groups

    mod = import_module("klaster.web.analysis.migrations.0002_analysts")
    ensure_groups({mod.GROUP: mod.CODENAMES}, "analysis", using)


class AnalysisConfig(AppConfig):
    name = "klaster.web.analysis"
    label = "analysis"
    verbose_name = "Analysis"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The "Analysts" group survives a flush as the registry's role groups do.
        post_migrate.connect(_analyst_group, sender=self,
                             dispatch_uid="klaster.analysis.groups")
