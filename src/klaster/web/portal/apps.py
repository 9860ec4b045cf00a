from django.apps import AppConfig


class Config(AppConfig):
    name = "klaster.web.portal"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # In every process (workers, management commands), so any registry write
        # invalidates the shared cache of public pages.
        from klaster.web.portal import caching

        caching.connect_signals()
