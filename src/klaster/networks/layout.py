"""Node positions for drawing a network, fast enough for thousands of nodes.

Each connected component is laid out on its own and the components are packed side by
side, largest first (isolates end up in the last rows), so a fragmented network does not
collapse into one blob. Small components use the Fruchterman & Reingold (1991) force
model (networkx ``spring_layout``); components above ``SPRING_LIMIT`` nodes use Pivot MDS
(Brandes & Pich 2007): classical multidimensional scaling of the graph distances to k
pivot nodes, which costs k breadth-first searches and one thin SVD instead of the O(n^2)
repulsion of a force model per iteration (benchmarks/matchmaking_bench.py measures it).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, shortest_path

SPRING_LIMIT = 300
PIVOTS = 50


def _pivot_mds(adj, rng: np.random.Generator, pivots: int = PIVOTS) -> np.ndarray:
    """2-D Pivot MDS (Brandes & Pich 2007) of a connected graph given as a sparse matrix."""
    n = adj.shape[0]
    k = min(pivots, n)
    # Max-min pivot choice: each next pivot is the node farthest from those chosen.
    chosen = [int(rng.integers(n))]
    d = np.empty((n, k))
    mind = np.full(n, np.inf)
    for j in range(k):
        d[:, j] = shortest_path(adj, directed=False, unweighted=True, indices=chosen[j])
        mind = np.minimum(mind, d[:, j])
        if j + 1 < k:
            chosen.append(int(np.argmax(mind)))
    d2 = d ** 2
    # Double centring of the squared distances, as in classical MDS (Torgerson 1952).
    c = -0.5 * (d2 - d2.mean(axis=0, keepdims=True) - d2.mean(axis=1, keepdims=True)
                + d2.mean())
    u, s, _vt = np.linalg.svd(c, full_matrices=False)
    xy = u[:, :2] * s[:2]
    if xy.shape[1] < 2:
        xy = np.column_stack([xy, np.zeros(n)])
    return xy


def _normalise(xy: np.ndarray) -> np.ndarray:
    xy = xy - xy.mean(axis=0)
    span = np.abs(xy).max()
    return xy / span if span > 0 else xy


def network_layout(ties: pl.DataFrame, nodes, *, seed: int = 0) -> pl.DataFrame:
    """Positions ``id, x, y`` (Float64 in [0, 1]) of ``nodes`` for the ``ties``.

    ``nodes``: a DataFrame with an ``id`` column, a Series or a list of ids (every node is
    placed, isolates too). ``ties``: ``source, target`` and optionally ``weight``; ties
    with an end outside ``nodes`` are ignored, multiple ties of a pair count once.
    Deterministic for a given ``seed``.
    """
    if isinstance(nodes, pl.DataFrame):
        nodes = nodes["id"]
    ids = list(dict.fromkeys(pl.Series(nodes).to_list()))
    n = len(ids)
    if n == 0:
        return pl.DataFrame(schema={"id": pl.Int64, "x": pl.Float64, "y": pl.Float64})
    index = {v: i for i, v in enumerate(ids)}
    pairs = [(index[s], index[t]) for s, t in ties.select("source", "target").iter_rows()
             if s in index and t in index and s != t]
    rows = np.array([p[0] for p in pairs], dtype=np.int64)
    cols = np.array([p[1] for p in pairs], dtype=np.int64)
    adj = coo_matrix((np.ones(len(pairs)), (rows, cols)), shape=(n, n)).tocsr()
    adj = ((adj + adj.T) > 0).astype(np.float64)
    ncomp, label = connected_components(adj, directed=False)
    rng = np.random.default_rng(seed)
    groups = sorted((np.flatnonzero(label == c) for c in range(ncomp)),
                    key=lambda g: (-len(g), int(g[0])))
    pos = np.zeros((n, 2))
    # Shelf packing: each component gets a square cell whose side grows with sqrt(size).
    total = sum(math.sqrt(len(g)) ** 2 for g in groups)
    width = max(math.sqrt(total) * 1.2, math.sqrt(len(groups[0])))
    x0 = y0 = row_h = 0.0
    for g in groups:
        side = math.sqrt(len(g))
        if x0 + side > width + 1e-9 and x0 > 0:
            x0, y0, row_h = 0.0, y0 + row_h, 0.0
        if len(g) == 1:
            local = np.zeros((1, 2))
        elif len(g) <= SPRING_LIMIT:
            sub = nx.Graph()
            sub.add_nodes_from(range(len(g)))
            sub_adj = adj[g][:, g].tocoo()
            sub.add_edges_from(zip(sub_adj.row.tolist(), sub_adj.col.tolist()))
            p = nx.spring_layout(sub, seed=int(rng.integers(2**31)))
            local = _normalise(np.array([p[i] for i in range(len(g))]))
        else:
            local = _normalise(_pivot_mds(adj[g][:, g], rng))
        # Local coordinates in [-1, 1] fill 80 % of the cell.
        pos[g] = np.column_stack([x0 + side / 2 + local[:, 0] * side * 0.4,
                                  y0 + side / 2 + local[:, 1] * side * 0.4])
        x0 += side
        row_h = max(row_h, side)
    lo = pos.min(axis=0)
    span = (pos.max(axis=0) - lo).max()
    pos = (pos - lo) / span if span > 0 else pos * 0 + 0.5
    return pl.DataFrame({"id": ids, "x": pos[:, 0], "y": pos[:, 1]},
                        schema_overrides={"x": pl.Float64, "y": pl.Float64})
