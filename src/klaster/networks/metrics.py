"""Network metrics of clusters and organisations.

networkx holds the graphs and does the cheap measures, communities and constraint;
betweenness, which dominates the cost (Brandes 2001 is O(nm): 14-27 s for a 4,300-member,
8,200-tie cluster in pure-Python networkx), is computed exactly by the compiled
``rustworkx`` library (:func:`betweenness_centrality`; 0.3-0.4 s on the same graph) with
networkx's normalisation, and networkx stays the tests' oracle.

The collaboration network of a cluster in a year is the graph whose nodes are the
cluster's members in that year and whose edges are their project and activity ties of
that year (klaster.networks.ties). Co-membership is left out by default: inside one
cluster it would join every member to every other and say nothing about collaboration.

Measures (Wasserman & Faust 1994 for the definitions):

* density = 2m / (n (n - 1)), share of possible member pairs that are tied;
* components = connected components, each isolate counting as one;
* isolates_share = members without any tie / members;
* degree centrality = degree / (n - 1) (Freeman 1979);
* betweenness = share of shortest paths between other pairs through the node, normalised
  by (n - 1)(n - 2) / 2 (Freeman 1977; Brandes 2001 algorithm);
* constraint = Burt's (1992) network constraint, low for organisations that span
  structural holes;
* bridging = participation coefficient P_i = 1 - sum_s (k_is / k_i)^2 over the
  communities s of i's neighbours (Guimera & Amaral 2005), communities from greedy
  modularity maximisation (Clauset, Newman & Moore 2004): 0 when all of an
  organisation's partners sit in one community, towards 1 when they are spread evenly
  across many;
* triple-helix tie mix = share of ties by the helix types of their two ends (Etzkowitz &
  Leydesdorff 2000): business-research, business-public, research-public,
  business-business, research-research, public-public, and other (any tie with a support,
  civil-society or finance organisation).
"""

from __future__ import annotations

import networkx as nx
import polars as pl
import rustworkx as rx

from klaster.networks.ties import memberships_in, organisation_ties
from klaster.registry_tables import RegistryTables

COLLABORATION = ("project", "activity")
HELIX_PAIRS = (("business", "research"), ("business", "public"), ("research", "public"),
               ("business", "business"), ("research", "research"), ("public", "public"))
MIX_COLUMNS = [f"mix_{a}_{b}" for a, b in HELIX_PAIRS] + ["mix_other"]
TOP_BRIDGES = 3
# Betweenness values are sums of path shares; two libraries (or thread counts) add them in
# different orders, so values equal in exact arithmetic may differ in the last bits. Ranks
# use the value rounded to this many decimals, so such ties fall back to the organisation
# id whichever library computed them.
RANK_DECIMALS = 12

CLUSTER_METRICS_SCHEMA = {
    "cluster_id": pl.Int64, "year": pl.Int32, "members": pl.Int64, "ties": pl.Int64,
    "density": pl.Float64, "components": pl.Int64, "isolates_share": pl.Float64,
    "max_degree_centrality": pl.Float64, "mean_betweenness": pl.Float64,
    "bridging_organisations": pl.List(pl.Int64),
    **{c: pl.Float64 for c in MIX_COLUMNS},
}

CENTRALITY_SCHEMA = {
    "organisation_id": pl.Int64, "name": pl.Utf8, "helix": pl.Utf8, "degree": pl.Int64,
    "strength": pl.Int64, "degree_centrality": pl.Float64, "betweenness": pl.Float64,
    "constraint": pl.Float64, "community": pl.Int64, "bridging": pl.Float64,
}


def build_graph(nodes, ties: pl.DataFrame) -> nx.Graph:
    """Undirected graph on ``nodes`` with the ``ties`` (source, target, weight) among them
    merged across tie types (weights added); ties touching other nodes are ignored."""
    g = nx.Graph()
    g.add_nodes_from(nodes)
    keep = pl.Series(list(g.nodes), dtype=pl.Int64)
    inside = (ties.filter(pl.col("source").is_in(keep.implode()) &
                          pl.col("target").is_in(keep.implode()))
              .group_by("source", "target").agg(pl.col("weight").sum()))
    g.add_weighted_edges_from(inside.select("source", "target", "weight").iter_rows())
    return g


