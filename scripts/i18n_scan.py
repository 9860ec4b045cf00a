"""Find English left on the platform's pages in pl, be and ru (a developer's tool).

Crawls the platform with Django's test client (signed in as the demo administrator, so
workspace pages are reached too) over the demo content, starting from the home page and
following every same-site link, and reports per page the English texts found in what a
person reads: text nodes outside <script>/<style>/[translate="no"] plus the title,
aria-label, placeholder and value of buttons. What counts as English is the method of
tests/reports/test_browser_i18n.py: every msgid of the catalogues (engine and platform)
whose translation differs from it, and short English function words.

Server-rendered HTML only: texts drawn by JavaScript (plotly's toolbar) are checked by the
browser tests. Run against a database with the demo loaded::

    KLASTER_DATA_DIR=/tmp/i18n_data KLASTER_DEBUG=1 uv run python scripts/i18n_scan.py \
        [--lang pl] [--limit 400] [--user demo-admin]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlparse

ENGLISH_WORDS = ("the", "and", "of", "with", "from", "which", "this", "that", "are", "is",
                 "not", "by", "for", "to", "yes", "no", "see", "add", "both", "mention")
NATIVE = {"pl": {"a", "to", "no"}}
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|%[sd]|\{[a-z_]+\}")
SKIP_TAGS = {"script", "style", "svg", "code", "pre", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
# Links never followed: writes, logouts, downloads, language switches, large files.
SKIP_PATHS = re.compile(r"/(logout|i18n|admin|static|media|api|download|export|report\.|accept|"
                        r"delete|remove|end|withdraw)|\.(csv|xlsx|pdf|zip|ics|geojson|json)$")


class Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []
        self.links: list[str] = []

    def _skipping(self) -> bool:
        return any(s for _, s in self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        skip = tag in SKIP_TAGS or a.get("translate") == "no"
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if not (skip or self._skipping()):
            for name in ("title", "aria-label", "placeholder", "alt"):
                if a.get(name):
                    self.texts.append(a[name])
            if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
                self.texts.append(a["value"])
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if data.strip() and not self._skipping():
            self.texts.append(data)


def patterns(lang: str) -> list[tuple[str, re.Pattern]]:
    import polib

    from klaster.web.i18n import locale_dirs

    seen, out = set(), []
    for d in locale_dirs():
        po_path = d / lang / "LC_MESSAGES" / "django.po"
        if not po_path.exists():
            continue
        for e in polib.pofile(str(po_path)):
            forms = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
            for english in filter(None, (e.msgid, e.msgid_plural)):
                if english in forms:
                    continue
                english = english.replace("%%", "%")
                pieces = [p.strip(" .,:;()") for p in PLACEHOLDER.split(english)]
                pieces = [p for p in pieces if len(p.split()) >= 2 or
                          (len(pieces) == 1 and len(p) > 3)]
                for piece in pieces:
                    if piece and piece not in seen and re.search("[a-z]", piece):
                        seen.add(piece)
                        out.append((piece, re.compile(r"(?<![\w-])" + re.escape(piece)
                                                      + r"(?![\w-])")))
    out += [(w, re.compile(rf"(?<![\w-]){w}(?![\w-])", re.IGNORECASE)) for w in ENGLISH_WORDS
            if w not in NATIVE.get(lang, set())]
    return out


def _shape(url: str) -> str:
    """/clusters/3/ and /clusters/4/, /regions/AT11/ and /regions/PL84/ are alike."""
    return re.sub(r"/[^/?]*[0-9A-Z][^/?]*", "/N", url)


def crawl(client, lang: str, limit: int, starts: list[str]) -> dict[str, list[str]]:
    todo, seen, pages = list(starts), set(), {}
    shapes: dict[str, int] = defaultdict(int)
    while todo and len(pages) < limit:
        url = urldefrag(todo.pop(0))[0]
        if url in seen:
            continue
        seen.add(url)
        r = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
        if (r.status_code != 200 or "html" not in r.get("Content-Type", "")
                or getattr(r, "streaming", False)):
            continue
        parser = Texts()
        parser.feed(r.content.decode())
        pages[url] = parser.texts
        for href in parser.links:
            p = urlparse(href)
            if p.scheme or p.netloc or not p.path.startswith("/"):
                continue
            target = p.path + (f"?{p.query}" if p.query and "page=" not in p.query else "")
            if SKIP_PATHS.search(p.path) or target in seen:
                continue
            # one page per shape of URL (/clusters/3/ and /clusters/4/ are alike) beyond 3
            shape = _shape(target)
            if shapes[shape] >= 3 or target in todo:
                continue
            shapes[shape] += 1
            todo.append(target)
    return pages


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", action="append", choices=["pl", "be", "ru"])
    ap.add_argument("--limit", type=int, default=400)
    ap.add_argument("--user", default="demo-admin", help="'' for anonymous")
    ap.add_argument("--start", action="append", help="extra start URLs")
    args = ap.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klaster.web.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from klaster.web.i18n import compile_translations

    compile_translations()
    client = Client(SERVER_NAME="localhost")
    if args.user:
        client.force_login(get_user_model().objects.get(username=args.user))
    starts = ["/", *(args.start or [])]
    total = 0
    for lang in args.lang or ["pl", "be", "ru"]:
        pats = patterns(lang)
        pages = crawl(client, lang, args.limit, starts)
        found: dict[str, set[str]] = defaultdict(set)
        for url, texts in pages.items():
            for text in texts:
                t = " ".join(text.split())
                for what, pat in pats:
                    if pat.search(t):
                        found[url].add(f"{what!r} in {t[:140]!r}")
        print(f"== {lang}: {len(pages)} pages, {len(found)} with English")
        for url in sorted(found):
            print(f"  {url}")
            for hit in sorted(found[url]):
                print(f"      {hit}")
        total += len(found)
    return 1 if total else 0


if __name__ == "__main__":
    raise SystemExit(main())
