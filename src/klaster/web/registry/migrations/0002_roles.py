"""The role groups: "Cluster coordinators" may create clusters; "Programme administrators"
hold registry.administer_programme (everything, approvals)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Cluster coordinators": ["add_cluster"],
    "Programme administrators": ["administer_programme"],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; create them now so groups get them.
    config = apps.get_app_config("registry")
    config.models_module = True  # historical app configs have none; the function skips those
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="registry",
                                                         codename__in=codenames))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length"),
                    ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(create_groups, remove_groups)]
