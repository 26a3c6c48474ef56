"""The catalogue's pure rules: lists per level, who applies, approval paths per profile, what can
never be admitted, temporary admission, forced exit and the version diff. No database."""

from __future__ import annotations

from datetime import date

import pytest

from gridgov.catalogue import rules
from gridgov.policy.loader import load_profile


@pytest.fixture(scope="module")
def cat():
    return {name: load_profile(name).catalogue for name in ("zhenjiang", "luzhou", "qinzhou", "jiangmen", "jiangsu")}


@pytest.mark.req("C1")
@pytest.mark.setting("catalogue.city_lists", "catalogue.county_lists", "catalogue.county_follows_city")
def test_each_profile_names_the_lists_of_each_level(cat):
    assert rules.list_kinds(cat["zhenjiang"], "city") == ["basic", "admission", "negative"]
    assert rules.list_kinds(cat["zhenjiang"], "county") == ["matters"]
    assert rules.followed_kind(cat["zhenjiang"]) == "basic"
    assert rules.list_kinds(cat["luzhou"], "city") == [] and rules.list_kinds(cat["luzhou"], "county") == ["matters"]
    assert rules.followed_kind(cat["luzhou"]) is None
    assert rules.list_kinds(cat["qinzhou"], "city") == ["matters"] and rules.list_kinds(cat["qinzhou"], "county") == []
    assert rules.followed_kind(cat["jiangmen"]) == "directory"
    assert rules.list_kinds(cat["zhenjiang"], "town") == []


@pytest.mark.req("C2")
@pytest.mark.setting("catalogue.admission_approved_by", "catalogue.exit_approved_by")
def test_the_party_committee_or_government_decides_under_zhenjiang_and_the_agency_records_it(cat):
    path = rules.approval_path(cat["zhenjiang"], rules.ADMISSION)
    assert path.approver == "party_committee_or_government" and path.records_decision and not path.experts_required
    assert [s.code for s in path.steps] == ["submitted", "reviewed", "approved"]
    assert "同级党委或者政府" in path.steps[-1].label and "登记" in path.steps[-1].label
    assert rules.decision_problem(path, "", "", approve=True) == "请填写同级党委或者政府的批准（或不予批准）文件文号"
    assert rules.decision_problem(path, "镇委办〔2026〕3号", "", approve=True) is None
    assert rules.approval_path(cat["zhenjiang"], rules.EXIT).records_decision


@pytest.mark.req("C1", "C2")
@pytest.mark.setting("catalogue.expert_review", "catalogue.admission_approved_by")
def test_luzhou_needs_expert_opinions_and_the_county_government(cat):
    path = rules.approval_path(cat["luzhou"], rules.ADMISSION)
    assert path.approver == "county_government" and path.records_decision and path.experts_required
    assert "专家" in path.steps[1].label
    assert "专家" in rules.review_problem(path, [])
    assert rules.review_problem(path, [{"expert": "王教授", "opinion": "同意纳入"}]) is None


@pytest.mark.req("C2")
@pytest.mark.setting("catalogue.admission_approved_by")
def test_the_agency_decides_itself_under_qinzhou_and_jiangmen(cat):
    for name in ("qinzhou", "jiangmen"):
        path = rules.approval_path(cat[name], rules.ADMISSION)
        assert not path.records_decision and not path.experts_required
        assert rules.decision_problem(path, "", "", approve=True) is None
        assert rules.decision_problem(path, "", "", approve=False) == "不予批准时请写明理由"
        assert rules.review_problem(path, []) is None


def test_steps_follow_one_another(cat):
    assert rules.step_problem(rules.REVIEW, "submitted") is None
    assert rules.step_problem(rules.APPROVE, "submitted") == "申请须先经审核才能批准"
    assert rules.step_problem(rules.APPROVE, "reviewed") is None
    assert rules.step_problem(rules.REFUSE, "submitted") is None
    assert rules.step_problem(rules.REFUSE, "approved")
    assert rules.step_problem(rules.REVIEW, "refused")


@pytest.mark.req("C2")
@pytest.mark.setting("catalogue.admission_applicants")
def test_who_may_apply(cat):
    zj, jm = cat["zhenjiang"], cat["jiangmen"]
    assert rules.applicant_problem(zj, rules.ADMISSION, "department", same_area=True) is None
    assert "本级" in rules.applicant_problem(zj, rules.ADMISSION, "department", same_area=False)
    assert rules.applicant_problem(zj, rules.ADMISSION, "town_agency", same_area=True)
    assert rules.applicant_problem(jm, rules.ADMISSION, "town_agency", same_area=True) is None
    assert rules.applicant_problem(zj, rules.ADMISSION, "agency", same_area=True)
    assert rules.applicant_problem(zj, rules.EXIT, "agency", same_area=True) is None  # ZJ§8
    assert rules.applicant_problem(zj, rules.ADMISSION, None, same_area=False)
    assert "无效" in rules.applicant_problem(zj, "bogus", "department", same_area=True)


