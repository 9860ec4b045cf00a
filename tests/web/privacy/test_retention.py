"""Retention: dry run counts and changes nothing; the real run does exactly what the dry
run counted (inactive accounts anonymised, old history pruned keeping each record's newest
version, expired uploads deleted)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

pytestmark = pytest.mark.django_db

OLD = timezone.now() - dt.timedelta(days=4000)


@pytest.fixture
def aged(make_user, registry, settings, tmp_path):
    from klaster.web.analysis.models import Dataset
    from klaster.web.matchmaking.models import ProximityTable
    from klaster.web.registry.models import Organisation

    settings.MEDIA_ROOT = str(tmp_path)
    settings.KLASTER_PRIVACY = {**settings.KLASTER_PRIVACY, "INACTIVE_DAYS": "365",
                                "HISTORY_DAYS": "730", "UPLOAD_DAYS": "90"}
    sleeper = make_user("sleeper", email="sleeper@example.org", first_name="Sam",
                        last_name="Sleeper")
    type(sleeper).objects.filter(pk=sleeper.pk).update(last_login=OLD, date_joined=OLD)
    never = make_user("never")
    type(never).objects.filter(pk=never.pk).update(date_joined=OLD)
    active = make_user("active")
    type(active).objects.filter(pk=active.pk).update(last_login=timezone.now())
    # The registry fixture's people joined today: they stay.
    org = registry["org_a"]
    for i in range(3):
        org.city = f"City {i}"
        org.save()
    history = Organisation.history.filter(id=org.pk).order_by("history_id")
    ids = list(history.values_list("history_id", flat=True))
    # All but the newest version are old; the newest is old too but must stay.
    Organisation.history.filter(history_id__in=ids).update(history_date=OLD)
    ds = Dataset.objects.create(title="Old stats", status="done", results_dir="analysis/r/1")
    ds.file.save("stats.csv", ContentFile(b"a,b\n"), save=True)
    Dataset.objects.filter(pk=ds.pk).update(created=OLD)
    fresh = Dataset.objects.create(title="New stats", status="done", results_dir="analysis/r/2")
    fresh.file.save("stats2.csv", ContentFile(b"a,b\n"), save=True)
    old_table = ProximityTable(original_name="p.csv", pairs=1, activities=2)
    old_table.file.save("p.parquet", ContentFile(b"x"), save=True)
    ProximityTable.objects.filter(pk=old_table.pk).update(uploaded=OLD)
    new_table = ProximityTable(original_name="q.csv", pairs=1, activities=2)
    new_table.file.save("q.parquet", ContentFile(b"y"), save=True)
    return dict(sleeper=sleeper, never=never, active=active, org=org, ids=ids, ds=ds,
                fresh=fresh, old_table=old_table, new_table=new_table)


def _run(*args):
    out = io.StringIO()
    call_command("privacy_retention", *args, stdout=out)
    return out.getvalue()


def test_dry_run_counts_and_changes_nothing(aged):
    from klaster.web.registry.models import Organisation

    text = _run("--dry-run")
    assert "2 inactive account(s) would be anonymised" in text
    # 3 saves + the creation = 4 old versions of org_a, the newest kept: 3. The registry
    # fixture's other records have recent history.
    assert "3 history row(s) would be pruned" in text
    assert "registry_historicalorganisation: 3" in text
    assert "1 uploaded file(s) would be deleted" in text
    assert "1 superseded proximity table(s) would be deleted" in text
    aged["sleeper"].refresh_from_db()
    assert aged["sleeper"].username == "sleeper"
    assert Organisation.history.filter(id=aged["org"].pk).count() == 4
    aged["ds"].refresh_from_db()
    assert aged["ds"].file


def test_real_run_does_what_the_dry_run_counted(aged):
    from klaster.web.matchmaking.models import ProximityTable
    from klaster.web.registry.models import Organisation

    path = aged["ds"].file.path
    text = _run()
    assert "2 inactive account(s) were anonymised" in text
    assert "3 history row(s) were pruned" in text
    assert "1 uploaded file(s) were deleted" in text
    for key in ("sleeper", "never"):
        aged[key].refresh_from_db()
        assert aged[key].username.startswith("erased-") and not aged[key].is_active
    assert aged["sleeper"].email == "" and aged["sleeper"].last_name == ""
    aged["active"].refresh_from_db()
    assert aged["active"].username == "active"
    assert list(Organisation.history.filter(id=aged["org"].pk)
                .values_list("history_id", flat=True)) == [aged["ids"][-1]]
    aged["ds"].refresh_from_db()
    aged["fresh"].refresh_from_db()
    assert not aged["ds"].file and aged["fresh"].file
    import os

    assert not os.path.exists(path)
    assert list(ProximityTable.objects.values_list("pk", flat=True)) == [aged["new_table"].pk]
    # A second run finds nothing left to do.
    again = _run()
    assert "0 inactive account(s)" in again and "0 history row(s)" in again
    assert "0 uploaded file(s)" in again
