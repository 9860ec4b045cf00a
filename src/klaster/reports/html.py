"""One self-contained HTML cluster report (works offline: everything is inlined).

``render_report`` takes the indicator table (INDICATOR_COLUMNS, klaster.schema) and,
optionally, the change table (CHANGE_COLUMNS), a regions table (REGIONS_SCHEMA) and
boundaries (a GeoJSON FeatureCollection dict from klaster.reports.geo), and returns the
page as a string. The page holds: a header with definitions and counts, a choropleth
map of one traded cluster's location quotient across regions (cluster dropdown), ranked
tables, a per-region profile with a portfolio chart, and notes.

Plotly's own bundled plotly.min.js (PyPI ``plotly``) is inlined once; no CDN, no fonts,
no network request of any kind. All text is escaped by Jinja2 autoescape; data for the
scripts goes through ``tojson`` (which escapes <, >, & and ') and hover labels are
HTML-escaped because Plotly interprets a subset of HTML in them.
"""

from __future__ import annotations

import datetime as _dt
import html as _html
import math
import platform
from itertools import pairwise
from pathlib import Path
from typing import Any

import jinja2
import polars as pl

from klaster.errors import DataError
from klaster.i18n import N_, Translator, translator
from klaster.messages import render as render_message
from klaster.reports import geo as _geo
from klaster.reports.i18n import environment, plotly_locale
from klaster.reports.tables import atomic_write_text
from klaster.schema import CHANGE_COLUMNS, INDICATOR_COLUMNS

__all__ = ["DEFAULT_DEFINITIONS", "render_report", "write_report"]

DEFAULT_TITLE = N_("Regional cluster report")
DEFAULT_SOURCE = N_("Regional employment statistics")

# Plain-language definitions shown in the header. Callers whose indicator engine used
# other thresholds pass their own wording via metadata["definitions"] (same keys).
# Keys and texts are gettext messages (translated when the page is rendered).
DEFAULT_DEFINITIONS: dict[str, str] = {
    N_("Cluster"): N_(
        "A group of related industries that tend to locate together. Traded clusters "
        "sell to other regions and countries; local clusters serve the local market "
        "and are present almost everywhere, so they are not rated."),
    N_("Location quotient (LQ)"): N_(
        "The cluster's share of the region's employment divided by its "
        "share of national employment. LQ 1 = the national average; "
        "LQ 2 = twice as concentrated as the country as a whole."),
    N_("Strong cluster"): N_(
        "A traded cluster in which the region is among the top quarter of "
        "regions by specialisation (LQ), has an LQ of at least 1, and is not "
        "among the smallest quarter by employment and by establishments (US "
        "Cluster Mapping Project; Delgado, Porter & Stern 2016). \"Top 10%\" "
        "marks the stricter variant: the top tenth of regions by LQ."),
    N_("Stars"): N_(
        "European Cluster Observatory rating, 0 to 3 stars: one each for size (the "
        "region is in the top 10% of regions by employment in the cluster), "
        "specialisation (LQ of 2 or more) and focus (the cluster's share of the "
        "region's employment is in the top 10% of regions)."),
}


_EN = translator("en")

# Okabe & Ito (2008) colour-blind-safe palette for categorical marks.
_OI_BLUE, _OI_VERMILION, _OI_GREY = "#0072B2", "#D55E00", "#8C96A0"
# Fixed LQ colour range (log scale) so that colours mean the same for every cluster.
_LQ_MIN, _LQ_MAX = 0.25, 4.0


# --- small formatting helpers ----------------------------------------------------------


def _stars(n: Any) -> str:
    if n is None:
        return ""
    n = int(n)
    return "★" * n + "☆" * (3 - n)


# --- input checks ---------------------------------------------------------------------