def betweenness_centrality(g: nx.Graph) -> dict:
    """Exact normalised betweenness of every node of the undirected, unweighted graph ``g``.

    Freeman (1977) betweenness c_B(v) = sum over pairs {s, t} not containing v of
    sigma_st(v) / sigma_st (shortest s-t paths through v / all shortest s-t paths), divided
    by the number of such pairs (n - 1)(n - 2) / 2, i.e. the same values as
    ``networkx.betweenness_centrality(g, normalized=True)`` (all 0 below three nodes).
    Computed with Brandes' (2001) algorithm in rustworkx (compiled; multi-threaded above
    ``parallel_threshold`` nodes) instead of networkx's pure-Python loop. Tie weights are
    ignored, as in the networkx call this replaces: a path is short in hops, not in
    weight. Returns {node: value}.
    """
    nodes = list(g.nodes)
    n = len(nodes)
    if n < 3:
        return dict.fromkeys(nodes, 0.0)
    index = {v: i for i, v in enumerate(nodes)}
    r = rx.PyGraph(multigraph=False)
    r.add_nodes_from(range(n))
    r.add_edges_from_no_data([(index[a], index[b]) for a, b in g.edges if a != b])
    # rustworkx normalises undirected betweenness by (n-1)(n-2)/2 pairs, as networkx does.
    bc = rx.betweenness_centrality(r, normalized=True, endpoints=False)
    return {v: float(bc[i]) for i, v in enumerate(nodes)}


def registry_years(tables: RegistryTables) -> list[int]:
    """Every year from the first to the last date in memberships, projects and activities."""
    dates = [tables.memberships["joined"], tables.memberships["left"],
             tables.projects["start"], tables.projects["end"],
             tables.activities["start"], tables.activities["end"]]
    years = pl.concat([d.dt.year().cast(pl.Int32) for d in dates]).drop_nulls()
    if years.is_empty():
        return []
    return list(range(int(years.min()), int(years.max()) + 1))


def _helix_mix(g: nx.Graph, helix: dict[int, str]) -> dict[str, float | None]:
    m = g.number_of_edges()
    counts = dict.fromkeys(MIX_COLUMNS, 0)
    names = {tuple(sorted(p)): f"mix_{p[0]}_{p[1]}" for p in HELIX_PAIRS}
    for a, b in g.edges:
        pair = tuple(sorted((str(helix.get(a)), str(helix.get(b)))))
        counts[names.get(pair, "mix_other")] += 1
    return {k: (v / m if m else None) for k, v in counts.items()}


def _graph_metrics(g: nx.Graph, helix: dict[int, str]) -> dict:
    n = g.number_of_nodes()
    m = g.number_of_edges()
    out = {"members": n, "ties": m,
           "density": nx.density(g) if n > 1 else None,
           "components": nx.number_connected_components(g) if n else 0,
           "isolates_share": (nx.number_of_isolates(g) / n) if n else None}
    if n > 1:
        dc = nx.degree_centrality(g)
        bc = betweenness_centrality(g)
        out["max_degree_centrality"] = max(dc.values())
        out["mean_betweenness"] = sum(bc.values()) / n
        ranked = sorted((node for node, v in bc.items() if round(v, RANK_DECIMALS) > 0),
                        key=lambda x: (-round(bc[x], RANK_DECIMALS), x))
        out["bridging_organisations"] = ranked[:TOP_BRIDGES]
    else:
        out["max_degree_centrality"] = None
        out["mean_betweenness"] = None
        out["bridging_organisations"] = []
    out.update(_helix_mix(g, helix))
    return out


