"""The one place the platform calls the framework-free library ``klaster.assessment``.

The library takes tables (``klaster.registry_tables.RegistryTables``) and rubric files; this
module turns the database into those inputs (``registry.tables.export_tables``) and the
library's results into JSON-ready dicts stored on the models. No scoring rule lives here.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Mapping

from klaster.errors import DataError

# The library's RubricError is a DataError; catching DataError needs no library import.
RubricError = DataError


def _lib():
    import klaster.assessment as lib

    return lib


def rubric_from_text(content: str, name: str):
    """Parse a rubric stored in the database (its YAML text, reported under ``name``)."""
    lib = _lib()
    if hasattr(lib, "parse_rubric"):
        return lib.parse_rubric(content, name=name)
    fd, path = tempfile.mkstemp(prefix=f"{name.replace('/', '_')}-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        return _lib().load_rubric(path)
    finally:
        os.unlink(path)


def builtin_rubrics():
    """The library's built-in rubrics (``RubricInfo`` records)."""
    return _lib().list_rubrics()


def registry_values(cluster_id: int, year: int) -> dict[str, float | None]:
    """Registry-derived indicator values of one cluster in ``year`` (from the database)."""
    from klaster.web.registry.tables import export_tables

    return dict(_lib().registry_indicators(export_tables([cluster_id]), cluster_id, year))


def assess(rubric, values: Mapping[str, float | None], phase: str | None) -> dict:
    """The library's assessment as a JSON-ready dict (``AssessmentResult.to_dict``)."""
    return _lib().assess(rubric, dict(values), phase=phase or None).to_dict()


def consensus(rubric, per_evaluator: list[Mapping[str, float | None]]) -> dict:
    """Combine the evaluators' values of each indicator (the library's rule: median of
    numbers, majority of yes/no); returns ``Consensus.to_dict()`` (values, spread, ties)."""
    return _lib().consensus([dict(v) for v in per_evaluator], rubric=rubric).to_dict()


def validity(granted: dt.date, rubric) -> dt.date:
    return _lib().validity(granted, rubric)


def kpi_snapshots(cluster_ids: Iterable[int], year: int,
                  density: Mapping[int, float] | None = None) -> dict[int, dict]:
    """KPI values per cluster for ``year``; one registry export for all clusters.

    Network density, unless given, is that of the collaboration network among the
    cluster's members in ``year`` (joint projects and co-participation in activities),
    from :func:`klaster.networks.cluster_metrics`.
    """
    from klaster.web.registry.tables import export_tables

    ids = list(cluster_ids)
    tables = export_tables(ids)
    if density is None:
        from klaster.networks import cluster_metrics

        metrics = cluster_metrics(tables, years=[year])
        density = {row["cluster_id"]: row["density"]
                   for row in metrics.select("cluster_id", "density").iter_rows(named=True)}
    return {cid: dict(_lib().kpi_snapshot(tables, cid, year,
                                          network_density=density.get(cid)))
            for cid in ids}


def peer_percentiles(rows: list[dict]):
    """Rows ``cluster_id, year, kpi, value`` -> Polars frame with ``n_peers`` and
    ``percentile`` added."""
    import polars as pl

    frame = pl.DataFrame(rows, schema={"cluster_id": pl.Int64, "year": pl.Int64,
                                       "kpi": pl.Utf8, "value": pl.Float64})
    return _lib().peer_percentiles(frame)
