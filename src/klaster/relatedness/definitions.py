"""Cluster definitions derived from data, in the spirit of Delgado, Porter & Stern (2016),
"Defining clusters of related industries", Journal of Economic Geography 16(1), 1-38.

Steps (:func:`derive_definitions`):

1. Similarity of industries. Co-location: the Pearson correlation across regions of the
   industries' location quotients of employment, and of establishments (DPS 2016's
   "locational correlation", LC-Emp and LC-Est); LQs come from
   :func:`klaster.relatedness.rca.rca_table`, i.e. klaster.indicators' LQ. Optional
   user-supplied matrices (input-output links, occupation similarity; tables
   ``industry_1, industry_2, value``), symmetrised with the larger of the two directions
   (as DPS 2016 do for input-output links).
2. Each matrix is standardised over its off-diagonal entries (z-score: mean 0, sd 1) and
   the standardised matrices are averaged (weights optional) into one similarity S.
3. Clustering: each industry is described by its row of S (its similarity profile);
   Ward hierarchical clustering (scipy) cut at ``n_clusters`` gives the starting
   centroids of k-means (scikit-learn), as DPS 2016 seed k-means with a hierarchical
   solution.
4. Reassignment of outliers: an industry whose mean similarity to another cluster is
   higher than to its own cluster (the others in it) moves there; clusters smaller than
   ``min_size`` are dissolved the same way; repeated until nothing moves.
5. Validation (DPS 2016, section 4): the share of industries whose mean similarity to
   their own cluster exceeds their mean similarity to every other cluster
   (``industry_score``), and the share of clusters whose mean within-cluster similarity
   exceeds their mean similarity to every other cluster (``cluster_score``).

Cluster type: "local" when the cluster's locational Gini (klaster.indicators.concentration,
Krugman 1991) is below ``local_gini``, else "traded" — local industries serve the local
market and spread like employment as a whole (Porter 2003). The default 0.15 separates
all 16 local from all 51 traded US benchmark clusters on CBP 2021 *state* data (local
max 0.148, traded min 0.160); the Gini grows as regions get smaller, so calibrate it for
other region levels (or pass ``local_gini=0`` to mark every cluster traded).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist
from sklearn.cluster import KMeans

from klaster.errors import DataError, IssueLog
from klaster.indicators import concentration
from klaster.relatedness.proximity import proximity_correlation
from klaster.relatedness.rca import rca_matrix, rca_table
from klaster.schema import DEFINITIONS_SCHEMA
from klaster.taxonomy import apply_definitions


@dataclass
class DerivedDefinitions:
    """What :func:`derive_definitions` returns.

    definitions: DEFINITIONS_SCHEMA (share 1, subcluster null); industries: row order of
    ``similarity`` (the combined, standardised S); labels: cluster index per industry;
    scores: validation scores (``industry_score``, ``cluster_score``, ``n_clusters``,
    ``industry_score_kmeans``/``cluster_score_kmeans`` before reassignment,
    ``reassigned``, ``converged``); clusters: ``cluster, cluster_name, cluster_type, industries,
    employment, gini``; reassigned: ``industry, from_cluster, to_cluster`` moved in step 4.
    """

    definitions: pl.DataFrame
    industries: list[str]
    similarity: np.ndarray
    labels: np.ndarray
    scores: dict
    clusters: pl.DataFrame
    reassigned: pl.DataFrame
    components: dict = field(default_factory=dict)


def colocation_similarity(
    stats: pl.DataFrame, *, year: int | None = None,
    measures: tuple[str, ...] = ("employment", "establishments"),
    issues: IssueLog | None = None,
) -> tuple[list[str], dict[str, np.ndarray]]:
    """Correlation of LQs across regions, one matrix per value column in ``measures``.

    Takes the canonical statistics table. Returns (industries, {measure: matrix}); all
    matrices share the industries with employment somewhere in that year.
    """
    mats: dict[str, np.ndarray] = {}
    industries: list[str] | None = None
    for value in measures:
        if value not in stats.columns:
            raise DataError(f"statistics table lacks '{value}' for co-location", field=value)
        mx = rca_matrix(rca_table(stats, year=year, value=value, issues=issues))
        keep = mx.values.sum(axis=0) > 0
        acts = [a for a, k in zip(mx.activities, keep) if k]
        if industries is None:
            industries = acts
        idx = {a: i for i, a in enumerate(mx.activities)}
        cols = [idx.get(a, -1) for a in industries]
        rca = np.zeros((mx.rca.shape[0], len(industries)))
        for j, c in enumerate(cols):
            if c >= 0:
                rca[:, j] = mx.rca[:, c]
        # DPS 2016: locational correlation of LQs (Pearson, not rescaled).
        mats[value] = proximity_correlation(rca, rescale=False)
    assert industries is not None
    return industries, mats


def matrix_from_table(table: pl.DataFrame, industries: list[str], *, name: str = "matrix"
                      ) -> np.ndarray:
    """Square matrix over ``industries`` from a long table ``industry_1, industry_2, value``.

    Symmetrised with max(v_ij, v_ji) (DPS 2016 take the larger of the input and output
    link); pairs absent from the table are 0. Rows naming an industry outside
    ``industries`` are a DataError (line = data row + 1).
    """
    for col in ("industry_1", "industry_2", "value"):
        if col not in table.columns:
            raise DataError(f"{name} lacks column '{col}'", field=col)
    pos = {a: i for i, a in enumerate(industries)}
    out = np.zeros((len(industries), len(industries)))
    for row, (a, b, v) in enumerate(table.select(
            pl.col("industry_1").cast(pl.Utf8), pl.col("industry_2").cast(pl.Utf8),
            pl.col("value").cast(pl.Float64)).iter_rows(), start=1):
        for col, code in (("industry_1", a), ("industry_2", b)):
            if code not in pos:
                raise DataError(f"{name}: industry {code!r} is not among the industries "
                                "with data", line=row + 1, field=col)
        if v is None or not np.isfinite(v):
            raise DataError(f"{name}: missing or non-numeric value", line=row + 1,
                            field="value")
        i, j = pos[a], pos[b]
        out[i, j] = max(out[i, j], v)
        out[j, i] = max(out[j, i], v)
    return out


def standardise(s: np.ndarray) -> np.ndarray:
    """z-score of the off-diagonal entries (mean 0, sd 1); the diagonal is set to 0."""
    n = s.shape[0]
    off = ~np.eye(n, dtype=bool)
    vals = s[off]
    sd = vals.std()
    z = (s - vals.mean()) / sd if sd > 0 else np.zeros_like(s)
    np.fill_diagonal(z, 0.0)
    return z


def combine(matrices: dict[str, np.ndarray], weights: dict[str, float] | None = None
            ) -> np.ndarray:
    """Weighted mean of the standardised matrices (equal weights by default)."""
    if not matrices:
        raise DataError("no similarity matrix to combine", field="measures")
    w = {k: 1.0 for k in matrices} if weights is None else weights
    total = sum(w.get(k, 0.0) for k in matrices)
    if total <= 0:
        raise DataError("similarity weights must add up to more than 0", field="weights")
    return sum(w.get(k, 0.0) * standardise(m) for k, m in matrices.items()) / total


def _cluster_means(s: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Mean similarity of each industry to each cluster, itself excluded (n x k)."""
    onehot = np.zeros((len(labels), k))
    onehot[np.arange(len(labels)), labels] = 1.0
    sums = s @ onehot
    counts = onehot.sum(axis=0)[None, :] - onehot  # own cluster without the industry
    sums = sums - onehot * np.diag(s)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(counts > 0, sums / counts, -np.inf)


