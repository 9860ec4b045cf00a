"""klaster.matchmaking.ical against RFC 5545's rules: escaping (§3.3.11), folding at 75
octets without splitting a character (§3.1), CRLF, UTC times; parsed back with the
independent ``icalendar`` package."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from klaster.matchmaking.ical import CalendarEvent, calendar, escape_text, fold

STAMP = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def test_escape_text_rfc_examples():
    # §3.3.11: "\\" "\;" "\," and "\n"; backslash escaped first (not doubled after).
    assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"
    assert escape_text("line\r\nbreak") == "line\\nbreak"
    assert escape_text("plain: colon") == "plain: colon"  # ':' needs no escape in TEXT


def test_fold_ascii_at_75_octets():
    line = "DESCRIPTION:" + "x" * 200
    pieces = fold(line).split("\r\n")
    assert all(p.startswith(" ") for p in pieces[1:])
    # Unfolding (remove CRLF + one space) gives the line back (§3.1).
    assert fold(line).replace("\r\n ", "") == line
    # 212 characters = 75 + 74 + 63 payload octets (each continuation line spends 1 on " ").
    assert [len(p) for p in pieces] == [75, 75, 64]


def test_fold_never_splits_a_utf8_character():
    line = "SUMMARY:" + "ł" * 100  # 2 octets each
    pieces = fold(line).split("\r\n")
    for p in pieces:
        p.encode("utf-8").decode("utf-8")  # each piece is whole characters
        assert len(p.encode("utf-8")) <= 75
    assert fold(line).replace("\r\n ", "") == line
    # 8 + 2*33 = 74 octets fit, one more "ł" would make 76.
    assert len(pieces[0].encode()) == 74


def test_calendar_round_trip_with_icalendar():
    warsaw = ZoneInfo("Europe/Warsaw")
    start = datetime(2026, 5, 14, 9, 0, tzinfo=warsaw)
    text = calendar([
        CalendarEvent(uid="event-1@example.org", start=start, end=start + timedelta(hours=2),
                      summary="Dzień B2B; metal, spawanie — Гродна", location="Białystok, PL",
                      description="Line one\nline two; with, separators \\ and a long tail "
                                  + "ż" * 80,
                      url="https://example.org/matchmaking/board/events/1/"),
    ], name="Wydarzenia, programu", stamp=STAMP)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    cal = icalendar.Calendar.from_ical(text)
    # X-WR-CALNAME is a non-standard (X-) property: icalendar keeps its raw value.
    assert "X-WR-CALNAME:Wydarzenia\\, programu\r\n" in text
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Dzień B2B; metal, spawanie — Гродна"
    assert str(event["LOCATION"]) == "Białystok, PL"
    assert str(event["DESCRIPTION"]) == ("Line one\nline two; with, separators \\ and a long "
                                         "tail " + "ż" * 80)
    # 09:00 in Warsaw in May (CEST, UTC+2) is 07:00 UTC, written as such.
    assert event.decoded("DTSTART") == datetime(2026, 5, 14, 7, 0, tzinfo=UTC)
    assert "DTSTART:20260514T070000Z\r\n" in text
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=2)
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["UID"]) == "event-1@example.org"


def test_refuses_naive_times_and_reversed_events():
    naive = datetime(2026, 5, 14, 9, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar([CalendarEvent("u", naive, naive, "x")], name="n", stamp=STAMP)
    aware = naive.replace(tzinfo=UTC)
    with pytest.raises(ValueError, match="ends before"):
        calendar([CalendarEvent("u", aware, aware - timedelta(minutes=1), "x")], name="n",
                 stamp=STAMP)


def test_empty_calendar_is_valid():
    cal = icalendar.Calendar.from_ical(calendar([], name="n", stamp=STAMP))
    assert cal.walk("VEVENT") == [] and str(cal["VERSION"]) == "2.0"


def test_language_parameter_on_the_texts_that_name_one():
    event = CalendarEvent(
        uid="e-1-pl@example.org", start=datetime(2026, 5, 14, 8, 0, tzinfo=UTC),
        end=datetime(2026, 5, 14, 10, 0, tzinfo=UTC), summary="Dzień B2B; Białystok",
        location="Białystok", description="Spotkania",
        languages={"SUMMARY": "pl", "DESCRIPTION": "pl"})
    text = calendar([event], name="x", stamp=STAMP)
    # §3.2.10: the parameter goes before the colon; the value is escaped as before.
    assert "\r\nSUMMARY;LANGUAGE=pl:Dzień B2B\\; Białystok\r\n" in text
    assert "\r\nLOCATION:Białystok\r\n" in text  # no language given: none claimed
    (parsed,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert parsed["SUMMARY"].params["LANGUAGE"] == "pl"
    assert parsed["DESCRIPTION"].params["LANGUAGE"] == "pl"
    assert "LANGUAGE" not in parsed["LOCATION"].params
    with pytest.raises(ValueError, match="language tag"):
        calendar([CalendarEvent(uid="u", start=STAMP, end=STAMP, summary="s",
                                languages={"SUMMARY": "pl:x"})], name="x", stamp=STAMP)
