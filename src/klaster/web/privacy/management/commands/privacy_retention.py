"""Apply the retention periods (docs/privacy.md: run daily from cron or a systemd timer)."""

from django.core.management.base import BaseCommand

from klaster.web.privacy import conf, retention


class Command(BaseCommand):
    help = ("Anonymise accounts unused past KLASTER_PRIVACY_INACTIVE_DAYS, prune change "
            "history older than KLASTER_PRIVACY_HISTORY_DAYS (keeping each record's newest "
            "version), delete uploaded files older than KLASTER_PRIVACY_UPLOAD_DAYS.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="count what would be done; change nothing")

    def handle(self, *args, dry_run=False, **options):
        cfg = conf.get()
        report = retention.run(dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        self.stdout.write(f"retention ({'dry run' if dry_run else 'done'}): periods "
                          f"{cfg.inactive_days} / {cfg.history_days} / {cfg.upload_days} days")
        self.stdout.write(f"  {report.accounts} inactive account(s) {verb} anonymised")
        self.stdout.write(f"  {report.history_rows} history row(s) {verb} pruned")
        for table, n in sorted(report.history_tables.items()):
            self.stdout.write(f"    {table}: {n}")
        self.stdout.write(f"  {report.upload_files} uploaded file(s) {verb} deleted")
        self.stdout.write(f"  {report.proximity_tables} superseded proximity table(s) "
                          f"{verb} deleted")
