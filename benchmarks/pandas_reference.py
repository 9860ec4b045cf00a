"""Plain-pandas/NumPy re-implementation of klaster.indicators, written independently.

Used by bench_indicators.py both as a speed baseline and as a cross-check of the
numbers. It follows docs/indicators.md, not klaster's code: cluster aggregation with
merge + groupby, LQ with transform sums, percentiles with pandas' groupby quantile
(linear interpolation), star ranks with pandas' rank(method="min"), and the
concentration indices on dense region x industry matrices per year with NumPy.
Covers the default options (lq_denominator="total", benchmark = the regions given,
default star thresholds) and published (non-null) data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

VALUES = ["employment", "establishments", "payroll"]


def cluster_table(stats: pd.DataFrame, defs: pd.DataFrame) -> pd.DataFrame:
    m = stats.merge(
        defs[["industry", "cluster", "cluster_name", "cluster_type", "share"]], on="industry"
    )
    for v in VALUES:
        m[v] = m[v] * m["share"]
    keys = ["region", "cluster", "cluster_name", "cluster_type", "year"]
    return m.groupby(keys, observed=True, sort=False)[VALUES].sum(min_count=1).reset_index()


def indicators(ct: pd.DataFrame) -> pd.DataFrame:
    d = ct.copy()
    emp = d["employment"]
    region_total = d.groupby(["region", "year"], observed=True)["employment"].transform("sum")
    cluster_total = d.groupby(["cluster", "year"], observed=True)["employment"].transform("sum")
    year_total = d.groupby("year")["employment"].transform("sum")
    d["wage"] = np.where(emp > 0, d["payroll"] / emp.where(emp > 0), np.nan)
    d["region_share"] = emp / region_total.where(region_total > 0)
    d["national_share"] = emp / cluster_total.where(cluster_total > 0)
    d["lq"] = d["region_share"] / (cluster_total / year_total).where(cluster_total > 0)

    # US Cluster Mapping Project flags: percentiles over regions with employment > 0.
    pos = d[(emp > 0) & (d["cluster_type"] == "traded")]
    g = pos.groupby(["cluster", "year"], observed=True)
    thr = pd.DataFrame(
        {
            "q25": g["lq"].quantile(0.25),
            "q50": g["lq"].quantile(0.50),
            "q75": g["lq"].quantile(0.75),
            "q90": g["lq"].quantile(0.90),
            "e25": g["employment"].quantile(0.25),
            "n25": g["establishments"].quantile(0.25),
        }
    ).reset_index()
    d = d.merge(thr, on=["cluster", "year"], how="left")
    size = (d["employment"] > d["e25"]) & (d["establishments"] > d["n25"])
    flags = {
        "strong": (d["lq"] >= d["q75"]) & (d["lq"] >= 1) & size,
        "strong10": (d["lq"] >= d["q90"]) & (d["lq"] >= 1) & size,
        "significant": (d["lq"] > d["q50"]) & size,
        "qualifying": (d["lq"] > d["q25"]) & size,
    }
    local = d["cluster_type"] == "local"
    for name, rule in flags.items():
        col = rule.astype(object)
        col[local] = None
        d[name] = col

    # European Cluster Observatory stars: top 10 % by rank among regions with employment.
    positive = d["employment"] > 0
    grp = d[positive].groupby(["cluster", "year"], observed=True)
    n = d[positive].groupby(["cluster", "year"], observed=True)["employment"].transform("size")
    k = np.ceil(n * 0.10 - 1e-9)
    size_rank = grp["employment"].rank(method="min", ascending=False)
    focus_rank = grp["region_share"].rank(method="min", ascending=False)
    d["star_size"] = False
    d["star_focus"] = False
    d.loc[positive, "star_size"] = (size_rank <= k).to_numpy()
    d.loc[positive, "star_focus"] = (focus_rank <= k).to_numpy()
    d["star_specialisation"] = positive & (d["lq"] >= 2.0)
    d["stars"] = d[["star_size", "star_specialisation", "star_focus"]].sum(axis=1).astype("int32")
    return d.drop(columns=["q25", "q50", "q75", "q90", "e25", "n25"])


def lq_strong(stats: pd.DataFrame, defs: pd.DataFrame) -> pd.DataFrame:
    """Only the location quotient and the strong-cluster rule, from the industry panel:
    the baseline of issue 14 for ``klaster.mapping.map_clusters`` (bench_mapping.py).
    Includes the text -> category conversion and the cluster aggregation, as run_all."""
    stats = stats.copy()
    for col in ("region", "industry"):
        stats[col] = stats[col].astype("category")
    defs = defs.copy()
    defs["industry"] = pd.Categorical(defs["industry"], categories=stats["industry"].cat.categories)
    d = cluster_table(stats, defs)
    emp = d["employment"]
    region_total = d.groupby(["region", "year"], observed=True)["employment"].transform("sum")
    cluster_total = d.groupby(["cluster", "year"], observed=True)["employment"].transform("sum")
    year_total = d.groupby("year")["employment"].transform("sum")
    d["lq"] = (emp / region_total.where(region_total > 0)) / (
        cluster_total / year_total).where(cluster_total > 0)
    pos = d[(emp > 0) & (d["cluster_type"] == "traded")]
    g = pos.groupby(["cluster", "year"], observed=True)
    thr = pd.DataFrame({"q75": g["lq"].quantile(0.75), "e25": g["employment"].quantile(0.25),
                        "n25": g["establishments"].quantile(0.25)}).reset_index()
    d = d.merge(thr, on=["cluster", "year"], how="left")
    strong = ((d["lq"] >= d["q75"]) & (d["lq"] >= 1) & (d["employment"] > d["e25"])
              & (d["establishments"] > d["n25"])).astype(object)
    strong[d["cluster_type"] == "local"] = None
    d["strong"] = strong
    return d[["region", "cluster", "year", "employment", "lq", "strong"]]


def change(ind: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    cols = ["region", "cluster", "employment", "lq"]
    a = ind[ind["year"] == start][cols]
    b = ind[ind["year"] == end][cols]
    m = a.merge(b, on=["region", "cluster"], how="outer", suffixes=("_start", "_end"))
    e0, e1 = m["employment_start"], m["employment_end"]
    m["cagr"] = np.where(e0 > 0, (e1 / e0.where(e0 > 0)) ** (1.0 / (end - start)) - 1.0, np.nan)
    m["job_creation"] = e1 - e0
    m["lq_change"] = m["lq_end"] - m["lq_start"]
    return m


def concentration(stats: pd.DataFrame) -> pd.DataFrame:
    out = []
    for year, part in stats.groupby("year"):
        emp = part.pivot_table(index="region", columns="industry", values="employment",
                               aggfunc="sum", fill_value=0.0, observed=True)
        est = part.pivot_table(index="region", columns="industry", values="establishments",
                               aggfunc="sum", fill_value=0.0, observed=True).reindex_like(emp)
        e = emp.to_numpy()
        n = est.to_numpy()
        x = e.sum(axis=1) / e.sum()
        sx2 = float(np.sum(x**2))
        e_i = e.sum(axis=0)
        s = e / e_i
        lq = s / x[:, None]
        order = np.argsort(lq, axis=0, kind="stable")
        s_sorted = np.take_along_axis(s, order, axis=0)
        x_sorted = x[order]
        cum = np.cumsum(s_sorted, axis=0)
        prev = cum - s_sorted
        area = np.sum(x_sorted * (cum + prev) / 2.0, axis=0)  # trapezoids under Lorenz curve
        gini = 1.0 - 2.0 * area
        hoover = 0.5 * np.abs(s - x[:, None]).sum(axis=0)
        g = np.sum((s - x[:, None]) ** 2, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            h = np.where(e > 0, e**2 / (n * e_i**2), 0.0).sum(axis=0)
        eg = (g - (1 - sx2) * h) / ((1 - sx2) * (1 - h))
        ms = ((np.sum(s**2, axis=0) - sx2) / (1 - sx2) - h) / (1 - h)
        out.append(pd.DataFrame({
            "industry": emp.columns.astype(str), "year": year, "employment": e_i,
            "regions": (e > 0).sum(axis=0), "gini": gini, "hoover": hoover, "eg_raw": g,
            "herfindahl": h, "eg_gamma": eg, "ms_gamma": ms,
        }))
    return pd.concat(out, ignore_index=True)


def krugman(stats: pd.DataFrame) -> pd.DataFrame:
    out = []
    for year, part in stats.groupby("year"):
        emp = part.pivot_table(index="region", columns="industry", values="employment",
                               aggfunc="sum", fill_value=0.0, observed=True)
        e = emp.to_numpy()
        v_r = e / e.sum(axis=1, keepdims=True)
        v = e.sum(axis=0) / e.sum()
        out.append(pd.DataFrame({
            "region": emp.index.astype(str), "year": year,
            "krugman_index": np.abs(v_r - v).sum(axis=1),
        }))
    return pd.concat(out, ignore_index=True)


def run_all(stats: pd.DataFrame, defs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    for col in ("region", "industry"):
        stats[col] = stats[col].astype("category")
    defs = defs.copy()
    defs["industry"] = pd.Categorical(defs["industry"], categories=stats["industry"].cat.categories)
    ind = indicators(cluster_table(stats, defs))
    years = sorted(ind["year"].unique())
    return {
        "indicators": ind,
        "change": change(ind, int(years[0]), int(years[-1])),
        "concentration": concentration(stats),
        "krugman": krugman(stats),
    }


__all__ = ["lq_strong", "run_all"]
