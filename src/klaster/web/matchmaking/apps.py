from django.apps import AppConfig


class Config(AppConfig):
    name = "klaster.web.matchmaking"
    label = "matchmaking"
    default_auto_field = "django.db.models.BigAutoField"
