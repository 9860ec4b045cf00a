"""Peak memory and time of the Eurostat TSV loader on a large generated file.

Generates a legitimate Eurostat bulk TSV (old layout ``nace_r2,indic_sb,geo\\time``,
8 years, the five indic_sb codes of sbs_r_nuts06_r2, 92 NACE codes plus aggregates,
synthetic NUTS-like geo codes, a realistic mix of ':' / ': c' / flagged cells,
e.g. '13 i', '1234 bep'), gzip-compressed, then loads it with
``klaster.data.load_eurostat_tsv`` (or ``klaster load`` with --cli) in a subprocess
and prints the wall time, the child's peak RSS (ru_maxrss) and the machine load.

    uv run python benchmarks/bench_eurostat.py                 # 3,000,000 rows
    uv run python benchmarks/bench_eurostat.py --rows 300000   # quick
    uv run python benchmarks/bench_eurostat.py --cli           # through `klaster load`
    uv run python benchmarks/bench_eurostat.py --rows 300000 --baseline 207ad14 --repeat 2
        # interleaved A/B against the loader of an older commit (its flags only: no 'i')

Target (issue 12): the 3,000,000-row file loads under 1.5 GB peak.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

INDIC = ["V11210", "V16110", "V13320", "V91290", "V94310"]
YEARS = list(range(2015, 2007, -1))
SECTIONS = {"B": range(5, 10), "C": range(10, 34), "D": [35], "E": range(36, 40),
            "F": range(41, 44), "G": range(45, 48), "H": range(49, 54), "I": [55, 56],
            "J": range(58, 64), "L": [68], "M": range(69, 76), "N": range(77, 83)}
AGGREGATES = ["B-S_X_K642", "C10-C12", "B-E"]


def nace_codes() -> list[str]:
    out = []
    for sec, divs in SECTIONS.items():
        out.append(sec)
        out.extend(f"{sec}{d:02d}" for d in divs)
    out.extend(f"G{g}" for g in [451, 452, 453, 454, 461, 462, 463, 464, 465, 466])
    return out + ["S95"] + AGGREGATES


def generate(path: Path, rows: int, seed: int = 1, legacy: bool = False) -> int:
    """Write `rows` data lines; returns the number written. legacy: only the flags the
    loader before issue 11 read (no 'i')."""
    rng = random.Random(seed)
    codes = nace_codes()
    n_geo = max(1, rows // (len(INDIC) * len(codes)) + 1)
    geos = [f"X{g // 100:02d}{g % 100:02d}" for g in range(n_geo)]
    flags = ["", "", "", "", "", "", " e", " p", " i", " bep", " b", " u"]
    if legacy:
        flags = [f for f in flags if "i" not in f]
    written = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as fh:
        fh.write("nace_r2,indic_sb,geo\\time\t" + "\t".join(f"{y} " for y in YEARS) + "\n")
        for nace in codes:
            for ind in INDIC:
                for geo in geos:
                    if written >= rows:
                        return written
                    base = rng.randint(1, 50000)
                    cells = []
                    for _ in YEARS:
                        r = rng.random()
                        if r < 0.15:
                            cells.append(": ")
                        elif r < 0.25:
                            cells.append(": c")
                        else:
                            cells.append(f"{base + rng.randint(0, 500)}{rng.choice(flags)} ")
                    fh.write(f"{nace},{ind},{geo}\t" + "\t".join(cells) + "\n")
                    written += 1
    return written


def child(path: str, cli: bool, baseline: str | None = None) -> None:
    t = time.perf_counter()
    if baseline:
        import importlib.util

        src = subprocess.run(["git", "show", f"{baseline}:src/klaster/data/eurostat.py"],
                             capture_output=True, text=True, check=True,
                             cwd=Path(__file__).parent).stdout
        mod_path = Path(tempfile.mkdtemp()) / "eurostat_baseline.py"
        mod_path.write_text(src)
        spec = importlib.util.spec_from_file_location("eurostat_baseline", mod_path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        t = time.perf_counter()
        rows = f"{mod.load_eurostat_tsv(path).table.height:,}"
    elif cli:
        from typer.testing import CliRunner

        from klaster.cli import app
        res = CliRunner().invoke(app, ["load", path])
        assert res.exit_code == 0, res.output
        rows = "see CLI"
    else:
        from klaster.data import load_eurostat_tsv
        rows = f"{load_eurostat_tsv(path).table.height:,}"
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB (Linux)
    who = f"baseline {baseline}" if baseline else "current"
    print(f"[{who}] loaded {rows} table rows in {wall:.1f} s; peak RSS {peak:,.0f} MiB",
          flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=3_000_000)
    ap.add_argument("--cli", action="store_true", help="load through `klaster load`")
    ap.add_argument("--keep", type=Path, help="write the generated file here and keep it")
    ap.add_argument("--baseline", help="also run the loader of this git commit, interleaved")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--child-baseline", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.cli, args.child_baseline)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench_eurostat.tsv.gz"
        t = time.perf_counter()
        n = generate(path, args.rows, legacy=args.baseline is not None)
        print(f"generated {n:,} rows, {path.stat().st_size / 1e6:.1f} MB gzip, "
              f"in {time.perf_counter() - t:.0f} s")
        print("load:", os.getloadavg(), "|", subprocess.run(["uptime"], capture_output=True,
                                                            text=True).stdout.strip())
        cmd = [sys.executable, __file__, "--child", str(path)] + (["--cli"] if args.cli else [])
        for _ in range(args.repeat):
            subprocess.run(cmd, check=True)
            if args.baseline:
                subprocess.run([sys.executable, __file__, "--child", str(path),
                                "--child-baseline", args.baseline], check=True)
            print("load:", os.getloadavg(), flush=True)


if __name__ == "__main__":
    main()
