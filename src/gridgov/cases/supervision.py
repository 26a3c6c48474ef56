"""Supervision orders (督办, D7; LZ§16, QZ§17, JM§27): reading them and answering them.

An order is *issued* through the lifecycle (the ``supervise`` action of :func:`gridgov.cases.actions.act`),
which names its target: the lead department while the case is with one, otherwise the agency handling
it. Only that target answers, once; the answer is a hash-chained entry in the case's file
(``answer_supervision``) and the issuer is told. Who may see an order is who may see its case, so an
order outside the caller's jurisdiction is missing (404), and an order the caller sees but is not
the target of is forbidden (403).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import scoped
from gridgov.cases import facts_store
from gridgov.cases.service import access_case, busy_is_conflict, log_action
from gridgov.errors import Conflict, Forbidden, Invalid, NotFound
from gridgov.kit.clock import local
from gridgov.models import Case, Department, SupervisionOrder, User
from gridgov.models.accounts import AGENCY_ROLES, DEPARTMENT_ROLES
from gridgov.notify import Notice, notify, settle

MAX_ANSWER = 2000
NOT_FOUND = "督办 {} 不存在"


class SupervisionAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    answer: str = Field("", max_length=MAX_ANSWER, title="答复")


class SupervisionOrderRead(BaseModel):
    id: int
    case_no: str
    case_title: str
    instruction: str
    due_at: datetime
    issued_at: datetime
    issued_by: str
    issuer_area_code: str
    target_department_code: str | None
    target_department_name: str | None
    target_area_code: str | None
    status: str  # open | overdue | answered
    answered_at: datetime | None
    answered_by: str | None
    answer: str
    late: bool
    can_answer: bool


STATUS_LABELS = {"open": "待答复", "overdue": "超期未答复", "answered": "已答复"}


# ---------------------------------------------------------------------------------------------
# Who


def is_target(principal: Principal, order: SupervisionOrder) -> bool:
    """Whether the principal answers for the order's target (its department, or its agency)."""
    if order.target_department_code:
        return principal.role in DEPARTMENT_ROLES and principal.department_code == order.target_department_code
    return principal.role in AGENCY_ROLES and principal.scope_code == order.target_area_code


def _for_target(stmt, principal: Principal):
    if principal.role in DEPARTMENT_ROLES and principal.department_code:
        return stmt.where(SupervisionOrder.target_department_code == principal.department_code)
    if principal.role in AGENCY_ROLES:
        return stmt.where(SupervisionOrder.target_department_code.is_(None),
                          SupervisionOrder.target_area_code == principal.scope_code)
    return stmt.where(False)


# ---------------------------------------------------------------------------------------------
# Reading


def names(session: Session, orders: list[SupervisionOrder]) -> tuple[dict[int, str], dict[str, str]]:
    """Display names of the users and departments the orders mention (two queries for a whole list)."""
    user_ids = {o.issued_by for o in orders if o.issued_by} | {o.answered_by for o in orders if o.answered_by}
    dept_codes = {o.target_department_code for o in orders if o.target_department_code}
    users = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all()) \
        if user_ids else {}
    depts = dict(session.execute(select(Department.code, Department.name).where(Department.code.in_(dept_codes)))
                 .all()) if dept_codes else {}
    return users, depts


def _rows(session: Session, principal: Principal, stmt, now: datetime) -> list[SupervisionOrderRead]:
    orders = session.execute(stmt.order_by(SupervisionOrder.due_at, SupervisionOrder.id)).all()
    users, depts = names(session, [o for o, _c in orders])
    return [read(o, c, principal, now, users, depts) for o, c in orders]


def order_read(session: Session, principal: Principal, order_id: int, *, now: datetime) -> SupervisionOrderRead:
    order, case = access_order(session, principal, order_id)
    return read(order, case, principal, now, *names(session, [order]))