def validation_scores(s: np.ndarray, labels: np.ndarray) -> dict:
    """DPS 2016 validation: ``industry_score`` and ``cluster_score`` (see module doc)."""
    labels = np.asarray(labels)
    k = int(labels.max()) + 1
    means = _cluster_means(s, labels, k)
    n = len(labels)
    own = means[np.arange(n), labels]
    other = means.copy()
    other[np.arange(n), labels] = -np.inf
    industry_ok = own > other.max(axis=1)
    ok_clusters = 0
    used = np.unique(labels)
    for c in used:
        idx = np.flatnonzero(labels == c)
        if idx.size < 2:
            continue
        block = s[np.ix_(idx, idx)]
        within = (block.sum() - np.trace(block)) / (idx.size * (idx.size - 1))
        between = max((s[np.ix_(idx, np.flatnonzero(labels == d))].mean()
                       for d in used if d != c), default=-np.inf)
        ok_clusters += within > between
    return {"industry_score": float(industry_ok.mean()),
            "cluster_score": float(ok_clusters / len(used)),
            "n_clusters": len(used)}


def cluster_industries(s: np.ndarray, n_clusters: int, *, seed: int = 0, min_size: int = 2,
                       max_rounds: int | None = None
                       ) -> tuple[np.ndarray, list[tuple[int, int, int]], bool, np.ndarray]:
    """Ward-seeded k-means on the rows of ``s``, then reassignment of outliers.

    ``max_rounds``: most single moves (default 5 x industries). Returns (labels 0..k-1,
    moves as (industry index, from, to) in final labels, converged: no industry left
    that would gain by moving, the k-means labels before reassignment).
    """
    n = s.shape[0]
    if not 2 <= n_clusters < n:
        raise DataError(f"n_clusters must be between 2 and {n - 1}, got {n_clusters}",
                        field="n_clusters")
    # Ward on Euclidean distances between similarity profiles (rows of s).
    tree = linkage(pdist(s), method="ward")
    seed_labels = fcluster(tree, t=n_clusters, criterion="maxclust") - 1
    k0 = int(seed_labels.max()) + 1
    centres = np.vstack([s[seed_labels == c].mean(axis=0) for c in range(k0)])
    km = KMeans(n_clusters=k0, init=centres, n_init=1, random_state=seed).fit(s)
    labels = km.labels_.astype(np.int64)
    moves: list[tuple[int, int, int]] = []
    # k-means may leave a seed empty; relabel densely before reassigning.
    labels = np.unique(labels, return_inverse=True)[1].astype(np.int64)
    kmeans_labels = labels.copy()
    converged = False
    for _ in range(5 * n if max_rounds is None else max_rounds):
        k = int(labels.max()) + 1
        means = _cluster_means(s, labels, k)
        sizes = np.bincount(labels, minlength=k)
        small = sizes[labels] < min_size
        means[:, sizes < min_size] = -np.inf  # nobody moves into a dissolving cluster
        best = means.argmax(axis=1)
        own = means[np.arange(n), labels]
        gain = means[np.arange(n), best] - np.where(small, -np.inf, own)
        movers = np.flatnonzero((best != labels) & (gain > 0))
        if movers.size == 0:
            converged = True
            break
        # One industry at a time (the largest gain) keeps the means it used valid.
        i = movers[np.argmax(gain[movers])]
        moves.append((int(i), int(labels[i]), int(best[i])))
        labels[i] = best[i]
    # Dense relabelling in order of first appearance by size (largest cluster first).
    used, counts = np.unique(labels, return_counts=True)
    order = used[np.lexsort((used, -counts))]
    remap = {int(old): new for new, old in enumerate(order)}
    # Moves in final labels; a cluster dissolved on the way is -1.
    return (np.array([remap[int(x)] for x in labels]),
            [(i, remap.get(f, -1), remap.get(t, -1)) for i, f, t in moves], converged,
            kmeans_labels)


