"""Storage limitation (GDPR Art. 5(1)(e); Law No. 99-Z: data kept no longer than the
purpose needs): anonymise accounts unused for the configured period, prune change history
older than the configured period, delete uploaded files past their period.

Each step counts what it would do (``dry_run``) or did; nothing is half-done: the real run
of each step is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q

from klaster.web.privacy import conf, services
from klaster.web.privacy.inventory import all_models, is_historical


@dataclass
class RetentionReport:
    dry_run: bool
    accounts: int = 0
    history_rows: int = 0
    history_tables: dict = field(default_factory=dict)
    upload_files: int = 0
    proximity_tables: int = 0


def inactive_accounts():
    """Accounts not signed in to (or, never signed in, created) within the period;
    superusers and already erased accounts are left alone."""
    cutoff = services.inactive_since(conf.get().inactive_days)
    return (get_user_model().objects.filter(is_superuser=False)
            .exclude(username__startswith=services.PSEUDONYM_PREFIX)
            .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True,
                                                 date_joined__lt=cutoff)))


def prunable_history(model):
    """History rows older than the period, except each object's newest row (the audit
    trail keeps at least the version that produced the current state)."""
    cutoff = services.inactive_since(conf.get().history_days)
    newest = (model._base_manager.values("id").annotate(last=Max("history_id"))
              .values_list("last", flat=True))
    return model._base_manager.filter(history_date__lt=cutoff).exclude(
        history_id__in=list(newest))


def expired_uploads():
    """(dataset, [file fields]) of finished analyses whose uploaded inputs are past the
    period; the results stay."""
    from klaster.web.analysis.models import Dataset, Status

    cutoff = services.inactive_since(conf.get().upload_days)
    out = []
    for ds in Dataset.objects.filter(created__lt=cutoff,
                                     status__in=[Status.DONE, Status.FAILED]):
        names = [n for n in ("file", "definitions_file", "regions_file") if getattr(ds, n)]
        if names:
            out.append((ds, names))
    return out


def superseded_proximity():
    """Proximity tables replaced by a newer upload and past the period (the newest one is
    the one in use)."""
    from klaster.web.matchmaking.models import ProximityTable

    cutoff = services.inactive_since(conf.get().upload_days)
    newest = ProximityTable.objects.order_by("-uploaded", "-pk").first()
    qs = ProximityTable.objects.filter(uploaded__lt=cutoff)
    return qs.exclude(pk=newest.pk) if newest else qs.none()


def run(*, dry_run: bool) -> RetentionReport:
    report = RetentionReport(dry_run=dry_run)
    users = list(inactive_accounts())
    report.accounts = len(users)
    if users and not dry_run:
        services.erase_people(users)
    for model in all_models():
        if not is_historical(model):
            continue
        qs = prunable_history(model)
        n = qs.count()
        if n:
            report.history_tables[model._meta.db_table] = n
            report.history_rows += n
            if not dry_run:
                with transaction.atomic():
                    qs.delete()
    uploads = expired_uploads()
    report.upload_files = sum(len(names) for _ds, names in uploads)
    proximity = list(superseded_proximity())
    report.proximity_tables = len(proximity)
    if not dry_run:
        for ds, names in uploads:
            for name in names:
                getattr(ds, name).delete(save=False)
            ds.save(update_fields=names)
        for table in proximity:
            table.file.delete(save=False)
            table.delete()
    return report
