"""The payload each action of a case's lifecycle requires (:mod:`gridgov.cases.payload`), from the brief's
action table (split from test_case_workflow.py, which checks the states and actors)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gridgov.cases.payload import REQUIRED_FIELDS, validate_payload
from gridgov.cases.workflow import CaseAction

T0 = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)



# --- required fields -------------------------------------------------------------------------------

REQUIRED = {
    "reject": {"reason"},
    "return": {"reason"},
    "rework": {"reason"},
    "dispatch": {"lead_department"},
    "decide": {"lead_department"},
    "solve_on_site": {"result"},
    "handle": {"result"},
    "feedback": {"evaluation"},
    "request_extension": {"days", "reason"},
}
"""From the brief; the module may require more of other actions (pass_up, raise_dispute …)."""


@pytest.mark.parametrize("action", sorted(REQUIRED))
def test_an_empty_payload_names_each_required_field(action):
    problems = validate_payload(action, {})
    required = {f.name for f in REQUIRED_FIELDS[CaseAction(action)] if f.required}
    assert REQUIRED[action] <= required
    assert len(problems) == len(required)
    assert all(p.startswith("请填写") for p in problems)


def test_blank_text_is_missing():
    assert validate_payload("reject", {"reason": "   "}) == ["请填写理由"]
    assert validate_payload("reject", {"reason": "重复上报"}) == []


def test_actions_without_fields_take_any_payload():
    assert validate_payload("verify", {}) == []
    assert validate_payload("check", {"note": "已核查"}) == []


@pytest.mark.req("D5")
def test_dispatch_names_one_lead_and_distinct_assisting_departments():
    assert validate_payload("dispatch", {"lead_department": "321102-cg"}) == []
    ok = {"lead_department": "321102-cg", "assisting_departments": ["321102-sc", "321102-ga"]}
    assert validate_payload("dispatch", ok) == []
    both = {"lead_department": "321102-cg", "assisting_departments": ["321102-cg"]}
    assert validate_payload("dispatch", both) == ["牵头部门不能同时是协办部门"]
    twice = {"lead_department": "a", "assisting_departments": ["b", "b"]}
    assert validate_payload("dispatch", twice) == ["协办部门有重复"]


@pytest.mark.req("D6")
def test_feedback_takes_one_of_the_three_evaluations():
    for value in ("satisfied", "basically_satisfied", "unsatisfied"):
        assert validate_payload("feedback", {"evaluation": value}) == []
    assert validate_payload("feedback", {"evaluation": "great"}) == ["评价应为：满意、基本满意、不满意"]


@pytest.mark.setting("cases.limits.extension_working_days")
def test_extension_days_are_a_positive_whole_number_within_the_profile():
    base = {"reason": "需协调施工单位"}
    assert validate_payload("request_extension", base | {"days": 5}, max_extension_days=5) == []
    assert validate_payload("request_extension", base | {"days": 6},
                            max_extension_days=5) == ["每次延期最多 5 个工作日"]
    for bad in (0, -1, "3", True, 2.5):
        assert validate_payload("request_extension", base | {"days": bad}) == ["延期天数（工作日）应为正整数"]


def test_photos_and_attachments_are_content_hashes():
    good = "ab" * 32
    assert validate_payload("solve_on_site", {"result": "已清理", "photos": [good]}) == []
    assert validate_payload("handle",
                            {"result": "已修复", "photos": ["x.jpg"]}) == ["照片无效（应为文件的 SHA-256 摘要）"]
    assert validate_payload("attach", {"attachments": []}) == ["请填写附件"]


def test_a_supervision_order_has_an_aware_due_time_in_the_future():
    now = T0
    ok = {"instruction": "请于三日内办结", "due_at": now + timedelta(days=3)}
    assert validate_payload("supervise", ok, now=now) == []
    assert validate_payload("supervise", ok | {"due_at": now - timedelta(hours=1)},
                            now=now) == ["督办期限应晚于当前时间"]
    assert validate_payload("supervise", ok | {"due_at": datetime(2026, 10, 25)}) == ["督办期限应为带时区的时间"]


@pytest.mark.req("F3")
def test_mediation_payloads_name_the_body_the_parties_the_session_and_the_outcome():
    """Issue 18 (ZJ§17): a party's phone and ID number are checked, and no message repeats what was typed."""
    assert validate_payload("mediate", {}) == ["请填写调解组织", "请填写当事人1姓名", "请填写当事人2姓名"]
    ok = {"body": 3, "party1_name": "张三", "party2_name": "李四"}
    assert validate_payload("mediate", ok) == []
    assert validate_payload("mediate", ok | {"party1_phone": "13812345678", "party2_id_number": "32010219900101123x"
                                             .upper()}) == []
    bad = validate_payload("mediate", ok | {"body": "3", "party1_phone": "138-abc", "party2_id_number": "1234567"})
    assert bad == ["请选择调解组织", "当事人1电话格式不对（只能是数字和“-”）",
                   "当事人2身份证号格式不对（应为 18 位居民身份证号码）"]
    assert not any("1234567" in p or "abc" in p for p in bad)
    assert validate_payload("mediate", ok | {"body": 2**40}) == ["请选择调解组织"]  # beyond any id: no query
    assert validate_payload("record_mediation", {"held_on": "2026-12-07", "place": "调解室", "note": "调解"}) == []
    assert validate_payload("record_mediation", {"held_on": "12/07", "place": "x", "note": "y"}) == [
        "调解日期应为日期，例如 2026-12-07"]
    assert validate_payload("settle", {"agreement": "和解"}) == []
    assert validate_payload("mediation_failed", {"next_route": "court", "reason": "起诉"}) == [
        "后续途径应为：诉讼、仲裁、信访、行政处理、其他途径"]
