"""E-mail coordinators of labels expiring within N days, and evaluators with pending work.

Run daily (cron). A label is reminded once (``Label.reminded`` is set); evaluators are
reminded on every run while their scores are pending.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from klaster.web.assessment.models import Application, EvaluatorAssignment, Label
from klaster.web.privacy.mail import send_mass_mail


class Command(BaseCommand):
    help = "E-mail expiry reminders for labels and pending-work reminders for evaluators."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90,
                            help="remind of labels expiring within this many days (90)")

    def handle(self, *args, days: int, **options):
        today = timezone.localdate()
        horizon = today + dt.timedelta(days=days)
        labels = list(Label.objects.filter(revoked=False, reminded__isnull=True,
                                           valid_until__gte=today, valid_until__lte=horizon)
                      .select_related("cluster"))
        User = get_user_model()
        coordinators: dict[int, list] = {}
        for user in (User.objects.filter(coordinated_clusters__in=[lb.cluster_id for lb in labels])
                     .exclude(email="").values("email", "coordinated_clusters")):
            coordinators.setdefault(user["coordinated_clusters"], []).append(user["email"])
        messages = []
        for label in labels:
            to = coordinators.get(label.cluster_id, [])
            if to:
                subject = (f"[klaster] {label.scheme} label of {label.cluster.name_en} "
                           f"expires {label.valid_until.isoformat()}")
                body = (f"The {label.scheme} label ({label.level}) of {label.cluster.name_en} "
                        f"is valid until {label.valid_until.isoformat()}. Apply to a new call "
                        f"in time to keep it.")
                messages.append((subject, body, None, to))
        pending = (EvaluatorAssignment.objects.filter(
            submitted__isnull=True, application__status__in=[Application.Status.SUBMITTED,
                                                             Application.Status.APPEALED])
            .exclude(evaluator__email="").select_related("evaluator", "application__cluster"))
        per_evaluator: dict[str, list[str]] = {}
        for a in pending:
            per_evaluator.setdefault(a.evaluator.email, []).append(a.application.cluster.name_en)
        for email, clusters in per_evaluator.items():
            messages.append(("[klaster] Assessments waiting for your scores",
                             "Please score: " + ", ".join(sorted(clusters)) + ".", None, [email]))
        sent = send_mass_mail(messages) if messages else 0
        for label in labels:
            if coordinators.get(label.cluster_id):
                label.reminded = today
                label.save(update_fields=["reminded"])  # a save, so the history records it
        self.stdout.write(f"{sent} reminder(s) sent")
