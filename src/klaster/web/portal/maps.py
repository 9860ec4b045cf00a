"""Web maps: Leaflet over the built-in boundaries, offline by default.

The page gets a ``map`` dict (rendered by ``portal/_map.html`` into a container, a
``json_script`` block and a legend) and ``static/klaster/map.js`` draws it with Leaflet
(``vendor/leaflet``, from the xstatic-leaflet package). The background is the admin-1
boundaries of Poland, Belarus and Lithuania (OpenStreetMap, ODbL; klaster.reports.geo),
served once by :func:`klaster.web.portal.views.map_boundaries`; a tile layer is added only
when ``KLASTER_MAP_TILE_URL`` is set (settings.KLASTER_MAP_TILE_URL).

Geography (which region a point is in, choropleth classes, NUTS 2 → voivodeship) lives
in the framework-free :mod:`klaster.geo`; this module only shapes data for the template.

Markers are never told apart by colour alone: each kind (cluster status, helix type)
also has its own shape, drawn by the same SVG in the legend and on the map.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# Polars and the analytics load inside the functions that use them: the URL map imports
# this module at every start of the platform (1-3 s of `klaster serve`; issue 14).
if TYPE_CHECKING:
    from klaster import geo



@dataclass(frozen=True)
class MapPoint:
    label: str
    lat: float
    lon: float
    url: str = ""
    kind: str = ""
    members: int | None = None


# Shapes in a 20×20 box; the legend and the markers use the same markup.
SHAPES = {
    "circle": '<circle cx="10" cy="10" r="8"/>',
    "square": '<rect x="3" y="3" width="14" height="14"/>',
    "diamond": '<polygon points="10,1 19,10 10,19 1,10"/>',
    "triangle": '<polygon points="10,2 19,18 1,18"/>',
    "hexagon": '<polygon points="5.5,2 14.5,2 19,10 14.5,18 5.5,18 1,10"/>',
    "star": '<polygon points="10,1 12.6,7 19,7.4 14,11.6 15.6,18.5 10,14.8 4.4,18.5 6,11.6 '
            '1,7.4 7.4,7"/>',
}

# Colours: each has a contrast ratio of at least 4.5:1 against white (the marker outline
# and the light region fills), above WCAG 2.1 SC 1.4.11's 3:1 for graphical objects.
STATUS_STYLE = {  # value → (colour, shape)
    "operating": ("#1b6e2f", "circle"),
    "forming": ("#a14c00", "square"),
    "potential": ("#5b3a94", "diamond"),
    "dissolved": ("#555555", "triangle"),
}
HELIX_STYLE = {
    "business": ("#1f5fa8", "circle"),
    "research": ("#a3195b", "square"),
    "public": ("#1b6e2f", "diamond"),
    "support": ("#a14c00", "triangle"),
    "civil": ("#5b3a94", "hexagon"),
    "finance": ("#555555", "star"),
}
OTHER_STYLE = ("#333333", "circle")

# Marker size by number of current members: three classes, so the legend can say
# exactly what a size means (a continuous scale cannot be read back from the map).
SIZE_CLASSES = ((0, 9, 16), (10, 49, 24), (50, None, 34))  # (from, to, pixels)
MEMBER_MARKER_PX = 18

COUNT_COLOURS = ("#f5f5f5", "#d2e3f3", "#9ecae1", "#5b9bd0", "#2c6db0")
LQ_COLOURS = ("#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe")
NO_DATA_COLOUR = "#d4d4d4"  # neutral grey: outside the blue LQ scale

def attribution() -> str:
    """The boundaries' credit in the request's language (a module-level concatenation
    with a lazy translation would be fixed in English at import)."""
    return ('© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
            + str(gettext_lazy("contributors")) + " (ODbL)")


def shape_svg(colour: str, shape: str, px: int) -> str:
    """The marker as inline SVG (trusted constant markup, never user text)."""
    return (f'<svg viewBox="0 0 20 20" width="{px}" height="{px}" aria-hidden="true" '
            f'focusable="false"><g fill="{colour}" stroke="#ffffff" stroke-width="1.5">'
            f'{SHAPES[shape]}</g></svg>')


def size_px(members: int) -> int:
    for low, high, px in SIZE_CLASSES:
        if high is None or members <= high:
            return px
    return SIZE_CLASSES[-1][2]


@lru_cache(maxsize=1)
def _geometry() -> dict:
    from klaster.reports.geo import pl_by_lt_geometry

    return pl_by_lt_geometry()


@lru_cache(maxsize=1)
def boundaries_payload() -> tuple[bytes, str]:
    """(compact GeoJSON bytes, ETag) of the background boundaries, built once per
    process: 33 regions, 239 KB (64 KB gzipped) with coordinates rounded to 3
    decimals (klaster.geo.web_boundaries) from the 284 KB source."""
    from klaster import geo
    body = json.dumps(geo.web_boundaries(_geometry()), ensure_ascii=False,
                      separators=(",", ":")).encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def region_names(language: str) -> dict[str, str]:
    from klaster import geo
    return {f["properties"]["iso_3166_2"]: geo.region_name(f["properties"], language)
            for f in _geometry()["features"]}


@lru_cache(maxsize=1)
def _index() -> geo.RegionIndex:
    from klaster import geo
    return geo.RegionIndex(_geometry())


def regions_of(points: list[MapPoint]) -> list[str | None]:
    """The admin-1 region (ISO 3166-2 code) of each point, None outside PL/BY/LT."""
    return _index().assign([p.lon for p in points], [p.lat for p in points])


def _config(map_kind: str, label: str) -> dict:
    return {
        "kind": map_kind, "label": label,
        "tiles": settings.KLASTER_MAP_TILE_URL or "",
        "tile_attribution": settings.KLASTER_MAP_TILE_ATTRIBUTION or "",
        "attribution": attribution(),
        "text": {"open": _("Open the page"), "close": _("Close"),
                 "zoom_in": _("Zoom in"), "zoom_out": _("Zoom out")},
    }


def _legend_entry(value: str, label: str, style: tuple[str, str], px: int = 16) -> dict:
    return {"value": value, "label": label, "colour": style[0], "shape": style[1],
            "svg": shape_svg(style[0], style[1], px)}


def cluster_marker(p: MapPoint, statuses: dict[str, str],
                   _details: dict | None = None) -> dict:
    """One cluster's marker: shape and colour by status, size by members. The SVG is not
    repeated per marker (1,500 copies made the page 800 KB, issue 14): ``icon`` names
    an entry of the map's ``icons`` (see :func:`icons`), which map.js draws."""
    members = p.members or 0
    px = size_px(members)
    key = (p.kind, members)
    detail = None if _details is None else _details.get(key)
    if detail is None:
        detail = ngettext("%(status)s · %(n)d member", "%(status)s · %(n)d members",
                          members) % {"status": statuses.get(p.kind, p.kind), "n": members}
        if _details is not None:
            _details[key] = detail
    return {"name": p.label, "lat": p.lat, "lon": p.lon, "url": p.url, "detail": detail,
            "icon": _icon_key(STATUS_STYLE.get(p.kind, OTHER_STYLE), px), "px": px}


