"""The offline report shows benchmark cluster names in its language (the catalogue the
platform's analysis pages use); other names are shown as given."""

from __future__ import annotations

import polars as pl

from klaster.reports.html import render_report

from . import i18ndata


def test_benchmark_names_in_the_reports_language():
    result = i18ndata.mapping()
    clusters = sorted(result.indicators["cluster"].unique().to_list())
    names = {clusters[0]: "Business Services", clusters[1]: "My own cluster"}
    indicators = result.indicators.with_columns(
        pl.col("cluster").replace_strict(names, default=pl.col("cluster_name"))
        .alias("cluster_name"))
    options = i18ndata.report_options(result)
    pl_page = render_report(indicators, language="pl", **options)
    assert "Usługi dla biznesu" in pl_page and "Business Services" not in pl_page
    assert "My own cluster" in pl_page
    ru_page = render_report(indicators, language="ru", **options)
    assert "Бизнес-услуги" in ru_page
    assert "Business Services" in render_report(indicators, language="en", **options)
