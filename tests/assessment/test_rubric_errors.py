"""Malformed rubric files: every error names the file and the path inside it."""

from __future__ import annotations

import copy

import pytest
import yaml

from klaster.assessment import RubricError, load_rubric, parse_rubric
from klaster.errors import DataError

BASE = {
    "key": "test-1",
    "scheme": "Test scheme",
    "edition": "1",
    "title": "Test rubric",
    "source": {"citation": "Made up for a test"},
    "source_date": "2024-01-01",
    "valid_years": 2,
    "weighting": "weights",
    "indicators": [
        {"key": "members", "provider": "registry"},
        {"key": "fairs", "label": "Fairs", "unit": "count", "provider": "evaluator"},
        {"key": "strategy", "label": "Strategy", "unit": "yes/no", "kind": "bool",
         "provider": "evaluator"},
    ],
    "gates": [{"key": "size", "label": "10 members", "indicator": "members", "value": 10}],
    "areas": [
        {"key": "a", "label": "A", "weight": 0.5, "criteria": [
            {"key": "m", "label": "Members", "indicator": "members",
             "bands": [{"min": 10, "max": 20, "points": 1}, {"min": 20, "points": 2}]},
            {"key": "f", "label": "Fairs", "indicator": "fairs",
             "threshold": {"op": ">=", "value": 2, "points": 1}},
        ]},
        {"key": "b", "label": "B", "weight": 0.5, "criteria": [
            {"key": "s", "label": "Strategy", "indicator": "strategy",
             "threshold": {"op": "==", "value": True, "points": 2}},
        ]},
    ],
    "levels": [{"name": "Silver", "min_percent": 50}, {"name": "Gold", "min_percent": 80}],
}


def bad(mutate) -> str:
    data = copy.deepcopy(BASE)
    mutate(data)
    with pytest.raises(RubricError) as err:
        parse_rubric(yaml.safe_dump(data, sort_keys=False), name="bad.yaml")
    return str(err.value)


def test_base_is_valid():
    r = parse_rubric(yaml.safe_dump(BASE), name="ok.yaml")
    assert r.key == "test-1" and r.max_points == 5
    assert r.indicator("members").label == "Members"  # filled from the registry list


def test_missing_field():
    msg = bad(lambda d: d.pop("title"))
    assert msg == "bad.yaml: title: required field is missing"
    msg = bad(lambda d: d["areas"][1]["criteria"][0].pop("indicator"))
    assert msg == "bad.yaml: areas[1].criteria[0].indicator: required field is missing"


def test_wrong_type():
    msg = bad(lambda d: d.update(valid_years="three"))
    assert msg.startswith("bad.yaml: valid_years: ") and "'three'" in msg
    msg = bad(lambda d: d["areas"][0]["criteria"][0]["bands"][1].update(points="lots"))
    assert msg.startswith("bad.yaml: areas[0].criteria[0].bands[1].points: ")


def test_unknown_field():
    msg = bad(lambda d: d["gates"][0].update(treshold=3))
    assert msg == "bad.yaml: gates[0].treshold: unknown field"


def test_overlapping_bands():
    def mutate(d):
        d["areas"][0]["criteria"][0]["bands"][1]["min"] = 15
    assert bad(mutate) == "bad.yaml: areas[0].criteria[0].bands: bands overlap"


def test_bands_out_of_order_and_empty_band():
    def order(d):
        d["areas"][0]["criteria"][0]["bands"] = [{"min": 20, "max": 30, "points": 2},
                                                 {"min": 10, "max": 20, "points": 1}]
    assert bad(order) == ("bad.yaml: areas[0].criteria[0].bands: bands must be in "
                          "ascending order of min")

    def empty(d):
        d["areas"][0]["criteria"][0]["bands"][0]["max"] = 10
    assert bad(empty) == "bad.yaml: areas[0].criteria[0].bands[0]: min 10 is not below max 10"


def test_weights_not_summing_to_one():
    msg = bad(lambda d: d["areas"][1].update(weight=0.4))
    assert msg == "bad.yaml: areas: area weights sum to 0.9, not 1"


