"""WSGI entry point for production servers: ``gunicorn klaster.web.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klaster.web.settings")
application = get_wsgi_application()
