"""The privacy app's catalogue is complete in Polish, Belarusian and Russian, placeholders
intact, and the notice renders in each language."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

import klaster.web.privacy

LOCALE = Path(klaster.web.privacy.__file__).parent / "locale"


@pytest.mark.parametrize("lang", ["pl", "be", "ru"])
def test_catalogue_complete(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    assert po.percent_translated() == 100 and not po.fuzzy_entries()
    for entry in po.translated_entries():
        assert sorted(re.findall(r"%\(\w+\)[sd]", entry.msgid)) == sorted(
            re.findall(r"%\(\w+\)[sd]", entry.msgstr)), (lang, entry.msgid)
        assert entry.msgstr != entry.msgid or entry.msgid in ("status",), (lang, entry.msgid)


@pytest.mark.django_db
@pytest.mark.parametrize("lang,heading,rights", [
    ("en", "Privacy notice", "Your rights"),
    ("pl", "Informacja o ochronie danych", "Twoje prawa"),
    ("be", "Паведамленне аб прыватнасці", "Вашы правы"),
    ("ru", "Уведомление о конфиденциальности", "Ваши права"),
])
def test_notice_in_four_languages(client, lang, heading, rights):
    page = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f"<h1>{heading}</h1>" in page and rights in page
