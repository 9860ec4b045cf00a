"""``export_registry``: the database as files that the command-line analytics read back."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from klaster.networks.io import read_registry

pytestmark = pytest.mark.django_db


def test_export_is_read_back_by_the_analytics(registry, tmp_path):
    out = io.StringIO()
    call_command("export_registry", str(tmp_path / "reg"), stdout=out)
    assert "wrote 10 tables" in out.getvalue()
    tables = read_registry(tmp_path / "reg")
    assert sorted(tables.clusters.get_column("name").to_list()) == ["Hidden cluster",
                                                                   "Published cluster"]
    assert tables.memberships.height == 2


def test_export_of_one_cluster_as_csv(registry, tmp_path):
    call_command("export_registry", str(tmp_path / "one"), "--format", "csv", "--cluster",
                 str(registry["published"].pk), stdout=io.StringIO())
    assert (tmp_path / "one" / "clusters.csv").exists()
    tables = read_registry(tmp_path / "one")
    assert tables.clusters.get_column("id").to_list() == [registry["published"].pk]
    assert tables.organisations.get_column("id").to_list() == [registry["org_a"].pk]
