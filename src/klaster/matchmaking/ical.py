"""iCalendar (RFC 5545) feed of matchmaking events: events in, calendar text out.

No iCalendar writer is among klaster's runtime dependencies, so this is a small writer of
the part of RFC 5545 a feed of one-day events needs, following the RFC's rules:

* lines end in CRLF (§3.1);
* content lines longer than 75 octets are folded: CRLF followed by one space, never
  inside a UTF-8 multi-octet character (§3.1);
* TEXT values escape backslash, semicolon and comma with a backslash, and a newline as
  ``\\n`` (§3.3.11);
* a TEXT property may say its language with the LANGUAGE parameter (§3.2.10, an RFC 5646
  tag such as ``pl``); SUMMARY, LOCATION and DESCRIPTION occur at most once in a VEVENT
  (§3.6.1), so a feed in several languages has one VEVENT per language;
* a VEVENT has UID and DTSTAMP (§3.6.1); times are written in UTC (``...Z``, §3.3.5
  form #2): a local time with a TZID parameter would need a VTIMEZONE component
  (§3.2.19), and UTC is read the same by every client.

The tests parse the output back with the ``icalendar`` package (a dev dependency) and
check folding and escaping against the RFC's examples.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

PRODID = "-//klaster//cluster programme matchmaking events//EN"
MAX_OCTETS = 75


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # globally unique and stable, e.g. "event-7@example.org"
    start: datetime  # timezone-aware
    end: datetime  # timezone-aware
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    modified: datetime | None = None  # LAST-MODIFIED, timezone-aware
    # The language of SUMMARY, LOCATION or DESCRIPTION when known ({"SUMMARY": "pl"});
    # a property left out has no LANGUAGE parameter (e.g. a text in an unknown language).
    languages: dict[str, str] = field(default_factory=dict, hash=False)


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash first, then ; and , ; newlines as \\n."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line: str) -> str:
    """Fold one content line into CRLF-separated pieces of at most 75 octets each
    (continuation lines start with a space, which counts in their 75), never splitting
    a UTF-8 character (RFC 5545 §3.1)."""
    out: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


def _utc(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("calendar times must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(name: str, value: str, languages: dict[str, str]) -> str:
    """A TEXT content line, with ``;LANGUAGE=`` when its language is known (§3.2.10)."""
    tag = languages.get(name)
    if tag is not None and not _is_language_tag(tag):
        raise ValueError(f"{name}: {tag!r} is not a language tag")
    return f"{name}{';LANGUAGE=' + tag if tag else ''}:{escape_text(value)}"


def _is_language_tag(tag: str) -> bool:
    # RFC 5646's ABNF allows letters, digits and hyphens only; that is all a parameter
    # value without quotes needs to stay unambiguous (§3.1: no ; : , in it).
    return bool(tag) and all(part.isascii() and part.isalnum() and len(part) <= 8
                             for part in tag.split("-"))


def calendar(events: Iterable[CalendarEvent], *, name: str, stamp: datetime) -> str:
    """The VCALENDAR text (CRLF line ends, folded) of ``events``; ``stamp``: DTSTAMP of
    every event (when the feed was generated), ``name``: the calendar's display name."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape_text(name)}"]
    for e in events:
        if e.end < e.start:
            raise ValueError(f"event {e.uid}: ends before it starts")
        lines += ["BEGIN:VEVENT", f"UID:{escape_text(e.uid)}", f"DTSTAMP:{_utc(stamp)}",
                  f"DTSTART:{_utc(e.start)}", f"DTEND:{_utc(e.end)}",
                  _text("SUMMARY", e.summary, e.languages)]
        if e.location:
            lines.append(_text("LOCATION", e.location, e.languages))
        if e.description:
            lines.append(_text("DESCRIPTION", e.description, e.languages))
        if e.url:
            # URI values are not TEXT: no escaping (§3.3.13); the caller gives a valid URI.
            lines.append(f"URL:{e.url}")
        if e.modified is not None:
            lines.append(f"LAST-MODIFIED:{_utc(e.modified)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
