"""Agreement with the ``ecomplexity`` package (Growth Lab, PyPI) to 1e-9 on the same input.

ecomplexity rectangularises the long table, computes Balassa RCA, M = RCA >= threshold,
proximity min(P(i|j), P(j|i)), density, ECI/PCI from ``np.linalg.eig`` of M~ and COI/COG,
normalised as its docstring and source say (ECI z-score; PCI by ECI's mean and sd).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from klaster.relatedness import relatedness

from ._util import random_counts, stats_from_matrix

ecomplexity = pytest.importorskip("ecomplexity")

COLS = {"time": "year", "loc": "region", "prod": "industry", "val": "employment"}
TOL = 1e-9


def _oracle(stats, threshold=1.0):
    df = stats.select("region", "industry", "year", "employment").to_pandas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecomplexity.ecomplexity(df, COLS, rca_mcp_threshold=threshold, verbose=False,
                                      check_logsupermodularity=False)
    return out.sort_values(["region", "industry"]).reset_index(drop=True)


def _ours(stats, threshold=1.0):
    res = relatedness(stats, threshold=threshold)
    cells = res.cell_table().sort("region", "activity").to_pandas()
    regions = res.region_table().to_pandas().set_index("region")
    acts = res.activity_table().to_pandas().set_index("activity")
    cells["eci"] = regions.loc[cells["region"], "eci"].to_numpy()
    cells["coi"] = regions.loc[cells["region"], "coi"].to_numpy()
    cells["diversity"] = regions.loc[cells["region"], "diversity"].to_numpy()
    cells["pci"] = acts.loc[cells["activity"], "pci"].to_numpy()
    cells["ubiquity"] = acts.loc[cells["activity"], "ubiquity"].to_numpy()
    return res, cells


@pytest.mark.parametrize(("seed", "shape", "threshold"),
                         [(1, (40, 25), 1.0), (2, (120, 60), 1.0), (3, (60, 30), 1.3),
                          (4, (300, 220), 1.0)])  # the last one takes the Lanczos path
def test_all_measures_agree(seed, shape, threshold):
    stats = stats_from_matrix(random_counts(seed, *shape))
    theirs = _oracle(stats, threshold)
    _res, ours = _ours(stats, threshold)
    assert list(theirs["region"]) == list(ours["region"])
    assert list(theirs["industry"]) == list(ours["activity"])
    for col in ("rca", "density", "eci", "pci", "coi", "cog", "diversity", "ubiquity"):
        np.testing.assert_allclose(ours[col].to_numpy(dtype=float),
                                   theirs[col].to_numpy(dtype=float), rtol=0, atol=TOL,
                                   err_msg=col)
    np.testing.assert_array_equal(ours["presence"].to_numpy().astype(int),
                                  theirs["mcp"].to_numpy().astype(int))


def test_proximity_agrees():
    stats = stats_from_matrix(random_counts(7, 50, 20))
    df = stats.select("region", "industry", "year", "employment").to_pandas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import contextlib
        import io
        with contextlib.redirect_stdout(io.StringIO()):  # it prints the year
            prox = ecomplexity.proximity(df, COLS)
    theirs = prox.pivot(index="industry_1", columns="industry_2", values="proximity")
    res = relatedness(stats)
    ours = pd.DataFrame(res.proximity, index=res.matrix.activities,
                        columns=res.matrix.activities)
    np.testing.assert_allclose(ours.loc[theirs.index, theirs.columns].to_numpy(),
                               theirs.to_numpy(), rtol=0, atol=TOL)


def test_correlation_proximity_agrees_with_continuous():
    from ecomplexity.calc_proximity import calc_continuous_proximity

    stats = stats_from_matrix(random_counts(9, 40, 15))
    res = relatedness(stats, method="correlation")
    theirs = calc_continuous_proximity(res.matrix.rca, res.complexity.ubiquity)
    np.testing.assert_allclose(res.proximity, theirs, rtol=0, atol=TOL)
