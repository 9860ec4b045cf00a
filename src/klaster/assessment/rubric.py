"""Assessment rubrics as versioned data: the YAML format, its schema and its cross-checks.

A rubric file describes one edition of one scheme (KKK 2021, ESCA Gold, …): its source,
the indicators it uses and who provides them, hard gates, scored areas and criteria,
phase rules, levels and the validity of the label. The format is documented step by step
in docs/assessment.md. The schema is a set of pydantic models (field types, required
fields, no unknown fields); :func:`_cross_check` adds the rules a schema cannot express
(weights sum to 1, bands ascending and not overlapping, indicators known, levels
ascending, unique keys, every assumption explained). Every problem is a
:class:`RubricError` naming the file and the path inside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from klaster.assessment.registry import REGISTRY_INDICATORS
from klaster.errors import DataError

Provider = Literal["registry", "evaluator", "survey"]
Op = Literal[">=", ">", "<=", "<", "=="]
KEY = r"^[a-z][a-z0-9_]*$"


class RubricError(DataError):
    """A malformed rubric. ``str(err)`` is ``"<file>: <path>: <message>"``."""

    def __init__(self, message: str, *, file: str | Path | None = None,
                 path: str | None = None, line: int | None = None) -> None:
        super().__init__(message, file=file, line=line, field=path)
        self.path = path
        head = [str(file)] if file is not None else []
        if line is not None:
            head.append(f"line {line}")
        where = ", ".join(head)
        text = ": ".join(x for x in (where, path, message) if x)
        Exception.__init__(self, text)

    def __str__(self) -> str:  # DataError's format is "file, field 'x': msg"; keep ours
        return self.args[0]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    citation: str = Field(min_length=1)
    url: str | None = None
    note: str | None = None


class IndicatorSpec(_Model):
    """One input of a rubric: what it is, its unit and who provides the value."""

    key: str = Field(pattern=KEY)
    label: str = ""
    unit: str = ""
    kind: Literal["number", "bool"] = "number"
    provider: Provider
    description: str = ""
    evidence: str | None = None  # what an evaluator must attach to support the value


class Condition(_Model):
    indicator: str
    op: Op = ">="
    value: bool | float


class Gate(_Model):
    """A hard requirement: ``indicator op value``, or any one of several conditions."""

    key: str = Field(pattern=KEY)
    label: str
    indicator: str | None = None
    op: Op = ">="
    value: bool | float | None = None
    any_of: list[Condition] | None = None
    assumption: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _one_form(self):
        simple = self.indicator is not None or self.value is not None
        if simple == (self.any_of is not None):
            raise ValueError("a gate has either 'indicator' and 'value' or 'any_of'")
        if simple and (self.indicator is None or self.value is None):
            raise ValueError("a gate needs both 'indicator' and 'value'")
        return self

    @property
    def conditions(self) -> list[Condition]:
        if self.any_of is not None:
            return list(self.any_of)
        return [Condition(indicator=self.indicator, op=self.op, value=self.value)]


class Band(_Model):
    """Points for values in ``[min, max)``; an absent min/max is open-ended."""

    min: float | None = None
    max: float | None = None
    points: float = Field(ge=0)


class Threshold(_Model):
    op: Op = ">="
    value: bool | float
    points: float = Field(gt=0)


class Criterion(_Model):
    key: str = Field(pattern=KEY)
    label: str
    indicator: str
    bands: list[Band] | None = None
    threshold: Threshold | None = None
    record: bool = False  # benchmarking profile: value recorded, no points
    mandatory: bool = False  # mandatory in every phase
    mandatory_in: list[str] = []  # phases in which the criterion is mandatory
    assumption: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _one_rule(self):
        n = (self.bands is not None) + (self.threshold is not None) + self.record
        if n != 1:
            raise ValueError("a criterion has exactly one of 'bands', 'threshold' or "
                             "'record: true'")
        return self

    @property
    def max_points(self) -> float:
        if self.bands is not None:
            return max(b.points for b in self.bands)
        if self.threshold is not None:
            return self.threshold.points
        return 0.0

    def is_mandatory(self, phase: str | None) -> bool:
        return self.mandatory or (phase is not None and phase in self.mandatory_in)


class Area(_Model):
    key: str = Field(pattern=KEY)
    label: str
    weight: float | None = Field(default=None, gt=0)
    max_points: float | None = None  # declared maximum, checked against the criteria
    criteria: list[Criterion] = Field(min_length=1)
    assumption: bool = False
    note: str | None = None

    @property
    def criteria_max(self) -> float:
        return sum(c.max_points for c in self.criteria)


class Level(_Model):
    name: str = Field(min_length=1)
    min_percent: float | None = Field(default=None, ge=0, le=100)
    assumption: bool = False
    note: str | None = None


class Rubric(_Model):
    """One validated edition of an assessment scheme (see docs/assessment.md)."""

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    scheme: str
    edition: str
    title: str
    source: Source
    source_date: dt.date
    valid_years: int | None = Field(default=None, gt=0)  # label validity
    # How the percent is formed: "weights" = Σ weight·(area points / area max) with
    # explicit area weights summing to 1; "points" = total points / maximum points;
    # "profile" = benchmarking profile, values recorded, no score. A rubric without
    # areas has gates only (no score either).
    weighting: Literal["weights", "points", "profile"]
    pass_percent: float | None = Field(default=None, ge=0, le=100)
    phases: list[str] = []
    assumptions: list[str] = []
    indicators: list[IndicatorSpec] = Field(min_length=1)
    gates: list[Gate] = []
    areas: list[Area] = []
    levels: list[Level] = []

    @property
    def fingerprint(self) -> str:
        """sha256 of the canonical JSON of the validated content (sorted keys, no
        whitespace): equal for equal rubrics whatever the YAML layout or comments."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True,
                          separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def phase_rules(self) -> dict[str, list[str]]:
        """Phase -> keys of the criteria mandatory in that phase."""
        return {p: [c.key for a in self.areas for c in a.criteria if c.is_mandatory(p)]
                for p in self.phases}

    @property
    def max_points(self) -> float:
        return sum(a.criteria_max for a in self.areas)

    def indicator(self, key: str) -> IndicatorSpec:
        return next(i for i in self.indicators if i.key == key)

    def criteria(self):
        """(area, criterion) pairs in file order."""
        return [(a, c) for a in self.areas for c in a.criteria]


