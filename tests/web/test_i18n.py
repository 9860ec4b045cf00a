"""UI in English, Polish, Belarusian and Russian; localised dates and numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polib
import pytest

from klaster.web.i18n import LOCALE_DIR, compile_translations
from klaster.web.registry.models import Activity

LANGS = ("pl", "be", "ru")


@pytest.mark.parametrize("lang", LANGS)
def test_catalogues_are_complete_and_consistent(lang):
    po = polib.pofile(str(LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"))
    assert po.percent_translated() == 100
    assert not [e.msgid for e in po.fuzzy_entries()]
    for entry in po.translated_entries():
        # Every placeholder of the English text survives in the translation.
        for form in (entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]):
            for token in ("%(n)s", "%(n)d", "%(new)d", "%(code)s", "%(system)s", "%(reason)s",
                          "%(s)s", "%(total)s"):
                assert (token in entry.msgid or token in (entry.msgid_plural or "")) == (
                    token in form), (lang, entry.msgid, form)


def test_compile_writes_mo_files(tmp_path):
    target = tmp_path / "pl" / "LC_MESSAGES"
    target.mkdir(parents=True)
    source = LOCALE_DIR / "pl" / "LC_MESSAGES" / "django.po"
    (target / "django.po").write_bytes(source.read_bytes())
    assert compile_translations(tmp_path) == [target / "django.mo"]
    assert compile_translations(tmp_path) == []  # up to date: nothing rewritten
    mo = polib.mofile(str(target / "django.mo"))
    assert mo.find("Cluster directory").msgstr == "Katalog klastrów"


@pytest.mark.django_db
@pytest.mark.parametrize("lang,heading,status", [
    ("en", "Cluster directory", "Operating"),
    ("pl", "Katalog klastrów", "Działający"),
    ("be", "Каталог кластараў", "Дзейны"),
    ("ru", "Каталог кластеров", "Действующий"),
])
def test_language_switch(client, registry, lang, heading, status):
    r = client.post("/i18n/setlang/", {"language": lang, "next": "/clusters/"})
    assert r.status_code == 302
    page = client.get("/clusters/").content.decode()
    assert f'<html lang="{lang}">' in page
    assert f"<h1>{heading}</h1>" in page and status in page


@pytest.mark.django_db
def test_dates_and_numbers_are_localised(client, registry):
    Activity.objects.create(cluster=registry["published"], kind="study_visit", title="Visit",
                            start=date(2019, 7, 2), participant_count=1234)
    url = f"/clusters/{registry['published'].pk}/"
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "July 2, 2019" in en
    pl = client.get(url, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "2 lipca 2019" in pl and "Wizyta studyjna" in pl
    ru = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "2 июля 2019" in ru and "1234 участника" in ru


def test_only_po_sources_are_tracked():
    # .mo files are build products (compiled at test/serve time), never committed.
    ignore = (Path(LOCALE_DIR).parent / ".gitignore").read_text()
    assert "*.mo" in ignore.split()


@pytest.mark.django_db
def test_cluster_content_in_the_readers_language_with_fallback(client, registry):
    from django.utils import translation

    from .conftest import api_client

    cluster = registry["published"]
    cluster.sector_pl, cluster.region_ru = "Obróbka metali", "Подляское воеводство"
    cluster.description, cluster.description_be = "Metalworking firms.", "Металаапрацоўка."
    cluster.save()
    with translation.override("pl"):
        assert cluster.display_sector == "Obróbka metali"
        assert cluster.display_region == "Podlaskie"  # no Polish copy: the fallback
    with translation.override("be"):
        assert cluster.display_sector == "Metal"
        assert cluster.display_description == "Металаапрацоўка."
    with translation.override("en"):
        assert cluster.display_sector == "Metal"
    url = f"/clusters/{cluster.pk}/"
    assert "Obróbka metali" in client.get(url, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    ru = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Подляское воеводство" in ru and "Metalworking firms." in ru
    directory = client.get("/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Obróbka metali" in directory or "Obróbka metali" in client.get(
        "/clusters/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()

    # The API reads and writes every copy; the history keeps them.
    api = api_client(registry["coord_a"])
    r = api.patch(f"/api/clusters/{cluster.pk}/", {"version": cluster.version,
                                                    "sector_ru": "Металлообработка"},
                  format="json")
    assert r.status_code == 200, r.content
    assert r.json()["sector_ru"] == "Металлообработка" and r.json()["sector_pl"] == "Obróbka metali"
    cluster.refresh_from_db()
    assert cluster.history.first().sector_ru == "Металлообработка"


def test_cluster_form_edits_every_language():
    from klaster.web.registry.forms import ClusterForm

    fields = set(ClusterForm.base_fields)
    for name in ("sector", "region", "description"):
        assert {name, f"{name}_pl", f"{name}_be", f"{name}_ru"} <= fields


@pytest.mark.django_db
def test_directory_facets_and_search_in_the_readers_language(client, registry):
    from django.urls import reverse

    cluster = registry["published"]
    cluster.sector_pl = "Obróbka metali"
    cluster.save()
    url = reverse("portal:directory")
    pl = client.get(url, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    # The sector facet offers the Polish value (with the English one nowhere as an option)
    assert 'value="Obróbka metali"' in pl and 'value="Metal"' not in pl
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="Metal"' in en
    # the Polish text finds the cluster from any page language
    found = client.get(url, {"q": "obróbka"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert cluster.name_en in found
