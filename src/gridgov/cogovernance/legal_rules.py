"""Pure rules of the register of legal professionals in the grids (法律进网格): what a schedule, a
public contact and a visit must hold, in Chinese (no I/O)."""

from __future__ import annotations

import re
from datetime import date

from gridgov.kit.recurrence import MAX_DATES, NTH_LABELS
from gridgov.models.legal import LEGAL_SERVICE_LABELS, ScheduleRule

PUBLIC_PHONE = re.compile(r"^[0-9][0-9\- ]{5,28}[0-9]$")
"""An office phone as the board prints it: digits, hyphens and spaces (0511-85551234, 12348)."""
SHORT_PHONE = re.compile(r"^[0-9]{5,6}$")
"""A service number (12348 the public legal service hotline)."""


def phone_problem(phone: str) -> str | None:
    if phone and not (PUBLIC_PHONE.match(phone) or SHORT_PHONE.match(phone)):
        return "公开联系电话应为办公电话或服务号码（数字和连字符，例如 0511-85551234、12348）"
    return None


def schedule_problems(rule: str, *, weekday: int | None, nth: int | None, dates: list[date], valid_from: date,
                      valid_to: date | None) -> list[str]:
    """What is wrong with a schedule (empty: nothing)."""
    found: list[str] = []
    if rule in (ScheduleRule.MONTHLY, ScheduleRule.WEEKLY):
        if weekday is None or not 0 <= weekday <= 6:
            found.append("请选择星期几（0 为星期一，6 为星期日）")
        if dates:
            found.append("按月或按周的安排不填日期")
    if rule == ScheduleRule.MONTHLY and nth not in NTH_LABELS:
        found.append("请选择每月第几个（1 至 4，或 -1 表示最后一个）")
    if rule == ScheduleRule.WEEKLY and nth is not None:
        found.append("按周的安排不填第几个")
    if rule == ScheduleRule.DATES:
        if not dates:
            found.append("请填写进网格的日期")
        elif len(dates) > MAX_DATES:
            found.append(f"日期最多 {MAX_DATES} 个")
        if weekday is not None or nth is not None:
            found.append("按日期的安排不填星期和第几个")
        if any(d < valid_from or (valid_to is not None and d > valid_to) for d in dates):
            found.append("日期应在有效期内")
    if valid_to is not None and valid_to < valid_from:
        found.append("有效期止不能早于有效期起")
    return found


def services_problem(services: list[str]) -> str | None:
    if not services:
        return "请选择至少一项服务内容（法治宣传、法律咨询、矛盾排查、文书送达）"
    unknown = [s for s in services if s not in LEGAL_SERVICE_LABELS]
    if unknown:
        return f"未知的服务内容：{'、'.join(unknown)}"
    if len(set(services)) != len(services):
        return "服务内容有重复"
    return None