def test_unknown_indicator():
    msg = bad(lambda d: d["areas"][1]["criteria"][0].update(indicator="strategi"))
    assert msg == ("bad.yaml: areas[1].criteria[0].indicator: unknown indicator "
                   "'strategi' (not listed under 'indicators')")
    msg = bad(lambda d: d["gates"][0].update(indicator="size"))
    assert msg.startswith("bad.yaml: gates[0].indicator: unknown indicator 'size'")
    # a registry indicator klaster cannot compute
    msg = bad(lambda d: d["indicators"].append({"key": "patents", "provider": "registry"}))
    assert msg.startswith("bad.yaml: indicators[3].key: 'patents' is not a registry indicator")


def test_duplicate_keys():
    msg = bad(lambda d: d["areas"][1]["criteria"].append(
        {"key": "m", "label": "Again", "indicator": "members",
         "threshold": {"value": 1, "points": 1}}))
    assert msg == "bad.yaml: areas[1].criteria[1].key: duplicate key 'm'"
    msg = bad(lambda d: d["indicators"].append(dict(d["indicators"][1])))
    assert msg == "bad.yaml: indicators[3].key: duplicate key 'fairs'"
    # a YAML mapping key written twice (PyYAML would silently keep the last one)
    text = yaml.safe_dump(BASE, sort_keys=False).replace("edition: '1'\n",
                                                         "edition: '1'\nedition: '2'\n")
    with pytest.raises(RubricError) as err:
        parse_rubric(text, name="dup.yaml")
    assert str(err.value) == "dup.yaml, line 4: edition: key 'edition' is given twice"


def test_level_order():
    msg = bad(lambda d: d["levels"].reverse())
    assert msg == ("bad.yaml: levels[1].min_percent: levels must be in ascending order of "
                   "min_percent (50 after 80)")


def test_threshold_kind_mismatch_and_assumption_without_note():
    msg = bad(lambda d: d["areas"][1]["criteria"][0]["threshold"].update(value=3))
    assert msg.startswith("bad.yaml: areas[1].criteria[0].threshold.value: indicator "
                          "'strategy' is yes/no")
    msg = bad(lambda d: d["areas"][0].update(assumption=True))
    assert msg == "bad.yaml: areas[0].note: an assumption needs a note saying why"


def test_declared_max_points_and_phases_checked():
    msg = bad(lambda d: d["areas"][0].update(max_points=4))
    assert msg == ("bad.yaml: areas[0].max_points: declared 4 points but the criteria give "
                   "at most 3")
    msg = bad(lambda d: d["areas"][0]["criteria"][1].update(mandatory_in=["growth"]))
    assert msg.startswith("bad.yaml: areas[0].criteria[1].mandatory_in: unknown phase "
                          "'growth'")


def test_criterion_needs_exactly_one_rule():
    msg = bad(lambda d: d["areas"][0]["criteria"][1].update(bands=[{"min": 1, "points": 1}]))
    assert msg.startswith("bad.yaml: areas[0].criteria[1]: a criterion has exactly one of")


def test_not_yaml_and_not_a_mapping():
    with pytest.raises(RubricError, match=r"^x.yaml, line 2: not valid YAML"):
        parse_rubric("key: a\n  - b: [\n", name="x.yaml")
    with pytest.raises(RubricError, match="a rubric file is a mapping"):
        parse_rubric("- 1\n- 2\n", name="x.yaml")


def test_load_from_path_names_the_file(tmp_path):
    data = copy.deepcopy(BASE)
    data["areas"][0]["weight"] = 0.6
    path = tmp_path / "my-scheme.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(RubricError) as err:
        load_rubric(path)
    assert str(err.value).startswith(f"{path}: areas: area weights sum to 1.1")
    assert isinstance(err.value, DataError) and err.value.path == "areas"
    with pytest.raises(RubricError, match="no built-in rubric 'kkk-2099'"):
        load_rubric("kkk-2099")
    with pytest.raises(FileNotFoundError):
        load_rubric(tmp_path / "absent.yaml")


def test_fingerprint_ignores_layout_and_sees_content():
    a = parse_rubric(yaml.safe_dump(BASE, sort_keys=False))
    b = parse_rubric("# a comment\n" + yaml.safe_dump(BASE, sort_keys=True, indent=4))
    assert a.fingerprint == b.fingerprint and len(a.fingerprint) == 64
    changed = copy.deepcopy(BASE)
    changed["areas"][0]["criteria"][1]["threshold"]["value"] = 3
    assert parse_rubric(yaml.safe_dump(changed)).fingerprint != a.fingerprint
