"""``python -m klaster.web restore ARCHIVE``: restore a backup into an empty database."""

from django.core.management.base import BaseCommand, CommandError

from klaster.web.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restore an archive written by `backup` into the configured database (empty, "
            "e.g. a new KLASTER_DATA_DIR or a new PostgreSQL database) and MEDIA_ROOT; "
            "checks every file's SHA-256 and every table's row count.")

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--force", action="store_true",
                            help="Replace a database that already holds data, and "
                                 "uploaded files that differ.")

    def handle(self, *args, archive, force=False, **options):
        try:
            report = restore(archive, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(report.tables.values())
        self.stdout.write(f"restored {report.engine}: {len(report.tables)} tables, "
                          f"{rows:,} rows, {report.files} uploaded file(s) "
                          f"({report.bytes:,} bytes); every count and checksum matches")
