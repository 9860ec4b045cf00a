"""Independent reference computations for spatial tests (plain NumPy/SciPy, O(n^2))."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import pdist
from scipy.stats import norm

R_KM = 6371.0088


def haversine_km(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * R_KM * np.arcsin(np.sqrt(a))


def all_pair_distances(xy, geographic):
    xy = np.asarray(xy, dtype=float)
    if not geographic:
        return pdist(xy)
    i, j = np.triu_indices(len(xy), 1)
    return haversine_km(xy[i, 0], xy[i, 1], xy[j, 0], xy[j, 1])


def pair_weights(w):
    w = np.asarray(w, dtype=float)
    i, j = np.triu_indices(len(w), 1)
    return w[i] * w[j]


def reflected_kde(dists, grid, h, weights=None):
    """D&O (2005) Kd straight from the formula, with reflection at zero."""
    wts = np.ones(len(dists)) if weights is None else np.asarray(weights, float)
    g = np.asarray(grid)[:, None]
    k = norm.pdf((g - dists) / h) + norm.pdf((g + dists) / h)
    return (k * wts).sum(axis=1) / (wts.sum() * h)


def silverman(dists):
    q75, q25 = np.percentile(dists, [75, 25])
    return 0.9 * min(np.std(dists), (q75 - q25) / 1.34) * len(dists) ** -0.2
