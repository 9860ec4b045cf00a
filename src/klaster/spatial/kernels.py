"""Numba kernels for pair-distance statistics: memory O(n + bins), never an n x n matrix.

Every kernel walks pairs of points once and accumulates into a histogram of pair
distances with uniform bins of width ``delta`` on [0, delta * n_bins); the Kd density is
then a Gaussian smoothing of that histogram (:func:`smooth_histogram`). Work is split
over ``n_chunks`` interleaved row blocks (row ``i`` goes to chunk ``i % n_chunks``) so
the triangular pair loop is balanced and every parallel iteration owns its own
histogram row (no races, no atomics); the rows are summed at the end.

Coordinates come in two forms:

* projected: ``xy`` is (n, 2), distance is Euclidean, in the CRS unit;
* geographic: ``xyz`` is (n, 3) unit vectors on the sphere (:func:`unit_vectors`). The
  great-circle distance d = 2 R asin(c / 2) is monotone in the chord c, and
  c^2 = |u_i - u_j|^2 = 2 - 2 u_i.u_j, so a pair costs one dot product; the bin is found
  from a series estimate of d and then made exact against bin edges pre-converted to
  chord^2 (``edges_c2``), so binning is identical to binning the haversine distance.

All kernels are compiled with ``cache=True`` (compiled once per machine and reused).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius (Moritz 2000)


def unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """(n, 3) unit vectors on the sphere from longitude/latitude in degrees."""
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    cphi = np.cos(phi)
    return np.ascontiguousarray(np.column_stack([cphi * np.cos(lam), cphi * np.sin(lam),
                                                 np.sin(phi)]))


def chord2_edges(delta: float, n_bins: int, radius: float = EARTH_RADIUS_KM) -> np.ndarray:
    """Bin edges k * delta (great-circle distance) converted to squared unit chords.

    c = 2 sin(d / (2R)); edges beyond half the circumference are clamped to 4 (antipode).
    """
    d = np.arange(n_bins + 1, dtype=np.float64) * delta
    ang = np.minimum(d / radius, np.pi)
    return (2.0 * np.sin(ang / 2.0)) ** 2


@nb.njit(inline="always", cache=True)
def _sq_dist(coords, i, j, geographic):
    """Squared unit chord (geographic: unit vectors) or squared planar distance."""
    if geographic:
        return 2.0 - 2.0 * (coords[i, 0] * coords[j, 0] + coords[i, 1] * coords[j, 1]
                            + coords[i, 2] * coords[j, 2])
    dx = coords[i, 0] - coords[j, 0]
    dy = coords[i, 1] - coords[j, 1]
    return dx * dx + dy * dy


@nb.njit(inline="always", cache=True)
def _geo_bin(c2, radius, delta, edges_c2, n_bins):
    c = math.sqrt(c2)
    # d = 2R asin(c/2) = R c (1 + c^2/24 + 3 c^4/640 + ...) (Taylor series of asin);
    # the edge checks below make the bin exact whatever the series' remainder.
    k = int(radius * c * (1.0 + c2 / 24.0 + 3.0 * c2 * c2 / 640.0) / delta)
    if k >= n_bins:
        k = n_bins - 1
    while k > 0 and c2 < edges_c2[k]:
        k -= 1
    while k + 1 < n_bins and c2 >= edges_c2[k + 1]:
        k += 1
    return k


@nb.njit(inline="always", cache=True)
def _pair_bin(coords, i, j, geographic, radius, delta, edges_c2, n_bins):
    s = _sq_dist(coords, i, j, geographic)
    if geographic:
        return _geo_bin(max(s, 0.0), radius, delta, edges_c2, n_bins)
    k = int(math.sqrt(s) / delta)
    if k >= n_bins:
        k = n_bins - 1
    return k


@nb.njit(parallel=True, cache=True)
def pair_hist_within(coords, idx, w, counts, geographic, radius, delta, edges_c2, n_bins,
                     n_chunks):
    """Histogram of distances over all unordered pairs a < b of ``coords[idx]``.

    Row 0: each pair adds ``w[a] * w[b]`` (the K^emp weighting of Duranton & Overman
    2005; ones for counts). Row 1 (only when ``counts``): each pair adds 1 — the
    unweighted distances that Silverman's bandwidth is taken from, as in dbmss's Kdhat
    even for the weighted Kd. Pairs at or beyond the last edge fall in the last bin, so
    the histogram always holds the total pair weight.
    """
    n = idx.shape[0]
    n_out = 2 if counts else 1
    hist = np.zeros((n_chunks, n_out, n_bins))
    for ch in nb.prange(n_chunks):
        for a in range(ch, n, n_chunks):
            i = idx[a]
            wi = w[a]
            for b in range(a + 1, n):
                k = _pair_bin(coords, i, idx[b], geographic, radius, delta, edges_c2,
                              n_bins)
                hist[ch, 0, k] += wi * w[b]
                if counts:
                    hist[ch, 1, k] += 1.0
    out = np.zeros((n_out, n_bins))
    for ch in range(n_chunks):
        out += hist[ch]
    return out


@nb.njit(parallel=True, cache=True)
def pair_hist_between(coords, idx_a, w_a, idx_b, w_b, counts, geographic, radius, delta,
                      edges_c2, n_bins, n_chunks):
    """Histogram of distances over all pairs (a in A, b in B): row 0 weight w_a * w_b,
    row 1 (when ``counts``) the number of pairs."""
    na = idx_a.shape[0]
    nb_ = idx_b.shape[0]
    n_out = 2 if counts else 1
    hist = np.zeros((n_chunks, n_out, n_bins))
    for ch in nb.prange(n_chunks):
        for a in range(ch, na, n_chunks):
            i = idx_a[a]
            wi = w_a[a]
            for b in range(nb_):
                k = _pair_bin(coords, i, idx_b[b], geographic, radius, delta, edges_c2,
                              n_bins)
                hist[ch, 0, k] += wi * w_b[b]
                if counts:
                    hist[ch, 1, k] += 1.0
    out = np.zeros((n_out, n_bins))
    for ch in range(n_chunks):
        out += hist[ch]
    return out


@nb.njit(inline="always", cache=True)
def _splitmix64(x):
    # SplitMix64 finaliser (Steele, Lea & Flood 2014): a counter-based generator, so
    # pair p of a sample is the same whatever thread draws it (reproducible in parallel)
    x = (x + np.uint64(0x9E3779B97F4A7C15))
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@nb.njit(parallel=True, cache=True)
def pair_hist_sampled(coords, idx_a, w_a, idx_b, w_b, between, n_pairs, key, counts,
                      balanced, geographic, radius, delta, edges_c2, n_bins, n_chunks):
    """Histogram of ``n_pairs`` pairs drawn uniformly with replacement.

    Within one set (``between`` False): a uniform, b = a + 1 + uniform(n - 1) mod n, i.e.
    uniform over ordered pairs with a != b (so over unordered pairs). Between two sets:
    a and b uniform in each. Draw p uses SplitMix64(key + 2p) and (key + 2p + 1); modulo
    bias is below n / 2^64. When ``balanced`` (the caller makes ``n_pairs`` a multiple
    of n_a) the first firm is not drawn but cycled, a = p mod n_a: every firm is the
    first one of exactly n_pairs / n_a pairs, which keeps every ordered pair equally
    likely (still unbiased) and removes the between-firm part of the sampling variance
    (stratified sampling, Cochran 1977, ch. 5). Rows as :func:`pair_hist_within` (row 1, the sampled pair
    count, only when ``counts``). Returns (hist, sum of pair weights, sum of squared
    weights).
    """
    na = idx_a.shape[0]
    nb_ = idx_b.shape[0]
    n_out = 2 if counts else 1
    hist = np.zeros((n_chunks, n_out, n_bins))
    sw2 = np.zeros(n_chunks)
    k0 = np.uint64(key)
    for ch in nb.prange(n_chunks):
        for p in range(ch, n_pairs, n_chunks):
            z1 = _splitmix64(k0 + np.uint64(2 * p))
            z2 = _splitmix64(k0 + np.uint64(2 * p + 1))
            a = np.int64(p % na) if balanced else np.int64(z1 % np.uint64(na))
            if between:
                b = np.int64(z2 % np.uint64(nb_))
                i = idx_a[a]
                j = idx_b[b]
                ww = w_a[a] * w_b[b]
            else:
                b = (a + 1 + np.int64(z2 % np.uint64(na - 1))) % na
                i = idx_a[a]
                j = idx_a[b]
                ww = w_a[a] * w_a[b]
            k = _pair_bin(coords, i, j, geographic, radius, delta, edges_c2, n_bins)
            hist[ch, 0, k] += ww
            if counts:
                hist[ch, 1, k] += 1.0
            sw2[ch] += ww * ww
    out = np.zeros((n_out, n_bins))
    s2 = 0.0
    for ch in range(n_chunks):
        out += hist[ch]
        s2 += sw2[ch]
    return out, out[0].sum(), s2


@nb.njit(cache=True)
def _gauss_dense(hist, delta, d, h, lo, hi, sign):
    """sum_k hist[k] exp(-((d - sign c_k) / h)^2 / 2) over bins lo..hi-1, c_k = (k+.5) delta.

    Gaussian recurrence (one multiply per bin, no exp): with u_k = (d - sign c_k)/h and
    eps = sign delta / h, e_{k+1} = e_k r_k, r_k = exp(u_k eps - eps^2/2),
    r_{k+1} = r_k exp(-eps^2). Rounding grows by ~1e-16 per step (negligible here).
    """
    eps = sign * delta / h
    u = (d - sign * (lo + 0.5) * delta) / h
    e = math.exp(-0.5 * u * u)
    r = math.exp(u * eps - 0.5 * eps * eps)
    q = math.exp(-eps * eps)
    s = 0.0
    for k in range(lo, hi):
        s += hist[k] * e
        e *= r
        r *= q
    return s


@nb.njit(cache=True)
def smooth_histogram(hist, delta, grid, h, total, reflect_upto):
    """Reflected Gaussian kernel density at ``grid`` from a distance histogram.

    Duranton & Overman (2005, eq. 1) with reflection at zero (Silverman 1986, 3.10) as
    dbmss's Kdhat does it (Marcon et al., R package dbmss): only distances up to
    ``reflect_upto`` (dbmss: 4 h) are mirrored around 0, and the result is divided by
    ``total``, the mass of the reflected sample on [0, inf) (dbmss's 1 / (1 − mass
    below 0) rescaling, computed exactly by the caller):
    K(d) = 1 / (total h) [sum_p w_p phi((d − d_p) / h) + sum_{d_p <= 4h} w_p phi((d + d_p) / h)],
    every pair distance d_p replaced by its bin centre. For each grid point only bins
    within 9 h are visited (farther bins add < 2.6e-18 / h of their weight share): the
    non-empty ones with one exp each when they are few (small industries), or all of
    them with an exp-free Gaussian recurrence when that is cheaper.
    """
    g = grid.shape[0]
    n_bins = hist.shape[0]
    nz = 0
    for k in range(n_bins):
        if hist[k] != 0.0:
            nz += 1
    centre = np.empty(nz)
    weight = np.empty(nz)
    pos = np.empty(nz, dtype=np.int64)
    q = 0
    for k in range(n_bins):
        if hist[k] != 0.0:
            centre[q] = (k + 0.5) * delta
            weight[q] = hist[k]
            pos[q] = k
            q += 1
    out = np.zeros(g)
    inv_norm = 1.0 / (total * h * math.sqrt(2.0 * math.pi))
    reach = 9.0 * h
    for q in range(g):
        d = grid[q]
        a = np.searchsorted(centre, d - reach)
        b = np.searchsorted(centre, d + reach)
        s = 0.0
        if b > a:
            lo = pos[a]
            hi = pos[b - 1] + 1
            if 8 * (b - a) < hi - lo:
                for k in range(a, b):
                    u = (d - centre[k]) / h
                    s += weight[k] * math.exp(-0.5 * u * u)
            else:
                s += _gauss_dense(hist, delta, d, h, lo, hi, 1.0)
        # reflected term: only mirrored bins (centre <= reflect_upto) within reach
        b2 = np.searchsorted(centre, min(reach - d, reflect_upto), side="right")
        if b2 > 0:
            lo = pos[0]
            hi = pos[b2 - 1] + 1
            if 8 * b2 < hi - lo:
                for k in range(b2):
                    v = (d + centre[k]) / h
                    s += weight[k] * math.exp(-0.5 * v * v)
            else:
                s += _gauss_dense(hist, delta, d, h, lo, hi, -1.0)
        out[q] = s * inv_norm
    return out


@nb.njit(inline="always", cache=True)
def _weight_totals(site_w, is_target):
    """W and W_T: the weight of all sites and of the target sites."""
    w_total = 0.0
    w_target = 0.0
    for j in range(site_w.shape[0]):
        w_total += site_w[j]
        if is_target[j]:
            w_target += site_w[j]
    return w_total, w_target


@nb.njit(inline="always", cache=True)
def _sum_chunks(num, den):
    """Reduce the per-chunk partial sums of the parallel loop."""
    out_n = np.zeros(num.shape[1])
    out_d = np.zeros(num.shape[1])
    for ch in range(num.shape[0]):
        out_n += num[ch]
        out_d += den[ch]
    return out_n, out_d


@nb.njit(parallel=True, cache=True)
def m_sums(coords, ref_idx, site_w, is_target, geographic, thresholds, n_chunks):
    """Numerator and denominator sums of Marcon & Puech's M at every radius.

    For every reference point i (site ``ref_idx[a]``) and every radius r_g it sums the
    weight of all other sites within r_g (distance <= r_g) and of the target sites among
    them. ``thresholds`` are the radii squared (projected) or converted to squared unit
    chords (geographic), ascending. Returns (ratio_sum[g], ref_sum[g]): the sum over
    reference points of target/total neighbourhood weight, and of the expected ratio
    (W_T - w_i [i a target]) / (W - w_i), both over the points whose neighbourhood at
    r_g is not empty (the ratio is undefined otherwise).
    """
    n_ref = ref_idx.shape[0]
    n_sites = site_w.shape[0]
    g = thresholds.shape[0]
    t_max = thresholds[g - 1]
    w_total, w_target = _weight_totals(site_w, is_target)
    num = np.zeros((n_chunks, g))
    den = np.zeros((n_chunks, g))
    for ch in nb.prange(n_chunks):
        all_w = np.zeros(g)
        tgt_w = np.zeros(g)
        for a in range(ch, n_ref, n_chunks):
            i = ref_idx[a]
            all_w[:] = 0.0
            tgt_w[:] = 0.0
            for j in range(n_sites):
                if j == i:
                    continue
                s = _sq_dist(coords, i, j, geographic)
                if s > t_max:
                    continue
                q = np.searchsorted(thresholds, s)
                all_w[q] += site_w[j]
                if is_target[j]:
                    tgt_w[q] += site_w[j]
            wi = site_w[i]
            own = wi if is_target[i] else 0.0
            expected = (w_target - own) / (w_total - wi)
            ca = 0.0
            ct = 0.0
            for q in range(g):
                ca += all_w[q]
                ct += tgt_w[q]
                if ca > 0.0:
                    num[ch, q] += ct / ca
                    den[ch, q] += expected
    return _sum_chunks(num, den)


@nb.njit(parallel=True, cache=True)
def m_density_sums(coords, ref_idx, site_w, is_target, geographic, radius, grid, h, t_max,
                   n_chunks):
    """Numerator and denominator sums of Lang, Marcon & Puech's m at every distance.

    For every reference point i (site ``ref_idx[a]``) and grid distance r_g:
    D_i(r) = sum_{j != i} w_j phi((r − d_ij) / h) over all sites and D_i^T(r) the same
    over the target sites (Gaussian kernel, no reflection, as dbmss's mhat; the
    constant 1 / (h sqrt(2 pi)) cancels in the ratio). Only pairs with d_ij within 9 h
    of the grid (``t_max``: (max r + 9 h) as d² or squared unit chord) are visited.
    Returns (sum_i D_i^T / D_i, sum_i (W_T − w_i [i in T]) / (W − w_i)), both over the
    reference points with D_i(r) > 0.
    """
    n_ref = ref_idx.shape[0]
    n_sites = site_w.shape[0]
    g = grid.shape[0]
    reach = 9.0 * h
    w_total, w_target = _weight_totals(site_w, is_target)
    num = np.zeros((n_chunks, g))
    den = np.zeros((n_chunks, g))
    for ch in nb.prange(n_chunks):
        all_k = np.zeros(g)
        tgt_k = np.zeros(g)
        for a in range(ch, n_ref, n_chunks):
            i = ref_idx[a]
            all_k[:] = 0.0
            tgt_k[:] = 0.0
            for j in range(n_sites):
                if j == i:
                    continue
                s = _sq_dist(coords, i, j, geographic)
                if s > t_max:
                    continue
                if geographic:
                    d = 2.0 * radius * math.asin(min(math.sqrt(max(s, 0.0)) / 2.0, 1.0))
                else:
                    d = math.sqrt(s)
                lo = np.searchsorted(grid, d - reach)
                hi = np.searchsorted(grid, d + reach, side="right")
                wj = site_w[j]
                tj = is_target[j]
                for q in range(lo, hi):
                    u = (grid[q] - d) / h
                    k = wj * math.exp(-0.5 * u * u)
                    all_k[q] += k
                    if tj:
                        tgt_k[q] += k
            wi = site_w[i]
            own = wi if is_target[i] else 0.0
            expected = (w_target - own) / (w_total - wi)
            for q in range(g):
                if all_k[q] > 0.0:
                    num[ch, q] += tgt_k[q] / all_k[q]
                    den[ch, q] += expected
    return _sum_chunks(num, den)
