"""English left on a page in pl, be or ru: the check shared by the platform's page audit
(tests/web/site_audit.py) and the report's (tests/reports/test_browser_i18n.py).

Every English msgid of the given catalogues whose translation differs from it is looked
for as whole words (a msgid with placeholders by its literal pieces of two words or more),
and so are short English function words, in the page's text: the text nodes and the
title/aria-label/placeholder/data-title attributes outside <script>, <style>,
translate="no" and parts marked as another language (lang="en" on "English" in the
language switcher). Proper names kept in English in every language are removed first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import polib

COLLECT = """() => {
  const out = [];
  // a part marked as another language (WCAG 3.1.2), e.g. "English" in the language
  // switcher, is meant to be read in that language
  const own = document.documentElement.lang;
  const skip = el => el.closest('script, style, [translate="no"]') ||
    (el.closest('[lang]') && el.closest('[lang]').lang !== own);
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement && !skip(n.parentElement) && n.textContent.trim()) out.push(n.textContent);
  }
  const attrs = '[title], [aria-label], [placeholder], [data-title]';
  for (const el of document.querySelectorAll(attrs)) {
    if (skip(el)) continue;
    for (const a of ['title', 'aria-label', 'placeholder', 'data-title']) {
      if (el.getAttribute(a)) out.push(el.getAttribute(a));
    }
  }
  return out;
}"""
ENGLISH_WORDS = ("the", "and", "of", "with", "from", "which", "this", "that", "are", "is",
                 "not", "by", "for", "in", "to", "a")
# Words that are also words of the page's language ("a" and "to" are Polish).
NATIVE = {"pl": {"a", "to"}}
# Names kept in English in every language (programmes, software, formats).
PROPER_NAMES = ("European Cluster Observatory", "US Cluster Mapping Project", "Albers USA",
                "Cluster Mapping", "klaster", "OpenAPI", "Swagger", "Redoc", "Plotly",
                "Leaflet", "OpenStreetMap", "County Business Patterns")
QUOTED_TERM = re.compile(r"'[a-z0-9ąćęłńóśźż-]{2,30}'")
LATIN = re.compile(r"[A-Za-z]")
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|%[sd]|\{[a-z_0-9]*\}")


@cache
def native_words(po_files: tuple[Path, ...]) -> frozenset[str]:
    """Every word of the translations in ``po_files`` (their msgstr texts), in lower case
    (a label may be capitalised on the page: "format pliku" → "Format pliku")."""
    words: set[str] = set()
    for path in po_files:
        for e in polib.pofile(str(path)):
            for text in (list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]):
                words.update(w.lower() for w in
                             re.findall(r"\w+", PLACEHOLDER.sub(" ", text)))
    return frozenset(words)


def english_patterns(lang: str, po_files: Iterable[Path]) -> tuple[tuple[str, re.Pattern], ...]:
    """(what, pattern) for every English text that must not be on a page in ``lang``,
    from ``lang``'s catalogues ``po_files``."""
    return _patterns(lang, tuple(sorted(po_files)))


@cache
def _patterns(lang: str, po_files: tuple[Path, ...]) -> tuple[tuple[str, re.Pattern], ...]:
    out: dict[str, re.Pattern] = {}
    native = native_words(po_files)
    for path in po_files:
        for e in polib.pofile(str(path)):
            if e.obsolete:
                continue
            forms = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
            for english in filter(None, (e.msgid, e.msgid_plural)):
                if english in forms or not any(forms):
                    continue  # a name or symbol the same in both languages (LQ, PCI)
                english = english.replace("%%", "%").replace("&amp;", "&")
                english = re.sub(r"<[^>]+>", "", english)
                pieces = [p.strip(" .,:;()") for p in PLACEHOLDER.split(english)]
                if len(pieces) > 1:
                    pieces = [p for p in pieces if len(p.split()) >= 2]
                for piece in pieces:
                    # One word that the language's own translations use is a word of
                    # that language too (pl "Data" = date, "Import", "Format", "start",
                    # "i in." = et al.), not English left over.
                    if " " not in piece and piece.lower() in native:
                        continue
                    if piece and LATIN.search(piece):
                        out.setdefault(piece, re.compile(
                            r"(?<!\w)" + re.escape(piece) + r"(?!\w)"))
    for w in ENGLISH_WORDS:
        if w not in NATIVE.get(lang, set()) and w.lower() not in native:
            out.setdefault(w, re.compile(rf"(?<![\w-]){w}(?![\w-])"))
    return tuple(out.items())


