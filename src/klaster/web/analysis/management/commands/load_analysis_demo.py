"""Load the demo analyses and run them now, published: the packaged CBP 2021 extract (US
states x US benchmark clusters) and the packaged Eurostat regional SBS extract (EU28 NUTS 2
regions x US benchmark clusters on NACE divisions, Poland's voivodeships on the map).

Idempotent: a demo whose finished dataset exists is not loaded again.

``--queue`` (what ``klaster serve --demo`` does) only queues the two datasets: the two
analyses are most of a first start (88 s of 128 s at load 8; issue 14), so the server
answers first and its analysis worker process runs them; the analysis page says they are being
prepared, and each is published when it finishes (``tasks.publish_if_demo``).
"""

from django.core.management.base import BaseCommand

from klaster.web.analysis.models import Dataset, Status
from klaster.web.analysis.tasks import claim, run


def create_demo(user=None) -> Dataset:
    """A queued demo dataset (the packaged County Business Patterns 2021 extract)."""
    return Dataset.objects.create(
        title="County Business Patterns 2021, US states (demo)", source=Dataset.Source.DEMO,
        regions=Dataset.Regions.US_STATES, created_by=user)


def create_demo_eu(user=None) -> Dataset:
    """A queued EU demo dataset (the packaged Eurostat sbs_r_nuts06_r2 extract, NACE
    divisions, recoded to NUTS 2021; regions named and mapped by the task)."""
    from klaster.web.registry.models import CodeSystem

    return Dataset.objects.create(
        title="Eurostat regional business statistics 2008–2015, EU28 NUTS 2 (demo)",
        source=Dataset.Source.DEMO_EU, definitions=Dataset.Definitions.NACE_DIVISION,
        code_system=CodeSystem.NACE2, regions=Dataset.Regions.NONE, created_by=user)


DEMO_SOURCES = (Dataset.Source.DEMO, Dataset.Source.DEMO_EU)


def loader_demos():
    """The demo datasets this loader made (no author: an analyst's "load the demo" sets
    it), which are published when they finish."""
    return Dataset.objects.filter(source__in=DEMO_SOURCES, created_by__isnull=True)


def queue_demos() -> list[Dataset]:
    """Queue each demo analysis that is neither finished nor waiting/running; returns the
    datasets queued (a failed or interrupted one is queued anew)."""
    queued = []
    for source, create in ((Dataset.Source.DEMO, create_demo),
                           (Dataset.Source.DEMO_EU, create_demo_eu)):
        if Dataset.objects.filter(source=source, status=Status.DONE).exists() or \
                loader_demos().filter(source=source, status__in=(
                    Status.QUEUED, Status.RUNNING)).exists():
            continue
        queued.append(create())
    return queued


class Command(BaseCommand):
    help = ("Create and run the demo analysis datasets (CBP 2021; Eurostat regional SBS, "
            "EU28), published.")

    def add_arguments(self, parser):
        parser.add_argument("--queue", action="store_true",
                            help="only queue the analyses (a worker runs them and "
                            "publishes them when finished)")

    def handle(self, *args, **options):
        if options["queue"]:
            for ds in queue_demos():
                self.stdout.write(f"queued: {ds.title} (dataset {ds.pk})")
            return
        for source, create, what in ((Dataset.Source.DEMO, create_demo, "demo analysis"),
                                     (Dataset.Source.DEMO_EU, create_demo_eu,
                                      "EU demo analysis")):
            if Dataset.objects.filter(source=source, status=Status.DONE).exists():
                self.stdout.write(f"{what} already loaded")
                continue
            ds = create()
            claim(ds.pk)
            run(ds)
            ds.refresh_from_db()
            if ds.status != Status.DONE:
                self.stderr.write(f"{what} failed: {ds.error}")
                continue
            Dataset.objects.filter(pk=ds.pk).update(published=True)
            self.stdout.write(f"{what} loaded: dataset {ds.pk}")
