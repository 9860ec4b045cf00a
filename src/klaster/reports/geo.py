"""Boundaries for report maps: GeoJSON / TopoJSON in, a GeoJSON FeatureCollection dict out.

The map in the HTML report needs one polygon feature per region, each with a string
``id`` that matches the region's ``geo_id`` in the regions table (REGIONS_SCHEMA) or,
when there is no regions table, the region code itself.

TopoJSON is decoded here rather than with a third-party package: the decoding rule is
short and fixed by the specification (Bostock, TopoJSON Format Specification 1.0, 2013),
and the PyPI ``topojson`` package is an *encoder* that pulls in shapely and pandas.

Built-in boundaries: US states (+ DC, PR) from us-atlas 3.0.1 (Bostock; ISC licence,
from Census cartographic boundary files 2017), simplified by scripts/build_geo_data.py
and keyed by state FIPS code. The licence ships beside the data file.

Built-in boundaries of Poland's voivodeships, Belarus's oblasts and Minsk, and
Lithuania's counties (``pl_by_lt_geometry``, name "pl-by-lt"): OpenStreetMap, ODbL 1.0,
keyed by ISO 3166-2 code (PL-PD, BY-HR, LT-VL), shipped unchanged with its notice and
attribution beside it (``pl_by_lt_notice``). NUTS 2021 boundaries are not shipped (GISCO
terms forbid commercial use): ``klaster fetch gisco`` downloads them.
"""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

from klaster.errors import DataError

__all__ = [
    "BUILTIN_BOUNDARIES",
    "PL_BY_LT_ATTRIBUTION",
    "PL_BY_LT_DATA",
    "PL_BY_LT_NOTICE",
    "US_STATES_DATA",
    "add_union_features",
    "builtin_geometry",
    "US_STATES_LICENSE",
    "decode_topojson",
    "feature_ids",
    "geometry_from_dict",
    "load_geometry",
    "pl_by_lt_geometry",
    "pl_by_lt_notice",
    "us_states_geometry",
    "us_states_license",
    "us_states_regions",
    "us_states_table",
]

_DATA = resources.files("klaster.reports") / "data"
US_STATES_DATA = "us_states_10m_simplified.topojson"
US_STATES_LICENSE = "us_atlas_LICENSE"
PL_BY_LT_DATA = "admin1_PL_BY_LT_osm.geojson"
PL_BY_LT_NOTICE = "admin1_PL_BY_LT_osm_NOTICE"
PL_BY_LT_ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0)"
BUILTIN_BOUNDARIES = ("us-states", "pl-by-lt", "pl", "by", "lt")
_GEOMETRY_TYPES = {
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
    "GeometryCollection",
}


# --- TopoJSON -------------------------------------------------------------------------


