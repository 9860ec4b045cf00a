"""One call from the statistics table to every relatedness and complexity measure.

:func:`relatedness` chains :func:`~klaster.relatedness.rca.presence_matrix`, a proximity
(:mod:`klaster.relatedness.proximity`), density (:mod:`klaster.relatedness.density`),
ECI/PCI and complexity outlook (:mod:`klaster.relatedness.complexity`), and returns a
:class:`RelatednessResult` whose ``*_table`` methods give Polars tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from klaster.errors import IssueLog
from klaster.relatedness.complexity import Complexity, complexity_outlook, eci_pci
from klaster.relatedness.density import density_matrix
from klaster.relatedness.proximity import ProximityMethod, proximity_matrix, proximity_table
from klaster.relatedness.rca import RcaMatrix, presence_matrix


@dataclass(frozen=True)
class RelatednessResult:
    """Matrices of one year: ``matrix`` (RCA / presence), ``proximity`` (activities x
    activities, ``method``), ``density`` (regions x activities), ``complexity`` (ECI,
    PCI), ``coi`` (per region), ``cog`` (regions x activities)."""

    matrix: RcaMatrix
    method: str
    proximity: np.ndarray
    density: np.ndarray
    complexity: Complexity
    coi: np.ndarray
    cog: np.ndarray

    def cell_table(self) -> pl.DataFrame:
        """``region, activity, year, value, rca, presence, density, cog`` (every cell)."""
        mx = self.matrix
        nr, na = mx.values.shape
        return pl.DataFrame({
            "region": np.repeat(np.asarray(mx.regions, dtype=object), na).tolist(),
            "activity": np.tile(np.asarray(mx.activities, dtype=object), nr).tolist(),
            "year": np.full(nr * na, mx.year, dtype=np.int32),
            "value": mx.values.ravel(),
            "rca": mx.rca.ravel(),
            "presence": mx.presence.ravel() > 0,
            "density": self.density.ravel(),
            "cog": self.cog.ravel(),
        })

    def region_table(self) -> pl.DataFrame:
        """``region, year, diversity, eci, coi``."""
        cx = self.complexity
        return pl.DataFrame({
            "region": self.matrix.regions,
            "year": [self.matrix.year] * len(self.matrix.regions),
            "diversity": cx.diversity.astype(np.int64),
            "eci": cx.eci, "coi": self.coi,
        }, schema_overrides={"year": pl.Int32})

    def activity_table(self) -> pl.DataFrame:
        """``activity, year, ubiquity, pci``."""
        cx = self.complexity
        return pl.DataFrame({
            "activity": self.matrix.activities,
            "year": [self.matrix.year] * len(self.matrix.activities),
            "ubiquity": cx.ubiquity.astype(np.int64), "pci": cx.pci,
        }, schema_overrides={"year": pl.Int32})

    def proximity_table(self, min_value: float = 0.0) -> pl.DataFrame:
        """``activity_1, activity_2, proximity`` for pairs above ``min_value``."""
        return proximity_table(self.proximity, self.matrix.activities, min_value=min_value)


def relatedness_from_matrix(mx: RcaMatrix, *, method: ProximityMethod = "hidalgo"
                            ) -> RelatednessResult:
    """Proximity, density, ECI/PCI, COI/COG from an :class:`RcaMatrix`."""
    phi = proximity_matrix(method, mx.presence, mx.rca)
    den = density_matrix(mx.presence, phi)
    cx = eci_pci(mx.presence)
    coi, cog = complexity_outlook(mx.presence, phi, den, cx)
    return RelatednessResult(mx, method, phi, den, cx, coi, cog)


def relatedness(
    stats: pl.DataFrame,
    *,
    year: int | None = None,
    value: str = "employment",
    threshold: float = 1.0,
    regions: list[str] | None = None,
    reference: pl.DataFrame | None = None,
    method: ProximityMethod = "hidalgo",
    issues: IssueLog | None = None,
) -> RelatednessResult:
    """Statistics table (STATS_SCHEMA) -> :class:`RelatednessResult` for one year.

    ``value``/``threshold``/``regions``/``reference`` as
    :func:`klaster.relatedness.rca.rca_table`; ``method`` the proximity ("hidalgo",
    "prob" or "correlation").
    """
    mx = presence_matrix(stats, year=year, value=value, threshold=threshold,
                         regions=regions, reference=reference, issues=issues)
    return relatedness_from_matrix(mx, method=method)