def _icon_key(style: tuple[str, str], px: int) -> str:
    return f"{style[1]}-{style[0].lstrip('#')}-{px}"


def icons(markers: list[dict], styles) -> dict[str, str]:
    """icon key → SVG markup, for the keys ``markers`` use (``styles``: the kinds'
    (colour, shape) pairs, the fallback included)."""
    used = {m["icon"] for m in markers}
    return {key: shape_svg(colour, shape, px) for colour, shape in {*styles, OTHER_STYLE}
            for px in {*(c[2] for c in SIZE_CLASSES), MEMBER_MARKER_PX}
            if (key := _icon_key((colour, shape), px)) in used}


def cluster_map(points: list[MapPoint], statuses: dict[str, str], language: str,
                shading: dict | None = None, markers: list[dict] | None = None) -> dict:
    """The map of clusters: one marker per placed cluster (shape and colour by status,
    size by members), regions shaded by ``shading`` (see :func:`count_shading`).
    ``markers``: the points' markers already built by :func:`cluster_marker`."""
    if markers is None:
        details: dict = {}
        markers = [cluster_marker(p, statuses, details) for p in points]
    legend = [_legend_entry(v, statuses[v], s) for v, s in STATUS_STYLE.items()
              if v in statuses]
    sizes = []
    for low, high, px in SIZE_CLASSES:
        label = (_("%(low)d–%(high)d members") % {"low": low, "high": high} if high is not None
                 else _("%(low)d or more members") % {"low": low})
        sizes.append({"label": label, "svg": shape_svg("#555555", "circle", px)})
    return {**_config("clusters", _("Map of clusters")), "empty": False,
            "markers": markers, "icons": icons(markers, STATUS_STYLE.values()),
            "legend": legend, "legend_title": _("Status of the cluster"),
            "sizes": sizes, "shading": shading, "names": region_names(language)}


_JSON_SCRIPT_ESCAPES = (("&", "\\u0026"), ("<", "\\u003C"), (">", "\\u003E"))


