"""The network page's payload: a plotly figure (plain JSON, drawn by plotly.js in the
browser) of the organisations of a scope of the registry, with their ties, and the cluster
metrics table. Framework-free apart from being called by the view: it takes
:class:`klaster.registry_tables.RegistryTables` and plain filters, so the benchmark
(benchmarks/bench_network_page.py) times exactly what the page does.

Ties, metrics and positions are ``klaster.networks``' (organisation_ties, cluster_metrics,
network_layout); this module only filters and shapes them for plotly.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

# Polars and the analytics load inside the functions that use them: the URL map imports
# this module at every start of the platform (1-3 s of `klaster serve`; issue 14).
if TYPE_CHECKING:
    import polars as pl

    from klaster.registry_tables import RegistryTables



TIE_TYPES = ("project", "activity", "membership")
HELIX_COLOURS = {"business": "#1f6feb", "research": "#7a3ef0", "public": "#c2410c",
                 "support": "#0f766e", "civil": "#a16207", "finance": "#be185d"}
TIE_COLOURS = {"project": "#d62728", "activity": "#2ca02c", "membership": "#9aa5b1"}
# WebGL (scattergl) draws thousands of points without one SVG element per point; below
# this many nodes SVG is as fast and prints better.
WEBGL_FROM_NODES = 1000
# A browser draws ~10^5 line segments smoothly; beyond that the strongest ties are kept
# and the page says how many were left out.
MAX_EDGES = 100_000
# Co-membership ties of clusters larger than this are not computed (2,000 members already
# make two million pairs, all of weight one within the cluster): the page says so.
MAX_MEMBERSHIP_PAIRS = 2_000_000


def filter_ties(ties: pl.DataFrame, *, tie_types: Collection[str],
                node_ids: Iterable[int]) -> pl.DataFrame:
    """Ties (``source, target, tie_type, year, weight``) of the chosen types between the
    chosen nodes, one row per (source, target, tie_type) with the weights summed."""
    import polars as pl
    ids = [int(i) for i in node_ids]
    return (ties.filter(pl.col("tie_type").is_in(list(tie_types))
                        & pl.col("source").is_in(ids) & pl.col("target").is_in(ids))
            .group_by("source", "target", "tie_type")
            .agg(pl.col("weight").sum())
            .sort("source", "target", "tie_type"))


def _segments(edges: pl.DataFrame, pos: dict[int, tuple[float, float]]):
    xs: list[float | None] = []
    ys: list[float | None] = []
    for s, t in edges.select("source", "target").iter_rows():
        xs += [pos[s][0], pos[t][0], None]
        ys += [pos[s][1], pos[t][1], None]
    return xs, ys


def network_payload(tables: RegistryTables, *, year: int | None = None,
                    tie_types: Collection[str] = ("project", "activity"),
                    helix: Collection[str] | None = None,
                    visible_ids: Collection[int] | None = None,
                    org_url: str = "/organisations/{id}/",
                    labels: dict[str, str] | None = None, seed: int = 0) -> dict:
    """Everything the network page draws, as JSON-ready Python.

    ``tables`` is the registry (or the scope of one cluster); ``year`` keeps the ties of
    that year (None: all years); ``tie_types``/``helix`` filter ties and organisations;
    ``visible_ids`` (None: all) are the organisations the viewer may see — others are not
    drawn. Returns ``figure`` ({data, layout} for Plotly.newPlot), ``nodes``, ``edges``,
    ``edges_total`` (before the MAX_EDGES cap), ``by_tie`` and ``by_helix`` counts,
    ``years`` (to choose from), ``webgl``, ``tie_types`` (drawn) and ``notes``
    ("membership_too_large" when co-membership ties were not computed).
    """
    import polars as pl

    from klaster import networks
    from klaster.registry_tables import HELIX_TYPES

    labels = labels or {}
    helix = set(helix) if helix else set(HELIX_TYPES)
    orgs = tables.organisations.filter(pl.col("helix").is_in(list(helix)))
    if visible_ids is not None:
        orgs = orgs.filter(pl.col("id").is_in([int(i) for i in visible_ids]))
    years = networks.registry_years(tables)
    tie_types = [t for t in TIE_TYPES if t in set(tie_types)]
    notes = []
    if "membership" in tie_types:
        # Co-membership projects each cluster onto a clique: n(n-1)/2 pairs per cluster.
        m = tables.memberships
        if year is not None:
            m = m.filter((pl.col("joined").dt.year() <= year)
                         & (pl.col("left").is_null() | (pl.col("left").dt.year() >= year)))
        sizes = m.group_by("cluster_id").agg(pl.col("organisation_id").n_unique().alias("n"))
        sizes = sizes.get_column("n")
        pairs = int(sum(n * (n - 1) // 2 for n in sizes.to_list()))
        if pairs > MAX_MEMBERSHIP_PAIRS:
            tie_types.remove("membership")
            notes.append("membership_too_large")
    ties = networks.organisation_ties(tables, year=year, tie_types=tuple(tie_types))
    edges = filter_ties(ties, tie_types=tie_types, node_ids=orgs.get_column("id"))
    edges_total = edges.height
    if edges_total > MAX_EDGES:
        edges = edges.sort("weight", descending=True).head(MAX_EDGES).sort("source", "target")

    nodes = orgs.select("id", "name", "helix")
    if nodes.height:
        layout = networks.network_layout(edges, nodes, seed=seed)
        pos = {i: (x, y) for i, x, y in layout.select("id", "x", "y").iter_rows()}
    else:
        pos = {}
    degree: dict[int, int] = {}
    for s, t in edges.select("source", "target").iter_rows():
        degree[s] = degree.get(s, 0) + 1
        degree[t] = degree.get(t, 0) + 1

    gl = nodes.height >= WEBGL_FROM_NODES
    kind = "scattergl" if gl else "scatter"
    data = []
    by_tie = {}
    for tie in TIE_TYPES:
        part = edges.filter(pl.col("tie_type") == tie)
        by_tie[tie] = part.height
        if tie not in tie_types:
            continue
        xs, ys = _segments(part, pos)
        data.append({"type": kind, "mode": "lines", "name": labels.get(tie, tie),
                     "x": xs, "y": ys, "hoverinfo": "skip",
                     "line": {"color": TIE_COLOURS[tie], "width": 1}, "opacity": 0.5,
                     "legendgroup": "ties"})
    by_helix = {}
    for h in HELIX_TYPES:
        part = nodes.filter(pl.col("helix") == h)
        by_helix[h] = part.height
        if not part.height:
            continue
        ids = part.get_column("id").to_list()
        data.append({
            "type": kind, "mode": "markers", "name": labels.get(h, h),
            "x": [pos[i][0] for i in ids], "y": [pos[i][1] for i in ids],
            "text": part.get_column("name").to_list(),
            "customdata": [org_url.format(id=i) for i in ids],
            "hovertemplate": "%{text}<extra>" + labels.get(h, h) + "</extra>",
            # Area grows with the number of ties (sqrt: marker size is a diameter).
            "marker": {"color": HELIX_COLOURS[h], "line": {"width": 0.5, "color": "#fff"},
                       "size": [6 + 2 * math.sqrt(degree.get(i, 0)) for i in ids]},
        })
    figure = {"data": data, "layout": {
        "showlegend": True, "hovermode": "closest", "dragmode": "pan",
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "xaxis": {"visible": False}, "yaxis": {"visible": False, "scaleanchor": "x"},
        "plot_bgcolor": "#ffffff", "legend": {"orientation": "h"}}}

    return {"figure": figure, "nodes": nodes.height, "edges": edges.height,
            "edges_total": edges_total, "by_tie": by_tie, "by_helix": by_helix,
            "years": years, "webgl": gl, "notes": notes, "tie_types": tie_types}


def metrics_payload(tables: RegistryTables, *, year: int | None = None,
                    cluster_id: int | None = None) -> dict:
    """``cluster_metrics`` of the scope as {columns, rows} (one row per cluster x year;
    all years when ``year`` is None), floats rounded to 3 places for display.

    Kept apart from :func:`network_payload` because exact betweenness centrality grows
    as O(n·m) (Brandes 2001): compiled (rustworkx) it takes ~0.1 s on 5,000 organisations
    and 11,000 ties, but seconds on dense all-time networks, so the page draws the network
    first and fetches this table separately (benchmarks/bench_network_page.py).
    """
    import polars as pl

    from klaster import networks

    metrics = networks.cluster_metrics(tables, years=None if year is None else [year])
    if cluster_id is not None:
        metrics = metrics.filter(pl.col("cluster_id") == cluster_id)
    metrics = metrics.sort("cluster_id", "year")
    rows = [[round(v, 3) if isinstance(v, float) else v for v in row]
            for row in metrics.iter_rows()]
    return {"columns": metrics.columns, "rows": rows}
