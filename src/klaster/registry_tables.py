"""The cluster registry as plain tables: the contract between the platform and the analytics.

The web platform keeps the registry in a database; the analytics that read it (assessment
indicators, KPI snapshots, collaboration networks, matchmaking) are framework-free and take
these Polars tables instead, so they can be tested on constructed registries and run on an
export without Django. ``klaster.web.registry.tables.export_tables`` builds them from the
database; :func:`RegistryTables.from_frames` builds them from any frames (tests, files).

Ids are the database primary keys (Int64). Money is EUR as Float64 (the database keeps
Decimals; analytics need floats). Dates are ``pl.Date``; a null ``left`` means the
membership is current.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import polars as pl

from klaster.errors import DataError

HELIX_TYPES = ("business", "research", "public", "support", "civil", "finance")
SIZE_CLASSES = ("micro", "small", "medium", "large")
SME_SIZE_CLASSES = ("micro", "small", "medium")
CLUSTER_STATUSES = ("potential", "forming", "operating", "dissolved")
PHASES = ("embryonic", "development", "maturity")
MEMBERSHIP_ROLES = ("founder", "member", "coordinator", "board")

REGISTRY_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "organisations": {
        "id": pl.Int64,
        "name": pl.Utf8,
        "helix": pl.Utf8,
        "size_class": pl.Utf8,  # nullable
        "code_system": pl.Utf8,
        "industry_codes": pl.List(pl.Utf8),
        "region": pl.Utf8,
        "city": pl.Utf8,
        "latitude": pl.Float64,
        "longitude": pl.Float64,
        "website": pl.Utf8,
        "approved": pl.Boolean,
    },
    "clusters": {
        "id": pl.Int64,
        "name": pl.Utf8,
        "status": pl.Utf8,
        "phase": pl.Utf8,  # nullable
        "founded": pl.Date,  # nullable
        "country": pl.Utf8,
        "region": pl.Utf8,
        "sector": pl.Utf8,
        "code_system": pl.Utf8,
        "industry_codes": pl.List(pl.Utf8),
        "coordinator_organisation_id": pl.Int64,  # nullable
        "website": pl.Utf8,
        "published": pl.Boolean,
    },
    "memberships": {
        "id": pl.Int64,
        "organisation_id": pl.Int64,
        "cluster_id": pl.Int64,
        "role": pl.Utf8,
        "committed": pl.Boolean,
        "joined": pl.Date,
        "left": pl.Date,  # null = current member
    },
    "profiles": {  # coordinator profile per cluster and year
        "cluster_id": pl.Int64,
        "year": pl.Int32,
        "management_fte": pl.Float64,
        "budget": pl.Float64,
        "income_member_fees": pl.Float64,
        "income_public": pl.Float64,
        "income_services": pl.Float64,
    },
    "figures": {  # organisations' yearly figures
        "organisation_id": pl.Int64,
        "year": pl.Int32,
        "employees": pl.Float64,
        "turnover": pl.Float64,
        "exports": pl.Float64,
        "rd_staff": pl.Float64,
    },
    "activities": {
        "id": pl.Int64,
        "cluster_id": pl.Int64,
        "kind": pl.Utf8,
        "title": pl.Utf8,
        "start": pl.Date,
        "end": pl.Date,  # nullable
        "participant_count": pl.Int64,
        "foreign_participant_count": pl.Int64,
    },
    "activity_participants": {
        "activity_id": pl.Int64,
        "organisation_id": pl.Int64,
    },
    "projects": {
        "id": pl.Int64,
        "cluster_id": pl.Int64,
        "title": pl.Utf8,
        "budget": pl.Float64,
        "funding_source": pl.Utf8,
        "start": pl.Date,  # nullable
        "end": pl.Date,  # nullable
    },
    "project_partners": {
        "project_id": pl.Int64,
        "organisation_id": pl.Int64,
    },
    "partner_requests": {
        "id": pl.Int64,
        "organisation_id": pl.Int64,
        "cluster_id": pl.Int64,  # nullable
        "kind": pl.Utf8,  # "offer" | "seek"
        "topic": pl.Utf8,
        "description": pl.Utf8,
        "sectors": pl.Utf8,
        "countries": pl.Utf8,
        "status": pl.Utf8,  # "open" | "closed"
    },
}


@dataclass(frozen=True)
class RegistryTables:
    """One Polars DataFrame per registry entity, each with the columns of REGISTRY_SCHEMAS."""

    organisations: pl.DataFrame
    clusters: pl.DataFrame
    memberships: pl.DataFrame
    profiles: pl.DataFrame
    figures: pl.DataFrame
    activities: pl.DataFrame
    activity_participants: pl.DataFrame
    projects: pl.DataFrame
    project_partners: pl.DataFrame
    partner_requests: pl.DataFrame

    @classmethod
    def from_frames(cls, source: str = "<registry>", **frames) -> RegistryTables:
        """Build from whichever tables are given (others empty), checked and cast.

        Rows may be DataFrames or lists of dicts. Missing columns, unknown tables and
        uncastable values are a :class:`DataError` naming ``source``, the table and the
        column; nullable columns may be omitted (they are filled with nulls).
        """
        unknown = set(frames) - set(REGISTRY_SCHEMAS)
        if unknown:
            raise DataError(f"unknown registry table(s): {', '.join(sorted(unknown))}",
                            file=source)
        built = {}
        for name, schema in REGISTRY_SCHEMAS.items():
            built[name] = _conform(frames.get(name), schema, source, name)
        return cls(**built)

    @classmethod
    def empty(cls) -> RegistryTables:
        return cls.from_frames()

    def tables(self) -> dict[str, pl.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_REQUIRED = {
    "organisations": ("id", "helix"),
    "clusters": ("id", "status"),
    "memberships": ("organisation_id", "cluster_id", "joined"),
    "profiles": ("cluster_id", "year"),
    "figures": ("organisation_id", "year"),
    "activities": ("id", "cluster_id", "start"),
    "activity_participants": ("activity_id", "organisation_id"),
    "projects": ("id", "cluster_id"),
    "project_partners": ("project_id", "organisation_id"),
    "partner_requests": ("id", "organisation_id", "kind"),
}


def _conform(rows, schema: dict[str, pl.DataType], source: str, table: str) -> pl.DataFrame:
    if rows is None or (not isinstance(rows, pl.DataFrame) and len(rows) == 0):
        return pl.DataFrame(schema=schema)
    frame = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(rows, infer_schema_length=None)
    for column in _REQUIRED[table]:
        if column not in frame.columns:
            raise DataError(f"registry table {table!r} has no column {column!r}", file=source,
                            field=f"{table}.{column}")
    extra = [c for c in frame.columns if c not in schema]
    if extra:
        raise DataError(f"registry table {table!r} has unknown column(s) {', '.join(extra)}",
                        file=source, field=f"{table}.{extra[0]}")
    out = []
    for column, dtype in schema.items():
        if column not in frame.columns:
            out.append(pl.lit(None, dtype=dtype).alias(column))
            continue
        try:
            out.append(frame.get_column(column).cast(dtype, strict=True))
        except Exception as exc:  # polars raises several error types for a failed cast
            raise DataError(f"registry table {table!r}: column {column!r} is not {dtype}"
                            f" ({exc.__class__.__name__})", file=source,
                            field=f"{table}.{column}") from None
    result = pl.select(out) if frame.height else pl.DataFrame(schema=schema)
    for column in _REQUIRED[table]:
        nulls = result.get_column(column).null_count()
        if nulls:
            row = result.get_column(column).is_null().arg_max()
            raise DataError(f"registry table {table!r}: {column!r} is empty", file=source,
                            line=int(row) + 1, field=f"{table}.{column}")
    return result
