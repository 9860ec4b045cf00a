"""Bulk import and export of a cluster's members (CSV or Excel).

Import is all-or-nothing: every row is validated first (the model's own validation —
identifier format and checksum, industry codes through klaster.taxonomy, coordinate
ranges, database constraints) and the error report names line and field of each bad row;
only a file without errors is written, inside one transaction.

Columns (header row, any order; the export writes the same columns, so an export can be
edited and imported again): id_scheme, id_value, name_en, helix are required; name_pl,
name_be, name_ru, legal_form, size_class, code_system, industry_codes, region, city,
latitude, longitude, website, role, committed, joined, working_groups are optional.
An organisation already in the registry (same scheme and identifier) is reused as it is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from klaster.web.registry.models import (
    Cluster,
    Membership,
    MembershipRole,
    Organisation,
)
from klaster.web.registry.validators import canonical_identifier

# Polars and the analytics load inside the functions that use them: the URL map imports
# this module at every start of the platform (1-3 s of `klaster serve`; issue 14).
if TYPE_CHECKING:
    import polars as pl

REQUIRED = ("id_scheme", "id_value", "name_en", "helix")
ORG_FIELDS = ("name_en", "name_pl", "name_be", "name_ru", "legal_form", "helix",
              "size_class", "code_system", "industry_codes", "region", "city", "latitude",
              "longitude", "website")
MEMBERSHIP_FIELDS = ("role", "committed", "joined", "working_groups")
COLUMNS = ("id_scheme", "id_value", *ORG_FIELDS, *MEMBERSHIP_FIELDS)


@dataclass(frozen=True)
class RowError:
    line: int  # line of the file (header = line 1) or spreadsheet row
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created_organisations: int = 0
    reused_organisations: int = 0
    memberships: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def read_table(name: str, data: bytes) -> pl.DataFrame:
    """Read an uploaded CSV or .xlsx into all-text columns (dates as ISO text).

    Raises ValidationError for unreadable files or missing required columns.
    """
    import polars as pl
    try:
        if name.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")):
            df = pl.read_excel(io.BytesIO(data))
        else:
            df = pl.read_csv(io.BytesIO(data), infer_schema=False, encoding="utf8-lossy")
    except Exception as exc:  # polars/fastexcel raise many types for a bad file
        raise ValidationError(f"{name}: cannot read the file as CSV or Excel ({exc})") from None
    df = df.rename({c: c.strip().lower() for c in df.columns})
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ValidationError(f"{name}: missing column(s) {', '.join(missing)}; "
                              f"required: {', '.join(REQUIRED)}")
    unknown = [c for c in df.columns if c not in COLUMNS]
    if unknown:
        raise ValidationError(f"{name}: unknown column(s) {', '.join(unknown)}; "
                              f"known: {', '.join(COLUMNS)}")
    as_text = []
    for col, dtype in df.schema.items():
        if dtype in (pl.Date, pl.Datetime) or isinstance(dtype, pl.Datetime):
            as_text.append(pl.col(col).dt.strftime("%Y-%m-%d"))
        else:
            as_text.append(pl.col(col).cast(pl.Utf8))
    return df.select(as_text)


def _text(row: dict, key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _errors_of(exc: ValidationError, line: int) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [RowError(line, f, m) for f, msgs in exc.message_dict.items() for m in msgs]
    return [RowError(line, "row", m) for m in exc.messages]


def _organisation(row: dict, line: int) -> tuple[Organisation | None, list[RowError]]:
    scheme = _text(row, "id_scheme").upper()
    value = canonical_identifier(scheme, _text(row, "id_value"))
    existing = Organisation.objects.filter(id_scheme=scheme, id_value=value).first()
    if existing is not None:
        return existing, []
    org = Organisation(id_scheme=scheme, id_value=value)
    errors: list[RowError] = []
    for key in ORG_FIELDS:
        text = _text(row, key)
        if key in ("latitude", "longitude"):
            if text:
                try:
                    setattr(org, key, float(text.replace(",", ".")))
                except ValueError:
                    errors.append(RowError(line, key, _("%(value)r is not a number")
                                           % {"value": text}))
        elif key == "industry_codes":
            org.industry_codes = [c.strip() for c in text.replace(";", ",").split(",")
                                  if c.strip()]
        elif key == "code_system":
            org.code_system = text.lower() or "nace2"
        elif key in ("helix", "size_class"):
            setattr(org, key, text.lower())
        else:
            setattr(org, key, text)
    if errors:
        return None, errors
    try:
        org.full_clean(exclude=["version"])
    except ValidationError as exc:
        return None, _errors_of(exc, line)
    return org, []


def _membership_fields(row: dict, line: int) -> tuple[dict, list[RowError]]:
    out: dict = {}
    errors: list[RowError] = []
    role = _text(row, "role").lower() or MembershipRole.MEMBER
    if role not in MembershipRole.values:
        errors.append(RowError(line, "role", _("%(value)r is not one of %(choices)s")
                               % {"value": role, "choices": ", ".join(MembershipRole.values)}))
    out["role"] = role
    committed = _text(row, "committed").lower()
    if committed in ("", "0", "no", "false", "n"):
        out["committed"] = False
    elif committed in ("1", "yes", "true", "y"):
        out["committed"] = True
    else:
        errors.append(RowError(line, "committed", _("%(value)r: expected yes or no")
                               % {"value": committed}))
    joined = _text(row, "joined")
    if joined:
        try:
            out["joined"] = date.fromisoformat(joined[:10])
        except ValueError:
            errors.append(RowError(line, "joined", _("%(value)r is not a date (YYYY-MM-DD)")
                                   % {"value": joined}))
    out["working_groups"] = _text(row, "working_groups")
    return out, errors


def check_row(row: dict, line: int, *, open_members: set[int],
              seen: dict[tuple[str, str], int] | None = None
              ) -> tuple[Organisation | None, dict, list[RowError]]:
    """Validate one member row (import columns, as text): the organisation (reused when
    the registry has the same scheme and identifier — the duplicate detection — else
    built and validated by the model: identifier format and checksum, codes, ranges),
    the membership fields, a repeat of an earlier row (``seen``) and a current
    membership (``open_members``: organisation ids). The one row check of the file
    import and of the workspace's "add member" form."""
    org, errors = _organisation(row, line)
    fields, m_errors = _membership_fields(row, line)
    errors += m_errors
    if org is not None:
        key = (org.id_scheme, org.id_value)
        if seen is not None:
            if key in seen:
                errors.append(RowError(line, "id_value", _("same organisation as line %(line)d")
                                       % {"line": seen[key]}))
            seen.setdefault(key, line)
        if org.pk is not None and org.pk in open_members:
            errors.append(RowError(line, "id_value",
                                   _("already a current member of this cluster")))
    return org, fields, errors


