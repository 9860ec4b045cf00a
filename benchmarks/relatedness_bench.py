"""Time klaster.relatedness against the ``ecomplexity`` package and check they agree.

Input: a synthetic region x industry employment table (default 3,200 regions x 1,000
industries, one year, skewed counts with zeros; fixed seed), as a long table.

klaster side (best of ``--repeats``):
  end to end  relatedness(stats): RCA through klaster.indicators' LQ, presence M,
              proximity (Hidalgo 2007, M^T M), density, ECI/PCI (Lanczos), COI/COG;
  stages      the same split into RCA/M, proximity, density, ECI/PCI.
ecomplexity side (one run; its log-supermodularity check off, since klaster does not
compute it): ecomplexity.ecomplexity(...) — RCA, M, ECI/PCI, proximity, density,
COI/COG — plus its proximity kernel calc_discrete_proximity on the same M.

Agreement: the largest absolute difference of every measure (ECI, PCI, density, COI,
COG, proximity) is printed; the run fails (exit 1) above 1e-9.

    uv run python benchmarks/relatedness_bench.py
    uv run python benchmarks/relatedness_bench.py --regions 800 --industries 300
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
import warnings

import numpy as np
import polars as pl

TOL = 1e-9


def make_table(n_regions: int, n_industries: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.gamma(0.4, 80.0, size=(n_regions, n_industries)).round()
    # Region size and industry size effects, so RCA varies realistically.
    x *= rng.lognormal(0, 1, size=(n_regions, 1)) * rng.lognormal(0, 1, size=(1, n_industries))
    x = x.round()
    x[:, x.sum(axis=0) == 0] = 1.0
    regions = np.array([f"R{i:05d}" for i in range(n_regions)])
    acts = np.array([f"{100000 + j:06d}" for j in range(n_industries)])
    return pl.DataFrame({
        "region": np.repeat(regions, n_industries),
        "industry": np.tile(acts, n_regions),
        "year": np.full(n_regions * n_industries, 2021, dtype=np.int32),
        "employment": x.ravel(),
    })


def best_of(fn, repeats: int):
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--regions", type=int, default=3200)
    ap.add_argument("--industries", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-ecomplexity", action="store_true")
    args = ap.parse_args()

    from klaster.relatedness import (
        complexity_outlook,
        density_matrix,
        eci_pci,
        presence_matrix,
        proximity_hidalgo,
        relatedness,
    )

    stats = make_table(args.regions, args.industries)
    print(f"input: {args.regions:,} regions x {args.industries:,} industries "
          f"({stats.height:,} rows), {os.cpu_count()} CPU(s) visible; other processes "
          "may share them (timings are wall-clock)")

    t_total, res = best_of(lambda: relatedness(stats), args.repeats)
    t_rca, mx = best_of(lambda: presence_matrix(stats), args.repeats)
    t_prox, phi = best_of(lambda: proximity_hidalgo(mx.presence), args.repeats)
    t_dens, den = best_of(lambda: density_matrix(mx.presence, phi), args.repeats)
    t_eci, cx = best_of(lambda: eci_pci(mx.presence), args.repeats)
    t_out, _ = best_of(lambda: complexity_outlook(mx.presence, phi, den, cx), args.repeats)
    core = t_prox + t_dens + t_eci
    print(f"klaster  end to end (RCA..COI/COG): {t_total:7.3f} s  (best of {args.repeats})")
    print(f"  RCA + presence (indicators LQ)   : {t_rca:7.3f} s")
    print(f"  proximity (M^T M)                : {t_prox:7.3f} s")
    print(f"  density                          : {t_dens:7.3f} s")
    print(f"  ECI/PCI (two top eigenpairs)     : {t_eci:7.3f} s")
    print(f"  COI/COG                          : {t_out:7.3f} s")
    print(f"  proximity + density + ECI        : {core:7.3f} s  (target < 5 s)")
    if args.skip_ecomplexity:
        return 0

    import ecomplexity
    from ecomplexity.calc_proximity import calc_discrete_proximity

    df = stats.to_pandas()
    cols = {"time": "year", "loc": "region", "prod": "industry", "val": "employment"}
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        theirs = ecomplexity.ecomplexity(df, cols, verbose=False,
                                         check_logsupermodularity=False)
        t_theirs = time.perf_counter() - t
    mcp = mx.presence
    t = time.perf_counter()
    their_phi = calc_discrete_proximity(mcp, mcp.sum(axis=0))
    t_their_prox = time.perf_counter() - t
    print(f"ecomplexity end to end              : {t_theirs:7.3f} s  (one run)")
    print(f"  its proximity kernel alone       : {t_their_prox:7.3f} s")
    print(f"speed-up end to end                : {t_theirs / t_total:7.1f} x  (target >= 5 x)")

    theirs = theirs.sort_values(["region", "industry"])
    nr, na = mx.presence.shape
    diffs = {
        "rca": np.abs(theirs["rca"].to_numpy() - res.matrix.rca.ravel()).max(),
        "mcp": np.abs(theirs["mcp"].to_numpy() - res.matrix.presence.ravel()).max(),
        "eci": np.abs(theirs["eci"].to_numpy() - np.repeat(res.complexity.eci, na)).max(),
        "pci": np.abs(theirs["pci"].to_numpy() - np.tile(res.complexity.pci, nr)).max(),
        "density": np.abs(theirs["density"].to_numpy() - res.density.ravel()).max(),
        "coi": np.abs(theirs["coi"].to_numpy() - np.repeat(res.coi, na)).max(),
        "cog": np.abs(theirs["cog"].to_numpy() - res.cog.ravel()).max(),
        "proximity": np.abs(their_phi - res.proximity).max(),
    }
    print("largest absolute difference vs ecomplexity: "
          + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items()))
    bad = {k: v for k, v in diffs.items() if not v <= TOL}
    if bad:
        print(f"DISAGREE above {TOL}: {bad}")
        return 1
    print(f"all measures equal within {TOL}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
