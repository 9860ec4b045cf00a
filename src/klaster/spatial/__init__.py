"""klaster.spatial: firm-level concentration from firm locations.

Duranton & Overman (2005) Kd and Marcon & Puech (2010) M with random-labelling Monte
Carlo bands (one engine, montecarlo.py), co-localisation of two industries,
density-based delineation of clusters, and a resumable Dask runner over every industry
of a register. See docs/spatial.md.
"""

# Names load on first use (klaster._lazy): importing the package stays cheap, so a
# command pays only for the modules it runs.
from klaster._lazy import attach

__all__ = attach(__name__, {
    "analysis": ["industry_rows", "industry_seed", "kd_grid", "kd_industry", "m_industry"],
    "delineate": ["clusters_geojson", "delineate", "write_geojson"],
    "kd": ["KdOptions", "KdStatistic", "binning_bound", "kd_test", "median_site_distance"],
    "m": ["MStatistic", "m_test"],
    "montecarlo": ["Envelope", "Labelling", "envelope", "gamma_psi", "run_monte_carlo"],
    "points": ["SiteCoords", "load_points", "site_coords", "validate_points"],
    "runner": ["run_register"],
})
