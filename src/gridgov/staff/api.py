"""Staff JSON API: records (masked), reveal (audited), training, exclusions, posts, gaps, import/export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response

from gridgov.authz.principals import StaffReader, StaffRevealer, StaffWriter
from gridgov.deps import ReplicaSessionDep, SessionDep
from gridgov.kit.clock import utc_now
from gridgov.kit.params import IdPath, PageQuery
from gridgov.openapi import CSV, IMAGES, file_answer
from gridgov.staff import importing, posts, service
from gridgov.staff.schemas import (
    ExclusionCreate,
    ExclusionLift,
    GapReport,
    ImportResult,
    PostActivate,
    PostCreate,
    PostEnd,
    PostRead,
    StaffCreate,
    StaffPage,
    StaffRead,
    StaffRevealed,
    StaffUpdate,
    TrainingCreate,
)

router = APIRouter(tags=["staff"])


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cipher(request: Request):
    return request.app.state.cipher


def _profile(request: Request):
    return request.app.state.profile


def xlsx_response(content: bytes, filename: str) -> Response:
    return Response(content, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"})


def csv_response(text: str, filename: str) -> Response:
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"})


@router.get("/staff", response_model=StaffPage, summary="辖区内的网格员（脱敏）")
def list_staff(request: Request, session: SessionDep, me: StaffReader, area: str | None = None, q: str | None = None,
               page: PageQuery = 1, page_size: Annotated[int, Query(ge=1, le=200)] = 50,
               grid: Annotated[str | None, Query(description="只列在该网格在岗的人员（15 位网格编码）")] = None,
               ) -> StaffPage:
    return service.list_staff(session, me, area=area, q=q, page=page, page_size=page_size, cipher=_cipher(request),
                              grid=(grid or "").strip() or None)


@router.post("/staff", response_model=StaffRead, status_code=201, summary="新建网格员档案")
def create_staff(data: StaffCreate, request: Request, session: SessionDep, me: StaffWriter) -> StaffRead:
    staff = service.create_staff(session, me, data, cipher=_cipher(request), now=utc_now())
    return service.get_staff_read(session, me, staff.id)


@router.get("/staff/gaps", response_model=GapReport, summary="配备缺口：缺网格长、缺专职网格员、超员、微网格缺联络员")
def gaps(request: Request, session: SessionDep, me: StaffReader, area: str | None = None, page: PageQuery = 1,
         page_size: Annotated[int, Query(ge=1, le=1000, description="每页条数")] = 500) -> GapReport:
    report = posts.staffing_gaps(session, me, area, profile=_profile(request))
    return posts.gaps_page(report, page, page_size)


@router.get("/staff/gaps.csv", summary="配备缺口（CSV，Excel 可直接打开）", **file_answer(CSV))
def gaps_csv(request: Request, session: ReplicaSessionDep, me: StaffReader, area: str | None = None) -> Response:
    report = posts.staffing_gaps(session, me, area, profile=_profile(request))
    return csv_response(posts.gaps_csv(report), f"staffing-gaps-{report.area_code}.csv")


@router.get("/staff/export.xlsx", summary="导出网格员名单（身份证号、手机号脱敏）", **file_answer(XLSX))
def export_masked(request: Request, session: ReplicaSessionDep, me: StaffReader, area: str | None = None) -> Response:
    content = importing.export_workbook(session, me, area=area, cipher=_cipher(request), full=False, now=utc_now())
    return xlsx_response(content, "staff.xlsx")


@router.get("/staff/export-full.xlsx", summary="导出网格员名单（含完整身份证号、手机号，可再导入；记入审计日志）",
            **file_answer(XLSX))
def export_full(request: Request, session: ReplicaSessionDep, me: StaffRevealer, area: str | None = None) -> Response:
    content = importing.export_workbook(session, me, area=area, cipher=_cipher(request), full=True, now=utc_now())
    return xlsx_response(content, "staff-full.xlsx")


@router.post("/staff/import", response_model=ImportResult, summary="从 Excel（.xlsx）或 CSV 导入网格员：全部有效才写入")
def import_staff(request: Request, session: SessionDep, me: StaffWriter, file: UploadFile = File(...)) -> ImportResult:
    content = file.file.read()
    return importing.import_staff(session, me, content, filename=file.filename or "", profile=_profile(request),
                                  cipher=_cipher(request), now=utc_now())


@router.get("/staff/{staff_id}", response_model=StaffRead, summary="网格员档案（脱敏）")
def get_staff(staff_id: IdPath, session: SessionDep, me: StaffReader) -> StaffRead:
    return service.get_staff_read(session, me, staff_id)


@router.patch("/staff/{staff_id}", response_model=StaffRead, summary="修改网格员档案")
def update_staff(staff_id: IdPath, data: StaffUpdate, request: Request, session: SessionDep,
                 me: StaffWriter) -> StaffRead:
    service.update_staff(session, me, staff_id, data, cipher=_cipher(request), now=utc_now())
    return service.get_staff_read(session, me, staff_id)


@router.post("/staff/{staff_id}/reveal", response_model=StaffRevealed,
             summary="查看完整身份证号与手机号（记入审计日志）")
def reveal(staff_id: IdPath, request: Request, session: SessionDep, me: StaffRevealer) -> StaffRevealed:
    ip = request.client.host if request.client else ""
    return service.reveal(session, me, staff_id, cipher=_cipher(request), now=utc_now(), ip=ip)


@router.post("/staff/{staff_id}/trainings", response_model=StaffRead, status_code=201, summary="登记培训与考核结果")
def record_training(staff_id: IdPath, data: TrainingCreate, session: SessionDep, me: StaffWriter) -> StaffRead:
    service.record_training(session, me, staff_id, data, now=utc_now())
    return service.get_staff_read(session, me, staff_id)


@router.post("/staff/{staff_id}/exclusions", response_model=StaffRead, status_code=201,
             summary="登记不得担任专职网格员的情形")
def record_exclusion(staff_id: IdPath, data: ExclusionCreate, request: Request, session: SessionDep,
                     me: StaffWriter) -> StaffRead:
    service.record_exclusion(session, me, staff_id, data, profile=_profile(request), now=utc_now())
    return service.get_staff_read(session, me, staff_id)


@router.post("/staff/{staff_id}/exclusions/{exclusion_id}/lift", response_model=StaffRead, summary="登记情形解除")
def lift_exclusion(staff_id: IdPath, exclusion_id: IdPath, data: ExclusionLift, session: SessionDep,
                   me: StaffWriter) -> StaffRead:
    service.lift_exclusion(session, me, staff_id, exclusion_id, data, now=utc_now())
    return service.get_staff_read(session, me, staff_id)


@router.post("/staff/{staff_id}/photo", response_model=StaffRead, summary="上传照片（JPEG/PNG/WebP，2 MB 以内）")
def upload_photo(staff_id: IdPath, request: Request, session: SessionDep, me: StaffWriter,
                 file: UploadFile = File(...)) -> StaffRead:
    content = file.file.read(service.MAX_PHOTO_BYTES + 1)
    service.set_photo(session, me, staff_id, content, media_root=request.app.state.settings.media_path, now=utc_now())
    return service.get_staff_read(session, me, staff_id)


@router.get("/staff/{staff_id}/photo", summary="照片", **file_answer(*IMAGES, description="照片"))
def photo(staff_id: IdPath, request: Request, session: SessionDep, me: StaffReader) -> FileResponse:
    path, media_type = service.photo_of(session, me, staff_id, media_root=request.app.state.settings.media_path)
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"})


@router.post("/posts", response_model=PostRead, status_code=201, summary="新建岗位（待上岗）")
def create_post(data: PostCreate, request: Request, session: SessionDep, me: StaffWriter) -> PostRead:
    return service.post_read(posts.create_post(session, me, data, profile=_profile(request), now=utc_now()))


@router.post("/posts/{post_id}/activate", response_model=PostRead,
             summary="岗位生效（须已岗前培训合格、符合任职条件与配备规则）")
def activate_post(post_id: IdPath, request: Request, session: SessionDep, me: StaffWriter,
                  data: PostActivate | None = None) -> PostRead:
    post = posts.activate_post(session, me, post_id, data or PostActivate(), profile=_profile(request), now=utc_now())
    return service.post_read(post)


@router.post("/posts/{post_id}/end", response_model=PostRead, summary="结束岗位（离岗）")
def end_post(post_id: IdPath, session: SessionDep, me: StaffWriter, data: PostEnd | None = None) -> PostRead:
    return service.post_read(posts.end_post(session, me, post_id, data or PostEnd(), now=utc_now()))