def derive_definitions(
    stats: pl.DataFrame,
    *,
    n_clusters: int,
    year: int | None = None,
    measures: tuple[str, ...] = ("employment", "establishments"),
    extra: dict[str, pl.DataFrame] | None = None,
    weights: dict[str, float] | None = None,
    titles: pl.DataFrame | None = None,
    local_gini: float = 0.15,
    min_size: int = 2,
    seed: int = 0,
    prefix: str = "D",
    issues: IssueLog | None = None,
) -> DerivedDefinitions:
    """Derive cluster definitions from the statistics table (STATS_SCHEMA).

    ``measures``: value columns for co-location similarity; ``extra``: named
    input-output / occupation similarity tables (industry_1, industry_2, value);
    ``weights``: per similarity name (default equal); ``titles``: ``code, title`` to name
    clusters after their largest industry. Returns :class:`DerivedDefinitions`; its
    ``definitions`` table goes to the indicators engine like the built-in ones.
    """
    industries, mats = colocation_similarity(stats, year=year, measures=measures,
                                             issues=issues)
    for name, table in (extra or {}).items():
        mats[name] = matrix_from_table(table, industries, name=name)
    s = combine(mats, weights)
    labels, moves, converged, km = cluster_industries(s, n_clusters, seed=seed,
                                                      min_size=min_size)
    scores = validation_scores(s, labels)
    # Before reassignment (k-means alone): converged reassignment makes industry_score 1
    # by construction, so the k-means figure says how much the outlier step changed.
    before = validation_scores(s, km)
    scores["industry_score_kmeans"] = before["industry_score"]
    scores["cluster_score_kmeans"] = before["cluster_score"]
    scores["reassigned"] = len(moves)
    scores["converged"] = converged
    if not converged and issues is not None:
        issues.add("not_converged", f"outlier reassignment stopped after {len(moves)} moves "
                   "with industries still closer to another cluster")
    k = int(labels.max()) + 1
    ids = [f"{prefix}{c + 1:0{max(2, len(str(k)))}d}" for c in range(k)]

    y = stats["year"].drop_nulls().unique().sort().to_list()
    yr = year if year is not None else y[-1]
    emp = (stats.filter(pl.col("year") == yr)
           .group_by(pl.col("industry").cast(pl.Utf8))
           .agg(pl.col("employment").sum()))
    emp_of = dict(zip(emp["industry"].to_list(), emp["employment"].to_list()))
    title_of = {} if titles is None else dict(zip(titles["code"].cast(pl.Utf8).to_list(),
                                                  titles["title"].to_list()))
    names = []
    for c in range(k):
        members = [industries[i] for i in np.flatnonzero(labels == c)]
        top = max(members, key=lambda a: (emp_of.get(a) or 0.0, a))
        title = title_of.get(top)
        names.append(f"{top} {title} and related ({len(members)} industries)" if title
                     else f"{top} and related ({len(members)} industries)")
    defs = pl.DataFrame({
        "industry": industries,
        "cluster": [ids[c] for c in labels],
        "cluster_name": [names[c] for c in labels],
        "cluster_type": ["traded"] * len(industries),
        "subcluster": [None] * len(industries),
        "share": [1.0] * len(industries),
    }, schema=DEFINITIONS_SCHEMA)
    # Geographic concentration of each derived cluster decides traded vs local.
    agg = apply_definitions(stats.filter(pl.col("year") == yr), defs)
    conc_in = agg.select("region", pl.col("cluster").alias("industry"), "year",
                         "employment", "establishments")
    if conc_in["establishments"].null_count() == conc_in.height:
        conc_in = conc_in.with_columns(pl.col("employment").alias("establishments"))
    conc = concentration(conc_in.with_columns(pl.col("establishments").fill_null(0.0)))
    gini = dict(zip(conc["industry"].to_list(), conc["gini"].to_list()))
    local = {c for c, g in gini.items() if g is not None and g < local_gini}
    defs = defs.with_columns(
        pl.when(pl.col("cluster").is_in(list(local))).then(pl.lit("local"))
        .otherwise(pl.lit("traded")).alias("cluster_type"))
    clusters = (defs.group_by("cluster", "cluster_name", "cluster_type")
                .agg(pl.len().alias("industries"))
                .join(agg.group_by("cluster").agg(pl.col("employment").sum()),
                      on="cluster", how="left")
                .with_columns(pl.col("cluster").replace_strict(gini, default=None,
                                                               return_dtype=pl.Float64)
                              .alias("gini"))
                .sort("cluster"))
    reassigned = pl.DataFrame(
        [(industries[i], ids[f] if f >= 0 else None, ids[t] if t >= 0 else None)
         for i, f, t in moves],
        schema={"industry": pl.Utf8, "from_cluster": pl.Utf8, "to_cluster": pl.Utf8},
        orient="row")
    return DerivedDefinitions(defs, industries, s, labels, scores, clusters, reassigned,
                              mats)
