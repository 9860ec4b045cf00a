"""gunicorn settings for the platform (issue 14: no first-request penalty per worker)::

    gunicorn -c python:klaster.web.gunicorn_conf klaster.web.wsgi

* ``preload_app``: the master imports ``klaster.web.wsgi`` (Django set up, views,
  templates and catalogues warmed there, see its docstring) before forking, so a new
  worker answers its first request as fast as its hundredth, and the workers share those
  pages of memory (copy-on-write).
* No database connection may cross the fork (two processes would share one socket):
  the warm-up closes the connections it used, and ``post_fork`` closes whatever a module may have opened,
  then opens the worker's own connection before it accepts requests.

Every value can be overridden on the command line or with GUNICORN_CMD_ARGS; workers
default to KLASTER_WORKERS (else 2 × cores + 1, gunicorn's own advice).
"""

import multiprocessing
import os

preload_app = True
workers = int(os.environ.get("KLASTER_WORKERS", 2 * multiprocessing.cpu_count() + 1))
bind = os.environ.get("KLASTER_BIND", "127.0.0.1:8000")
# An analysis upload or a large export may take a while; the proxy's timeout is longer.
timeout = int(os.environ.get("KLASTER_WORKER_TIMEOUT", "60"))
accesslog = os.environ.get("KLASTER_ACCESS_LOG") or None


def post_fork(server, worker):
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()
    # The directory's first Polars queries, in the worker (Polars' thread pool must not
    # be started before the fork): part of a first request's cost (issue 14).
    if os.environ.get("KLASTER_WARM_UP", "1") != "0":
        from klaster.web.wsgi import warm_data

        warm_data()
    # The worker's own connection, opened before it accepts a request (persistent:
    # KLASTER_DB_CONN_MAX_AGE): connecting was part of every worker's first request.
    # A database that is down now is the first request's error, as before.
    try:
        connections["default"].ensure_connection()
    except Exception:  # noqa: BLE001 — retried by the first request
        connections["default"].close()
