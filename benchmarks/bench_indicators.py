"""Time klaster.indicators against a plain-pandas reference and check they agree.

Each side runs in its own subprocess (so peak memory, ru_maxrss, is its own): it reads
the Parquet panel, computes every indicator — cluster aggregation + region x cluster x
year indicators (LQ, shares, wage, US flags, stars), change first -> last year,
industry concentration (Gini, Hoover, EG, MS) and Krugman specialisation — and writes
the results (writing not timed). The parent then compares them: floats within
1e-9 relative (1e-12 absolute for values at zero), flags and star counts exactly.

    uv run python benchmarks/generate_panel.py            # once: benchmarks/data/
    uv run python benchmarks/bench_indicators.py          # full panel, both sides
    uv run python benchmarks/bench_indicators.py --scale 0.25   # generates + runs smaller
    uv run python benchmarks/bench_indicators.py --skip-pandas
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RTOL, ATOL = 1e-9, 1e-12


def worker_klaster(data: Path, out: Path) -> dict:
    import polars as pl

    from klaster.indicators import (
        change,
        cluster_indicators,
        concentration,
        krugman_specialisation,
        prepare_panel,
    )

    stages = {}
    cpu = {}
    # Numba compiles the concentration kernel on first use (then caches it on disk);
    # that one-off cost is reported apart, not mixed into the timing.
    t = time.perf_counter()
    concentration(pl.DataFrame({"region": ["a", "b"], "industry": ["x", "x"], "year": [1, 1],
                                "employment": [1.0, 2.0], "establishments": [1.0, 1.0]}))
    jit = time.perf_counter() - t
    t0, c0 = time.perf_counter(), time.process_time()
    stats = pl.read_parquet(data / "panel.parquet")
    defs = pl.read_parquet(data / "definitions.parquet")
    stages["read"] = time.perf_counter() - t0
    t = time.perf_counter()
    ind = cluster_indicators(stats, defs)
    stages["cluster_indicators"] = time.perf_counter() - t
    years = ind["year"].unique().sort()
    t = time.perf_counter()
    ch = change(ind, int(years[0]), int(years[-1]))
    stages["change"] = time.perf_counter() - t
    t = time.perf_counter()
    panel = prepare_panel(stats)  # checked and indexed once for both index families
    stages["prepare_panel"] = time.perf_counter() - t
    t = time.perf_counter()
    conc = concentration(panel)
    stages["concentration"] = time.perf_counter() - t
    t = time.perf_counter()
    kr = krugman_specialisation(panel)
    stages["krugman"] = time.perf_counter() - t
    total = time.perf_counter() - t0
    cpu["total"] = time.process_time() - c0
    for name, frame in (("indicators", ind), ("change", ch), ("concentration", conc), ("krugman", kr)):
        frame.write_parquet(out / f"klaster_{name}.parquet")
    return {"seconds": total, "cpu_seconds": cpu["total"], "stages": stages,
            "rows": ind.height, "jit_warmup": jit}


def worker_pandas(data: Path, out: Path) -> dict:
    import pandas as pd

    sys.path.insert(0, str(HERE))
    import pandas_reference

    t0 = time.perf_counter()
    stats = pd.read_parquet(data / "panel.parquet")
    defs = pd.read_parquet(data / "definitions.parquet")
    res = pandas_reference.run_all(stats, defs)
    total = time.perf_counter() - t0
    for name, frame in res.items():
        frame = frame.copy()
        for col in frame.columns:
            if isinstance(frame[col].dtype, pd.CategoricalDtype):
                frame[col] = frame[col].astype(str)
        frame.to_parquet(out / f"pandas_{name}.parquet")
    return {"seconds": total, "rows": len(res["indicators"])}


def run_worker(kind: str, data: Path, out: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--data", str(data), "--out", str(out)],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"{kind} worker failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(out: Path) -> list[str]:
    """Differences between the klaster and pandas results (empty list = identical)."""
    import numpy as np
    import polars as pl

    checks = {
        "indicators": (["region", "cluster", "year"],
                       ["employment", "establishments", "payroll", "wage", "region_share",
                        "national_share", "lq"],
                       ["strong", "strong10", "significant", "qualifying", "star_size",
                        "star_specialisation", "star_focus", "stars"]),
        "change": (["region", "cluster"],
                   ["employment_start", "employment_end", "cagr", "job_creation", "lq_start",
                    "lq_end", "lq_change"], []),
        "concentration": (["industry", "year"],
                          ["employment", "gini", "hoover", "eg_raw", "herfindahl", "eg_gamma",
                           "ms_gamma"], ["regions"]),
        "krugman": (["region", "year"], ["krugman_index"], []),
    }
    problems = []
    for name, (key, floats, exact) in checks.items():
        a = pl.read_parquet(out / f"klaster_{name}.parquet")
        b = pl.read_parquet(out / f"pandas_{name}.parquet").with_columns(
            pl.col(k).cast(a.schema[k]) for k in key
        )
        if a.height != b.height:
            problems.append(f"{name}: {a.height} rows vs {b.height}")
        j = a.select(key + floats + exact).join(
            b.select(key + floats + exact), on=key, how="inner", suffix="_pd"
        )
        if j.height != a.height:
            problems.append(f"{name}: only {j.height} of {a.height} keys matched")
        for col in floats:
            x = j[col].cast(pl.Float64).fill_null(float("nan")).to_numpy()
            y = j[f"{col}_pd"].cast(pl.Float64).fill_null(float("nan")).to_numpy()
            ok = np.isclose(x, y, rtol=RTOL, atol=ATOL, equal_nan=True)
            if not ok.all():
                i = int(np.argmin(ok))
                problems.append(f"{name}.{col}: {int((~ok).sum())} differ, e.g. {x[i]!r} vs {y[i]!r}")
        for col in exact:
            x = j[col].cast(pl.Int64).to_list()
            y = j[f"{col}_pd"].cast(pl.Int64).to_list()
            bad = sum(1 for u, v in zip(x, y) if u != v)
            if bad:
                problems.append(f"{name}.{col}: {bad} differ")
    return problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=None, help="directory with panel.parquet")
    ap.add_argument("--scale", type=float, default=None,
                    help="generate a panel of this scale (regions and industries) first")
    ap.add_argument("--skip-pandas", action="store_true")
    ap.add_argument("--worker", choices=["klaster", "pandas"], help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a.worker:
        fn = worker_klaster if a.worker == "klaster" else worker_pandas
        res = fn(a.data, a.out)
        res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        print(json.dumps(res))
        return

    data = a.data
    if a.scale is not None:
        data = data or HERE / "data" / f"scale_{a.scale:g}"
        subprocess.run([sys.executable, str(HERE / "generate_panel.py"), "--scale", str(a.scale),
                        "--out", str(data)], check=True)
    data = data or HERE / "data"
    if not (data / "panel.parquet").is_file():
        sys.exit(f"{data / 'panel.parquet'} not found: run benchmarks/generate_panel.py first")

    import polars as pl

    panel = pl.scan_parquet(data / "panel.parquet").select(
        pl.len(), pl.col("region").n_unique(), pl.col("industry").n_unique(), pl.col("year").n_unique()
    ).collect().row(0)
    print(f"panel: {panel[0]:,} rows, {panel[1]:,} regions x {panel[2]:,} industries x {panel[3]} years")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        k = run_worker("klaster", data, out)
        stages = ", ".join(f"{s} {v:.2f}" for s, v in k["stages"].items())
        stages += f"; one-off Numba JIT warm-up {k['jit_warmup']:.2f} s, not counted"
        print(f"host: {subprocess.run(['uptime'], capture_output=True, text=True, check=False).stdout.strip()}")
        print(f"klaster: {k['seconds']:.2f} s ({k['cpu_seconds']:.2f} s CPU), peak RSS {k['peak_rss_mb']:,.0f} MB, "
              f"{k['rows']:,} indicator rows  ({stages})")
        if a.skip_pandas:
            return
        p = run_worker("pandas", data, out)
        print(f"pandas : {p['seconds']:.2f} s, peak RSS {p['peak_rss_mb']:,.0f} MB, "
              f"{p['rows']:,} indicator rows")
        print(f"speed-up: {p['seconds'] / k['seconds']:.1f}x")
        problems = compare(out)
        if problems:
            print("RESULTS DIFFER:")
            for line in problems:
                print("  " + line)
            sys.exit(1)
        print(f"results identical (floats rtol {RTOL:g}, atol {ATOL:g}; flags and counts exact)")


if __name__ == "__main__":
    main()
