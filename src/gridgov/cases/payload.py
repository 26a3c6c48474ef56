"""What each action of the lifecycle must carry (reasons, results, departments, evaluation …).

A declarative table (:data:`REQUIRED_FIELDS`) and a pure validator returning Chinese messages, so
that the API, the pages and the CLI refuse the same bad input with the same words. Split from
:mod:`.workflow` only to keep each module short; the table is part of the lifecycle.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gridgov.cases.workflow import EVALUATION_LABELS, CaseAction, Evaluation
from gridgov.kit.params import MAX_ID
from gridgov.models.mediation import NEXT_ROUTE_LABELS, NextRoute


@dataclass(frozen=True)
class FieldRule:
    """One field of an action's payload. ``kind``: text | codes | choice | days | hashes | datetime | area |
    worker (a user id) | professional (a legal professional's id, issue 18) |
    type (a case type's code: text, offered as a choice of the types in use) |
    line (one line of text) | phone | id_number (a party's, issue 18) | date (ISO day) | body (a mediation
    body's id, offered as a choice of the bodies serving the case's place)."""

    name: str
    label: str
    kind: str
    required: bool = True
    choices: tuple[str, ...] = ()
    max_length: int = 2000


_REASON = FieldRule("reason", "理由", "text")
_RESULT = FieldRule("result", "处置结果", "text")
_PHOTOS = FieldRule("photos", "照片", "hashes", required=False)
_LEAD = FieldRule("lead_department", "牵头部门", "text", max_length=40)
_ASSISTING = FieldRule("assisting_departments", "协办部门", "codes", required=False)

EMERGENCY_DEPARTMENT = FieldRule("department", "相关主管部门（紧急事件同时直报）", "text", required=False,
                                 max_length=40)
"""Where the profile sends urgent cases straight to the competent department too (LZ§16): the one the
reporter names when the case's matter records none. The pages offer it only under such a profile."""

REQUIRED_FIELDS: Mapping[CaseAction, tuple[FieldRule, ...]] = {
    CaseAction.ESCALATE: (EMERGENCY_DEPARTMENT, FieldRule("note", "说明", "text", required=False)),
    CaseAction.ALERT: (FieldRule("department", "相关主管部门", "text", max_length=40),
                       FieldRule("note", "说明", "text", required=False)),
    CaseAction.REJECT: (_REASON,),
    CaseAction.SOLVE_ON_SITE: (_RESULT, _PHOTOS),
    CaseAction.PASS_UP: (_REASON, FieldRule("to_area", "提交至", "area", required=False, max_length=12)),
    CaseAction.SOLVE: (_RESULT, _PHOTOS),
    CaseAction.DISPATCH: (_LEAD, _ASSISTING),
    CaseAction.RETURN: (_REASON,),
    CaseAction.RAISE_DISPUTE: (_REASON,),
    CaseAction.DECIDE: (_LEAD, _ASSISTING,
                        FieldRule("deciding_body", "决定机关", "text", required=False, max_length=100),
                        FieldRule("decision_document", "决定文号", "text", required=False, max_length=100)),
    CaseAction.REQUEST_EXTENSION: (FieldRule("days", "延期天数（工作日）", "days"), _REASON),
    CaseAction.REFUSE_EXTENSION: (_REASON,),
    CaseAction.HANDLE: (_RESULT, _PHOTOS),
    CaseAction.REWORK: (_REASON,),
    CaseAction.FEEDBACK: (
        FieldRule("evaluation", "评价", "choice", choices=tuple(Evaluation)),
        FieldRule("note", "说明", "text", required=False),
    ),
    CaseAction.EVALUATE: (
        FieldRule("evaluation", "评价", "choice", choices=tuple(Evaluation)),
        FieldRule("note", "说明", "text", required=False),
    ),
    CaseAction.REOPEN: (_REASON,),
    CaseAction.SUPERVISE: (
        FieldRule("instruction", "督办要求", "text"),
        FieldRule("due_at", "督办期限", "datetime"),
    ),
    CaseAction.COMMENT: (FieldRule("note", "备注内容", "text"), _PHOTOS),
    CaseAction.ATTACH: (FieldRule("attachments", "附件", "hashes"),),
    CaseAction.MERGE: (FieldRule("into", "并入的事件编号", "text", max_length=32),
                       FieldRule("note", "说明", "text", required=False)),
    CaseAction.ASSIST_REPORT: (FieldRule("note", "协办情况", "text"), _PHOTOS),
    CaseAction.ASSIGN: (FieldRule("worker", "指派的网格员", "worker"),
                        FieldRule("note", "说明", "text", required=False)),
    CaseAction.REFER_LEGAL: (FieldRule("professional", "法律服务人员", "professional"),
                             FieldRule("question", "需要咨询的法律问题", "text")),
    CaseAction.LEGAL_OPINION: (FieldRule("opinion", "法律意见", "text", max_length=5000),),
    CaseAction.CLASSIFY: (FieldRule("type", "事件类型", "type", max_length=16),
                          FieldRule("category", "事项（不填取该类型在该网格适用的事项）", "text", required=False,
                                    max_length=32),
                          FieldRule("note", "说明", "text", required=False)),
    # Mediation (issue 18, ZJ§17): the parties' names, phones and ID numbers are sealed by the side effect.
    CaseAction.MEDIATE: (
        FieldRule("body", "调解组织", "body"),
        *(rule for n in (1, 2) for rule in (
            FieldRule(f"party{n}_name", f"当事人{n}姓名", "line", max_length=40),
            FieldRule(f"party{n}_phone", f"当事人{n}电话", "phone", required=False, max_length=20),
            FieldRule(f"party{n}_id_number", f"当事人{n}身份证号", "id_number", required=False, max_length=18))),
        FieldRule("note", "纠纷简况", "text", required=False)),
    CaseAction.RECORD_MEDIATION: (FieldRule("held_on", "调解日期", "date"),
                                  FieldRule("place", "调解地点", "line", max_length=200),
                                  FieldRule("note", "调解情况", "text")),
    CaseAction.SETTLE: (FieldRule("agreement", "调解协议内容", "text"),
                        FieldRule("agreed_on", "协议日期（不填为今天）", "date", required=False)),
    CaseAction.MEDIATION_FAILED: (FieldRule("next_route", "后续途径", "choice", choices=tuple(NextRoute)), _REASON),
}
"""Actions not listed take only an optional note."""

PARTIES = (1, 2)
"""The parties a ``mediate`` names (``party1_*``, ``party2_*``): a dispute has two sides; their name is
required, phone and ID number optional. All three are personal data (sealed by the mediation)."""

_PHONE = re.compile(r"^[0-9][0-9-]{4,19}$")
_ID_NUMBER = re.compile(r"^(?:[0-9]{17}[0-9X]|[0-9]{15})$")


def fields_of(action: CaseAction, profile, *, urgent: bool = True) -> tuple[FieldRule, ...] | None:
    """The fields of an action's form under a profile (None: the action is not listed): the
    emergency department only for an urgent case where the profile sends those straight to one."""
    fields = REQUIRED_FIELDS.get(action)
    if fields is not None and not (urgent and profile.cases.emergency_to_department):
        fields = tuple(f for f in fields if f is not EMERGENCY_DEPARTMENT)
    return fields


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple) and len(value) == 0) or (
        isinstance(value, str) and not value.strip()
    )