def _require(df: pl.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(f"{what} lacks column(s) {', '.join(missing)}", file=what,
                        field=missing[0])


def _regions_lookup(regions: pl.DataFrame | None) -> tuple[dict[str, str], dict[str, str]]:
    """(region -> name, region -> geo_id) from a REGIONS_SCHEMA table."""
    if regions is None:
        return {}, {}
    _require(regions, ("region", "name"), "regions table")
    names, geo_ids = {}, {}
    has_geo = "geo_id" in regions.columns
    for row in regions.iter_rows(named=True):
        code = str(row["region"])
        if row["name"] is not None:
            names[code] = str(row["name"])
        if has_geo and row["geo_id"] is not None:
            geo_ids[code] = str(row["geo_id"])
    return names, geo_ids


# --- the page model -------------------------------------------------------------------


def _resolve_geometry(
    region_codes: list[str], geometry, names: dict[str, str], geo_ids: dict[str, str],
    projection: str | None, tr: Translator = _EN,
) -> dict[str, Any]:
    """Decide the boundaries, the region -> feature key join and the projection."""
    source = tr(N_("supplied by the caller"))
    if geometry is None:
        us = _geo.us_states_table()
        fips = dict(zip(us["region"], us["fips"]))
        if region_codes and all(r in fips for r in region_codes):
            geometry = _geo.us_states_geometry()
            for r in region_codes:
                geo_ids.setdefault(r, fips[r])
                names.setdefault(r, dict(zip(us["region"], us["name"]))[r])
            source = tr(N_("built-in US states, us-atlas 3.0.1 (© 2013-2019 Michael Bostock, "
                           "ISC licence; from US Census Bureau cartographic boundaries 2017), "
                           "simplified"))
            projection = projection or "albers usa"
        else:
            return {"available": False, "source": None, "missing": [], "outside": [],
                    "projection": None,
                    "reason": tr(N_("No boundary file was supplied and the region codes "
                                    "are not US state codes, so the report has no map."))}
    if geometry.get("type") != "FeatureCollection":
        raise DataError("geometry must be a GeoJSON FeatureCollection dict "
                        "(see klaster.reports.geo.load_geometry)", field="geometry")
    by_id = {str(f.get("id")): f for f in geometry.get("features", [])}
    key = {r: geo_ids.get(r, r) for r in region_codes}
    missing = [r for r in region_codes if key[r] not in by_id]
    used = [key[r] for r in region_codes if key[r] in by_id]
    # Only the shapes the report needs go into the page (boundary files often hold every
    # level of a hierarchy, e.g. all NUTS levels).
    features = [{"type": "Feature", "id": k, "properties": {},
                 "geometry": _for_plotly(by_id[k]["geometry"])} for k in dict.fromkeys(used)]
    # d3's Albers USA composite (used by plotly's "albers usa") has insets for Alaska and
    # Hawaii only; Puerto Rico (FIPS 72) falls outside it and would silently vanish.
    projection = projection or "mercator"
    outside = ([r for r in region_codes if key[r] == "72" and key[r] in by_id]
               if projection == "albers usa" else [])
    return {
        "available": bool(features),
        "outside": outside,
        "geojson": {"type": "FeatureCollection", "features": features},
        "key": key,
        "missing": missing,
        "source": source,
        "projection": projection,
        "reason": None if features else tr(N_("None of the regions has a shape in the "
                                              "boundary file, so the report has no map.")),
    }


def _signed_area(ring: list[list[float]]) -> float:
    """Planar shoelace area in lon/lat (Gauss's area formula): > 0 counter-clockwise."""
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in pairwise(ring))


