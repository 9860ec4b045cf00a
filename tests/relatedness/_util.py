"""Helpers shared by the relatedness tests: build canonical statistics tables."""

from __future__ import annotations

import numpy as np
import polars as pl


def stats_from_matrix(x: np.ndarray, *, year: int = 2021, prefix_r: str = "R",
                      prefix_a: str = "A", establishments: np.ndarray | None = None,
                      drop_zero: bool = False) -> pl.DataFrame:
    """A STATS_SCHEMA-like table (region, industry, year, employment, establishments)."""
    nr, na = x.shape
    regions = [f"{prefix_r}{i:03d}" for i in range(nr)]
    acts = [f"{prefix_a}{j:03d}" for j in range(na)]
    est = x if establishments is None else establishments
    df = pl.DataFrame({
        "region": np.repeat(regions, na).tolist(),
        "industry": np.tile(acts, nr).tolist(),
        "year": np.full(nr * na, year, dtype=np.int32),
        "employment": x.ravel().astype(float),
        "establishments": est.ravel().astype(float),
        "payroll": np.zeros(nr * na),
        "flag": [None] * (nr * na),
    }, schema_overrides={"flag": pl.Utf8})
    return df.filter(pl.col("employment") > 0) if drop_zero else df


def random_counts(seed: int, nr: int, na: int) -> np.ndarray:
    """Skewed counts with zeros, as regional employment looks."""
    rng = np.random.default_rng(seed)
    x = rng.gamma(0.5, 100.0, size=(nr, na)).round()
    x += (rng.random((nr, na)) < 0.3) * rng.integers(1, 1000, (nr, na))
    x[:, x.sum(axis=0) == 0] = 1.0
    return x
