"""Quality and speed of klaster.matchmaking and klaster.networks.

1. Suggestion quality on the hand-labelled test set tests/data/matchmaking (150
   organisations with en/pl/be/ru profiles, 54 partner requests, good partners labelled
   by hand when the requests were written, before any tuning): precision@5, recall@10
   and mean reciprocal rank of the suggested organisations (a suggested open request
   counts as its organisation; each organisation counted once), for the default weights,
   each component alone and each component left out. No proximity table exists for
   these NACE divisions, so relatedness uses its same-code / same-division fallback.
2. Speed of suggest()/match_requests() on the test set replicated 40 times (6,000
   organisations, 540 requests).
3. Meeting schedule on generate_event(n) for several seeds: requested and placed
   meetings, placed share, solver status and time.
4. cluster_metrics on a synthetic registry (50 clusters x 100 members, 3 years).
5. network_layout on a 5,000-node collaboration-like graph (preferential attachment core
   plus small components and isolates): time.

    uv run python benchmarks/matchmaking_bench.py
    uv run python benchmarks/matchmaking_bench.py --participants 400 --seeds 3
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import polars as pl

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "matchmaking"


def load_testset():
    from klaster.registry_tables import RegistryTables

    orgs = pl.read_csv(DATA / "organisations.csv", schema_overrides={"industry_codes": pl.Utf8})
    profiles = orgs.select(pl.col("id").alias("organisation_id"), "profile")
    orgs = orgs.drop("profile").with_columns(pl.col("industry_codes").str.split("|"))
    requests = pl.read_csv(DATA / "partner_requests.csv", infer_schema=False).with_columns(
        pl.col("id", "organisation_id").cast(pl.Int64))
    labels = pl.read_csv(DATA / "labels.csv")
    tables = RegistryTables.from_frames(str(DATA), organisations=orgs,
                                        partner_requests=requests)
    good = {r: set(g) for r, g in labels.group_by("request_id")
            .agg(pl.col("good_organisation_id")).iter_rows()}
    return tables, profiles, good


def evaluate(suggestions: pl.DataFrame, good: dict[int, set]) -> dict[str, float]:
    p5, r10, rr = [], [], []
    for rid, wanted in good.items():
        ranked = (suggestions.filter(pl.col("request_id") == rid).sort("rank")
                  ["organisation_id"].unique(maintain_order=True).to_list())
        hits = [o in wanted for o in ranked]
        p5.append(sum(hits[:5]) / 5)
        r10.append(sum(hits[:10]) / len(wanted))
        first = next((i for i, h in enumerate(hits) if h), None)
        rr.append(0.0 if first is None else 1.0 / (first + 1))
    return {"P@5": float(np.mean(p5)), "R@10": float(np.mean(r10)), "MRR": float(np.mean(rr))}


def bench_suggestions() -> None:
    from klaster.matchmaking import COMPONENTS, DEFAULT_WEIGHTS, match_requests

    tables, profiles, good = load_testset()
    configs = {"all components (default)": DEFAULT_WEIGHTS}
    for c in COMPONENTS:
        configs[f"{c} only"] = {k: (1.0 if k == c else 0.0) for k in COMPONENTS}
    for c in COMPONENTS:
        configs[f"without {c}"] = {**DEFAULT_WEIGHTS, c: 0.0}
    n_orgs = tables.organisations.height
    mean_good = np.mean([len(g) for g in good.values()])
    print(f"Suggestions: {len(good)} requests, {n_orgs} organisations, "
          f"{mean_good:.1f} labelled good partners per request "
          f"(random ranking: P@5 ~ {mean_good / (n_orgs - 1):.3f})")
    print(f"  {'configuration':<28}{'P@5':>7}{'R@10':>7}{'MRR':>7}{'time':>9}")
    for name, weights in configs.items():
        t = time.perf_counter()
        s = match_requests(tables, request_ids=sorted(good), k=40, weights=weights,
                           profiles=profiles)
        elapsed = time.perf_counter() - t
        m = evaluate(s, good)
        print(f"  {name:<28}{m['P@5']:>7.3f}{m['R@10']:>7.3f}{m['MRR']:>7.3f}"
              f"{elapsed:>8.2f}s")


def bench_scale(copies: int) -> None:
    """The test set replicated: ``copies`` x 150 organisations, 10 x 54 requests."""
    from klaster.matchmaking import match_requests, suggest
    from klaster.registry_tables import RegistryTables

    tables, profiles, _good = load_testset()
    orgs, reqs = tables.organisations, tables.partner_requests
    big = RegistryTables.from_frames(
        organisations=pl.concat([orgs.with_columns(pl.col("id") + 1000 * c)
                                 for c in range(copies)]),
        partner_requests=pl.concat([reqs.with_columns(pl.col("id") + 1000 * c,
                                                      pl.col("organisation_id") + 1000 * c)
                                    for c in range(10)]))
    prof = pl.concat([profiles.with_columns(pl.col("organisation_id") + 1000 * c)
                      for c in range(copies)])
    t = time.perf_counter()
    suggest(big, 3, profiles=prof)
    one = time.perf_counter() - t
    t = time.perf_counter()
    match_requests(big, request_ids=sorted(reqs["id"]), profiles=prof)
    many = time.perf_counter() - t
    print(f"\nScale: {big.organisations.height} organisations, "
          f"{big.partner_requests.height} requests: suggest() {one:.2f} s (with the TF-IDF "
          f"fit), match_requests() for {reqs.height} requests {many:.2f} s")


def bench_schedule(participants: int, seeds: int) -> None:
    from klaster.matchmaking import generate_event, schedule_meetings

    print(f"\nSchedule: generate_event({participants}), HiGHS via scipy.optimize.milp")
    print(f"  {'seed':>4}{'requested':>11}{'placed':>8}{'share':>8}  {'status':<10}{'time':>8}")
    for seed in range(seeds):
        ev = generate_event(participants, seed=seed)
        t = time.perf_counter()
        r = schedule_meetings(ev.participants, ev.requests, ev.slots, tables=ev.tables)
        elapsed = time.perf_counter() - t
        print(f"  {seed:>4}{ev.requests.height:>11}{r.meetings.height:>8}"
              f"{r.placed_share:>8.1%}  {r.status:<10}{elapsed:>7.2f}s")
        tight = max(1, ev.tables // 2)
        t = time.perf_counter()
        r = schedule_meetings(ev.participants, ev.requests, ev.slots, tables=tight)
        elapsed = time.perf_counter() - t
        print(f"  {'':>4}{'(' + str(tight) + ' tables)':>11}{r.meetings.height:>8}"
              f"{r.placed_share:>8.1%}  {r.status:<10}{elapsed:>7.2f}s")


def bench_metrics(n_clusters: int, members: int, years: int) -> None:
    """cluster_metrics on a synthetic registry: clusters of ``members`` organisations,
    each organisation in about two projects of 2-6 partners per year."""
    from datetime import date

    from klaster.networks import cluster_metrics
    from klaster.registry_tables import RegistryTables

    rng = np.random.default_rng(0)
    n_orgs = n_clusters * members
    helix = rng.choice(["business", "research", "public", "support"], n_orgs,
                       p=[0.7, 0.15, 0.1, 0.05])
    orgs = pl.DataFrame({"id": np.arange(n_orgs), "helix": helix})
    mem = pl.DataFrame({"organisation_id": np.arange(n_orgs),
                        "cluster_id": np.arange(n_orgs) // members,
                        "joined": [date(2020, 1, 1)] * n_orgs})
    projects, partners = [], []
    pid = 0
    for y in range(years):
        for _ in range(n_orgs // 2):
            c = int(rng.integers(n_clusters))
            size = int(rng.integers(2, 7))
            team = c * members + rng.choice(members, size, replace=False)
            projects.append({"id": pid, "cluster_id": c, "start": date(2021 + y, 3, 1),
                             "end": date(2021 + y, 11, 1)})
            partners += [{"project_id": pid, "organisation_id": int(o)} for o in team]
            pid += 1
    reg = RegistryTables.from_frames(organisations=orgs, memberships=mem,
                                     clusters=pl.DataFrame({"id": np.arange(n_clusters),
                                                            "status": "operating"}),
                                     projects=projects, project_partners=partners)
    t = time.perf_counter()
    m = cluster_metrics(reg, years=list(range(2021, 2021 + years)))
    elapsed = time.perf_counter() - t
    print(f"\nCluster metrics: {n_clusters} clusters x {members} members, {pid} projects, "
          f"{years} years -> {m.height} rows in {elapsed:.2f} s")


def bench_layout(n: int) -> None:
    import networkx as nx

    from klaster.networks import network_layout

    core = int(n * 0.8)
    g = nx.barabasi_albert_graph(core, 2, seed=1)
    rng = np.random.default_rng(1)
    g.add_nodes_from(range(core, n))
    small = range(core, n - n // 20)
    for i in small:
        if rng.random() < 0.7:
            g.add_edge(i, int(rng.integers(core, n - n // 20)))
    ties = pl.DataFrame({"source": [a for a, _ in g.edges], "target": [b for _, b in g.edges]})
    t = time.perf_counter()
    lay = network_layout(ties, list(g.nodes), seed=0)
    elapsed = time.perf_counter() - t
    print(f"\nLayout: {lay.height} nodes, {g.number_of_edges()} ties, "
          f"{nx.number_connected_components(g)} components: {elapsed:.2f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--participants", type=int, default=200)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--layout-nodes", type=int, default=5000)
    ap.add_argument("--scale-copies", type=int, default=40)
    args = ap.parse_args()
    bench_suggestions()
    bench_scale(args.scale_copies)
    bench_schedule(args.participants, args.seeds)
    bench_metrics(50, 100, 3)
    bench_layout(args.layout_nodes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
