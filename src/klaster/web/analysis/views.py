"""Analysis pages: datasets (upload, progress, results), region pages with opportunities,
and "record as potential cluster".

Thin views: the analysis runs in the background runner (tasks.py), rights come from
analysis.permissions (which builds on the registry's rule book).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from csp.decorators import csp_replace
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from klaster.i18n import translator
from klaster.web.analysis import permissions as perms
from klaster.web.analysis.forms import DatasetForm
from klaster.web.analysis.management.commands.load_analysis_demo import create_demo
from klaster.web.analysis.models import (
    Dataset,
    Opportunity,
    PotentialClusterRecord,
    RegionCluster,
    RegionSummary,
    Status,
)
from klaster.web.analysis.pipeline import TABLES, report_name
from klaster.web.analysis.tasks import STALE_ERROR, fail_lost_jobs, results_path
from klaster.web.analysis.templatetags.engine_i18n import named_choices
from klaster.web.registry.models import Cluster, ClusterStatus, Document
from klaster.web.registry.validators import normalise_codes
from klaster.web.security import REPORT_POLICY

PAGE_SIZE = 50
# Stage names the runner stores in English; the status endpoint and page translate them.
STAGES = (gettext_noop("Starting"), gettext_noop("Loading statistics"),
          gettext_noop("Computing indicators"), gettext_noop("Rendering the report"),
          gettext_noop("Relatedness and opportunities"), gettext_noop("Writing results"),
          gettext_noop("Finished"))


def dataset_list(request):
    from klaster.web.analysis.management.commands.load_analysis_demo import loader_demos

    return render(request, "analysis/list.html", {
        "datasets": perms.visible_datasets(request.user),
        "analyst": perms.is_analyst(request.user),
        # `klaster serve --demo` runs the demo analyses after the server answers.
        "preparing": loader_demos().filter(
            status__in=(Status.QUEUED, Status.RUNNING)).exists(),
    })


def dataset_create(request):
    perms.require_analyst(request.user)
    form = DatasetForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        ds = form.save(commit=False)
        ds.created_by = request.user
        ds.file_name = Path(request.FILES["file"].name).name
        ds.save()
        messages.success(request, _("Uploaded. The analysis runs in the background."))
        return redirect("analysis:dataset", ds.pk)
    return render(request, "analysis/upload.html", {"form": form})


@require_POST
def demo_create(request):
    perms.require_analyst(request.user)
    existing = (Dataset.objects.filter(source=Dataset.Source.DEMO)
                .exclude(status=Status.FAILED).first())
    ds = existing or create_demo(request.user)
    return redirect("analysis:dataset", ds.pk)


def _error(ds: Dataset) -> str:
    return _(STALE_ERROR) if ds.error == STALE_ERROR else ds.error


def _status(ds: Dataset) -> dict:
    return {"id": ds.pk, "status": ds.status, "status_label": ds.get_status_display(),
            "stage": _(ds.stage) if ds.stage else "", "percent": ds.percent,
            "error": _error(ds), "finished": ds.status in (Status.DONE, Status.FAILED),
            "url": reverse("analysis:dataset", args=[ds.pk])}


def _checked(ds: Dataset) -> Dataset:
    """A running dataset whose worker is lost (stale heartbeat) is failed on sight."""
    if ds.status == Status.RUNNING and fail_lost_jobs(ds.pk):
        ds.refresh_from_db()
    return ds


def dataset_status(request, pk):
    ds = _checked(perms.get_dataset_or_404(request.user, pk))
    return JsonResponse(_status(ds))


def _recorded(ds: Dataset) -> dict[tuple[str, str], int]:
    return {(r, c): k for r, c, k in PotentialClusterRecord.objects.filter(dataset=ds)
            .values_list("region", "cluster_code", "cluster_id")}


def region_urls(ds: Dataset, codes) -> dict[str, str]:
    """Each region code's page URL, as ``reverse("analysis:region", args=[ds.pk, code])``
    gives it, with one reverse() for all: the Eurostat demo's page links ~300 regions, and
    a ``{% url %}`` per link was a third of the page's server time. The code is quoted
    as reverse() quotes a path argument (django.urls.resolvers._reverse_with_prefix)."""
    marker = "region-code-marker"
    head, tail = reverse("analysis:region", args=[ds.pk, marker]).split(marker)
    return {c: head + quote(str(c), safe=RFC3986_SUBDELIMS + "/~:@") + tail for c in codes}


def dataset_detail(request, pk):
    ds = _checked(perms.get_dataset_or_404(request.user, pk))
    ctx = {"ds": ds, "status": _status(ds), "error": _error(ds), "analyst": perms.is_analyst(request.user),
           "can_publish": perms.can_publish(request.user)}
    if ds.status == Status.DONE:
        rows = RegionCluster.objects.filter(dataset=ds)
        region = request.GET.get("region", "")
        cluster = request.GET.get("cluster", "")
        strong = request.GET.get("strong") == "1"
        local = request.GET.get("local") == "1"
        if region:
            rows = rows.filter(region=region)
        if cluster:
            rows = rows.filter(cluster=cluster)
        if strong:
            rows = rows.filter(strong=True)
        if not local:
            rows = rows.filter(traded=True)
        page = Paginator(rows.order_by("-lq", "region", "cluster"), PAGE_SIZE).get_page(
            request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        recorded = _recorded(ds)
        regions = list(RegionSummary.objects.filter(dataset=ds).order_by("name", "region"))
        urls = region_urls(ds, {r.region for r in regions}
                           | {row.region for row in page.object_list})
        for r in regions:
            r.url = urls[r.region]
        for row in page.object_list:
            row.recorded_cluster = recorded.get((row.region, row.cluster))
            row.region_url = urls[row.region]
        ctx.update(
            page=page, query=query.urlencode(), region=region, cluster=cluster,
            strong=strong, local=local, regions=regions,
            clusters=named_choices(RegionCluster.categories(ds, traded=True)),
            downloads=[t for t in TABLES
                       if (results_path(ds) / f"{t}.parquet").exists()],
        )
    return render(request, "analysis/dataset.html", ctx)


@xframe_options_sameorigin
@csp_replace(REPORT_POLICY["DIRECTIVES"])
def dataset_report(request, pk):
    ds = perms.get_dataset_or_404(request.user, pk)
    if ds.status != Status.DONE:
        raise Http404("no report yet")
    # The worker rendered the report in every language; serve the reader's (datasets
    # analysed before reports had languages have the English one only).
    folder = results_path(ds)
    path = folder / report_name((get_language() or "en").split("-")[0])
    if not path.exists():
        path = folder / report_name("en")
    # The report is several MB of HTML with plotly.js inline, about a quarter of that
    # gzipped: a gzip copy is written beside it on first request and served to browsers
    # that accept it (a finished report never changes, so the copy never goes stale).
    encoding = None
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        path, encoding = _gzip_copy(path), "gzip"
    response = FileResponse(open(path, "rb"), content_type="text/html; charset=utf-8")
    if encoding:
        response["Content-Encoding"] = encoding
    patch_vary_headers(response, ("Accept-Language", "Cookie", "Accept-Encoding"))
    # The reader's browser keeps it for an hour (private: it may be an unpublished one).
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _gzip_copy(path: Path) -> Path:
    """``path`` + ``.gz`` (written once, atomically, by whichever request comes first)."""
    import gzip
    import os
    import tempfile

    target = path.with_name(path.name + ".gz")
    if target.exists() and target.stat().st_mtime_ns >= path.stat().st_mtime_ns:
        return target
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".report-", suffix=".gz.tmp")
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb",
                                                       compresslevel=6, mtime=0) as out:
            out.write(path.read_bytes())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def dataset_download(request, pk, table, fmt):
    ds = perms.get_dataset_or_404(request.user, pk)
    if ds.status != Status.DONE or table not in TABLES or fmt not in ("csv", "parquet"):
        raise Http404("no such table")
    path = results_path(ds) / f"{table}.{fmt}"
    if not path.exists():
        raise Http404("no such table")
    return FileResponse(open(path, "rb"), as_attachment=True,
                        filename=f"klaster-{ds.pk}-{table}.{fmt}")


def region_detail(request, pk, region):
    ds = perms.get_dataset_or_404(request.user, pk)
    if ds.status != Status.DONE:
        raise Http404("no results yet")
    try:
        summary = RegionSummary.objects.get(dataset=ds, region=region)
    except RegionSummary.DoesNotExist:
        raise Http404(f"no region {region}") from None
    recorded = _recorded(ds)
    rows = list(RegionCluster.objects.filter(dataset=ds, region=region, traded=True)
                .order_by("-lq", "cluster"))
    opps = list(Opportunity.objects.filter(dataset=ds, region=region).order_by("rank"))
    for item in (*rows, *opps):
        item.recorded_cluster = recorded.get((region, item.cluster))
    return render(request, "analysis/region.html", {
        "ds": ds, "summary": summary, "rows": rows, "opportunities": opps,
        "analyst": perms.is_analyst(request.user),
    })


def _definition_codes(ds: Dataset, cluster: str) -> list[str]:
    defs, _system = ds.cluster_definitions()
    codes = defs.filter(defs["cluster"] == cluster)["industry"].unique().sort().to_list()
    return codes


@require_POST
def record_potential(request, pk):
    """Create (once) a potential cluster in the registry from a result or an opportunity."""
    ds = perms.get_dataset_or_404(request.user, pk)
    perms.require_analyst(request.user)
    region, code = request.POST.get("region", ""), request.POST.get("cluster", "")
    kind = request.POST.get("kind", PotentialClusterRecord.Kind.RESULT)
    if kind not in PotentialClusterRecord.Kind.values:
        raise Http404("unknown kind")
    try:
        summary = RegionSummary.objects.get(dataset=ds, region=region)
    except RegionSummary.DoesNotExist:
        raise Http404("no such region") from None
    # An opportunity may be a cluster with no employment in the region (no result row).
    row = RegionCluster.objects.filter(dataset=ds, region=region, cluster=code).first()
    opp = Opportunity.objects.filter(dataset=ds, region=region, cluster=code).first()
    if (kind == PotentialClusterRecord.Kind.RESULT and row is None) or (
            kind == PotentialClusterRecord.Kind.OPPORTUNITY and opp is None):
        raise Http404("no such result")
    existing = PotentialClusterRecord.objects.filter(dataset=ds, region=region,
                                                     cluster_code=code).first()
    if existing is not None:
        messages.info(request, _("This cluster was already recorded; here it is."))
        return redirect("portal:cluster", existing.cluster_id)
    cluster_name = row.cluster_name if row is not None else opp.cluster_name
    lq = row.lq if row is not None else opp.rca
    employment = row.employment if row is not None else None
    try:
        codes = normalise_codes(_definition_codes(ds, code), ds.code_system)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("analysis:region", ds.pk, region)
    density = opp.density if kind == PotentialClusterRecord.Kind.OPPORTUNITY else None
    rank = opp.rank if density is not None else row.rank
    where = request.build_absolute_uri(reverse("analysis:region", args=[ds.pk, region]))
    numbers = _("LQ %(lq)s, employment %(emp)s, rank %(rank)s") % {
        "lq": "–" if lq is None else f"{lq:.2f}",
        "emp": "–" if employment is None else f"{employment:,.0f}",
        "rank": rank if rank is not None else "–"}
    if density is not None:
        numbers += _(", relatedness density %(d).3f") % {"d": density}
    try:
        with transaction.atomic():
            cluster = Cluster(
                name_en=f"{cluster_name} — {summary.name}"[:300],
                status=ClusterStatus.POTENTIAL, published=False, region=region,
                territory=summary.name, sector=cluster_name[:120],
                code_system=ds.code_system, industry_codes=codes,
                country="US" if ds.regions == Dataset.Regions.US_STATES else "",
                description=_("Recorded from the analysis “%(ds)s” (%(kind)s): %(numbers)s.")
                % {"ds": ds.title, "kind": PotentialClusterRecord.Kind(kind).label,
                   "numbers": numbers})
            # The benchmark category's name in each language (engine catalogue) as the
            # sector's per-language copies and the name's.
            for lang in ("pl", "be", "ru"):
                local = translator(lang).gettext(cluster_name)
                setattr(cluster, f"sector_{lang}", local[:120])
                setattr(cluster, f"name_{lang}", f"{local} — {summary.name}"[:300])
            cluster.full_clean()
            cluster.save()
            # The analyst who recorded it keeps it in their workspace until the programme
            # names a coordinator.
            cluster.coordinators.add(request.user)
            Document.objects.create(
                cluster=cluster, url=where, uploaded_by=request.user,
                title=(_("Analysis evidence: %(ds)s, %(region)s — %(numbers)s")
                       % {"ds": ds.title, "region": summary.name,
                          "numbers": numbers})[:300])
            PotentialClusterRecord.objects.create(
                dataset=ds, region=region, cluster_code=code, kind=kind, cluster=cluster,
                lq=lq, employment=employment, density=density, rank=rank,
                recorded_by=request.user)
    except IntegrityError:
        # A second click that raced the first: the first one's record stands.
        existing = PotentialClusterRecord.objects.get(dataset=ds, region=region,
                                                      cluster_code=code)
        return redirect("portal:cluster", existing.cluster_id)
    messages.success(request, _("Recorded as a potential cluster (not published)."))
    return redirect("portal:cluster", cluster.pk)


@require_POST
def dataset_publish(request, pk):
    ds = perms.get_dataset_or_404(request.user, pk)
    if not perms.can_publish(request.user):
        raise perms.PermissionDenied("You may not publish datasets.")
    if ds.status != Status.DONE:
        messages.error(request, _("Only a finished analysis can be published."))
        return redirect("analysis:dataset", ds.pk)
    publish = request.POST.get("published") == "1"
    Dataset.objects.filter(pk=ds.pk).update(published=publish)
    messages.success(request, _("Published.") if publish else _("Unpublished."))
    return redirect("analysis:dataset", ds.pk)
