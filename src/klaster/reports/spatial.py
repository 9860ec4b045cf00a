"""HTML section and standalone report for firm-level concentration (klaster.spatial).

Kd curves with their Monte Carlo bands (Duranton & Overman 2005) as plotly figures and
the per-industry summary (Γ, Ψ, distances of localisation). plotly.js comes from the
installed ``plotly`` package and is inlined once in the standalone page; the section
alone expects the page around it to load plotly.js already (as report.html.j2 does).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import jinja2
import polars as pl

from klaster.errors import DataError
from klaster.i18n import N_, translator
from klaster.reports.i18n import environment, plotly_locale
from klaster.reports.tables import atomic_write_text

__all__ = ["kd_figure", "render_spatial_section", "write_spatial_report"]


_CURVE_COLS = {"industry", "distance", "kd", "local_lo", "local_hi", "global_lo",
               "global_hi"}
_SUMMARY_COLS = {"industry", "firms", "mode", "gamma", "psi", "localised_at",
                 "dispersed_at"}


# the local band a report draws: Duranton & Overman (2005) 5–95 % or dbmss's 2.5–97.5 %
LOCAL_BANDS = {
    "do2005": ("local_lo", "local_hi",
               N_("local 5–95 % band (Duranton & Overman 2005)"), 0.90),
    "dbmss": ("local_lo_dbmss", "local_hi_dbmss", N_("local 2.5–97.5 % band (dbmss)"), 0.95),
}


def _band(local_band: str) -> tuple[str, str, str, float]:
    if local_band not in LOCAL_BANDS:
        raise ValueError(f"local_band must be one of {', '.join(LOCAL_BANDS)}")
    return LOCAL_BANDS[local_band]


def kd_figure(curve: pl.DataFrame, *, unit: str = "km", title: str | None = None,
              language: str = "en", local_band: str = "do2005"):
    """Plotly figure of one Kd curve with local (shaded) and global (dashed) bands.

    Takes the curve columns of klaster.spatial.kd.kd_test (distance, kd, local_lo,
    local_hi or local_lo_dbmss, local_hi_dbmss, global_lo, global_hi); ``local_band``
    "do2005" (5–95 %) or "dbmss" (2.5–97.5 %) picks the shaded band, named in the legend.
    Texts in ``language`` (klaster.i18n).
    """
    import plotly.graph_objects as go

    tr = translator(language)
    lo, hi, label, _share = _band(local_band)
    _check(curve, {lo, hi}, "Kd curve")
    d = curve["distance"].to_list()
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=d, y=curve[hi].to_list(), line={"width": 0},
                             showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=d, y=curve[lo].to_list(), line={"width": 0},
                             fill="tonexty", fillcolor="rgba(86,180,233,0.25)",
                             name=tr(label)))
    fig.add_trace(go.Scatter(x=d, y=curve["global_hi"].to_list(), name=tr(N_("global band")),
                             line={"dash": "dash", "color": "#0072B2"}))
    fig.add_trace(go.Scatter(x=d, y=curve["global_lo"].to_list(), showlegend=False,
                             line={"dash": "dash", "color": "#0072B2"}))
    fig.add_trace(go.Scatter(x=d, y=curve["kd"].to_list(), name="Kd",
                             line={"color": "#D55E00", "width": 2}))
    fig.update_layout(title=title, xaxis_title=tr(N_("distance (%(unit)s)"), unit=unit),
                      yaxis_title=tr(N_("density of pair distances")), height=320,
                      separators=tr.plotly_separators(),
                      margin={"l": 60, "r": 10, "t": 40 if title else 10, "b": 40},
                      legend={"orientation": "h", "y": -0.25})
    return fig


def _check(frame: pl.DataFrame, cols: set[str], what: str) -> None:
    missing = sorted(cols - set(frame.columns))
    if missing:
        raise DataError(f"{what} table lacks columns: {', '.join(missing)}", field=missing[0])


def render_spatial_section(curves: pl.DataFrame, summary: pl.DataFrame, *, unit: str = "km",
                           top: int = 12, language: str = "en",
                           local_band: str = "do2005") -> str:
    """HTML fragment: summary table of all industries and Kd charts of the ``top``
    most localised (largest Γ), then the most dispersed when fewer are localised.

    ``curves``: kd_test curve columns (industry, distance, kd, bands); ``summary``:
    kd_test summary columns (industry, firms, mode, gamma, psi, localised_at, …);
    ``local_band``: see :func:`kd_figure` (the text says which band is shown).
    """
    lo, hi, label, share = _band(local_band)
    _check(curves, _CURVE_COLS | {lo, hi}, "Kd curve")
    _check(summary, _SUMMARY_COLS, "Kd summary")
    ranked = summary.sort(["gamma", "psi", "firms"], descending=True, nulls_last=True)
    chosen = [r for r in ranked["industry"].to_list()
              if curves.filter(pl.col("industry") == r).height][:top]
    charts = []
    for code in chosen:
        c = curves.filter(pl.col("industry") == code).sort("distance")
        fig = kd_figure(c, unit=unit, title=f"Kd — {code}", language=language,
                        local_band=local_band)
        charts.append(jinja2.utils.markupsafe.Markup(
            fig.to_html(full_html=False, include_plotlyjs=False)))
    rows = ranked.select(sorted(_SUMMARY_COLS | ({"weight"} & set(summary.columns)),
                                key=list(summary.columns).index)).to_dicts()
    tr = translator(language)
    _lo, _hi, label, share = _band(local_band)
    return environment(language).get_template("spatial.html.j2").module.section(
        rows=rows, charts=charts, unit=unit, n=summary.height, band_label=tr(label),
        band_share=tr.pct(share, 0),
        localised=int(summary["gamma"].fill_null(0).gt(0).sum()),
        dispersed=int(summary["psi"].fill_null(0).gt(0).sum()))


def write_spatial_report(path: str | Path, curves: pl.DataFrame, summary: pl.DataFrame, *,
                         title: str = N_("Firm-level concentration (Kd)"), unit: str = "km",
                         top: int = 12, notes: list[str] | None = None,
                         language: str = "en", local_band: str = "do2005") -> Path:
    """Standalone offline HTML page with :func:`render_spatial_section`; atomic write."""
    import plotly
    import plotly.offline

    section = render_spatial_section(curves, summary, unit=unit, top=top, language=language,
                                     local_band=local_band)
    js = plotly.offline.get_plotlyjs().replace("</script", "<\\/script")
    tr = translator(language)
    html = environment(language).get_template("spatial.html.j2").render(
        lang=language, plotly_locale=jinja2.utils.markupsafe.Markup(plotly_locale(tr)),
        title=tr.gettext(title), section_html=jinja2.utils.markupsafe.Markup(section),
        plotly_js=jinja2.utils.markupsafe.Markup(js), notes=notes or [],
        generated=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        plotly_version=plotly.__version__)
    return atomic_write_text(path, html)
