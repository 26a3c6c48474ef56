"""Supervision orders in JSON: those on a case, those I must answer, and answering one.

Issuing an order is the ``supervise`` action (``POST /api/v1/cases/{case_no}/actions/supervise``)."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.authz.principals import CaseActor, CaseReader
from gridgov.cases import supervision
from gridgov.cases.supervision import SupervisionAnswer, SupervisionOrderRead
from gridgov.deps import SessionDep
from gridgov.kit.clock import utc_now
from gridgov.kit.params import IdPath

router = APIRouter(tags=["cases"])


@router.get("/cases/{case_no}/supervision", response_model=list[SupervisionOrderRead], summary="事件的督办")
def case_orders(case_no: str, session: SessionDep, me: CaseReader) -> list[SupervisionOrderRead]:
    return supervision.list_for_case(session, me, case_no, now=utc_now())


@router.get("/supervision", response_model=list[SupervisionOrderRead], summary="待我答复的督办")
def my_orders(session: SessionDep, me: CaseReader, open: bool = False) -> list[SupervisionOrderRead]:
    return supervision.list_mine(session, me, now=utc_now(), open_only=open)


@router.post("/supervision/{order_id}/answer", response_model=SupervisionOrderRead, summary="答复督办")
def answer(order_id: IdPath, data: SupervisionAnswer, session: SessionDep, me: CaseActor) -> SupervisionOrderRead:
    now = utc_now()
    supervision.answer_order(session, me, order_id, data.answer, now=now)
    return supervision.order_read(session, me, order_id, now=now)
