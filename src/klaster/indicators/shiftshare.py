"""Classic shift-share decomposition of employment change (Dunn 1960; Esteban-Marquillas 1972).

For region r, cluster i and the years t0 < t1 (notation of docs/indicators.md):

* E_ri0, E_ri1: employment of cluster i in region r;
* E_i0, E_i1: the cluster's employment summed over all regions of the table;
* E_0, E_1: all employment of the table (all regions, all clusters);
* g = E_1 / E_0 - 1 (national growth), g_i = E_i1 / E_i0 - 1 (cluster growth),
  g_ri = E_ri1 / E_ri0 - 1 (regional cluster growth).

Dunn (1960) splits the change E_ri1 - E_ri0 = E_ri0 * g_ri into

* national growth effect  NS_ri = E_ri0 * g
* industry-mix effect     IM_ri = E_ri0 * (g_i - g)
* competitive effect      RS_ri = E_ri0 * (g_ri - g_i)

which add up to the change exactly (the g and g_i terms cancel). Esteban-Marquillas
(1972) removes the industry-mix influence that remains in RS through the "homothetic"
employment E*_ri0 = E_r0 * E_i0 / E_0 (the employment the region would have in the
cluster if its structure were the national one):

* net competitive effect  E*_ri0 * (g_ri - g_i)
* allocation effect       (E_ri0 - E*_ri0) * (g_ri - g_i)

whose sum is RS_ri. Edge cases, chosen so that the identity always holds: a region x
cluster absent from either year (null employment) has null components, as its change is
unknown; one with E_ri0 = 0 and E_ri1 > 0 (a cluster born in the region) has NS = IM = 0
and RS = E_ri1 (all of the change is regional, since nothing was there to grow at the
national or cluster rate), and null Esteban-Marquillas terms (g_ri is undefined).
"""

from __future__ import annotations

import polars as pl

__all__ = ["SHIFT_SHARE_COLUMNS", "shift_share"]

SHIFT_SHARE_COLUMNS = (
    "shift_national", "shift_industry_mix", "shift_competitive",
    "homothetic_employment", "em_competitive", "em_allocation",
)


def shift_share(frame: pl.DataFrame) -> pl.DataFrame:
    """Add SHIFT_SHARE_COLUMNS to a frame of ``region, cluster, employment_start,
    employment_end`` (one row per region x cluster; the change table's columns).

    Totals are taken over the rows of ``frame`` (null employment counts as absent), so
    E_0 and E_1 are the table's totals in each year. Returns ``frame`` with the columns
    appended (formulas in the module docstring).
    """
    e0, e1 = pl.col("employment_start"), pl.col("employment_end")
    t0, t1 = e0.sum(), e1.sum()
    g = t1 / t0 - 1.0                                              # Dunn (1960): national growth
    gi = e1.sum().over("cluster") / e0.sum().over("cluster") - 1.0  # cluster's national growth
    grow = e0 > 0
    gri = pl.when(grow).then(e1 / e0 - 1.0)                        # regional cluster growth
    known = e0.is_not_null() & e1.is_not_null()
    homothetic = e0.sum().over("region") * e0.sum().over("cluster") / t0  # E-M (1972)
    out = frame.with_columns(
        g=g, gi=gi, gri=gri, known=known, grow=grow,
        homothetic_employment=pl.when(e0.is_not_null()).then(homothetic))
    ns = pl.when(pl.col("grow")).then(e0 * pl.col("g")).otherwise(0.0)
    im = pl.when(pl.col("grow")).then(e0 * (pl.col("gi") - pl.col("g"))).otherwise(0.0)
    rs = pl.when(pl.col("grow")).then(e0 * (pl.col("gri") - pl.col("gi"))).otherwise(e1 - e0)
    diff = pl.col("gri") - pl.col("gi")
    return out.with_columns(
        shift_national=pl.when(pl.col("known")).then(ns),
        shift_industry_mix=pl.when(pl.col("known")).then(im),
        shift_competitive=pl.when(pl.col("known")).then(rs),
        em_competitive=pl.when(pl.col("known") & pl.col("grow"))
        .then(pl.col("homothetic_employment") * diff),
        em_allocation=pl.when(pl.col("known") & pl.col("grow"))
        .then((e0 - pl.col("homothetic_employment")) * diff),
    ).drop("g", "gi", "gri", "known", "grow")
