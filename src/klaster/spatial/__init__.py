"""klaster.spatial: firm-level concentration (Kd, M), Monte Carlo bands, delineation."""
