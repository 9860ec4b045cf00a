"""Relatedness density (Hidalgo et al. 2007): how much of what is related to an activity
a region already has.

density_ra = sum_k M_rk phi_ak / sum_k phi_ak — the proximity-weighted share of the
activity's neighbours that are present in the region (0..1 for phi in [0, 1]). The sum
runs over every k, the activity itself included (diagonal of phi), as in the
``ecomplexity`` package; one BLAS product M @ (phi / column sums).
"""

from __future__ import annotations

import numpy as np


def density_matrix(presence: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Regions x activities density; NaN for an activity with no proximity at all."""
    m = np.asarray(presence, dtype=np.float64)
    den = phi.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = phi.T / den[None, :]
    return m @ w
