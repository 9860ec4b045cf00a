import json

import numpy as np
import polars as pl
import pytest
from scipy.spatial import Delaunay

from klaster.errors import DataError
from klaster.spatial.delineate import clusters_geojson, delineate, write_geojson


def _blobs():
    rng = np.random.default_rng(0)
    a = rng.normal([10, 10], 0.5, (30, 2))
    b = rng.normal([40, 20], 0.5, (20, 2))
    noise = np.array([[80.0, 80.0], [0.0, 90.0]])
    xy = np.vstack([a, b, noise])
    n = len(xy)
    return pl.DataFrame({
        "id": [f"f{i}" for i in range(n)], "industry": ["A"] * n,
        "weight": np.r_[np.full(30, 2.0), np.full(20, 10.0), [1.0, 1.0]],
        "region": ["R1"] * 15 + ["R2"] * 15 + ["R3"] * 20 + ["R4", "R5"],
        "x": xy[:, 0], "y": xy[:, 1]}), xy


def test_dbscan_finds_planted_clusters_with_hulls_and_regions():
    pts, xy = _blobs()
    clusters, firms = delineate(pts, "A", eps=2.0, min_weight=10)
    assert clusters.height == 2
    # renumbered by employment: blob b (20 x 10 = 200) before blob a (30 x 2 = 60)
    assert clusters["firms"].to_list() == [20, 30]
    assert clusters["employment"].to_list() == [200.0, 60.0]
    assert clusters["regions"].to_list() == [["R3"], ["R1", "R2"]]
    assert firms["cluster"].null_count() == 2
    for k, members in ((1, xy[30:50]), (2, xy[:30])):
        geom = json.loads(clusters.filter(pl.col("cluster") == k)["geometry"][0])
        ring = np.array(geom["coordinates"][0])
        assert geom["type"] == "Polygon" and (ring[0] == ring[-1]).all()
        # every member inside (or on) the hull
        assert (Delaunay(ring[:-1]).find_simplex(members, tol=1e-9) >= 0).all()
        # shoelace area of the returned ring equals the reported area
        x, y = ring[:, 0], ring[:, 1]
        area = abs(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])) / 2
        assert clusters.filter(pl.col("cluster") == k)["area"][0] == pytest.approx(area)


def test_weights_decide_core_points():
    # one plant with 50 employees and two shops: weighted, the plant alone is a core
    # point; unweighted, three firms are not enough for min_weight=5 firms
    pts = pl.DataFrame({"id": ["p", "s1", "s2"], "industry": ["A"] * 3,
                        "weight": [50.0, 1.0, 1.0], "x": [0.0, 0.5, 0.7], "y": [0.0, 0, 0]})
    c_w, f_w = delineate(pts, "A", eps=1.0, min_weight=5)
    c_u, _ = delineate(pts, "A", eps=1.0, min_weight=5, weighted=False)
    assert c_w.height == 1 and f_w["cluster"].to_list() == [1, 1, 1]
    assert json.loads(c_w["geometry"][0])["type"] == "LineString"  # collinear firms
    assert c_u.height == 0


def test_hdbscan_and_geojson(tmp_path):
    pts, _ = _blobs()
    clusters, _ = delineate(pts, "A", method="hdbscan", min_cluster_size=10)
    assert sorted(clusters["firms"].to_list()) == [20, 30]
    fc = clusters_geojson(clusters, industry="A", geographic=False, crs="EPSG:2180")
    path = write_geojson(fc, tmp_path / "c.geojson")
    back = json.loads(path.read_text(encoding="utf-8"))
    assert back["crs"]["properties"]["name"] == "EPSG:2180"
    assert [f["properties"]["cluster"] for f in back["features"]] == [1, 2]


def test_lonlat_uses_km(shared_data):
    from klaster.spatial.points import load_points

    pts = load_points(shared_data / "points" / "helsinki_poi_nodes.csv",
                      mapping={"id": "osm_id", "industry": "value"})
    small, _ = delineate(pts, "restaurant", eps=0.05, min_weight=5)
    large, _ = delineate(pts, "restaurant", eps=0.3, min_weight=5)
    # a larger radius merges restaurants into fewer, bigger clusters
    assert large["firms"].max() > small["firms"].max()
    fc = clusters_geojson(large, industry="restaurant", geographic=True)
    lon, lat = np.array(json.loads(large["geometry"][0])["coordinates"][0]).T
    assert "crs" not in fc and 24.5 < lon.mean() < 25.5 and 60 < lat.mean() < 60.4


def test_errors():
    pts, _ = _blobs()
    with pytest.raises(DataError):
        delineate(pts, "A")  # DBSCAN without eps
    with pytest.raises(DataError):
        delineate(pts, "Z", eps=1.0)
