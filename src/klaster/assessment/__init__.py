"""Cluster assessment: rubrics as versioned data, the scoring engine and KPI monitoring.

Framework-free: rubrics are YAML files (built-ins in ``klaster/assessment/rubrics``),
inputs are plain value mappings and the registry tables of
:mod:`klaster.registry_tables`. See docs/assessment.md.
"""

from klaster.assessment.engine import (
    AreaResult,
    AssessmentResult,
    Consensus,
    CriterionResult,
    GateResult,
    Spread,
    assess,
    coerce_value,
    consensus,
)
from klaster.assessment.peers import peer_percentiles
from klaster.assessment.registry import (
    KPI_KEYS,
    REGISTRY_INDICATORS,
    kpi_snapshot,
    registry_indicators,
)
from klaster.assessment.rubric import (
    Area,
    Band,
    Criterion,
    Gate,
    IndicatorSpec,
    Level,
    Rubric,
    RubricError,
    RubricInfo,
    Source,
    Threshold,
    list_rubrics,
    load_rubric,
    parse_rubric,
    validity,
)

__all__ = [
    "KPI_KEYS", "REGISTRY_INDICATORS", "Area", "AreaResult", "AssessmentResult", "Band",
    "Consensus", "Criterion", "CriterionResult", "Gate", "GateResult", "IndicatorSpec",
    "Level", "Rubric", "RubricError", "RubricInfo", "Source", "Spread", "Threshold",
    "assess", "coerce_value", "consensus", "kpi_snapshot", "list_rubrics", "load_rubric",
    "parse_rubric", "peer_percentiles", "registry_indicators", "validity",
]
