"""Page weight and load time of every public page and the demo coordinator's workspace
pages (issue 13: no page over 1.5 MB transferred on a first load, 300 KB on a later one;
every public page under 1 s with a warm server).

    uv run python benchmarks/page_weight.py [--rounds 3] [--first-limit 1500000]
        [--later-limit 300000] [--compare CHECKOUT] [--compare-env NAME=VALUE ...]

Starts ``klaster serve --demo`` (what a user runs: DEBUG, the prepared static files served
by WhiteNoise) with a new KLASTER_DATA_DIR, on a free port the operating system picks,
waits until its analysis worker is idle (the demo analyses the server queued would
otherwise share the cores with the pages measured), and requests every page twice so the
server is warm. Then, in headless Chromium (Playwright, /usr/bin/chromium), each page is
opened in a new browser context with an empty cache (first load) and opened again in the
same context (later load), ``--rounds`` times. Per load it prints the median over the
rounds of:

* bytes transferred: the Resource Timing ``transferSize`` of the navigation and of every
  resource the page fetched (compressed body + headers; 0 for a file from the cache; an
  iframe loaded on demand is not fetched and not counted);
* load time: the navigation entry's ``loadEventEnd`` (from the start of navigation);
* charts: on a page that draws with plotly.js, which is fetched after the load event
  (klaster/plotly-loader.js), the time of the performance mark ``klaster-charts`` (set
  when the page's charts have been drawn; the KPI dashboard draws those below the fold
  when scrolled to), waited for before the next load; "-" on other pages.

``--compare CHECKOUT`` starts a second server from another checkout (its own
``.venv/bin/klaster``, e.g. ``git archive <commit> | tar -x -C DIR && uv sync --project
DIR``) and measures both, interleaved (A B, then B A, … per page and round), printing B's
figures and the ratio B/A beside A's; ``--compare-env KLASTER_NODE_MODULES=`` runs the
second server from this checkout with that environment instead (e.g. without npm's
plotly.js partial bundle). The limits are checked on A.

Workspace pages are opened signed in as ``demo-coordinator`` (signed in through the login
form, then the browser cache cleared through the DevTools protocol for the first load).
Exits 1 when a page exceeds a limit. Prints ``uptime`` before, between rounds and after:
timings depend on the machine's load.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "page-weight-benchmark-password"
COORDINATOR = "demo-coordinator"

MEASURE_JS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const res = performance.getEntriesByType("resource");
  let bytes = nav.transferSize, n = 0;
  for (const r of res) { bytes += r.transferSize; if (r.transferSize > 0) n += 1; }
  const charts = performance.getEntriesByName("klaster-charts");
  return {bytes: bytes, fetched: n, resources: res.length,
          load: nav.loadEventEnd, html: nav.transferSize,
          charts: charts.length ? charts[0].startTime : null};
}"""
# a page that loads plotly.js after its load event (klaster/plotly-loader.js): wait until
# its charts are drawn (the mark) so that they count and do not overlap the next load
CHARTS_DRAWN_JS = """() => !document.querySelector("script[data-plotly]")
  || performance.getEntriesByName("klaster-charts").length > 0"""


