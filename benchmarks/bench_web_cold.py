"""Cold and warm latency of the platform on PostgreSQL against a bare-Django floor, and
the first request of each gunicorn worker (issue 14).

Starts a PRIVATE PostgreSQL cluster (Debian's postgresql binaries, initdb in a temporary
directory, loopback only, removed at the end) unless ``--database-url`` names a dedicated
database (every registry row in it is deleted), fills it with synthetic organisations,
clusters and memberships (benchmarks/bench_web.py's ``populate``), and a signed-in
coordinator (10 clusters, 3 organisations) whose session cookie the clients send on the
workspace pages. Then, for each phase, gunicorn (``-c python:klaster.web.gunicorn_conf``,
``--workers``) on loopback driven by ``--clients`` threads with http.client:

* cold — public cache off (``KLASTER_PUBLIC_CACHE_SECONDS=0``): what every signed-in user
  and everyone just after a registry change gets;
* warm — cache on, every URL of the plan requested once before timing.

Every second request of the plan is the floor (``/healthz``: the whole middleware stack,
no database, no template), so floor and platform share the same moments of host load;
the report gives each endpoint's p95 and its ratio to the floor's p99, and ``uptime``.

First request: gunicorn started N times alternately with the packaged configuration
(``preload_app`` and the warm-up of klaster.web.wsgi) and without both; the first request
to each of the 2 workers against the median of the next ones.

    uv run python benchmarks/bench_web_cold.py                # 20,000 / 1,500 / 60,000
    uv run python benchmarks/bench_web_cold.py --orgs 2000 --clusters 150 \\
        --memberships 6000 --requests 600                     # a quick run
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_web import _environment, populate

PUBLIC = ("directory", "cluster page", "organisation page", "api clusters",
          "api organisations", "api memberships", "map")
SIGNED_IN = ("workspace", "workspace cluster")
ENDPOINTS = PUBLIC + SIGNED_IN
FLOOR = "floor"


def uptime() -> str:
    # UTC: django.setup() sets TZ to the platform's time zone in this process.
    return subprocess.run(["uptime"], check=False, capture_output=True, text=True,
                          env={**os.environ, "TZ": "UTC"}).stdout.strip()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivatePostgres:
    """initdb + pg_ctl of Debian's newest PostgreSQL in a temporary directory."""

    def __init__(self) -> None:
        versions = sorted(Path("/usr/lib/postgresql").iterdir(),
                          key=lambda p: int(p.name) if p.name.isdigit() else 0)
        if not versions:
            sys.exit("no /usr/lib/postgresql/*: install Debian's postgresql, or pass "
                     "--database-url")
        self.bin = versions[-1] / "bin"
        self.dir = Path(tempfile.mkdtemp(prefix="klaster-bench-pg-"))
        self.port = _free_port()
        # initdb refuses to run as root: then the cluster belongs to the postgres user.
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.prefix:
            shutil.chown(self.dir, "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> str:
        data = self.dir / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "klaster",
                  "-E", "UTF8", "--locale", "C.UTF-8")
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
                "-c fsync=off -c shared_buffers=128MB")
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-w", "-l",
                  str(self.dir / "log"), "-o", opts, "start")
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "klaster", "klaster_bench")
        return f"postgres://klaster@127.0.0.1:{self.port}/klaster_bench"

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast",
                      "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def _existing(args) -> list[int] | None:
    """The cluster ids of an earlier run's data when its counts are the ones asked for."""
    import django

    django.setup()
    from django.core.management import call_command

    from klaster.web.registry.models import Cluster, Membership, Organisation

    call_command("migrate", verbosity=0)
    if (Organisation.objects.count(), Cluster.objects.count(),
            Membership.objects.count()) != (args.orgs, args.clusters, args.memberships):
        return None
    return list(Cluster.objects.order_by("pk").values_list("pk", flat=True))


