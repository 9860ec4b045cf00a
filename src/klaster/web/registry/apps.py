from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_groups(groups: dict[str, list[str]], app_label: str, using: str) -> None:
    """Create the named groups (if missing) and give them their permissions of ``app_label``.

    The data migrations create the groups once; this runs again after every ``migrate``
    and every ``flush`` (both send post_migrate, after auth has re-created permissions),
    so a flushed test database (TransactionTestCase) has its role groups back too.
    """
    from django.contrib.auth.models import Group, Permission

    for name, codenames in groups.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(*Permission.objects.using(using).filter(
            content_type__app_label=app_label, codename__in=codenames))


def _registry_groups(sender, using="default", **kwargs) -> None:
    ensure_groups(import_module("klaster.web.registry.migrations.0002_roles").GROUPS,
                  "registry", using)


class Config(AppConfig):
    name = "klaster.web.registry"
    label = "registry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_registry_groups, sender=self,
                             dispatch_uid="klaster.registry.groups")
