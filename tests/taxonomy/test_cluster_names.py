"""The benchmark clusters' names are messages of the engine catalogue, translated."""

from __future__ import annotations

import csv
from importlib import resources

import polib
import pytest

from klaster.i18n import CONTEXT, LOCALE_DIR, translator
from klaster.taxonomy.cluster_names import CLUSTER_NAMES, LOCAL, TRADED


def _csv_names(name: str) -> dict[str, str]:
    ref = resources.files("klaster.taxonomy") / "data" / name
    with ref.open(encoding="utf-8") as handle:
        return {row["cluster_name"]: row["cluster_type"] for row in csv.DictReader(handle)}


@pytest.mark.parametrize("table", ["us_benchmark_definitions.csv",
                                   "nace_benchmark_definitions.csv"])
def test_every_built_in_cluster_name_is_listed(table):
    names = _csv_names(table)
    assert set(CLUSTER_NAMES) == set(names)
    assert {n for n, t in names.items() if t == "traded"} == set(TRADED)
    assert {n for n, t in names.items() if t == "local"} == set(LOCAL)
    assert len(CLUSTER_NAMES) == len(set(CLUSTER_NAMES)) == 66


@pytest.mark.parametrize("lang", ["pl", "be", "ru"])
def test_every_cluster_name_has_a_translation(lang):
    po = polib.pofile(str(LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"))
    entries = {e.msgid: e for e in po if e.msgctxt == CONTEXT}
    for name in CLUSTER_NAMES:
        entry = entries[name]
        assert entry.msgstr.strip() and "fuzzy" not in entry.flags, (lang, name)
        assert entry.msgstr != name, (lang, name)  # no name is the same word in all four
    tr = translator(lang)
    # Two spot checks written out by hand, through the library's own translator.
    expected = {"pl": ("Usługi dla biznesu", "Hotele z kasynami"),
                "be": ("Бізнес-паслугі", "Гатэлі-казіно"),
                "ru": ("Бизнес-услуги", "Отели-казино")}[lang]
    assert (tr.gettext("Business Services"), tr.gettext("Casino Hotels")) == expected
