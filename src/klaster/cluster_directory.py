"""The public cluster directory and cluster profile as tables (framework-free).

The portal's directory is *faceted* like the European Cluster Collaboration Platform's
cluster search or PARP's cluster map: a visitor narrows the list by country, region,
sector, status, label and helix mix, and each option shows how many clusters of the
current result carry it. The web view reads the visible clusters' attributes in a few
grouped queries and hands them to these functions as plain tables, so the filtering,
the counts, the order and the rows of the CSV/Excel export are one tested piece of code,
and the counts always agree with the list they describe (both are computed from the same
table by the same predicates).

Facet semantics (documented on the page and in docs/web.md):

* country, region, sector, status, label: the cluster matches ANY selected option of a
  facet (OR within a facet); text options compare case-insensitively;
* helix: the cluster has current members of EVERY selected helix type (AND: "clusters
  with business and research members" is the question a triple-helix programme asks);
* facets combine with AND; counts are those of the filtered result.

Tables:

``directory_table`` columns: ``id`` (Int64), ``name``, ``sort_name`` (casefolded name),
``country``, ``region``, ``sector``, ``status`` (Utf8, "" when unset), ``founded``
(Date, null), ``members`` (Int64, current members), ``helix`` (List[Utf8], helix types
present among current members, sorted), ``labels`` (List[Utf8], current labels as
"scheme: level", sorted).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import polars as pl

__all__ = [
    "FACETS", "SORTS", "apply_facets", "directory_export", "directory_table",
    "facet_counts", "members_by_year", "sort_directory",
]

TEXT_FACETS = ("country", "region", "sector", "status")
FACETS = (*TEXT_FACETS, "label", "helix")
SORTS = ("name", "-members", "founded", "-founded")

_SCHEMA = {
    "id": pl.Int64, "name": pl.Utf8, "sort_name": pl.Utf8, "country": pl.Utf8,
    "region": pl.Utf8, "sector": pl.Utf8, "status": pl.Utf8, "founded": pl.Date,
    "members": pl.Int64, "helix": pl.List(pl.Utf8), "labels": pl.List(pl.Utf8),
}


def directory_table(clusters: Iterable[Mapping], member_counts: Iterable[Sequence],
                    labels: Iterable[Sequence]) -> pl.DataFrame:
    """One row per cluster.

    ``clusters``: mappings with ``id, name, country, region, sector, status, founded``;
    ``member_counts``: ``(cluster_id, helix, n)`` — current members of one helix type
    (one grouped query); ``labels``: ``(cluster_id, scheme, level)`` of labels valid now.
    """
    members: dict[int, int] = {}
    helix: dict[int, set[str]] = {}
    for cluster_id, kind, n in member_counts:
        members[cluster_id] = members.get(cluster_id, 0) + int(n)
        if n:
            helix.setdefault(cluster_id, set()).add(kind)
    label_sets: dict[int, set[str]] = {}
    for cluster_id, scheme, level in labels:
        label_sets.setdefault(cluster_id, set()).add(f"{scheme}: {level}")
    rows = []
    for c in clusters:
        pk = int(c["id"])
        name = c["name"] or ""
        rows.append({
            "id": pk, "name": name, "sort_name": name.casefold(),
            "country": (c.get("country") or "").upper(), "region": c.get("region") or "",
            "sector": c.get("sector") or "", "status": c.get("status") or "",
            "founded": c.get("founded"), "members": members.get(pk, 0),
            "helix": sorted(helix.get(pk, ())), "labels": sorted(label_sets.get(pk, ())),
        })
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")


def _selected(selection: Mapping[str, Sequence[str]], facet: str) -> list[str]:
    return [v.strip() for v in selection.get(facet, ()) if v and v.strip()]


def apply_facets(table: pl.DataFrame, selection: Mapping[str, Sequence[str]]) -> pl.DataFrame:
    """The rows of ``table`` that match ``selection`` (facet → chosen options)."""
    condition = pl.lit(True)
    for facet in TEXT_FACETS:
        chosen = {v.casefold() for v in _selected(selection, facet)}
        if chosen:
            condition &= pl.col(facet).str.to_lowercase().is_in(sorted(chosen))
    chosen_labels = _selected(selection, "label")
    if chosen_labels:
        condition &= pl.col("labels").list.eval(
            pl.element().is_in(chosen_labels)).list.any()
    for kind in _selected(selection, "helix"):
        condition &= pl.col("helix").list.contains(kind)
    return table.filter(condition)


def facet_counts(table: pl.DataFrame) -> dict[str, list[tuple[str, int]]]:
    """For each facet, ``(option, number of clusters in table)``, most frequent first
    (ties by option). Empty text values (a cluster without a region) are not options.

    Text options are grouped case-insensitively, as :func:`apply_facets` matches them
    ("Podlaskie" and "podlaskie" are one option, shown in its first spelling in sort
    order), so an option's count is always the number of rows choosing it gives."""
    out: dict[str, list[tuple[str, int]]] = {}
    for facet in TEXT_FACETS:
        values = table.select(pl.col(facet)).filter(pl.col(facet) != "")
        counts = (values.with_columns(pl.col(facet).str.to_lowercase().alias("_key"))
                  .sort(facet).group_by("_key", maintain_order=True)
                  .agg(pl.col(facet).first(), pl.len().alias("len"))
                  .sort(["len", facet], descending=[True, False]))
        out[facet] = [(v, int(n)) for v, n in counts.select(facet, "len").iter_rows()]
    for facet, column in (("label", "labels"), ("helix", "helix")):
        values = table.select(pl.col(column).explode()).drop_nulls()
        counts = values.group_by(column).len().sort(["len", column], descending=[True, False])
        out[facet] = [(v, int(n)) for v, n in counts.iter_rows()]
    return out


