"""Assessment explanations as messages: stored as codes + parameters, rendered in en, pl,
be and ru from the engine catalogue, old plain-text results still readable."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from typer.testing import CliRunner

from klaster.assessment import REGISTRY_INDICATORS, AssessmentResult, assess, load_rubric
from klaster.i18n import translator
from klaster.messages import MESSAGES, Message, render

from .test_builtin_rubrics import KKK_PASS

LANGS = ("pl", "be", "ru")
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)s|%%")


def _english_fragments() -> set[str]:
    """The fixed English words of every assessment message (the msgid without its
    placeholders): none of them may be left in a translated explanation."""
    out = set()
    for code, spec in MESSAGES.items():
        if not code.startswith("assess."):
            continue
        for part in PLACEHOLDER.split(spec.msgid):
            part = part.strip(" .;:()[]'→≥≤<")
            if re.search(r"[A-Za-z]{3,}", part):
                out.add(part)
    return out


def _results():
    """Results that between them use every kind of explanation line."""
    out = [assess(load_rubric("kkk-2021"), KKK_PASS),
           assess(load_rubric("kkk-2021"), {"years_in_operation": 2, "members": 10}),
           assess(load_rubric("parp-standards"), {"coordinator_designated": True}),
           assess(load_rubric("parp-standards"), {"coordinator_designated": True},
                  phase="development"),
           assess(load_rubric("eccp-profile"), {"members_committed": 14}),
           assess(load_rubric("esca-gold"), {}),
           assess(load_rubric("by-template"), {"years_in_operation": 4}, phase="maturity")]
    return out


@pytest.fixture(scope="module")
def results():
    return _results()


def test_every_explanation_is_a_message_and_round_trips(results):
    for res in results:
        assert all(isinstance(x, Message) for x in res.explanation)
        assert all(isinstance(g.explanation, Message) for g in res.gates)
        assert all(isinstance(c.explanation, Message) for c in res.criteria)
        data = json.loads(json.dumps(res.to_dict()))  # what the platform stores
        assert all(set(x) == {"code", "params"} for x in data["explanation"])
        again = AssessmentResult.from_dict(data)
        assert again == res
        assert again.explanation_text("pl") == res.explanation_text("pl")


def test_english_text_is_unchanged_for_old_callers(results):
    res = results[0]
    text = res.explanation_text()
    assert text == [str(x) for x in res.explanation]
    assert text[0] == ("Gate 'At least 3 years of operation' passed: Years in operation 5 "
                       "(required ≥ 3).")
    assert "Total: " in text[-2] and text[-1].startswith("Passed: level ")


def test_old_results_with_plain_sentences_still_load_and_render(results):
    data = results[1].to_dict()
    data["explanation"] = ["Gate 'X' failed: an old stored sentence."]
    data["gates"][0]["explanation"] = "an old gate sentence"
    old = AssessmentResult.from_dict(data)
    assert old.explanation_text("ru") == ["Gate 'X' failed: an old stored sentence."]
    assert render(old.gates[0].explanation, "pl") == "an old gate sentence"


@pytest.mark.parametrize("lang", LANGS)
def test_no_english_msgid_left_in_a_translated_assessment(results, lang):
    fragments = _english_fragments()
    used = set()
    for res in results:
        for line in res.explanation:
            used.add(line.code)
            text = line.render(lang)
            left = [f for f in fragments if f in text]
            assert not left, (lang, line.code, text, left)
    # the results above exercise the main kinds of line
    assert {"assess.gate.passed", "assess.gate.failed.short", "assess.gate.missing",
            "assess.criterion.band", "assess.criterion.missing", "assess.total",
            "assess.not_passed", "assess.passed.level", "assess.no_phase",
            "assess.area.score.weight", "assess.missing_inputs"} <= used


@pytest.mark.parametrize("lang", LANGS)
def test_registry_indicator_labels_and_descriptions_are_translated(lang):
    tr = translator(lang)
    for key, (label, _unit, description) in REGISTRY_INDICATORS.items():
        assert tr.gettext(label) != label, (lang, key)
        assert tr.gettext(description) != description, (lang, key)


def test_values_in_each_languages_symbols():
    res = assess(load_rubric("eccp-profile"), {"members_committed": 14})
    line = next(x for x in res.explanation if x.code == "assess.gate.failed.short")
    assert "short by 1." in str(line)
    assert "brakuje 1." in line.render("pl")
    area = assess(load_rubric("kkk-2021"), KKK_PASS).explanation[-7]  # 5 of 6 points
    assert str(area) == "Area 'Resources': 5 of 6 points (83.3 %, weight 0.2)."
    assert area.render("ru") == ("Область «Ресурсы» — баллы: 5 из 6 (83,3\u00a0%, "
                                 "вес 0,2).")
    assert area.render("pl") == "Obszar „Zasoby”: 5 z 6 pkt (83,3%, waga 0,2)."


def test_cli_assess_in_polish(tmp_path):
    from klaster.cli import app

    values = tmp_path / "v.yaml"
    values.write_text(yaml.safe_dump({"years_in_operation": 2, "members": 10}),
                      encoding="utf-8")
    r = CliRunner().invoke(app, ["assess", "-r", "kkk-2021", "--values", str(values),
                                 "--language", "pl"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "Niezaliczone" in r.output and "Uzasadnienie punktacji:" in r.output
    assert "Warunek progowy „Co najmniej 3 lata działalności” niespełniony" in r.output
    assert "Razem: 0 z 34 pkt, 0,00%." in r.output
    assert "Not passed" not in r.output and "Explanation" not in r.output
    r = CliRunner().invoke(app, ["assess", "-r", "kkk-2021", "--values", str(values),
                                 "--language", "de"])
    assert r.exit_code == 2


@pytest.mark.parametrize("lang", LANGS)
def test_every_builtin_rubric_name_is_translated(lang):
    """Area, criterion, gate and level names, titles, notes and assumptions of the
    built-in rubrics are in the engine catalogue (klaster.assessment.terms)."""
    from klaster.assessment import list_rubrics
    from klaster.assessment.terms import builtin_terms

    tr = translator(lang)
    names = set()
    for info in list_rubrics():
        rubric = load_rubric(info.path)
        names.add(rubric.title)
        names.update(g.label for g in rubric.gates)
        names.update(lv.name for lv in rubric.levels)
        for area in rubric.areas:
            names.add(area.label)
            names.update(c.label for c in area.criteria)
    assert names <= set(builtin_terms())
    untranslated = sorted(t for t in builtin_terms() if tr.gettext(t) == t and t != "EUR")
    assert not untranslated, (lang, untranslated)


def test_explanation_names_the_criterion_in_the_readers_language():
    res = assess(load_rubric("kkk-2021"), {"years_in_operation": 5, "members": 60})
    line = next(x for x in res.explanation if x.code == "assess.criterion.missing"
                and "Export intensity" in str(x))
    text = line.render("ru")
    assert text.startswith("Экспортная интенсивность [Экономический потенциал]"), text
    assert "Export intensity" not in text and "Economic potential" not in text
    gate = next(x for x in res.explanation if x.code == "assess.gate.passed")
    assert "Не менее 3 лет деятельности" in gate.render("ru")
    assert "Co najmniej 3 lata działalności" in gate.render("pl")
    assert "Не менш за 3 гады дзейнасці" in gate.render("be")


def test_a_users_own_rubric_text_shows_as_written():
    from klaster.assessment import list_rubrics

    path = next(i.path for i in list_rubrics() if i.key == "kkk-2021")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["areas"][1]["label"] = "Mein eigener Bereich"
    data["areas"][1]["criteria"][0]["label"] = "Własne kryterium użytkownika"
    data["gates"][0]["label"] = "Eigene Schwelle"
    from klaster.assessment import parse_rubric

    rubric = parse_rubric(yaml.safe_dump(data, allow_unicode=True), name="own.yaml")
    res = assess(rubric, {"years_in_operation": 5, "members": 60})
    text = "\n".join(res.explanation_text("ru"))
    assert "Eigene Schwelle" in text
    assert "Własne kryterium użytkownika [Mein eigener Bereich]" in text
    assert "Ресурсы" in text  # the built-in names left in place are still translated
