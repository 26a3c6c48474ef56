"""Special-group tags, visits and the due list: the JSON API (issue 15, E6)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse

from gridgov.authz.principals import RegistryReader, RegistryWriter
from gridgov.cases import service as case_service
from gridgov.deps import SessionDep
from gridgov.errors import NotFound
from gridgov.kit.clock import utc_now
from gridgov.kit.media import MAX_BYTES, image_path
from gridgov.kit.params import MAX_ID, IdPath, PageQuery
from gridgov.openapi import IMAGES, file_answer
from gridgov.registry import care, care_visits
from gridgov.registry.care_schemas import (
    DuePage,
    HouseholdRead,
    PersonTagCreate,
    PersonTagRead,
    TagRead,
    VisitCaseCreate,
    VisitCaseRead,
    VisitCreate,
    VisitPage,
    VisitRead,
)

router = APIRouter(tags=["registry"])

IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="编号（正整数）")]
GridQuery = Annotated[str | None, Query(max_length=17, description="网格编码（15 位），或村（社区）编码")]
PageSize = Annotated[int, Query(ge=1, le=200, description="每页条数")]
TagCode = Annotated[str, Path(max_length=32, description="标签代码")]
SHA = re.compile(r"^[0-9a-f]{64}$")


def _state(request: Request):
    return request.app.state


@router.get("/registry/tags", response_model=list[TagRead], summary="特殊人群标签（仅本角色可见的）")
def list_tags(request: Request, me: RegistryReader) -> list[TagRead]:
    return care.list_tags(me, _state(request).profile)


@router.get("/people/{person_id}/tags", response_model=list[PersonTagRead], summary="人员的特殊人群标签（按角色过滤）")
def person_tags(person_id: IdPath, request: Request, session: SessionDep, me: RegistryReader) -> list[PersonTagRead]:
    state = _state(request)
    return care.person_tags(session, me, person_id, profile=state.profile, cipher=state.cipher, now=utc_now())


@router.post("/people/{person_id}/tags", response_model=PersonTagRead, status_code=201,
             summary="给人员添加特殊人群标签")
def add_tag(person_id: IdPath, data: PersonTagCreate, request: Request, session: SessionDep,
            me: RegistryWriter) -> PersonTagRead:
    state = _state(request)
    return care.add_tag(session, me, person_id, data, profile=state.profile, cipher=state.cipher, now=utc_now())


@router.delete("/people/{person_id}/tags/{tag}", status_code=204, response_class=Response,
               summary="移除人员的特殊人群标签（保留记录，注明截止日期）")
def remove_tag(person_id: IdPath, tag: TagCode, request: Request, session: SessionDep, me: RegistryWriter) -> Response:
    state = _state(request)
    care.remove_tag(session, me, person_id, tag, profile=state.profile, cipher=state.cipher, now=utc_now())
    return Response(status_code=204)


@router.get("/visits/due", response_model=DuePage, summary="到期和逾期未走访的特殊人群（按应走访日期）")
def due(request: Request, session: SessionDep, me: RegistryReader, grid: GridQuery = None,
        within: Annotated[int, Query(ge=0, le=90, description="含今后若干天内到期的（默认 7 天）")] = 7,
        page: PageQuery = 1, page_size: PageSize = 50) -> DuePage:
    state = _state(request)
    return care.due_list(session, me, grid=(grid or "").strip() or None, within_days=within, page=page,
                         page_size=page_size, profile=state.profile, cipher=state.cipher, now=utc_now())


@router.get("/visits/households", response_model=list[HouseholdRead], summary="查找户：按地址或住户姓名")
def households(session: SessionDep, me: RegistryReader,
               q: Annotated[str, Query(min_length=1, max_length=50, description="地址或姓名")]) -> list[HouseholdRead]:
    return care.find_households(session, me, q)


@router.get("/visits", response_model=VisitPage, summary="走访和巡查记录")
def list_visits(session: SessionDep, me: RegistryReader, grid: GridQuery = None, person: IdQuery = None,
                house: IdQuery = None, unit: IdQuery = None, page: PageQuery = 1,
                page_size: PageSize = 50) -> VisitPage:
    return care_visits.list_visits(session, me, grid=(grid or "").strip() or None, person_id=person,
                                   house_id=house, unit_id=unit, page=page, page_size=page_size)


@router.post("/visits", response_model=VisitRead, status_code=201, summary="登记走访或巡查")
def record_visit(data: VisitCreate, request: Request, session: SessionDep, me: RegistryWriter) -> VisitRead:
    state = _state(request)
    return care_visits.record_visit(session, me, data, profile=state.profile, cipher=state.cipher,
                                    media_root=state.settings.media_path, now=utc_now())


@router.get("/visits/{visit_id}", response_model=VisitRead, summary="一条走访记录")
def get_visit(visit_id: IdPath, session: SessionDep, me: RegistryReader) -> VisitRead:
    return care_visits.get_visit(session, me, visit_id)


@router.post("/visits/{visit_id}/case", response_model=VisitCaseRead, status_code=201,
             summary="走访发现的需求一步转为事件")
def visit_case(visit_id: IdPath, data: VisitCaseCreate, request: Request, session: SessionDep,
               me: RegistryWriter) -> VisitCaseRead:
    state = _state(request)
    return care_visits.visit_to_case(session, me, visit_id, data, profile=state.profile, cipher=state.cipher,
                                     media_root=state.settings.media_path, now=utc_now(),
                                     case_types=state.case_types)


@router.post("/visit-photos", status_code=201, summary="上传走访照片（JPEG/PNG/WebP，≤10 MB，去除位置信息）")
def upload_photo(request: Request, me: RegistryWriter, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    stored = case_service.upload_photo(_state(request).settings.media_path, file.file.read(MAX_BYTES + 1))
    return {"sha256": stored.sha256, "content_type": stored.content_type, "size": stored.size}


@router.get("/visit-photos/{sha256}", summary="走访照片", **file_answer(*IMAGES, description="照片"))
def get_photo(sha256: Annotated[str, Path(max_length=64)], request: Request, session: SessionDep,
              me: RegistryReader, thumbnail: bool = False):
    if not SHA.match(sha256):
        raise NotFound("照片不存在")
    care_visits.visit_photo(session, me, sha256)
    stored = image_path(case_service.photo_root(_state(request).settings.media_path), sha256, thumbnail=thumbnail)
    if stored is None:
        raise NotFound("照片不存在")
    return FileResponse(stored[0], media_type=stored[1], headers={"Cache-Control": "private, max-age=86400"})
