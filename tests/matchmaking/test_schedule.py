"""Meeting schedule: hand-solved small events, brute-force optimum on random tiny events,
invariants on random events and on generate_event(200)."""

from __future__ import annotations

from itertools import product

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.errors import DataError
from klaster.matchmaking import agenda, generate_event, schedule_meetings


def people(avail: dict[int, list[int] | None]) -> pl.DataFrame:
    return pl.DataFrame({"participant_id": list(avail), "name": [f"P{i}" for i in avail],
                         "available": list(avail.values())},
                        schema={"participant_id": pl.Int64, "name": pl.Utf8,
                                "available": pl.List(pl.Int64)})


def reqs(rows) -> pl.DataFrame:
    return pl.DataFrame([{"a": a, "b": b, "priority": float(p)} for a, b, p in rows],
                        schema={"a": pl.Int64, "b": pl.Int64, "priority": pl.Float64})


def check_invariants(result, participants, requests, n_tables=None):
    m = result.meetings
    avail = {p: set(a) for p, a in participants.select("participant_id", "available")
             .iter_rows()}
    seen = set()
    for a, b, slot, table in m.select("a", "b", "slot", "table").iter_rows():
        assert slot in avail[a] and slot in avail[b]  # availability respected
        for p in (a, b):
            assert (p, slot) not in seen  # nobody double-booked
            seen.add((p, slot))
    assert m.select("a", "b").is_unique().all()  # each meeting at most once
    assert m.select("slot", "table").is_unique().all()  # one meeting per table and slot
    if n_tables is not None:
        assert m.group_by("slot").len()["len"].max() <= n_tables if m.height else True
    pairs = {(min(a, b), max(a, b)) for a, b in requests.select("a", "b").iter_rows()}
    placed = set(m.select("a", "b").iter_rows())
    unplaced = set(result.unplaced.select("a", "b").iter_rows())
    assert placed | unplaced == pairs and not placed & unplaced
    assert result.placed_share == pytest.approx(len(placed) / len(pairs) if pairs else 1.0)


def test_triangle_needs_three_slots():
    # Any two meetings of a triangle share a participant: one meeting per slot.
    p = people({1: [0, 1], 2: [0, 1], 3: [0, 1]})
    r = reqs([(1, 2, 1), (1, 3, 1), (2, 3, 1)])
    res = schedule_meetings(p, r, ["09:00", "09:20"])
    assert res.meetings.height == 2 and res.placed_share == pytest.approx(2 / 3)
    assert res.unplaced["reason"].to_list() == [
        "every common free slot is taken by other meetings of the two"]
    check_invariants(res, p, r)
    p3 = people({1: [0, 1, 2], 2: [0, 1, 2], 3: [0, 1, 2]})
    res3 = schedule_meetings(p3, r, ["09:00", "09:20", "09:40"])
    assert res3.placed_share == 1.0 and res3.unplaced.is_empty()


def test_priority_wins_the_only_slot():
    p = people({1: [0], 2: [0], 3: [0]})
    res = schedule_meetings(p, reqs([(1, 2, 1), (1, 3, 5)]), ["10:00"])
    assert res.meetings.select("a", "b").rows() == [(1, 3)]
    assert res.unplaced.select("a", "b").rows() == [(1, 2)]


def test_availability_and_no_common_slot():
    p = people({1: [0, 1, 2], 2: [2], 3: [0], 4: None})
    r = reqs([(1, 2, 1), (2, 3, 1), (3, 4, 1)])
    res = schedule_meetings(p, r, ["a", "b", "c"])
    by = {(a, b): s for a, b, s in res.meetings.select("a", "b", "slot").iter_rows()}
    assert by == {(1, 2): 2, (3, 4): 0}
    assert res.unplaced.row(0, named=True)["reason"] == "no slot in which both are available"


def test_table_capacity():
    p = people({1: [0], 2: [0], 3: [0], 4: [0]})
    r = reqs([(1, 2, 1), (3, 4, 2)])
    res = schedule_meetings(p, r, ["09:00"], tables=["T-A"])
    assert res.meetings.rows() == [(3, 4, 0, "09:00", "T-A", 2.0)]
    assert res.unplaced["reason"].to_list() == ["no table left in the slots both have free"]
    assert schedule_meetings(p, r, ["09:00"]).placed_share == 1.0  # no table limit