def _decode_arcs(topology: dict[str, Any], where: str) -> list[list[list[float]]]:
    """Absolute lon/lat positions of every arc.

    With a ``transform`` the arcs are quantized and delta-encoded (TopoJSON spec §2.1.2):
    the integer position of point i is the running sum of the deltas 0..i, and the real
    position is ``q * scale + translate`` per axis. Without a transform, arcs hold
    absolute coordinates already.
    """
    arcs = topology.get("arcs")
    if not isinstance(arcs, list):
        raise DataError("TopoJSON topology has no 'arcs' list", file=where, field="arcs")
    transform = topology.get("transform")
    out: list[list[list[float]]] = []
    if transform is None:
        for arc in arcs:
            out.append([[float(p[0]), float(p[1])] for p in arc])
        return out
    try:
        sx, sy = (float(v) for v in transform["scale"])
        tx, ty = (float(v) for v in transform["translate"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(
            f"TopoJSON transform needs 'scale' and 'translate' pairs ({exc})",
            file=where, field="transform",
        ) from None
    for k, arc in enumerate(arcs):
        x = y = 0
        pts: list[list[float]] = []
        try:
            for p in arc:
                x += p[0]
                y += p[1]
                pts.append([x * sx + tx, y * sy + ty])
        except (TypeError, IndexError):
            raise DataError(f"arc {k} is not a list of [x, y] positions",
                            file=where, field="arcs") from None
        out.append(pts)
    return out


def _stitch(indices: list[int], arcs: list[list[list[float]]], where: str) -> list[list[float]]:
    """Join arcs into one line or ring.

    A negative index ``i`` means arc ``~i`` (= -i - 1) traversed backwards; each arc after
    the first starts where the previous ended, so its first point is dropped (spec §2.2).
    """
    coords: list[list[float]] = []
    for i in indices:
        j = ~i if i < 0 else i
        if not 0 <= j < len(arcs):
            raise DataError(f"arc index {i} is out of range (topology has {len(arcs)} arcs)",
                            file=where, field="arcs")
        arc = arcs[j][::-1] if i < 0 else arcs[j]
        coords.extend(arc[1:] if coords else arc)
    return coords


def _ring(indices: list[int], arcs, where: str) -> list[list[float]]:
    """A polygon ring, closed. GeoJSON (RFC 7946 §3.1.6) requires first == last; some
    published topologies miss by one quantization step (us-atlas 3.0.1 Illinois does),
    so the first position is repeated when the arcs do not close the ring themselves."""
    coords = _stitch(indices, arcs, where)
    if coords and coords[0] != coords[-1]:
        coords.append(list(coords[0]))
    return coords


def _topo_geometry(g: dict[str, Any], arcs, transform, where: str) -> dict[str, Any] | None:
    gtype = g.get("type")
    if gtype is None:  # a null geometry: a feature without shape
        return None
    if gtype not in _GEOMETRY_TYPES:
        raise DataError(f"unknown TopoJSON geometry type {gtype!r}", file=where, field="type")

    def point(p):
        # Point coordinates are quantized but never delta-encoded (spec §2.1.2).
        if transform is None:
            return [float(p[0]), float(p[1])]
        return [p[0] * transform[0] + transform[2], p[1] * transform[1] + transform[3]]

    if gtype == "GeometryCollection":
        return {
            "type": "GeometryCollection",
            "geometries": [
                x for x in (_topo_geometry(s, arcs, transform, where)
                            for s in g.get("geometries", [])) if x is not None
            ],
        }
    if gtype == "Point":
        coords: Any = point(g["coordinates"])
    elif gtype == "MultiPoint":
        coords = [point(p) for p in g["coordinates"]]
    elif gtype == "LineString":
        coords = _stitch(g["arcs"], arcs, where)
    elif gtype == "MultiLineString":
        coords = [_stitch(line, arcs, where) for line in g["arcs"]]
    elif gtype == "Polygon":
        coords = [_ring(ring, arcs, where) for ring in g["arcs"]]
    else:  # MultiPolygon
        coords = [[_ring(ring, arcs, where) for ring in poly] for poly in g["arcs"]]
    return {"type": gtype, "coordinates": coords}


def decode_topojson(
    topology: dict[str, Any], object_name: str | None = None, *, source: str | Path | None = None
) -> dict[str, Any]:
    """Decode one object of a TopoJSON topology into a GeoJSON FeatureCollection dict.

    ``object_name`` picks the object (e.g. ``"states"`` in us-atlas); it may be omitted
    when the topology holds a single object. Each geometry becomes a Feature keeping its
    ``id`` and ``properties``. ``source`` is only used to name the file in errors.
    """
    where = str(source) if source is not None else "<topojson>"
    if topology.get("type") != "Topology":
        raise DataError("not a TopoJSON topology (type != 'Topology')", file=where, field="type")
    objects = topology.get("objects") or {}
    if object_name is None:
        if len(objects) != 1:
            raise DataError(
                f"TopoJSON has {len(objects)} objects ({', '.join(sorted(objects))}); "
                "name the one to use with object_name=",
                file=where, field="objects",
            )
        object_name = next(iter(objects))
    if object_name not in objects:
        raise DataError(
            f"TopoJSON has no object {object_name!r} (objects: {', '.join(sorted(objects))})",
            file=where, field="objects",
        )
    arcs = _decode_arcs(topology, where)
    t = topology.get("transform")
    transform = None if t is None else (*map(float, t["scale"]), *map(float, t["translate"]))
    obj = objects[object_name]
    members = obj.get("geometries", []) if obj.get("type") == "GeometryCollection" else [obj]
    features = []
    for g in members:
        feature: dict[str, Any] = {
            "type": "Feature",
            "properties": dict(g.get("properties") or {}),
            "geometry": _topo_geometry(g, arcs, transform, where),
        }
        if "id" in g:
            feature["id"] = g["id"]
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


# --- loading --------------------------------------------------------------------------


def geometry_from_dict(
    data: dict[str, Any],
    *,
    id_property: str | None = None,
    object_name: str | None = None,
    source: str | Path | None = None,
) -> dict[str, Any]:
    """Normalise a parsed GeoJSON or TopoJSON document to a FeatureCollection dict.

    Every feature gets a string ``id``: ``properties[id_property]`` when ``id_property``
    is given, else the feature's own ``id``. A feature without that key, or two features
    with the same key, is a DataError (a map cannot colour a shape it cannot name).
    """
    where = str(source) if source is not None else "<geometry>"
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "Topology":
        fc = decode_topojson(data, object_name, source=source)
    elif kind == "FeatureCollection":
        fc = {"type": "FeatureCollection", "features": list(data.get("features") or [])}
    elif kind == "Feature":
        fc = {"type": "FeatureCollection", "features": [data]}
    else:
        raise DataError(
            f"expected a GeoJSON FeatureCollection/Feature or a TopoJSON Topology, got type "
            f"{kind!r}", file=where, field="type",
        )
    seen: dict[str, int] = {}
    out = []
    for n, f in enumerate(fc["features"]):
        props = dict(f.get("properties") or {})
        if id_property is not None:
            if props.get(id_property) is None:
                raise DataError(
                    f"feature {n} has no property {id_property!r} "
                    f"(properties: {', '.join(sorted(props)) or 'none'})",
                    file=where, field=id_property,
                )
            key = props[id_property]
        else:
            if f.get("id") is None:
                raise DataError(
                    f"feature {n} has no 'id'; pass id_property= to name the property that "
                    f"identifies regions (properties: {', '.join(sorted(props)) or 'none'})",
                    file=where, field="id",
                )
            key = f["id"]
        key = str(key)
        if key in seen:
            raise DataError(f"features {seen[key]} and {n} share the id {key!r}",
                            file=where, field=id_property or "id")
        seen[key] = n
        out.append({"type": "Feature", "id": key, "properties": props,
                    "geometry": f.get("geometry")})
    return {"type": "FeatureCollection", "features": out}


def load_geometry(
    path: str | Path, *, id_property: str | None = None, object_name: str | None = None
) -> dict[str, Any]:
    """Read a GeoJSON or TopoJSON file into a FeatureCollection dict keyed by feature id.

    ``id_property``: the feature property whose value is the region's ``geo_id`` (or code);
    None uses each feature's ``id``. ``object_name``: the TopoJSON object to decode.
    Unreadable or malformed files raise DataError naming the file.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read boundary file: {exc.strerror or exc}", file=path) from None
    except UnicodeDecodeError:
        raise DataError("boundary file is not UTF-8 text (GeoJSON/TopoJSON expected)",
                        file=path) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"invalid JSON: {exc.msg} (column {exc.colno})", file=path,
                        line=exc.lineno) from None
    return geometry_from_dict(data, id_property=id_property, object_name=object_name,
                              source=path)


def feature_ids(geometry: dict[str, Any]) -> list[str]:
    """The ``id`` of every feature of a FeatureCollection, in file order."""
    return [str(f.get("id")) for f in geometry.get("features", [])]


# --- built-in US states -----------------------------------------------------------------


def us_states_regions() -> pl.DataFrame:
    """US states, DC and PR as a regions table (REGIONS_SCHEMA): region = postal code,
    name, parent = null, geo_id = 2-digit FIPS code, matching the built-in boundaries.

    Comes from ``klaster.taxonomy.us_states()``; reads the same packaged CSV
    (klaster/taxonomy/data/us_states.csv) directly if that function is unavailable."""
    schema = {"region": pl.Utf8, "name": pl.Utf8, "parent": pl.Utf8, "geo_id": pl.Utf8}
    try:
        from klaster.taxonomy import us_states
    except ImportError:  # taxonomy package not importable: same data, read directly
        src = resources.files("klaster.taxonomy") / "data" / "us_states.csv"
        with src.open("r", encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        return pl.DataFrame({"region": [r["region"] for r in rows],
                             "name": [r["name"] for r in rows],
                             "parent": [None] * len(rows),
                             "geo_id": [r["fips"] for r in rows]}, schema=schema)
    return us_states().select(list(schema)).cast(schema)


def us_states_table() -> pl.DataFrame:
    """US states, DC and PR: columns region (postal code), fips (2 digits), name."""
    r = us_states_regions()
    return r.select("region", pl.col("geo_id").alias("fips"), "name")


def us_states_geometry() -> dict[str, Any]:
    """Built-in US state boundaries (50 states, DC, PR) as a FeatureCollection keyed by
    2-digit FIPS code, with property ``name``. Source: us-atlas 3.0.1 (ISC licence),
    simplified; see ``us_states_license()``."""
    with (_DATA / US_STATES_DATA).open("r", encoding="utf-8") as fh:
        data = json.load(fh)
    return geometry_from_dict(data, object_name="states", source=US_STATES_DATA)


def us_states_license() -> str:
    """Licence text of the us-atlas boundaries behind ``us_states_geometry()``."""
    return (_DATA / US_STATES_LICENSE).read_text(encoding="utf-8")


# --- built-in Poland, Belarus, Lithuania ---------------------------------------------------


def pl_by_lt_geometry(countries: str = "pl-by-lt") -> dict[str, Any]:
    """Built-in first-level regions of Poland (16 voivodeships), Belarus (6 oblasts +
    Minsk city) and Lithuania (10 counties) as a FeatureCollection keyed by ISO 3166-2
    code (property ``iso_3166_2``: "PL-PD", "BY-HR", "LT-VL"), with the OpenStreetMap
    properties (names in en, pl, be, ru, lt; ``nuts2_2021``). ``countries``: "pl-by-lt"
    or one of "pl", "by", "lt". © OpenStreetMap contributors, ODbL 1.0: see
    ``pl_by_lt_notice()``; the region table to join is klaster.taxonomy.builtin_regions."""
    key = countries.lower()
    if key not in ("pl-by-lt", "pl", "by", "lt"):
        raise DataError(f"no built-in boundaries {countries!r}; choose one of "
                        f"{', '.join(BUILTIN_BOUNDARIES)}", field="boundaries")
    with (_DATA / PL_BY_LT_DATA).open("r", encoding="utf-8") as fh:
        data = json.load(fh)
    if key != "pl-by-lt":
        data["features"] = [f for f in data["features"]
                            if f["properties"].get("country") == key.upper()]
    return geometry_from_dict(data, id_property="iso_3166_2", source=PL_BY_LT_DATA)


def pl_by_lt_notice() -> str:
    """Licence notice and attribution of the boundaries behind ``pl_by_lt_geometry()``."""
    return (_DATA / PL_BY_LT_NOTICE).read_text(encoding="utf-8")


def builtin_geometry(name: str) -> tuple[dict[str, Any], pl.DataFrame, str]:
    """Built-in boundaries by name -> (FeatureCollection, matching region table
    (REGIONS_SCHEMA), attribution). Names: "us-states", "pl-by-lt", "pl", "by", "lt"."""
    key = name.lower()
    if key == "us-states":
        return (us_states_geometry(), us_states_regions(),
                "us-atlas 3.0.1 (Census cartographic boundaries 2017), ISC licence")
    geometry = pl_by_lt_geometry(key)
    from klaster.taxonomy.regions import builtin_regions

    return geometry, builtin_regions(key), PL_BY_LT_ATTRIBUTION


def add_union_features(geometry: dict[str, Any], codes) -> dict[str, Any]:
    """Add a feature for every union code ("PL91+PL92", as klaster.taxonomy.recode_nuts
    writes a split region) whose parts all have a feature and which has none itself: its
    geometry is a MultiPolygon of the parts' polygons, its properties name the parts.
    So the figures of an old region meet the boundaries of its successors. Returns a
    new FeatureCollection; features already there are kept as they are."""
    by_id = {str(f.get("id")): f for f in geometry.get("features", [])}
    added = []
    for code in sorted({c for c in codes if c and "+" in c}):
        if code in by_id:
            continue
        parts = code.split("+")
        if not all(p in by_id for p in parts):
            continue
        polygons: list = []
        for p in parts:
            g = by_id[p].get("geometry") or {}
            if g.get("type") == "Polygon":
                polygons.append(g["coordinates"])
            elif g.get("type") == "MultiPolygon":
                polygons.extend(g["coordinates"])
        if not polygons:
            continue
        added.append({"type": "Feature", "id": code,
                      "properties": {"parts": parts, "name": " + ".join(
                          str(by_id[p].get("properties", {}).get("NAME_LATN")
                              or by_id[p].get("properties", {}).get("name") or p)
                          for p in parts)},
                      "geometry": {"type": "MultiPolygon", "coordinates": polygons}})
    return {"type": "FeatureCollection",
            "features": list(geometry.get("features", [])) + added}
