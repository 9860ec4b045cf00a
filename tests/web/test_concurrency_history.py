"""Optimistic concurrency (stale writes get a conflict, never a silent overwrite) and the
change history (who, when, before/after)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from klaster.web.registry.models import Cluster, ConflictError

pytestmark = pytest.mark.django_db


def _form(cluster, **changes):
    data = {"name_en": cluster.name_en, "status": cluster.status, "code_system": "nace2",
            "version": cluster.version, "published": "on" if cluster.published else "",
            "region": cluster.region, "sector": cluster.sector}
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_model_level_compare_and_set(registry):
    first = Cluster.objects.get(pk=registry["published"].pk)
    second = Cluster.objects.get(pk=registry["published"].pk)
    first.name_en = "First"
    first.save_versioned(1)
    second.name_en = "Second"
    with pytest.raises(ConflictError):
        second.save_versioned(1)
    assert Cluster.objects.get(pk=first.pk).name_en == "First"
    assert Cluster.objects.get(pk=first.pk).version == 2


def test_stale_form_gets_conflict_message(client, registry):
    cluster = registry["published"]
    client.force_login(registry["coord_a"])
    stale = _form(cluster, name_en="Edited by Anna")
    fresh = _form(cluster, name_en="Edited by Boris")
    assert client.post(f"/workspace/clusters/{cluster.pk}/", fresh).status_code == 302
    r = client.post(f"/workspace/clusters/{cluster.pk}/", stale)
    assert r.status_code == 409
    assert "Someone else changed this record" in r.content.decode()
    cluster.refresh_from_db()
    assert cluster.name_en == "Edited by Boris" and cluster.version == 2


def test_invalid_form_shows_inline_errors(client, registry):
    cluster = registry["published"]
    client.force_login(registry["coord_a"])
    r = client.post(f"/workspace/clusters/{cluster.pk}/",
                    _form(cluster, industry_codes="C25, QQ", country="pl"))
    assert r.status_code == 400
    page = r.content.decode()
    assert 'id="id_industry_codes-error"' in page and "QQ" in page
    cluster.refresh_from_db()
    assert cluster.version == 1


def test_stale_api_write_is_409(registry):
    cluster = registry["published"]
    api = APIClient()
    api.force_authenticate(registry["coord_a"])
    assert api.patch(f"/api/clusters/{cluster.pk}/", {"name_en": "A", "version": 1},
                     format="json").status_code == 200
    r = api.patch(f"/api/clusters/{cluster.pk}/", {"name_en": "B", "version": 1}, format="json")
    assert r.status_code == 409
    assert r.json()["detail"].startswith("This record was changed")
    r = api.patch(f"/api/clusters/{cluster.pk}/", {"name_en": "B"}, format="json")
    assert r.status_code == 400 and "version" in r.json()
    cluster.refresh_from_db()
    assert cluster.name_en == "A" and cluster.version == 2


def test_history_records_who_and_before_after(client, registry):
    cluster = registry["published"]
    client.force_login(registry["coord_a"])
    client.post(f"/workspace/clusters/{cluster.pk}/", _form(cluster, sector="Machinery"))
    latest = cluster.history.first()
    assert latest.history_user == registry["coord_a"]
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("sector", "Metal", "Machinery")]
    page = client.get(f"/workspace/clusters/{cluster.pk}/history/").content.decode()
    assert "coord_a" in page and "Metal" in page and "Machinery" in page