def _for_plotly(geom: dict[str, Any] | None, digits: int = 4) -> dict[str, Any] | None:
    """Boundaries ready for plotly's geo (d3-geo) renderer.

    Winding: d3-geo reads polygons on the sphere and takes the exterior ring to be
    clockwise (Bostock, d3-geo README), the opposite of RFC 7946 §3.1.6, which most
    GeoJSON files follow. A counter-clockwise exterior ring would be drawn as "the whole
    globe except this region", so every exterior ring is made clockwise and every hole
    counter-clockwise (planar orientation in lon/lat, adequate for regions far smaller
    than a hemisphere). Coordinates are rounded to 4 decimals (about 10 m), far below
    what a report map shows, to keep the inlined boundaries small.
    """
    if geom is None:
        return None
    gtype = geom.get("type")
    if gtype == "GeometryCollection":
        return {"type": gtype,
                "geometries": [_for_plotly(g, digits) for g in geom.get("geometries", [])]}

    def r(c):
        if isinstance(c, (int, float)):
            return round(float(c), digits)
        return [r(x) for x in c]

    def polygon(rings):
        out = []
        for k, ring in enumerate(r(rings)):
            area = _signed_area(ring)
            # exterior (k == 0) clockwise = negative area; holes positive
            if (k == 0 and area > 0) or (k > 0 and area < 0):
                ring = ring[::-1]
            out.append(ring)
        return out

    coords = geom.get("coordinates", [])
    if gtype == "Polygon":
        return {"type": gtype, "coordinates": polygon(coords)}
    if gtype == "MultiPolygon":
        return {"type": gtype, "coordinates": [polygon(p) for p in coords]}
    return {"type": gtype, "coordinates": r(coords)}


def _hover(name: str, code: str, row: dict[str, Any], tr: Translator) -> str:
    bits = [f"<b>{_html.escape(name)}</b> ({_html.escape(code)})",
            tr(N_("Employment: %(n)s"), n=tr.num(row["employment"])),
            tr(N_("LQ: %(lq)s"), lq=tr.num(row["lq"], 2))]
    flags = []
    if row.get("strong"):
        flags.append(tr(N_("strong cluster")))
    if row.get("strong10"):
        flags.append(tr(N_("top 10%")))
    if row.get("stars") is not None:
        flags.append(f"{_stars(row['stars'])} ("
                     + tr(N_("%(n)s of 3 stars"), n=int(row["stars"])) + ")")
    if flags:
        bits.append(", ".join(flags))
    return "<br>".join(bits)


def _lq_colour(lq: float | None) -> float | None:
    if lq is None or (isinstance(lq, float) and math.isnan(lq)):
        return None
    return math.log10(min(max(lq, _LQ_MIN), _LQ_MAX))


