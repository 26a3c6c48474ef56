"""Mediation routes (ZJ§17, issue 18), under /api/v1/cogovernance: the register of bodies and their
mediators, and the mediations (parties masked; the full parties by an audited reveal with a reason).
Passing a case to mediation and its sessions and outcome are actions of the case
(``POST /api/v1/cases/{case_no}/actions/mediate`` …)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from gridgov.authz.principals import (
    CogovernanceManager,
    CogovernanceReader,
    MediationReader,
    MediationRevealer,
)
from gridgov.cogovernance import mediation
from gridgov.cogovernance.mediation_schemas import (
    BodyIn,
    BodyPatch,
    BodyRead,
    MediationRead,
    MemberIn,
    PartiesRevealed,
    RevealIn,
)
from gridgov.deps import SessionDep, client_ip
from gridgov.kit.clock import utc_now
from gridgov.kit.pagination import Page
from gridgov.kit.params import IdPath, PageQuery

router = APIRouter(tags=["cogovernance"])
PREFIX = "/cogovernance"
STATUS_HELP = "open 调解中、settled 达成协议、failed 调解不成"


@router.get(f"{PREFIX}/mediation/bodies", response_model=list[BodyRead], summary="调解组织（本辖区）")
def list_bodies(session: SessionDep, me: CogovernanceReader) -> list[BodyRead]:
    return mediation.list_bodies(session, me)


@router.post(f"{PREFIX}/mediation/bodies", response_model=BodyRead, status_code=201, summary="登记调解组织")
def create_body(data: BodyIn, session: SessionDep, me: CogovernanceManager) -> BodyRead:
    return mediation.create_body(session, me, data, now=utc_now())


@router.get(f"{PREFIX}/mediation/bodies/{{body_id}}", response_model=BodyRead, summary="一个调解组织及其调解员")
def get_body(body_id: IdPath, session: SessionDep, me: CogovernanceReader) -> BodyRead:
    return mediation.get_body(session, me, body_id)


@router.patch(f"{PREFIX}/mediation/bodies/{{body_id}}", response_model=BodyRead,
              summary="修改调解组织（名称、类别、电话、启用）")
def update_body(body_id: IdPath, data: BodyPatch, session: SessionDep, me: CogovernanceManager) -> BodyRead:
    return mediation.update_body(session, me, body_id, data, now=utc_now())


@router.post(f"{PREFIX}/mediation/bodies/{{body_id}}/members", response_model=BodyRead,
             summary="关联人民调解员账号")
def add_member(body_id: IdPath, data: MemberIn, session: SessionDep, me: CogovernanceManager) -> BodyRead:
    return mediation.add_member(session, me, body_id, data.user_id, now=utc_now())


@router.delete(f"{PREFIX}/mediation/bodies/{{body_id}}/members/{{user_id}}", response_model=BodyRead,
               summary="取消关联人民调解员")
def remove_member(body_id: IdPath, user_id: IdPath, session: SessionDep, me: CogovernanceManager) -> BodyRead:
    return mediation.remove_member(session, me, body_id, user_id, now=utc_now())


@router.get(f"{PREFIX}/mediations", response_model=Page[MediationRead], summary="调解（当事人信息已遮蔽）")
def list_mediations(session: SessionDep, me: MediationReader, page: PageQuery = 1,
                    page_size: Annotated[int, Query(ge=1, le=200, description="每页条数")] = 50,
                    status: Annotated[str | None, Query(max_length=12, description=STATUS_HELP)] = None,
                    ) -> Page[MediationRead]:
    return mediation.list_mediations(session, me, status=status, page=page, page_size=page_size)


@router.get(f"{PREFIX}/mediations/{{mediation_id}}", response_model=MediationRead,
            summary="一次调解（当事人信息已遮蔽）")
def get_mediation(mediation_id: IdPath, session: SessionDep, me: MediationReader) -> MediationRead:
    return mediation.get_mediation(session, me, mediation_id)


@router.post(f"{PREFIX}/mediations/{{mediation_id}}/reveal", response_model=PartiesRevealed,
             summary="查看当事人完整信息（须说明理由；仅本次回答，记入审计日志）")
def reveal(mediation_id: IdPath, data: RevealIn, request: Request, response: Response, session: SessionDep,
           me: MediationRevealer) -> PartiesRevealed:
    response.headers["Cache-Control"] = "no-store"
    return mediation.reveal(session, me, mediation_id, data.reason, cipher=request.app.state.cipher, now=utc_now(),
                            ip=client_ip(request))
