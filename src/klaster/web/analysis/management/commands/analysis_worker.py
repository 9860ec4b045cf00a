"""Run the analysis queue: ``python -m klaster.web analysis_worker [--once]``."""

import threading

from django.core.management.base import BaseCommand

from klaster.web.analysis.tasks import fail_stale as fail_stale_runs
from klaster.web.analysis.tasks import run_pending, worker_loop


class Command(BaseCommand):
    help = "Process queued analysis datasets (loop; --once empties the queue and exits)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="Run what is queued now, then exit.")
        parser.add_argument("--interval", type=float, default=2.0,
                            help="Seconds between polls of the queue.")
        parser.add_argument("--fail-stale", type=float, default=None, metavar="HOURS",
                            help="First mark datasets running for more than HOURS as "
                                 "failed, whatever their heartbeat. (Datasets whose "
                                 "worker stopped sending a heartbeat are failed "
                                 "automatically after KLASTER_JOB_STALE_SECONDS.)")

    def handle(self, *args, once=False, interval=2.0, fail_stale=None, **options):
        if fail_stale is not None:
            self.stdout.write(f"{fail_stale_runs(fail_stale)} stale dataset(s) marked failed")
        if once:
            n = run_pending()
            self.stdout.write(f"{n} dataset(s) processed")
            return
        stop = threading.Event()
        try:
            worker_loop(stop, interval)
        except KeyboardInterrupt:
            stop.set()
