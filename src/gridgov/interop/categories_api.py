"""The hotline's category table and its triage queue (issue 17), for the agency's dispatchers and
administrators (``hotline.categories``). Mounted under /api/v1."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile

from gridgov.authz.principals import HotlineCategorist
from gridgov.deps import ProfileDep, ReplicaSessionDep, SessionDep
from gridgov.interop import hotline, hotline_mapping
from gridgov.interop.hotline_schemas import ClassifyIn, ClassifyRead, ImportResult, MappingIn, MappingRead, TriageItem
from gridgov.kit.clock import utc_now
from gridgov.kit.pagination import Page
from gridgov.kit.params import IdPath, PageQuery
from gridgov.openapi import CSV, file_answer

router = APIRouter(tags=["hotline"])


@router.get("/hotline/categories", response_model=list[MappingRead], summary="热线分类对照表（本辖区及下级）")
def list_mappings(request: Request, session: SessionDep, me: HotlineCategorist) -> list[MappingRead]:
    return hotline_mapping.listing(session, me, request.app.state.case_types)


@router.post("/hotline/categories", response_model=MappingRead, summary="新增或修改一条热线分类对照")
def save_mapping(data: MappingIn, request: Request, session: SessionDep, me: HotlineCategorist) -> MappingRead:
    return hotline_mapping.save_in(session, me, data, now=utc_now(), case_types=request.app.state.case_types)


@router.delete("/hotline/categories/{mapping_id}", status_code=204, summary="删除一条热线分类对照")
def delete_mapping(mapping_id: IdPath, session: SessionDep, me: HotlineCategorist) -> Response:
    hotline_mapping.delete(session, me, mapping_id, now=utc_now())
    return Response(status_code=204)


@router.get("/hotline/categories/export.csv", summary="导出热线分类对照表（CSV）", **file_answer(CSV))
def export_mappings(request: Request, session: ReplicaSessionDep, me: HotlineCategorist) -> Response:
    content = hotline_mapping.export_csv(session, me, request.app.state.case_types)
    return Response(content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="hotline-categories.csv"'})


@router.post("/hotline/categories/import", response_model=ImportResult,
             summary="导入热线分类对照表（CSV：code,name,type；全部有效才写入）")
def import_mappings(request: Request, session: SessionDep, me: HotlineCategorist,
                    file: Annotated[UploadFile, File()]) -> ImportResult:
    return hotline_mapping.import_csv(session, me, file.file.read(), now=utc_now(),
                                      case_types=request.app.state.case_types)


@router.get("/hotline/triage", response_model=Page[TriageItem], summary="待分类的热线事件（热线分类未对照到事件类型）")
def triage(session: SessionDep, me: HotlineCategorist, page: PageQuery = 1,
           page_size: Annotated[int, Query(ge=1, le=200, description="每页条数")] = 50) -> Page[TriageItem]:
    return hotline.triage_queue(session, me, page=page, page_size=page_size)


@router.post("/hotline/triage/{case_no}", response_model=ClassifyRead, summary="确定热线事件的类型（可同时记入对照表）")
def classify(case_no: Annotated[str, Path(max_length=40)], data: ClassifyIn, request: Request,
             session: SessionDep, me: HotlineCategorist, profile: ProfileDep) -> ClassifyRead:
    return hotline.classify(session, me, case_no, data, now=utc_now(), profile=profile,
                            media_root=request.app.state.settings.media_path, case_types=request.app.state.case_types)
