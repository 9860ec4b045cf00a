"""Cluster assessment: rubrics as versioned data, the scoring engine and KPI monitoring.

Framework-free: rubrics are YAML files (built-ins in ``klaster/assessment/rubrics``),
inputs are plain value mappings and the registry tables of
:mod:`klaster.registry_tables`. See docs/assessment.md.
"""

# Names load on first use (klaster._lazy): importing the package stays cheap, so a
# command pays only for the modules it runs.
from klaster._lazy import attach

__all__ = attach(__name__, {
    "engine": [
        "AreaResult", "AssessmentResult", "Consensus", "CriterionResult", "GateResult", "Spread",
        "assess", "coerce_value", "consensus",
    ],
    "peers": ["peer_percentiles"],
    "registry": ["KPI_KEYS", "REGISTRY_INDICATORS", "kpi_snapshot", "registry_indicators"],
    "rubric": [
        "Area", "Band", "Criterion", "Gate", "IndicatorSpec", "Level", "Rubric", "RubricError",
        "RubricInfo", "Source", "Threshold", "list_rubrics", "load_rubric", "parse_rubric",
        "validity",
    ],
})
