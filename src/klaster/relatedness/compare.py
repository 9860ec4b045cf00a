"""Compare two cluster definitions: adjusted Rand index and where they disagree.

Each industry is given its *primary* cluster in each definition (the cluster with the
largest share; ties by cluster code), and only industries present in both definitions
(and, when given, in ``industries``) are compared.

* Adjusted Rand index (Hubert & Arabie 1985; scikit-learn ``adjusted_rand_score``):
  1 = the same partition, about 0 = no more agreement than chance.
* Disagreements: each cluster of ``a`` is matched to the cluster of ``b`` that holds
  most of its industries (ties by code); an industry disagrees when its cluster in
  ``b`` is not that match.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sklearn.metrics import adjusted_rand_score

from klaster.errors import DataError
from klaster.taxonomy import check_definitions

COMPARE_COLUMNS = ("industry", "cluster_a", "cluster_name_a", "cluster_b", "cluster_name_b",
                   "matched_b", "agree")


@dataclass(frozen=True)
class Comparison:
    """ari; n_common, only_a, only_b: industry counts; table: COMPARE_COLUMNS for every
    common industry; crosswalk: ``cluster_a, matched_b, industries, overlap, share``."""

    ari: float
    n_common: int
    only_a: int
    only_b: int
    table: pl.DataFrame
    crosswalk: pl.DataFrame

    @property
    def disagreements(self) -> pl.DataFrame:
        return self.table.filter(~pl.col("agree"))


def primary_cluster(definitions: pl.DataFrame) -> pl.DataFrame:
    """``industry, cluster, cluster_name``: the largest-share cluster of each industry."""
    d = check_definitions(definitions)
    return (d.sort(["industry", "share", "cluster"], descending=[False, True, False])
            .unique("industry", keep="first", maintain_order=True)
            .select("industry", "cluster", "cluster_name"))


def compare_definitions(a: pl.DataFrame, b: pl.DataFrame, *,
                        industries: list[str] | None = None) -> Comparison:
    """Compare definitions ``a`` and ``b`` (DEFINITIONS_SCHEMA); see the module doc."""
    pa, pb = primary_cluster(a), primary_cluster(b)
    if industries is not None:
        keep = pl.Series(list(industries), dtype=pl.Utf8)
        pa = pa.filter(pl.col("industry").is_in(keep))
        pb = pb.filter(pl.col("industry").is_in(keep))
    both = pa.join(pb, on="industry", how="inner", suffix="_b").rename(
        {"cluster": "cluster_a", "cluster_name": "cluster_name_a"})
    if both.height < 2:
        raise DataError(f"the two definitions share {both.height} industries; at least 2 "
                        "are needed to compare them", field="industry")
    ari = float(adjusted_rand_score(both["cluster_a"].to_list(), both["cluster_b"].to_list()))
    overlap = both.group_by("cluster_a", "cluster_b").agg(pl.len().alias("overlap"))
    best = (overlap.sort(["cluster_a", "overlap", "cluster_b"], descending=[False, True, False])
            .unique("cluster_a", keep="first", maintain_order=True)
            .rename({"cluster_b": "matched_b"}))
    size = both.group_by("cluster_a").agg(pl.len().alias("industries"))
    crosswalk = (best.join(size, on="cluster_a")
                 .with_columns((pl.col("overlap") / pl.col("industries")).alias("share"))
                 .select("cluster_a", "matched_b", "industries", "overlap", "share")
                 .sort("cluster_a"))
    table = (both.join(best.select("cluster_a", "matched_b"), on="cluster_a")
             .with_columns((pl.col("cluster_b") == pl.col("matched_b")).alias("agree"))
             .select(COMPARE_COLUMNS).sort("cluster_a", "industry"))
    return Comparison(ari, both.height, pa.height - both.height, pb.height - both.height,
                      table, crosswalk)
