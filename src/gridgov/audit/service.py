"""Writing and reading the audit log. Append-only: the database refuses UPDATE and DELETE."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from gridgov import areas
from gridgov.audit import repository as repo
from gridgov.audit import rules as audit_rules
from gridgov.audit.schemas import AuditEntryRead, AuditFilter, AuditPage
from gridgov.authz.principal import Principal
from gridgov.authz.scope import sees_area
from gridgov.db import unit_of_work
from gridgov.deps import add_record
from gridgov.errors import Invalid, NotFound
from gridgov.kit.clock import local
from gridgov.kit.masking import mask_record
from gridgov.kit.spreadsheet import csv_text
from gridgov.models import AuditEntry
from gridgov.models.accounts import role_label

audit_rules.register_labels({
    "denied": "拒绝访问",
    "calendar_loaded": "载入节假日安排",
    "audit_exported": "导出审计日志",
})
"""The actions of no one package: refusals (written by authz), the holiday calendar, the export."""

action_label = audit_rules.action_label


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
    """Append one entry in the caller's transaction. Pass masked values only, never plain PII; the
    personal fields of ``before``/``after`` (ID number, phone, birth date) are masked again here by
    :func:`gridgov.kit.masking.mask_record`, so a slip cannot put them in the log in full."""
    if actor is not None and actor.system:
        actor = None  # the system acting (CLI, jobs) is written as before: actor "system", no id
    entry = AuditEntry(
        at=now,
        actor_id=actor.user_id if actor else None,
        actor=actor.username if actor else (actor_name or "system"),
        role=actor.role if actor else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        area_code=area_code or (actor.scope_code if actor else ""),
        before=mask_record(before),
        after=mask_record(after),
        detail=detail,
        ip=ip,
    )
    add_record(session, entry)
    return entry


def record_now(factory: sessionmaker[Session], **fields: Any) -> None:
    """Append an entry in its own transaction, kept even when the request that caused it fails
    (failed logins, denials). It takes the write lock up front (IMMEDIATE on SQLite)."""
    with unit_of_work(factory, writes=True) as session:
        record(session, **fields)


def check_area(principal: Principal, area: str | None) -> None:
    """An area filter must be a valid code the principal may see (its jurisdiction or above it,
    which then means the whole jurisdiction); anything else is reported as missing."""
    if not area:
        return
    try:
        areas.area_level(area)
    except areas.CodeError as exc:
        raise Invalid(str(exc)) from exc
    if not sees_area(principal, area):
        raise NotFound(f"区域 {area} 不存在")


def list_entries(
    session: Session,
    principal: Principal,
    *,
    action: str | None = None,
    actor: str | None = None,
    object_type: str | None = None,
    area: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int | None = 100,
) -> tuple[Sequence[AuditEntry], int]:
    """Entries in the principal's jurisdiction, newest first, with the total count."""
    check_area(principal, area)
    filters = {"action": action, "actor": actor, "object_type": object_type, "area": area, "since": since,
               "until": until}
    return repo.page_of_entries(session, principal, filters, offset=offset, limit=limit)


CSV_COLUMNS = ["id", "at", "actor", "role", "action", "object_type", "object_id", "area_code", "before", "after",
               "detail", "ip"]
CSV_HEADERS = ["序号", "时间（北京时间）", "操作人", "角色", "操作", "操作代码", "对象类型", "对象编号", "区域代码",
               "修改前", "修改后", "说明", "IP 地址"]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value is not None else ""


def to_csv(entries: Sequence[AuditEntry]) -> str:
    """CSV with a BOM so that Excel opens the Chinese text correctly; Chinese headings, Beijing time,
    the action both as its Chinese label and its code (the code is what filters take)."""
    return csv_text(
        CSV_HEADERS,
        (
            [
                e.id,
                local(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                e.actor,
                role_label(e.role),
                action_label(e.action),
                e.action,
                e.object_type,
                e.object_id,
                e.area_code,
                _json(mask_record(e.before)),
                _json(mask_record(e.after)),
                e.detail,
                e.ip,
            ]
            for e in entries
        ),
    )


# ---------------------------------------------------------------- reading, for the API and pages

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
CSV_MAX_ROWS = 100_000


def _criteria(principal: Principal, flt: AuditFilter) -> dict[str, Any]:
    """The keyword filters of :func:`list_entries` for a filter as users type it (blanks ignored)."""
    clean = {k: (v.strip() if isinstance(v, str) else v) or None for k, v in flt.model_dump().items()}
    try:
        since, until = audit_rules.since_bound(clean["since"]), audit_rules.until_bound(clean["until"])
    except audit_rules.BadDate as exc:
        raise Invalid(str(exc)) from exc
    if since and until and since >= until:
        raise Invalid("开始日期应早于结束日期")
    check_area(principal, clean["area"])
    return {"action": clean["action"], "actor": clean["actor"], "object_type": clean["object_type"],
            "area": clean["area"],
                "since": since, "until": until}


def entry_read(e: AuditEntry) -> AuditEntryRead:
    return AuditEntryRead(
        id=e.id, at=e.at, actor=e.actor, role=e.role, action=e.action, action_label=action_label(e.action),
        object_type=e.object_type, object_id=e.object_id, area_code=e.area_code, before=mask_record(e.before),
        after=mask_record(e.after),
        detail=e.detail, ip=e.ip,
    )


def search(session: Session, principal: Principal, flt: AuditFilter, *, page: int = 1,
           page_size: int = PAGE_SIZE) -> AuditPage:
    """One page of the entries in the jurisdiction that match the filter, newest first."""
    page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
    rows, total = list_entries(session, principal, **_criteria(principal, flt), offset=(page - 1) * page_size,
                               limit=page_size)
    return AuditPage(items=named(session, [entry_read(e) for e in rows]), total=total, page=page,
                     page_size=page_size)


def named(session: Session, items: list[AuditEntryRead]) -> list[AuditEntryRead]:
    """The entries with the display names of the users they name (not "user 9")."""
    ids = {int(i.object_id) for i in items if i.object_type == "user" and i.object_id.isdigit()}
    by_username, by_id = repo.display_names(session, {i.actor for i in items}, ids)
    for i in items:
        i.actor_name = by_username.get(i.actor)
        if i.object_type == "user" and i.object_id.isdigit():
            i.object_name = by_id.get(int(i.object_id))
    return items


def export_csv(session: Session, principal: Principal, flt: AuditFilter, *, now: datetime) -> str:
    """Every matching entry as CSV; the export itself is logged (who took which part of the log)."""
    criteria = _criteria(principal, flt)
    rows, total = list_entries(session, principal, **criteria, limit=CSV_MAX_ROWS + 1)
    if total > CSV_MAX_ROWS:
        raise Invalid(f"符合条件的记录有 {total} 条，超过一次导出的上限 {CSV_MAX_ROWS} 条，请缩小日期或区域范围")
    text = to_csv(rows)
    if principal:
        record(session, actor=principal, action="audit_exported", now=now, object_type="audit_log",
               detail=f"导出 {total} 条；条件：{flt.query() or '无'}")
    return text
