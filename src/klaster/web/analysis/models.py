"""Datasets analysed in the platform, their stored results, and potential clusters recorded
from them.

A Dataset is also the job record of the background runner (``tasks.py``): ``status``,
``stage`` and ``percent`` are what the progress endpoint reports. Results (rows here and
files under ``MEDIA_ROOT/analysis/<id>/``) are written in one transaction after the whole
analysis succeeded, so a failed run leaves none.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from klaster.web.registry.models import Cluster, CodeSystem


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")


class Dataset(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload", _("Uploaded file")
        DEMO = "demo", _("Demo: County Business Patterns 2021")
        DEMO_EU = "demo-eu", _("Demo: Eurostat regional business statistics, EU28 NUTS 2")

    class Format(models.TextChoices):
        AUTO = "auto", _("Detect from the file")
        TABLE = "table", _("Table in the canonical columns (CSV, Parquet, Excel)")
        CBP = "cbp", _("County Business Patterns extract")
        EUROSTAT = "eurostat", _("Eurostat TSV")

    class Definitions(models.TextChoices):
        US_BENCHMARK = "us-benchmark", _("US benchmark cluster definitions (NAICS 2017)")
        NACE_CLASS = "nace-class", _("US benchmark clusters on NACE Rev.2 classes "
                                     "(NACE, PKD 2007, OKED)")
        NACE_DIVISION = "nace-division", _("US benchmark clusters on NACE Rev.2 divisions "
                                           "(Eurostat, Belstat)")
        FILE = "file", _("Uploaded definitions file")

    class Regions(models.TextChoices):
        US_STATES = "us-states", _("Built-in US states")
        FILE = "file", _("Uploaded region table")
        NONE = "none", _("Region codes only")

    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.UPLOAD)
    file = models.FileField(_("statistics file"), upload_to="analysis/uploads/%Y/",
                            blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    format = models.CharField(_("file format"), max_length=10, choices=Format.choices,
                              default=Format.AUTO)
    data_year = models.PositiveSmallIntegerField(
        _("year of the data"), null=True, blank=True,
        help_text=_("Only for files without a year column."))
    definitions = models.CharField(_("cluster definitions"), max_length=16,
                                   choices=Definitions.choices,
                                   default=Definitions.US_BENCHMARK)
    definitions_file = models.FileField(_("definitions file"),
                                        upload_to="analysis/definitions/%Y/", blank=True)
    code_system = models.CharField(_("code system of the definitions"), max_length=12,
                                   choices=CodeSystem.choices, default=CodeSystem.NAICS2017)
    regions = models.CharField(_("regions"), max_length=10, choices=Regions.choices,
                               default=Regions.US_STATES)
    regions_file = models.FileField(_("region table"), upload_to="analysis/regions/%Y/",
                                    blank=True)
    year = models.PositiveSmallIntegerField(
        _("reference year"), null=True, blank=True,
        help_text=_("Year reported; default: the latest year of the data."))
    from_year = models.PositiveSmallIntegerField(
        _("first year of the change table"), null=True, blank=True,
        help_text=_("Default: the first year of the data."))

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=120, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    results_dir = models.CharField(max_length=255, blank=True)
    notes = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    published = models.BooleanField(_("published"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    # The running worker's last sign of life and its name (host:pid:thread); tasks.py
    # fails a "running" dataset whose heartbeat is older than tasks.STALE_SECONDS.
    heartbeat = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values),
                                   name="dataset_status_known"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="dataset_percent_range"),
            # Only a finished analysis can be published, and it has its results.
            models.CheckConstraint(condition=Q(published=False) | Q(status="done"),
                                   name="dataset_published_when_done"),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(results_dir=""),
                                   name="dataset_done_has_results"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def finished_ok(self) -> bool:
        return self.status == Status.DONE

    def cluster_definitions(self):
        """(definitions table, code system or None) chosen for this dataset.

        Built-in definitions by name (klaster.taxonomy.builtin_definitions); an uploaded
        file is read as it is. Raises DataError naming the uploaded file.
        """
        from klaster.errors import DataError
        from klaster.taxonomy import builtin_definitions, load_definitions

        if self.definitions == self.Definitions.FILE:
            try:
                return load_definitions(self.definitions_file.path, system=None), None
            except DataError as exc:
                raise DataError(exc.message, file=Path(self.definitions_file.name).name,
                                line=exc.line, field=exc.field) from None
        return builtin_definitions(self.definitions, vintage=2017)


class RegionCluster(models.Model):
    """One region x cluster row of the reference year (klaster INDICATOR_COLUMNS subset)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="rows")
    region = models.CharField(max_length=80)
    region_name = models.CharField(max_length=200)
    cluster = models.CharField(max_length=40)
    cluster_name = models.CharField(max_length=300)
    traded = models.BooleanField()
    year = models.PositiveSmallIntegerField()
    employment = models.FloatField(null=True)
    establishments = models.FloatField(null=True)
    lq = models.FloatField(null=True)
    strong = models.BooleanField(null=True)
    stars = models.PositiveSmallIntegerField(null=True)
    rank = models.PositiveIntegerField(null=True, help_text="Rank of the region by LQ in "
                                       "this cluster (1 = most specialised).")

    @classmethod
    def categories(cls, dataset, **filters):
        """The dataset's cluster categories as (code, English name) pairs, each once.

        ``order_by()`` takes the default ordering (lq, region) out of the DISTINCT, which
        would otherwise list every category once per region."""
        return (cls.objects.filter(dataset=dataset, **filters)
                .values_list("cluster", "cluster_name").order_by().distinct())

    class Meta:
        ordering = ["dataset", "-lq", "region", "cluster"]
        indexes = [models.Index(fields=["dataset", "region"], name="analysis_row_region"),
                   models.Index(fields=["dataset", "cluster"], name="analysis_row_cluster")]
        constraints = [models.UniqueConstraint(fields=["dataset", "region", "cluster"],
                                               name="analysis_row_unique")]


