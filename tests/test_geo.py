"""klaster.geo: point in polygon, region assignment, values on admin-1 regions, classes."""

from __future__ import annotations

import json
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster import geo
from klaster.reports.geo import pl_by_lt_geometry

# Cities and the region each is in (public record, independent of the boundary file).
CITIES = {
    "Białystok": (23.16, 53.13, "PL-PD"),
    "Łomża": (22.06, 53.18, "PL-PD"),
    "Warszawa": (21.01, 52.23, "PL-MZ"),
    "Kraków": (19.94, 50.06, "PL-MA"),
    "Gdańsk": (18.65, 54.35, "PL-PM"),
    "Hrodna": (23.83, 53.68, "BY-HR"),
    "Minsk": (27.56, 53.90, "BY-HM"),  # a hole in Minsk Region's polygon
    "Barysaw": (28.50, 54.23, "BY-MI"),
    "Brest": (23.69, 52.10, "BY-BR"),
    "Vilnius": (25.28, 54.69, "LT-VL"),
    "Klaipėda": (21.14, 55.71, "LT-KL"),
    "Berlin": (13.40, 52.52, None),
    "Riga": (24.11, 56.95, None),
}


@pytest.fixture(scope="module")
def boundaries():
    return pl_by_lt_geometry()


def test_cities_fall_in_their_regions(boundaries):
    lon = [c[0] for c in CITIES.values()]
    lat = [c[1] for c in CITIES.values()]
    got = dict(zip(CITIES, geo.assign_regions(lon, lat, boundaries), strict=True))
    assert got == {name: c[2] for name, c in CITIES.items()}


def test_missing_coordinates_have_no_region(boundaries):
    assert geo.assign_regions([None, 23.16], [53.13, None], boundaries) == [None, None]


def test_web_boundaries_are_compact_and_place_the_same(boundaries):
    web = geo.web_boundaries(boundaries)
    assert len(web["features"]) == len(boundaries["features"]) == 33
    for f in web["features"]:
        for poly in f["geometry"]["coordinates"]:
            for ring in poly:
                assert ring[0] == ring[-1]
                assert all(a != b for a, b in pairwise(ring))
                assert all(round(x, 3) == x for x, _ in ring)
        assert set(f["properties"]) >= {"id", "name_local", "name_pl", "name_be", "name_ru"}
    assert len(json.dumps(web, separators=(",", ":"))) < len(json.dumps(boundaries))
    lon = [c[0] for c in CITIES.values()]
    lat = [c[1] for c in CITIES.values()]
    assert (geo.assign_regions(lon, lat, web, id_property="id")
            == [c[2] for c in CITIES.values()])


def test_region_names_in_the_page_language_else_local():
    props = {"name_local": "Минск", "name_pl": "Mińsk", "name_be": None, "name_ru": "Минск"}
    assert geo.region_name(props, "pl") == "Mińsk"
    assert geo.region_name(props, "be") == "Минск"  # no Belarusian name in the data


# --- point in polygon against shapes whose inside is known in closed form --------------

coord = st.floats(-50, 50, allow_nan=False, allow_infinity=False)


def _rect(x0, y0, x1, y1):
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]])


@settings(max_examples=200, deadline=None)
@given(st.tuples(coord, coord, coord, coord), st.lists(st.tuples(coord, coord), min_size=1,
                                                       max_size=30))
def test_rectangle_with_hole(box, points):
    x0, x1 = sorted(box[::2])
    y0, y1 = sorted(box[1::2])
    if x1 - x0 < 1e-3 or y1 - y0 < 1e-3:
        return
    # A hole: the middle third of the rectangle in both directions.
    hx0, hx1 = x0 + (x1 - x0) / 3, x1 - (x1 - x0) / 3
    hy0, hy1 = y0 + (y1 - y0) / 3, y1 - (y1 - y0) / 3
    pts = [(x, y) for x, y in points
           if x not in (x0, x1, hx0, hx1) and y not in (y0, y1, hy0, hy1)]
    if not pts:
        return
    got = geo.points_in_polygon([p[0] for p in pts], [p[1] for p in pts],
                                [_rect(x0, y0, x1, y1), _rect(hx0, hy0, hx1, hy1)])
    expect = [(x0 < x < x1 and y0 < y < y1) and not (hx0 < x < hx1 and hy0 < y < hy1)
              for x, y in pts]
    assert got.tolist() == expect


@settings(max_examples=200, deadline=None)
@given(st.tuples(coord, coord, coord, coord, coord, coord),
       st.lists(st.tuples(coord, coord), min_size=1, max_size=30))
