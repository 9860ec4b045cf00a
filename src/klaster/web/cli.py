"""``klaster serve``: migrate, optionally load the demo content, run the platform.

Registered in klaster/cli.py; the body lives here so the main CLI does not import Django.
"""

from __future__ import annotations

import os


def serve(host: str = "127.0.0.1", port: int = 8000, demo: bool = False,
          debug: bool = True) -> None:
    """Apply migrations, (``demo``) load the demo content (registry, networks and
    matchmaking, assessment) and the demo analysis — both skipped when the database is
    already up to date (klaster.web.startup) —, start the analysis worker thread, and run
    Django's server.

    The development server (``runserver``, no auto-reload) is what ``serve`` runs; a
    production deployment runs ``gunicorn klaster.web.wsgi`` behind a TLS proxy with
    ``KLASTER_DEBUG=0`` (see docs/web.md).
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klaster.web.settings")
    # A local `serve` is a development run unless the environment says otherwise.
    os.environ.setdefault("KLASTER_DEBUG", "1" if debug else "0")
    from klaster.web.i18n import compile_translations

    compile_translations()
    import django
    from django.core.management import call_command

    django.setup()
    # Migrations and demo loaders run only when the database's stored fingerprints say
    # something changed (klaster.web.startup): a second start goes straight to serving.
    from klaster.web.startup import ensure_database

    ensure_database(demo=demo)
    # The analysis queue (uploaded statistics files) is worked by a thread of this
    # process; production runs `python -m klaster.web analysis_worker` beside gunicorn.
    from klaster.web.analysis.tasks import start_worker_thread

    _thread, stop = start_worker_thread()
    try:
        call_command("runserver", f"{host}:{port}", use_reloader=False,
                     insecure_serving=True)
    finally:
        stop.set()