def test_duplicates_merged_and_errors():
    p = people({1: [0, 1], 2: [0, 1]})
    res = schedule_meetings(p, reqs([(1, 2, 1), (2, 1, 3)]), ["x", "y"])
    assert res.meetings.height == 1 and res.meetings["priority"][0] == 3.0
    assert res.issues.counts() == {"duplicate": 1}
    with pytest.raises(DataError, match="line 3, field 'b'.*unknown participant 9"):
        schedule_meetings(p, reqs([(1, 2, 1), (1, 9, 1)]), ["x", "y"])
    with pytest.raises(DataError, match="cannot meet itself"):
        schedule_meetings(p, reqs([(1, 1, 1)]), ["x", "y"])
    with pytest.raises(DataError, match="line 2, field 'available'"):
        schedule_meetings(people({1: [5], 2: [0]}), reqs([(1, 2, 1)]), ["x"])
    with pytest.raises(DataError, match="priority"):
        schedule_meetings(p, reqs([(1, 2, 0)]), ["x", "y"])
    with pytest.raises(DataError, match="no time slots"):
        schedule_meetings(p, reqs([(1, 2, 1)]), [])


def test_agenda():
    p = people({1: [0, 1, 2], 2: [1], 3: [0, 2]})
    res = schedule_meetings(p, reqs([(1, 2, 1), (1, 3, 1)]), ["09:00", "09:20", "09:40"])
    ag = agenda(res, 1)
    assert [a["slot"] for a in ag] == sorted(a["slot"] for a in ag)
    assert {a["partner"] for a in ag} == {"P2", "P3"}
    assert ag[0]["minutes"] == 20
    assert [a["time"] for a in agenda(res, 2)] == ["09:20"]
    with pytest.raises(DataError, match="no participant 7"):
        agenda(res, 7)


def brute_force(avail, pairs, prio, n_slots, n_tables):
    """Best total priority over every assignment (slot or none) of every meeting."""
    best = 0.0
    for choice in product([None, *range(n_slots)], repeat=len(pairs)):
        busy, used, total, ok = set(), {}, 0.0, True
        for (a, b), p, s in zip(pairs, prio, choice):
            if s is None:
                continue
            if s not in avail[a] or s not in avail[b] or (a, s) in busy or (b, s) in busy:
                ok = False
                break
            used[s] = used.get(s, 0) + 1
            if n_tables is not None and used[s] > n_tables:
                ok = False
                break
            busy |= {(a, s), (b, s)}
            total += p
        if ok:
            best = max(best, total)
    return best


event = st.integers(2, 5).flatmap(lambda n: st.tuples(
    st.just(n),
    st.integers(1, 3),  # slots
    st.lists(st.frozensets(st.integers(0, 2)), min_size=n, max_size=n),
    st.lists(st.tuples(st.integers(1, n), st.integers(1, n), st.integers(1, 3)),
             max_size=5),
    st.one_of(st.none(), st.integers(1, 2)),
))


@settings(max_examples=60, deadline=None)
@given(ev=event)
def test_random_tiny_events_optimal_and_valid(ev):
    n, n_slots, avail_sets, rows, n_tables = ev
    avail = {i + 1: sorted(s for s in avail_sets[i] if s < n_slots) for i in range(n)}
    merged: dict = {}
    for a, b, p in rows:
        if a != b:
            key = (min(a, b), max(a, b))
            merged[key] = max(merged.get(key, 0), p)
    p = people(avail)
    r = reqs([(a, b, q) for (a, b), q in merged.items()])
    res = schedule_meetings(p, r, [f"s{i}" for i in range(n_slots)], tables=n_tables)
    check_invariants(res, p, r, n_tables)
    pairs = list(merged)
    best = brute_force({k: set(v) for k, v in avail.items()}, pairs,
                       [merged[k] for k in pairs], n_slots, n_tables)
    assert res.meetings["priority"].sum() == pytest.approx(best)


def test_generated_event_200():
    ev = generate_event(200, seed=0)
    assert ev.participants.height == 200 and ev.requests.height > 400
    # Skewed popularity: the most requested participant is asked several times as often
    # as the median one.
    asked = ev.requests["b"].value_counts()["count"]
    assert asked.max() >= 3 * asked.median()
    # Availability gaps exist.
    assert (ev.participants["available"].list.len() < len(ev.slots)).sum() > 20
    res = schedule_meetings(ev.participants, ev.requests, ev.slots, tables=ev.tables)
    check_invariants(res, ev.participants, ev.requests, ev.tables)
    assert res.placed_share >= 0.95


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_event_tight_tables(seed):
    """Half the tables: the solver must choose, and still keeps every invariant."""
    ev = generate_event(120, seed=seed)
    tables = ev.tables // 2
    res = schedule_meetings(ev.participants, ev.requests, ev.slots, tables=tables)
    check_invariants(res, ev.participants, ev.requests, tables)
    assert res.status in ("optimal", "time limit")
    assert set(res.unplaced["reason"]) <= {
        "no slot in which both are available",
        "every common free slot is taken by other meetings of the two",
        "no table left in the slots both have free"}
