"""Writing and reading the audit log. Append-only: the database refuses UPDATE and DELETE."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gridgov.authz.principal import Principal
from gridgov.authz.scope import scope_to_areas
from gridgov.db import unit_of_work
from gridgov.models import AuditEntry

ACTION_LABELS = {
    "login_succeeded": "登录成功",
    "login_failed": "登录失败",
    "login_locked": "账号锁定",
    "logout": "退出登录",
    "denied": "拒绝访问",
    "password_changed": "修改密码",
    "user_created": "新建用户",
    "user_updated": "修改用户",
    "staff_created": "新建网格员档案",
    "staff_updated": "修改网格员档案",
    "staff_revealed": "查看个人信息",
    "staff_imported": "导入网格员",
    "post_created": "新建岗位",
    "post_activated": "岗位生效",
    "post_ended": "岗位结束",
    "training_recorded": "登记培训",
    "exclusion_recorded": "登记不得任职情形",
    "grids_imported": "导入网格",
    "adjustment_proposed": "提出网格调整",
    "adjustment_approved": "批准网格调整",
    "adjustment_rejected": "不批准网格调整",
    "adjustment_filed": "网格调整备案",
    "adjustment_applied": "网格调整生效",
    "complaint_received": "收到投诉",
    "complaint_handled": "处理投诉",
    "calendar_loaded": "载入节假日安排",
}


def record(
    session: Session,
    *,
    actor: Principal | None,
    action: str,
    now: datetime,
    object_type: str = "",
    object_id: str | int = "",
    area_code: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str = "",
    ip: str = "",
    actor_name: str | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction. Pass masked values only, never plain PII."""
    entry = AuditEntry(
        at=now,
        actor_id=actor.user_id if actor else None,
        actor=actor.username if actor else (actor_name or "system"),
        role=actor.role if actor else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        area_code=area_code or (actor.scope_code if actor else ""),
        before=before,
        after=after,
        detail=detail,
        ip=ip,
    )
    session.add(entry)
    return entry


def record_now(factory: sessionmaker[Session], **fields: Any) -> None:
    """Append an entry in its own transaction, kept even when the request that caused it fails
    (failed logins, denials)."""
    with unit_of_work(factory) as session:
        record(session, **fields)


def _filtered(stmt, principal: Principal | None, *, action, actor, object_type, since, until):
    stmt = scope_to_areas(stmt, principal, AuditEntry.area_code)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    return stmt


def list_entries(
    session: Session,
    principal: Principal | None,
    *,
    action: str | None = None,
    actor: str | None = None,
    object_type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[Sequence[AuditEntry], int]:
    """Entries in the principal's jurisdiction, newest first, with the total count."""
    filters = dict(action=action, actor=actor, object_type=object_type, since=since, until=until)
    total = session.scalar(_filtered(select(func.count()).select_from(AuditEntry), principal, **filters)) or 0
    rows = session.scalars(
        _filtered(select(AuditEntry), principal, **filters).order_by(AuditEntry.id.desc()).offset(offset).limit(limit)
    ).all()
    return rows, total


CSV_COLUMNS = ["id", "at", "actor", "role", "action", "object_type", "object_id", "area_code", "before", "after", "detail", "ip"]


def to_csv(entries: Sequence[AuditEntry]) -> str:
    """CSV with a BOM so that Excel opens the Chinese text correctly."""
    import json

    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.id,
                e.at.isoformat(),
                e.actor,
                e.role,
                e.action,
                e.object_type,
                e.object_id,
                e.area_code,
                json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
                json.dumps(e.after, ensure_ascii=False) if e.after is not None else "",
                e.detail,
                e.ip,
            ]
        )
    return out.getvalue()
