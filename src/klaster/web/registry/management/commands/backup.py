"""``python -m klaster.web backup ARCHIVE``: the database and the uploads in one archive."""

from django.core.management.base import BaseCommand, CommandError

from klaster.web.backup import BackupError, backup


class Command(BaseCommand):
    help = ("Back up the database (SQLite online backup or pg_dump) and the uploaded files "
            "(MEDIA_ROOT) into one tar archive (.tar or .tar.gz).")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Archive to write, e.g. klaster-2026-12-02.tar.gz")

    def handle(self, *args, archive, **options):
        try:
            report = backup(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(report.tables.values())
        self.stdout.write(f"backed up {report.engine}: {len(report.tables)} tables, "
                          f"{rows:,} rows, {report.files} uploaded file(s) -> "
                          f"{report.archive} ({report.bytes:,} bytes)")
