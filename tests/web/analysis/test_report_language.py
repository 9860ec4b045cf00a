"""The platform shows the engine's report, notes and quadrants in the reader's language."""

from __future__ import annotations

import pytest

from klaster.web.analysis import tasks
from klaster.web.analysis.models import Dataset, Opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(client, analyst, upload) -> Dataset:
    client.force_login(analyst)
    assert upload().status_code == 302
    assert tasks.run_pending() == 1
    ds = Dataset.objects.get()
    assert ds.status == "done", ds.error
    return ds


def _switch(client, lang):
    assert client.post("/i18n/setlang/", {"language": lang, "next": "/"}).status_code == 302


@pytest.mark.parametrize("lang,heading", [
    ("en", "Region profile"), ("pl", "Profil regionu"), ("be", "Профіль рэгіёна"),
    ("ru", "Профиль региона"),
])
def test_report_in_the_readers_language(client, done, lang, heading):
    _switch(client, lang)
    r = client.get(f"/analysis/{done.pk}/report/")
    body = b"".join(r.streaming_content).decode()
    assert f'<html lang="{lang}">' in body and f"<h2>{heading}</h2>" in body
    assert "Accept-Language" in r["Vary"] and "Cookie" in r["Vary"]


def test_notes_are_messages_rendered_per_language(client, done):
    from klaster.messages import Message, render

    # Stored as codes + parameters (tasks.run), never as English sentences.
    assert all(set(n) == {"code", "params"} for n in done.notes)
    note = Message("allocation.split", {"jobs": 12345, "share": 0.0125, "codes": 3})
    Dataset.objects.filter(pk=done.pk).update(notes=[note.to_dict()])
    _switch(client, "ru")
    page = client.get(f"/analysis/{done.pk}/").content.decode()
    assert render(note, "ru") in page and "12\u00a0345 рабочих мест" in page
    # an old dataset's plain-text note is shown as it was stored
    Dataset.objects.filter(pk=done.pk).update(notes=["An old note."])
    assert "An old note." in client.get(f"/analysis/{done.pk}/").content.decode()


def test_quadrants_in_the_readers_language(client, done):
    opp = Opportunity.objects.filter(dataset=done).first()
    assert opp is not None and "relatedness" in opp.quadrant
    _switch(client, "pl")
    page = client.get(f"/analysis/{done.pk}/regions/{opp.region}/").content.decode()
    assert "powiązanie" in page and opp.quadrant not in page


def test_django_reads_the_engine_catalogue_without_mixing_it_in():
    """The engine catalogue is in LOCALE_PATHS; its entries need the context "klaster"."""
    from django.utils.translation import gettext, override, pgettext

    with override("pl"):
        assert pgettext("klaster", "Region profile") == "Profil regionu"
        assert gettext("Region profile") == "Region profile"  # not the platform's word
    with override("be"):
        assert pgettext("klaster", "Overview") == "Агляд"