def free_port() -> int:
    """A port the operating system has just handed out (bound to port 0, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def fetch(url: str, timeout: float = 60) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode("utf-8", "replace")


def start_server(data_dir: Path, exe: str | None = None,
                 extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    exe = exe or shutil.which("klaster") or str(Path(sys.executable).with_name("klaster"))
    env = dict(os.environ, KLASTER_DATA_DIR=str(data_dir), KLASTER_DEMO_PASSWORD=PASSWORD)
    env.update(extra_env or {})
    env.pop("DATABASE_URL", None)
    # The server's log goes to a file (runserver logs every request: a pipe nobody reads
    # would fill up and stop the server).
    log = open(data_dir / "serve.log", "w")  # noqa: SIM115 - open while the server runs
    proc = subprocess.Popen([exe, "serve", "--demo", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 600:
        if proc.poll() is not None:
            sys.exit(f"klaster serve exited with code {proc.returncode}:\n"
                     f"{(data_dir / 'serve.log').read_text()[-3000:]}")
        try:
            fetch(base + "/", timeout=30)
            print(f"server ready after {time.perf_counter() - t0:.1f} s at {base} ({exe})",
                  flush=True)
            return proc, base
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    sys.exit("klaster serve did not answer within 600 s")


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for child in Path(f"/proc/{parent}/task/{parent}/children").read_text().split():
            out.append(int(child))
            todo.append(int(child))
    return out


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def wait_for_analyses(proc: subprocess.Popen, label: str, timeout: float = 1200) -> None:
    """Wait until the server's analysis worker (a child process running the demo
    analyses it queued) is idle: less than 0.1 s of CPU in 10 s. It would otherwise share
    the cores with the pages measured. (Queued analyses are not public, so the pages do
    not tell.)"""
    t0 = time.perf_counter()
    workers = []
    while not workers and time.perf_counter() - t0 < 60:
        workers = [p for p in _descendants(proc.pid)
                   if b"analysis_worker" in Path(f"/proc/{p}/cmdline").read_bytes()]
        time.sleep(0.5)
    if not workers:
        print(f"{label}: no analysis worker found; measuring anyway", flush=True)
        return
    before = sum(_cpu_seconds(p) for p in workers)
    while time.perf_counter() - t0 < timeout:
        time.sleep(10)
        now = sum(_cpu_seconds(p) for p in workers)
        if now - before < 0.1:
            print(f"{label}: analysis worker idle after {time.perf_counter() - t0:.0f} s "
                  f"({now:.0f} s of CPU)", flush=True)
            return
        before = now
    print(f"{label}: analysis worker still busy after {timeout:.0f} s; measuring anyway",
          flush=True)


def first_link(html: str, pattern: str) -> str | None:
    match = re.search(r'href="(' + pattern + r')"', html)
    return match.group(1) if match else None


def public_pages(base: str) -> list[str]:
    """The public pages, with the ids of demo records read from the pages' own links."""
    pages = ["/", "/clusters/", "/map/", "/matchmaking/networks/", "/matchmaking/events/",
             "/analysis/", "/assessment/", "/privacy/", "/accounts/login/", "/api/"]
    directory = fetch(base + "/clusters/")
    cluster = first_link(directory, r"/clusters/\d+/")
    if cluster:
        pages.append(cluster)
        page = fetch(base + cluster)
        org = first_link(page, r"/organisations/\d+/")
        if org:
            pages.append(org)
        pk = cluster.strip("/").split("/")[-1]
        pages += [f"/matchmaking/networks/clusters/{pk}/", f"/assessment/clusters/{pk}/dashboard/"]
    dataset = first_link(fetch(base + "/analysis/"), r"/analysis/\d+/")
    if dataset:
        pages.append(dataset)
    event = first_link(fetch(base + "/matchmaking/events/"), r"/matchmaking/events/\d+/")
    if event:
        pages.append(event)
    return pages


def sign_in(page, base: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", COORDINATOR)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("load")
    if "/accounts/login/" in page.url:
        sys.exit("signing in as the demo coordinator failed")


def workspace_pages(page, base: str) -> list[str]:
    page.goto(base + "/workspace/")
    html = page.content()
    pages = ["/workspace/", "/matchmaking/requests/", "/privacy/my-data/"]
    edit = first_link(html, r"/workspace/clusters/\d+/")
    if edit:
        pages += [edit, edit + "history/"]
    return pages


@dataclass
class Load:
    bytes: int
    fetched: int
    load_ms: float
    charts_ms: float | None = None


def measure(page, url: str) -> Load:
    response = page.goto(url, wait_until="load")
    if response is None or response.status >= 400:
        raise RuntimeError(f"{url}: HTTP {response.status if response else '?'}")
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=60_000)
    m = page.evaluate(MEASURE_JS)
    return Load(int(m["bytes"]), int(m["fetched"]), float(m["load"]), m["charts"])


def median_load(loads: list[Load]) -> Load:
    charts = [x.charts_ms for x in loads if x.charts_ms is not None]
    return Load(int(statistics.median(x.bytes for x in loads)),
                int(statistics.median(x.fetched for x in loads)),
                statistics.median(x.load_ms for x in loads),
                statistics.median(charts) if charts else None)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


@dataclass
class Server:
    label: str
    base: str
    public: list[str] = field(default_factory=list)
    private: list[str] = field(default_factory=list)
    # (who, url) -> ([first loads], [later loads])
    loads: dict = field(default_factory=dict)

    def record(self, who: str, url: str, first: Load, later: Load) -> None:
        firsts, laters = self.loads.setdefault((who, url), ([], []))
        firsts.append(first)
        laters.append(later)

    def result(self, who: str, url: str) -> tuple[Load, Load]:
        firsts, laters = self.loads[(who, url)]
        return median_load(firsts), median_load(laters)


def run(servers: list[Server], rounds: int, first_limit: int, later_limit: int) -> int:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        for s in servers:
            s.public = public_pages(s.base)
            for url in s.public * 2:  # warm the server: imports, templates, caches
                fetch(s.base + url)
        if any(s.public != servers[0].public for s in servers):
            sys.exit(f"the servers' pages differ: {[s.public for s in servers]}")
        signed_in = {}
        for s in servers:
            context = browser.new_context(locale="en-GB")
            page = context.new_page()
            sign_in(page, s.base)
            s.private = workspace_pages(page, s.base)
            for url in s.private:
                page.goto(s.base + url)  # warm
            signed_in[s.label] = (context, page, context.new_cdp_session(page))
        private = servers[0].private
        for r in range(rounds):
            print(f"round {r + 1}/{rounds}: {uptime()}", flush=True)
            for i, url in enumerate(servers[0].public):
                order = servers if (r + i) % 2 == 0 else servers[::-1]  # A B, then B A
                for s in order:
                    context = browser.new_context(locale="en-GB")
                    page = context.new_page()
                    first = measure(page, s.base + url)
                    later = measure(page, s.base + url)
                    s.record("public", url, first, later)
                    context.close()
            for i, url in enumerate(private):
                order = servers if (r + i) % 2 == 0 else servers[::-1]
                for s in order:
                    _context, page, cdp = signed_in[s.label]
                    cdp.send("Network.clearBrowserCache")
                    first = measure(page, s.base + url)
                    later = measure(page, s.base + url)
                    s.record("coordinator", url, first, later)
        for context, _page, _cdp in signed_in.values():
            context.close()
        browser.close()
    return report(servers, rounds, first_limit, later_limit)


