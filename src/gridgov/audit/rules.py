"""Pure rules of reading the audit log: the action labels, the date bounds of a filter and the
before/after diff.

Each package that writes audit entries owns the Chinese labels of its actions and registers them
here when it is imported (``register_labels`` in its ``__init__``): audit imports no domain and no
domain patches audit's dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from gridgov.kit.clock import SHANGHAI
from gridgov.models.accounts import ROLE_LABELS

FIELD_LABELS = {
    "username": "用户名",
    "display_name": "姓名",
    "role": "角色",
    "scope_code": "辖区",
    "department_code": "所属部门",
    "staff_id": "网格员档案",
    "is_active": "启用",
    "locked": "锁定",
    "failed_logins": "连续输错次数",
    "must_change_password": "须修改密码",
    "status": "状态",
    "name": "名称",
}
"""Chinese names of the fields that administrative changes record; others show as recorded."""

_ROLE_LABELS = {r.value: label for r, label in ROLE_LABELS.items()}

_ACTION_LABELS: dict[str, str] = {}


def register_labels(labels: Mapping[str, str]) -> None:
    """Add the Chinese labels of the audit actions a package writes. Registering an action again
    with the same label changes nothing; with another label it is a bug and raises."""
    for action, label in labels.items():
        known = _ACTION_LABELS.setdefault(action, label)
        if known != label:
            raise ValueError(f"audit action {action!r} already labelled {known!r}, not {label!r}")


def action_label(action: str) -> str:
    """The Chinese label of an audit action; the action itself if no package registered it."""
    return _ACTION_LABELS.get(action, action)


OBJECT_LABELS = {
    "user": "用户", "staff": "网格员", "post": "岗位", "case": "事件", "route": "页面", "area": "区域",
    "grid": "网格", "grid_adjustment": "网格调整", "matter": "清单事项", "catalogue_application": "清单申请",
    "catalogue_list": "事项清单", "list_version": "清单版本", "rectification_notice": "整改通知",
    "instruction": "交办", "board_complaint": "投诉", "import": "导入", "audit_log": "审计日志",
    "address": "标准地址", "house": "实有房屋", "rental": "出租登记", "unit": "实有单位", "person": "实有人口",
    "visit": "走访", "registry": "基础信息", "deliberation": "议事协商",
}
"""What the log's object types are called on its page."""

_PERMISSION_VALUE = re.compile(r"缺少权限 ([a-z_]+\.[a-z_]+|self|public)\b")


def readable_detail(detail: str, label) -> str:
    """An entry's detail as a reader reads it: a permission named by its Chinese name (entries
    written before the name was written there said ``缺少权限 territory.read``)."""
    return _PERMISSION_VALUE.sub(lambda m: f"缺少权限：{label(m.group(1))}", detail or "")


def action_labels() -> dict[str, str]:
    """Every registered action and its label (a copy)."""
    return dict(_ACTION_LABELS)


class BadDate(ValueError):
    """A date filter that is neither a date nor a date and time; the message is Chinese."""


def _parse(value: str) -> tuple[datetime, bool]:
    """The instant a filter value names, and whether it named a whole day (no time given).
    A value without a time zone is Beijing time, as users read it on screen."""
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), SHANGHAI), True
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadDate(f"日期 {value!r} 格式不对，应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment, False


def since_bound(value: str | None) -> datetime | None:
    """The first instant a ``since`` filter keeps (UTC)."""
    if not value or not value.strip():
        return None
    return _parse(value)[0].astimezone(UTC)


def until_bound(value: str | None) -> datetime | None:
    """The first instant an ``until`` filter drops (UTC): a bare date keeps that whole day."""
    if not value or not value.strip():
        return None
    moment, whole_day = _parse(value)
    return (moment + timedelta(days=1) if whole_day else moment).astimezone(UTC)


@dataclass(frozen=True)
class DiffRow:
    field: str
    label: str
    before: str
    after: str
    changed: bool


def _show(field: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field == "role" and isinstance(value, str):
        return _ROLE_LABELS.get(value, value)
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[DiffRow]:
    """One row per field found in either side, changed fields marked; fields in recorded order."""
    before, after = before or {}, after or {}
    fields = list(before) + [k for k in after if k not in before]
    return [
        DiffRow(
            field=f,
            label=FIELD_LABELS.get(f, f),
            before=_show(f, before.get(f)) if f in before else "",
            after=_show(f, after.get(f)) if f in after else "",
            changed=(f in before) != (f in after) or before.get(f) != after.get(f),
        )
        for f in fields
    ]
