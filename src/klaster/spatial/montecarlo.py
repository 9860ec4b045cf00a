"""One Monte Carlo engine for every point-pattern statistic of klaster.spatial.

In the spirit of PySAL esda's ``crand`` (one conditional-randomisation engine shared by
all local statistics), every statistic here (Kd, co-localisation Kd, M, co-localisation
M) is tested the same way:

* **Null model: random labelling** (Duranton & Overman 2005, sect. 3.2; Marcon & Puech
  2010, sect. 3). The sites of the economy are fixed (all observed firm locations);
  the marks (industry, weight) are permuted at random over them. For a statistic that
  only reads the industry's own firms (Kd) this is exactly "draw the industry's n sites
  as a uniform random n-subset of all sites, the firms' weights in random order"
  (:meth:`Labelling.subset`); a statistic that reads every site's weight (M) takes the
  full permutation (:meth:`Labelling.permutation`).
* **Reproducibility**: simulation ``s`` uses its own generator from
  ``numpy.random.SeedSequence(seed).spawn``, so results do not depend on how the
  simulations are scheduled.
* **Envelopes**: local pointwise bands (quantiles per distance) — both the 5 %/95 %
  band of Duranton & Overman (2005) and the 2.5 %/97.5 % band of dbmss's envelopes
  (R's ``quantile`` type 7 at Alpha/2 and 1 − Alpha/2 with Alpha = 0.05, which is
  NumPy's default "linear" method) — and the global band of Duranton & Overman
  (2005, sect. 3.3): the same rank at every distance, chosen so that
  at most ``alpha_global`` of the simulated curves cross it anywhere (upper and lower
  band each). Indices Γ (localisation) and Ψ (dispersion) from the global band.

A statistic is any object with ``observed() -> ndarray[g]`` and
``simulate(labelling, rng) -> ndarray[g]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

DBMSS_ALPHA = 0.05  # dbmss's KdEnvelope/MEnvelope default Alpha (two-sided)

__all__ = ["DBMSS_ALPHA", "Envelope", "Labelling", "Statistic", "envelope", "gamma_psi", "run_monte_carlo"]


class Statistic(Protocol):
    def observed(self) -> np.ndarray: ...

    def simulate(self, labelling: Labelling, rng: np.random.Generator) -> np.ndarray: ...


@dataclass(frozen=True)
class Labelling:
    """Random labelling of ``n_sites`` fixed sites (marks permuted over sites)."""

    n_sites: int

    def subset(self, rng: np.random.Generator, k: int) -> np.ndarray:
        """Sites of k relocated firms: a uniform random k-subset in random order."""
        if k > self.n_sites:
            raise ValueError(f"cannot place {k} firms on {self.n_sites} sites")
        return rng.choice(self.n_sites, size=k, replace=False, shuffle=True)

    def permutation(self, rng: np.random.Generator) -> np.ndarray:
        """A full random permutation: the firm of row r moves to site perm[r]."""
        return rng.permutation(self.n_sites)


def run_monte_carlo(statistic: Statistic, n_sites: int, n_sim: int, seed: int | np.random.SeedSequence
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Observed curve (g,) and ``n_sim`` simulated curves (n_sim, g) under random labelling."""
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    lab = Labelling(n_sites)
    obs = np.asarray(statistic.observed(), dtype=np.float64)
    sims = np.empty((n_sim, obs.shape[0]))
    for s, child in enumerate(ss.spawn(n_sim)):
        sims[s] = statistic.simulate(lab, np.random.default_rng(child))
    return obs, sims


@dataclass(frozen=True)
class Envelope:
    """Bands per distance: local (pointwise) and global (Duranton & Overman 2005)."""

    local_lo: np.ndarray
    local_hi: np.ndarray
    local_lo_dbmss: np.ndarray  # 2.5 % quantile (dbmss's local envelope)
    local_hi_dbmss: np.ndarray  # 97.5 % quantile
    global_lo: np.ndarray
    global_hi: np.ndarray
    global_level: float  # pointwise quantile used for the upper global band
    crossed_hi: float    # leave-one-out share of simulations above the upper band somewhere
    crossed_lo: float    # leave-one-out share of simulations below the lower band somewhere


