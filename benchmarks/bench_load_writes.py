"""No lost request, no lost write: mixed reads and writes under load while analyses are
being stored.

Starts gunicorn (sync workers, default 2) on loopback and an analysis worker process on
the same database, then runs C client threads (default 64) for S seconds (default 60):
each client loops over a mix of reads (directory, cluster page, API lists) and writes
(``POST /api/documents/`` with a unique title, token-authenticated as the cluster's
coordinator). Meanwhile a new demo analysis (County Business Patterns 2021, 50 states x
67 clusters: ~3,100 result rows and the opportunities) is queued every few seconds, so the
worker keeps storing results in write transactions while the clients write.

Printed at the end — the issue's acceptance figures:

* responses by class (2xx, 4xx, 5xx) and connection errors;
* acknowledged writes (201) and how many of them are in the database afterwards;
* duplicated writes (a title stored more than once);
* analyses stored during the run; the host's load average (uptime) before and after.

    uv run python benchmarks/bench_load_writes.py --yes                  # SQLite
    DATABASE_URL=postgres://klaster:klaster@127.0.0.1:5432/klaster_bench \\
        uv run python benchmarks/bench_load_writes.py --yes               # PostgreSQL

SQLite: a fresh database in a temporary KLASTER_DATA_DIR. PostgreSQL: the database must
exist; its registry documents and analysis datasets made by earlier runs are kept (each
run's titles carry a run id). --yes confirms writing into DATABASE_URL. gunicorn is a dev
dependency.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid


def _environment(data_dir: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "klaster.web.settings",
        "KLASTER_DEBUG": "0",
        "KLASTER_SECRET_KEY": "bench-" + "s" * 60,
        "KLASTER_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "KLASTER_SECURE_SSL_REDIRECT": "0",
        "KLASTER_SECURE_COOKIES": "0",
        "KLASTER_DATA_DIR": data_dir,
        "KLASTER_CACHE_DIR": os.path.join(data_dir, "cache"),
        # Anonymous pages are computed, not served from the shared cache: the worst case.
        "KLASTER_PUBLIC_CACHE_SECONDS": "0",
    }


def setup_data() -> tuple[int, str]:
    """Migrate; a published cluster with a coordinator and an API token -> (cluster, token)."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from klaster.web.registry.models import Cluster

    user, _ = get_user_model().objects.get_or_create(username="bench-coordinator")
    user.groups.add(Group.objects.get(name="Cluster coordinators"))
    cluster, _ = Cluster.objects.get_or_create(
        name_en="Bench cluster", defaults={"status": "operating", "published": True,
                                           "region": "Podlaskie", "sector": "Metal"})
    cluster.coordinators.add(user)
    token, _ = Token.objects.get_or_create(user=user)
    return cluster.pk, token.key


