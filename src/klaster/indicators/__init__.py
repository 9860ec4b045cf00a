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

# Names load on first use (klaster._lazy): importing the package stays cheap, so a
# command pays only for the modules it runs.
from klaster._lazy import attach

__all__ = attach(__name__, {
    "concentration": ["IndustryPanel", "concentration", "krugman_specialisation", "prepare_panel"],
    "core": [
        "CLUSTER_TABLE_COLUMNS", "aggregate_clusters", "cluster_indicators",
        "indicators_from_clusters", "location_quotients", "reference_from_clusters",
    ],
    "growth": ["change"],
    "shiftshare": ["SHIFT_SHARE_COLUMNS", "shift_share"],
    "stars": ["StarThresholds", "star_ratings"],
    "strong": ["strong_flags"],
})
