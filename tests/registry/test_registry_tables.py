"""The framework-free registry tables: casting, required columns, clear errors."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from klaster.errors import DataError
from klaster.registry_tables import REGISTRY_SCHEMAS, RegistryTables


def test_empty_tables_have_the_contract_schemas():
    tables = RegistryTables.empty()
    for name, frame in tables.tables().items():
        assert frame.schema == pl.Schema(REGISTRY_SCHEMAS[name])
        assert frame.height == 0


def test_rows_are_cast_and_optional_columns_filled():
    tables = RegistryTables.from_frames(
        "test",
        organisations=[{"id": 1, "helix": "business"}, {"id": 2, "helix": "research",
                                                        "size_class": "small"}],
        memberships=[{"organisation_id": 1, "cluster_id": 7, "joined": dt.date(2020, 1, 1)}],
    )
    orgs = tables.organisations
    assert orgs.get_column("id").to_list() == [1, 2]
    assert orgs.get_column("size_class").to_list() == [None, "small"]
    assert orgs.get_column("latitude").dtype == pl.Float64
    assert tables.memberships.get_column("left").to_list() == [None]
    assert tables.clusters.height == 0


def test_missing_required_column_names_table_and_column():
    with pytest.raises(DataError) as err:
        RegistryTables.from_frames("members.csv", memberships=[{"organisation_id": 1,
                                                                "joined": dt.date(2020, 1, 1)}])
    assert "cluster_id" in str(err.value) and "members.csv" in str(err.value)


def test_empty_required_value_names_the_row():
    with pytest.raises(DataError) as err:
        RegistryTables.from_frames("x", organisations=[{"id": 1, "helix": "business"},
                                                       {"id": 2, "helix": None}])
    assert err.value.line == 2 and err.value.field == "organisations.helix"


def test_uncastable_and_unknown_columns_are_rejected():
    with pytest.raises(DataError, match="not Int64"):
        RegistryTables.from_frames("x", organisations=[{"id": "one", "helix": "business"}])
    with pytest.raises(DataError, match="unknown column"):
        RegistryTables.from_frames("x", organisations=[{"id": 1, "helix": "business",
                                                        "colour": "red"}])
    with pytest.raises(DataError, match="unknown registry table"):
        RegistryTables.from_frames("x", members=[])
