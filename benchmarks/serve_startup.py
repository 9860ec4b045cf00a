"""Time until `klaster serve --demo` answers its first page (issue 14): a first start on an
empty data directory, then second starts on the same one, interleaved over ``--rounds``.

    uv run python benchmarks/serve_startup.py [--rounds 2] [--no-bytecode] [--fresh-clone]

Each start runs ``klaster serve --demo`` on a free local port with its own
KLASTER_DATA_DIR and polls ``/`` until it answers 200; the time printed is from launching
the process to that answer (interpreter start, migrations, demo loading, first request).
By default Python may write ``__pycache__`` (a user's environment after the first import);
``--no-bytecode`` sets PYTHONDONTWRITEBYTECODE, so every start compiles every module.

``--fresh-clone`` measures what a user gets: each round clones this repository's HEAD
into a temporary directory, runs ``uv sync --locked`` and ``npm ci`` there (not timed: a
new environment without ``__pycache__``; no compiled catalogues, ``*.mo`` are not
committed) and times that clone's ``klaster serve --demo`` on a new data directory, then
again (the second start).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(data_dir: Path, env: dict[str, str], timeout: float = 300.0,
          exe: str | None = None) -> float:
    port = free_port()
    exe = exe or shutil.which("klaster") or str(Path(sys.executable).with_name("klaster"))
    t0 = time.perf_counter()
    proc = subprocess.Popen([exe, "serve", "--demo", "--port", str(port)],
                            env={**env, "KLASTER_DATA_DIR": str(data_dir)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - t0 < timeout:
            if proc.poll() is not None:
                sys.exit(f"klaster serve exited with code {proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as r:
                    if r.status == 200:
                        took = time.perf_counter() - t0
                        break
            except OSError:
                time.sleep(0.05)
        else:
            sys.exit("klaster serve did not answer in time")
        # Not timed: the demo content is there (the directory links to its clusters).
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/clusters/", timeout=60) as r:
            if not re.search(r"/clusters/\d+/", r.read().decode()):
                sys.exit("the directory lists no cluster: demo content missing")
        return took
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def fresh_clone(dest: Path, env: dict[str, str], rev: str) -> str:
    """Clone ``rev`` into ``dest``, create its environment; the clone's ``klaster``."""
    root = Path(__file__).resolve().parents[1]
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(root), str(dest)],
                   check=True)
    subprocess.run(["git", "checkout", "--quiet", rev], cwd=dest, check=True)
    env = {k: v for k, v in env.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")}
    subprocess.run(["uv", "sync", "--locked", "--quiet"], cwd=dest, env=env, check=True)
    if shutil.which("npm"):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=dest,
                       env=env, check=True, stdout=subprocess.DEVNULL)
    return str(dest / ".venv" / "bin" / "klaster")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-bytecode", action="store_true")
    ap.add_argument("--fresh-clone", nargs="*", metavar="REV", default=None,
                    help="each round on a new clone (of HEAD, or of each REV in turn, "
                    "interleaved) with a new environment")
    a = ap.parse_args()
    env = dict(os.environ, KLASTER_DEMO_PASSWORD="benchmark-only-password")
    env.pop("KLASTER_DATA_DIR", None)
    env.pop("DATABASE_URL", None)
    if a.no_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    revs = (a.fresh_clone or ["HEAD"]) if a.fresh_clone is not None else [None]
    first: dict[str | None, list[float]] = {r: [] for r in revs}
    second: dict[str | None, list[float]] = {r: [] for r in revs}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.rounds):
            for j, rev in enumerate(revs):  # A B A B …: load hits every variant alike
                data = Path(tmp) / f"round{i}-{j}"
                data.mkdir()
                exe = (fresh_clone(Path(tmp) / f"clone{i}-{j}", env, rev)
                       if rev is not None else None)
                print(f"round {i + 1}{f' {rev}' if rev else ''}: {uptime()}", flush=True)
                first[rev].append(start(data, env, exe=exe))
                second[rev].append(start(data, env, exe=exe))
                print(f"  first start {first[rev][-1]:6.2f} s, second start "
                      f"{second[rev][-1]:6.2f} s", flush=True)
    print(f"after: {uptime()}")
    for rev in revs:
        print(f"klaster serve --demo{f' ({rev})' if rev else ''}, first page: first start "
              f"median {statistics.median(first[rev]):.2f} s, second start median "
              f"{statistics.median(second[rev]):.2f} s ({a.rounds} rounds, bytecode cache "
              f"{'off' if a.no_bytecode else 'on'}"
              f"{', each round a fresh clone after uv sync' if rev else ''})")


if __name__ == "__main__":
    main()
