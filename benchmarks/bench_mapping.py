"""`klaster.mapping.map_clusters` against plain pandas computing only the location quotient
and the strong-cluster rule (pandas_reference.lq_strong), interleaved: K B K B … in
fresh subprocesses, so host load hits both sides alike (issue 14: the goal is >= 3x).

Each worker reads the Parquet panel (not timed), runs its computation once (timed, wall
and CPU seconds of the process) and reports its peak RSS. The first round also checks
that both sides agree on LQ (rtol 1e-9) and on every strong flag.

    uv run python benchmarks/generate_panel.py           # once: benchmarks/data/
    uv run python benchmarks/bench_mapping.py [--rounds 3] [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def worker(kind: str, data: Path, out: Path | None) -> dict:
    if kind == "klaster":
        import polars as pl

        from klaster.mapping import map_clusters

        stats = pl.read_parquet(data / "panel.parquet")
        defs = pl.read_parquet(data / "definitions.parquet")
        w, c = time.perf_counter(), time.process_time()
        res = map_clusters(stats, defs)
        w, c = time.perf_counter() - w, time.process_time() - c
        if out is not None:
            res.indicators.select("region", "cluster", "year", "lq", "strong") \
                .write_parquet(out / "klaster.parquet")
        rows = res.indicators.height
    else:
        import pandas as pd

        sys.path.insert(0, str(HERE))
        import pandas_reference

        stats = pd.read_parquet(data / "panel.parquet")
        defs = pd.read_parquet(data / "definitions.parquet")
        w, c = time.perf_counter(), time.process_time()
        res = pandas_reference.lq_strong(stats, defs)
        w, c = time.perf_counter() - w, time.process_time() - c
        if out is not None:
            res = res.astype({"region": str, "cluster": str})
            res["strong"] = res["strong"].astype("boolean")
            res[["region", "cluster", "year", "lq", "strong"]].to_parquet(out / "pandas.parquet")
        rows = len(res)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"wall": w, "cpu": c, "rows": rows, "peak_rss_mb": peak}


def run(kind: str, data: Path, out: Path | None) -> dict:
    cmd = [sys.executable, __file__, "--worker", kind, "--data", str(data)]
    if out is not None:
        cmd += ["--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode:
        sys.exit(f"{kind} worker failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def check(out: Path) -> str:
    import numpy as np
    import polars as pl

    a = pl.read_parquet(out / "klaster.parquet")
    b = pl.read_parquet(out / "pandas.parquet").with_columns(pl.col("year").cast(pl.Int32))
    j = a.join(b, on=["region", "cluster", "year"], how="full", suffix="_pd")
    if j.height != a.height or j.height != b.height:
        return f"row sets differ ({a.height:,} vs {b.height:,} rows)"
    x, y = j["lq"].fill_null(np.nan).to_numpy(), j["lq_pd"].fill_null(np.nan).to_numpy()
    if not np.isclose(x, y, rtol=1e-9, atol=0, equal_nan=True).all():
        return "LQ differs"
    if not j.select((pl.col("strong").eq_missing(pl.col("strong_pd"))).all()).item():
        return "strong flags differ"
    return f"agree ({a.height:,} rows: LQ within 1e-9, every strong flag equal)"


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=HERE / "data")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--worker", choices=["klaster", "pandas"], help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        print(json.dumps(worker(a.worker, a.data, a.out)))
        return
    if not (a.data / "panel.parquet").is_file():
        sys.exit(f"{a.data / 'panel.parquet'} not found: run benchmarks/generate_panel.py")

    import polars as pl

    n = pl.scan_parquet(a.data / "panel.parquet").select(
        pl.len(), pl.col("region").n_unique(), pl.col("industry").n_unique(),
        pl.col("year").n_unique()).collect().row(0)
    print(f"panel: {n[0]:,} rows, {n[1]:,} regions x {n[2]:,} industries x {n[3]} years")
    ratios, cpu_ratios = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.rounds):
            out = Path(tmp) if i == 0 else None
            print(f"round {i + 1}: {uptime()}", flush=True)
            k = run("klaster", a.data, out)
            p = run("pandas", a.data, out)
            ratios.append(p["wall"] / k["wall"])
            cpu_ratios.append(p["cpu"] / k["cpu"])
            print(f"  map_clusters      {k['wall']:6.2f} s wall {k['cpu']:6.2f} s CPU, "
                  f"peak RSS {k['peak_rss_mb']:,.0f} MB\n"
                  f"  pandas LQ+strong  {p['wall']:6.2f} s wall {p['cpu']:6.2f} s CPU, "
                  f"peak RSS {p['peak_rss_mb']:,.0f} MB\n"
                  f"  speed-up {ratios[-1]:.1f}x wall, {cpu_ratios[-1]:.1f}x CPU", flush=True)
            if out is not None:
                print(f"  results: {check(out)}", flush=True)
    print(f"after: {uptime()}")
    print(f"map_clusters vs pandas LQ+strong: median speed-up {statistics.median(ratios):.1f}x "
          f"wall (min {min(ratios):.1f}x), {statistics.median(cpu_ratios):.1f}x CPU, "
          f"{a.rounds} interleaved rounds")


if __name__ == "__main__":
    main()
