"""Rectification notices and forced exit (QZ§8), and the periodic job that makes matters leave
their list by themselves: temporary ones at their end date (QZ§7), and those whose department let
a rectification deadline pass unanswered.

A department that hands work to the grids must give guidance, funds and supervision with it (C6).
Where the profile allows forced exit, the agency of the list's level issues a notice with a
deadline to the department of a matter; the department answers in time, or the matter leaves the
list when the deadline has passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.authz.scope import sees_area
from gridgov.catalogue import repository as repo
from gridgov.catalogue import rules as crules
from gridgov.catalogue.applications import check_list_agency
from gridgov.catalogue.publication import exit_matter, local_day
from gridgov.catalogue.schemas import (
    RectificationAnswer,
    RectificationCreate,
    RectificationRead,
)
from gridgov.departments.service import department_code
from gridgov.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from gridgov.kit.clock import local
from gridgov.models import Matter
from gridgov.models.catalogue import RectificationNotice


def issue(session: Session, principal: Principal, data: RectificationCreate, *, profile,
          now: datetime) -> RectificationNotice:
    """The agency of the list's level tells the department of a matter to put right its
    guidance, funds or supervision by a deadline (QZ§8)."""
    problem = crules.forced_exit_problem(profile.catalogue)
    if problem:
        raise Forbidden(problem)
    matter = repo.find_matter(session, data.matter_id)
    cat_list = repo.find_list(session, matter.list_id) if matter else None
    if matter is None or not sees_area(principal, cat_list.area_code):
        raise NotFound(f"事项 {data.matter_id} 不存在")
    check_list_agency(principal, cat_list, "发出整改通知")
    problems = []
    if matter.status != crules.IN_FORCE:
        problems.append({"field": "matter_id", "reason": f"事项 {matter.code} 已退出清单"})
    if not data.content.strip():
        problems.append({"field": "content", "reason": "请写明须整改的问题（业务指导、经费保障或工作监督）"})
    deadline = data.deadline if data.deadline.tzinfo else data.deadline.replace(tzinfo=local(now).tzinfo)
    if deadline <= now:
        problems.append({"field": "deadline", "reason": "整改期限应晚于现在"})
    dept_code = (data.department_code or "").strip() or (
        department_code(cat_list.area_code, matter.department_kind) if matter.department_kind else "")
    dept = repo.get_department(session, dept_code)
    if dept is None:
        problems.append({"field": "department_code", "reason": "找不到该事项的主管部门，请指定部门"})
    elif dept.area_code != cat_list.area_code:
        problems.append({"field": "department_code", "reason": f"部门 {dept.name} 不是清单所在层级的部门"})
    if repo.open_notice_for(session, matter.id) is not None:
        problems.append({"field": "matter_id", "reason": f"事项 {matter.code} 已有未到期的整改通知"})
    if problems:
        raise Invalid("整改通知未发出：" + "；".join(p["reason"] for p in problems), details=problems)
    notice = RectificationNotice(matter_id=matter.id, department_code=dept.code, content=data.content.strip(),
                                 deadline=deadline, issued_by=principal.user_id if principal else None,
                                 issued_at=now, answer="", outcome=crules.OPEN)
    session.add(notice)
    session.flush()
    record(session, actor=principal, action="rectification_issued", now=now, object_type="rectification_notice",
           object_id=notice.id, area_code=cat_list.area_code,
           after={"matter": matter.code, "department": dept.code, "deadline": deadline.isoformat()},
           detail=notice.content[:500])
    return notice


def answer(session: Session, principal: Principal, notice_id: int, data: RectificationAnswer, *,
           now: datetime) -> RectificationNotice:
    """The department answers by the deadline (what it has put right); after it, the matter is
    already leaving the list and the answer comes too late."""
    notice = repo.get_notice(session, principal, notice_id)
    if principal and principal.department_code != notice.department_code:
        raise Forbidden("只有被通知整改的部门可以答复")
    if notice.outcome != crules.OPEN:
        raise Conflict(f"整改通知{crules.NOTICE_OUTCOME_LABELS.get(notice.outcome, notice.outcome)}，不能再答复")
    if now > notice.deadline:
        raise Conflict("已超过整改期限，不能再答复")
    if not data.answer.strip():
        raise Invalid("请填写整改情况", details=[{"field": "answer", "reason": "请填写整改情况"}])
    if not repo.claim_answer(session, notice, data.answer.strip(), now=now,
                             by=principal.user_id if principal else None):
        raise Conflict("整改通知刚被处理，请刷新后查看")
    session.refresh(notice)
    matter = repo.find_matter(session, notice.matter_id)
    cat_list = repo.find_list(session, matter.list_id)
    record(session, actor=principal, action="rectification_answered", now=now, object_type="rectification_notice",
           object_id=notice.id, area_code=cat_list.area_code, after={"outcome": crules.ANSWERED},
           detail=notice.answer[:500])
    return notice


def expire_catalogue(session: Session, now: datetime, *, profile=None) -> list[str]:
    """What has fallen due in the catalogue (for the periodic job): temporary matters whose end
    date has passed leave their list ("临时纳入期满"), and matters whose rectification deadline
    passed unanswered are forced out. Each exit publishes a new version whose summary is the file
    entry, and writes an audit entry. Idempotent and safe in several processes at once: every
    matter and notice is claimed by a conditional UPDATE. Returns one line per thing done. Given the
    profile, a county version it publishes is submitted for filing with the city (JM§9)."""
    done: list[str] = []
    for matter in repo.expired_temporary(session, local_day(now)):
        try:
            with session.begin_nested():
                version = exit_matter(session, matter, reason=crules.TEMPORARY_EXPIRED_REASON, now=now,
                                      profile=profile)
        except DomainError:
            continue  # its list was being published by someone else: the next run takes it
        if version is not None:
            done.append(f"临时事项 {matter.code} {matter.name} 期满退出（第 {version.number} 版）")
    for notice in repo.overdue_notices(session, now):
        try:
            with session.begin_nested():
                line = _force_exit(session, notice, now=now, profile=profile)
        except DomainError:
            continue
        if line:
            done.append(line)
    return done


def _force_exit(session: Session, notice: RectificationNotice, *, now: datetime, profile=None) -> str | None:
    """Claim an overdue notice (open → forced_exit) and take its matter off the list."""
    if not repo.claim_forced_exit(session, notice):
        return None
    session.refresh(notice)
    matter = repo.find_matter(session, notice.matter_id)
    cat_list = repo.find_list(session, matter.list_id)
    record(session, actor=None, action="rectification_forced_exit", now=now, object_type="rectification_notice",
           object_id=notice.id, area_code=cat_list.area_code, before={"outcome": crules.OPEN},
           after={"outcome": crules.FORCED_EXIT, "matter": matter.code}, actor_name="system")
    version = exit_matter(session, matter, reason=crules.FORCED_EXIT_REASON.format(notice=notice.id), now=now,
                          profile=profile)
    if version is None:
        return f"整改通知第 {notice.id} 号逾期未整改（事项 {matter.code} 此前已退出）"
    return f"事项 {matter.code} {matter.name} 逾期未整改强制退出（第 {version.number} 版）"


def issuable_matters(session: Session, principal: Principal) -> Sequence[Matter]:
    """The matters in force of the principal's own lists: those a notice may name."""
    own = [x.id for x in repo.lists_of_areas(session, [principal.scope_code])]
    return repo.matters_in_force(session, own)


def list_read(session: Session, principal: Principal) -> list[RectificationRead]:
    """The notices the principal may see (its department's or its jurisdiction's), as read."""
    return to_read(session, repo.list_notices(session, principal))


def to_read(session: Session, notices: Sequence[RectificationNotice]) -> list[RectificationRead]:
    matters = repo.matters_by_id(session, {n.matter_id for n in notices})
    return [
        RectificationRead(
            id=n.id, matter_id=n.matter_id, matter_code=matters[n.matter_id].code,
            matter_name=matters[n.matter_id].name, department_code=n.department_code, content=n.content,
            deadline=n.deadline, issued_by=n.issued_by, issued_at=n.issued_at, answer=n.answer,
            answered_by=n.answered_by, answered_at=n.answered_at, outcome=n.outcome,
            outcome_label=crules.NOTICE_OUTCOME_LABELS.get(n.outcome, n.outcome),
        )
        for n in notices
    ]
