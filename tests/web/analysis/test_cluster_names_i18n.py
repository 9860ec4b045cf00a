"""Benchmark cluster names on the analysis pages in the reader's language (issue 13)."""

from __future__ import annotations

from klaster.web.analysis.models import Opportunity, RegionCluster
from klaster.web.analysis.templatetags.engine_i18n import engine_supporting

from .test_analysis import _uploaded_and_run


def test_analysis_pages_show_cluster_names_in_polish(client, analyst, upload):
    ds = _uploaded_and_run(client, analyst, upload)
    assert RegionCluster.objects.filter(dataset=ds, cluster_name="Casino Hotels").exists()
    pl = client.get(f"/analysis/{ds.pk}/?region=NV", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Hotele z kasynami" in pl and "Casino Hotels" not in pl
    region = client.get(f"/analysis/{ds.pk}/regions/NV/",
                        HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Hotele z kasynami" in region and "Casino Hotels" not in region
    ru = client.get(f"/analysis/{ds.pk}/?region=NV", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Отели-казино" in ru
    en = client.get(f"/analysis/{ds.pk}/?region=NV", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Casino Hotels" in en
    # The category chooser offers each traded category once (a DISTINCT that kept the
    # model's default ordering listed one per region × category: 0.7 MB on Eurostat).
    import re

    options = re.findall(r'<option value="([^"]+)"', pl[pl.index('id="f-cluster"'):
                                                       pl.index("</select>",
                                                                pl.index('id="f-cluster"'))])
    traded = set(RegionCluster.objects.filter(dataset=ds, traded=True)
                 .values_list("cluster", flat=True))
    assert sorted(options) == sorted(traded)
    # The stored names stay English (the data is language-neutral).
    assert Opportunity.objects.filter(dataset=ds).exclude(cluster_name="").exists()


def test_recorded_potential_cluster_gets_the_names_in_every_language(client, analyst, upload):
    from klaster.web.registry.models import Cluster

    ds = _uploaded_and_run(client, analyst, upload)
    client.post(f"/analysis/{ds.pk}/record/", {"region": "NV", "cluster": "1011",
                                               "kind": "result"})
    cluster = Cluster.objects.get()
    assert cluster.sector == "Casino Hotels" and cluster.sector_pl == "Hotele z kasynami"
    assert cluster.name_ru == "Отели-казино — Nevada" and cluster.sector_be == "Гатэлі-казіно"


def test_supporting_categories_are_translated():
    from django.utils import translation

    with translation.override("pl"):
        assert engine_supporting("Casino Hotels (0.45); 1011 (0.30)") == (
            "Hotele z kasynami (0,45); 1011 (0,30)")
    with translation.override("en"):
        assert engine_supporting("Casino Hotels (0.45)") == "Casino Hotels (0.45)"
        assert engine_supporting("") == "–"
