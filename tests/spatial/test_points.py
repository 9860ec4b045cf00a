from pathlib import Path

import numpy as np
import polars as pl
import pytest

from klaster.errors import DataError
from klaster.spatial.points import load_points, site_coords, validate_points

from .helpers import haversine_km


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
    p = _csv(tmp_path, "id,industry,weight,region,x,y\na,A,3,R1,500000,6000000\n")
    pts = load_points(p, crs="EPSG:2180")
    assert pts.columns == ["id", "industry", "weight", "region", "x", "y"]
    assert pts["x"][0] == 500000.0


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
    assert haversine_km(lon[i], lat[i], lon[j], lat[j]).max() <= sc.extent
    assert np.allclose(np.linalg.norm(sc.coords, axis=1), 1.0)
