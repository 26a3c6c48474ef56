"""The pure rules of deliberation (议事协商, ZJ§20): its statuses and their moves, the kinds of
participants, how a name shows in a list, and what a decision must carry. No I/O."""

from __future__ import annotations

from gridgov.errors import Conflict, Invalid

STATUS_LABELS = {"open": "协商中", "decided": "已形成决定", "closed": "已结束", "withdrawn": "已撤回"}
MOVES = {"open": {"decided", "closed", "withdrawn"}, "decided": {"closed"}, "closed": set(), "withdrawn": set()}
"""Where each status may go: a topic is decided (with its decision), closed without one, or withdrawn while
it is open; a decided topic is closed when its follow-ups are done. Closed and withdrawn are final."""
KIND_LABELS = {"resident": "居民", "representative": "居民代表", "official": "工作人员"}
FOLLOW_UP_LABELS = {"case": "事件", "task": "工作指令"}
ACTIVE = ("open", "decided")
"""Statuses in which meetings, participants and follow-ups may still be added (follow-ups: decided only)."""
AREA_LEVELS = {12: "村（社区）", 15: "网格"}


def check_move(current: str, target: str) -> None:
    """409 when the topic may not go from ``current`` to ``target``."""
    if target not in STATUS_LABELS:
        raise Invalid(f"状态 {target} 无效，可选：" + "、".join(f"{k}（{v}）" for k, v in STATUS_LABELS.items()),
                      details=[{"field": "status", "error": "取值无效"}])
    if target != current and target not in MOVES.get(current, set()):
        raise Conflict(f"议题{STATUS_LABELS.get(current, current)}，不能改为{STATUS_LABELS[target]}")


def check_decision(decision: str, decided_on) -> None:
    """A decided topic says what was decided and when."""
    if not decision.strip():
        raise Invalid("形成决定须填写决定内容", details=[{"field": "decision", "error": "缺少必填项"}])
    if decided_on is None:
        raise Invalid("形成决定须填写决定日期", details=[{"field": "decided_on", "error": "缺少必填项"}])


def check_area_code(code: str) -> None:
    """A topic belongs to a grid (15 digits) or a village/community (12 digits)."""
    if not code.isdigit() or len(code) not in AREA_LEVELS:
        raise Invalid("议题所属区域应为网格编码（15 位）或村（社区）区划代码（12 位）",
                      details=[{"field": "area_code", "error": "格式不对"}])


def mask_name(name: str) -> str:
    """A resident's name as a list shows it: the family name, then one ``*`` per other character."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    return name[0] + "*" * (len(name) - 1)


def origin_line(deliberation_id: int, topic: str) -> str:
    """How a follow-up case or task names the deliberation it came from (its first file entry shows it)."""
    return f"【来自议事协商 #{deliberation_id}「{topic}」的决定】"
