"""klaster.matchmaking — partner suggestions with reasons, and B2B meeting schedules.

Public API (method and citations in docs/networks.md):

* :func:`suggest` / :func:`match_requests` — ranked partners (organisations and open
  requests) for partner requests, score breakdown and readable reasons
* :func:`schedule_meetings` -> :class:`ScheduleResult`, :func:`agenda` — bilateral
  meeting schedule of a matchmaking event (OR-Tools CP-SAT)
* :func:`generate_event` — a synthetic event for tests and benchmarks
"""

# Names load on first use (klaster._lazy): importing the package stays cheap, so a
# command pays only for the modules it runs.
from klaster._lazy import attach

__all__ = attach(__name__, {
    "schedule": [
        "GeneratedEvent", "ScheduleResult", "agenda", "generate_event", "schedule_meetings",
    ],
    "suggest": [
        "COMPONENTS", "DEFAULT_WEIGHTS", "HELIX_MATRIX", "SUGGESTION_SCHEMA", "match_requests",
        "shared_terms", "suggest", "text_similarity", "translit",
    ],
})
