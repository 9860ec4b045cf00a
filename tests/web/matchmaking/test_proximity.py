"""Upload of the proximity table: validated with clear errors naming file, line, field."""

from __future__ import annotations

import io

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from klaster.web.matchmaking.models import ProximityTable

pytestmark = pytest.mark.django_db


def _post(client, name, content):
    return client.post(reverse("matchmaking:proximity"),
                       {"file": SimpleUploadedFile(name, content)})


def test_valid_csv_is_stored_as_parquet(client, registry):
    client.force_login(registry["admin"])
    csv = b"activity_1,activity_2,proximity\nC25,C28,0.4\nC28,C25,0.4\nC25,M72,0.1\n"
    assert _post(client, "proximity.csv", csv).status_code == 302
    record = ProximityTable.objects.get()
    assert (record.pairs, record.activities, record.original_name) == (3, 3, "proximity.csv")
    with record.file.open("rb") as fh:
        stored = pl.read_parquet(fh)
    assert stored.columns == ["activity_1", "activity_2", "proximity"]
    assert stored.get_column("proximity").to_list() == [0.4, 0.4, 0.1]


def test_valid_parquet_from_klaster_relatedness(client, registry):
    client.force_login(registry["admin"])
    buffer = io.BytesIO()
    pl.DataFrame({"activity_1": ["A", "B"], "activity_2": ["B", "A"],
                  "proximity": [0.25, 0.25]}).write_parquet(buffer)
    assert _post(client, "proximity.parquet", buffer.getvalue()).status_code == 302
    assert ProximityTable.objects.get().pairs == 2


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("p.csv", b"a,b,proximity\nC25,C28,0.4\n", "missing column(s) activity_1, activity_2"),
    ("p.csv", b"activity_1,activity_2,proximity\nC25,C28,0.4\nC25,C29,high\n",
     "p.csv, line 3, field proximity: not a number ('high')"),
    ("p.csv", b"activity_1,activity_2,proximity\nC25,C28,1.5\n",
     "p.csv, line 2, field proximity: outside 0"),
    ("p.csv", b"activity_1,activity_2,proximity\n,C28,0.5\n",
     "p.csv, line 2, field activity_1: empty activity code"),
    ("p.csv", b"activity_1,activity_2,proximity\n", "the table has no rows"),
    ("p.xlsx", b"whatever", "expected a .parquet or .csv file"),
    ("p.parquet", b"not parquet at all", "p.parquet: cannot be read"),
])
def test_bad_tables_are_refused_with_a_clear_error(client, registry, name, content, expected):
    client.force_login(registry["admin"])
    response = _post(client, name, content)
    assert response.status_code == 400
    assert expected in response.content.decode().replace("&#x27;", "'")
    assert ProximityTable.objects.count() == 0
