"""Deliberation (议事协商) in JSON under ``/api/v1/cogovernance/deliberations``: the list (area and status
filters; names masked), a topic (names in full, the view audited), its creation, status and decision,
meetings, participants, follow-ups (a case or a work order) and publication. Reads need
``cogovernance.read``, writes ``deliberation.write``; the service keeps both inside the jurisdiction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse

from gridgov.authz.principals import CogovernanceReader, DeliberationWriter
from gridgov.cases import service as case_service
from gridgov.cogovernance import deliberation as service
from gridgov.cogovernance.deliberation_schemas import (
    DeliberationCreate,
    DeliberationListItem,
    DeliberationRead,
    DeliberationUpdate,
    FollowUpCreate,
    MeetingCreate,
    ParticipantIn,
    PublishSet,
)
from gridgov.deps import CipherDep, ProfileDep, SessionDep
from gridgov.errors import NotFound
from gridgov.kit.clock import utc_now
from gridgov.kit.media import image_path
from gridgov.kit.pagination import PAGE_SIZE, Page
from gridgov.kit.params import IdPath, PageQuery
from gridgov.openapi import IMAGES, file_answer

router = APIRouter(prefix="/cogovernance/deliberations", tags=["cogovernance"])
Sha = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="附件的 SHA-256")]


def _read(session, me, deliberation_id: int) -> DeliberationRead:
    return service.deliberation_read(session, me, deliberation_id, now=utc_now(), audit=False)


@router.get("", response_model=Page[DeliberationListItem], summary="议事协商列表（参与人姓名打码）")
def list_deliberations(session: SessionDep, me: CogovernanceReader,
                       area: Annotated[str | None, Query(pattern=r"^\d{2,17}$", title="区划或网格编码")] = None,
                       status: Annotated[str | None, Query(max_length=12, title="状态")] = None,
                       page: PageQuery = 1,
                       page_size: Annotated[int, Query(ge=1, le=200, description="每页条数")] = PAGE_SIZE,
                       ) -> Page[DeliberationListItem]:
    return service.list_deliberations(session, me, area=area, status=status, page=page, page_size=page_size)


@router.post("", status_code=201, response_model=DeliberationRead, summary="登记议事协商议题")
def create(data: DeliberationCreate, session: SessionDep, me: DeliberationWriter) -> DeliberationRead:
    row = service.create_deliberation(session, me, data, now=utc_now())
    return _read(session, me, row.id)


@router.get("/{deliberation_id}", response_model=DeliberationRead, summary="议事协商详情（含参与人姓名，查看留痕）")
def get(deliberation_id: IdPath, session: SessionDep, me: CogovernanceReader) -> DeliberationRead:
    return service.deliberation_read(session, me, deliberation_id, now=utc_now())


@router.patch("/{deliberation_id}", response_model=DeliberationRead, summary="更新状态或决定")
def update(deliberation_id: IdPath, data: DeliberationUpdate, session: SessionDep,
           me: DeliberationWriter) -> DeliberationRead:
    service.update_deliberation(session, me, deliberation_id, data, now=utc_now())
    return _read(session, me, deliberation_id)


@router.post("/{deliberation_id}/meetings", status_code=201, response_model=DeliberationRead, summary="记录协商会议")
def add_meeting(deliberation_id: IdPath, data: MeetingCreate, request: Request, session: SessionDep,
                me: DeliberationWriter) -> DeliberationRead:
    service.add_meeting(session, me, deliberation_id, data, now=utc_now(),
                        media_root=request.app.state.settings.media_path)
    return _read(session, me, deliberation_id)


@router.post("/{deliberation_id}/participants", status_code=201, response_model=DeliberationRead,
             summary="添加参与人（姓名或人数，不收集身份证号）")
def add_participant(deliberation_id: IdPath, data: ParticipantIn, session: SessionDep,
                    me: DeliberationWriter) -> DeliberationRead:
    service.add_participant(session, me, deliberation_id, data, now=utc_now())
    return _read(session, me, deliberation_id)


@router.post("/{deliberation_id}/follow-ups", status_code=201, response_model=DeliberationRead,
             summary="由决定创建跟进事件或工作指令")
def add_follow_up(deliberation_id: IdPath, data: FollowUpCreate, request: Request, session: SessionDep,
                  me: DeliberationWriter, profile: ProfileDep, cipher: CipherDep) -> DeliberationRead:
    service.add_follow_up(session, me, deliberation_id, data, now=utc_now(), profile=profile, cipher=cipher,
                          media_root=request.app.state.settings.media_path,
                          case_types=request.app.state.case_types)
    return _read(session, me, deliberation_id)


@router.post("/{deliberation_id}/publish", response_model=DeliberationRead, summary="公开或撤下协商结果")
def publish(deliberation_id: IdPath, data: PublishSet, session: SessionDep, me: DeliberationWriter) -> DeliberationRead:
    service.publish(session, me, deliberation_id, data.publish, now=utc_now())
    return _read(session, me, deliberation_id)


@router.get("/{deliberation_id}/attachments/{sha256}", summary="会议附件", **file_answer(*IMAGES, description="附件"))
def attachment(deliberation_id: IdPath, sha256: Sha, request: Request, session: SessionDep, me: CogovernanceReader,
               thumbnail: bool = False):
    found = service.attachment_for(session, me, deliberation_id, sha256)
    stored = image_path(case_service.photo_root(request.app.state.settings.media_path), found, thumbnail=thumbnail)
    if stored is None:
        raise NotFound("附件不存在")
    return FileResponse(stored[0], media_type=stored[1], headers={"Cache-Control": "private, max-age=86400"})