def read(order: SupervisionOrder, case: Case, principal: Principal | None, now: datetime,
         users: dict[int, str] | None = None, depts: dict[str, str] | None = None) -> SupervisionOrderRead:
    users, depts = users or {}, depts or {}
    answered = order.answered_at is not None
    status = "answered" if answered else ("overdue" if order.due_at < now else "open")
    return SupervisionOrderRead(
        id=order.id, case_no=case.case_no, case_title=case.title, instruction=order.instruction,
        due_at=local(order.due_at), issued_at=local(order.issued_at),
        issued_by=users.get(order.issued_by, "") if order.issued_by else "系统",
        issuer_area_code=order.issuer_area_code, target_department_code=order.target_department_code,
        target_department_name=depts.get(order.target_department_code) if order.target_department_code else None,
        target_area_code=order.target_area_code, status=status,
        answered_at=local(order.answered_at) if answered else None,
        answered_by=users.get(order.answered_by) if order.answered_by else None, answer=order.answer,
        late=(order.answered_at or now) > order.due_at,
        can_answer=bool(principal) and not answered and is_target(principal, order),
    )


def _base(principal: Principal):
    return scoped(select(SupervisionOrder, Case).join(Case, Case.id == SupervisionOrder.case_id), principal, Case)


def list_for_case(session: Session, principal: Principal, case_no: str, *, now: datetime) -> list[SupervisionOrderRead]:
    """The orders on one case (404 if the case is hidden or missing)."""
    case = access_case(session, principal, case_no)
    return _rows(session, principal, _base(principal).where(SupervisionOrder.case_id == case.id), now)


def list_mine(session: Session, principal: Principal, *, now: datetime,
              open_only: bool = False) -> list[SupervisionOrderRead]:
    """The orders the principal's department or agency must answer."""
    stmt = _for_target(_base(principal), principal)
    if open_only:
        stmt = stmt.where(SupervisionOrder.answered_at.is_(None))
    return _rows(session, principal, stmt, now)


def access_order(session: Session, principal: Principal, order_id: int) -> tuple[SupervisionOrder, Case]:
    """The order and its case if the principal may see the case; 404 with one message otherwise."""
    found = session.execute(_base(principal).where(SupervisionOrder.id == order_id)).first()
    if found is None:
        raise NotFound(NOT_FOUND.format(order_id))
    return found[0], found[1]


# ---------------------------------------------------------------------------------------------
# Answering


def answer_order(session: Session, principal: Principal, order_id: int, answer: str, *,
                 now: datetime) -> SupervisionOrder:
    """The target answers an order once: the answer goes into the case's file and the issuer is told."""
    order, case = access_order(session, principal, order_id)
    if not is_target(principal, order):
        raise Forbidden("只有被督办的部门或机构可以答复该督办")
    answer = (answer or "").strip()
    if not answer:
        raise Invalid("请填写答复内容", details=[{"field": "answer", "error": "缺少必填项"}])
    if len(answer) > MAX_ANSWER:
        raise Invalid(f"答复不能超过 {MAX_ANSWER} 字", details=[{"field": "answer", "error": "太长"}])
    if order.answered_at is not None:
        raise Conflict("该督办已答复，不能重复答复")
    with busy_is_conflict():
        case = access_case(session, principal, case.case_no, for_update=True)
        claimed = session.execute(
            update(SupervisionOrder)
            .where(SupervisionOrder.id == order.id, SupervisionOrder.answered_at.is_(None))
            .values(answered_at=now, answered_by=principal.user_id, answer=answer)
            .returning(SupervisionOrder.id),
            execution_options={"synchronize_session": "fetch"},
        ).first()
        if claimed is None:
            raise Conflict("该督办已答复，不能重复答复")
        late = now > order.due_at
        log_action(session, case, principal, "answer_supervision", now=now, from_state=case.state,
                   to_state=case.state, note=answer,
                   data={"supervision_order": order.id, "due_at": order.due_at.isoformat(), "late": late})
        case.updated_at = now
        session.flush()
        facts_store.save_facts(session, [case.id], now)
        settle(session, case_id=case.id, kinds=["supervise"], now=now)  # the order's to-do is answered
    if order.issued_by:
        late_text = "（已超过督办期限）" if late else ""
        notify(session, [Notice(order.issued_by, "supervision_answered",
                                f"督办事件 {case.case_no}「{case.title}」已答复{late_text}：{answer[:60]}",
                                f"supervision:{order.id}:answered", case.id, f"/cases/{case.case_no}")], now=now)
    return order
