"""The volunteers and informants API (issue 18): organisations, people (masked; the phone revealed with a
reason, audited), their reports through the resident channel, points and the month's ranking."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from pydantic import BaseModel

from gridgov.authz.principals import CogovernanceManager, CogovernanceReader
from gridgov.cogovernance import volunteers, volunteers_import, volunteers_reports
from gridgov.cogovernance.volunteers_schemas import (
    Deactivate,
    OrgCreate,
    OrgPage,
    OrgRead,
    OrgUpdate,
    Ranking,
    RevealRequest,
    VolunteerCreate,
    VolunteerPage,
    VolunteerRead,
    VolunteerReports,
    VolunteerRevealed,
    VolunteerUpdate,
)
from gridgov.deps import SessionDep, client_ip
from gridgov.kit.clock import utc_now
from gridgov.kit.params import MAX_ID, IdPath, PageQuery

router = APIRouter(prefix="/cogovernance", tags=["cogovernance"])

AreaQuery = Annotated[str | None, Query(max_length=17,
                                        description="区划代码（12 位）、网格（15 位）或微网格（17 位）编码")]
KindQuery = Annotated[str | None, Query(max_length=16, description="类别")]
PageSize = Annotated[int, Query(ge=1, le=200, description="每页条数")]
OrgQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="所属组织编号")]


def _state(request: Request):
    return request.app.state


@router.get("/volunteer-orgs", response_model=OrgPage, summary="志愿服务组织（物业、快递、外卖平台等）")
def list_orgs(session: SessionDep, me: CogovernanceReader, area: AreaQuery = None, kind: KindQuery = None,
              page: PageQuery = 1, page_size: PageSize = 50) -> OrgPage:
    return volunteers.list_orgs(session, me, area=area, kind=kind, page=page, page_size=page_size)


@router.post("/volunteer-orgs", response_model=OrgRead, status_code=201, summary="登记志愿服务组织")
def create_org(data: OrgCreate, session: SessionDep, me: CogovernanceManager) -> OrgRead:
    return volunteers.create_org(session, me, data, now=utc_now())


@router.patch("/volunteer-orgs/{org_id}", response_model=OrgRead, summary="修改志愿服务组织")
def update_org(org_id: IdPath, data: OrgUpdate, session: SessionDep, me: CogovernanceManager) -> OrgRead:
    return volunteers.update_org(session, me, org_id, data, now=utc_now())


@router.get("/volunteers", response_model=VolunteerPage, summary="志愿者和信息员（手机号脱敏）")
def list_people(request: Request, session: SessionDep, me: CogovernanceReader, area: AreaQuery = None,
                kind: KindQuery = None, org: OrgQuery = None,
                active: Annotated[bool | None, Query(description="仅在册（true）或仅已停用（false）")] = None,
                q: Annotated[str | None, Query(max_length=50, description="姓名")] = None,
                page: PageQuery = 1, page_size: PageSize = 50) -> VolunteerPage:
    return volunteers.list_people(session, me, area=area, kind=kind, org_id=org, active=active, q=q, page=page,
                                  page_size=page_size, profile=_state(request).profile)


@router.post("/volunteers", response_model=VolunteerRead, status_code=201, summary="登记志愿者或信息员")
def create(data: VolunteerCreate, request: Request, session: SessionDep, me: CogovernanceManager) -> VolunteerRead:
    state = _state(request)
    return volunteers.create(session, me, data, profile=state.profile, cipher=state.cipher, now=utc_now())


class ImportAnswer(BaseModel):
    created: int


@router.post("/volunteers/import", response_model=ImportAnswer, status_code=201,
             summary="从 CSV 或 Excel（.xlsx）导入志愿者和信息员：全部有效才写入，错误逐行列出行号")
def import_people(request: Request, session: SessionDep, me: CogovernanceManager,
                  file: UploadFile = File(...)) -> ImportAnswer:
    state = _state(request)
    created = volunteers_import.import_file(session, me, file.file.read(volunteers_import.MAX_FILE_BYTES + 1),
                                            filename=file.filename or "", profile=state.profile,
                                            cipher=state.cipher, now=utc_now())
    return ImportAnswer(created=created)


@router.get("/volunteers/ranking", response_model=Ranking, summary="信息员积分排行和各网格上报数（按月）")
def ranking(request: Request, session: SessionDep, me: CogovernanceReader, area: AreaQuery = None,
            month: Annotated[str | None, Query(max_length=7, description="月份 YYYY-MM，默认本月")] = None) -> Ranking:
    return volunteers_reports.ranking(session, me, area=area, month=month, profile=_state(request).profile,
                                      now=utc_now())


@router.get("/volunteers/{volunteer_id}", response_model=VolunteerRead, summary="一名志愿者或信息员（含积分）")
def get(volunteer_id: IdPath, request: Request, session: SessionDep, me: CogovernanceReader) -> VolunteerRead:
    return volunteers.read_one(session, me, volunteer_id, profile=_state(request).profile)


@router.patch("/volunteers/{volunteer_id}", response_model=VolunteerRead, summary="修改志愿者或信息员")
def update(volunteer_id: IdPath, data: VolunteerUpdate, request: Request, session: SessionDep,
           me: CogovernanceManager) -> VolunteerRead:
    state = _state(request)
    return volunteers.update(session, me, volunteer_id, data, profile=state.profile, cipher=state.cipher,
                             now=utc_now())


@router.post("/volunteers/{volunteer_id}/deactivate", response_model=VolunteerRead, summary="停用（退出）")
def deactivate(volunteer_id: IdPath, data: Deactivate, request: Request, session: SessionDep,
               me: CogovernanceManager) -> VolunteerRead:
    return volunteers.deactivate(session, me, volunteer_id, data, profile=_state(request).profile, now=utc_now())


@router.post("/volunteers/{volunteer_id}/reveal", response_model=VolunteerRevealed,
             summary="查看完整手机号（须写明理由，记入审计日志）")
def reveal(volunteer_id: IdPath, data: RevealRequest, request: Request, session: SessionDep,
           me: CogovernanceManager) -> VolunteerRevealed:
    return volunteers.reveal(session, me, volunteer_id, data, cipher=_state(request).cipher, now=utc_now(),
                             ip=client_ip(request))


@router.get("/volunteers/{volunteer_id}/reports", response_model=VolunteerReports,
            summary="经居民上报渠道的上报（信息员上报）及积分")
def reports(volunteer_id: IdPath, request: Request, session: SessionDep, me: CogovernanceReader) -> VolunteerReports:
    return volunteers_reports.reports(session, me, volunteer_id, profile=_state(request).profile)
