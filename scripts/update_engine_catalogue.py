"""Extract the engine's messages into its catalogue (src/klaster/locale/<lang>/LC_MESSAGES).

Sources: the report templates (``{{ _("...") }}``, ``{% trans %}``, ``ngettext``; read
with Jinja2's own extractor), the library's Python files (every ``N_("...")``; a
``define(code, N_(singular), plural=N_(plural), ...)`` of klaster.messages becomes a
plural entry) and the built-in rubrics' names, notes and assumptions
(klaster.assessment.terms.builtin_terms). Every entry gets the message context
``klaster`` (klaster.i18n.CONTEXT).

Existing translations are kept; new messages are added untranslated (the completeness
test tests/reports/test_i18n.py then fails until they are translated); messages no
longer in the sources are dropped. ``--translations FILE.json`` fills msgstr from a
``{msgid: {lang: text or [plural forms]}}`` file. Run:

    uv run python scripts/update_engine_catalogue.py [--translations t.json]
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path

import jinja2.ext
import polib

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "klaster"
LOCALE = SRC / "locale"
TEMPLATES = SRC / "reports" / "templates"
CONTEXT = "klaster"
LANGS = {
    "pl": ("Polish", ("nplurals=4; plural=(n==1 ? 0 : (n%10>=2 && n%10<=4) && (n%100<12 || "
                     "n%100>14) ? 1 : n!=1 && (n%10>=0 && n%10<=1) || (n%10>=5 && n%10<=9) || "
                     "(n%100>=12 && n%100<=14) ? 2 : 3);")),
    "be": ("Belarusian", ("nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 "
                         "&& (n%100<12 || n%100>14) ? 1 : n%10==0 || (n%10>=5 && n%10<=9) || "
                         "(n%100>=11 && n%100<=14)? 2 : 3);")),
    "ru": ("Russian", ("nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
                      "(n%100<12 || n%100>14) ? 1 : n%10==0 || (n%10>=5 && n%10<=9) || "
                      "(n%100>=11 && n%100<=14)? 2 : 3);")),
}
# Python sources of engine texts (the web apps keep their own Django catalogues).
PY_SKIP = ("web",)


def _literal(node) -> str | None:
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "N_" and node.args:
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return None


def extract() -> dict[tuple[str, str | None], list[str]]:
    """(msgid, msgid_plural) -> source references, in source order."""
    found: dict[tuple[str, str | None], list[str]] = {}

    def add(key, ref):
        found.setdefault(key, []).append(ref)

    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if rel.parts[0] in PY_SKIP:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        plurals = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "define":
                single = _literal(node.args[1]) if len(node.args) > 1 else None
                plural = next((_literal(k.value) for k in node.keywords if k.arg == "plural"),
                              None)
                if single and plural:
                    add((single, plural), f"{rel}:{node.lineno}")
                    plurals.update((single, plural))
        for node in ast.walk(tree):
            text = _literal(node)
            if text is not None and text not in plurals:
                add((text, None), f"{rel}:{node.lineno}")
    for path in sorted(TEMPLATES.glob("*.j2")):
        with path.open("rb") as fh:
            for line, func, message, _comments in jinja2.ext.babel_extract(
                    fh, ["_", "gettext", "ngettext"], [],
                    {"extensions": "jinja2.ext.i18n", "trimmed": "true",
                     "trim_blocks": "true", "lstrip_blocks": "true"}):
                ref = f"reports/templates/{path.name}:{line}"
                if func == "ngettext":
                    add((message[0], message[1]), ref)
                else:  # a tuple when the call also passes variables: _("%(n)s x", n=n)
                    text = message if isinstance(message, str) else (message or [None])[0]
                    if isinstance(text, str):
                        add((text, None), ref)
    # the names, notes and assumptions of the built-in rubrics (klaster.assessment.terms):
    # the engine passes rubric content as "term", so these are translated on the pages
    from klaster.assessment.terms import builtin_terms

    for text in builtin_terms():
        add((text, None), "assessment/rubrics")
    return found


def update(translations: dict | None = None) -> None:
    found = extract()
    for lang, (name, plural_forms) in LANGS.items():
        path = LOCALE / lang / "LC_MESSAGES" / "django.po"
        old = polib.pofile(str(path)) if path.exists() else None
        keep = {(e.msgid, e.msgid_plural or None): e for e in old} if old else {}
        po = polib.POFile(wrapwidth=88)
        po.header = ("Engine messages of klaster (reports, caveats, notes), shared with the "
                     "platform.\nUpdate with scripts/update_engine_catalogue.py.")
        po.metadata = {
            "Project-Id-Version": "klaster engine", "Language": lang,
            "Language-Team": name, "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit", "Plural-Forms": plural_forms,
        }
        for (msgid, plural), refs in found.items():
            entry = polib.POEntry(msgctxt=CONTEXT, msgid=msgid,
                                  occurrences=[tuple(r.rsplit(":", 1)) for r in refs[:3]
                                               if ":" in r])
            if "%(" in msgid:
                entry.flags.append("python-format")
            prev = keep.get((msgid, plural))
            given = (translations or {}).get(msgid, {}).get(lang)
            if plural:
                entry.msgid_plural = plural
                forms = given if isinstance(given, list) else None
                if forms is None and prev is not None:
                    forms = [prev.msgstr_plural[i] for i in sorted(prev.msgstr_plural)]
                forms = forms or []
                entry.msgstr_plural = {i: forms[i] if i < len(forms) else "" for i in range(4)}
            else:
                entry.msgstr = given if isinstance(given, str) else (
                    prev.msgstr if prev is not None else "")
            po.append(entry)
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))
        untranslated = len(po.untranslated_entries())
        print(f"{path.relative_to(ROOT)}: {len(po)} messages, {untranslated} untranslated")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--translations", type=Path)
    parser.add_argument("--list", action="store_true", help="print the msgids and exit")
    args = parser.parse_args(argv)
    if args.list:
        for (msgid, plural) in extract():
            print(json.dumps([msgid, plural] if plural else msgid, ensure_ascii=False))
        return 0
    translations = (json.loads(args.translations.read_text(encoding="utf-8"))
                    if args.translations else None)
    update(translations)
    return 0


if __name__ == "__main__":
    sys.exit(main())