def _is_sha256(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def validate_payload(
    action: CaseAction | str,
    payload: Mapping[str, Any],
    *,
    max_extension_days: int | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Chinese messages for everything wrong with an action's payload; empty when it is fine.

    ``max_extension_days`` (the profile's ``extension_working_days``) bounds an extension request;
    ``now`` lets a supervision order's due time be checked to lie in the future.
    """
    action = CaseAction(action)
    problems: list[str] = []
    for rule in REQUIRED_FIELDS.get(action, ()):
        value = payload.get(rule.name)
        if _blank(value):
            if rule.required:
                problems.append(f"请填写{rule.label}")
            continue
        if rule.kind in ("text", "type"):
            if not isinstance(value, str):
                problems.append(f"{rule.label}应为文字")
            elif len(value.strip()) > rule.max_length:
                problems.append(f"{rule.label}太长（最多 {rule.max_length} 个字）")
        elif rule.kind == "codes":
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v.strip() for v in value):
                problems.append(f"{rule.label}应为部门代码列表")
            elif len(set(value)) != len(value):
                problems.append(f"{rule.label}有重复")
        elif rule.kind in ("line", "body", "phone", "id_number", "date"):
            problem = _party_problem(rule, value)
            if problem:
                problems.append(problem)
        elif rule.kind == "choice":
            if value not in rule.choices:
                labels = "、".join(EVALUATION_LABELS.get(c) or NEXT_ROUTE_LABELS.get(c, c) for c in rule.choices)
                problems.append(f"{rule.label}应为：{labels}")
        elif rule.kind == "days":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.append(f"{rule.label}应为正整数")
            elif max_extension_days is not None and value > max_extension_days:
                problems.append(f"每次延期最多 {max_extension_days} 个工作日")
        elif rule.kind == "hashes":
            if not isinstance(value, list | tuple) or not all(_is_sha256(v) for v in value):
                problems.append(f"{rule.label}无效（应为文件的 SHA-256 摘要）")
        elif rule.kind == "area":
            if not isinstance(value, str) or not (value.isascii() and value.isdigit() and len(value) == 12):
                problems.append(f"{rule.label}应为 12 位区域编码")
        elif rule.kind == "professional":
            number = value.strip() if isinstance(value, str) else value
            if isinstance(number, str) and number.isdigit() and number.isascii():
                number = int(number)
            if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 2**31:
                problems.append(f"请选择{rule.label}")
        elif rule.kind == "worker":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.append(f"请选择{rule.label}")
        elif rule.kind == "datetime":
            if not isinstance(value, datetime) or value.tzinfo is None:
                problems.append(f"{rule.label}应为带时区的时间")
            elif now is not None and value <= now:
                problems.append(f"{rule.label}应晚于当前时间")
    if action in (CaseAction.DISPATCH, CaseAction.DECIDE):
        lead, assisting = payload.get("lead_department"), payload.get("assisting_departments") or ()
        if isinstance(lead, str) and isinstance(assisting, list | tuple) and lead in assisting:
            problems.append("牵头部门不能同时是协办部门")
    return problems


def parse_day(value: Any) -> date | None:
    """An ISO day (``2026-12-07``) as a date; None when it is not one."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _party_problem(rule: FieldRule, value: Any) -> str | None:
    """The kinds of the mediation's fields (issue 18). The messages never repeat the value (personal data)."""
    if rule.kind == "body":
        fine = not isinstance(value, bool) and isinstance(value, int) and 1 <= value <= MAX_ID
        return None if fine else f"请选择{rule.label}"
    if rule.kind == "date":
        return None if parse_day(value) is not None else f"{rule.label}应为日期，例如 2026-12-07"
    if not isinstance(value, str):
        return f"{rule.label}应为文字"
    text = value.strip()
    if len(text) > rule.max_length:
        return f"{rule.label}太长（最多 {rule.max_length} 个字）"
    if rule.kind == "phone" and not _PHONE.match(text):
        return f"{rule.label}格式不对（只能是数字和“-”）"
    if rule.kind == "id_number" and not _ID_NUMBER.match(text.upper()):
        return f"{rule.label}格式不对（应为 18 位居民身份证号码）"
    return None
