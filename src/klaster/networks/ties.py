"""Typed, weighted ties between organisations and between clusters, from the registry tables.

Organisation ties (undirected, one row per pair and tie type, ``source < target``):

* ``project`` — both organisations are partners of the same project; weight = number of
  distinct joint projects.
* ``activity`` — both took part in the same activity (event, training, trade mission);
  weight = number of distinct activities they attended together.
* ``membership`` — both are members of the same cluster at the same time; weight = number
  of clusters they share.

Cluster ties:

* ``shared_member`` — an organisation is a member of both clusters; weight = number of
  such organisations.
* ``joint_project`` — a project links the clusters of its own cluster and of its partners'
  memberships; weight = number of such projects.

This is the usual projection of an affiliation (two-mode) network onto one mode, with the
number of shared affiliations as the tie weight (Breiger 1974; Newman 2001 for
co-authorship). Timing: with ``year=Y`` a project counts when it runs in Y (start year <= Y
<= end year, an open end meaning still running), an activity when it takes place in Y, a
membership when the organisation is a member during Y (joined year <= Y, left year >= Y
or not left). Projects and activities without a start date cannot be placed in a year:
they count only in the all-time network (``year=None``), where the ``year`` column is null
and co-membership needs overlapping membership periods.
"""

from __future__ import annotations

import polars as pl

from klaster.registry_tables import RegistryTables

ORG_TIE_TYPES = ("project", "activity", "membership")
CLUSTER_TIE_TYPES = ("shared_member", "joint_project")

TIE_SCHEMA = {"source": pl.Int64, "target": pl.Int64, "tie_type": pl.Utf8,
              "year": pl.Int32, "weight": pl.Int64}


def _running(frame: pl.DataFrame, year: int | None, start: str = "start",
             end: str = "end") -> pl.DataFrame:
    """Rows of ``frame`` that run during ``year`` (all rows when ``year`` is None)."""
    if year is None:
        return frame
    s = pl.col(start).dt.year()
    e = pl.col(end).dt.year()
    return frame.filter(s.is_not_null() & (s <= year) & (e.is_null() | (e >= year)))


def memberships_in(tables: RegistryTables, year: int | None) -> pl.DataFrame:
    """``organisation_id, cluster_id, joined, left`` of the memberships in force in ``year``
    (every membership when ``year`` is None), one row per organisation and cluster period."""
    m = tables.memberships.select("organisation_id", "cluster_id", "joined", "left")
    if year is None:
        return m
    return m.filter((pl.col("joined").dt.year() <= year)
                    & (pl.col("left").is_null() | (pl.col("left").dt.year() >= year)))


def _tie_table(pairs: pl.DataFrame, node: str, group: str, tie_type: str,
               year: int | None) -> pl.DataFrame:
    """Pairs (``node``, ``node``_b, ``group``) -> TIE_SCHEMA rows, weight = number of
    distinct groups the pair shares."""
    return (pairs.group_by(pl.col(node).alias("source"), pl.col(f"{node}_b").alias("target"))
            .agg(pl.col(group).n_unique().cast(pl.Int64).alias("weight"))
            .with_columns(pl.lit(tie_type).alias("tie_type"),
                          pl.lit(year, dtype=pl.Int32).alias("year"))
            .select(list(TIE_SCHEMA)))


def _pairs(links: pl.DataFrame, group: str, tie_type: str, year: int | None,
           node: str = "organisation_id") -> pl.DataFrame:
    """Project a two-mode table (``group``, ``node``) onto ``node`` pairs (source <
    target), weight = number of distinct groups the pair shares."""
    links = links.select(group, node).unique()
    pairs = (links.join(links, on=group, suffix="_b")
             .filter(pl.col(node) < pl.col(f"{node}_b")))
    return _tie_table(pairs, node, group, tie_type, year)


def organisation_ties(tables: RegistryTables, *, year: int | None = None,
                      tie_types: tuple[str, ...] = ORG_TIE_TYPES) -> pl.DataFrame:
    """Organisation-organisation ties in ``year`` (all time when None).

    Reads tables ``projects`` (id, start, end), ``project_partners``, ``activities`` (id,
    start, end), ``activity_participants`` and ``memberships``. Returns columns ``source,
    target`` (organisation ids, source < target), ``tie_type`` (project | activity |
    membership), ``year`` (Int32, null for all time) and ``weight`` (Int64, see the module
    docstring), sorted by tie type, source, target.
    """
    unknown = set(tie_types) - set(ORG_TIE_TYPES)
    if unknown:
        raise ValueError(f"unknown tie type(s) {sorted(unknown)}; use {ORG_TIE_TYPES}")
    parts = [pl.DataFrame(schema=TIE_SCHEMA)]
    if "project" in tie_types:
        projects = _running(tables.projects, year).select(pl.col("id").alias("project_id"))
        links = tables.project_partners.join(projects, on="project_id", how="semi")
        parts.append(_pairs(links, "project_id", "project", year))
    if "activity" in tie_types:
        acts = tables.activities.with_columns(pl.coalesce("end", "start").alias("end"))
        acts = _running(acts, year).select(pl.col("id").alias("activity_id"))
        links = tables.activity_participants.join(acts, on="activity_id", how="semi")
        parts.append(_pairs(links, "activity_id", "activity", year))
    if "membership" in tie_types:
        m = memberships_in(tables, year)
        if year is not None:
            parts.append(_pairs(m, "cluster_id", "membership", year))
        else:
            # All time: the two membership periods in the same cluster must overlap.
            pairs = (m.join(m, on="cluster_id", suffix="_b")
                     .filter(pl.col("organisation_id") < pl.col("organisation_id_b"))
                     .filter((pl.col("left").is_null() | (pl.col("joined_b") <= pl.col("left")))
                             & (pl.col("left_b").is_null()
                                | (pl.col("joined") <= pl.col("left_b")))))
            parts.append(_tie_table(pairs, "organisation_id", "cluster_id", "membership",
                                    None))
    return pl.concat(parts).sort("tie_type", "source", "target")


def cluster_ties(tables: RegistryTables, *, year: int | None = None) -> pl.DataFrame:
    """Cluster-cluster ties in ``year`` (all time when None).

    ``shared_member``: weight = organisations that are members of both clusters in
    ``year`` (all time: members of both at any time, not necessarily simultaneously).
    ``joint_project``: a project running in ``year`` links its own cluster and every
    cluster one of its partners is a member of in that year; weight = number of projects
    linking the pair. Returns ``source, target`` (cluster ids, source < target),
    ``tie_type``, ``year`` (null for all time), ``weight``.
    """
    m = memberships_in(tables, year).select("organisation_id", "cluster_id").unique()
    shared = _pairs(m, "organisation_id", "shared_member", year, node="cluster_id")
    projects = _running(tables.projects, year)
    own = projects.select(pl.col("id").alias("project_id"), "cluster_id")
    via = (tables.project_partners.join(own.select("project_id"), on="project_id", how="semi")
           .join(m, on="organisation_id").select("project_id", "cluster_id"))
    joint = _pairs(pl.concat([own, via]), "project_id", "joint_project", year,
                   node="cluster_id")
    return pl.concat([shared, joint]).sort("tie_type", "source", "target")
