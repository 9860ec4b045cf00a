import os
import time

import numpy as np
import polars as pl
import pytest

from klaster.errors import DataError
from klaster.spatial.analysis import kd_industry
from klaster.spatial.kd import KdOptions
from klaster.spatial.runner import industry_file, run_register


@pytest.fixture(scope="module")
def register():
    rng = np.random.default_rng(0)
    n = 1500
    ind = rng.choice(["a", "b/c", "d", "e"], n, p=[0.5, 0.3, 0.15, 0.05]).tolist()
    pts = pl.DataFrame({"id": [str(i) for i in range(n)], "industry": ind,
                        "weight": rng.integers(1, 50, n).astype(float),
                        "x": rng.uniform(0, 100, n), "y": rng.uniform(0, 100, n)})
    solo = pl.DataFrame({"id": ["s"], "industry": ["solo"], "weight": [1.0], "x": [1.0],
                         "y": [1.0]})
    return pl.concat([pts, solo])


OPTS = KdOptions(n_grid=41)


def test_dask_local_cluster_equals_inline_and_single_calls(register, tmp_path):
    from distributed import LocalCluster

    inline = run_register(register, tmp_path / "inline", options=OPTS, n_sim=19,
                          scheduler="inline", progress=False)
    # the --scheduler path: connect to a running scheduler by its address
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        dask = run_register(register, tmp_path / "dask", options=OPTS, n_sim=19,
                            scheduler=cluster.scheduler_address, progress=False)
    assert inline.equals(dask)
    assert inline.filter(pl.col("industry") == "solo")["mode"][0] == "too_few_firms"
    # every tested industry equals a direct kd_industry call with the same seed
    curve, _summary = kd_industry(register, "b/c", options=OPTS, n_sim=19, seed=0)
    saved = pl.read_parquet(industry_file(tmp_path / "dask" / "kd", "b/c"))
    assert saved.equals(curve)
    assert set(pl.read_parquet(tmp_path / "dask" / "kd.parquet")["industry"]) == \
        {"a", "b/c", "d", "e"}


def test_resume_recomputes_only_missing(register, tmp_path):
    out = tmp_path / "run"
    first = run_register(register, out, options=OPTS, n_sim=9, scheduler="inline",
                         progress=False)
    kept = industry_file(out / "summary", "a")
    before = os.stat(kept).st_mtime_ns
    industry_file(out / "summary", "d").unlink()  # as if interrupted before "d" finished
    time.sleep(0.01)
    second = run_register(register, out, options=OPTS, n_sim=9, scheduler="inline",
                          progress=False)
    assert os.stat(kept).st_mtime_ns == before
    assert industry_file(out / "summary", "d").exists()
    assert first.equals(second)
    with pytest.raises(DataError, match="other parameters"):
        run_register(register, out, options=OPTS, n_sim=19, scheduler="inline",
                     progress=False)
