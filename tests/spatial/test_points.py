from pathlib import Path

import numpy as np
import polars as pl
import pytest

from klaster.errors import DataError
from klaster.spatial.points import load_points, site_coords, validate_points

from .helpers import gaussian_radius, haversine_km


def _csv(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "firms.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_load_lonlat_with_mapping_and_default_weight(tmp_path):
    p = _csv(tmp_path, "fid,code,lon,lat\n1,A,24.9,60.1\n2,B,25.0,60.2\n")
    pts = load_points(p, mapping={"id": "fid", "industry": "code"})
    assert pts.columns == ["id", "industry", "weight", "lon", "lat"]
    assert pts["weight"].to_list() == [1.0, 1.0]
    assert pts["id"].to_list() == ["1", "2"]


def test_projected_crs_reads_xy(tmp_path):
    # Białystok in EPSG:2180 (PL-1992, easting x, northing y)
    p = _csv(tmp_path, "id,industry,weight,region,x,y\na,A,3,R1,747000,582000\n")
    pts = load_points(p, crs="EPSG:2180")
    assert pts.columns == ["id", "industry", "weight", "region", "x", "y"]
    assert pts["x"][0] == 747000.0


@pytest.mark.parametrize("body, line, field, msg", [
    ("1,A,24.9,95.0\n", 2, "lat", "outside"),
    ("1,A,24.9,60.1\n2,B,200,60.1\n", 3, "lon", "outside"),
    ("1,A,24.9,60.1\n1,B,24.8,60.1\n", 3, "id", "duplicate"),
    ("1,,24.9,60.1\n", 2, "industry", "missing industry"),
    ("1,A,24.9,sixty\n", 2, "lat", "not a number"),
    ("1,A,24.9,\n", 2, "lat", "missing coordinate"),
])
def test_errors_name_file_line_field(tmp_path, body, line, field, msg):
    p = _csv(tmp_path, "id,industry,lon,lat\n" + body)
    with pytest.raises(DataError) as exc:
        load_points(p)
    assert exc.value.line == line and exc.value.field == field
    assert msg in exc.value.message and exc.value.file == str(p)


def test_weight_must_be_positive(tmp_path):
    p = _csv(tmp_path, "id,industry,lon,lat,employees\n1,A,1,1,5\n2,A,1,1,0\n")
    with pytest.raises(DataError) as exc:
        load_points(p, mapping={"weight": "employees"})
    assert (exc.value.line, exc.value.field) == (3, "employees")


def test_missing_column_is_named(tmp_path):
    p = _csv(tmp_path, "id,sector,lon,lat\n1,A,1,1\n")
    with pytest.raises(DataError) as exc:
        load_points(p)
    assert exc.value.field == "industry" and exc.value.line == 1


def test_validate_requires_coordinates():
    with pytest.raises(DataError):
        validate_points(pl.DataFrame({"id": ["1"], "industry": ["A"]}))


def test_site_extent_bounds_every_distance():
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(20, 30, 200), rng.uniform(50, 60, 200)
    pts = pl.DataFrame({"id": [str(i) for i in range(200)], "industry": ["A"] * 200,
                        "weight": np.ones(200), "lon": lon, "lat": lat})
    sc = site_coords(pts)
    i, j = np.triu_indices(200, 1)
    assert haversine_km(lon[i], lat[i], lon[j], lat[j], sc.radius).max() <= sc.extent
    assert sc.radius == pytest.approx(gaussian_radius(lat.mean()))
    assert np.allclose(np.linalg.norm(sc.coords, axis=1), 1.0)


def _podlaskie(n=400, seed=0):
    """Firms in Podlaskie (lon 22–24 °E, lat 52.5–54 °N), a third around Białystok."""
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(22.0, 24.0, n), rng.uniform(52.5, 54.0, n)
    k = n // 3
    lon[:k], lat[:k] = rng.normal(23.16, 0.05, k), rng.normal(53.13, 0.03, k)
    return lon, lat


def test_etrs89_lonlat_and_pl1992_give_the_same_kd(tmp_path):
    from pyproj import Transformer

    from klaster.spatial.kd import KdOptions, KdStatistic, distance_grid

    lon, lat = _podlaskie()
    x, y = Transformer.from_crs("EPSG:4258", "EPSG:2180", always_xy=True).transform(lon, lat)
    pl.DataFrame({"industry": "A", "lon": lon, "lat": lat}).write_csv(tmp_path / "ll.csv")
    pl.DataFrame({"industry": "A", "x": x, "y": y}).write_csv(tmp_path / "xy.csv")
    curves = {}
    for name, file, crs, scale in (("wgs84", "ll.csv", "EPSG:4326", 1.0),
                                   ("etrs89", "ll.csv", "EPSG:4258", 1.0),
                                   ("pl1992", "xy.csv", "EPSG:2180", 1000.0)):
        pts = load_points(tmp_path / file, crs=crs)
        grid = distance_grid(60.0 * scale, 121)  # km, or metres for EPSG:2180
        stat = KdStatistic(site_coords(pts), grid, np.arange(len(lon)), np.ones(len(lon)),
                           KdOptions())
        curves[name] = stat.observed() * scale  # density per km
    ref = curves["wgs84"]
    for name in ("etrs89", "pl1992"):
        assert np.abs(curves[name] / ref - 1).max() <= 0.005, name


@pytest.mark.parametrize("body, crs, field, msg", [
    # lon/lat degrees in x/y columns with a projected CRS
    ("A,23.1,53.1\nA,23.2,53.2\n", "EPSG:2180", "x", "look like longitude/latitude"),
    # a point far outside Poland's PL-1992 area of use
    ("A,747000,582000\nA,4747000,582000\n", "EPSG:2180", "x", "cannot be in EPSG:2180"),
    # a projected file read with a geographic CRS
    ("A,747000,582000\n", "EPSG:4258", "lon", "is --crs EPSG:4258 right?"),
])
def test_coordinates_impossible_in_the_crs_are_refused(tmp_path, body, crs, field, msg):
    p = _csv(tmp_path, "industry,x,y\n" + body)
    with pytest.raises(DataError) as exc:
        load_points(p, crs=crs)
    assert exc.value.field == field and msg in exc.value.message
    assert exc.value.file == str(p) and exc.value.line is not None


def test_unknown_crs_is_refused(tmp_path):
    p = _csv(tmp_path, "industry,lon,lat\nA,23,53\n")
    with pytest.raises(DataError) as exc:
        load_points(p, crs="EPSG:999999")
    assert exc.value.field == "crs"


def test_web_mercator_is_measured_on_the_sphere(tmp_path):
    from pyproj import Transformer

    from klaster.errors import IssueLog

    lon, lat = _podlaskie(50)
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True).transform(lon, lat)
    pl.DataFrame({"industry": "A", "x": x, "y": y}).write_csv(tmp_path / "m.csv")
    log = IssueLog()
    pts = load_points(tmp_path / "m.csv", crs="EPSG:3857", issues=log)
    assert {"lon", "lat"} <= set(pts.columns) and [i.kind for i in log] == ["reprojected"]
    np.testing.assert_allclose(pts["lon"].to_numpy(), lon, atol=1e-9)


def test_id_column_is_optional(tmp_path):
    pts = load_points(_csv(tmp_path, "industry,lon,lat\nA,23,53\nB,23.1,53.1\n"))
    assert pts["id"].to_list() == ["2", "3"]  # the file's line numbers
