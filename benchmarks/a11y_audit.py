"""Accessibility audit of every page, as tests/web/test_a11y.py checks it, as a table.

Starts the platform (Django's threaded live server on a loopback port the system picks)
on a database with the demo content (tests/web/site_pages.load_demo_content: registry,
networks and matchmaking, assessment, the CBP demo analysis), opens every page of
tests/web/site_pages.py as the public, the demo coordinator, evaluator, administrator and
representative, in en/pl/be/ru at 390 and 1280 px, in headless Chromium, and prints per
page/language/width: the number of axe-core WCAG 2.1 A/AA violations (and their rule
ids), whether the page scrolls sideways at 390 px, and the number of English texts left
on a pl/be/ru page. Exit status 1 if any page has any of them. Screenshots go where the
test puts them (test-artifacts/screenshots/, or $KLASTER_TEST_ARTIFACTS).

    npm ci                                   # axe-core, pinned by package-lock.json
    uv run python benchmarks/a11y_audit.py   # a fresh database in a temporary folder
    uv run python benchmarks/a11y_audit.py --langs en --widths 390 --pages public-,analysis
    uv run python benchmarks/a11y_audit.py --data-dir /tmp/klaster-a11y   # kept, reused

``--data-dir`` keeps the database: a second run skips the schema and finds the demo
content loaded (the loaders are idempotent).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", help="KLASTER_DATA_DIR to use (kept); default: a temporary one")
    ap.add_argument("--langs", default="en,pl,be,ru")
    ap.add_argument("--widths", default="390,1280")
    ap.add_argument("--pages", default="",
                    help="only page ids containing one of these (comma-separated, e.g. "
                         "admin-,analysis)")
    ap.add_argument("--no-screenshots", action="store_true")
    ap.add_argument("--details", action="store_true", help="print every violation")
    args = ap.parse_args(argv)

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="klaster-a11y-")
    os.environ["KLASTER_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "klaster.web.settings"
    os.environ.setdefault("KLASTER_SECRET_KEY", "a11y-audit-" + "k" * 60)
    os.environ["KLASTER_DEBUG"] = "0"
    for key in ("KLASTER_SECURE_SSL_REDIRECT", "KLASTER_SECURE_COOKIES"):
        os.environ[key] = "0"
    os.environ.setdefault("KLASTER_ALLOWED_HOSTS", "localhost,127.0.0.1")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop in this thread
    sys.path.insert(0, str(ROOT / "tests"))
    from web import site_audit, site_pages

    reason = site_audit.axe_missing_reason()
    if reason:
        print(reason, file=sys.stderr)
        return 2
    from klaster.web.i18n import compile_translations

    compile_translations()
    import django

    django.setup()
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connections
    from django.test.testcases import LiveServerThread

    from klaster.web.startup import ensure_database

    t0 = time.perf_counter()
    os.environ.setdefault("KLASTER_DEMO_PASSWORD", site_pages.DEMO_PASSWORD)
    ensure_database(demo=False, say=lambda s: None)
    site_pages.load_demo_content()
    wanted = [w for w in args.pages.split(",") if w]
    pages = [p for p in site_pages.site_pages()
             if not wanted or any(w in p.id for w in wanted)]
    data = site_audit.content_values()
    print(f"database ready in {time.perf_counter() - t0:.0f} s ({data_dir}); "
          f"{len(pages)} pages; URL names not on this branch: "
          f"{', '.join(site_pages.missing_url_names()) or 'none'}", file=sys.stderr)
    connections.close_all()

    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://127.0.0.1:{server.port}"

    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from web.browser import launch

    langs = args.langs.split(",")
    widths = [int(w) for w in args.widths.split(",")]
    failed = 0
    rows = []
    t1 = time.perf_counter()
    with sync_playwright() as pw:
        browser = launch(pw)
        tabs = site_pages.open_tabs(browser, base)
        print(f"{'page':34} {'lang':4} {'width':>5} {'axe':>4} {'scroll':>6} {'english':>7}"
              "  axe rules / English texts")
        for lang in langs:
            for width in widths:
                for p in pages:
                    tab = tabs[p.who]
                    tab.context.add_cookies([{"name": "django_language", "value": lang,
                                              "url": base}])
                    r = site_audit.audit(tab, base + p.url, p.id, lang, width, data,
                                         screenshot=not args.no_screenshots)
                    bad = r.error or r.status != 200 or r.violations or r.scroll or r.english
                    failed += bool(bad)
                    scroll = "-" if width > 400 else (
                        f"{r.scroll['scrollWidth']}px" if r.scroll else "ok")
                    note = " ".join(f"{v['id']}({len(v['nodes'])})" for v in r.violations)
                    if r.english:
                        note += " | " + "; ".join(sorted(r.english)[:6])
                    if r.error or r.status != 200:
                        note = (r.error or f"HTTP {r.status}") + " " + note
                    print(f"{p.id:34} {lang:4} {width:>5} {len(r.violations):>4} "
                          f"{scroll:>6} {len(r.english):>7}  {note}", flush=True)
                    if args.details and bad:
                        print(r.problems(), flush=True)
                    rows.append(r)
        browser.close()
    elapsed = time.perf_counter() - t1
    server.terminate()
    load = subprocess.run(["uptime"], check=False, capture_output=True, text=True).stdout.strip()
    print(f"\n{len(rows)} page views in {elapsed:.0f} s ({elapsed / max(len(rows), 1):.2f} s "
          f"each); {failed} with a problem; "
          f"{sum(len(r.violations) for r in rows)} axe violations (rule x page view), "
          f"{sum(1 for r in rows if r.scroll)} sideways scrolls, "
          f"{sum(1 for r in rows if r.english)} pages with English left")
    steps: dict[str, float] = {}
    for r in rows:
        for name, sec in r.seconds.items():
            steps[name] = steps.get(name, 0.0) + sec
    print("time per step (s, all views): " + ", ".join(
        f"{name} {sec:.0f}" for name, sec in steps.items()))
    print(f"uptime: {load}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
