"""Diversification opportunities per region (smart specialisation, Balland et al. 2019).

For each region, the candidates are the activities in which it is not yet specialised
(M_ra = 0). Each is scored on two axes of the S3 framework of Balland, Boschma, Crespo &
Rigby (2019, Regional Studies 53(9)): relatedness density (can the region do it? —
Hidalgo et al. 2007) and complexity (is it worth doing? — PCI, Hidalgo & Hausmann 2009).

score = w * pct(density within the region's candidates) + (1 - w) * pct(PCI among all
activities), pct = percentile rank in (0, 1] (average rank for ties / n); ``w``
(``density_weight``) is 0.5 by default. Quadrant: "high relatedness" when density is at
or above the median of the region's candidates, "high complexity" when PCI is at or
above the median PCI of all activities.

Supporting activities: the activities the region is specialised in (M = 1), ordered by
their proximity to the candidate (highest first) — the evidence behind its density.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from klaster.errors import DataError
from klaster.relatedness.space import RelatednessResult

OPPORTUNITY_COLUMNS = (
    "region", "activity", "rank", "score", "density", "pci", "cog", "rca", "quadrant",
    "supporting",
)
SUPPORT_COLUMNS = ("region", "activity", "supporting_activity", "proximity", "rca", "rank")


def _pct(x: np.ndarray) -> np.ndarray:
    # imported here: scipy.stats takes ~2 s of CPU to import, which every `klaster`
    # command paid at start-up (the CLI registers the relatedness commands)
    from scipy.stats import rankdata

    return rankdata(x, method="average") / len(x)


def opportunities(
    result: RelatednessResult,
    *,
    top: int | None = 10,
    density_weight: float = 0.5,
    supporting: int = 5,
    regions: list[str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Ranked opportunities and their supporting activities.

    Returns ``(opportunities, support)``: ``OPPORTUNITY_COLUMNS`` — one row per region x
    candidate activity (the ``top`` best per region, all when None), ``supporting`` a
    text list "code (proximity); ..." of the ``supporting`` nearest present activities;
    and ``SUPPORT_COLUMNS`` — the same evidence as a long table.
    """
    if not 0.0 <= density_weight <= 1.0:
        raise DataError(f"density_weight must be in [0, 1], got {density_weight}",
                        field="density_weight")
    mx = result.matrix
    acts = np.asarray(mx.activities, dtype=object)
    pci = result.complexity.pci
    ok_pci = np.isfinite(pci)
    pci_pct = np.zeros_like(pci)
    pci_pct[ok_pci] = _pct(pci[ok_pci])
    pci_median = np.median(pci[ok_pci]) if ok_pci.any() else np.nan
    wanted = range(len(mx.regions)) if regions is None else [
        mx.regions.index(r) if r in mx.regions else _unknown(r) for r in regions]
    opp_rows: list[tuple] = []
    sup_rows: list[tuple] = []
    for r in wanted:
        present = mx.presence[r] > 0
        cand = np.flatnonzero(~present & ok_pci & np.isfinite(result.density[r]))
        if cand.size == 0:
            continue
        dens = result.density[r, cand]
        score = density_weight * _pct(dens) + (1 - density_weight) * pci_pct[cand]
        # Ties broken by density, then by code, so the order is reproducible.
        order = np.lexsort((acts[cand], -dens, -score))
        if top is not None:
            order = order[:top]
        dmed = np.median(dens)
        have = np.flatnonzero(present)
        for rank, j in enumerate(order, start=1):
            a = cand[j]
            prox = result.proximity[a, have]
            near = have[np.lexsort((acts[have], -prox))][:supporting]
            near = [k for k in near if result.proximity[a, k] > 0]
            text = "; ".join(f"{acts[k]} ({result.proximity[a, k]:.2f})" for k in near)
            quadrant = (("high" if dens[j] >= dmed else "low") + " relatedness, "
                        + ("high" if pci[a] >= pci_median else "low") + " complexity")
            opp_rows.append((mx.regions[r], acts[a], rank, float(score[j]), float(dens[j]),
                             float(pci[a]), float(result.cog[r, a]), float(mx.rca[r, a]),
                             quadrant, text))
            for srank, k in enumerate(near, start=1):
                sup_rows.append((mx.regions[r], acts[a], acts[k],
                                 float(result.proximity[a, k]), float(mx.rca[r, k]), srank))
    opp_schema = {"region": pl.Utf8, "activity": pl.Utf8, "rank": pl.Int32,
                  "score": pl.Float64, "density": pl.Float64, "pci": pl.Float64,
                  "cog": pl.Float64, "rca": pl.Float64, "quadrant": pl.Utf8,
                  "supporting": pl.Utf8}
    sup_schema = {"region": pl.Utf8, "activity": pl.Utf8, "supporting_activity": pl.Utf8,
                  "proximity": pl.Float64, "rca": pl.Float64, "rank": pl.Int32}
    return (pl.DataFrame(opp_rows, schema=opp_schema, orient="row"),
            pl.DataFrame(sup_rows, schema=sup_schema, orient="row"))


def _unknown(region: str) -> int:
    raise DataError(f"region {region!r} is not in the relatedness result", field="region")
