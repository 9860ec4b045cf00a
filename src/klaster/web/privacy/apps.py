from django.apps import AppConfig


class Config(AppConfig):
    name = "klaster.web.privacy"
    label = "privacy"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Privacy"
