"""B2B events in four languages (issue 13): title and place have pl/be/ru copies with the
plain text as the fallback, shown in the reader's language on every page, the public
board, the home page and the iCal feed (one VEVENT per requested language); the API
carries every copy; the workspace's event form edits them (programme administrators)."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from klaster.web.matchmaking.forms import EventForm
from klaster.web.matchmaking.models import Event, Participant
from klaster.web.registry.models import Localized

from ..conftest import api_client

pytestmark = pytest.mark.django_db

COPIES = {"title_pl": "Dzień spotkań B2B", "title_be": "Дзень дзелавых сустрэч B2B",
          "title_ru": "День деловых встреч B2B", "place_pl": "Białystok, Polska",
          "place_ru": "Белосток, Польша"}  # no Belarusian place: the plain one is shown


@pytest.fixture
def b2b(registry):
    event = Event.objects.create(title="B2B day", date=timezone.localdate() + dt.timedelta(days=9),
                                 start=dt.time(9, 0), slots=4, tables=2,
                                 place="Białystok, Poland", **COPIES)
    Participant.objects.create(event=event, organisation=registry["org_a"], availability=[0])
    return event


def test_fallback_rule():
    event = Event(title="B2B day", place="Białystok", title_pl="Dzień B2B", place_ru="Белосток")
    assert issubclass(Event, Localized) and Event.TRANSLATED == ("title", "place")
    expected = {"en": ("B2B day", "Białystok"), "pl": ("Dzień B2B", "Białystok"),
                "be": ("B2B day", "Białystok"), "ru": ("B2B day", "Белосток")}
    for lang, (title, place) in expected.items():
        with translation.override(lang):
            assert (event.display_title, event.display_place, str(event)) == (
                title, place, title)
    for field in Event.TRANSLATED:
        for lang in ("pl", "be", "ru"):
            copy = Event._meta.get_field(f"{field}_{lang}")
            assert copy.blank and type(copy) is type(Event._meta.get_field(field))


def test_form_carries_the_copies():
    assert {f"{f}_{lang}" for f in Event.TRANSLATED for lang in ("pl", "be", "ru")} <= set(
        EventForm.base_fields)


@pytest.mark.parametrize(("lang", "title", "place"), [
    ("pl", "Dzień spotkań B2B", "Białystok, Polska"),
    ("be", "Дзень дзелавых сустрэч B2B", "Białystok, Poland"),
    ("ru", "День деловых встреч B2B", "Белосток, Польша"),
])
def test_every_page_shows_the_readers_language(client, registry, b2b, lang, title, place):
    public = [reverse("matchmaking:board"), reverse("matchmaking:board_event", args=[b2b.pk]),
              "/"]
    client.force_login(registry["admin"])
    workspace = [reverse("matchmaking:events"), reverse("matchmaking:event", args=[b2b.pk])]
    for url in public + workspace:
        body = client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert title in body and place in body, (lang, url)
        assert ">B2B day<" not in body, (lang, url)


def test_board_keyword_finds_a_copy(client, b2b):
    response = client.get(reverse("matchmaking:board"), {"sector": "сустрэч"},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert [e.pk for e in response.context["events"]] == [b2b.pk]
    response = client.get(reverse("matchmaking:board"), {"sector": "nothing-like-it"})
    assert list(response.context["events"]) == []


def _vevents(response):
    assert response.status_code == 200, response.content
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_ical_in_the_requests_language(client, b2b):
    (event,) = _vevents(client.get(reverse("matchmaking:board_ical"),
                                   HTTP_ACCEPT_LANGUAGE="ru"))
    assert str(event["SUMMARY"]) == "День деловых встреч B2B"
    assert event["SUMMARY"].params["LANGUAGE"] == "ru"
    assert str(event["LOCATION"]) == "Белосток, Польша"
    assert "зарегистрирован" in str(event["DESCRIPTION"])  # the catalogue's Russian
    assert str(event["UID"]) == f"klaster-event-{b2b.pk}@testserver"


def test_ical_one_event_per_requested_language(client, b2b):
    events = _vevents(client.get(reverse("matchmaking:board_ical"), {"lang": "be,en"},
                                 HTTP_ACCEPT_LANGUAGE="pl"))
    by_uid = {str(e["UID"]): e for e in events}
    assert set(by_uid) == {f"klaster-event-{b2b.pk}-be@testserver",
                           f"klaster-event-{b2b.pk}-en@testserver"}
    be, en = by_uid[f"klaster-event-{b2b.pk}-be@testserver"], by_uid[
        f"klaster-event-{b2b.pk}-en@testserver"]
    assert str(be["SUMMARY"]) == "Дзень дзелавых сустрэч B2B"
    assert be["SUMMARY"].params["LANGUAGE"] == "be"
    # No Belarusian place: the plain text, whose language the feed does not claim.
    assert str(be["LOCATION"]) == "Białystok, Poland" and "LANGUAGE" not in be[
        "LOCATION"].params
    assert str(en["SUMMARY"]) == "B2B day" and "LANGUAGE" not in en["SUMMARY"].params
    assert en["DESCRIPTION"].params["LANGUAGE"] == "en"
    # Repeated parameters are the same request.
    again = _vevents(client.get(reverse("matchmaking:board_ical") + "?lang=be&lang=en&lang=be"))
    assert sorted(str(e["UID"]) for e in again) == sorted(by_uid)


def test_ical_unknown_language_is_refused(client, b2b):
    response = client.get(reverse("matchmaking:board_ical"), {"lang": "pl,de"})
    assert response.status_code == 400
    assert "de" in response.content.decode()


def test_board_links_the_feed_in_the_pages_language(client, b2b):
    response = client.get(reverse("matchmaking:board"), HTTP_ACCEPT_LANGUAGE="be")
    assert response.context["ical_url"].endswith("?lang=be")
    response = client.get(reverse("matchmaking:board"), {"kind": "event", "lang": "ru"},
                          HTTP_ACCEPT_LANGUAGE="be")
    assert "lang=ru" in response.context["ical_url"]
    assert "lang=be" not in response.context["ical_url"]


def test_api_carries_every_copy_and_is_read_only(registry, b2b):
    anonymous = api_client()
    body = anonymous.get(f"/api/events/{b2b.pk}/").json()
    for name, value in COPIES.items():
        assert body[name] == value
    assert (body["title"], body["place_be"], body["registered"]) == ("B2B day", "", 1)
    assert [e["id"] for e in anonymous.get("/api/events/").json()["results"]] == [b2b.pk]
    # Anonymous: 401 (sign in first); the programme's administrator: 405 (read-only).
    for user, status in ((None, 401), (registry["admin"], 405)):
        client = api_client(user)
        assert client.patch(f"/api/events/{b2b.pk}/", {"title_pl": "X"},
                            format="json").status_code == status
        assert client.post("/api/events/", {"title": "X"}, format="json").status_code == (
            status)
    b2b.refresh_from_db()
    assert b2b.title_pl == "Dzień spotkań B2B"
    assert anonymous.get("/api/events/999999/").status_code == 404


def test_admin_edits_the_copies_others_may_not(client, registry, b2b):
    url = reverse("matchmaking:event_edit", args=[b2b.pk])
    client.force_login(registry["coord_a"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Hijacked"}).status_code == 403
    client.force_login(registry["admin"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert 'name="title_be"' in page and 'name="place_ru"' in page
    data = {"title": "B2B day", "title_pl": "Dzień B2B", "title_be": "", "title_ru": "",
            "date": b2b.date.isoformat(), "start": "09:00", "slots": 4, "tables": 2,
            "slot_minutes": 20, "place": "Białystok", "place_pl": "", "place_be": "Беласток",
            "place_ru": ""}
    assert client.post(url, data).status_code == 302
    b2b.refresh_from_db()
    assert (b2b.title_pl, b2b.title_be, b2b.place_be) == ("Dzień B2B", "", "Беласток")
    with translation.override("be"):
        assert (b2b.display_title, b2b.display_place) == ("B2B day", "Беласток")
    detail = client.get(reverse("matchmaking:event", args=[b2b.pk])).content.decode()
    assert 'id="edit-event"' in detail
    client.force_login(registry["coord_a"])
    assert 'id="edit-event"' not in client.get(
        reverse("matchmaking:event", args=[b2b.pk])).content.decode()
