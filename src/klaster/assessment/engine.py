"""The scoring engine: gates, criteria points, area scores, total, level and explanation.

``assess`` is a pure function of a validated :class:`~klaster.assessment.rubric.Rubric`
and a mapping of indicator values (from :func:`registry_indicators`, evaluators or a
survey). The rules (also in docs/assessment.md):

- A gate passes when its condition holds (``any_of``: when one of them holds). A gate
  whose value is missing is "missing": the assessment cannot pass, but nothing crashes.
  The gap is how far the value is from the requirement (``required − value`` for ≥/>,
  ``value − required`` for ≤/<), 0 when passed, None for yes/no conditions.
- A banded criterion earns the points of the band ``[min, max)`` holding the value, 0
  outside every band; a threshold criterion earns its points when the condition holds.
  A missing value earns 0 and is listed in ``missing``.
- Area score = points / maximum points of the area. Percent: with ``weighting: weights``
  Σ weight × area score × 100; with ``weighting: points`` total / maximum × 100 (areas
  weighted by their maximum points). Percent is rounded to 9 decimals before it is
  compared with a pass mark or level, so that 0.2 × 5 sums hitting a boundary exactly
  are not lost to binary floating point.
- A mandatory criterion (always, or in the assessed phase) is met when it earns more
  than 0 points (in a profile rubric: when its value is given).
- Level: the highest level whose ``min_percent`` the percent reaches (a single level
  without ``min_percent`` is granted whenever the rest passes), only when every gate passed and every mandatory criterion
  is met. Passed = gates passed, mandatory criteria met, percent ≥ ``pass_percent``
  (when set) and a level reached (when the rubric has levels).
"""

from __future__ import annotations

import math
import operator
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from klaster.assessment.rubric import Band, Rubric
from klaster.errors import DataError
from klaster.messages import Message

Value = float | bool | None

_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
        "==": operator.eq}
_WORDS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
# Explanations are messages for people (klaster.messages, declared in
# klaster.assessment_messages): a code and JSON-friendly parameters, rendered by the
# shells in the reader's language; ``str(message)`` is the English sentence. Nested
# parts (a requirement, a band, a criterion's name) are parameters in dict form.
Text = Message | str  # str: a result stored before explanations were messages


def _m(code: str, **params) -> Message:
    return Message(code, params)


def _d(code: str, **params) -> dict:
    return {"code": code, "params": params}


def _as_message(item) -> Text:
    """A stored explanation (message dict or, from older results, plain text)."""
    if isinstance(item, Mapping) and "code" in item:
        return Message.from_dict(item)
    return item
_TRUE = {"true", "yes", "y", "1", "tak", "да", "так"}
_FALSE = {"false", "no", "n", "0", "nie", "нет", "не"}


