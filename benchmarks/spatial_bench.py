"""Time klaster.spatial on generated firm registers with realistic clustering.

Generator (:func:`make_register`, fixed seed): lon/lat in a Poland-sized box
(14–24 °E, 49–55 °N). 400 "towns" with Pareto(1.1) sizes; every firm sits near a town
(Gaussian, spread growing with town size), so the whole economy is clustered as real
registers are. Industry sizes are skewed (log-normal, σ = 1.3, rescaled to the total).
About a third of industries are localised: 40–70 % of their firms sit around 1–3 of
their own hubs (spread 2–15 km); the rest follow the economy. Weights: employees,
log-normal.

Stages (JIT compile time measured on a tiny case first and reported separately; the
Numba kernels are cached on disk, cache=True):

1. one Kd (exact, every one of the 49,995,000 pairs; Silverman bandwidth;
   201-point grid) of 10,000 firms among 100,000 sites — target < 2 s;
2. a global envelope: 1,000 random-labelling simulations at that size plus the D&O
   global band — target < 5 min;
3. every industry of a 1,000,000-firm register (500 industries, 99 simulations each)
   through the resumable Dask runner (LocalCluster, 2 single-thread workers) —
   target < 30 min. Mode auto at the CLI defaults (``klaster kd`` = KdOptions()):
   exact Kd up to 5·10⁷ pairs per curve, 5·10⁶ sampled pairs above (override with
   ``--register-exact-pairs`` / ``--register-sample-pairs``); the figures printed say
   how many industries ran in each mode. ``--register-subset K`` runs every K-th
   industry by size (a systematic sample of the work on the full register) and prints
   K × its time as the estimate for all industries — for a machine too loaded to run
   the whole stage in time.

    uv run python benchmarks/spatial_bench.py            # full sizes
    uv run python benchmarks/spatial_bench.py --quick    # small sizes, seconds

``uptime`` load averages are printed with the figures (the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time

import numpy as np
import polars as pl

from klaster.spatial.kd import KdOptions

_DEFAULTS = KdOptions()


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def make_register(n_firms: int, n_industries: int, *, seed: int = 0,
                  n_towns: int = 400) -> pl.DataFrame:
    """Canonical point table (id, industry, weight, lon, lat) with realistic clustering."""
    rng = np.random.default_rng(seed)
    t_lon, t_lat = rng.uniform(14.5, 23.5, n_towns), rng.uniform(49.5, 54.5, n_towns)
    t_size = rng.pareto(1.1, n_towns) + 1.0
    t_p = t_size / t_size.sum()
    t_sd_km = 2.0 + 3.0 * np.log(t_size)
    raw = rng.lognormal(0.0, 1.3, n_industries)
    sizes = np.maximum(1, np.floor(raw / raw.sum() * n_firms)).astype(int)
    sizes[0] += n_firms - sizes.sum()  # exact total
    lon = np.empty(n_firms)
    lat = np.empty(n_firms)
    ind = np.empty(n_firms, dtype=object)
    km_lat = 1 / 111.2
    start = 0
    for k, n in enumerate(sizes):
        code = f"I{k:03d}"
        town = rng.choice(n_towns, n, p=t_p)
        sd = t_sd_km[town] * km_lat
        la = t_lat[town] + rng.normal(0, 1, n) * sd
        lo = t_lon[town] + rng.normal(0, 1, n) * sd / np.cos(np.radians(t_lat[town]))
        if k % 3 == 0 and n >= 10:  # localised industry: own hubs
            n_hub = rng.integers(1, 4)
            h_town = rng.choice(n_towns, n_hub, p=t_p)
            share = rng.uniform(0.4, 0.7)
            m = rng.random(n) < share
            which = h_town[rng.integers(0, n_hub, m.sum())]
            hsd = rng.uniform(2, 15) * km_lat
            la[m] = t_lat[which] + rng.normal(0, hsd, m.sum())
            lo[m] = t_lon[which] + rng.normal(0, hsd, m.sum()) / np.cos(np.radians(t_lat[which]))
        lon[start:start + n], lat[start:start + n], ind[start:start + n] = lo, la, code
        start += n
    return pl.DataFrame({
        "id": [f"F{i}" for i in range(n_firms)], "industry": ind.tolist(),
        "weight": np.ceil(rng.lognormal(1.5, 1.2, n_firms)),
        "lon": np.clip(lon, -180, 180), "lat": np.clip(lat, -90, 90)})


def _fmt(s: float) -> str:
    return f"{s:.3f} s" if s < 100 else f"{s:.1f} s ({s / 60:.1f} min)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    ap.add_argument("--stage", choices=["all", "kd", "envelope", "register"], default="all")
    ap.add_argument("--firms", type=int, default=10_000)
    ap.add_argument("--sites", type=int, default=100_000)
    ap.add_argument("--envelope-sims", type=int, default=1000)
    ap.add_argument("--register-firms", type=int, default=1_000_000)
    ap.add_argument("--register-industries", type=int, default=500)
    ap.add_argument("--register-sims", type=int, default=99)
    ap.add_argument("--register-exact-pairs", type=int, default=_DEFAULTS.max_exact_pairs)
    ap.add_argument("--register-sample-pairs", type=int, default=_DEFAULTS.sample_pairs)
    ap.add_argument("--register-subset", type=int, default=1,
                    help="run every K-th industry by size; report K × the time")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if args.quick:
        args.firms, args.sites, args.envelope_sims = 1000, 10_000, 99
        args.register_firms, args.register_industries, args.register_sims = 20_000, 40, 19

    import numba

    from klaster.spatial.analysis import kd_grid
    from klaster.spatial.kd import KdOptions, KdStatistic, distance_grid, kd_test
    from klaster.spatial.points import site_coords

    print(f"machine: {os.cpu_count()} cores, Numba {numba.__version__} "
          f"({numba.get_num_threads()} threads, layer {numba.config.THREADING_LAYER}); "
          f"other processes may share the cores; {_load()}")

    # JIT: compile (or load from the on-disk cache) on a tiny case, timed separately
    t0 = time.perf_counter()
    tiny = make_register(200, 2, seed=9)
    ts = site_coords(tiny)
    kd_test(ts, np.arange(50), np.ones(50), industry="t", grid=distance_grid(10, 11),
            n_sim=2)
    kd_test(ts, np.arange(50), np.ones(50), industry="t", grid=distance_grid(10, 11),
            n_sim=2, options=KdOptions(mode="sample", sample_pairs=1000))
    print(f"JIT compile / cache load (excluded below): {_fmt(time.perf_counter() - t0)}")

    if args.stage in ("all", "kd", "envelope"):
        t0 = time.perf_counter()
        sites_tab = make_register(args.sites, 50, seed=1)
        sites = site_coords(sites_tab)
        rng = np.random.default_rng(2)
        # the industry: the firms of the largest generated industries, topped up at random
        rows = np.flatnonzero(sites_tab["industry"].is_in(["I000", "I003", "I006"]).to_numpy())
        if len(rows) >= args.firms:
            rows = rows[:args.firms]
        else:
            rest = np.setdiff1d(np.arange(args.sites), rows)
            rows = np.r_[rows, rng.choice(rest, args.firms - len(rows), replace=False)]
        w = sites_tab["weight"].to_numpy()[rows]
        grid = kd_grid(sites, KdOptions())
        print(f"\nregister of {args.sites:,} sites generated in "
              f"{_fmt(time.perf_counter() - t0)}; grid 0–{grid[-1]:.1f} km (median site "
              "distance, sampled)")
        opts = KdOptions(mode="exact")
        stat = KdStatistic(sites, grid, rows, w, opts)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            stat.observed()
            times.append(time.perf_counter() - t0)
        n_pairs = args.firms * (args.firms - 1) // 2
        print(f"[1] one Kd, {args.firms:,} firms among {args.sites:,} sites, exact "
              f"({n_pairs:,} pairs): best {_fmt(min(times))}, median "
              f"{_fmt(float(np.median(times)))} (target < 2 s); "
              f"{n_pairs / min(times) / 1e6:,.0f} M pairs/s; h = {stat.last_h:.3f} km")
        wstat = KdStatistic(sites, grid, rows, w, KdOptions(mode="exact", weighted=True))
        t0 = time.perf_counter()
        wstat.observed()
        print(f"    weighted (K^emp) Kd: {_fmt(time.perf_counter() - t0)}")

    if args.stage in ("all", "envelope"):
        t0 = time.perf_counter()
        _curve, summary = kd_test(sites, rows, w, industry="bench", grid=grid, options=opts,
                                 n_sim=args.envelope_sims, seed=3)
        el = time.perf_counter() - t0
        print(f"[2] global envelope, {args.envelope_sims:,} simulations at that size: "
              f"{_fmt(el)} (target < 5 min); {el / (args.envelope_sims + 1):.3f} s per "
              f"curve; localised at {summary['localised_at'][0] or 'no distance'} km; "
              f"achieved global level {1 - summary['crossed_hi'][0]:.3f}")

    if args.stage in ("all", "register"):
        from klaster.spatial.runner import run_register

        t0 = time.perf_counter()
        reg = make_register(args.register_firms, args.register_industries, seed=4)
        sizes = reg.group_by("industry").len()["len"]
        print(f"\n[3] register: {reg.height:,} firms, {args.register_industries} industries "
              f"(sizes: max {sizes.max():,}, median {int(sizes.median()):,}, min "
              f"{sizes.min():,}) generated in {_fmt(time.perf_counter() - t0)}")
        out = tempfile.mkdtemp(prefix="kd-bench-")
        opts = KdOptions(max_exact_pairs=args.register_exact_pairs,
                         sample_pairs=args.register_sample_pairs)
        k = max(1, args.register_subset)
        by_size = reg.group_by("industry").len().sort(
            ["len", "industry"], descending=[True, False])["industry"].to_list()
        # the middle of each block of k industries of similar size
        chosen = None if k == 1 else by_size[k // 2::k]
        print(f"    KdOptions: exact up to {opts.max_exact_pairs:,} pairs, "
              f"{opts.sample_pairs:,} sampled pairs above"
              + ("" if k == 1 else f"; every {k}th industry by size ({len(chosen)} of "
                 f"{len(by_size)})") + f"; start {_load()}")
        try:
            t0 = time.perf_counter()
            summary = run_register(reg, out, options=opts, n_sim=args.register_sims,
                                   industries=chosen, n_workers=args.workers,
                                   progress=False)
            el = time.perf_counter() - t0
            modes = summary["mode"].value_counts().sort("mode")
            what = "all industries" if k == 1 else f"{len(chosen)} industries (1 in {k})"
            print(f"    {what}, {args.register_sims} simulations each: {_fmt(el)}"
                  + ("" if k == 1 else f"; estimate for all: {_fmt(k * el)}")
                  + " (target < 30 min) — modes: "
                  + ", ".join(f"{m} {c}" for m, c in modes.iter_rows()) + f"; end {_load()}")
            tested = summary.filter(pl.col("gamma").is_not_null())
            print(f"    localised: {int(tested['localised'].sum())} of {tested.height} "
                  f"tested (generator plants hubs in every third industry)")
            t0 = time.perf_counter()
            run_register(reg, out, options=opts, n_sim=args.register_sims,
                         industries=chosen, n_workers=args.workers, progress=False)
            print(f"    resumed run with everything finished: {_fmt(time.perf_counter() - t0)}")
        finally:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
