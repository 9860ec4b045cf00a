"""Matchmaking events: run ``klaster.matchmaking.schedule_meetings`` on the registrations
and store the meetings; read a participant's agenda back from the database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from klaster.web.matchmaking.models import Event, Meeting, Participant, Seat, Wish

# Polars and the analytics load inside the functions that use them: the URL map imports
# this module at every start of the platform (1-3 s of `klaster serve`; issue 14).
if TYPE_CHECKING:
    import polars as pl

# Seconds CP-SAT may search (it stops earlier when the schedule is provably optimal; a
# feasible schedule is kept otherwise, and the library falls back to its greedy one).
TIME_LIMIT = 20.0


def inputs(event: Event) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The scheduler's inputs from the database: ``participant_id, available`` (slot
    indices) and ``a, b, priority`` (one row per wish)."""
    import polars as pl
    participants = list(event.participants.order_by("pk").values("pk", "availability"))
    wishes = list(Wish.objects.filter(participant__event=event).order_by("pk")
                  .values("participant_id", "target_id", "priority"))
    p = pl.DataFrame({"participant_id": [r["pk"] for r in participants],
                      "available": [sorted({int(s) for s in r["availability"]
                                            if 0 <= int(s) < event.slots})
                                    for r in participants]},
                     schema={"participant_id": pl.Int64, "available": pl.List(pl.Int64)})
    # The scheduler maximises the summed priority of placed meetings (higher = more
    # wanted); a wish's rank 1 ("must meet") .. 3 ("if time allows") maps to 3 .. 1.
    r = pl.DataFrame({"a": [w["participant_id"] for w in wishes],
                      "b": [w["target_id"] for w in wishes],
                      "priority": [float(4 - w["priority"]) for w in wishes]},
                     schema={"a": pl.Int64, "b": pl.Int64, "priority": pl.Float64})
    return p, r


def run(event: Event) -> dict:
    """Compute and store the schedule (replacing an earlier one) in one transaction.

    Returns ``requested`` (distinct pairs wished), ``placed``, ``share``, ``unplaced``
    (a, b, priority, reason) and the solver ``status``. The seats' unique constraint
    (event, slot, participant) makes the database refuse any double booking, whatever
    the solver returns.
    """
    from klaster.matchmaking import schedule_meetings

    participants, requests = inputs(event)
    result = schedule_meetings(participants, requests, [t for _i, t in event.slot_times()],
                               slot_minutes=event.slot_minutes, tables=event.tables,
                               time_limit=TIME_LIMIT)
    rows = list(result.meetings.sort("slot", "table").iter_rows(named=True))
    with transaction.atomic():
        Meeting.objects.filter(event=event).delete()
        meetings = Meeting.objects.bulk_create([
            Meeting(event=event, slot=r["slot"], table=int(r["table"]), a_id=r["a"],
                    b_id=r["b"]) for r in rows])
        Seat.objects.bulk_create([
            Seat(meeting=m, event=event, slot=m.slot, participant_id=pid)
            for m in meetings for pid in (m.a_id, m.b_id)])
        event.scheduled = timezone.now()
        event.save(update_fields=["scheduled"])
    requested = len(meetings) + result.unplaced.height
    return {"requested": requested, "placed": len(meetings),
            "share": len(meetings) / requested if requested else 1.0,
            "unplaced": result.unplaced, "status": result.status}


def agenda_rows(participant: Participant) -> list[dict]:
    """The participant's stored meetings in time order: ``slot``, ``time``, ``table``
    (1-based) and ``other`` (the other side's Organisation)."""
    times = dict(participant.event.slot_times())
    seats = (Seat.objects.filter(participant=participant)
             .select_related("meeting__a__organisation", "meeting__b__organisation")
             .order_by("slot"))
    out = []
    for seat in seats:
        m = seat.meeting
        other = m.b if m.a_id == participant.pk else m.a
        out.append({"slot": m.slot, "time": times.get(m.slot, ""), "table": m.table,
                    "other": other.organisation})
    return out
