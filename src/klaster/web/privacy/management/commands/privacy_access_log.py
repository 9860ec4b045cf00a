"""Show the log of access to personal data (who viewed, exported or erased whose data)."""

from django.core.management.base import BaseCommand

from klaster.web.privacy.models import AccessLogEntry


class Command(BaseCommand):
    help = "Print the newest entries of the personal-data access log."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args, limit, **options):
        rows = AccessLogEntry.objects.select_related("actor", "subject")[:limit]
        for e in rows:
            actor = e.actor.get_username() if e.actor else e.actor_label
            subject = e.subject.get_username() if e.subject else "-"
            self.stdout.write(f"{e.at.isoformat(timespec='seconds')}  {actor}  "
                              f"{e.get_action_display()}  {subject}  {e.what}")