def queue_demo_analysis() -> int:
    from klaster.web.analysis.management.commands.load_analysis_demo import create_demo

    return create_demo().pk


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, method: str, path: str, body: dict | None = None,
             token: str | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Token {token}"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--write-share", type=float, default=0.3)
    ap.add_argument("--analysis-every", type=float, default=8.0,
                    help="seconds between queued demo analyses")
    ap.add_argument("--timeout", type=int, default=30,
                    help="gunicorn worker timeout, seconds (gunicorn's default: 30); a "
                         "request over it is aborted (counted as a 5xx)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--yes", action="store_true", help="confirm writing into DATABASE_URL")
    args = ap.parse_args()
    if not args.yes:
        sys.exit("refusing to run without --yes: documents and analyses are written into "
                 "the database")
    data_dir = tempfile.mkdtemp(prefix="klaster-bench-writes-")
    env = _environment(data_dir)
    os.environ.update(env)
    db = os.environ.get("DATABASE_URL", "")
    engine = "PostgreSQL" if db.startswith("postgres") else "SQLite"
    print(f"database: {engine} {db.split('@')[-1] if db else data_dir}")
    cluster, token = setup_data()
    from django.db import connections
    connections.close_all()
    run_id = uuid.uuid4().hex[:8]

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "klaster.web.wsgi", "-w", str(args.workers),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "--timeout", str(args.timeout)], env={**os.environ, **env})
    worker = subprocess.Popen([sys.executable, "-m", "klaster.web", "analysis_worker",
                               "--interval", "0.5"], env={**os.environ, **env})
    reads = ["/", "/clusters/", f"/clusters/{cluster}/", "/api/clusters/", "/api/organisations/",
             f"/api/documents/?cluster={cluster}"]
    statuses: collections.Counter = collections.Counter()
    acknowledged: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    queued: list[int] = []
    try:
        for _ in range(150):
            try:
                _request(port, "GET", "/api/clusters/")
                break
            except OSError:
                time.sleep(0.2)
        # Warm-up (not counted): every worker imports, connects and loads its templates.
        warm = [threading.Thread(target=lambda: [_request(port, "GET", p) for p in reads])
                for _ in range(2 * args.workers)]
        for t in warm:
            t.start()
        for t in warm:
            t.join()
        load_before = os.getloadavg()
        deadline = time.monotonic() + args.seconds

        def client(i: int) -> None:
            rng = random.Random(args.seed * 1000 + i)
            n = 0
            while time.monotonic() < deadline:
                try:
                    if rng.random() < args.write_share:
                        n += 1
                        title = f"bench-{run_id}-{i}-{n}"
                        status = _request(port, "POST", "/api/documents/", {
                            "cluster": cluster, "title": title,
                            "url": f"https://example.org/{title}"}, token)
                        with lock:
                            statuses[status // 100 * 100] += 1
                            if status == 201:
                                acknowledged.append(title)
                            elif status >= 500:
                                failures.append(f"POST {status}")
                    else:
                        path = rng.choice(reads)
                        status = _request(port, "GET", path)
                        with lock:
                            statuses[status // 100 * 100] += 1
                            if status >= 500:
                                failures.append(f"GET {path} {status}")
                except OSError as exc:
                    with lock:
                        statuses["connection error"] += 1
                        failures.append(f"{type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        while time.monotonic() < deadline:
            queued.append(queue_demo_analysis())
            time.sleep(min(args.analysis_every, max(0.0, deadline - time.monotonic())))
        for t in threads:
            t.join()
        wall = time.monotonic() - t0
        load_after = os.getloadavg()
        # Let the worker finish the analysis it is storing (not timed).
        from klaster.web.analysis.models import Dataset
        for _ in range(240):
            if not Dataset.objects.filter(pk__in=queued, status="running").exists():
                break
            time.sleep(0.5)
    finally:
        server.terminate()
        worker.terminate()
        server.wait(timeout=30)
        worker.wait(timeout=30)

    from django.db.models import Count

    from klaster.web.analysis.models import Dataset
    from klaster.web.registry.models import Document

    stored = dict(Document.objects.filter(title__startswith=f"bench-{run_id}-")
                  .values("title").annotate(n=Count("id")).values_list("title", "n"))
    found = sum(1 for t in acknowledged if t in stored)
    duplicates = sum(n - 1 for n in stored.values() if n > 1)
    done = Dataset.objects.filter(pk__in=queued, status="done").count()
    failed = Dataset.objects.filter(pk__in=queued, status="failed").count()
    waiting = Dataset.objects.filter(pk__in=queued, status__in=["queued", "running"]).count()
    total = sum(v for k, v in statuses.items() if k != "connection error")
    print(f"gunicorn {args.workers} sync workers (timeout {args.timeout} s) + 1 analysis "
          "worker process on 127.0.0.1; "
          f"{args.clients} clients for {wall:.0f} s, {args.write_share:.0%} writes; "
          f"{os.cpu_count()} CPUs")
    print(f"requests: {total:,} ({total / wall:.0f}/s): 2xx {statuses[200]:,}, "
          f"4xx {statuses[400]:,}, 5xx {statuses[500]:,}; connection errors "
          f"{statuses['connection error']:,}")
    print(f"writes acknowledged (201): {len(acknowledged):,}; found in the database: "
          f"{found:,}; missing: {len(acknowledged) - found:,}; duplicated: {duplicates:,}; "
          f"stored without acknowledgement: {len(stored) - found:,}")
    print(f"analyses queued during the run: {len(queued)}, stored (done): {done}, "
          f"failed: {failed}, not yet run when the clients stopped: {waiting}")
    print("load average (1/5/15 min) before: {:.2f} {:.2f} {:.2f}; after: "
          "{:.2f} {:.2f} {:.2f}".format(*load_before, *load_after))
    if failures:
        print(f"first failures: {failures[:5]}")
    ok = (statuses[500] == 0 and statuses["connection error"] == 0
          and found == len(acknowledged) and duplicates == 0)
    print("RESULT: " + ("no 5xx, every acknowledged write stored once" if ok else "FAILED"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
