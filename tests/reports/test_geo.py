"""Boundary loading: TopoJSON decoding against hand-computed coordinates, GeoJSON keys,
errors naming the file, and the built-in US states."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from klaster.errors import DataError
from klaster.reports import geo

# A tiny topology. transform: x = qx * 0.5 + 10, y = qy * 0.25 + 20.
# arc 0 deltas (0,0) (2,0) (0,4)  -> q (0,0) (2,0) (2,4)  -> (10,20) (11,20) (11,21)
# arc 1 deltas (2,4) (-2,0) (0,-4) -> q (2,4) (0,4) (0,0) -> (11,21) (10,21) (10,20)
TINY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
    "arcs": [[[0, 0], [2, 0], [0, 4]], [[2, 4], [-2, 0], [0, -4]]],
    "objects": {
        "shapes": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "id": "A", "properties": {"code": "pa"}, "arcs": [[0, 1]]},
                {"type": "Polygon", "id": "B", "properties": {"code": "pb"}, "arcs": [[-2, -1]]},
                {"type": "MultiPolygon", "id": "C", "properties": {"code": "pc"},
                 "arcs": [[[0, 1]], [[-2, -1]]]},
                {"type": "LineString", "id": "L", "properties": {"code": "pl"}, "arcs": [0]},
                {"type": "Point", "id": "P", "properties": {"code": "pp"},
                 "coordinates": [4, 8]},
                {"type": None, "id": "N", "properties": {"code": "pn"}},
            ],
        },
        "other": {"type": "GeometryCollection", "geometries": []},
    },
}
RING_A = [[10, 20], [11, 20], [11, 21], [10, 21], [10, 20]]
# arc 1 reversed, then arc 0 reversed without its first point
RING_B = [[10, 20], [10, 21], [11, 21], [11, 20], [10, 20]]


def _feature(fc, fid):
    return next(f for f in fc["features"] if f["id"] == fid)


def test_decode_quantized_delta_arcs_and_negative_indices():
    fc = geo.decode_topojson(TINY, "shapes")
    assert fc["type"] == "FeatureCollection"
    assert [f["id"] for f in fc["features"]] == ["A", "B", "C", "L", "P", "N"]
    assert _feature(fc, "A")["geometry"] == {"type": "Polygon", "coordinates": [RING_A]}
    assert _feature(fc, "B")["geometry"]["coordinates"] == [RING_B]
    assert _feature(fc, "C")["geometry"] == {"type": "MultiPolygon",
                                             "coordinates": [[RING_A], [RING_B]]}
    assert _feature(fc, "L")["geometry"]["coordinates"] == [[10, 20], [11, 20], [11, 21]]
    # points are quantized but not delta-encoded: 4*0.5+10, 8*0.25+20
    assert _feature(fc, "P")["geometry"]["coordinates"] == [12, 22]
    assert _feature(fc, "N")["geometry"] is None
    assert _feature(fc, "A")["properties"] == {"code": "pa"}


def test_decode_without_transform_uses_absolute_arcs():
    topo = {"type": "Topology", "arcs": [[[1.5, 2.5], [3.0, 2.5], [3.0, 4.0], [1.5, 2.5]]],
            "objects": {"x": {"type": "Polygon", "id": 7, "arcs": [[0]]}}}
    fc = geo.decode_topojson(topo)  # single object: no name needed
    assert fc["features"][0]["geometry"]["coordinates"] == [
        [[1.5, 2.5], [3.0, 2.5], [3.0, 4.0], [1.5, 2.5]]]


def test_rings_that_miss_closure_are_closed():
    # one quantization step short of closing: (0,0) (2,0) (2,4) (0,1)
    topo = {"type": "Topology", "transform": {"scale": [1, 1], "translate": [0, 0]},
            "arcs": [[[0, 0], [2, 0], [0, 4], [-2, -3]]],
            "objects": {"x": {"type": "Polygon", "id": "x", "arcs": [[0]]}}}
    ring = geo.decode_topojson(topo)["features"][0]["geometry"]["coordinates"][0]
    assert ring == [[0, 0], [2, 0], [2, 4], [0, 1], [0, 0]]


def test_decode_errors_are_clear():
    with pytest.raises(DataError, match="name the one to use"):
        geo.decode_topojson(TINY)
    with pytest.raises(DataError, match="no object 'states'"):
        geo.decode_topojson(TINY, "states")
    bad = json.loads(json.dumps(TINY))
    bad["objects"]["shapes"]["geometries"][0]["arcs"] = [[0, 5]]
    with pytest.raises(DataError, match="arc index 5 is out of range"):
        geo.decode_topojson(bad, "shapes")


def test_load_topojson_file_with_id_property(tmp_path: Path):
    path = tmp_path / "tiny.topojson"
    path.write_text(json.dumps(TINY), encoding="utf-8")
    fc = geo.load_geometry(path, id_property="code", object_name="shapes")
    assert geo.feature_ids(fc) == ["pa", "pb", "pc", "pl", "pp", "pn"]
    assert fc["features"][0]["geometry"]["coordinates"] == [RING_A]


def test_load_geojson_keys_and_numeric_ids(tmp_path: Path):
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": 12, "properties": {"NUTS_ID": "PL84"},
         "geometry": {"type": "Point", "coordinates": [23.1, 53.1]}},
    ]}
    path = tmp_path / "g.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert geo.feature_ids(geo.load_geometry(path)) == ["12"]
    assert geo.feature_ids(geo.load_geometry(path, id_property="NUTS_ID")) == ["PL84"]


def test_load_errors_name_the_file(tmp_path: Path):
    missing = tmp_path / "nope.geojson"
    with pytest.raises(DataError) as e:
        geo.load_geometry(missing)
    assert str(missing) in str(e.value)

    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection",\n "features": [oops]}', encoding="utf-8")
    with pytest.raises(DataError) as e:
        geo.load_geometry(broken)
    assert e.value.file == str(broken) and e.value.line == 2

    nokey = tmp_path / "nokey.geojson"
    nokey.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "x"}, "geometry": None}]}), encoding="utf-8")
    with pytest.raises(DataError, match="has no property 'code'") as e:
        geo.load_geometry(nokey, id_property="code")
    assert e.value.field == "code"
    with pytest.raises(DataError, match="pass id_property"):
        geo.load_geometry(nokey)

    dup = tmp_path / "dup.geojson"
    f = {"type": "Feature", "id": "X", "properties": {}, "geometry": None}
    dup.write_text(json.dumps({"type": "FeatureCollection", "features": [f, f]}),
                   encoding="utf-8")
    with pytest.raises(DataError, match="share the id 'X'"):
        geo.load_geometry(dup)

    other = tmp_path / "list.json"
    other.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(DataError, match="expected a GeoJSON"):
        geo.load_geometry(other)


STATES_CSV = Path(__file__).resolve().parents[2] / "src/klaster/taxonomy/data/us_states.csv"


def _bbox(geometry):
    xs, ys = [], []

    def walk(c):
        if isinstance(c[0], (int, float)):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for x in c:
                walk(x)

    walk(geometry["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def test_builtin_states_cover_50_states_dc_and_pr():
    with STATES_CSV.open(encoding="utf-8") as fh:
        expected = {r["fips"]: r["name"] for r in csv.DictReader(fh)}
    assert len(expected) == 52  # 50 states + DC + PR, from the project's table
    fc = geo.us_states_geometry()
    got = {f["id"]: f["properties"]["name"] for f in fc["features"]}
    assert got == expected
    assert "11" in got and "72" in got  # DC, PR
    for f in fc["features"]:
        assert f["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        polys = ([f["geometry"]["coordinates"]] if f["geometry"]["type"] == "Polygon"
                 else f["geometry"]["coordinates"])
        for poly in polys:
            for ring in poly:
                assert len(ring) >= 4 and ring[0] == ring[-1], f["id"]


def test_builtin_states_keep_their_shape_after_simplification():
    fc = geo.us_states_geometry()
    # Colorado's published extent: 109.06 W - 102.04 W, 36.99 N - 41.00 N.
    x0, y0, x1, y1 = _bbox(_feature(fc, "08")["geometry"])
    assert x0 == pytest.approx(-109.06, abs=0.05) and x1 == pytest.approx(-102.04, abs=0.05)
    assert y0 == pytest.approx(36.99, abs=0.05) and y1 == pytest.approx(41.00, abs=0.05)
    # Hawaii lies between about 160.2 W and 154.8 W.
    hx0, _, hx1, _ = _bbox(_feature(fc, "15")["geometry"])
    assert -160.4 < hx0 < -160.0 and -155.0 < hx1 < -154.6


def test_builtin_states_file_is_small_and_licensed():
    data = Path(geo.__file__).parent / "data"
    assert (data / geo.US_STATES_DATA).stat().st_size < 300 * 1024
    text = geo.us_states_license()
    assert "Michael Bostock" in text and "Permission to use, copy, modify" in text


def test_us_states_table_and_regions():
    t = geo.us_states_table()
    assert t.columns == ["region", "fips", "name"]
    row = t.filter(t["region"] == "CO").row(0, named=True)
    assert row == {"region": "CO", "fips": "08", "name": "Colorado"}
    r = geo.us_states_regions()
    assert r.columns == ["region", "name", "parent", "geo_id"]
    assert r.filter(r["region"] == "DC")["geo_id"].to_list() == ["11"]