class RegionSummary(models.Model):
    """A region's profile: employment, strong clusters, diversity and ECI (clusters)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="region_summaries")
    region = models.CharField(max_length=80)
    name = models.CharField(max_length=200)
    employment = models.FloatField(null=True)
    traded_employment = models.FloatField(null=True)
    strong = models.PositiveIntegerField(default=0)
    three_star = models.PositiveIntegerField(default=0)
    diversity = models.PositiveIntegerField(null=True)
    eci = models.FloatField(null=True)
    coi = models.FloatField(null=True)

    class Meta:
        ordering = ["dataset", "name", "region"]
        constraints = [models.UniqueConstraint(fields=["dataset", "region"],
                                               name="analysis_region_unique")]


class Opportunity(models.Model):
    """A traded cluster the region is not yet specialised in, ranked by relatedness density
    and complexity (klaster.relatedness.opportunities; Balland et al. 2019)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE,
                                related_name="opportunities")
    region = models.CharField(max_length=80)
    cluster = models.CharField(max_length=40)
    cluster_name = models.CharField(max_length=300)
    rank = models.PositiveIntegerField()
    score = models.FloatField()
    density = models.FloatField()
    pci = models.FloatField()
    rca = models.FloatField()
    quadrant = models.CharField(max_length=60)
    supporting = models.TextField(blank=True)

    class Meta:
        ordering = ["dataset", "region", "rank"]
        constraints = [models.UniqueConstraint(fields=["dataset", "region", "cluster"],
                                               name="analysis_opportunity_unique")]


class PotentialClusterRecord(models.Model):
    """A registry cluster (status "potential") recorded from a dataset result, with the
    numbers it was recorded on. One per dataset x region x cluster (idempotent)."""

    class Kind(models.TextChoices):
        RESULT = "result", _("Region x cluster result")
        OPPORTUNITY = "opportunity", _("Opportunity")

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="recorded")
    region = models.CharField(max_length=80)
    cluster_code = models.CharField(max_length=40)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    cluster = models.OneToOneField(Cluster, on_delete=models.CASCADE,
                                   related_name="analysis_record")
    lq = models.FloatField(null=True)
    employment = models.FloatField(null=True)
    density = models.FloatField(null=True)
    rank = models.PositiveIntegerField(null=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    recorded = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "region", "cluster_code"],
                                    name="analysis_record_once"),
            models.CheckConstraint(condition=Q(kind__in=["result", "opportunity"]),
                                   name="analysis_record_kind_known"),
        ]


@receiver(post_delete, sender=Dataset, dispatch_uid="klaster.analysis.dataset_files")
def _remove_files(sender, instance: Dataset, **kwargs) -> None:
    """A deleted dataset takes its uploads and its results folder with it, once the
    deletion is committed (a rolled-back deletion keeps them)."""
    paths = [Path(settings.MEDIA_ROOT) / instance.results_dir] if instance.results_dir else []
    files = [f for f in (instance.file, instance.definitions_file, instance.regions_file) if f]

    def remove() -> None:
        for path in paths:
            shutil.rmtree(path, ignore_errors=True)
        for f in files:
            f.storage.delete(f.name)

    transaction.on_commit(remove)