def coerce_value(key: str, kind: str, raw) -> Value:
    """An entered value as the engine uses it: float for numbers, bool for yes/no, None
    for missing (None or empty text). Raises DataError naming the indicator otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise DataError(f"{raw!r} is not yes/no", field=key)
    if isinstance(raw, bool):
        raise DataError(f"{raw!r} is yes/no but the indicator is a number", field=key)
    try:
        value = float(raw.replace(",", ".").replace(" ", "") if isinstance(raw, str) else raw)
    except (TypeError, ValueError):
        raise DataError(f"{raw!r} is not a number", field=key) from None
    if not math.isfinite(value):
        raise DataError(f"{raw!r} is not a finite number", field=key)
    return value


@dataclass(frozen=True)
class GateResult:
    key: str
    label: str
    status: str  # "passed" | "failed" | "missing"
    indicator: str
    value: Value
    op: str
    required: Value
    gap: float | None
    explanation: Text

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass(frozen=True)
class CriterionResult:
    key: str
    label: str
    area: str
    indicator: str
    value: Value
    points: float
    max_points: float
    status: str  # "scored" | "missing" | "recorded"
    mandatory: bool  # mandatory in the assessed phase (or always)
    optional_in_phase: bool  # has phase rules, but is not mandatory in this phase
    met: bool | None  # for mandatory criteria: earned > 0 points / value given
    explanation: Text


@dataclass(frozen=True)
class AreaResult:
    key: str
    label: str
    points: float
    max_points: float
    weight: float | None  # weight in the percent (explicit, or max_points / total max)
    score: float | None  # points / max_points × 100
    contribution: float | None  # percentage points this area adds to the total percent


@dataclass(frozen=True)
class AssessmentResult:
    rubric_key: str
    rubric_fingerprint: str
    phase: str | None
    values: dict[str, Value]
    gates: list[GateResult]
    criteria: list[CriterionResult]
    areas: list[AreaResult]
    total: float | None
    max_total: float | None
    percent: float | None
    level: str | None
    passed: bool
    gates_passed: bool
    mandatory_met: bool
    missing: list[str]
    missing_mandatory: list[str]
    explanation: list[Text] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    def to_dict(self) -> dict:
        """Plain JSON-serialisable dict (round-trips through :meth:`from_dict`); every
        explanation is a message dict ``{"code": ..., "params": ...}``."""
        return asdict(self)

    def explanation_text(self, lang: str | None = None) -> list[str]:
        """The explanation lines in ``lang`` (en, pl, be, ru; None = English)."""
        from klaster.messages import render

        return [render(line, lang) for line in self.explanation]

    @classmethod
    def from_dict(cls, data: Mapping) -> AssessmentResult:
        d = dict(data)
        d["gates"] = [GateResult(**{**g, "explanation": _as_message(g["explanation"])})
                      for g in d["gates"]]
        d["criteria"] = [CriterionResult(**{**c, "explanation": _as_message(c["explanation"])})
                         for c in d["criteria"]]
        d["areas"] = [AreaResult(**a) for a in d["areas"]]
        d["values"] = dict(d["values"])
        d["missing"] = list(d["missing"])
        d["missing_mandatory"] = list(d["missing_mandatory"])
        d["explanation"] = [_as_message(x) for x in d["explanation"]]
        return cls(**d)


def _req(op: str, value) -> dict:
    return (_d("assess.required.eq", value=value) if op == "=="
            else _d("assess.required", op=_WORDS[op], value=value))


def _band_of(bands: list[Band], v: float) -> int | None:
    for i, b in enumerate(bands):
        if (b.min is None or v >= b.min) and (b.max is None or v < b.max):
            return i
    return None


def _band_text(b: Band, unit: str) -> dict:
    u = unit if unit and unit not in ("count", "share", "yes/no") else ""
    if b.min is not None and b.max is not None:
        return _d("assess.band.between", min=b.min, max=b.max, unit=u)
    if b.min is not None:
        return _d("assess.band.min", min=b.min, unit=u)
    return _d("assess.band.max", max=b.max, unit=u)


def _gap(op: str, value: float, required: float) -> float:
    if op in (">=", ">"):
        return max(0.0, required - value)
    if op in ("<=", "<"):
        return max(0.0, value - required)
    return abs(value - required)


def assess(rubric: Rubric, values: Mapping[str, float | bool | str | None], *,
           phase: str | None = None) -> AssessmentResult:
    """Assess one cluster with ``rubric`` from indicator ``values`` (key -> value).

    Keys not used by the rubric are ignored (a registry_indicators() dict can be passed
    whole). A value that cannot be read as the indicator's kind raises DataError naming
    the indicator; a missing value is an outcome (listed in ``missing``), not an error.
    ``phase`` selects the phase rules of rubrics that declare phases.
    """
    if phase is not None and rubric.phases and phase not in rubric.phases:
        raise DataError(f"phase {phase!r} is not one of {', '.join(rubric.phases)}",
                        field="phase")
    kinds = {i.key: i.kind for i in rubric.indicators}
    units = {i.key: i.unit for i in rubric.indicators}
    vals: dict[str, Value] = {k: coerce_value(k, kinds[k], values.get(k)) for k in kinds}
    labels = {i.key: i.label for i in rubric.indicators}
    expl: list[Message] = []
    missing: list[str] = []
    missing_mandatory: list[str] = []

    def note_missing(key, mandatory):
        if key not in missing:
            missing.append(key)
        if mandatory and key not in missing_mandatory:
            missing_mandatory.append(key)

    if rubric.phases and phase is None:
        expl.append(_m("assess.no_phase"))
    elif phase is not None and not rubric.phases:
        expl.append(_m("assess.phase_unused", phase=phase))

    # --- gates -------------------------------------------------------------------------
    gates = []
    for gate in rubric.gates:
        conds = gate.conditions
        outcomes = []
        for c in conds:
            v = vals[c.indicator]
            outcomes.append(None if v is None else bool(_OPS[c.op](v, c.value)))
        if any(o is True for o in outcomes):
            status = "passed"
        elif any(o is None for o in outcomes):
            status = "missing"
            for c, o in zip(conds, outcomes):
                if o is None:
                    note_missing(c.indicator, True)
        else:
            status = "failed"
        first = conds[0]
        v = vals[first.indicator]
        numeric = not isinstance(first.value, bool) and v is not None
        gap = (0.0 if status == "passed" else round(_gap(first.op, v, first.value), 9)) \
            if numeric \
            else None
        parts = [_d("assess.condition", indicator=labels[c.indicator],
                    value=vals[c.indicator], required=_req(c.op, c.value)) for c in conds]
        if status == "passed":
            sentence = _m("assess.gate.passed", gate=gate.label, conditions=parts)
        elif status == "missing":
            sentence = _m("assess.gate.missing", gate=gate.label, indicators=[
                labels[c.indicator] for c, o in zip(conds, outcomes) if o is None])
        elif gap:
            sentence = _m("assess.gate.failed.short", gate=gate.label, conditions=parts,
                          gap=gap)
        else:
            sentence = _m("assess.gate.failed", gate=gate.label, conditions=parts)
        expl.append(sentence)
        gates.append(GateResult(gate.key, gate.label, status, first.indicator, v,
                                first.op, first.value, gap, sentence))

    # --- criteria ----------------------------------------------------------------------
    crits = []
    for area, crit in rubric.criteria():
        v = vals[crit.indicator]
        mandatory = crit.is_mandatory(phase)
        optional_in_phase = bool(crit.mandatory_in) and not mandatory
        code = "assess.criterion.name"
        if mandatory:
            code += ".mandatory" if crit.mandatory else ".mandatory_in"
        elif optional_in_phase and phase is not None:
            code += ".optional_in"
        name = _d(code, criterion=crit.label, area=area.label,
                  **({"phase": phase} if code.endswith("_in") else {}))
        mx = crit.max_points
        if v is None:
            note_missing(crit.indicator, mandatory)
            status, pts, met = "missing", 0.0, (False if mandatory else None)
            sentence = (_m("assess.criterion.missing.record", name=name,
                           indicator=labels[crit.indicator]) if crit.record else
                        _m("assess.criterion.missing", name=name,
                           indicator=labels[crit.indicator], max=mx))
        elif crit.record:
            status, pts, met = "recorded", 0.0, True if mandatory else None
            sentence = _m("assess.criterion.recorded", name=name, value=v)
        elif crit.bands is not None:
            i = _band_of(crit.bands, v)
            pts = 0.0 if i is None else crit.bands[i].points
            status, met = "scored", (pts > 0 if mandatory else None)
            if i is None:
                sentence = _m("assess.criterion.outside", name=name, value=v, max=mx)
            else:
                band = _band_text(crit.bands[i], units[crit.indicator])
                withheld = mx - pts
                sentence = (_m("assess.criterion.band.withheld", name=name, value=v,
                               band=band, points=pts, max=mx, withheld=withheld,
                               next=_next_band(crit.bands, i)) if withheld > 0 else
                            _m("assess.criterion.band", name=name, value=v, band=band,
                               points=pts, max=mx))
        else:
            t = crit.threshold
            ok = bool(_OPS[t.op](v, t.value))
            pts = t.points if ok else 0.0
            status, met = "scored", (ok if mandatory else None)
            sentence = _m("assess.criterion.met" if ok else "assess.criterion.not_met",
                          name=name, value=v, required=_req(t.op, t.value), points=pts,
                          max=mx)
        expl.append(sentence)
        crits.append(CriterionResult(crit.key, crit.label, area.key, crit.indicator, v,
                                     float(pts), float(mx), status, mandatory,
                                     optional_in_phase, met, sentence))

    # --- areas, total, percent ---------------------------------------------------------
    areas = []
    scored = rubric.weighting in ("weights", "points") and bool(rubric.areas)
    grand_max = rubric.max_points
    percent_sum = 0.0
    weight_used = sum(a.weight for a in rubric.areas if a.criteria_max > 0) \
        if rubric.weighting == "weights" else None
    for area in rubric.areas:
        pts = sum(c.points for c in crits if c.area == area.key)
        mx = area.criteria_max
        score = pts / mx * 100 if mx > 0 else None
        if not scored or mx == 0:
            weight = contribution = None
        elif rubric.weighting == "weights":
            weight = area.weight / weight_used
            contribution = weight * score
        else:
            weight = mx / grand_max
            contribution = pts / grand_max * 100
        if contribution is not None:
            percent_sum += contribution
        areas.append(AreaResult(area.key, area.label, float(pts), float(mx), weight,
                                score, contribution))
        if scored:
            if score is None:
                expl.append(_m("assess.area", area=area.label, points=pts, max=mx))
            elif weight is None:
                expl.append(_m("assess.area.score", area=area.label, points=pts, max=mx,
                               score=score))
            else:
                expl.append(_m("assess.area.score.weight", area=area.label, points=pts,
                               max=mx, score=score, weight=weight))
    if scored:
        total, max_total = float(sum(c.points for c in crits)), float(grand_max)
        percent = round(percent_sum, 9)
        expl.append(_m("assess.total", total=total, max=max_total, percent=percent))
    else:
        total = max_total = percent = None

    gates_passed = all(g.status == "passed" for g in gates)
    mandatory_met = all(c.met for c in crits if c.mandatory)
    for c in crits:
        if c.mandatory and c.met is False and c.status != "missing":
            expl.append(_m("assess.mandatory_not_met", criterion=c.label))
    level = None
    if gates_passed and mandatory_met:
        for lv in rubric.levels:
            if lv.min_percent is None or (percent is not None
                                          and percent >= lv.min_percent):
                level = lv.name
    score_ok = rubric.pass_percent is None or (percent is not None
                                               and percent >= rubric.pass_percent)
    passed = gates_passed and mandatory_met and score_ok and (
        level is not None or not rubric.levels)
    reasons = []
    if not gates_passed:
        reasons.append(_d("assess.reason.gate"))
    if not mandatory_met:
        reasons.append(_d("assess.reason.mandatory"))
    if not score_ok:
        reasons.append(_d("assess.reason.pass_mark", percent=percent,
                          pass_percent=rubric.pass_percent))
    if (scored and rubric.levels and rubric.levels[0].min_percent is not None
            and level is None and gates_passed and mandatory_met and score_ok):
        reasons.append(_d("assess.reason.lowest_level", percent=percent,
                          level=rubric.levels[0].name,
                          min_percent=rubric.levels[0].min_percent))
    if passed:
        expl.append(_m("assess.passed.level", level=level) if level else _m("assess.passed"))
    else:
        expl.append(_m("assess.not_passed", reasons=reasons))
    if missing:
        expl.append(_m("assess.missing_inputs", indicators=[labels[k] for k in missing]))
    return AssessmentResult(
        rubric.key, rubric.fingerprint, phase, vals, gates, crits, areas, total, max_total,
        percent, level, passed, gates_passed, mandatory_met, missing, missing_mandatory,
        expl)


def _next_band(bands: list[Band], i: int) -> dict:
    higher = [b for b in bands[i + 1:] if b.points > bands[i].points]
    if not higher or higher[0].min is None:
        return _d("assess.band.next.outside")
    return _d("assess.band.next", min=higher[0].min)


# --- consensus of evaluators ----------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """How far independent evaluators were apart on one indicator."""

    n: int  # evaluators who gave a value
    values: list[Value]
    min: Value
    max: Value
    range: float | None  # max − min for numbers; None for yes/no
    agreement: float  # share of evaluators giving the consensus value (1.0 = unanimous)


@dataclass(frozen=True)
class Consensus:
    values: dict[str, Value]  # the consensus value per indicator (None: no value or a tie)
    spread: dict[str, Spread]
    ties: list[str]  # yes/no indicators with as many yes as no: the panel must decide
    n_evaluators: int

    def to_dict(self) -> dict:
        return asdict(self)


def consensus(entries: Sequence[AssessmentResult] | Sequence[Mapping[str, Value]], *,
              rubric: Rubric | None = None) -> Consensus:
    """Combine independent evaluators' values into one set (then ``assess`` it).

    ``entries`` are evaluators' value mappings or their AssessmentResults (whose inputs
    are used). Per indicator, over the evaluators who gave a value: numbers → the median
    (``statistics.median``: the mean of the two middle values for an even count), which a
    single outlying evaluator cannot move far — the usual robust panel summary (e.g. the
    median of expert ratings in Delphi studies, Hsu & Sandford 2007); yes/no → the
    majority, and a tie gives None and is listed in ``ties``. The spread (min, max, range,
    share agreeing with the consensus) is reported so that a panel can discuss large
    disagreements. With ``rubric``, values are read as its indicators' kinds; without,
    a column whose values are all True/False is yes/no.
    """
    maps = [e.values if isinstance(e, AssessmentResult) else e for e in entries]
    if not maps:
        raise DataError("consensus needs at least one evaluator")
    kinds = {i.key: i.kind for i in rubric.indicators} if rubric is not None else {}
    keys = list(dict.fromkeys(k for m in maps for k in m))
    out: dict[str, Value] = {}
    spread: dict[str, Spread] = {}
    ties = []
    for key in keys:
        raw = [m.get(key) for m in maps]
        given = [r for r in raw if r is not None and not (isinstance(r, str) and not r.strip())]
        kind = kinds.get(key) or ("bool" if given and all(isinstance(r, bool) for r in given)
                                  else "number")
        vals = [coerce_value(key, kind, r) for r in given]
        if not vals:
            out[key] = None
            spread[key] = Spread(0, [], None, None, None, 0.0)
            continue
        if kind == "bool":
            yes = sum(vals)
            no = len(vals) - yes
            value = None if yes == no else yes > no
            if value is None:
                ties.append(key)
            agree = (max(yes, no) / len(vals)) if value is not None else 0.5
            spread[key] = Spread(len(vals), vals, min(vals), max(vals), None, agree)
        else:
            value = float(statistics.median(vals))
            agree = sum(v == value for v in vals) / len(vals)
            spread[key] = Spread(len(vals), vals, min(vals), max(vals),
                                 max(vals) - min(vals), agree)
        out[key] = value
    return Consensus(out, spread, ties, len(maps))
