"""The assessment engine's messages for people (klaster.assessment.engine explanations).

Declared here, beside klaster.messages (which imports this module), so that the engine
returns codes + parameters (:class:`klaster.messages.Message`) and every shell — the CLI
``klaster assess --language``, the platform's assessment pages and its HTML/PDF report —
renders them in the reader's language from the one engine catalogue
(src/klaster/locale/<lang>/LC_MESSAGES/django.po).

Rubric content (gate, area, criterion and level names, indicator labels and units) is
passed as "term": a text the engine catalogue holds is translated — the labels klaster
gives to registry indicators (klaster.assessment.registry) and the names, notes and
assumptions of the built-in rubrics (klaster.assessment.terms, added to the catalogue by
scripts/update_engine_catalogue.py) — and any other text, e.g. a user's own rubric,
is shown as written.
"""

from __future__ import annotations

from klaster.i18n import N_
from klaster.messages import define

# --- parts of sentences (nested as "msg"/"msgs"/"any" parameters) ----------------------
define("assess.required", N_("%(op)s %(value)s"), value="value")
define("assess.required.eq", N_("%(value)s"), value="value")
define("assess.condition", N_("%(indicator)s %(value)s (required %(required)s)"),
       indicator="term", value="value", required="msg")
define("assess.band.between", N_("%(min)s ≤ x < %(max)s%(unit)s"),
       min="value", max="value", unit="unit")
define("assess.band.min", N_("x ≥ %(min)s%(unit)s"), min="value", unit="unit")
define("assess.band.max", N_("x < %(max)s%(unit)s"), max="value", unit="unit")
define("assess.band.next", N_("≥ %(min)s"), min="value")
define("assess.band.next.outside", N_("a value outside this band"))
define("assess.criterion.name", N_("%(criterion)s [%(area)s]"), criterion="term",
       area="term")
define("assess.criterion.name.mandatory", N_("%(criterion)s [%(area)s] (mandatory)"),
       criterion="term", area="term")
define("assess.criterion.name.mandatory_in",
       N_("%(criterion)s [%(area)s] (mandatory in the %(phase)s phase)"), phase="term",
       criterion="term", area="term")
define("assess.criterion.name.optional_in",
       N_("%(criterion)s [%(area)s] (optional in the %(phase)s phase)"), phase="term",
       criterion="term", area="term")
define("assess.reason.gate", N_("a gate is not passed"))
define("assess.reason.mandatory", N_("a mandatory criterion is not met"))
define("assess.reason.pass_mark", N_("%(percent)s %% is below the pass mark of "
                                     "%(pass_percent)s %%"),
       percent="num2", pass_percent="value")
define("assess.reason.lowest_level", N_("%(percent)s %% is below the lowest level "
                                        "(%(level)s, %(min_percent)s %%)"),
       percent="num2", min_percent="value", level="term")

# --- explanation lines -----------------------------------------------------------------
define("assess.no_phase", N_("No lifecycle phase given: only criteria mandatory in every "
                             "phase are treated as mandatory."))
define("assess.phase_unused", N_("This rubric has no phase rules; the phase '%(phase)s' "
                                 "changes nothing."), phase="term")
define("assess.gate.passed", N_("Gate '%(gate)s' passed: %(conditions)s."),
       gate="term", conditions="any")
define("assess.gate.failed", N_("Gate '%(gate)s' failed: %(conditions)s."),
       gate="term", conditions="any")
define("assess.gate.failed.short", N_("Gate '%(gate)s' failed: %(conditions)s; short by "
                                      "%(gap)s."), gate="term", conditions="any", gap="value")
define("assess.gate.missing", N_("Gate '%(gate)s' cannot be decided: no value for "
                                 "%(indicators)s."), gate="term", indicators="terms")
define("assess.criterion.missing", N_("%(name)s: no value for %(indicator)s → 0 of "
                                      "%(max)s points withheld."),
       name="msg", indicator="term", max="value")
define("assess.criterion.missing.record", N_("%(name)s: no value for %(indicator)s → not "
                                             "recorded."), name="msg", indicator="term")
define("assess.criterion.recorded", N_("%(name)s: %(value)s recorded for the benchmarking "
                                       "profile."), name="msg", value="value")
