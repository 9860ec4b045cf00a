"""``klaster serve``: migrate, optionally load the demo content, run the platform.

Registered in klaster/cli.py; the body lives here so the main CLI does not import Django.
"""

from __future__ import annotations

import os
import sys


def local_only(host: str, debug: bool) -> None:
    """Set the environment for serving on ``host``: DEBUG only on a loopback address.

    On this computer a ``serve`` is a development run (DEBUG) unless the environment says
    otherwise. On any other address (``--host 0.0.0.0``) DEBUG is refused — asking for it
    (``KLASTER_DEBUG=1``) is an error, exit 2 — and the server runs with production
    settings over plain HTTP (the development server has no TLS): a trial on a trusted
    network; production is gunicorn behind a TLS proxy (docs/web.md).
    """
    from klaster.errors import KlasterError
    from klaster.web.security import is_loopback

    if is_loopback(host):
        os.environ.setdefault("KLASTER_DEBUG", "1" if debug else "0")
        return
    asked = os.environ.get("KLASTER_DEBUG", "").lower() in ("1", "true", "yes", "on")
    if asked:
        raise KlasterError(
            f"KLASTER_DEBUG is on but the server would listen on {host}: development mode "
            "shows the URL list and tracebacks to anyone who can reach it. Serve on "
            "127.0.0.1, or unset KLASTER_DEBUG to serve the network with DEBUG off.")
    os.environ["KLASTER_DEBUG"] = "0"
    # Plain HTTP from the development server: no HTTPS redirect, no Secure-only cookies.
    os.environ.setdefault("KLASTER_SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("KLASTER_SECURE_COOKIES", "0")
    os.environ.setdefault("KLASTER_HSTS_SECONDS", "0")
    # Any name or address the machine is reached by; the secret is the data directory's
    # own (generated once), unless KLASTER_SECRET_KEY is set.
    os.environ.setdefault("KLASTER_ALLOWED_HOSTS", "*")
    os.environ.setdefault("KLASTER_GENERATED_SECRET", "1")
    print(f"klaster serve: listening on {host} with DEBUG off, over plain HTTP "
          "(a trial on a trusted network; production runs gunicorn behind TLS).",
          file=sys.stderr)


def serve(host: str = "127.0.0.1", port: int = 8000, demo: bool = False,
          debug: bool = True) -> None:
    """Apply migrations, (``demo``) load the demo content (registry, networks and
    matchmaking, assessment) and the demo analysis — both skipped when the database is
    already up to date (klaster.web.startup) —, start the analysis worker (a child process), and run
    Django's server.

    The development server (``runserver``, no auto-reload) is what ``serve`` runs; a
    production deployment runs ``gunicorn klaster.web.wsgi`` behind a TLS proxy with
    ``KLASTER_DEBUG=0`` (see docs/web.md).
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klaster.web.settings")
    local_only(host, debug)
    # Static files are served by WhiteNoise from a prepared STATIC_ROOT (hashed names,
    # brotli/gzip copies, cached for good), also in DEBUG: see ensure_static below.
    os.environ.setdefault("KLASTER_STATIC_PREPARED", "1")
    # wsgi.py's warm-up (every view, template and catalogue, before gunicorn forks) pays
    # off across preforked workers, not in this one process: it delayed the first page of
    # a second start by 6 s to save the first request 3.5 s (measured 2026-12-02).
    os.environ.setdefault("KLASTER_WARM_UP", "0")
    from klaster.web.i18n import compile_translations

    compile_translations()
    import django
    from django.core.management import call_command

    django.setup()
    from concurrent.futures import ThreadPoolExecutor

    from django.conf import settings

    from klaster.web.startup import ensure_database
    from klaster.web.staticfiles import ensure_static

    # Migrations and demo loaders run only when the database's stored fingerprints say
    # something changed (klaster.web.startup): a second start goes straight to serving.
    # STATIC_ROOT (hashed names, brotli/gzip copies) likewise is rebuilt only when a static
    # file or package changed (klaster.web.staticfiles.fingerprint). A first build runs in
    # a thread beside the database step: compression is C code that releases the GIL, so
    # the two share the cores instead of adding up. result() re-raises its error.
    with ThreadPoolExecutor(1, thread_name_prefix="klaster-static") as pool:
        static = (pool.submit(ensure_static, log=lambda line: print(line, file=sys.stderr))
                  if settings.KLASTER_STATIC_PREPARED else None)
        ensure_database(demo=demo, queue_analyses=True)
        if static is not None:
            static.result()
    # The analysis queue (uploaded statistics files, the demo analyses queued above) is
    # worked by a child process, as in production (`python -m klaster.web
    # analysis_worker` beside gunicorn): as a thread of this process it held the GIL
    # against the server, and the first page waited for the demo analyses (137 s of a
    # first start at load 25 instead of about 30; issue 14).
    import shutil
    import signal
    import subprocess

    # At a lower CPU priority (nice 10): the worker imports the analytics and runs the
    # demo analyses while the server answers its first pages; at equal priority the
    # first page of a second start took 6.7–7.6 s instead of 4.1 s (load 8; issue 14).
    # (`nice` where there is one: a preexec_fn is unsafe in a process with threads;
    # `nice` execs the worker, so terminate() below still reaches it.)
    nice = shutil.which("nice")
    worker = subprocess.Popen([*([nice, "-n", "10"] if nice else []), sys.executable,
                               "-m", "klaster.web", "analysis_worker"],
                              env=dict(os.environ))
    # A terminated server stops its worker too (SIGTERM would skip the `finally`).
    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(0))
    try:
        # WhiteNoise (a middleware) serves the static files; runserver's own handler
        # would serve them uncompressed and uncached.
        # No system checks and no unapplied-migrations check here: ensure_database has
        # just compared the schema fingerprint (migrations applied), and the checks
        # (every URL pattern, model and template setting: about 1 s) belong to CI and
        # `manage.py check`, not to every start (issue 14).
        from django.core.management import get_commands, load_command_class

        # The installed runserver (django.contrib.staticfiles' own, with its options).
        RunServer = type(load_command_class(get_commands()["runserver"], "runserver"))

        class Serve(RunServer):
            def check_migrations(self):
                pass

        call_command(Serve(), f"{host}:{port}", use_reloader=False,
                     use_static_handler=False, skip_checks=True)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