def test_triangle_against_barycentric_signs(t, points):
    a, b, c = (t[0], t[1]), (t[2], t[3]), (t[4], t[5])

    def cross(o, p, q):
        return (p[0] - o[0]) * (q[1] - o[1]) - (p[1] - o[1]) * (q[0] - o[0])

    if abs(cross(a, b, c)) < 1e-3:
        return  # degenerate triangle
    signs = [(cross(a, b, p), cross(b, c, p), cross(c, a, p)) for p in points]
    # Keep points clearly off the edges (the side of a point on an edge is arbitrary).
    keep = [i for i, s in enumerate(signs) if min(abs(v) for v in s) > 1e-6]
    if not keep:
        return
    pts = [points[i] for i in keep]
    expect = [all(v > 0 for v in signs[i]) or all(v < 0 for v in signs[i]) for i in keep]
    got = geo.points_in_polygon([p[0] for p in pts], [p[1] for p in pts],
                                [np.array([a, b, c])])
    assert got.tolist() == expect


# --- values on admin-1 regions --------------------------------------------------------


def test_union_lq_equals_lq_of_the_summed_regions():
    # Employment of category i and in total, for two regions and the reference area.
    e_i = {"PL91": 300.0, "PL92": 50.0}
    total = {"PL91": 1000.0, "PL92": 800.0}
    ref_share = 2000.0 / 40000.0
    lq = {r: (e_i[r] / total[r]) / ref_share for r in e_i}
    expect = ((300 + 50) / (1000 + 800)) / ref_share
    assert geo.union_lq((lq[r], total[r]) for r in e_i) == pytest.approx(expect)
    assert geo.union_lq([(lq["PL91"], 1000.0), (None, 800.0)]) is None
    assert geo.union_lq([]) is None


def test_admin1_values_from_nuts2_and_iso_codes(boundaries):
    lq = {"PL84": 1.7, "PL91": 1.0, "PL92": 3.0, "LT01": 2.0, "DE30": 9.0, "BY-HR": 1.4}
    employment = {"PL91": 3000.0, "PL92": 1000.0}
    got = geo.admin1_values(lq, employment, boundaries)
    assert got == {"PL-PD": 1.7, "PL-MZ": pytest.approx((1.0 * 3000 + 3.0 * 1000) / 4000),
                   "BY-HR": 1.4, "LT-VL": 2.0}  # LT01 (capital region) = Vilnius County
    # Half of Mazowieckie is not enough to shade it.
    assert "PL-MZ" not in geo.admin1_values({"PL91": 1.0}, employment, boundaries)


def test_nuts2_codes_of_voivodeships(boundaries):
    table = geo.nuts2_admin1(boundaries)
    assert table["PL84"] == "PL-PD"
    assert table["PL91"] == table["PL92"] == "PL-MZ"
    assert "LT02" not in table  # several counties: no single region
    assert len([c for c in table if c.startswith("PL")]) == 17


# --- classes --------------------------------------------------------------------------


def test_count_classes_examples():
    assert geo.count_classes(0) == [(0, 0)]
    assert geo.count_classes(3) == [(0, 0), (1, 1), (2, 2), (3, 3)]
    assert geo.count_classes(10) == [(0, 0), (1, 3), (4, 6), (7, 9), (10, 10)]
    with pytest.raises(ValueError):
        geo.count_classes(-1)


@given(st.integers(0, 500), st.integers(1, 8))
def test_count_classes_cover_every_count_once(max_count, k):
    classes = geo.count_classes(max_count, k)
    covered = [n for low, high in classes for n in range(low, high + 1)]
    assert covered == list(range(max_count + 1))
    assert len(classes) <= k + 1


def test_classify_upper_exclusive():
    breaks = geo.LQ_BREAKS
    assert [geo.classify(v, breaks) for v in (0.0, 0.79, 0.8, 1.0, 1.25, 1.99, 2.0, 7.0)] == \
        [0, 0, 1, 1, 2, 2, 3, 3]


def test_region_index_reused_gives_the_same_answers(boundaries):
    index = geo.RegionIndex(boundaries)
    lon = [c[0] for c in CITIES.values()]
    lat = [c[1] for c in CITIES.values()]
    assert index.assign(lon, lat) == index.assign(lon, lat) == [c[2] for c in CITIES.values()]


def test_admin1_values_union_code_and_shared_codes(boundaries):
    # An older-vintage Mazowieckie (PL12) recoded whole, as klaster.taxonomy.nuts does.
    got = geo.admin1_values({"PL91+PL92": 1.3, "LT02": 0.7, "PL84": None}, {}, boundaries)
    assert got == {"PL-MZ": 1.3}  # LT02 spans nine counties; a None LQ is no value
