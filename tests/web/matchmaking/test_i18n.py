"""The app's catalogues are complete and used by the pages."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.urls import reverse

import klaster.web.matchmaking

LOCALE = Path(klaster.web.matchmaking.__file__).parent / "locale"


@pytest.mark.parametrize("lang", ["pl", "be", "ru"])
def test_catalogue_is_complete_and_placeholders_kept(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    assert po.percent_translated() == 100 and not po.fuzzy_entries()
    import re

    fmt = re.compile(r"%\(\w+\)[sd]|%\(\w+\)\.0f|\{\{ *\w+ *\}\}")
    for entry in po:
        translations = (list(entry.msgstr_plural.values()) if entry.msgid_plural
                        else [entry.msgstr])
        for text in translations:
            assert sorted(fmt.findall(text)) == sorted(fmt.findall(entry.msgid)), entry.msgid


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "heading"), [("pl", "Sieci współpracy"),
                                               ("be", "Сеткі супрацоўніцтва"),
                                               ("ru", "Сети сотрудничества")])
def test_pages_are_translated(client, lang, heading):
    client.cookies["django_language"] = lang
    body = client.get(reverse("matchmaking:networks")).content.decode()
    assert f"<h1>{heading}</h1>" in body