@dataclass(frozen=True)
class RubricInfo:
    key: str
    scheme: str
    edition: str
    title: str
    path: Path


# --- loading -----------------------------------------------------------------------------


# libyaml's parser when PyYAML was built with it: the pure-Python scanner took 0.5 s per
# rubric at load 8, 19 s of the assessment demo's 43 s (37 parses; issue 14). Both
# loaders use SafeConstructor, so what is accepted and built is the same.
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeBase):
    """Safe loader that rejects a mapping key given twice (PyYAML keeps the last one)."""


def _construct_mapping(loader, node, deep=False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        seen[key] = key_node.start_mark.line + 1
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, key, line):
        self.key, self.line = key, line


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _construct_mapping)


def _builtin_dir():
    return resources.files("klaster.assessment") / "rubrics"


def list_rubrics() -> list[RubricInfo]:
    """The built-in rubrics (package data klaster/assessment/rubrics/*.yaml), by key."""
    out = []
    for entry in sorted(_builtin_dir().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            r = load_rubric(Path(str(entry)))
            out.append(RubricInfo(r.key, r.scheme, r.edition, r.title, Path(str(entry))))
    return out


def load_rubric(source: str | Path) -> Rubric:
    """Load and validate a rubric: a built-in key (e.g. ``"kkk-2021"``) or a YAML path.

    Raises RubricError naming the file and the path inside it; FileNotFoundError for a
    path that does not exist.
    """
    path = Path(source)
    if isinstance(source, str) and not source.endswith((".yaml", ".yml")) and not path.exists():
        builtin = _builtin_dir() / f"{source}.yaml"
        if not builtin.is_file():
            known = ", ".join(p.name[:-5] for p in _builtin_dir().iterdir()
                              if p.name.endswith(".yaml"))
            raise RubricError(f"no built-in rubric {source!r} (built-in: {known})",
                              file=source)
        path = Path(str(builtin))
        name = path.name
    else:
        name = str(source)
    text = path.read_text(encoding="utf-8")
    return parse_rubric(text, name=name)


def parse_rubric(text: str, *, name: str = "<rubric>") -> Rubric:
    """Validate rubric YAML text; ``name`` is the file named in errors."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass: safe
    except _DuplicateKey as exc:
        raise RubricError(f"key {exc.key!r} is given twice", file=name, line=exc.line,
                          path=str(exc.key)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RubricError(f"not valid YAML ({getattr(exc, 'problem', exc)})", file=name,
                          line=None if mark is None else mark.line + 1) from None
    if not isinstance(data, dict):
        raise RubricError("a rubric file is a mapping (key: value) at the top", file=name)
    data = _fill_registry_indicators(data)
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RubricError(_pydantic_message(first), file=name,
                          path=_loc(first["loc"])) from None
    problems = _cross_check(rubric)
    if problems:
        path, message = problems[0]
        raise RubricError(message, file=name, path=path)
    return rubric


def _fill_registry_indicators(data: dict) -> dict:
    """Registry indicators may be listed by key only; label, unit and description then
    come from :data:`REGISTRY_INDICATORS` (the fingerprint covers the filled content)."""
    inds = data.get("indicators")
    if not isinstance(inds, list):
        return data
    filled = []
    for item in inds:
        if (isinstance(item, dict) and item.get("provider") == "registry"
                and item.get("key") in REGISTRY_INDICATORS):
            label, unit, desc = REGISTRY_INDICATORS[item["key"]]
            item = {"label": label, "unit": unit, "description": desc,
                    "kind": "bool" if unit == "yes/no" else "number", **item}
        filled.append(item)
    return {**data, "indicators": filled}


def _loc(loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("bool", "float", "function-after[_one_form()]",
                      "function-after[_one_rule()]") or str(part).startswith("function-"):
            continue  # pydantic's union/validator branch names, not a place in the file
        else:
            out += ("." if out else "") + str(part)
    return out or "(top)"


def _pydantic_message(err: dict) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    msg = err.get("msg", "invalid value")
    msg = msg.removeprefix("Value error, ")
    return f"{msg} (got {err['input']!r})" if "input" in err and not isinstance(
        err["input"], (dict, list)) else msg


def _cross_check(r: Rubric) -> list[tuple[str, str]]:
    """Rules beyond the schema, as (path, message) in file order; empty when valid."""
    p: list[tuple[str, str]] = []

    def dupes(items, path):
        seen = set()
        for i, item in enumerate(items):
            if item.key in seen:
                p.append((f"{path}[{i}].key", f"duplicate key {item.key!r}"))
            seen.add(item.key)

    dupes(r.indicators, "indicators")
    kinds = {i.key: i.kind for i in r.indicators}
    for i, ind in enumerate(r.indicators):
        if ind.provider == "registry" and ind.key not in REGISTRY_INDICATORS:
            p.append((f"indicators[{i}].key", f"{ind.key!r} is not a registry indicator "
                      "(see klaster.assessment.REGISTRY_INDICATORS) — use provider "
                      "'evaluator' or 'survey'"))
        if not ind.label:
            p.append((f"indicators[{i}].label", "required field is missing"))

    def check_value(ind_key, op, value, path):
        if ind_key not in kinds:
            p.append((f"{path}.indicator", f"unknown indicator {ind_key!r} (not listed "
                      "under 'indicators')"))
            return
        if kinds[ind_key] == "bool":
            if not isinstance(value, bool) or op != "==":
                p.append((f"{path}.value", f"indicator {ind_key!r} is yes/no: use "
                          "'op: ==' with value true or false"))
        elif isinstance(value, bool):
            p.append((f"{path}.value", f"indicator {ind_key!r} is a number, not yes/no"))

    def check_assumption(item, path):
        if item.assumption and not (item.note or "").strip():
            p.append((f"{path}.note", "an assumption needs a note saying why"))

    dupes(r.gates, "gates")
    for g, gate in enumerate(r.gates):
        check_assumption(gate, f"gates[{g}]")
        if gate.any_of is not None:
            for c, cond in enumerate(gate.any_of):
                check_value(cond.indicator, cond.op, cond.value, f"gates[{g}].any_of[{c}]")
        else:
            check_value(gate.indicator, gate.op, gate.value, f"gates[{g}]")

    dupes(r.areas, "areas")
    seen: set[str] = set()
    for a, area in enumerate(r.areas):
        ap = f"areas[{a}]"
        check_assumption(area, ap)
        for c, crit in enumerate(area.criteria):
            cp = f"{ap}.criteria[{c}]"
            if crit.key in seen:
                p.append((f"{cp}.key", f"duplicate key {crit.key!r}"))
            seen.add(crit.key)
            check_assumption(crit, cp)
            if crit.indicator not in kinds:
                p.append((f"{cp}.indicator", f"unknown indicator {crit.indicator!r} (not "
                          "listed under 'indicators')"))
            elif crit.bands is not None:
                if kinds[crit.indicator] == "bool":
                    p.append((f"{cp}.bands", f"indicator {crit.indicator!r} is yes/no: "
                              "use a threshold"))
                p.extend(_check_bands(crit.bands, f"{cp}.bands"))
            elif crit.threshold is not None:
                check_value(crit.indicator, crit.threshold.op, crit.threshold.value,
                            f"{cp}.threshold")
            for ph in crit.mandatory_in:
                if ph not in r.phases:
                    p.append((f"{cp}.mandatory_in", f"unknown phase {ph!r} (phases: "
                              f"{', '.join(r.phases) or 'none declared'})"))
            if crit.record != (r.weighting == "profile"):
                p.append((cp, "'record: true' criteria belong to 'weighting: profile' "
                          "rubrics, scored criteria to 'weights' or 'points' rubrics"))
        if area.max_points is not None and abs(area.max_points - area.criteria_max) > 1e-9:
            p.append((f"{ap}.max_points", f"declared {area.max_points:g} points but the "
                      f"criteria give at most {area.criteria_max:g}"))
        if r.weighting == "weights" and area.weight is None:
            p.append((f"{ap}.weight", "required field is missing ('weighting: weights')"))
        if r.weighting != "weights" and area.weight is not None:
            p.append((f"{ap}.weight", f"area weights are only used with 'weighting: "
                      f"weights' (this rubric: {r.weighting})"))
    if r.weighting == "weights" and r.areas and all(a.weight for a in r.areas):
        total = sum(a.weight for a in r.areas)
        if abs(total - 1.0) > 1e-6:
            p.append(("areas", f"area weights sum to {total:g}, not 1"))

    for lv, level in enumerate(r.levels):
        check_assumption(level, f"levels[{lv}]")
    scored = r.weighting in ("weights", "points") and r.areas
    # A level without min_percent is granted whenever the assessment passes; it can only
    # be the single level of a rubric. Levels with min_percent need a score.
    open_levels = [lv for lv, level in enumerate(r.levels) if level.min_percent is None]
    if open_levels and len(r.levels) > 1:
        p.append((f"levels[{open_levels[0]}].min_percent", "required field is missing "
                  "(a rubric with several levels needs min_percent on each)"))
    previous = None
    for lv, level in enumerate(r.levels):
        if level.min_percent is None:
            continue
        if not scored:
            p.append((f"levels[{lv}].min_percent", "this rubric has no score: a level "
                      "is granted when the assessment passes, without min_percent"))
        elif previous is not None and level.min_percent <= previous:
            p.append((f"levels[{lv}].min_percent", f"levels must be in ascending order "
                      f"of min_percent ({level.min_percent:g} after {previous:g})"))
        else:
            previous = level.min_percent
    if not scored and r.pass_percent is not None:
        p.append(("pass_percent", "this rubric has no score (no pass mark possible)"))
    if len({lv.name for lv in r.levels}) != len(r.levels):
        p.append(("levels", "duplicate level name"))
    if len(set(r.phases)) != len(r.phases):
        p.append(("phases", "duplicate phase"))
    return p


def _check_bands(bands: list[Band], path: str) -> list[tuple[str, str]]:
    p = []
    for b, band in enumerate(bands):
        if band.min is not None and band.max is not None and band.min >= band.max:
            p.append((f"{path}[{b}]", f"min {band.min:g} is not below max {band.max:g}"))
        if band.min is None and b > 0:
            p.append((f"{path}[{b}].min", "only the first band may be open below"))
        if band.max is None and b < len(bands) - 1:
            p.append((f"{path}[{b}].max", "only the last band may be open above"))
    for b in range(1, len(bands)):
        lo, hi = bands[b - 1], bands[b]
        if lo.min is not None and hi.min is not None and hi.min < lo.min:
            p.append((path, "bands must be in ascending order of min"))
        elif lo.max is None or (hi.min is not None and hi.min < lo.max):
            p.append((path, "bands overlap"))
    return p


def validity(label_granted: dt.date, rubric: Rubric) -> dt.date:
    """Last day a label granted on ``label_granted`` is valid: the day before the
    ``valid_years``-th anniversary (a label granted 2022-03-01 for 3 years is valid until
    2025-02-28). A 29 February grant is valid until 28 February of the final year. Raises
    DataError when the rubric states no validity."""
    if rubric.valid_years is None:
        raise DataError(f"rubric {rubric.key} states no label validity",
                        field="valid_years")
    year = label_granted.year + rubric.valid_years
    try:
        anniversary = label_granted.replace(year=year)
    except ValueError:  # 29 February in a non-leap year: the anniversary is 1 March
        anniversary = dt.date(year, 3, 1)
    return anniversary - dt.timedelta(days=1)