def _open_members(cluster: Cluster) -> set[int]:
    return set(Membership.objects.filter(cluster=cluster, left__isnull=True)
               .values_list("organisation_id", flat=True))


def _write(cluster: Cluster, org: Organisation, fields: dict, result: ImportResult) -> None:
    if org.pk is None:
        org.save()
        result.created_organisations += 1
    else:
        result.reused_organisations += 1
    Membership.objects.create(organisation=org, cluster=cluster, **fields)
    result.memberships += 1


def import_members(cluster: Cluster, table: pl.DataFrame) -> ImportResult:
    """Validate every row of ``table`` (columns: see module docstring); write all or none."""
    result = ImportResult()
    planned: list[tuple[Organisation, dict]] = []
    seen: dict[tuple[str, str], int] = {}
    open_members = _open_members(cluster)
    for i, row in enumerate(table.iter_rows(named=True)):
        line = i + 2  # header is line 1
        org, fields, errors = check_row(row, line, open_members=open_members, seen=seen)
        if errors:
            result.errors += errors
        else:
            planned.append((org, fields))
    if result.errors:
        return result
    with transaction.atomic():
        for org, fields in planned:
            _write(cluster, org, fields, result)
    return result


def add_member(cluster: Cluster, row: dict) -> tuple[ImportResult, Organisation | None]:
    """One member row (import columns, as text), checked exactly as a file row
    (``check_row``) and written if valid — the workspace's "add member" form. Returns the
    result (errors name line 1) and the organisation (new or reused)."""
    result = ImportResult()
    with transaction.atomic():
        org, fields, errors = check_row(row, 1, open_members=_open_members(cluster))
        if errors:
            result.errors = errors
            return result, None
        _write(cluster, org, fields, result)
    return result, org


def check_organisation(row: dict) -> tuple[Organisation | None, list[RowError]]:
    """A new organisation (import columns, as text) validated as the import validates
    it; an organisation already in the registry with the same scheme and identifier
    (the import's duplicate detection) is an error here: there is nothing to add."""
    org, errors = _organisation(row, 1)
    if org is not None and org.pk is not None:
        return None, [RowError(1, "id_value", _(
            "an organisation with this identifier is already in the registry"))]
    return org, errors


def members_table(cluster: Cluster) -> pl.DataFrame:
    """The cluster's current members in the import columns, one row per membership."""
    import polars as pl
    qs = (Membership.objects.filter(cluster=cluster, left__isnull=True)
          .select_related("organisation").order_by("organisation__name_en", "pk"))
    rows = []
    for m in qs:
        o = m.organisation
        rows.append({
            "id_scheme": o.id_scheme, "id_value": o.id_value,
            **{k: getattr(o, k) for k in ORG_FIELDS if k not in ("industry_codes",)},
            "industry_codes": ", ".join(o.industry_codes or []),
            "role": m.role, "committed": "yes" if m.committed else "no",
            "joined": m.joined.isoformat(), "working_groups": m.working_groups,
        })
    schema = {c: (pl.Float64 if c in ("latitude", "longitude") else pl.Utf8) for c in COLUMNS}
    return pl.DataFrame(rows, schema=schema).select([c for c in schema])


def export_members(cluster: Cluster, fmt: str) -> bytes:
    """CSV (UTF-8) or Excel bytes of ``members_table``; text a spreadsheet would run as
    a formula is quoted (klaster.reports.spreadsheet, OWASP CSV injection)."""
    from klaster.reports.spreadsheet import neutralise_frame

    table = neutralise_frame(members_table(cluster))
    buf = io.BytesIO()
    if fmt == "xlsx":
        table.write_excel(buf, worksheet="members")
    elif fmt == "csv":
        table.write_csv(buf)
    else:
        raise ValueError(f"unknown export format {fmt!r}; expected csv or xlsx")
    return buf.getvalue()
