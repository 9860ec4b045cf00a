"""iCalendar (RFC 5545) feed of matchmaking events: events in, calendar text out.

No iCalendar writer is among klaster's runtime dependencies, so this is a small writer of
the part of RFC 5545 a feed of one-day events needs, following the RFC's rules:

* lines end in CRLF (§3.1);
* content lines longer than 75 octets are folded: CRLF followed by one space, never
  inside a UTF-8 multi-octet character (§3.1);
* TEXT values escape backslash, semicolon and comma with a backslash, and a newline as
  ``\\n`` (§3.3.11);
* a VEVENT has UID and DTSTAMP (§3.6.1); times are written in UTC (``...Z``, §3.3.5
  form #2): a local time with a TZID parameter would need a VTIMEZONE component
  (§3.2.19), and UTC is read the same by every client.

The tests parse the output back with the ``icalendar`` package (a dev dependency) and
check folding and escaping against the RFC's examples.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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
                  f"SUMMARY:{escape_text(e.summary)}"]
        if e.location:
            lines.append(f"LOCATION:{escape_text(e.location)}")
        if e.description:
            lines.append(f"DESCRIPTION:{escape_text(e.description)}")
        if e.url:
            # URI values are not TEXT: no escaping (§3.3.13); the caller gives a valid URI.
            lines.append(f"URL:{e.url}")
        if e.modified is not None:
            lines.append(f"LAST-MODIFIED:{_utc(e.modified)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
