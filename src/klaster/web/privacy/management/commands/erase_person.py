"""Erase one person's personal data (the administrator's side of GDPR Art. 17)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from klaster.web.privacy import services


class Command(BaseCommand):
    help = ("Erase a person's personal data everywhere (account anonymised, sign-in "
            "records, sessions and tokens deleted, identifiers scrubbed from every table, "
            "history included).")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--also", action="append", default=[],
                            help="another identifier to scrub, e.g. a phone number "
                                 "(repeatable)")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, username, also, yes=False, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no account named {username!r}")
        if not yes:
            answer = input(f"Erase the personal data of {username!r}? This cannot be "
                           "undone. [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("nothing erased")
        counts = services.erase_person(user, extra_terms=also)
        tables = counts.pop("tables_scrubbed")
        self.stdout.write("erased: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        for table, n in sorted(tables.items()):
            self.stdout.write(f"  scrubbed {table}: {n} row(s)")
