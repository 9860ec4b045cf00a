"""Synthetic county-scale panel for benchmarking klaster.indicators.

Writes two Parquet files to --out (default benchmarks/data):

* ``panel.parquet`` — the canonical statistics table (STATS_SCHEMA): regions x
  industries x years, sparse like County Business Patterns (small expected cells are
  not published / absent);
* ``definitions.parquet`` — DEFINITIONS_SCHEMA: the industries mapped to clusters
  (traded and local), a few codes split over two clusters.

Density: about 35 % of the region x industry cells are published (``--density``), as in
issue 14's panel (11.2 million rows of 3,200 x 1,000 x 10 = 32 million cells).

Skew: region sizes are lognormal, industry sizes Zipf-like (weight ~ 1 / rank^0.9),
and each region x industry cell has a persistent lognormal affinity, so some regions
are specialised; employment grows year to year with small shocks.

    uv run python benchmarks/generate_panel.py                 # 3,200 x 1,000 x 10: 11.2M rows
    uv run python benchmarks/generate_panel.py --scale 0.1     # 320 regions, 100 industries
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import polars as pl

from klaster.schema import DEFINITIONS_SCHEMA


def publication_scale(expected: np.ndarray, density: float) -> float:
    """The scale d of P(published) = 1 - exp(-expected / d) whose mean over all cells is
    ``density`` (bisection on log d; the mean falls monotonically as d grows)."""
    lo, hi = -10.0, 20.0
    for _ in range(100):
        mid = (lo + hi) / 2.0
        if np.mean(-np.expm1(-expected / np.exp(mid))) > density:
            lo = mid
        else:
            hi = mid
    return float(np.exp((lo + hi) / 2.0))


def generate(regions: int, industries: int, years: int, clusters: int, seed: int,
             density: float = 0.35):
    rng = np.random.default_rng(seed)
    region_size = rng.lognormal(mean=9.0, sigma=1.4, size=regions)  # total jobs per county
    weight = 1.0 / np.arange(1, industries + 1) ** 0.9
    weight = rng.permutation(weight / weight.sum())
    affinity = rng.lognormal(mean=0.0, sigma=1.2, size=(regions, industries))
    expected = region_size[:, None] * weight[None, :] * affinity
    # Publication: a cell exists when a random draw says the industry is present, more
    # likely for large expected cells (CBP leaves small or absent cells out). The scale is
    # set so that the expected share of published cells is `density`: issue 14's panel
    # has 11.2 million rows of 32 million cells (35 %).
    scale = publication_scale(expected, density)
    present = rng.random((regions, industries)) < -np.expm1(-expected / scale)
    r_idx, i_idx = np.nonzero(present)
    base = expected[r_idx, i_idx]
    plant = rng.lognormal(mean=2.3, sigma=0.8, size=industries)  # avg plant size per industry
    wage = rng.lognormal(mean=np.log(55.0), sigma=0.35, size=industries)  # USD 1,000 / job
    trend = rng.normal(0.01, 0.03, size=base.size)

    region_codes = np.array([f"{10000 + r:05d}" for r in range(regions)])
    industry_codes = np.array([f"{100000 + 37 * i:06d}" for i in range(industries)])
    frames = []
    for t in range(years):
        level = base * np.exp(trend * t + rng.normal(0.0, 0.05, size=base.size))
        emp = np.round(level)
        # A few published zeros, as in CBP (9 rows in the 2021 state file).
        est = np.maximum(1.0, np.round(level / plant[i_idx]))
        est = np.where(emp == 0, np.where(rng.random(emp.size) < 0.5, 1.0, 0.0), est)
        pay = np.round(emp * wage[i_idx] * rng.lognormal(0.0, 0.1, size=emp.size))
        frames.append(
            pl.DataFrame(
                {
                    "region": region_codes[r_idx],
                    "industry": industry_codes[i_idx],
                    "year": np.full(emp.size, 2012 + t, dtype=np.int32),
                    "employment": emp,
                    "establishments": est,
                    "payroll": pay,
                }
            ).with_columns(pl.lit(None, dtype=pl.Utf8).alias("flag"))
        )
    stats = pl.concat(frames)

    # Definitions: industries spread over clusters (first 72 % traded), about 2 % of the
    # codes split 60/40 over two clusters.
    cluster_of = rng.integers(0, clusters, size=industries)
    cluster_of[:clusters] = np.arange(clusters)  # every cluster gets at least one code
    n_traded = round(clusters * 0.72)
    rows = []
    split = set(rng.choice(industries, size=max(1, industries // 50), replace=False).tolist())
    for i, code in enumerate(industry_codes):
        c = int(cluster_of[i])
        members = [(c, 1.0)]
        if i in split:
            other = int((c + 1 + rng.integers(0, clusters - 1)) % clusters)
            members = [(c, 0.6), (other, 0.4)]
        for cl, share in members:
            rows.append(
                {
                    "industry": code,
                    "cluster": f"C{cl:02d}",
                    "cluster_name": f"Cluster {cl:02d}",
                    "cluster_type": "traded" if cl < n_traded else "local",
                    "subcluster": None,
                    "share": share,
                }
            )
    definitions = pl.DataFrame(rows, schema=DEFINITIONS_SCHEMA)
    return stats, definitions


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies regions and industries")
    ap.add_argument("--regions", type=int, default=3200)
    ap.add_argument("--industries", type=int, default=1000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--clusters", type=int, default=70)
    ap.add_argument("--density", type=float, default=0.35,
                    help="expected share of region x industry cells published (default 0.35)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    a = ap.parse_args()
    regions = max(10, int(a.regions * a.scale))
    industries = max(a.clusters, int(a.industries * a.scale))
    t0 = time.perf_counter()
    stats, definitions = generate(regions, industries, a.years, a.clusters, a.seed,
                                  a.density)
    a.out.mkdir(parents=True, exist_ok=True)
    # Write to a temporary name, then rename: never leave a half-written file.
    for name, frame in (("panel.parquet", stats), ("definitions.parquet", definitions)):
        tmp = a.out / (name + ".part")
        frame.write_parquet(tmp)
        tmp.replace(a.out / name)
    cells = regions * industries * a.years
    print(f"regions {regions:,}  industries {industries:,}  years {a.years}  clusters {a.clusters}")
    print(f"rows {stats.height:,} of {cells:,} possible cells ({stats.height / cells:.1%} published)")
    print(f"employment per year {stats['employment'].sum() / a.years:,.0f}; "
          f"definition rows {definitions.height} ({definitions['industry'].is_duplicated().sum()} split rows)")
    print(f"written to {a.out} in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