@pytest.mark.setting("catalogue.forbidden_power_types")
@pytest.mark.req("C4")
@pytest.mark.parametrize("power", ["licensing", "penalty", "compulsion"])
def test_the_profile_alone_keeps_licensing_penalty_and_compulsion_off_the_lists(cat, power):
    """LZ§15 and JS§16 say it, and the refusal cites them; ZJ, QZ and JM are silent, so their profiles
    keep the same types off as a local default and the refusal says so, citing no article. A profile
    that names none admits them: nothing is hard-coded on top of the profile."""
    cites = {"luzhou": "LZ§15", "jiangsu": "JS§16"}
    for name, catalogue in cat.items():
        source = load_profile(name).source_of("catalogue.forbidden_power_types")
        reason = rules.power_type_problem(catalogue, power, "matters", source)
        assert reason and ("不纳入" in reason or "不得纳入" in reason), name
        if name in cites:
            assert f"（{cites[name]}）" in reason and "依法" in reason, name
        else:
            assert "本地设置" in reason and "§" not in reason and "依法" not in reason, name
        assert rules.power_type_problem(catalogue, power, "negative", source) is None  # the negative list names them
        silent = catalogue.model_copy(update={"forbidden_power_types": [p for p in ("licensing", "penalty",
                                                                                    "compulsion") if p != power]})
        assert rules.power_type_problem(silent, power, "matters", source) is None, name
    assert rules.power_type_problem(cat["zhenjiang"], "none", "basic") is None
    assert "无效" in rules.power_type_problem(cat["zhenjiang"], "tax", "basic")


@pytest.mark.req("C2")
@pytest.mark.setting("catalogue.temporary_admission", "catalogue.temporary_requires_end_date")
def test_temporary_admission_only_where_the_profile_allows_it_with_an_end_date(cat):
    today = date(2026, 3, 1)
    assert "未规定临时纳入" in rules.temporary_problem(cat["zhenjiang"], date(2026, 4, 1), today, "matters")
    assert "明确纳入期限" in rules.temporary_problem(cat["qinzhou"], None, today, "matters")
    assert "早于今天" in rules.temporary_problem(cat["qinzhou"], date(2026, 2, 1), today, "matters")
    assert rules.temporary_problem(cat["qinzhou"], date(2026, 4, 1), today, "matters") is None


@pytest.mark.req("C3")
@pytest.mark.setting("catalogue.forced_exit")
def test_forced_exit_only_where_the_profile_allows_it(cat):
    assert rules.forced_exit_problem(cat["qinzhou"]) is None
    assert rules.forced_exit_problem(cat["zhenjiang"])


def test_a_matters_own_limits_must_name_case_limits():
    assert rules.limits_problems({"handling_working_days": 3}) == []
    assert rules.limits_problems(None) == []
    found = rules.limits_problems({"handling_working_days": 0, "bogus": 1, "warning_ratio": 1.5})
    assert len(found) == 3


def test_generated_codes():
    assert rules.generated_code("321102000000", "matters", 7) == "321102-M-007"
    assert rules.generated_code("321100000000", "basic", 12) == "321100-B-012"


def test_the_diff_of_two_versions():
    a = [{"code": "A", "name": "甲", "on_site": False, "admitted_on": "2026-01-01"},
         {"code": "B", "name": "乙", "on_site": False},
         {"code": "C", "name": "丙", "on_site": False, "admitted_on": "2026-01-01"}]
    b = [{"code": "A", "name": "甲", "on_site": True, "admitted_on": "2026-02-01"},
         {"code": "C", "name": "丙", "on_site": False, "admitted_on": "2026-02-01"},
         {"code": "D", "name": "丁"}]
    d = rules.diff(a, b)
    assert [m["code"] for m in d.added] == ["D"] and [m["code"] for m in d.removed] == ["B"]
    assert [(c.code, c.fields, c.before, c.after) for c in d.changed] == [("A", ("on_site",), {"on_site": False},
                                                                          {"on_site": True})]
    assert rules.diff(a, a).empty and not d.empty
