"""Time until `klaster serve --demo` answers its first page (issue 14): a first start on an
empty data directory, then second starts on the same one, interleaved over ``--rounds``.

    uv run python benchmarks/serve_startup.py [--rounds 2] [--no-bytecode]

Each start runs ``klaster serve --demo`` on a free local port with its own
KLASTER_DATA_DIR and polls ``/`` until it answers 200; the time printed is from launching
the process to that answer (interpreter start, migrations, demo loading, first request).
By default Python may write ``__pycache__`` (a user's environment after the first import);
``--no-bytecode`` sets PYTHONDONTWRITEBYTECODE, so every start compiles every module.
"""

from __future__ import annotations

import argparse
import os
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


def start(data_dir: Path, env: dict[str, str], timeout: float = 300.0) -> float:
    port = free_port()
    exe = shutil.which("klaster") or str(Path(sys.executable).with_name("klaster"))
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
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.05)
        sys.exit("klaster serve did not answer in time")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return float("nan")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-bytecode", action="store_true")
    a = ap.parse_args()
    env = dict(os.environ, KLASTER_DEMO_PASSWORD="benchmark-only-password")
    env.pop("KLASTER_DATA_DIR", None)
    env.pop("DATABASE_URL", None)
    if a.no_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    first, second = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.rounds):
            data = Path(tmp) / f"round{i}"
            data.mkdir()
            print(f"round {i + 1}: {uptime()}", flush=True)
            first.append(start(data, env))
            second.append(start(data, env))
            print(f"  first start {first[-1]:6.2f} s, second start {second[-1]:6.2f} s",
                  flush=True)
    print(f"after: {uptime()}")
    print(f"klaster serve --demo, first page: first start median "
          f"{statistics.median(first):.2f} s, second start median "
          f"{statistics.median(second):.2f} s ({a.rounds} rounds, bytecode cache "
          f"{'off' if a.no_bytecode else 'on'})")


if __name__ == "__main__":
    main()