def render_report(
    indicators: pl.DataFrame,
    *,
    geometry: dict[str, Any] | None = None,
    regions: pl.DataFrame | None = None,
    change: pl.DataFrame | None = None,
    cluster: str | None = None,
    region: str | None = None,
    year: int | None = None,
    title: str = DEFAULT_TITLE,
    source_note: str = DEFAULT_SOURCE,
    metadata: dict[str, Any] | None = None,
    top_n: int = 15,
    map_projection: str | None = None,
    spatial: tuple[pl.DataFrame, pl.DataFrame] | None = None,
    spatial_unit: str = "km",
    language: str = "en",
) -> str:
    """Render the HTML report and return it as a string.

    indicators: INDICATOR_COLUMNS (one row per region x cluster x year); rows of ``year``
      (default: the latest year) are shown.
    geometry: FeatureCollection dict keyed by feature ``id`` (klaster.reports.geo). When
      None and every region code is a US postal code, the built-in US states are used.
    regions: REGIONS_SCHEMA; ``name`` labels regions, ``geo_id`` joins them to features
      (regions without geo_id join on their code).
    change: CHANGE_COLUMNS; when it has rows ending in ``year`` the portfolio chart plots
      CAGR (a fraction, shown as %); otherwise it plots relative wages and says so.
    cluster / region: initially selected traded cluster (default: the largest by
      employment) and region (default: the one with most traded employment).
    metadata: ``caveats`` (str or list of str), ``definitions`` (dict overriding
      DEFAULT_DEFINITIONS), ``generated`` (timestamp text); every other key is listed
      under "How this report was produced".
    map_projection: a plotly geo projection type; default "albers usa" for the built-in
      US states, "mercator" fitted to the regions otherwise.
    spatial: (curves, summary) of a firm-level Kd run (klaster.spatial / ``klaster kd``
      writes them as kd.parquet and summary.parquet); adds the section "Where firms sit"
      with the Kd charts and the per-industry summary. ``spatial_unit``: distance unit.
    language: ``en``, ``pl``, ``be`` or ``ru`` — every text of the page, the numbers
      (CLDR separators) and plotly's toolbar (klaster.i18n). ``title``, ``source_note``,
      caveats and metadata may be Messages or plain text (plain text is shown as given,
      except that a text which is a catalogue message is translated).
    """
    tr = translator(language)
    _require(indicators, INDICATOR_COLUMNS, "indicator table")
    if indicators.height == 0:
        raise DataError("indicator table is empty", file="indicator table")
    metadata = dict(metadata or {})
    years = sorted(int(y) for y in indicators["year"].drop_nulls().unique())
    if year is None:
        year = years[-1]
    elif year not in years:
        raise DataError(f"year {year} is not in the indicator table (years: "
                        f"{', '.join(map(str, years))})", file="indicator table", field="year")
    df = indicators.filter(pl.col("year") == year).with_columns(
        pl.col("region").cast(pl.Utf8), pl.col("cluster").cast(pl.Utf8))
    if language != "en":
        # Benchmark cluster names are catalogue messages (klaster.taxonomy.cluster_names);
        # a name that is not one (a user's own definitions) is shown as given.
        names_in = df["cluster_name"].drop_nulls().unique().to_list()
        df = df.with_columns(pl.col("cluster_name").replace(
            {n: tr.gettext(str(n)) for n in names_in}))
    traded = df.filter(pl.col("cluster_type") == "traded")
    if traded.height == 0:
        raise DataError(f"no traded clusters in year {year}", file="indicator table",
                        field="cluster_type")

    names, geo_ids = _regions_lookup(regions)
    region_codes = sorted(df["region"].unique().to_list())
    gmap = _resolve_geometry(region_codes, geometry, names, geo_ids, map_projection, tr)

    def rname(code: str) -> str:
        return names.get(code, code)

    # clusters: traded ones, largest first for the default, alphabetical for the menu
    csum = (traded.group_by("cluster", "cluster_name")
            .agg(pl.col("employment").sum().alias("employment"))
            .sort(["employment", "cluster"], descending=[True, False], nulls_last=True))
    cluster_list = sorted(({"id": c, "name": n or c, "employment": e}
                           for c, n, e in csum.iter_rows()), key=lambda d: d["name"].lower())
    if cluster is None:
        cluster = csum["cluster"][0]
    elif cluster not in set(csum["cluster"]):
        raise DataError(f"cluster {cluster!r} is not a traded cluster in year {year}",
                        file="indicator table", field="cluster")

    rsum = (traded.group_by("region").agg(pl.col("employment").sum().alias("e"))
            .sort(["e", "region"], descending=[True, False], nulls_last=True))
    region_list = sorted(({"id": r, "name": rname(r)} for r in region_codes),
                         key=lambda d: d["name"].lower())
    if region is None:
        region = rsum["region"][0]
    elif region not in region_codes:
        raise DataError(f"region {region!r} is not in the indicator table for {year}",
                        file="indicator table", field="region")

    # --- map payload: one entry per traded cluster ---
    map_data: dict[str, Any] = {}
    top_regions: dict[str, list[dict[str, Any]]] = {}
    for (cid,), part in traded.sort("cluster").group_by(["cluster"], maintain_order=True):
        rows = part.sort(["lq", "region"], descending=[True, False], nulls_last=True).to_dicts()
        top_regions[cid] = [dict(r, name=rname(r["region"]), rank=i + 1)
                            for i, r in enumerate(rows[:top_n])]
        if gmap["available"]:
            ok = [r for r in rows if r["region"] not in set(gmap["missing"])
                  and _lq_colour(r["lq"]) is not None]
            map_data[cid] = {
                "loc": [gmap["key"][r["region"]] for r in ok],
                "z": [_lq_colour(r["lq"]) for r in ok],
                "text": [_hover(rname(r["region"]), r["region"], r, tr) for r in ok],
            }

    # --- portfolio payload (per region) ---
    portfolio = _portfolio(traded, change, year, rname, tr)
    decomposition = _decomposition(change, year)
    shift_years = None
    if decomposition:
        first = next(iter(decomposition.values()))[0]
        shift_years = (first["year_start"], first["year_end"])

    # --- profiles ---
    profiles = {}
    for (rid,), part in df.sort("region").group_by(["region"], maintain_order=True):
        tp = part.filter(pl.col("cluster_type") == "traded")
        tr_emp = tp["employment"].sum()
        strong = tp.filter(pl.col("strong").fill_null(False)).sort("lq", descending=True,
                                                                    nulls_last=True)
        starred = tp.filter(pl.col("stars").fill_null(0) > 0).sort(
            ["stars", "lq"], descending=True, nulls_last=True)
        by_emp = part.sort(["employment", "cluster"], descending=[True, False],
                           nulls_last=True)
        by_lq = tp.sort(["lq", "cluster"], descending=[True, False], nulls_last=True)
        profiles[rid] = {
            "name": rname(rid),
            "traded_employment": tr_emp,
            "total_employment": part["employment"].sum(),
            "strong_share": (strong["employment"].sum() / tr_emp) if tr_emp else None,
            "strong": strong.to_dicts(),
            "starred": starred.to_dicts(),
            "by_lq": by_lq.head(5).to_dicts(),
            "all": by_emp.to_dicts(),
            "shift": decomposition.get(rid, []),
        }

    counts = {
        "regions": len(region_codes),
        "traded": traded["cluster"].n_unique(),
        "local": df.filter(pl.col("cluster_type") == "local")["cluster"].n_unique(),
        "strong": int(traded["strong"].fill_null(False).sum()),
        "starred": int((traded["stars"].fill_null(0) > 0).sum()),
        "employment": df["employment"].sum(),
    }

    definitions = dict(DEFAULT_DEFINITIONS)
    definitions.update(metadata.pop("definitions", None) or {})
    definitions = {tr.gettext(k): tr.gettext(v) for k, v in definitions.items()}
    caveats = metadata.pop("caveats", None) or []
    if isinstance(caveats, str):
        caveats = [caveats]
    caveats = [_text(c, tr) for c in caveats]
    generated = metadata.pop("generated", None) or _dt.datetime.now(_dt.UTC).strftime(
        "%Y-%m-%d %H:%M UTC")
    import plotly

    from klaster import __version__

    produced = [(tr(N_("klaster version")), __version__), (tr(N_("Generated")), generated),
                (tr(N_("Year shown")), str(year)),
                (tr(N_("Years in the indicator table")), ", ".join(map(str, years))),
                (tr(N_("Boundaries")), gmap["source"] or tr(N_("none"))),
                (tr(N_("Change table")), tr(N_("supplied")) if change is not None
                 else tr(N_("not supplied"))),
                (tr(N_("Charts")), tr(N_("plotly.js bundled with plotly %(v)s (MIT licence), "
                                         "inlined"), v=plotly.__version__)),
                ("Python", platform.python_version())]
    produced += [(tr.gettext(str(k)), _meta_text(v, tr)) for k, v in metadata.items()]

    map_missing = [{"code": r, "name": rname(r)} for r in gmap["missing"]]
    map_outside = [{"code": r, "name": rname(r)} for r in gmap["outside"]]
    payload = {
        "cluster": cluster, "region": region,
        "clusterNames": {c["id"]: c["name"] for c in cluster_list},
        "regionNames": {r["id"]: r["name"] for r in region_list},
        "map": None if not gmap["available"] else {
            "geojson": gmap["geojson"], "allKeys": [f["id"] for f in
                                                    gmap["geojson"]["features"]],
            "data": map_data, "projection": gmap["projection"],
            "lqTicks": [_LQ_MIN, 0.5, 1, 2, _LQ_MAX],
        },
        "portfolio": portfolio,
        "colours": {"strong": _OI_VERMILION, "other": _OI_BLUE, "grey": _OI_GREY},
        "separators": tr.plotly_separators(),
        "text": {
            "growthAxis": tr(N_("Employment growth, % a year (CAGR)")),
            "wageAxis": tr(N_("Average wage relative to the cluster's national average")),
            "lqAxis": tr(N_("Specialisation: location quotient (log scale)")),
            "other": tr(N_("Other traded clusters")),
            "strong": tr(N_("Strong clusters")),
            "noData": tr(N_("no data")),
            "lq": tr(N_("LQ")),
        },
    }
    import plotly.offline

    spatial_html = None
    if spatial is not None:
        from klaster.reports.spatial import render_spatial_section

        spatial_html = jinja2.utils.markupsafe.Markup(
            render_spatial_section(spatial[0], spatial[1], unit=spatial_unit,
                                   language=language))
        produced.append((tr(N_("Firm-level concentration")),
                         tr(N_("Kd of %(n)s industries (klaster.spatial)"),
                            n=tr.num(spatial[1].height))))
    template = environment(language).get_template("report.html.j2")
    return template.render(
        lang=language, plotly_locale=jinja2.utils.markupsafe.Markup(plotly_locale(tr)),
        title=_text(title, tr), source_note=_text(source_note, tr), year=year, counts=counts,
        definitions=definitions, clusters=cluster_list, regions=region_list,
        cluster=cluster, region=region, top_regions=top_regions, top_n=top_n,
        profiles=profiles, portfolio=portfolio, gmap=gmap, map_missing=map_missing,
        map_outside=map_outside, shift_years=shift_years,
        map_missing_text=", ".join(f"{r['name']} ({r['code']})" for r in map_missing),
        caveats=caveats, produced=produced, payload=payload, spatial_html=spatial_html,
        plotly_js=jinja2.utils.markupsafe.Markup(_safe_script(plotly.offline.get_plotlyjs())),
    )


