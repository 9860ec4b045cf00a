"""The "Analysts" group: upload and see every dataset, publish results, record potential
clusters (analysis.add/change/view_dataset; recording is checked on add_dataset)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Analysts"
CODENAMES = ["add_dataset", "change_dataset", "view_dataset"]


def create_group(apps, schema_editor):
    # Permissions are normally created after migrate; create them now so the group gets them.
    config = apps.get_app_config("analysis")
    config.models_module = True  # historical app configs have none; the function skips those
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="analysis",
                                                     codename__in=CODENAMES))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [("analysis", "0001_initial"),
                    ("auth", "0012_alter_user_first_name_max_length"),
                    ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(create_group, remove_group)]