def signed_in_user(cluster_ids: list[int]) -> tuple[str, str, int]:
    """A coordinator of 10 clusters representing 3 organisations; (cookie name, session
    key, one of their cluster ids)."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from klaster.web.registry.models import Cluster, Organisation

    # Reused when the database holds one from an earlier run (--reuse).
    user = get_user_model().objects.filter(username="bench-coordinator").first() \
        or get_user_model().objects.create_user("bench-coordinator", password=None)
    mine = cluster_ids[:10]
    for cluster in Cluster.objects.filter(pk__in=mine):
        cluster.coordinators.add(user)
    for org in Organisation.objects.order_by("pk")[:3]:
        org.representatives.add(user)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return settings.SESSION_COOKIE_NAME, session.session_key, mine[0]


def _get(port: int, path: str, cookie: str | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def make_plan(n: int, seed: int, urls: dict) -> list[tuple[str, str, bool]]:
    """(kind, path, signed in) — every second request the floor."""
    rng = random.Random(seed)
    plan = []
    for i in range(n):
        if i % 2 == 0:
            plan.append((FLOOR, "/healthz", False))
            continue
        kind = ENDPOINTS[(i // 2) % len(ENDPOINTS)]
        plan.append((kind, urls[kind](rng), kind in SIGNED_IN))
    return plan


def drive(port: int, plan, clients: int, cookie: str) -> dict[str, list[float]]:
    lock = threading.Lock()
    times: dict[str, list[float]] = {}
    errors: list[str] = []

    def worker(items):
        for kind, path, signed in items:
            t0 = time.perf_counter()
            status = _get(port, path, cookie if signed else None)
            dt = time.perf_counter() - t0
            with lock:
                if status != 200:
                    errors.append(f"{path}: {status}")
                times.setdefault(kind, []).append(dt)

    threads = [threading.Thread(target=worker, args=(plan[i::clients],))
               for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"  {len(errors)} non-200 responses, e.g. {errors[:3]}")
    return times


def gunicorn(env: dict, port: int, workers: int, packaged: bool) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "klaster.web.wsgi", "-w", str(workers),
           "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    if packaged:
        cmd[3:3] = ["-c", "python:klaster.web.gunicorn_conf"]
    return subprocess.Popen(cmd, env={**os.environ, **env,
                                      "KLASTER_WARM_UP": "1" if packaged else "0"})


def wait_ready(port: int) -> None:
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("gunicorn did not start")


def q(values: list[float], p: int) -> float:
    ms = sorted(v * 1000 for v in values)
    return statistics.quantiles(ms, n=100, method="inclusive")[p - 1] if len(ms) > 1 \
        else ms[0]


def first_requests(env, workers: int, rounds: int, path: str) -> None:
    """Packaged config vs plain gunicorn, alternately: the first ``workers`` requests
    (sequential, on new connections; the sync workers take turns) against the median of
    the next 10."""
    print(f"\n== first request of each worker ({path}), {rounds} rounds, A B A B ...")
    res: dict[str, list[tuple[float, float]]] = {"preload + warm-up": [], "plain": []}
    for r in range(rounds):
        for label, packaged in (("preload + warm-up", True), ("plain", False)):
            port = _free_port()
            server = gunicorn(env, port, workers, packaged)
            try:
                wait_ready(port)
                # Every worker up (the master binds before the workers import the app).
                time.sleep(0.5)
                times = []
                for _ in range(workers + 10):
                    t0 = time.perf_counter()
                    _get(port, path)
                    times.append(time.perf_counter() - t0)
            finally:
                server.terminate()
                server.wait(timeout=60)
            res[label].append((max(times[:workers]), statistics.median(times[workers:])))
            print(f"  round {r + 1} {label:<18} first {max(times[:workers]) * 1000:7.1f} "
                  f"ms, later median {statistics.median(times[workers:]) * 1000:6.1f} ms"
                  f"  ({uptime()})")
    for label, pairs in res.items():
        print(f"  {label:<18} slowest first request median "
              f"{statistics.median(p[0] for p in pairs) * 1000:.1f} ms vs later "
              f"{statistics.median(p[1] for p in pairs) * 1000:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", help="a dedicated database (emptied); default: a "
                    "private PostgreSQL cluster in a temporary directory")
    ap.add_argument("--orgs", type=int, default=20_000)
    ap.add_argument("--clusters", type=int, default=1_500)
    ap.add_argument("--memberships", type=int, default=60_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--requests", type=int, default=3_000,
                    help="per phase, half of them the floor")
    ap.add_argument("--first-rounds", type=int, default=3)
    ap.add_argument("--service-rounds", type=int, default=5,
                    help="sequential requests per endpoint for the service times")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reuse", action="store_true",
                    help="with --database-url: keep the rows of an earlier run when the "
                    "counts match (filling 20,000 / 1,500 / 60,000 takes minutes)")
    args = ap.parse_args()

    pg = None
    url = args.database_url
    if url is None:
        pg = PrivatePostgres()
        url = pg.start()
    data_dir = tempfile.mkdtemp(prefix="klaster-bench-")
    try:
        env = {**_environment(data_dir), "DATABASE_URL": url}
        os.environ.update(env)
        print(f"database: {url.split('@')[-1]}; {uptime()}")
        t0 = time.perf_counter()
        cluster_ids = (_existing(args) if args.reuse and args.database_url else None) \
            or populate(args.orgs, args.clusters, args.memberships, args.seed)
        cookie_name, session_key, own_cluster = signed_in_user(cluster_ids)
        from klaster.web.registry.models import Organisation

        org_ids = list(Organisation.objects.values_list("pk", flat=True))
        print(f"populated {args.orgs} organisations, {args.clusters} clusters, "
              f"{args.memberships} memberships in {time.perf_counter() - t0:.1f} s")
        from django.db import connections
        from django.urls import reverse

        connections.close_all()
        directory = reverse("portal:directory")
        pages = {k: max(1, min(5, -(-n // 50))) for k, n in (
            ("clusters", args.clusters), ("orgs", args.orgs),
            ("members", args.memberships))}
        urls = {
            "directory": lambda r: f"{directory}?page={r.randint(1, pages['clusters'])}",
            "cluster page": lambda r: f"/clusters/{r.choice(cluster_ids)}/",
            "organisation page": lambda r: f"/organisations/{r.choice(org_ids)}/",
            "api clusters": lambda r: f"/api/clusters/?page={r.randint(1, pages['clusters'])}",
            "api organisations":
                lambda r: f"/api/organisations/?page={r.randint(1, pages['orgs'])}",
            "api memberships":
                lambda r: f"/api/memberships/?page={r.randint(1, pages['members'])}",
            "map": lambda r: "/map/",
            "workspace": lambda r: "/workspace/",
            "workspace cluster": lambda r: f"/workspace/clusters/{own_cluster}/",
        }
        cookie = f"{cookie_name}={session_key}"
        first_requests(env, args.workers, args.first_rounds, directory)
        for phase in ("cold", "warm"):
            phase_env = {**env, "KLASTER_CACHE_DIR": tempfile.mkdtemp(dir=data_dir),
                         "KLASTER_PUBLIC_CACHE_SECONDS": "0" if phase == "cold" else "600"}
            port = _free_port()
            server = gunicorn(phase_env, port, args.workers, True)
            try:
                wait_ready(port)
                plan = make_plan(args.requests, args.seed, urls)
                # Each worker connects to the database once before timing.
                drive(port, make_plan(4 * args.workers, args.seed + 9, urls), 2, cookie)
                if phase == "warm":
                    drive(port, list(dict.fromkeys(plan)), 1, cookie)
                # Service time: one client, each endpoint and the floor alternately
                # (what a request costs the server; under host load the 32-client
                # latencies below are mostly queueing).
                service = drive(port, make_plan(2 * len(ENDPOINTS) * args.service_rounds,
                                                args.seed + 5, urls), 1, cookie)
                before = uptime()
                t0 = time.perf_counter()
                times = drive(port, plan, args.clients, cookie)
                wall = time.perf_counter() - t0
                after = uptime()
            finally:
                server.terminate()
                server.wait(timeout=60)
            floor_median = statistics.median(service[FLOOR]) * 1000
            print(f"\n== {phase}: service time, one client, {args.service_rounds} rounds "
                  f"(median ms; ratio to the floor's median {floor_median:.1f} ms)")
            print("  " + ", ".join(
                f"{kind} {statistics.median(service[kind]) * 1000:.1f} "
                f"({statistics.median(service[kind]) * 1000 / floor_median:.0f}x)"
                for kind in ENDPOINTS if service.get(kind)))
            floor99 = q(times[FLOOR], 99)
            print(f"\n== {phase} ({'public cache off' if phase == 'cold' else 'cache on, filled'})"
                  f": gunicorn {args.workers} workers, {args.clients} clients, "
                  f"{args.requests} requests in {wall:.1f} s")
            print(f"  before: {before}\n  after:  {after}")
            print(f"  {'endpoint':<20}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
                  f"{'p95/floor p99':>15}  goal")
            for kind in (FLOOR, *ENDPOINTS):
                t = times.get(kind, [])
                if not t:
                    continue
                p95 = q(t, 95)
                goal = ("" if kind == FLOOR else
                        f"p95 < {200 if kind in SIGNED_IN else 150} ms: "
                        f"{'yes' if p95 < (200 if kind in SIGNED_IN else 150) else 'NO'}"
                        if phase == "cold" else
                        f"p95 <= 3 x floor p99: {'yes' if p95 <= 3 * floor99 else 'NO'}")
                print(f"  {kind:<20}{len(t):>5}{q(t, 50):>9.1f}{p95:>9.1f}{q(t, 99):>9.1f}"
                      f"{p95 / floor99:>15.2f}  {goal}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    main()