def _safe_script(js: str) -> str:
    # An inline script ends at the first "</script"; plotly.min.js has none, but guard.
    return js.replace("</script", "<\\/script")


def _text(v: Any, tr: Translator) -> str:
    """A Message (or its dict form) rendered; a catalogue msgid translated; other text
    as given."""
    if isinstance(v, str):
        return tr.gettext(v)
    return render_message(v, tr)


def _meta_text(v: Any, tr: Translator = _EN) -> str:
    if isinstance(v, dict) and "code" not in v:
        return "; ".join(f"{tr.gettext(str(k))}: {_meta_text(x, tr)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return "; ".join(_meta_text(x, tr) for x in v)
    if isinstance(v, (str, dict)) or hasattr(v, "code"):
        return _text(v, tr)
    return str(v)


def _decomposition(change: pl.DataFrame | None, year: int) -> dict[str, list[dict]]:
    """Shift-share rows (klaster.indicators.shiftshare) per region, of the change table's
    traded clusters ending in ``year``, largest competitive effect first."""
    from klaster.indicators import SHIFT_SHARE_COLUMNS

    if change is None or not set(SHIFT_SHARE_COLUMNS) <= set(change.columns):
        return {}
    ch = change.filter((pl.col("year_end") == year) & (pl.col("cluster_type") == "traded")
                       & pl.col("shift_competitive").is_not_null()).with_columns(
        pl.col("region").cast(pl.Utf8))
    out: dict[str, list[dict]] = {}
    for (rid,), part in ch.group_by(["region"], maintain_order=True):
        out[rid] = part.sort(["shift_competitive", "cluster"], descending=[True, False]
                             ).to_dicts()
    return out


def _portfolio(traded: pl.DataFrame, change: pl.DataFrame | None, year: int, rname,
               tr: Translator = _EN) -> dict[str, Any]:
    """Per-region bubble data: x = LQ, y = CAGR (from the change table) or, without growth
    data, the region's wage relative to the cluster's national average wage.

    Relative wage = (payroll_rc / employment_rc) / (sum_r payroll_rc / sum_r employment_rc);
    payroll and employment are used rather than the ``wage`` column so units cancel.
    National growth (the horizontal quadrant line) = CAGR of total traded employment over
    all regions between year_start and year_end: (E_end / E_start)^(1/(t1 - t0)) - 1.
    """
    mode = "wage"
    ch = None
    national = 1.0
    note = ""
    if change is not None and change.height:
        _require(change, CHANGE_COLUMNS, "change table")
        ch = change.filter((pl.col("year_end") == year)
                           & (pl.col("cluster_type") == "traded")).with_columns(
            pl.col("region").cast(pl.Utf8), pl.col("cluster").cast(pl.Utf8))
        if ch.height:
            mode = "growth"
            y0, y1 = int(ch["year_start"].min()), int(ch["year_end"].max())
            both = ch.filter(pl.col("employment_start").is_not_null()
                             & pl.col("employment_end").is_not_null())
            e0, e1 = both["employment_start"].sum(), both["employment_end"].sum()
            span = y1 - y0
            national = ((e1 / e0) ** (1 / span) - 1) if e0 and span > 0 else None
            note = tr(N_("Growth is the compound annual growth rate of employment "
                         "%(y0)s–%(y1)s. The horizontal line is national traded employment "
                         "growth."), y0=y0, y1=y1)
        else:
            note = tr(N_("The change table has no rows ending in %(year)s, so the chart "
                         "shows relative wages instead of growth."), year=year)
    if mode == "wage":
        nat = (traded.filter(pl.col("payroll").is_not_null() & pl.col("employment").is_not_null())
               .group_by("cluster").agg((pl.col("payroll").sum() / pl.col("employment").sum())
                                        .alias("nat_wage")))
        data = traded.join(nat, on="cluster", how="left").with_columns(
            y=(pl.col("payroll") / pl.col("employment")) / pl.col("nat_wage"))
        note = note or tr(N_("The data cover a single year, so there is no employment "
                             "growth to show."))
        note += " " + tr(N_("The vertical axis is the region's average wage in the cluster "
                            "relative to the cluster's national average (1 = national "
                            "average)."))
    else:
        data = traded.join(ch.select("region", "cluster", pl.col("cagr").alias("y")),
                           on=["region", "cluster"], how="left")
    out: dict[str, Any] = {"mode": mode, "national": national, "note": note, "regions": {}}
    for (rid,), part in data.sort("region").group_by(["region"], maintain_order=True):
        pts = part.filter(pl.col("lq").is_not_null() & (pl.col("lq") > 0)
                          & pl.col("y").is_not_null() & pl.col("y").is_finite()
                          & (pl.col("employment") > 0))
        rows = pts.sort("employment", descending=True).to_dicts()
        out["regions"][rid] = {
            "x": [r["lq"] for r in rows],
            "y": [r["y"] * 100 if mode == "growth" else r["y"] for r in rows],
            "size": [r["employment"] for r in rows],
            "strong": [bool(r["strong"]) for r in rows],
            "label": [_html.escape(r["cluster_name"] or r["cluster"]) for r in rows],
            "text": [_html.escape(r["cluster_name"] or r["cluster"]) + "<br>"
                     + tr(N_("Employment: %(n)s"), n=tr.num(r["employment"])) + "<br>"
                     + tr(N_("LQ: %(lq)s"), lq=tr.num(r["lq"], 2)) + "<br>"
                     + (tr(N_("Growth: %(g)s a year"), g=tr.pct(r["y"], 1, signed=True))
                        if mode == "growth"
                        else tr(N_("Relative wage: %(w)s"), w=tr.num(r["y"], 2)))
                     for r in rows],
            "omitted": part.height - pts.height,
        }
    if mode == "growth" and national is not None:
        out["national"] = national * 100
    return out


def write_report(indicators: pl.DataFrame, path: str | Path, **options: Any) -> Path:
    """Render the report (same keyword options as ``render_report``) and write it to
    ``path`` atomically (temporary file + rename). Returns the path."""
    page = render_report(indicators, **options)
    return atomic_write_text(path, page)
