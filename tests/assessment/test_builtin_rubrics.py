"""Worked examples for every built-in rubric: a cluster that passes, one that fails a
gate, one exactly on a boundary. Every expected number is worked out by hand in the
comments from the figures of the rubric file (not by re-running the engine)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from klaster.assessment import assess, list_rubrics, load_rubric, validity
from klaster.errors import DataError


def points(result) -> dict[str, float]:
    return {c.key: c.points for c in result.criteria}


def area_points(result) -> dict[str, float]:
    return {a.key: a.points for a in result.areas}


def gate(result, key):
    return next(g for g in result.gates if g.key == key)


def test_builtins_listed_with_source_and_date():
    infos = {i.key: i for i in list_rubrics()}
    assert set(infos) == {"eccp-profile", "kkk-2021", "parp-standards", "esca-bronze",
                          "esca-gold", "hu-accreditation", "by-template"}
    for key, info in infos.items():
        r = load_rubric(key)
        assert info.path.is_file() and r.key == key
        assert r.source.citation and r.source_date
        # every number not in a public source is marked and explained
        for _, c in r.criteria():
            assert not c.assumption or c.note


# --- ECCP profile ---------------------------------------------------------------------

ECCP_OK = {"management_fte": 1.0, "members_committed": 20, "helix_types": 3,
           "website_active": True}


def test_eccp_passes():
    r = assess(load_rubric("eccp-profile"), ECCP_OK)
    # 1 >= 0.5, 20 >= 15, 3 >= 2, website yes: every gate passes
    assert [g.status for g in r.gates] == ["passed"] * 4
    assert r.passed and r.level == "ECCP validated profile"
    assert r.percent is None and r.total is None  # no score, gates only
    # the other alternative of the helix gate is not needed once 3 >= 2 holds, so it is
    # not reported as a missing input
    assert r.missing == []


def test_eccp_fails_committed_members_gate_with_gap():
    r = assess(load_rubric("eccp-profile"), {**ECCP_OK, "members_committed": 14})
    g = gate(r, "committed_members")
    assert g.status == "failed" and g.value == 14 and g.required == 15
    assert g.gap == 1  # 15 - 14
    assert not r.passed and r.level is None
    assert any("short by 1" in line for line in r.explanation_text())


def test_eccp_on_the_boundary():
    # exactly 0.5 FTE and exactly 15 committed members pass (>=); one helix type only,
    # but documented cooperation with public bodies satisfies the any_of gate
    v = {"management_fte": 0.5, "members_committed": 15, "helix_types": 1,
         "public_cooperation_documented": True, "website_active": True}
    r = assess(load_rubric("eccp-profile"), v)
    assert r.passed and gate(r, "management").gap == 0
    # without the cooperation the helix gate fails: 1 < 2, gap 1
    r2 = assess(load_rubric("eccp-profile"), {**v, "public_cooperation_documented": False})
    assert gate(r2, "helix").status == "failed" and gate(r2, "helix").gap == 1
    assert not r2.passed
    # and without saying anything about it the gate cannot be decided
    r3 = assess(load_rubric("eccp-profile"),
                {k: x for k, x in v.items() if k != "public_cooperation_documented"})
    assert gate(r3, "helix").status == "missing"
    assert not r3.passed and r3.missing_mandatory == ["public_cooperation_documented"]


# --- KKK 2021 -------------------------------------------------------------------------

KKK_PASS = {
    "years_in_operation": 5, "members": 60,
    "management_fte": 3.5,  # band >= 3 -> 2
    "reserve_months": 8,  # band [6, 12) -> 1
    "private_income_share": 0.55,  # band >= 0.5 -> 2        resources 5 / 6
    "members_turnover": 300e6,  # >= 250 m -> 2
    "exporters": 12,  # [10, 25) -> 1
    "export_intensity": 0.45,  # >= 0.4 -> 2
    "international_projects": 3,  # >= 3 -> 2              economic 7 / 8
    "members_with_rd": 20,  # >= 15 -> 2
    "joint_rd_projects": 2,  # [1, 3) -> 1
    "ip_rights": 0,  # below 1 -> 0
    "fairs": 4,  # >= 3 -> 2                                knowledge 5 / 8
    "smart_specialisation": True, "dual_education": False,
    "digital_transformation": True, "startup_cooperation": True,  # policy 6 / 8
    "joint_products": 1,  # [1, 3) -> 1
    "missions": 0,  # -> 0                                  customer 1 / 4
}


def test_kkk_passes():
    r = assess(load_rubric("kkk-2021"), KKK_PASS)
    assert area_points(r) == {"resources": 5, "economic_potential": 7, "knowledge": 5,
                              "public_policy": 6, "customer_orientation": 1}
    # equal weights 0.2: 20 × (5/6 + 7/8 + 5/8 + 6/8 + 1/4)
    #   = 20 × (0.833333 + 0.875 + 0.625 + 0.75 + 0.25) = 20 × 3.333333 = 66.6667 %
    assert r.percent == pytest.approx(66.666667, abs=1e-5)
    assert r.total == 24 and r.max_total == 34  # 5+7+5+6+1; 6+8+8+8+4
    assert r.passed and r.level == "Key National Cluster"  # 66.67 >= 60
    assert r.missing == []
    # one explanation per gate and criterion, plus areas, total and the verdict
    assert len(r.explanation) == 2 + 17 + 5 + 1 + 1


def test_kkk_fails_members_gate():
    r = assess(load_rubric("kkk-2021"), {**KKK_PASS, "members": 50})
    g = gate(r, "members")
    assert g.status == "failed" and g.gap == 1  # 51 - 50
    assert r.percent == pytest.approx(66.666667, abs=1e-5)  # still scored
    assert not r.passed and r.level is None
    assert "a gate is not passed" in str(r.explanation[-1])


KKK_BOUNDARY = {
    "years_in_operation": 3, "members": 51,  # gates exactly met
    "management_fte": 3, "reserve_months": 12, "private_income_share": 0.5,  # 2+2+2 = 6/6
    "members_turnover": 250e6, "exporters": 25, "export_intensity": 0.4,
    "international_projects": 3,  # 2+2+2+2 = 8/8 (every value on a band's lower edge)
    "members_with_rd": 5, "joint_rd_projects": 1, "ip_rights": 1, "fairs": 1,  # 4/8
    "smart_specialisation": True, "dual_education": True,
    "digital_transformation": False, "startup_cooperation": False,  # 4/8
    "joint_products": 0, "missions": 0,  # 0/4
}


def test_kkk_exactly_on_the_pass_mark():
    r = assess(load_rubric("kkk-2021"), KKK_BOUNDARY)
    # 20 × (6/6 + 8/8 + 4/8 + 4/8 + 0/4) = 20 × 3 = 60 % = the pass mark
    assert r.percent == 60
    assert r.passed and r.level == "Key National Cluster"
    assert all(g.gap == 0 for g in r.gates)
    # just below the edge of one band: export intensity 0.3999 -> 1 point
    # 20 × (1 + 7/8 + 0.5 + 0.5 + 0) = 20 × 2.875 = 57.5 % < 60
    r2 = assess(load_rubric("kkk-2021"), {**KKK_BOUNDARY, "export_intensity": 0.3999})
    assert r2.percent == pytest.approx(57.5)
    assert not r2.passed and r2.level is None and r2.gates_passed


def test_kkk_missing_evaluator_value_is_an_outcome():
    v = {k: x for k, x in KKK_PASS.items() if k != "fairs"}
    r = assess(load_rubric("kkk-2021"), v)
    assert r.missing == ["fairs"] and r.missing_mandatory == []
    # knowledge loses the 2 fair points: 20 × (5/6 + 7/8 + 3/8 + 6/8 + 1/4) = 61.6667 %
    assert r.percent == pytest.approx(61.666667, abs=1e-5)
    assert any("no value for Joint participation in trade fairs" in x
               for x in r.explanation_text())


# --- PARP standards by phase ----------------------------------------------------------

PARP_DEV = {
    "coordinator_designated": True,
    "strategy_document": True, "governance_rules": True, "monitoring_system": True,  # 3
    "management_fte": 1.0, "reserve_months": 12,  # 2 (12 months exactly)
    "documented_processes": False, "satisfaction_survey": False,  # 0 (mandatory in maturity)
    "services_offered": 3, "activities": 4, "member_retention": 0.5,  # 1 + 1 + 0
    "international_cooperation": False, "joint_projects": 1,  # 0 + 1
}


def test_parp_development_phase_on_the_boundary():
    rub = load_rubric("parp-standards")
    r = assess(rub, PARP_DEV, phase="development")
    # points: 3 + 2 + 0 + 2 + 1 = 8 of 12 standards
    assert r.total == 8 and r.max_total == 12
    # mandatory in development: strategy, governance, monitoring, staff, running costs,
    # services, activity, joint project — all met (running costs exactly 12 months)
    assert r.mandatory_met and r.passed and r.level == "PARP standards met"
    opt = {c.key for c in r.criteria if c.optional_in_phase}
    assert opt == {"processes_documented", "satisfaction", "international"}
    assert any("(optional in the development phase)" in x for x in r.explanation_text())
    # 11.9 months: the mandatory running-cost standard is not met
    r2 = assess(rub, {**PARP_DEV, "reserve_months": 11.9}, phase="development")
    assert not r2.passed and not r2.mandatory_met and r2.total == 7
    assert "a mandatory criterion is not met" in str(r2.explanation[-1])
    # ... which an embryonic cluster does not need (only strategy and governance)
    r3 = assess(rub, {**PARP_DEV, "reserve_months": 11.9}, phase="embryonic")
    assert r3.passed
    # the same cluster judged as mature fails: processes, survey, international not met
    r4 = assess(rub, PARP_DEV, phase="maturity")
    assert not r4.passed
    assert {c.key for c in r4.criteria if c.mandatory and not c.met} == {
        "processes_documented", "satisfaction", "international"}


def test_parp_mature_cluster_passes():
    v = {**PARP_DEV, "documented_processes": True, "satisfaction_survey": True,
         "international_cooperation": True}
    r = assess(load_rubric("parp-standards"), v, phase="maturity")
    assert r.passed and r.total == 11  # 8 + 3; retention 0.5 < 0.8 is optional
    assert r.percent == pytest.approx(11 / 12 * 100)


def test_parp_fails_coordinator_gate():
    r = assess(load_rubric("parp-standards"), {**PARP_DEV, "coordinator_designated": False},
               phase="development")
    assert gate(r, "coordinator").status == "failed" and gate(r, "coordinator").gap is None
    assert not r.passed and r.level is None


def test_parp_without_phase_and_unknown_phase():
    rub = load_rubric("parp-standards")
    r = assess(rub, {**PARP_DEV, "reserve_months": 0}, phase=None)
    # only the always-mandatory strategy and governance count
    assert r.passed and "No lifecycle phase given" in str(r.explanation[0])
    with pytest.raises(DataError, match="phase 'old'"):
        assess(rub, PARP_DEV, phase="old")


# --- Hungarian accreditation ----------------------------------------------------------

HU_PASS = {
    "joint_projects": 4, "activities": 8, "member_retention": 0.8,  # 7 + 5 + 3 = 15/20
    "management_fte": 1.5, "members": 40, "sme_share": 0.8,
    "private_income_share": 0.3,  # 4 + 8 + 6 + 4 = 22/30
    "export_intensity": 0.5, "international_projects": 2,
    "foreign_participants": 10,  # 10 + 4 + 3 = 17/24
    "members_with_rd": 12, "joint_rd_projects": 0, "ip_rights": 5,  # 10 + 0 + 8 = 18/26
}


def test_hu_passes():
    r = assess(load_rubric("hu-accreditation"), HU_PASS)
    assert area_points(r) == {"cooperation": 15, "management": 22, "international": 17,
                              "innovation": 18}
    assert [a.max_points for a in r.areas] == [20, 30, 24, 26]
    # 15 + 22 + 17 + 18 = 72 of 100 -> 72 %
    assert r.total == 72 and r.percent == pytest.approx(72)
    assert r.passed and r.level == "Accredited Innovation Cluster"


def test_hu_fails_members_gate():
    r = assess(load_rubric("hu-accreditation"), {**HU_PASS, "members": 14})
    assert gate(r, "members").gap == 1  # 15 - 14
    # the size criterion also drops: 14 is below the first band (15) -> 72 - 8 = 64
    assert points(r)["size"] == 0 and r.total == 64
    assert not r.passed


def test_hu_exactly_60_points():
    v = {"joint_projects": 6, "activities": 8, "member_retention": 0.85,  # 10+5+5 = 20
         "management_fte": 2, "members": 30, "sme_share": 0.7,
         "private_income_share": 0.4,  # 8 + 8 + 6 + 8 = 30
         "export_intensity": 0.4, "international_projects": 0,
         "foreign_participants": 9,  # 10 + 0 + 0 = 10
         "members_with_rd": 2, "joint_rd_projects": 0, "ip_rights": 0}  # 0
    r = assess(load_rubric("hu-accreditation"), v)
    assert r.total == 60 and r.percent == 60  # 20 + 30 + 10 + 0
    assert r.passed
    r2 = assess(load_rubric("hu-accreditation"), {**v, "foreign_participants": None})
    assert r2.total == 60 and r2.missing == ["foreign_participants"] and r2.passed
    r3 = assess(load_rubric("hu-accreditation"), {**v, "member_retention": 0.84})
    assert r3.total == 58 and not r3.passed  # retention band 3 instead of 5
    assert "below the pass mark of 60 %" in str(r3.explanation[-1])


# --- ESCA Gold ------------------------------------------------------------------------

# every one of the 31 indicators exactly on its threshold (all met)
GOLD_ALL = {
    "benchmarking_completed": True,
    "members": 50, "members_committed": 40, "members_business": 30, "sme_share": 0.5,
    "members_research": 3, "helix_types": 3, "member_retention": 0.9,  # 7
    "years_in_operation": 3, "management_fte": 3, "manager_experience_years": 3,
    "board_meetings": 4, "members_in_governance": 5, "members_participating": 20,
    "legal_entity": True,  # 7
    "private_income_share": 0.3, "reserve_months": 12, "income_member_fees": 50_000,
    "budget": 200_000, "income_services": 20_000,  # 5
    "strategy_document": True, "action_plan": True, "services_offered": 8,
    "activities": 10, "activity_participants": 300, "satisfaction_survey": True,
    "foreign_participants": 20,  # 7
    "joint_projects": 3, "international_projects": 2, "success_stories": 3,
    "media_mentions": 10, "members_with_rd": 10,  # 5
}
SIX_BELOW = ["members", "members_committed", "members_business", "members_research",
             "helix_types", "management_fte"]


def test_gold_all_thresholds_met():
    r = assess(load_rubric("esca-gold"), GOLD_ALL)
    assert r.total == 31 and r.max_total == 31 and r.percent == 100
    assert r.passed and r.level == "Gold"


def test_gold_boundary_25_of_31():
    below = {k: GOLD_ALL[k] - 1 for k in SIX_BELOW}
    # 31 - 6 = 25 met (the other 25 exactly on their thresholds):
    # 25 / 31 = 0.80645 -> 80.65 % >= 80: Gold
    r = assess(load_rubric("esca-gold"), {**GOLD_ALL, **below})
    assert r.total == 25 and r.percent == pytest.approx(2500 / 31)
    assert r.passed and r.level == "Gold"
    # one more below (19 participating members < 20): 24 / 31 = 77.42 % < 80: no label
    r2 = assess(load_rubric("esca-gold"), {**GOLD_ALL, **below, "members_participating": 19})
    assert r2.total == 24 and r2.percent == pytest.approx(2400 / 31)
    assert not r2.passed and r2.level is None
    assert "77.42 % is below the pass mark of 80 %" in str(r2.explanation[-1])


def test_gold_fails_benchmarking_gate():
    r = assess(load_rubric("esca-gold"), {**GOLD_ALL, "benchmarking_completed": False})
    assert r.total == 31 and not r.passed and r.level is None


# --- ESCA Bronze ----------------------------------------------------------------------

BRONZE_CORE = {"benchmarking_completed": True, "members": 40, "members_committed": 30,
               "years_in_operation": 6, "management_fte": 2, "budget": 150_000,
               "strategy_document": True}


def test_bronze_full_profile():
    rub = load_rubric("esca-bronze")
    assert len(rub.criteria()) == 36
    full = {i.key: (True if i.kind == "bool" else 1) for i in rub.indicators}
    r = assess(rub, {**full, **BRONZE_CORE})
    assert r.passed and r.level == "Bronze"
    assert r.percent is None and r.total is None  # a profile, no pass mark
    assert [c.status for c in r.criteria] == ["recorded"] * 36 and r.missing == []


def test_bronze_boundary_core_only():
    # only the six core indicators (and the benchmarking) given: still Bronze, and the
    # other 30 indicators are listed as missing
    r = assess(load_rubric("esca-bronze"), BRONZE_CORE)
    assert r.passed and r.level == "Bronze" and len(r.missing) == 30
    # one core indicator fewer: not passed, named as missing mandatory input
    v = {k: x for k, x in BRONZE_CORE.items() if k != "budget"}
    r2 = assess(load_rubric("esca-bronze"), v)
    assert not r2.passed and r2.missing_mandatory == ["budget"]


def test_bronze_fails_gate():
    r = assess(load_rubric("esca-bronze"), {**BRONZE_CORE, "benchmarking_completed": False})
    assert not r.passed and gate(r, "benchmarking").status == "failed"


# --- Belarus template -----------------------------------------------------------------

BY_PASS = {"years_in_operation": 2, "members": 12,
           "strategy_document": True, "management_fte": 2.5,
           "private_income_share": 0.3,  # 2 + 2 + 1 = 5 / 6
           "helix_types": 3, "activities": 6, "joint_projects": 1,
           "member_satisfaction": 4.2}  # 2 + 2 + 1 + 2 = 7 / 8


def test_by_template_passes_at_top_level():
    r = assess(load_rubric("by-template"), BY_PASS, phase="development")
    # 0.4 × 5/6 × 100 + 0.6 × 7/8 × 100 = 33.3333 + 52.5 = 85.8333 % >= 80
    assert r.percent == pytest.approx(85.833333, abs=1e-5)
    assert r.level == "National cluster of excellence" and r.passed


def test_by_template_boundary_50():
    v = {**BY_PASS, "management_fte": 0.4, "private_income_share": 0.2,  # 2 + 0 + 1 = 3
         "helix_types": 2, "activities": 2, "member_satisfaction": 3}  # 1+1+1+1 = 4
    r = assess(load_rubric("by-template"), v, phase="development")
    # 0.4 × 3/6 × 100 + 0.6 × 4/8 × 100 = 20 + 30 = 50 % = the pass mark
    assert r.percent == 50 and r.passed and r.level == "National cluster"


def test_by_template_fails_gate():
    r = assess(load_rubric("by-template"), {**BY_PASS, "years_in_operation": 0})
    assert gate(r, "operation").gap == 1 and not r.passed


# --- validity, JSON round trip ---------------------------------------------------------


def test_validity():
    # 3 years from 15 June 2021: valid through 14 June 2024
    assert validity(dt.date(2021, 6, 15), load_rubric("kkk-2021")) == dt.date(2024, 6, 14)
    # 2 years from 29 Feb 2020: anniversary 1 Mar 2022, valid through 28 Feb 2022
    assert validity(dt.date(2020, 2, 29), load_rubric("esca-gold")) == dt.date(2022, 2, 28)
    with pytest.raises(DataError, match="no label validity"):
        validity(dt.date(2021, 1, 1), load_rubric("eccp-profile"))


@pytest.mark.parametrize("key,values,phase", [
    ("kkk-2021", KKK_PASS, None), ("parp-standards", PARP_DEV, "development"),
    ("esca-bronze", BRONZE_CORE, None), ("eccp-profile", ECCP_OK, None)])
def test_result_round_trips_through_json(key, values, phase):
    r = assess(load_rubric(key), values, phase=phase)
    text = json.dumps(r.to_dict())
    back = type(r).from_dict(json.loads(text))
    assert back == r
    assert back.rubric_fingerprint == load_rubric(key).fingerprint


def test_values_given_as_text_are_read():
    v = {k: str(x) for k, x in KKK_PASS.items()}
    v["dual_education"] = "no"
    v["smart_specialisation"] = "yes"
    assert assess(load_rubric("kkk-2021"), v).total == 24
    with pytest.raises(DataError, match="not a number"):
        assess(load_rubric("kkk-2021"), {**KKK_PASS, "fairs": "many"})
    with pytest.raises(DataError, match="not yes/no"):
        assess(load_rubric("kkk-2021"), {**KKK_PASS, "dual_education": "perhaps"})
