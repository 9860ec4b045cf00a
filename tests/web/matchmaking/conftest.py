"""Fixtures of the matchmaking tests: the web conftest's ``registry`` plus an event."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Payloads and suggestions are cached per registry state; each test starts empty so a
    # state repeated across tests (same history ids after rollback) cannot leak.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def event(registry):
    from klaster.web.matchmaking.models import Event

    return Event.objects.create(title="B2B day", date=dt.date(2026, 5, 14),
                                start=dt.time(9, 0), slots=6, tables=3, slot_minutes=20,
                                created_by=registry["admin"])