def report(servers: list[Server], rounds: int, first_limit: int, later_limit: int) -> int:
    a = servers[0]
    b = servers[1] if len(servers) > 1 else None
    head = (f"{'who':<12} {'page':<42} {'first KB':>9} {'files':>5} {'first ms':>8} "
            f"{'charts':>6} {'later KB':>9} {'files':>5} {'later ms':>8}")
    if b:
        head += (f" | {b.label + ' first KB':>14} {'first ms':>8} {'charts':>6} {'later ms':>8}"
                 f" {'B/A first':>9} {'B/A later':>9}")
    print(f"median of {rounds} round(s); A = {a.label}" + (f", B = {b.label}" if b else ""))
    print(head)
    failures, slow = 0, []
    for who, url in a.loads:
        first, later = a.result(who, url)
        over = []
        if first.bytes > first_limit:
            over.append(f"first > {first_limit / 1e3:.0f} KB")
        if later.bytes > later_limit:
            over.append(f"later > {later_limit / 1e3:.0f} KB")
        failures += bool(over)
        if who == "public" and first.load_ms >= 1000:
            slow.append(url)
        line = (f"{who:<12} {url:<42} {first.bytes / 1e3:9.1f} {first.fetched:5d} "
                f"{first.load_ms:8.0f} {_ms(first.charts_ms):>6} {later.bytes / 1e3:9.1f} "
                f"{later.fetched:5d} {later.load_ms:8.0f}")
        if b:
            bf, bl = b.result(who, url)
            line += (f" | {bf.bytes / 1e3:14.1f} {bf.load_ms:8.0f} {_ms(bf.charts_ms):>6}"
                     f" {bl.load_ms:8.0f}"
                     f" {bf.load_ms / first.load_ms:9.2f} {bl.load_ms / later.load_ms:9.2f}")
        print(line + (f"  OVER: {', '.join(over)}" if over else ""))
    rows = [(k, *a.result(*k)) for k in a.loads]
    heaviest = max(rows, key=lambda r: r[1].bytes)
    slowest = max((r for r in rows if r[0][0] == "public"), key=lambda r: r[1].load_ms)
    print(f"{len(rows)} pages; heaviest first load {heaviest[0][1]} {heaviest[1].bytes / 1e3:.0f}"
          f" KB; slowest public first load {slowest[0][1]} {slowest[1].load_ms:.0f} ms; "
          f"{failures} over a weight limit; public pages at or over 1 s on a first load: "
          f"{len(slow)}{' (' + ', '.join(slow) + ')' if slow else ''}")
    return 1 if failures else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--first-limit", type=int, default=1_500_000, help="bytes")
    ap.add_argument("--later-limit", type=int, default=300_000, help="bytes")
    ap.add_argument("--rounds", type=int, default=1, help="measurements per page (median)")
    ap.add_argument("--compare", metavar="CHECKOUT",
                    help="a second server from this checkout's .venv/bin/klaster")
    ap.add_argument("--compare-env", metavar="NAME=VALUE", action="append", default=[],
                    help="environment of the second server (this checkout's code)")
    a = ap.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is absent (apt-get install chromium)")
    second = None
    if a.compare:
        exe = Path(a.compare).resolve() / ".venv" / "bin" / "klaster"
        if not exe.exists():
            sys.exit(f"{exe} is absent (uv sync --project {a.compare})")
        second = (f"B={a.compare}", str(exe), {})
    elif a.compare_env:
        env = dict(kv.split("=", 1) for kv in a.compare_env)
        second = ("B=" + " ".join(a.compare_env), None, env)
    print(f"before: {uptime()}", flush=True)
    procs = []
    with tempfile.TemporaryDirectory(prefix="klaster-page-weight-") as tmp:
        try:
            servers = []
            for label, exe, env in [("A", None, {}), *([second] if second else [])]:
                data = Path(tmp) / label.split("=")[0]
                data.mkdir()
                proc, base = start_server(data, exe, env)
                procs.append(proc)
                servers.append(Server(label, base))
            for s, proc in zip(servers, procs, strict=True):
                wait_for_analyses(proc, s.label)
            print(f"measuring: {uptime()}", flush=True)
            code = run(servers, a.rounds, a.first_limit, a.later_limit)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=60)
    print(f"after: {uptime()}")
    sys.exit(code)


if __name__ == "__main__":
    main()
