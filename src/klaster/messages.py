"""Engine messages for people: codes + parameters, rendered by the shells in a language.

The library never returns finished English sentences for caveats and notes; it returns
:class:`Message` objects (a code and its parameters, JSON-friendly), and the CLI, the
HTML report and the platform render them with :meth:`Message.render` in the reader's
language (klaster.i18n). ``str(message)`` is the English text, for logs and old callers.

A message is declared once with :func:`define` (English text as the gettext msgid, with
``%(name)s`` placeholders, and how each parameter is formatted); see docs/reports.md,
"Adding a message".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from klaster.i18n import N_, Translator, translator

__all__ = ["ISSUE_KINDS", "MESSAGES", "Message", "MessageSpec", "define", "render"]

# How a parameter is shown: "num" (integer with separators), "num1"/"num2" (decimals),
# "pct" (fraction as a percentage), "term" (a msgid translated itself, e.g. a word that
# comes from a table), "pct0" (percentage, no decimals), "issues" (a dict of
# IssueLog kind -> count, each kind named by ISSUE_KINDS), "text" (as given: names,
# codes, file names). For assessment explanations (klaster.assessment.engine): "value"
# (an indicator value: yes/no, "—" when missing, a number with at most 4 significant
# digits), "unit" (a unit word after a number: "" or a space and the unit translated
# as a term), "terms" (a list of terms, comma-separated), "msg" (a nested message dict
# rendered in the same language), "msgs" (nested messages joined by "; ") and "any"
# (nested messages joined by " or ").
_FORMATS = ("num", "num1", "num2", "pct", "pct0", "term", "issues", "text", "value",
            "unit", "terms", "msg", "msgs", "any")


@dataclass(frozen=True)
class MessageSpec:
    code: str
    msgid: str
    plural: str | None = None
    count: str | None = None          # the parameter that chooses the plural form
    formats: Mapping[str, str] = field(default_factory=dict)


MESSAGES: dict[str, MessageSpec] = {}


def define(code: str, msgid: str, *, plural: str | None = None, count: str | None = None,
           **formats: str) -> MessageSpec:
    """Declare message ``code`` (English ``msgid``; ``plural`` form chosen by the
    parameter ``count``); keyword arguments give each parameter's format (_FORMATS;
    default "text")."""
    bad = {k: v for k, v in formats.items() if v not in _FORMATS}
    if bad or (plural is None) != (count is None):
        raise ValueError(f"message {code}: bad formats {bad} or plural without count")
    spec = MessageSpec(code, msgid, plural, count, formats)
    MESSAGES[code] = spec
    return spec


@dataclass(frozen=True)
class Message:
    """One message for people: ``code`` (a key of MESSAGES) and its ``params``."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, tr: Translator | str | None = None) -> str:
        return render(self, tr)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        return cls(str(data["code"]), dict(data.get("params") or {}))

    def __str__(self) -> str:
        return render(self, None)


def _format(value: Any, how: str, tr: Translator) -> str:
    if how == "num":
        return tr.num(value, 0)
    if how in ("num1", "num2"):
        return tr.num(value, int(how[-1]))
    if how in ("pct", "pct0"):
        return tr.pct(value, 0 if how == "pct0" else 2)
    if how == "issues":
        return ", ".join(f"{tr.num(n)} × {tr.gettext(ISSUE_KINDS.get(k, k))}"
                         for k, n in sorted(value.items()))
    if how == "term":
        return tr.gettext(str(value))
    if how == "value":
        return _value(value, tr)
    if how == "unit":
        return " " + tr.gettext(str(value)) if value else ""
    if how == "terms":
        return ", ".join(tr.gettext(str(v)) for v in value)
    if how == "msg":
        return render(value, tr)
    if how in ("msgs", "any"):
        sep = "; " if how == "msgs" else tr.gettext(_OR)
        return sep.join(render(v, tr) for v in value)
    return str(value)


_OR = N_(" or ")
_YES, _NO = N_("yes"), N_("no")


def _value(v: Any, tr: Translator) -> str:
    """An indicator value: yes/no, "—" when missing, an integer with group separators,
    else at most 4 significant digits (what ``f"{v:.4g}"`` keeps), in ``tr``'s symbols."""
    if isinstance(v, bool):
        return tr.gettext(_YES if v else _NO)
    if v is None:
        return "—"
    v = float(v)
    if v.is_integer():
        return tr.num(v, 0)
    short = f"{v:.4g}"
    if "e" in short:  # very large or small: keep the exponent form
        return short.replace(".", tr.decimal)
    digits = len(short.partition(".")[2])
    return tr.num(float(short), digits)


def render(item: Message | Mapping[str, Any] | str, tr: Translator | str | None = None
           ) -> str:
    """The text of a Message (or its dict form) in ``tr``'s language; a plain string is
    returned unchanged (texts from outside the engine, e.g. a user's own caveat)."""
    if not isinstance(tr, Translator):
        tr = translator(tr)
    if isinstance(item, str):
        return item
    if not isinstance(item, Message):
        item = Message.from_dict(item)
    spec = MESSAGES.get(item.code)
    if spec is None:  # a message of a newer version: show the code, never fail
        return item.code
    params = {k: _format(v, spec.formats.get(k, "text"), tr) for k, v in item.params.items()}
    if spec.plural is not None:
        text = tr.ngettext(spec.msgid, spec.plural, int(item.params[spec.count]))
    else:
        text = tr.gettext(spec.msgid)
    return text % params if params else text