def sort_directory(table: pl.DataFrame, key: str) -> pl.DataFrame:
    """``table`` in the order ``key`` (one of SORTS; anything else sorts by name).

    Ties and missing founding dates always go by name, missing dates last, so the order of
    a page never depends on the database's row order."""
    if key == "-members":
        return table.sort(["members", "sort_name", "id"], descending=[True, False, False])
    if key in ("founded", "-founded"):
        return table.sort(["founded", "sort_name", "id"],
                          descending=[key == "-founded", False, False], nulls_last=True)
    return table.sort(["sort_name", "id"])


def directory_export(table: pl.DataFrame, coordinators: Mapping[int, str],
                     urls: Mapping[int, str]) -> pl.DataFrame:
    """The rows a person downloads: exactly the directory's rows in its order, public
    fields only (no person, no e-mail), lists joined with "; " so that CSV and Excel show
    the same text. Column names are keys; the shell puts them in the reader's language.
    """
    return table.select(
        pl.col("name"), pl.col("country"), pl.col("region"), pl.col("sector"),
        pl.col("status"), pl.col("founded"), pl.col("members"),
        pl.col("helix").list.join("; "), pl.col("labels").list.join("; "),
        pl.col("id").replace_strict(dict(coordinators), default="",
                                    return_dtype=pl.Utf8).alias("coordinator"),
        pl.col("id").replace_strict(dict(urls), default="", return_dtype=pl.Utf8)
        .alias("url"),
    )


def members_by_year(memberships: Iterable[tuple[date, date | None]],
                    until: int) -> list[tuple[int, int]]:
    """``(year, members at the end of that year)`` from the first joining year to
    ``until``: an organisation counts in a year when it joined on or before 31 December
    and had not left before that day (a membership ended on 31 December still counts, as
    the registry's member counts do for the day itself)."""
    spans = [(joined, left) for joined, left in memberships if joined is not None]
    if not spans:
        return []
    first = min(j.year for j, _ in spans)
    out = []
    for year in range(first, max(until, first) + 1):
        end = date(year, 12, 31)
        out.append((year, sum(1 for j, left in spans
                              if j <= end and (left is None or left >= end))))
    return out
