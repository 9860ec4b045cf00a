"""network_layout properties and the registry export read/write round trip."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from klaster.errors import DataError
from klaster.networks import network_layout, read_registry, write_registry

from .registry_fixture import build


def _ties(pairs):
    return pl.DataFrame({"source": [a for a, _ in pairs], "target": [b for _, b in pairs]},
                        schema={"source": pl.Int64, "target": pl.Int64})


def test_layout_places_every_node_in_unit_square():
    ties = _ties([(1, 2), (2, 3), (7, 8), (2, 99)])  # 99 is not a node: ignored
    lay = network_layout(ties, pl.DataFrame({"id": [1, 2, 3, 4, 7, 8]}))
    assert lay["id"].to_list() == [1, 2, 3, 4, 7, 8]
    assert lay["x"].is_between(0, 1).all() and lay["y"].is_between(0, 1).all()
    assert lay.equals(network_layout(ties, [1, 2, 3, 4, 7, 8]))  # deterministic


def test_layout_keeps_components_apart():
    a = [(i, i + 1) for i in range(9)]
    b = [(i, i + 1) for i in range(100, 109)]
    lay = network_layout(_ties(a + b), list(range(10)) + list(range(100, 110)))
    pa = lay.filter(pl.col("id") < 100)
    pb = lay.filter(pl.col("id") >= 100)
    # Bounding boxes of the two components do not overlap.
    sep_x = pa["x"].max() < pb["x"].min() or pb["x"].max() < pa["x"].min()
    sep_y = pa["y"].max() < pb["y"].min() or pb["y"].max() < pa["y"].min()
    assert sep_x or sep_y


@pytest.mark.parametrize("n", [50, 1200])  # spring layout and Pivot MDS
def test_layout_puts_neighbours_close(n):
    rng = np.random.default_rng(1)
    pairs = [(i, i + 1) for i in range(n - 1)]  # a path ...
    pairs += [(int(a), int(a) + 2) for a in rng.integers(0, n - 2, n // 10)]  # ... with chords
    lay = network_layout(_ties(pairs), list(range(n)), seed=3)
    xy = lay.sort("id").select("x", "y").to_numpy()
    edge = np.mean([np.linalg.norm(xy[a] - xy[b]) for a, b in pairs])
    i, j = rng.integers(0, n, (2, 2000))
    random_pair = np.mean(np.linalg.norm(xy[i] - xy[j], axis=1))
    assert edge < random_pair / 5


def test_layout_empty():
    assert network_layout(_ties([]), []).is_empty()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_registry_round_trip(tmp_path, fmt):
    reg = build()
    paths = write_registry(reg, tmp_path, fmt=fmt)
    assert len(paths) == 10 and all(p.exists() for p in paths)
    back = read_registry(tmp_path)
    for name, frame in reg.tables().items():
        assert back.tables()[name].equals(frame), name


def test_registry_errors(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        read_registry(tmp_path / "nope")
    (tmp_path / "memberships.csv").write_text(
        "organisation_id,cluster_id,joined\n1,1,2020-01-01\n2,1,2020-31-01\n")
    with pytest.raises(DataError, match=r"memberships.csv, line 3, field 'joined'"):
        read_registry(tmp_path)
    (tmp_path / "memberships.csv").write_text("organisation_id,cluster\n1,1\n")
    with pytest.raises(DataError, match="memberships.csv.*no column 'cluster_id'"):
        read_registry(tmp_path)