def _global_rank(extreme: np.ndarray, n_sim: int, alpha: float) -> int:
    """Order-statistic index t of the global band and the crossing count it implies.

    ``extreme[s]`` is simulation s's largest rank (0-based, among all n_sim) over the
    distances. Judged against the band built from the *other* simulations at the same
    index t (t <= n_sim - 2), s crosses iff extreme[s] > t. t is the smallest index with
    at most ``alpha`` of the simulations crossing; when even t = n_sim - 2 is not
    enough (too few simulations for the level), t = n_sim - 1, the pointwise maximum.
    """
    allowed = int(np.floor(alpha * n_sim))
    srt = np.sort(extreme)[::-1]
    t = int(srt[allowed]) if allowed < n_sim else 0
    return min(t, n_sim - 1)


def envelope(sims: np.ndarray, *, alpha_local: float = 0.05,
             alpha_global: float = 0.05) -> Envelope:
    """Local and global bands from simulated curves ``sims`` (n_sim, g).

    Local: the ``alpha_local`` and ``1 - alpha_local`` quantiles at each distance
    (D&O 2005: 5 %/95 %), and dbmss's 2.5 %/97.5 % quantiles.
    Global (Duranton & Overman 2005, sect. 3.3): rank every simulated value within its
    distance column; a simulation crosses the upper band taken at order statistic t iff
    its largest rank exceeds t. t is the smallest rank such that at most
    ``alpha_global`` of the simulations cross, i.e. the same pointwise quantile at
    every distance; the lower band likewise with the smallest ranks.
    """
    n_sim, g = sims.shape
    if n_sim < 2:
        raise ValueError("need at least 2 simulations for an envelope")
    local_lo = np.quantile(sims, alpha_local, axis=0)
    local_hi = np.quantile(sims, 1.0 - alpha_local, axis=0)
    # dbmss (FillEnvelope): quantile(probs = c(Alpha/2, 1 - Alpha/2)), Alpha = 0.05
    local_lo_dbmss = np.quantile(sims, DBMSS_ALPHA / 2, axis=0)
    local_hi_dbmss = np.quantile(sims, 1.0 - DBMSS_ALPHA / 2, axis=0)
    order = np.argsort(sims, axis=0, kind="stable")
    srt = np.take_along_axis(sims, order, axis=0)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(n_sim)[:, None].repeat(g, axis=1), axis=0)
    t_hi = _global_rank(ranks.max(axis=1), n_sim, alpha_global)
    # lower band: ranks counted from the bottom
    t_lo_from_bottom = _global_rank((n_sim - 1 - ranks).max(axis=1), n_sim, alpha_global)
    t_lo = n_sim - 1 - t_lo_from_bottom
    global_hi = srt[t_hi]
    global_lo = srt[t_lo]
    # leave-one-out share of simulations outside the band (the achieved global level)
    crossed_hi = float(np.mean(ranks.max(axis=1) > min(t_hi, n_sim - 2)))
    crossed_lo = float(np.mean((n_sim - 1 - ranks).max(axis=1) > min(t_lo_from_bottom,
                                                                      n_sim - 2)))
    return Envelope(local_lo, local_hi, local_lo_dbmss, local_hi_dbmss, global_lo, global_hi,
                    (t_hi + 1) / n_sim,
                    crossed_hi, crossed_lo)


def gamma_psi(observed: np.ndarray, env: Envelope, step: float) -> tuple[float, float]:
    """Localisation Γ and dispersion Ψ of Duranton & Overman (2005, sect. 3.3).

    Γ = Σ_d max(K(d) - K̄(d), 0) · Δd over the grid, K̄ the upper global band;
    Ψ = Σ_d max(K_(d) - K(d), 0) · Δd when Γ = 0, else 0 (D&O count an industry as
    dispersed only if it is nowhere localised). With Δd = 1 km this is D&O's sum over
    1-km steps.
    """
    gamma = float(np.sum(np.maximum(observed - env.global_hi, 0.0)) * step)
    psi = float(np.sum(np.maximum(env.global_lo - observed, 0.0)) * step)
    return gamma, (psi if gamma == 0.0 else 0.0)
