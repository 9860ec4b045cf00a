"""The words of a rubric that people read, for the engine catalogue.

The engine passes rubric content (gate, area, criterion and level names) to its
messages as "term" parameters (klaster.assessment_messages), and the platform shows
titles, names, notes and assumptions through the ``engine_term`` filter: a text that
the engine catalogue (src/klaster/locale/<lang>/LC_MESSAGES/django.po) holds is
translated, any other text (a user's own rubric) is shown as written.

:func:`builtin_terms` lists those texts for the built-in rubrics;
scripts/update_engine_catalogue.py adds them to the catalogue and the completeness test
(tests/reports/test_i18n.py) then requires their translations. The source citation and
source note are not listed (bibliographic text, shown as written).
"""

from __future__ import annotations

from klaster.assessment.rubric import Rubric, list_rubrics, load_rubric


def rubric_terms(rubric: Rubric) -> list[str]:
    """Title, assumptions, indicator labels, units, descriptions and evidence,
    gate/area/criterion/level names and their notes, in rubric order, without repeats."""
    out: list[str] = []

    def add(text):
        if text and text.strip() and text not in out:
            out.append(text)

    add(rubric.title)
    for a in rubric.assumptions:
        add(a)
    for spec in rubric.indicators:
        add(spec.label)
        add(spec.unit)
        add(spec.description)
        add(spec.evidence)
    for gate in rubric.gates:
        add(gate.label)
        add(gate.note)
    for area in rubric.areas:
        add(area.label)
        add(area.note)
        for crit in area.criteria:
            add(crit.label)
            add(crit.note)
    for level in rubric.levels:
        add(level.name)
        add(level.note)
    return out


def builtin_terms() -> list[str]:
    """:func:`rubric_terms` of every built-in rubric (klaster/assessment/rubrics)."""
    out: list[str] = []
    for info in list_rubrics():
        for text in rubric_terms(load_rubric(info.path)):
            if text not in out:
                out.append(text)
    return out
