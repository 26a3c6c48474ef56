"""The words of a case's lifecycle: its states, actions and evaluations, with their Chinese labels.
Pure data; the rules that join them are :mod:`gridgov.cases.workflow` (which re-exports these)."""

from __future__ import annotations

import enum


class CaseState(enum.StrEnum):
    REPORTED = "reported"
    VERIFIED = "verified"
    REJECTED = "rejected"
    ESCALATED = "escalated"
    ACCEPTED = "accepted"
    DISPATCHED = "dispatched"
    RETURNED = "returned"
    DISPUTED = "disputed"
    IN_PROGRESS = "in_progress"
    HANDLED = "handled"
    RESOLVED = "resolved"
    CLOSED = "closed"
    MEDIATING = "mediating"


STATE_LABELS = {
    CaseState.REPORTED: "待核实",
    CaseState.VERIFIED: "已核实",
    CaseState.REJECTED: "不予受理",
    CaseState.ESCALATED: "已上报",
    CaseState.ACCEPTED: "已受理",
    CaseState.DISPATCHED: "已分派",
    CaseState.RETURNED: "已退回",
    CaseState.DISPUTED: "职责争议",
    CaseState.IN_PROGRESS: "处置中",
    CaseState.HANDLED: "已办结待核查",
    CaseState.RESOLVED: "已解决",
    CaseState.CLOSED: "已结案",
    CaseState.MEDIATING: "调解中",
}

TERMINAL_STATES = frozenset({CaseState.REJECTED, CaseState.CLOSED})
"""States where the loop has ended. A closed case may still be reopened after an unsatisfied
evaluation, within a window; a rejected one never moves again."""

OPEN_STATES = frozenset(CaseState) - TERMINAL_STATES


class CaseAction(enum.StrEnum):
    VERIFY = "verify"
    REJECT = "reject"
    SOLVE_ON_SITE = "solve_on_site"
    ESCALATE = "escalate"
    ACCEPT = "accept"
    PASS_UP = "pass_up"
    SOLVE = "solve"
    DISPATCH = "dispatch"
    SIGN = "sign"
    RETURN = "return"
    RAISE_DISPUTE = "raise_dispute"
    DECIDE = "decide"
    REQUEST_EXTENSION = "request_extension"
    GRANT_EXTENSION = "grant_extension"
    REFUSE_EXTENSION = "refuse_extension"
    HANDLE = "handle"
    CHECK = "check"
    REWORK = "rework"
    FEEDBACK = "feedback"
    REOPEN = "reopen"
    SUPERVISE = "supervise"
    COMMENT = "comment"
    ATTACH = "attach"
    ACKNOWLEDGE = "acknowledge"
    ALERT = "alert"
    MERGE = "merge"
    ASSIGN = "assign"
    ASSIST_REPORT = "assist_report"
    EVALUATE = "evaluate"
    CLASSIFY = "classify"
    REFER_LEGAL = "refer_legal"
    LEGAL_OPINION = "legal_opinion"
    MEDIATE = "mediate"
    RECORD_MEDIATION = "record_mediation"
    SETTLE = "settle"
    MEDIATION_FAILED = "mediation_failed"


ACTION_LABELS = {
    CaseAction.VERIFY: "核实",
    CaseAction.REJECT: "不予受理",
    CaseAction.SOLVE_ON_SITE: "现场处置",
    CaseAction.ESCALATE: "上报",
    CaseAction.ACCEPT: "受理",
    CaseAction.PASS_UP: "提交上级",
    CaseAction.SOLVE: "协调解决",
    CaseAction.DISPATCH: "分派",
    CaseAction.SIGN: "签收",
    CaseAction.RETURN: "退回",
    CaseAction.RAISE_DISPUTE: "提请职责争议裁定",
    CaseAction.DECIDE: "裁定职责",
    CaseAction.REQUEST_EXTENSION: "申请延期",
    CaseAction.GRANT_EXTENSION: "同意延期",
    CaseAction.REFUSE_EXTENSION: "不同意延期",
    CaseAction.HANDLE: "办结",
    CaseAction.CHECK: "核查通过",
    CaseAction.REWORK: "返工",
    CaseAction.FEEDBACK: "反馈评价",
    CaseAction.REOPEN: "重新办理",
    CaseAction.SUPERVISE: "督办",
    CaseAction.COMMENT: "备注",
    CaseAction.ATTACH: "补充附件",
    CaseAction.ACKNOWLEDGE: "确认接报",
    CaseAction.ALERT: "直报主管部门",
    CaseAction.MERGE: "合并到已有事件",
    CaseAction.ASSIGN: "指派相邻网格核实",
    CaseAction.ASSIST_REPORT: "报送协办情况",
    CaseAction.EVALUATE: "提出人评价",
    CaseAction.CLASSIFY: "确定事件类型",
    CaseAction.REFER_LEGAL: "转请法律服务",
    CaseAction.LEGAL_OPINION: "出具法律意见",
    CaseAction.MEDIATE: "移交调解",
    CaseAction.RECORD_MEDIATION: "记录调解",
    CaseAction.SETTLE: "达成调解协议",
    CaseAction.MEDIATION_FAILED: "调解不成",
}


class Evaluation(enum.StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


EVALUATION_LABELS = {
    Evaluation.SATISFIED: "满意",
    Evaluation.BASICALLY_SATISFIED: "基本满意",
    Evaluation.UNSATISFIED: "不满意",
}
