"""Page weight and load time of every public page and the demo coordinator's workspace
pages (issue 13: no page over 1.5 MB transferred on a first load, 300 KB on a later one).

    uv run python benchmarks/page_weight.py [--first-limit 1500000] [--later-limit 300000]

Starts ``klaster serve --demo`` (what a user runs: DEBUG, the prepared static files served
by WhiteNoise) with a new KLASTER_DATA_DIR, on a free port the operating system picks, and
requests every page once so the server is warm. Then, in headless Chromium (Playwright,
/usr/bin/chromium), each page is opened in a new browser context with an empty cache
(first load) and opened again in the same context (later load). Per load it prints:

* bytes transferred: the Resource Timing ``transferSize`` of the navigation and of every
  resource the page fetched (compressed body + headers; 0 for a file from the cache; an
  iframe loaded on demand is not fetched and not counted);
* load time: the navigation entry's ``loadEventEnd`` (from the start of navigation).

Workspace pages are opened signed in as ``demo-coordinator`` (signed in through the login
form, then the browser cache cleared through the DevTools protocol for the first load).
Exits 1 when a page exceeds a limit. Prints ``uptime`` before and after: timings depend on
the machine's load.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "page-weight-benchmark-password"
COORDINATOR = "demo-coordinator"

MEASURE_JS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const res = performance.getEntriesByType("resource");
  let bytes = nav.transferSize, n = 0;
  for (const r of res) { bytes += r.transferSize; if (r.transferSize > 0) n += 1; }
  return {bytes: bytes, fetched: n, resources: res.length,
          load: nav.loadEventEnd, html: nav.transferSize};
}"""


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


def start_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    exe = shutil.which("klaster") or str(Path(sys.executable).with_name("klaster"))
    env = dict(os.environ, KLASTER_DATA_DIR=str(data_dir), KLASTER_DEMO_PASSWORD=PASSWORD)
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
            print(f"server ready after {time.perf_counter() - t0:.1f} s at {base}", flush=True)
            return proc, base
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    sys.exit("klaster serve did not answer within 600 s")


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


def measure(page, url: str) -> Load:
    response = page.goto(url, wait_until="load")
    if response is None or response.status >= 400:
        raise RuntimeError(f"{url}: HTTP {response.status if response else '?'}")
    m = page.evaluate(MEASURE_JS)
    return Load(int(m["bytes"]), int(m["fetched"]), float(m["load"]))


def run(base: str, first_limit: int, later_limit: int) -> int:
    from playwright.sync_api import sync_playwright

    rows: list[tuple[str, str, Load, Load]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        public = public_pages(base)
        for url in public * 2:  # warm the server: imports, templates, caches
            fetch(base + url)
        for url in public:
            context = browser.new_context(locale="en-GB")
            page = context.new_page()
            first = measure(page, base + url)
            later = measure(page, base + url)
            rows.append(("public", url, first, later))
            context.close()
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        sign_in(page, base)
        private = workspace_pages(page, base)
        for url in private:
            page.goto(base + url)  # warm
        cdp = context.new_cdp_session(page)
        for url in private:
            cdp.send("Network.clearBrowserCache")
            first = measure(page, base + url)
            later = measure(page, base + url)
            rows.append(("coordinator", url, first, later))
        context.close()
        browser.close()

    failures = 0
    print(f"{'who':<12} {'page':<42} {'first KB':>9} {'files':>5} {'first ms':>8} "
          f"{'later KB':>9} {'files':>5} {'later ms':>8}")
    for who, url, first, later in rows:
        over = []
        if first.bytes > first_limit:
            over.append(f"first > {first_limit / 1e3:.0f} KB")
        if later.bytes > later_limit:
            over.append(f"later > {later_limit / 1e3:.0f} KB")
        failures += bool(over)
        print(f"{who:<12} {url:<42} {first.bytes / 1e3:9.1f} {first.fetched:5d} "
              f"{first.load_ms:8.0f} {later.bytes / 1e3:9.1f} {later.fetched:5d} "
              f"{later.load_ms:8.0f}{'  OVER: ' + ', '.join(over) if over else ''}")
    heaviest = max(rows, key=lambda r: r[2].bytes)
    slowest = max((r for r in rows if r[0] == "public"), key=lambda r: r[2].load_ms)
    print(f"{len(rows)} pages; heaviest first load {heaviest[1]} {heaviest[2].bytes / 1e3:.0f} KB;"
          f" slowest public first load {slowest[1]} {slowest[2].load_ms:.0f} ms; "
          f"{failures} over a limit")
    return 1 if failures else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--first-limit", type=int, default=1_500_000, help="bytes")
    ap.add_argument("--later-limit", type=int, default=300_000, help="bytes")
    a = ap.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is absent (apt-get install chromium)")
    print(f"before: {uptime()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="klaster-page-weight-") as tmp:
        proc, base = start_server(Path(tmp))
        try:
            code = run(base, a.first_limit, a.later_limit)
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    print(f"after: {uptime()}")
    sys.exit(code)


if __name__ == "__main__":
    main()