def marker_json(marker: dict) -> str:
    """One marker as escaped JSON (see :func:`data_json`)."""
    text = json.dumps(marker, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _JSON_SCRIPT_ESCAPES:
        text = text.replace(char, escaped)
    return text


def data_json(data: dict, markers_json: list[str] | None = None) -> str:
    """``data`` as JSON safe inside ``<script type="application/json">`` — what
    Django's ``json_script`` writes, escaped with str.replace: its str.translate took
    60 ms on the 1,500-cluster map (issue 14). ``markers_json``: the markers already
    written by :func:`marker_json` (kept with the cached map entries), spliced in."""
    from django.core.serializers.json import DjangoJSONEncoder
    from django.utils.safestring import mark_safe

    if markers_json is not None:
        data = {**data, "markers": []}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)
    for char, escaped in _JSON_SCRIPT_ESCAPES:
        text = text.replace(char, escaped)
    if markers_json is not None:
        # The only unquoted "markers" key: quotes inside strings are escaped (\").
        text = text.replace('"markers":[]', '"markers":[' + ",".join(markers_json) + "]", 1)
    return mark_safe(text)  # every <, > and & is escaped above


def member_map(points: list[MapPoint], helixes: dict[str, str], language: str,
               label: str | None = None) -> dict:
    """A map of organisations (a cluster's members, or one organisation): colour and
    shape by helix type."""
    pts = [p for p in points if p.lat is not None and p.lon is not None]
    markers = []
    for p in pts:
        colour, shape = HELIX_STYLE.get(p.kind, OTHER_STYLE)
        markers.append({"name": p.label, "lat": p.lat, "lon": p.lon, "url": p.url,
                        "detail": helixes.get(p.kind, p.kind),
                        "icon": _icon_key((colour, shape), MEMBER_MARKER_PX),
                        "px": MEMBER_MARKER_PX})
    used = {p.kind for p in pts}
    legend = [_legend_entry(v, helixes[v], s) for v, s in HELIX_STYLE.items()
              if v in used and v in helixes]
    return {**_config("members", label or _("Map of members")), "empty": not pts,
            "markers": markers, "icons": icons(markers, HELIX_STYLE.values()),
            "legend": legend, "legend_title": _("Type of organisation"),
            "sizes": [], "shading": None, "names": region_names(language)}


def _shading(values: dict[str, float], classes: list[dict], title: str, kind: str,
             names: dict[str, str]) -> dict:
    regions = {}
    for fid, value in values.items():
        regions[fid] = {"value": value, "class": value_class(value, classes)}
    rows = sorted(({"id": fid, "name": names.get(fid, fid), **v} for fid, v in regions.items()),
                  key=lambda r: (-r["value"], r["name"]))
    return {"kind": kind, "title": title, "classes": classes, "regions": regions,
            "rows": rows, "no_data": {"colour": NO_DATA_COLOUR, "label": _("No data")}}


def value_class(value: float, classes: list[dict]) -> int:
    from klaster import geo
    return geo.classify(value, [c["upper"] for c in classes[:-1]])


def count_shading(region_ids: list[str | None], language: str) -> dict:
    """Regions shaded by the number of clusters placed in them (klaster.geo classes)."""
    from klaster import geo
    names = region_names(language)
    counts = {fid: 0 for fid in names}
    for fid in region_ids:
        if fid is not None:
            counts[fid] += 1
    bounds = geo.count_classes(max(counts.values(), default=0))
    classes = []
    for i, (low, high) in enumerate(bounds):
        label = str(low) if low == high else f"{low}–{high}"  # numbers only: no words
        colour = COUNT_COLOURS[min(i, len(COUNT_COLOURS) - 1)]
        classes.append({"label": label, "colour": colour, "upper": high + 1})
    shading = _shading(counts, classes, _("Number of clusters in the region"), "count", names)
    shading["rows"] = [r for r in shading["rows"] if r["value"] > 0]
    shading["no_data"] = None  # every region has a count (0 is a class of its own)
    return shading


def lq_shading(values: dict[str, float], title: str, language: str) -> dict:
    """Regions shaded by a location quotient in the classes of klaster.geo.LQ_BREAKS."""
    from klaster import geo
    b = geo.LQ_BREAKS
    labels = [_("below %(x)s") % {"x": _num(b[0])}]
    labels += [_("%(low)s to under %(high)s") % {"low": _num(lo), "high": _num(hi)}
               for lo, hi in pairwise(b)]
    labels.append(_("%(x)s or more") % {"x": _num(b[-1])})
    uppers = [*b, None]  # the last class has no upper bound
    classes = [{"label": lab, "colour": col, "upper": up}
               for lab, col, up in zip(labels, LQ_COLOURS, uppers, strict=True)]
    return _shading(values, classes, title, "lq", region_names(language))


def _num(x: float) -> str:
    from django.utils.formats import number_format

    return number_format(x, decimal_pos=2 if x != int(x) else 1, use_l10n=True)