def cluster_metrics(tables: RegistryTables, *, years: list[int] | None = None,
                    tie_types: tuple[str, ...] = COLLABORATION) -> pl.DataFrame:
    """Network metrics per cluster and year (see the module docstring for definitions).

    Reads ``clusters``, ``memberships``, ``organisations`` (helix) and the tie tables.
    ``years`` defaults to :func:`registry_years`. Returns one row per cluster x year with
    columns ``cluster_id, year, members, ties, density, components, isolates_share,
    max_degree_centrality, mean_betweenness, bridging_organisations`` (list of up to three
    organisation ids with the highest betweenness > 0, highest first) and the tie-mix
    shares ``mix_business_research, mix_business_public, mix_research_public,
    mix_business_business, mix_research_research, mix_public_public, mix_other``. Density
    and centralities are null for fewer than two members, shares for no ties.
    """
    if years is None:
        years = registry_years(tables)
    helix = dict(tables.organisations.select("id", "helix").iter_rows())
    clusters = tables.clusters["id"].to_list()
    rows = []
    for year in years:
        ties = organisation_ties(tables, year=year, tie_types=tie_types)
        m = memberships_in(tables, year)
        members = {c: [] for c in clusters}
        for org, cl in m.select("organisation_id", "cluster_id").unique().sort(
                "organisation_id").iter_rows():
            members.setdefault(cl, []).append(org)
        for cl in clusters:
            g = build_graph(members[cl], ties)
            rows.append({"cluster_id": cl, "year": year, **_graph_metrics(g, helix)})
    return pl.DataFrame(rows, schema=CLUSTER_METRICS_SCHEMA).sort("cluster_id", "year")


def participation(g: nx.Graph, community: dict) -> dict:
    """Participation coefficient (Guimera & Amaral 2005) of every node; 0 for isolates."""
    out = {}
    for node in g.nodes:
        k = g.degree(node)
        if k == 0:
            out[node] = 0.0
            continue
        per: dict = {}
        for nb in g.neighbors(node):
            per[community[nb]] = per.get(community[nb], 0) + 1
        out[node] = 1.0 - sum((c / k) ** 2 for c in per.values())
    return out


def organisation_centrality(tables: RegistryTables, *, cluster_id: int | None = None,
                            year: int | None = None,
                            tie_types: tuple[str, ...] = COLLABORATION) -> pl.DataFrame:
    """Centrality of each organisation in the collaboration network.

    With ``cluster_id``: the cluster's members in ``year`` (ever, when None) and their
    ties; without: every organisation of the registry. Returns ``organisation_id, name,
    helix, degree`` (distinct partners), ``strength`` (sum of tie weights),
    ``degree_centrality, betweenness`` (normalised), ``constraint`` (Burt 1992; null for
    isolates), ``community`` (0-based, largest first) and ``bridging`` (participation
    coefficient across communities), sorted by betweenness then degree, descending.
    """
    orgs = tables.organisations.select("id", "name", "helix")
    if cluster_id is not None:
        ids = memberships_in(tables, year).filter(pl.col("cluster_id") == cluster_id)
        orgs = orgs.join(ids.select(pl.col("organisation_id").alias("id")).unique(),
                         on="id", how="semi")
    nodes = sorted(orgs["id"].to_list())
    g = build_graph(nodes, organisation_ties(tables, year=year, tie_types=tie_types))
    n = g.number_of_nodes()
    dc = nx.degree_centrality(g) if n > 1 else dict.fromkeys(g.nodes, 0.0)
    bc = betweenness_centrality(g)
    linked = g.subgraph([v for v in g.nodes if g.degree(v) > 0])
    cons = nx.constraint(linked) if linked.number_of_nodes() else {}
    comms = (nx.community.greedy_modularity_communities(linked)
             if linked.number_of_edges() else [])
    community = {}
    for i, c in enumerate(sorted(comms, key=lambda c: (-len(c), min(c)))):
        for node in c:
            community[node] = i
    part = participation(linked, community)
    rows = []
    for oid, name, hx in orgs.sort("id").iter_rows():
        rows.append({"organisation_id": oid, "name": name, "helix": hx,
                     "degree": g.degree(oid), "strength": g.degree(oid, weight="weight"),
                     "degree_centrality": dc.get(oid, 0.0), "betweenness": bc.get(oid, 0.0),
                     "constraint": cons.get(oid), "community": community.get(oid),
                     "bridging": part.get(oid, 0.0)})
    frame = pl.DataFrame(rows, schema=CENTRALITY_SCHEMA)
    return (frame.with_columns(pl.col("betweenness").round(RANK_DECIMALS).alias("_rank"))
            .sort(["_rank", "degree", "organisation_id"], descending=[True, True, False])
            .drop("_rank"))
