"""Fixed cost of the ``klaster`` command line (issue 14): `klaster --help`, a command that
does nothing (`klaster version`) and a sub-command's help, against the bare interpreter,
interleaved (A B C D A B C D …) so that host load hits every variant alike.

    uv run python benchmarks/cli_startup.py [--runs 15] [--no-bytecode]

By default the runs may read and write ``__pycache__`` (what a user's environment does
after the first run; ``[tool.uv] compile-bytecode`` precompiles the installed packages at
`uv sync`), after one warm-up run per variant. ``--no-bytecode`` sets
PYTHONDONTWRITEBYTECODE and measures compiling every module from source on every run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--no-bytecode", action="store_true")
    ap.add_argument("--old-src", type=Path, default=None,
                    help="also time `--help` of another klaster source tree (e.g. the "
                    "previous commit's src/, from `git archive`), interleaved")
    args = ap.parse_args()

    exe = shutil.which("klaster") or str(Path(sys.executable).with_name("klaster"))
    variants = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "import klaster.cli": [sys.executable, "-c", "import klaster.cli"],
        "klaster --help": [exe, "--help"],
        "klaster version": [exe, "version"],
        "klaster kd --help": [exe, "kd", "--help"],
    }
    if args.old_src is not None:
        variants["old klaster --help"] = [sys.executable, "-c",
                                          "import sys; sys.argv[1:] = ['--help']; "
                                          "from klaster.cli import app; app()"]
    env = dict(os.environ, COLUMNS="100")
    if args.no_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    def env_of(name: str) -> dict[str, str]:
        return dict(env, PYTHONPATH=str(args.old_src)) if name.startswith("old") else env

    for name, cmd in variants.items():  # warm-up: page cache and (unless --no-bytecode) .pyc
        subprocess.run(cmd, env=env_of(name), capture_output=True, check=True)

    print(f"uptime before: {uptime()}")
    times: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(args.runs):
        for name, cmd in variants.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env_of(name), capture_output=True, check=True)
            times[name].append(time.perf_counter() - t0)
    print(f"uptime after:  {uptime()}")
    print(f"{args.runs} interleaved runs, bytecode cache {'off' if args.no_bytecode else 'on'}")
    print(f"{'variant':<22}{'median s':>10}{'p90 s':>10}{'max s':>10}")
    for name, ts in times.items():
        ts.sort()
        p90 = ts[min(len(ts) - 1, int(0.9 * len(ts)))]
        print(f"{name:<22}{statistics.median(ts):>10.3f}{p90:>10.3f}{ts[-1]:>10.3f}")
    base = statistics.median(times["python -c pass"])
    print(f"klaster overhead over the bare interpreter (median): "
          f"--help {statistics.median(times['klaster --help']) - base:.3f} s, "
          f"version {statistics.median(times['klaster version']) - base:.3f} s")
    if args.old_src is not None:
        old, new = (statistics.median(times[k]) for k in ("old klaster --help", "klaster --help"))
        print(f"--help: {old / new:.1f}x faster than {args.old_src} (medians, same runs)")


if __name__ == "__main__":
    main()
