from django.core.management.base import BaseCommand, CommandError

from klaster.errors import KlasterError


class Command(BaseCommand):
    help = ("Write the registry as tables (one Parquet or CSV file per table of "
            "klaster.registry_tables) for the command-line analytics: klaster "
            "network-metrics, klaster match. Includes unpublished records: an operator's "
            "command.")

    def add_arguments(self, parser):
        parser.add_argument("directory", help="folder to write (created if missing)")
        parser.add_argument("--format", choices=["parquet", "csv"], default="parquet")
        parser.add_argument("--cluster", type=int, action="append", dest="clusters",
                            help="only this cluster's records (repeatable); default all")
        parser.add_argument("--include-personal", action="store_true",
                            help="keep e-mail addresses and phone numbers written in free "
                                 "text (default: removed; the tables have no person columns)")

    def handle(self, *args, directory, format, clusters=None, include_personal=False,
               **options):
        from klaster.networks.io import write_registry
        from klaster.web.registry.tables import export_tables

        try:
            tables = export_tables(clusters, pseudonymous=not include_personal)
            paths = write_registry(tables, directory, fmt=format)
        except KlasterError as exc:
            raise CommandError(str(exc)) from None
        counts = ", ".join(f"{name} {frame.height:,}" for name, frame in tables.tables().items())
        self.stdout.write(f"wrote {len(paths)} tables to {directory}: {counts}")
        if include_personal:
            from klaster.web.privacy.services import log_access

            log_access(None, None, "report", f"export_registry --include-personal {directory}")
            self.stdout.write("personal data: free text kept as written (--include-personal); "
                              "this export is logged")
        else:
            self.stdout.write("personal data: none (no person columns; e-mail addresses and "
                              "phone numbers removed from free text)")
