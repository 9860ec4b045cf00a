"""Cost of the code-level check (klaster.taxonomy.select_level) in map_clusters.

Interleaved runs (A B A B …) of map_clusters on the synthetic panel, with the check and
with it swapped for an identity function; prints the times, the median ratio and the load.

    uv run python benchmarks/generate_panel.py --scale 0.5   # once: benchmarks/data/
    uv run python benchmarks/bench_level_selection.py [--reps 4]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import polars as pl

import klaster.mapping as M
import klaster.taxonomy.definitions as D
from klaster.mapping import map_clusters

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=4)
    args = ap.parse_args()
    panel = pl.read_parquet(HERE / "data" / "panel.parquet")
    defs = pl.read_parquet(HERE / "data" / "definitions.parquet")
    check = D.select_level

    def identity(stats, definitions, *, system=None, issues=None):
        return stats.lazy() if isinstance(stats, pl.DataFrame) else stats

    times: dict[str, list[float]] = {"with": [], "without": []}
    try:
        for _ in range(args.reps):
            for name in times:
                D.select_level = M.select_level = check if name == "with" else identity
                t = time.perf_counter()
                map_clusters(panel, defs)
                times[name].append(time.perf_counter() - t)
    finally:
        D.select_level = M.select_level = check
    one = []
    for _ in range(5):
        t = time.perf_counter()
        check(panel, defs).collect()
        one.append(time.perf_counter() - t)
    print(f"{panel.height:,} rows")
    for name, ts in times.items():
        print(f"map_clusters {name} the check: " + ", ".join(f"{x:.2f}" for x in ts) + " s")
    ratios = [a / b for a, b in zip(times["with"], times["without"], strict=True)]
    print(f"median ratio with/without: {statistics.median(ratios):.2f}")
    print("select_level alone: " + ", ".join(f"{x * 1000:.0f}" for x in one) + " ms")
    print(os.popen("uptime").read().strip())


if __name__ == "__main__":
    main()
