"""Write everything held about one person (the administrator's side of GDPR Art. 15/20)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from klaster.web.privacy import services


class Command(BaseCommand):
    help = "Export a person's data as JSON (or CSV); the access is logged."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("output", help="file to write (.json or .csv)")

    def handle(self, *args, username, output, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no account named {username!r}")
        path = Path(output)
        text = services.export_csv(user) if path.suffix == ".csv" else services.export_json(user)
        services.write_private(path, text)
        services.log_access(None, user, "export", f"command line: {path.name}")
        self.stdout.write(f"wrote {path}")
