"""A small statistics table (6 US states x 5 NAICS industries) and upload helpers."""

from __future__ import annotations

import pytest

SMALL_CSV = """region,industry,year,employment,establishments
CA,336412,2021,5000,40
CA,311111,2021,800,12
CA,212111,2021,20,2
CA,721120,2021,300,5
CA,448110,2021,9000,900
TX,336412,2021,2500,20
TX,311111,2021,1500,30
TX,212111,2021,900,15
TX,721120,2021,100,2
TX,448110,2021,7000,700
NV,336412,2021,50,1
NV,311111,2021,100,3
NV,721120,2021,6000,30
NV,448110,2021,1500,150
WV,212111,2021,4000,60
WV,311111,2021,200,5
WV,448110,2021,900,90
WA,336412,2021,4500,25
WA,311111,2021,600,10
WA,448110,2021,2500,250
OH,311111,2021,2200,40
OH,212111,2021,300,6
OH,336412,2021,700,8
OH,448110,2021,4000,400
"""
# NAICS -> US benchmark cluster (Delgado, Porter & Stern 2016 definitions, 2017 vintage),
# written out by hand for the independent LQ check.
CLUSTER_OF = {"336412": "1", "311111": "10", "212111": "1002", "721120": "1011",
              "448110": "109"}


@pytest.fixture
def analyst(make_user):
    return make_user("ana", group="Analysts")


@pytest.fixture
def upload(client):
    """POST a statistics file as the logged-in client; returns the response."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post(text=SMALL_CSV, name="small.csv", **extra):
        data = {"title": extra.pop("title", "Six states"), "format": "auto",
                "definitions": "us-benchmark", "code_system": "naics2017",
                "regions": "us-states",
                "file": SimpleUploadedFile(name, text.encode(), content_type="text/csv"),
                **extra}
        return client.post("/analysis/new/", data)

    return post


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test writes uploads and results under its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
