"""Load the assessment demo (idempotent: running it twice creates nothing twice).

Needs the registry demo (``load_demo``) first. Everything it writes goes through the
app's own workflow (``services.apply/submit/assign/submit_scores/compute_consensus/
decide``), so the audit history of each step is real:

* every built-in rubric of ``klaster.assessment`` stored as an edition, the same way the
  rubric page's import button stores it;
* a CLOSED call "Key National Clusters — KKK 2021 edition (illustrative demo)": the Metal
  Processing Cluster and the Polish Construction Cluster (both Key National Clusters per
  public reports) apply, the demo evaluator scores them, consensus, decision "granted",
  the label valid for the rubric's 3 years — so their public pages show the KKK label;
* an OPEN call for the ECCP cluster profile (deadline 60 days ahead) with the forming
  Belarusian pilot cluster's draft application;
* KPI snapshots of the demo clusters for the last two years;
* the account ``demo-evaluator`` (password: ``KLASTER_DEMO_PASSWORD`` or a random one,
  printed, as for the other demo accounts); it represents no organisation and
  coordinates no cluster, so it has no conflict of interest.

ILLUSTRATIVE: the scores, evidence links and the decisions are not the real ministry's
evaluation. The demo registry holds only a handful of illustrative members per cluster,
so the registry-derived gates (e.g. KKK's 51 members) are not met in the stored result;
the decision note says so and that the grant mirrors the status named in public reports.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from klaster.web.assessment import engine, services
from klaster.web.assessment.models import (
    Application,
    Call,
    KpiSnapshot,
    Label,
    RubricEdition,
    fingerprint,
)
from klaster.web.registry.management.commands.load_demo import demo_password_hash
from klaster.web.registry.models import Cluster

KKK_CALL = "Key National Clusters — KKK 2021 edition (illustrative demo)"
ECCP_CALL = "ECCP cluster profile — validation call (illustrative demo)"
KKK_CLUSTERS = ("Metal Processing Cluster", "Polish Construction Cluster")
BY_CLUSTER = "Hrodna pilot cluster (forming, illustrative)"
# The public page of the KKK programme; the demo "evidence" points there, never to an
# invented document.
KKK_URL = "https://www.gov.pl/web/rozwoj-technologia/krajowe-klastry-kluczowe"
ECCP_URL = "https://www.clustercollaboration.eu/"
# Illustrative evaluator scores per KKK cluster: each evaluator-provided indicator at or
# above the upper band of the rubric (kkk-2021.yaml), so the scored areas pass.
KKK_SCORES = {
    "Metal Processing Cluster": {
        "reserve_months": 12, "international_projects": 4, "joint_rd_projects": 5,
        "ip_rights": 11, "fairs": 6, "smart_specialisation": 1, "dual_education": 1,
        "digital_transformation": 1, "startup_cooperation": 1, "joint_products": 3,
        "missions": 4},
    "Polish Construction Cluster": {
        "reserve_months": 14, "international_projects": 3, "joint_rd_projects": 3,
        "ip_rights": 10, "fairs": 5, "smart_specialisation": 1, "dual_education": 1,
        "digital_transformation": 1, "startup_cooperation": 1, "joint_products": 4,
        "missions": 3},
}


def import_builtin_rubrics() -> tuple[dict[str, RubricEdition], int]:
    """Every built-in rubric stored as a ``RubricEdition`` (as ``views.rubric_import``
    does: same content, key, scheme, edition and title); returns (editions by key,
    number newly stored). An edition already stored (same fingerprint) is reused."""
    editions, created = {}, 0
    for info in engine.builtin_rubrics():
        content = Path(info.path).read_text(encoding="utf-8")
        edition = RubricEdition.objects.filter(fingerprint=fingerprint(content)).first()
        if edition is None:
            edition = RubricEdition(key=info.key, scheme=info.scheme,
                                    edition=str(info.edition), title=info.title,
                                    content=content)
            edition.full_clean()
            edition.save()
            created += 1
        editions[info.key] = edition
    return editions, created


class Command(BaseCommand):
    help = "Load the assessment demo: rubrics, a closed KKK call, an open ECCP call, KPIs."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        try:
            admin = User.objects.get(username="demo-admin")
            kkk_clusters = [Cluster.objects.get(name_en=n, demo=True) for n in KKK_CLUSTERS]
            by_cluster = Cluster.objects.get(name_en=BY_CLUSTER, demo=True)
        except (User.DoesNotExist, Cluster.DoesNotExist):
            raise CommandError("Run load_demo first: the registry demo is missing.") from None
        evaluator = self._evaluator()
        editions, n_rubrics = import_builtin_rubrics()
        year = 2024  # the year of the demo registry figures (load_demo)
        made = []
        if not Call.objects.filter(title=KKK_CALL).exists():
            self._kkk_call(editions["kkk-2021"], kkk_clusters, year, admin, evaluator)
            made.append("KKK call")
        if not Call.objects.filter(title=ECCP_CALL).exists():
            call = Call.objects.create(
                rubric=editions["eccp-profile"], title=ECCP_CALL, year=year,
                deadline=timezone.now() + dt.timedelta(days=60), created_by=admin)
            app = services.apply(call, by_cluster)
            # A draft in progress: the first piece of evidence filled in, not submitted.
            services.save_evidence(
                app, "website_active", value=1.0, url=ECCP_URL, file=None,
                note="Illustrative demo: the pilot cluster's website is being set up.")
            made.append("ECCP call")
        # KPI snapshots of the demo clusters for the two years before this one
        # (update_or_create: a second run rewrites the same rows).
        ids = list(Cluster.objects.filter(demo=True).order_by("pk").values_list("pk", flat=True))
        this_year = timezone.localdate().year
        kpis = sum(services.take_snapshots(y, ids) for y in (this_year - 2, this_year - 1))
        self.stdout.write(self.style.SUCCESS(
            f"assessment demo: {n_rubrics} rubric edition(s) stored, "
            f"{', '.join(made) or 'calls already present'}, {kpis} KPI value(s) "
            f"({KpiSnapshot.objects.count()} stored), "
            f"{Label.objects.filter(application__call__title=KKK_CALL).count()} KKK label(s)"))

    def _evaluator(self):
        User = get_user_model()
        user, created = User.objects.get_or_create(username="demo-evaluator")
        if created:
            password = os.environ.get("KLASTER_DEMO_PASSWORD") or secrets.token_urlsafe(12)
            user.password = demo_password_hash(password)
            user.save()
            self.stdout.write(f"demo account demo-evaluator with password: {password}")
        return user

    def _kkk_call(self, edition, clusters, year, admin, evaluator):
        # The call is opened, applied to and decided through the workflow, then closed:
        # services.apply/submit accept only an open call before its deadline.
        call = Call.objects.create(rubric=edition, title=KKK_CALL, year=year,
                                   deadline=timezone.now() + dt.timedelta(days=30),
                                   created_by=admin)
        rubric = edition.rubric()
        level = services.level_names(rubric)[0]
        for cluster in clusters:
            app = services.apply(call, cluster)
            scores = KKK_SCORES[cluster.name_en]
            for spec in services.indicators(rubric, "evaluator", "survey"):
                services.save_evidence(
                    app, spec.key, value=scores.get(spec.key), url=KKK_URL, file=None,
                    note="Illustrative demo evidence (link to the programme's public page).")
            services.submit(app)
            assignment = services.assign(app, evaluator, admin)
            services.submit_scores(assignment, {k: scores[k] for k in scores},
                                   "Illustrative demo scores, not the ministry's evaluation.")
            result = services.compute_consensus(app)
            services.decide(
                app, Application.Decision.GRANTED, level,
                "Illustrative demo decision mirroring the Key National Cluster status named "
                f"in public reports. The scored areas reach {result['percent']:.0f} % (pass "
                f"mark {rubric.pass_percent:g} %); the demo registry lists only a few "
                "illustrative members, so the registry-derived gates are not met in this "
                "stored result.", True, admin)
        call.is_open = False
        call.deadline = timezone.now()
        call.save()