# --- the engine's messages -----------------------------------------------------------
# Cluster mapping (klaster.mapping.MappingResult.caveats)
define("allocation.split", N_(
    "%(jobs)s jobs (%(share)s of employment) are in %(codes)s industry code that the "
    "concordance splits over several clusters; they are allocated in fixed shares."),
    plural=N_(
    "%(jobs)s jobs (%(share)s of employment) are in %(codes)s industry codes that the "
    "concordance splits over several clusters; they are allocated in fixed shares."),
    count="codes", jobs="num", share="pct", codes="num")
define("allocation.unmapped", N_(
    "%(jobs)s jobs (%(share)s) are in %(codes)s industry code that belongs to no cluster "
    "and is left out of every cluster."), plural=N_(
    "%(jobs)s jobs (%(share)s) are in %(codes)s industry codes that belong to no cluster "
    "and are left out of every cluster."),
    count="codes", jobs="num", share="pct", codes="num")
# Code levels (klaster.mapping._level_caveats)
define("level.other_codes", N_(
    "%(employment)s jobs in %(n_codes)s industry code at another level than the cluster "
    "definitions were left out, so that no job is counted twice (e.g. a section beside "
    "its divisions)."), plural=N_(
    "%(employment)s jobs in %(n_codes)s industry codes at other levels than the cluster "
    "definitions were left out, so that no job is counted twice (e.g. a section beside "
    "its divisions)."), count="n_codes", employment="num", n_codes="num")
define("level.division", N_(
    "Cluster definitions at NACE division level: a division holds industries of several "
    "clusters, so each cluster gets a fixed share of the division in every region. "
    "Measured on US data (CBP 2021): %(shared_share)s of cluster employment sits in "
    "divisions shared by several clusters; the division route assigns %(moved_division)s "
    "of employment to another cluster of the same region (%(moved_class)s with NACE "
    "classes), and for the median cluster %(moved_median)s of its employment lands in "
    "other regions than with detailed codes. National totals are unchanged. Compare "
    "regions within a cluster with care."),
    shared_share="pct0", moved_division="pct", moved_class="pct", moved_median="pct0")
define("boundaries.attribution", N_("Boundaries: %(source)s."))
define("loading.warnings", N_("Warnings while loading: %(counts)s."), counts="issues")
define("demo.cbp", N_(
    "Demo data: CBP 2021 extract without DC; Louisiana, Missouri, Oklahoma and Utah have "
    "partial coverage, so their figures are understated."))
define("demo.eurostat", N_(
    "Demo data: Eurostat regional structural business statistics (sbs_r_nuts06_r2; "
    "Source: Eurostat, CC BY 4.0): persons employed and local units by NUTS 2 region and "
    "NACE division, EU28, 2008–2015; the location quotients compare each region with all "
    "EU28 NUTS 2 regions. Regions are recoded to NUTS 2021 (Podlaskie PL34 → PL84; "
    "Mazowieckie kept whole as PL91+PL92). Only Poland's voivodeships are drawn on the map; "
    "the other regions are in the tables."))
define("opportunities.none", N_("No opportunities: %(reason)s"))
# Options of a run (MappingResult.options), shown under "How this report was produced"
define("option.denominator.total", N_("all employment of the region (all clusters)"))
define("option.denominator.type",
       N_("employment of the clusters of the same type (traded or local)"))
define("option.reference.explicit", N_("explicit reference table"))
define("option.reference.sum", N_("sum of the regions in the table"))
define("option.stars", N_(
    "size top %(size)s, specialisation LQ ≥ %(lq)s, focus top %(focus)s"),
    size="pct0", lq="num1", focus="pct0")

# Names of the IssueLog kinds (klaster.errors.DataIssue.kind) for the loading summary;
# a kind not listed here is shown by its code.
ISSUE_KINDS: dict[str, str] = {
    "suppressed": N_("values not published"),
    "missing": N_("values not available"),
    "imputed": N_("imputed values"),
    "not_imputed": N_("values left empty"),
    "unknown_code": N_("unknown industry codes"),
    "unknown_region": N_("unknown region codes"),
    "recoded_regions": N_("region codes recoded"),
    "unmapped_code": N_("industry codes in no cluster"),
    "partially_mapped": N_("industry codes partly in no cluster"),
    "default_share": N_("shares set by default"),
    "default_cluster_name": N_("cluster names missing"),
    "unmapped_indicator": N_("indicators not used"),
    "aggregate_code": N_("aggregate codes left out"),
    "breakdown_rows": N_("breakdown rows left out"),
    "layout": N_("file layout notes"),
    "zero_employment": N_("rows without employment"),
    "unpublished": N_("values not published"),
}

# The assessment engine's messages live in their own module (imported here so that
# rendering a stored assessment needs only klaster.messages).
from klaster import assessment_messages as _assessment_messages  # noqa: E402,F401
