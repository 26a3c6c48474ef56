"""The API of legal professionals in the grids (法律进网格, issue 18), mounted under /api/v1.

Staff with ``cogovernance.read`` read the professionals serving their grids, schedules and visits; the
agency (``cogovernance.manage``) keeps the register and records visits; a legal professional's account
(``cogovernance.take_part``) reads its own schedules and the cases referred to it and records its own
visits. Referring a case and answering it are case actions (``POST /api/v1/cases/{no}/actions/refer_legal``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from gridgov.authz.principals import CogovernanceManager, CogovernancePartner, CogovernanceReader
from gridgov.cogovernance import legal
from gridgov.cogovernance.legal_schemas import (
    MyVisitIn,
    ProfessionalIn,
    ProfessionalPatch,
    ProfessionalRead,
    ReferralRead,
    ScheduleIn,
    ScheduleRead,
    VisitIn,
    VisitRead,
)
from gridgov.deps import SessionDep
from gridgov.kit.clock import utc_now
from gridgov.kit.pagination import Page
from gridgov.kit.params import IdPath, PageQuery

router = APIRouter(prefix="/cogovernance/legal", tags=["cogovernance"])
GridQuery = Annotated[str | None, Query(min_length=15, max_length=15, pattern=r"^\d{15}$", description="网格编码")]


@router.get("/professionals", response_model=list[ProfessionalRead],
            summary="法律服务人员（本辖区登记或在本辖区服务的）")
def list_professionals(session: SessionDep, me: CogovernanceReader) -> list[ProfessionalRead]:
    return legal.list_professionals(session, me)


@router.post("/professionals", response_model=ProfessionalRead, status_code=201, summary="登记法律服务人员")
def create_professional(data: ProfessionalIn, session: SessionDep, me: CogovernanceManager) -> ProfessionalRead:
    return legal.create_professional(session, me, data, now=utc_now())


@router.patch("/professionals/{professional_id}", response_model=ProfessionalRead, summary="修改法律服务人员")
def update_professional(professional_id: IdPath, data: ProfessionalPatch, session: SessionDep,
                        me: CogovernanceManager) -> ProfessionalRead:
    return legal.update_professional(session, me, professional_id, data, now=utc_now())


@router.get("/professionals/{professional_id}/schedules", response_model=list[ScheduleRead],
            summary="法律服务人员的进网格安排（含接下来的日期）")
def list_schedules(professional_id: IdPath, session: SessionDep, me: CogovernanceReader) -> list[ScheduleRead]:
    return legal.list_schedules(session, me, professional_id, now=utc_now())


@router.post("/professionals/{professional_id}/schedules", response_model=ScheduleRead, status_code=201,
             summary="新增进网格安排（每月第几个星期几、每周星期几或指定日期）")
def add_schedule(professional_id: IdPath, data: ScheduleIn, session: SessionDep,
                 me: CogovernanceManager) -> ScheduleRead:
    return legal.add_schedule(session, me, professional_id, data, now=utc_now())


@router.get("/visits", response_model=Page[VisitRead], summary="法律服务进网格记录")
def list_visits(session: SessionDep, me: CogovernanceReader, grid: GridQuery = None,
                date_from: Annotated[date | None, Query(alias="from", description="起始日期")] = None,
                date_to: Annotated[date | None, Query(alias="to", description="截止日期")] = None,
                page: PageQuery = 1,
                page_size: Annotated[int, Query(ge=1, le=200, description="每页条数")] = 50) -> Page[VisitRead]:
    return legal.list_visits(session, me, grid=grid, since=date_from, until=date_to, page=page, page_size=page_size)


@router.post("/visits", response_model=VisitRead, status_code=201, summary="记录法律服务进网格（网格化机构）")
def record_visit(data: VisitIn, session: SessionDep, me: CogovernanceManager) -> VisitRead:
    return legal.record_visit(session, me, data, now=utc_now())


@router.get("/mine/schedules", response_model=list[ScheduleRead], summary="我的进网格安排（法律服务人员）")
def my_schedules(session: SessionDep, me: CogovernancePartner) -> list[ScheduleRead]:
    return legal.my_schedules(session, me, now=utc_now())[1]


@router.get("/mine/visits", response_model=Page[VisitRead], summary="我的进网格记录（法律服务人员）")
def my_visits(session: SessionDep, me: CogovernancePartner, page: PageQuery = 1) -> Page[VisitRead]:
    mine = legal.my_professional(session, me)
    return legal.list_visits(session, me, professional_id=mine.id, page=page)


@router.post("/mine/visits", response_model=VisitRead, status_code=201, summary="记录我的进网格服务（法律服务人员）")
def record_my_visit(data: MyVisitIn, session: SessionDep, me: CogovernancePartner) -> VisitRead:
    return legal.record_my_visit(session, me, data, now=utc_now())


@router.get("/referrals", response_model=list[ReferralRead], summary="转请我的事件（法律服务人员）")
def my_referrals(session: SessionDep, me: CogovernancePartner) -> list[ReferralRead]:
    return legal.my_referrals(session, me)
