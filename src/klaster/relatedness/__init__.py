"""klaster.relatedness — relatedness, economic complexity, diversification opportunities,
and cluster definitions derived from data.

Public API (formulas and citations in docs/relatedness.md):

* :func:`rca_table`, :func:`presence_matrix`, :class:`RcaMatrix` — RCA (= LQ of
  klaster.indicators) and presence M
* :func:`proximity_hidalgo`, :func:`proximity_prob`, :func:`proximity_correlation`,
  :func:`proximity_table` — relatedness between activities
* :func:`density_matrix` — relatedness density per region x activity
* :func:`eci_pci`, :func:`complexity_outlook` — ECI/PCI (eigenvector method), COI/COG
* :func:`relatedness` -> :class:`RelatednessResult` — all of the above in one call
* :func:`opportunities` — ranked opportunities with their supporting activities
* :func:`derive_definitions` — cluster definitions from co-location (Delgado, Porter &
  Stern 2016 spirit), DEFINITIONS_SCHEMA output
* :func:`compare_definitions` — adjusted Rand index and disagreements of two definitions
"""

# Names load on first use (klaster._lazy): importing the package stays cheap, so a
# command pays only for the modules it runs.
from klaster._lazy import attach

__all__ = attach(__name__, {
    "complexity": ["Complexity", "complexity_outlook", "eci_pci"],
    "density": ["density_matrix"],
    "opportunities": ["OPPORTUNITY_COLUMNS", "SUPPORT_COLUMNS", "opportunities"],
    "proximity": [
        "cooccurrence", "proximity_correlation", "proximity_hidalgo", "proximity_matrix",
        "proximity_prob", "proximity_table",
    ],
    "rca": ["RCA_COLUMNS", "RcaMatrix", "presence_matrix", "rca_matrix", "rca_table"],
    "space": ["RelatednessResult", "relatedness", "relatedness_from_matrix"],
})
