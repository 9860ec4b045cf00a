"""Time the EU demo report end to end: `klaster report --demo-eu` (packaged Eurostat
sbs_r_nuts06_r2 extract: 277 NUTS 2021 regions x 68 NACE divisions x 8 years -> 65
clusters, Poland's voivodeships on the map), as a user runs it, with the machine's load.

Prints, per run, the wall time of the whole command (a fresh Python process: start-up,
imports, loading, mapping, rendering, writing) and the CPU time the process used (user +
system, children included), then one in-process run split into stages (CPU and wall) so
that the main cost is visible. The machine's `uptime` load is printed before and after:
on a shared machine wall time grows with the load while CPU time does not.

    uv run python benchmarks/bench_demo_eu.py [--runs 3] [--language en]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def cli_run(out: Path, language: str) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "klaster.cli", "report", "--demo-eu", "-o",
                    str(out), "--language", language], check=True,
                   capture_output=True, env={**os.environ, "COLUMNS": "120"})
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def stages(out: Path, language: str) -> None:
    clock = {"cpu": time.process_time(), "wall": time.perf_counter()}

    def lap(name: str) -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        print(f"  {name:<28} cpu {cpu - clock['cpu']:6.2f} s   wall {wall - clock['wall']:6.2f} s")
        clock.update(cpu=cpu, wall=wall)

    from klaster.data.demo import eu_demo_regions, load_demo_eu
    from klaster.errors import IssueLog
    from klaster.mapping import map_clusters
    from klaster.reports import builtin_geometry, write_report
    from klaster.taxonomy import builtin_definitions
    lap("imports")
    stats = load_demo_eu(IssueLog())
    lap("load + NUTS 2021 recoding")
    defs, system = builtin_definitions("nace-division")
    result = map_clusters(stats, defs, system=system)
    lap("cluster mapping, change")
    geometry, _table, _att = builtin_geometry("pl")
    regions = eu_demo_regions(result.indicators["region"].unique().to_list())
    lap("boundaries, region table")
    write_report(result.indicators, out, geometry=geometry, regions=regions,
                 change=result.change, region="PL84", language=language)
    lap("render + write the report")
    print(f"  report: {out.stat().st_size / 1e6:.1f} MB; {stats.height:,} statistics rows, "
          f"{result.indicators.height:,} indicator rows")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--language", default="en")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "eu.html"
        print(f"load: {uptime()}  ({os.cpu_count()} cores)")
        for i in range(args.runs):
            wall, cpu = cli_run(out, args.language)
            print(f"klaster report --demo-eu --language {args.language}: run {i + 1}: "
                  f"{wall:.1f} s wall, {cpu:.1f} s CPU")
        print("in process, by stage:")
        stages(Path(tmp) / "eu2.html", args.language)
        print(f"load: {uptime()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
