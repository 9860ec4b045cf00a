"""Time to build the network page's payload for a cluster of 5,000 organisations.

A synthetic registry (seeded): one cluster of N organisations (helix mix 70 % business,
15 % research, 10 % support, 5 % public) who joined 2018-2024, 400 joint projects of 2-8
partners and 600 activities of 3-25 participants over 2019-2024. The page payload is what
``klaster.web.matchmaking.network.network_payload`` returns (ties, filtering, positions from
``klaster.networks.network_layout``, plotly traces); the view
caches it per (registry state, cluster, year, filters, viewer scope), so this is the cost
of a cache miss. The metrics table (klaster.networks.cluster_metrics: exact betweenness)
is fetched by the page separately and timed on its own. Also timed: the parts alone, JSON
encoding, ``cluster_metrics`` and ``organisation_centrality`` of the cluster in the year,
and exact betweenness alone on the year's collaboration graph of all organisations —
compiled (klaster.networks.betweenness_centrality, rustworkx) and, with ``--networkx``,
pure-Python networkx (the path used before; about 15-30 s at 5,000 organisations).

    uv run python benchmarks/bench_network_page.py [--orgs 5000] [--repeat 3] [--networkx]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time

import numpy as np

from klaster import networks
from klaster.registry_tables import RegistryTables
from klaster.web.matchmaking.network import filter_ties, metrics_payload, network_payload


def synthetic(n_orgs: int, seed: int = 0) -> RegistryTables:
    rng = np.random.default_rng(seed)
    helix = rng.choice(["business", "research", "support", "public"], size=n_orgs,
                       p=[0.70, 0.15, 0.10, 0.05])
    orgs = [{"id": i + 1, "name": f"Organisation {i + 1}", "helix": str(helix[i])}
            for i in range(n_orgs)]
    joined = rng.integers(2018, 2025, size=n_orgs)
    memberships = [{"id": i + 1, "organisation_id": i + 1, "cluster_id": 1,
                    "joined": dt.date(int(joined[i]), 1, 1)} for i in range(n_orgs)]
    projects, partners = [], []
    for p in range(400):
        start = int(rng.integers(2019, 2025))
        projects.append({"id": p + 1, "cluster_id": 1, "title": f"P{p}",
                         "start": dt.date(start, 1, 1),
                         "end": dt.date(start + int(rng.integers(0, 3)), 12, 31)})
        for o in rng.choice(n_orgs, size=int(rng.integers(2, 9)), replace=False):
            partners.append({"project_id": p + 1, "organisation_id": int(o) + 1})
    activities, participants = [], []
    for a in range(600):
        activities.append({"id": a + 1, "cluster_id": 1,
                           "start": dt.date(int(rng.integers(2019, 2025)), 6, 1)})
        for o in rng.choice(n_orgs, size=int(rng.integers(3, 26)), replace=False):
            participants.append({"activity_id": a + 1, "organisation_id": int(o) + 1})
    return RegistryTables.from_frames(
        "synthetic", organisations=orgs, clusters=[{"id": 1, "status": "operating"}],
        memberships=memberships, projects=projects, project_partners=partners,
        activities=activities, activity_participants=participants)


def timed(fn, repeat: int):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orgs", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--year", type=int, default=2023)
    ap.add_argument("--networkx", action="store_true",
                    help="also time networkx.betweenness_centrality (slow: tens of seconds)")
    args = ap.parse_args()
    tables = synthetic(args.orgs)
    year = args.year
    ties, t_ties = timed(lambda: networks.organisation_ties(
        tables, year=year, tie_types=("project", "activity")), args.repeat)
    edges = filter_ties(ties, tie_types=("project", "activity"),
                        node_ids=tables.organisations["id"])
    _layout, t_layout = timed(lambda: networks.network_layout(
        edges, tables.organisations.select("id")), args.repeat)
    _m, t_metrics = timed(lambda: metrics_payload(tables, year=year, cluster_id=1), 1)
    payload, t_payload = timed(lambda: network_payload(tables, year=year), args.repeat)
    blob, t_json = timed(lambda: json.dumps(payload["figure"]), args.repeat)
    _cm, t_cm = timed(lambda: networks.cluster_metrics(tables, years=[year]), args.repeat)
    _oc, t_oc = timed(lambda: networks.organisation_centrality(tables, cluster_id=1, year=year),
                      args.repeat)
    graph = networks.build_graph(tables.organisations["id"].to_list(), ties)
    _bc, t_bc = timed(lambda: networks.betweenness_centrality(graph), args.repeat)
    print(f"network page payload: {args.orgs:,} organisations, year {year}, "
          f"{payload['edges']:,} ties (projects + activities), median of {args.repeat}")
    print(f"  organisation_ties      {t_ties * 1000:9.1f} ms")
    print(f"  network_layout         {t_layout * 1000:9.1f} ms")
    print(f"  page payload           {t_payload * 1000:9.1f} ms  (cache miss: ties, layout, "
          "traces)")
    print(f"  metrics table (1 year) {t_metrics * 1000:9.1f} ms  (single run; fetched "
          "after the page, cached)")
    print(f"  figure JSON encoding   {t_json * 1000:9.1f} ms, {len(blob) / 1e6:.2f} MB")
    print(f"  cluster_metrics        {t_cm * 1000:9.1f} ms  (cluster 1, {year})")
    print(f"  organisation_centrality{t_oc * 1000:9.1f} ms  (cluster 1, {year}; networkx "
          "greedy modularity communities are most of it)")
    print(f"  betweenness (rustworkx){t_bc * 1000:9.1f} ms  ({graph.number_of_nodes():,} "
          f"nodes, {graph.number_of_edges():,} ties, exact)")
    if args.networkx:
        import networkx as nx

        _nb, t_nb = timed(lambda: nx.betweenness_centrality(graph, normalized=True), 1)
        print(f"  betweenness (networkx) {t_nb * 1000:9.1f} ms  (single run; the former path)")


if __name__ == "__main__":
    main()
