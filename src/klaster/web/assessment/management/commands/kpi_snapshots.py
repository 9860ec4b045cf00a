from __future__ import annotations

from django.core.management.base import BaseCommand

from klaster.web.assessment.services import take_snapshots


class Command(BaseCommand):
    help = "Compute and store the yearly KPI snapshot of every cluster (or of --cluster ids)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--cluster", type=int, action="append",
                            help="cluster id (repeatable); default: all clusters")

    def handle(self, *args, year: int, cluster=None, **options):
        n = take_snapshots(year, cluster)
        self.stdout.write(f"{n} KPI value(s) stored for {year}")
