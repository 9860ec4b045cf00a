"""Errors and warnings that name where bad input was found.

Every loader and validator reports problems with the file, the 1-based line (as a
person sees it in a text editor, header = line 1) and the field, so that an analyst
can open the file and fix the cell.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path


def _where(file: str | Path | None, line: int | None, field_: str | None) -> str:
    parts = []
    if file is not None:
        parts.append(str(file))
    if line is not None:
        parts.append(f"line {line}")
    if field_ is not None:
        parts.append(f"field '{field_}'")
    return ", ".join(parts)


class KlasterError(Exception):
    """Base class of every error klaster raises on purpose."""


class DataError(KlasterError, ValueError):
    """Input data that klaster cannot accept. Names file, line and field when known."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.line = line
        self.field = field
        where = _where(file, line, field)
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class DataIssue:
    """One problem found in input that did not stop the load (a written warning)."""

    kind: str  # e.g. "suppressed", "missing", "imputed", "unknown_code", "zero_employment"
    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    region: str | None = None
    industry: str | None = None
    year: int | None = None

    def __str__(self) -> str:
        where = _where(self.file, self.line, self.field)
        return f"[{self.kind}] {where + ': ' if where else ''}{self.message}"


@dataclass
class IssueLog:
    """Collects DataIssue records; can be shown, counted or written to CSV."""

    issues: list[DataIssue] = field(default_factory=list)
    # First input line of each industry code of the table loaded (filled by
    # klaster.data.validate_stats), so that warnings raised later, when the loaded table
    # no longer has lines (e.g. a code in no cluster), can still name the line.
    first_lines: dict[str, int] = field(default_factory=dict, repr=False)

    def add(self, kind: str, message: str, **where) -> None:
        self.issues.append(DataIssue(kind=kind, message=message, **where))

    def extend(self, other: "IssueLog") -> None:
        self.issues.extend(other.issues)
        for code, line in other.first_lines.items():
            self.first_lines.setdefault(code, line)

    def __len__(self) -> int:
        return len(self.issues)

    def __iter__(self):
        return iter(self.issues)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for issue in self.issues:
            out[issue.kind] = out.get(issue.kind, 0) + 1
        return out

    def to_frame(self):
        import polars as pl

        schema = {
            "kind": pl.Utf8, "message": pl.Utf8, "file": pl.Utf8, "line": pl.Int64,
            "field": pl.Utf8, "region": pl.Utf8, "industry": pl.Utf8, "year": pl.Int64,
        }
        return pl.DataFrame([asdict(i) for i in self.issues], schema=schema)

    def write_csv(self, path: str | Path) -> None:
        self.to_frame().write_csv(path)