define("assess.criterion.outside", N_("%(name)s: %(value)s is outside every scoring band → "
                                      "0 of %(max)s points."),
       name="msg", value="value", max="value")
define("assess.criterion.band", N_("%(name)s: %(value)s falls in the band %(band)s → "
                                   "%(points)s of %(max)s points."),
       name="msg", value="value", band="msg", points="value", max="value")
define("assess.criterion.band.withheld", N_(
    "%(name)s: %(value)s falls in the band %(band)s → %(points)s of %(max)s points "
    "(%(withheld)s withheld: a higher band needs %(next)s)."),
    name="msg", value="value", band="msg", points="value", max="value", withheld="value",
    next="msg")
define("assess.criterion.met", N_("%(name)s: %(value)s (required %(required)s: met) → "
                                  "%(points)s of %(max)s points."),
       name="msg", value="value", required="msg", points="value", max="value")
define("assess.criterion.not_met", N_("%(name)s: %(value)s (required %(required)s: not "
                                      "met) → %(points)s of %(max)s points."),
       name="msg", value="value", required="msg", points="value", max="value")
define("assess.area", N_("Area '%(area)s': %(points)s of %(max)s points."),
       area="term", points="value", max="value")
define("assess.area.score", N_("Area '%(area)s': %(points)s of %(max)s points "
                               "(%(score)s %%)."),
       area="term", points="value", max="value", score="num1")
define("assess.area.score.weight", N_("Area '%(area)s': %(points)s of %(max)s points "
                                      "(%(score)s %%, weight %(weight)s)."),
       area="term", points="value", max="value", score="num1", weight="value")
define("assess.total", N_("Total: %(total)s of %(max)s points, %(percent)s %%."),
       total="value", max="value", percent="num2")
define("assess.mandatory_not_met", N_("Mandatory criterion '%(criterion)s' is not met."),
       criterion="term")
define("assess.passed", N_("Passed."))
define("assess.passed.level", N_("Passed: level %(level)s."), level="term")
define("assess.not_passed", N_("Not passed: %(reasons)s."), reasons="msgs")
define("assess.missing_inputs", N_("Missing inputs: %(indicators)s."), indicators="terms")

# Words of the result that the shells show beside the explanation.
PHASES = {"embryonic": N_("embryonic"), "development": N_("development"),
          "maturity": N_("maturity")}
STATUS = {"passed": N_("passed"), "failed": N_("failed"), "missing": N_("missing"),
          "scored": N_("scored"), "recorded": N_("recorded")}
# Units of registry indicators (shown after a number in a band, and beside the indicator
# on the platform's pages; "EUR" is a currency code) and the one KPI not from the registry.
UNITS = {"years": N_("years"), "persons": N_("persons"), "FTE": N_("FTE"),
         "count": N_("count"), "share": N_("share"), "yes/no": N_("yes/no")}
KPI_NETWORK_DENSITY = N_("Network density")

# --- partner suggestions (klaster.matchmaking.suggest reasons) --------------------------
# Helix nouns and request cues are passed as "term" (klaster.matchmaking.suggest.HELIX_NOUN,
# CUE_LABEL); industry codes, countries, regions and the shared words are data.
define("match.cue.seek", N_("seeks %(what)s; candidate is %(noun)s"), what="term",
       noun="term")
define("match.cue.offer", N_("offers %(what)s; candidate is %(noun)s"), what="term",
       noun="term")
define("match.helix", N_("%(own)s and %(noun)s complement each other (helix %(fit)s)"),
       own="term", noun="term", fit="num1")
define("match.same_industry", N_("same industry %(code)s"))
define("match.same_division", N_("industries %(a)s and %(b)s are in the same division"))
define("match.related", N_("industries %(a)s and %(b)s are related (proximity %(p)s)"),
       p="num2")
define("match.wanted_country", N_("in %(country)s, a country the request asks for"))
define("match.same_region", N_("same region %(region)s"))
define("match.same_country", N_("same country %(country)s"))
define("match.both_mention", N_("both mention %(terms)s"))
define("match.wording", N_("similar wording (text similarity %(cosine)s)"), cosine="num2")
define("match.candidate", N_("candidate is %(noun)s (helix fit %(fit)s)"), noun="term",
       fit="num1")
define("match.request.offers", N_("its open request offers what this one seeks"))
define("match.request.seeks", N_("its open request seeks what this one offers"))
