"""Load the demo analysis (packaged CBP 2021, US states) and run it now, published.

Idempotent: does nothing when a finished demo dataset exists.
"""

from django.core.management.base import BaseCommand

from klaster.web.analysis.models import Dataset, Status
from klaster.web.analysis.tasks import claim, run


def create_demo(user=None) -> Dataset:
    """A queued demo dataset (the packaged County Business Patterns 2021 extract)."""
    return Dataset.objects.create(
        title="County Business Patterns 2021, US states (demo)", source=Dataset.Source.DEMO,
        regions=Dataset.Regions.US_STATES, created_by=user)


class Command(BaseCommand):
    help = "Create and run the demo analysis dataset (CBP 2021), published."

    def handle(self, *args, **options):
        if Dataset.objects.filter(source=Dataset.Source.DEMO, status=Status.DONE).exists():
            self.stdout.write("demo analysis already loaded")
            return
        ds = create_demo()
        claim(ds.pk)
        run(ds)
        ds.refresh_from_db()
        if ds.status != Status.DONE:
            self.stderr.write(f"demo analysis failed: {ds.error}")
            return
        Dataset.objects.filter(pk=ds.pk).update(published=True)
        self.stdout.write(f"demo analysis loaded: dataset {ds.pk}")
