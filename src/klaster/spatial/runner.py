"""Kd for every industry of a firm register: Dask-distributed, resumable, one progress bar.

Layout of the output folder (every file written atomically, klaster.fileio):

* ``params.json`` — run parameters and a fingerprint of the point table; a resumed run
  must match them (otherwise results of different runs would be mixed);
* ``kd/<industry>.parquet`` — the Kd curve with bands of one industry (columns of
  :func:`klaster.spatial.kd.kd_test`);
* ``summary/<industry>.parquet`` — its one-row summary, written last: its presence
  marks the industry as finished, so an interrupted run resumes with the rest;
* ``summary.parquet`` and ``kd.parquet`` — all industries together, at the end.

Industries with fewer than ``max(2, min_firms)`` firms (default 10, the threshold of
Duranton & Overman 2005: a density of a handful of distances says little) get a summary row with
mode ``too_few_firms`` and no curve (never silently dropped).

Tasks are independent per industry and return small frames, so workers need no shared
file system: the driver writes. Largest industries are submitted first with higher
priority so the long tasks do not trail at the end.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict
from pathlib import Path
from urllib.parse import quote

import numpy as np
import polars as pl

from klaster.errors import DataError
from klaster.fileio import atomic_output
from klaster.spatial.analysis import industry_rows, industry_seed, kd_grid
from klaster.spatial.kd import KdOptions, kd_test
from klaster.spatial.points import SiteCoords, site_coords

__all__ = ["industry_file", "run_register"]


def industry_file(folder: Path, industry: str) -> Path:
    """File of one industry inside ``folder`` (code percent-encoded to a safe name)."""
    return folder / (quote(industry, safe="") + ".parquet")


def _write(frame: pl.DataFrame, path: Path) -> None:
    with atomic_output(path) as tmp:
        frame.write_parquet(tmp)


def _task(sites: SiteCoords, industry: str, rows: np.ndarray, weights: np.ndarray,
          grid: np.ndarray, options: KdOptions, n_sim: int, seed: int,
          numba_threads: int | None):
    if numba_threads:
        import numba

        numba.set_num_threads(min(numba_threads, numba.config.NUMBA_NUM_THREADS))
    return kd_test(sites, rows, weights, industry=industry, grid=grid, options=options,
                   n_sim=n_sim, seed=industry_seed(seed, industry))


def _skipped(industry: str, n: int, weight: float, n_sim: int, dmax: float) -> pl.DataFrame:
    return pl.DataFrame([{
        "industry": industry, "other": None, "firms": n, "weight": weight,
        "mode": "too_few_firms", "n_sim": n_sim, "bandwidth": None, "binning_bound": None,
        "max_distance": dmax, "gamma": None, "psi": None, "localised": None,
        "dispersed": None, "localised_at": None, "dispersed_at": None, "global_level": None,
        "crossed_hi": None, "crossed_lo": None}],
        schema_overrides={"other": pl.Utf8, "bandwidth": pl.Float64,
                          "binning_bound": pl.Float64, "gamma": pl.Float64,
                          "psi": pl.Float64, "localised": pl.Boolean,
                          "dispersed": pl.Boolean, "localised_at": pl.Utf8,
                          "dispersed_at": pl.Utf8, "global_level": pl.Float64,
                          "crossed_hi": pl.Float64, "crossed_lo": pl.Float64})


def _fingerprint(points: pl.DataFrame) -> str:
    # content hash of the columns the run reads (stable across processes and versions)
    import hashlib

    h = hashlib.sha256()
    for col in points.columns:
        s = points[col]
        data = "\x00".join(s.cast(pl.Utf8).fill_null("").to_list()).encode("utf-8") \
            if s.dtype == pl.Utf8 else s.to_numpy().tobytes()
        h.update(col.encode("utf-8") + b"=" + data)
    return f"{points.height}:{h.hexdigest()[:32]}"


def run_register(points: pl.DataFrame, out_dir: str | Path, *,
                 options: KdOptions | None = None, n_sim: int = 99, seed: int = 0,
                 industries: list[str] | None = None, scheduler: str | None = None,
                 client=None, n_workers: int = 2, processes: bool = True,
                 min_firms: int = 10,
                 progress: bool = True, console=None) -> pl.DataFrame:
    """Kd with Monte Carlo bands for every industry of ``points``; returns the summary.

    ``scheduler``: a Dask scheduler address (``distributed.Client(address)``); default
    a ``LocalCluster`` of ``n_workers`` single-threaded workers (Numba gets
    cores / n_workers threads in each); ``scheduler="inline"`` runs in this process
    without Dask. ``client``: an existing distributed Client (tests). ``industries``
    limits the run to these codes; industries with fewer than ``min_firms`` firms get
    a summary row without a test. Finished industries found in ``out_dir`` are not
    recomputed. Summary columns: see :func:`klaster.spatial.kd.kd_test`.
    """
    options = options if options is not None else KdOptions()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "kd").mkdir(exist_ok=True)
    (out / "summary").mkdir(exist_ok=True)
    sites = site_coords(points)
    grid = kd_grid(sites, options, seed)
    params = {"options": asdict(options), "n_sim": n_sim, "seed": seed, "min_firms": min_firms,
              "max_distance": float(grid[-1]), "points": _fingerprint(points)}
    pfile = out / "params.json"
    if pfile.exists():
        old = json.loads(pfile.read_text(encoding="utf-8"))
        if old != json.loads(json.dumps(params)):
            raise DataError("this folder holds results of a run with other parameters or "
                            "other points; use a new folder", file=pfile)
    else:
        with atomic_output(pfile) as tmp:
            tmp.write_text(json.dumps(params, indent=1), encoding="utf-8")

    rows = industry_rows(points)
    if industries is not None:
        missing = [c for c in industries if c not in rows]
        if missing:
            raise DataError(f"industries not in the point table: {', '.join(missing[:5])}",
                            field="industry")
        rows = {c: rows[c] for c in industries}
    weights = points["weight"].to_numpy()
    todo = []
    for code, r in rows.items():
        if industry_file(out / "summary", code).exists():
            continue
        if len(r) < max(2, min_firms):
            _write(_skipped(code, len(r), float(weights[r].sum()), n_sim, float(grid[-1])),
                   industry_file(out / "summary", code))
            continue
        todo.append(code)

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(TextColumn("Kd {task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TimeRemainingColumn(), console=console,
                   disable=not progress)

    def finish(code: str, result) -> None:
        curve, summary = result
        _write(curve, industry_file(out / "kd", code))
        _write(summary, industry_file(out / "summary", code))

    with bar:
        task = bar.add_task("industries", total=len(rows), completed=len(rows) - len(todo))
        if todo and scheduler == "inline":
            for code in todo:
                finish(code, _task(sites, code, rows[code], weights[rows[code]], grid,
                                   options, n_sim, seed, None))
                bar.advance(task)
        elif todo:
            _run_dask(todo, rows, weights, sites, grid, options, n_sim, seed, scheduler,
                      client, n_workers, processes, finish, lambda: bar.advance(task))
    return _collect(out, list(rows))


def _run_dask(todo, rows, weights, sites, grid, options, n_sim, seed, scheduler, client,
              n_workers, processes, finish, advance) -> None:
    from distributed import Client, LocalCluster, as_completed

    own = []
    local = False
    if client is None:
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                   processes=processes, dashboard_address=None)
            own.append(cluster)
            client = Client(cluster)
            local = True
        own.insert(0, client)
    try:
        # a local cluster shares this machine's cores: give each worker thread its share
        # for Numba; remote workers keep their own Numba setting
        numba_threads = None
        if local:
            nthreads = sum(client.nthreads().values()) or 1
            numba_threads = max(1, (os.cpu_count() or 1) // nthreads)
        [sites_f] = client.scatter([sites], broadcast=True)
        futures = {}
        run_id = uuid.uuid4().hex[:8]  # fresh keys: a shared scheduler may hold old ones
        for code in todo:
            r = rows[code]
            f = client.submit(_task, sites_f, code, r, weights[r], grid, options, n_sim, seed,
                              numba_threads, key=f"kd-{quote(code, safe='')}-{run_id}",
                              priority=len(r), pure=False)
            futures[f] = code
        for f in as_completed(list(futures)):
            finish(futures.pop(f), f.result())  # pop: release the result on the cluster
            advance()
    finally:
        for obj in own:
            obj.close()


def _collect(out: Path, codes: list[str]) -> pl.DataFrame:
    summaries = [pl.read_parquet(industry_file(out / "summary", c)) for c in codes]
    summary = pl.concat(summaries, how="vertical_relaxed") if summaries else pl.DataFrame()
    curves = [pl.read_parquet(p) for c in codes
              if (p := industry_file(out / "kd", c)).exists()]
    _write(summary, out / "summary.parquet")
    if curves:
        _write(pl.concat(curves, how="vertical_relaxed"), out / "kd.parquet")
    return summary
