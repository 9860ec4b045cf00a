"""klaster.spatial: firm-level concentration from firm locations.

Duranton & Overman (2005) Kd and Marcon & Puech (2010) M with random-labelling Monte
Carlo bands (one engine, montecarlo.py), co-localisation of two industries,
density-based delineation of clusters, and a resumable Dask runner over every industry
of a register. See docs/spatial.md.
"""

from klaster.spatial.analysis import industry_rows, industry_seed, kd_grid, kd_industry, m_industry
from klaster.spatial.delineate import clusters_geojson, delineate, write_geojson
from klaster.spatial.kd import KdOptions, KdStatistic, binning_bound, kd_test, median_site_distance
from klaster.spatial.m import MStatistic, m_test
from klaster.spatial.montecarlo import Envelope, Labelling, envelope, gamma_psi, run_monte_carlo
from klaster.spatial.points import SiteCoords, load_points, site_coords, validate_points
from klaster.spatial.runner import run_register

__all__ = [
    "Envelope", "KdOptions", "KdStatistic", "Labelling", "MStatistic", "SiteCoords",
    "binning_bound", "clusters_geojson", "delineate", "envelope", "gamma_psi",
    "industry_rows", "industry_seed", "kd_grid", "kd_industry", "kd_test", "load_points",
    "m_industry", "m_test", "median_site_distance", "run_monte_carlo", "run_register",
    "site_coords", "validate_points", "write_geojson",
]
