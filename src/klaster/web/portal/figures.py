"""The programme's key figures and newest records for the home page.

A query helper (pages stay thin): every count goes through the same visibility rules as
the directory and the API (klaster.web.registry.permissions), so an anonymous visitor's
figures count published clusters only, and a signed-in user's also count what they may
see. Members are organisations with a current membership (no end date) in a visible
cluster, each counted once however many clusters it belongs to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from klaster.web.registry import permissions as perms
from klaster.web.registry.models import Cluster, Helix, Membership, Organisation, PartnerRequest
from klaster.web.registry.queries import attach_member_counts


@dataclass(frozen=True)
class HelixCount:
    key: str
    label: str
    count: int
    share: float  # of all member organisations, 0..100


@dataclass(frozen=True)
class KeyFigures:
    clusters: int
    organisations: int
    by_helix: tuple[HelixCount, ...]
    labels: int
    open_requests: int
    upcoming_events: int


def key_figures(user, today: dt.date) -> KeyFigures:
    """The counts shown on the home page for ``user`` on ``today``."""
    from klaster.web.assessment.models import Label
    from klaster.web.matchmaking.models import Event

    clusters = perms.visible_clusters(user)
    members = (Organisation.objects
               .filter(pk__in=Membership.objects.filter(cluster__in=clusters, left__isnull=True)
                       .values("organisation_id")))
    counts = dict(members.values_list("helix").annotate(n=Count("id")).order_by())
    total = sum(counts.values())
    by_helix = tuple(
        HelixCount(key, str(label), counts.get(key, 0),
                   100.0 * counts.get(key, 0) / total if total else 0.0)
        for key, label in Helix.choices)
    labels = Label.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today),
                                  cluster__in=clusters, revoked=False, granted__lte=today)
    requests = perms.visible(PartnerRequest, user).filter(status=PartnerRequest.Status.OPEN)
    return KeyFigures(
        clusters=clusters.count(), organisations=total, by_helix=by_helix,
        labels=labels.count(), open_requests=requests.count(),
        upcoming_events=Event.objects.filter(date__gte=today).count())


def newest_clusters(user, limit: int = 6) -> list[Cluster]:
    """The most recently registered clusters ``user`` may see, with ``member_count``."""
    qs = perms.visible_clusters(user).order_by("-created", "-pk")[:limit]
    return attach_member_counts(qs)


def upcoming_events(today: dt.date, limit: int = 4):
    """The next matchmaking events (the event list is public), soonest first."""
    from klaster.web.matchmaking.models import Event

    return list(Event.objects.filter(date__gte=today).order_by("date", "start", "pk")[:limit])
