"""klaster.indicators — region x cluster x year indicators and concentration indices.

Public API (see docs/indicators.md for formulas and citations):

* :func:`cluster_indicators` — canonical stats + cluster definitions -> INDICATOR_COLUMNS
* :func:`indicators_from_clusters` — the same from an aggregated cluster table
* :func:`aggregate_clusters`, :func:`reference_from_clusters` — cluster / benchmark tables
* :func:`change` — growth between two years -> CHANGE_COLUMNS + SHIFT_SHARE_COLUMNS
  (shift-share: :func:`shift_share`, Dunn 1960; Esteban-Marquillas 1972)
* :func:`strong_flags`, :func:`star_ratings`, :class:`StarThresholds`
* :mod:`klaster.indicators.concentration` — Gini, Hoover, Ellison-Glaeser,
  Maurel-Sedillot, Krugman specialisation
"""

from klaster.indicators.concentration import (
    IndustryPanel,
    concentration,
    krugman_specialisation,
    prepare_panel,
)
from klaster.indicators.core import (
    CLUSTER_TABLE_COLUMNS,
    aggregate_clusters,
    cluster_indicators,
    indicators_from_clusters,
    location_quotients,
    reference_from_clusters,
)
from klaster.indicators.growth import change
from klaster.indicators.shiftshare import SHIFT_SHARE_COLUMNS, shift_share
from klaster.indicators.stars import StarThresholds, star_ratings
from klaster.indicators.strong import strong_flags

__all__ = [
    "CLUSTER_TABLE_COLUMNS",
    "SHIFT_SHARE_COLUMNS",
    "IndustryPanel",
    "StarThresholds",
    "aggregate_clusters",
    "change",
    "cluster_indicators",
    "concentration",
    "indicators_from_clusters",
    "krugman_specialisation",
    "location_quotients",
    "prepare_panel",
    "reference_from_clusters",
    "shift_share",
    "star_ratings",
    "strong_flags",
]
