"""Latency of the registry platform under load: directory, cluster page, API lists.

Fills a DEDICATED database (all registry rows in it are deleted first; pass --yes) with
synthetic organisations, clusters and memberships, starts gunicorn with N workers on
loopback, and drives it with C concurrent clients (threads, each sending its requests one
after another with the standard library's http.client: httpx cost 1.7 ms of CPU per
request on the 2-core development host, which alone capped the load at ~260 requests/s on
the cores it shares with the server; http.client costs ~0.2 ms). The same request plan is measured twice, each with a fresh gunicorn:

* cold — the shared public cache off (``KLASTER_PUBLIC_CACHE_SECONDS=0``): every request
  runs its queries and renders its page (the worst case, and what signed-in users get);
* warm — the cache on, after one client has requested every distinct URL of the plan
  once (so every timed anonymous request is a hit; the fill is not timed).

For each: single-client service time (median of 20 requests per endpoint), p50/p95/p99
per endpoint under C clients, requests per second, the load average of the host before
the run, and whether p95 is under the target. No assertion: the figures depend on the
machine (cores shared with the load generator and with PostgreSQL on one host).

    DATABASE_URL=postgres://klaster:klaster@127.0.0.1:5432/klaster_bench \\
        uv run python benchmarks/bench_web.py --yes
    uv run python benchmarks/bench_web.py --yes --orgs 2000 --clusters 150 \\
        --memberships 6000 --requests 400     # a quick run

The database must exist (the script runs migrations in it). gunicorn is a dev dependency.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date

ENDPOINTS = ("directory", "cluster page", "api clusters", "api organisations",
             "api memberships")


def _environment(data_dir: str) -> dict[str, str]:
    return {
        "KLASTER_CACHE_DIR": os.path.join(data_dir, "cache"),
        "DJANGO_SETTINGS_MODULE": "klaster.web.settings",
        "KLASTER_DEBUG": "0",
        "KLASTER_SECRET_KEY": "bench-" + "s" * 60,
        "KLASTER_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "KLASTER_SECURE_SSL_REDIRECT": "0",
        "KLASTER_SECURE_COOKIES": "0",
        "KLASTER_DATA_DIR": data_dir,
    }


def populate(n_orgs: int, n_clusters: int, n_members: int, seed: int) -> list[int]:
    """Replace every registry row with synthetic data; return the cluster ids."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection, transaction

    from klaster.web.registry.models import Cluster, Membership, Organisation

    rng = random.Random(seed)
    helices = ["business", "research", "public", "support", "civil", "finance"]
    with transaction.atomic():
        for model in ("membership", "activity_participants", "activity", "project_partners",
                      "project", "coordinatorprofile", "document", "joinrequest",
                      "partnerrequest", "cluster_coordinators", "cluster",
                      "organisation_representatives", "organisationfigures", "organisation"):
            with connection.cursor() as cur:
                cur.execute(f"DELETE FROM registry_{model}")
        orgs = Organisation.objects.bulk_create(
            [Organisation(name_en=f"Organisation {i}", id_scheme="OTHER", id_value=f"B{i}",
                          helix=rng.choice(helices), region=f"R{i % 16:02d}",
                          latitude=49 + rng.random() * 6, longitude=14 + rng.random() * 10,
                          approved=True)
             for i in range(n_orgs)], batch_size=2000)
        clusters = Cluster.objects.bulk_create(
            [Cluster(name_en=f"Cluster {i}", status=rng.choice(["forming", "operating"]),
                     region=f"R{i % 16:02d}", sector=rng.choice(["ICT", "Metal", "Food"]),
                     published=True, coordinator_organisation=orgs[i % n_orgs])
             for i in range(n_clusters)], batch_size=2000)
        pairs = set()
        while len(pairs) < n_members:
            pairs.add((rng.randrange(n_orgs), rng.randrange(n_clusters)))
        Membership.objects.bulk_create(
            [Membership(organisation=orgs[o], cluster=clusters[c], joined=date(2020, 1, 1))
             for o, c in pairs], batch_size=5000)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE")
    return [c.pk for c in clusters]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str) -> int:
    """One GET on a new connection (gunicorn's sync workers close it after the response);
    the whole body is read. Returns the status code."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _load(port: int, cluster_ids: list[int], clients: int, requests: int,
          seed: int, pages: dict[str, int], distinct: bool = False) -> dict[str, list[float]]:
    rng = random.Random(seed)
    plan = []
    for i in range(requests):
        kind = ENDPOINTS[i % len(ENDPOINTS)]
        # Random pages among the first five that exist (50 rows a page).
        path = {"directory": f"/clusters/?page={rng.randint(1, pages['clusters'])}",
                "cluster page": f"/clusters/{rng.choice(cluster_ids)}/",
                "api clusters": f"/api/clusters/?page={rng.randint(1, pages['clusters'])}",
                "api organisations":
                    f"/api/organisations/?page={rng.randint(1, pages['orgs'])}",
                "api memberships":
                    f"/api/memberships/?page={rng.randint(1, pages['members'])}"}[kind]
        plan.append((kind, path))
    if distinct:
        plan = list(dict.fromkeys(plan))
    lock = threading.Lock()
    times: dict[str, list[float]] = {k: [] for k in ENDPOINTS}
    errors: list[str] = []

    def worker(items):
        for kind, path in items:
            t0 = time.perf_counter()
            status = _get(port, path)
            dt = time.perf_counter() - t0
            with lock:
                if status != 200:
                    errors.append(f"{path}: {status}")
                times[kind].append(dt)

    threads = [threading.Thread(target=worker, args=(plan[i::clients],)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"{len(errors)} non-200 responses, e.g. {errors[:3]}")
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orgs", type=int, default=20_000)
    ap.add_argument("--clusters", type=int, default=1_500)
    ap.add_argument("--memberships", type=int, default=60_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--requests", type=int, default=2_000)
    ap.add_argument("--target-ms", type=float, default=150.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--yes", action="store_true",
                    help="confirm that every registry row in DATABASE_URL may be deleted")
    args = ap.parse_args()
    if not args.yes:
        sys.exit("refusing to run without --yes: the registry tables of DATABASE_URL "
                 "are emptied and refilled")
    data_dir = tempfile.mkdtemp(prefix="klaster-bench-")
    env = _environment(data_dir)
    os.environ.update(env)
    db = os.environ.get("DATABASE_URL", "(SQLite in a temporary directory)")
    print(f"database: {db.split('@')[-1]}")
    t0 = time.perf_counter()
    cluster_ids = populate(args.orgs, args.clusters, args.memberships, args.seed)
    print(f"populated {args.orgs} organisations, {args.clusters} clusters, "
          f"{args.memberships} memberships in {time.perf_counter() - t0:.1f} s")
    pages = {k: max(1, min(5, -(-n // 50))) for k, n in (
        ("clusters", args.clusters), ("orgs", args.orgs), ("members", args.memberships))}
    print(f"server: gunicorn {args.workers} sync workers on 127.0.0.1, KLASTER_DEBUG=0, "
          f"persistent DB connections; load: {args.clients} client threads (http.client) "
          f"in this process, {args.requests} requests, {os.cpu_count()} CPUs on the host")
    met = {}
    for phase in ("cold", "warm"):
        cache_dir = tempfile.mkdtemp(prefix=f"klaster-bench-cache-{phase}-")
        phase_env = {**env, "KLASTER_CACHE_DIR": cache_dir,
                     "KLASTER_PUBLIC_CACHE_SECONDS": "0" if phase == "cold" else "600"}
        met[phase] = _phase(phase, phase_env, args, cluster_ids, pages)
    print("target p95 < {:.0f} ms on every endpoint: cold {}, warm {}".format(
        args.target_ms, *("met" if met[p] else "NOT met" for p in ("cold", "warm"))))


def _phase(phase, env, args, cluster_ids, pages) -> bool:
    """One gunicorn run: warm-up, single-client service time, the loaded run; report."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "klaster.web.wsgi", "-w", str(args.workers),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning"], env={**os.environ, **env})
    try:
        for _ in range(100):
            try:
                _get(port, "/")
                break
            except OSError:
                time.sleep(0.2)
        # Every worker imports, connects and loads its templates before timing.
        _load(port, cluster_ids, args.clients, len(ENDPOINTS) * 4, args.seed, pages)
        if phase == "warm":
            # Fill the cache: every distinct URL of both timed plans, once, one client.
            _load(port, cluster_ids, 1, args.requests, args.seed + 1, pages, distinct=True)
            _load(port, cluster_ids, 1, len(ENDPOINTS) * 20, args.seed + 2, pages,
                  distinct=True)
        single = _load(port, cluster_ids, 1, len(ENDPOINTS) * 20, args.seed + 2, pages)
        load = os.getloadavg()[0]
        t0, cpu0 = time.perf_counter(), time.process_time()
        times = _load(port, cluster_ids, args.clients, args.requests, args.seed + 1, pages)
        wall, client_cpu = time.perf_counter() - t0, time.process_time() - cpu0
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\n== {phase}: " + ("cache off, every request computed" if phase == "cold" else
                               "cache on, every URL of the plan requested once before"))
    print("one client at a time (service time), median ms: " + ", ".join(
        f"{k} {statistics.median(single[k]) * 1000:.1f}" for k in ENDPOINTS))
    print(f"gunicorn {args.workers} workers, {args.clients} concurrent clients, "
          f"{args.requests} requests in {wall:.1f} s ({args.requests / wall:.0f} req/s); "
          f"load generator CPU {client_cpu / args.requests * 1000:.2f} ms/request; "
          f"host load average before the run {load:.2f}")
    print(f"{'endpoint':<20}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  p95 < "
          f"{args.target_ms:.0f} ms")
    ok = True
    for kind in ENDPOINTS:
        ms = sorted(t * 1000 for t in times[kind])
        q = statistics.quantiles(ms, n=100, method="inclusive")
        ok &= q[94] < args.target_ms
        print(f"{kind:<20}{len(ms):>6}{q[49]:>9.1f}{q[94]:>9.1f}{q[98]:>9.1f}  "
              f"{'yes' if q[94] < args.target_ms else 'NO'}")
    return ok


if __name__ == "__main__":
    main()
