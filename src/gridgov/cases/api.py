"""Cases JSON API: intake, lists, a case, its file, actions, photos and the categories."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, File, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from gridgov.authz import Pass, Permission, Principal, admit
from gridgov.authz.principals import CaseCreator, CaseReader
from gridgov.cases import actions, export, report, search, service
from gridgov.cases.schemas import CaseCreate, CaseListItem, CaseRead, CaseTypeRead, LogEntryRead, NearbyCase
from gridgov.deps import ProfileDep, ReplicaSessionDep, SessionDep, in_one_trip
from gridgov.errors import NotFound
from gridgov.kit.clock import local, utc_now
from gridgov.kit.media import MAX_BYTES, image_path
from gridgov.kit.pagination import Page
from gridgov.kit.params import PageQuery
from gridgov.openapi import IMAGES, XLSX, file_answer

T = TypeVar("T")


@dataclass(frozen=True)
class Writing:
    """The one dependency of the busiest writes (intake, actions): they run and commit in one trip to
    the thread pool (:meth:`run`), looking the user up inside it (``authz.admit``), and take the
    profile, cipher and media folder from the app as ``ProfileDep`` and ``CipherDep`` give them,
    without solving those per request. bench/intake.py measures the difference."""

    session: Session
    admitted: Pass
    request: Request

    def principal(self) -> Principal:
        return self.admitted.principal(self.session)

    @property
    def profile(self):
        return self.request.app.state.profile

    @property
    def case_types(self):
        return self.request.app.state.case_types

    @property
    def cipher(self):
        return self.request.app.state.cipher

    @property
    def media_root(self):
        return _media(self.request)

    async def run(self, work: Callable[[], T]) -> T:
        return await in_one_trip(self.session, work)


def writing(permission: Permission):
    # A default rather than Annotated: the annotation, a string here, could not name this local.
    admitted = Depends(admit(permission))

    async def dependency(request: Request, session: SessionDep, passed: Pass = admitted) -> Writing:
        return Writing(session, passed, request)

    return dependency


Intake = Annotated[Writing, Depends(writing(Permission.CASES_CREATE))]
Acting = Annotated[Writing, Depends(writing(Permission.CASES_ACT))]
router = APIRouter(tags=["cases"])


def _media(request: Request):
    return request.app.state.settings.media_path


@router.get("/case-categories", summary="事项可选类别（在册事项；尚无清单时为初始类别）")
def case_categories(session: SessionDep, me: CaseReader, profile: ProfileDep,
                    place: Annotated[str | None, Query(pattern=r"^\d{12,18}$", title="区划或网格编码")] = None,
                    ) -> list[dict[str, str]]:
    """The matters in force at the caller's place (or ``place``: the list of grid work is public,
    C5), today; the profile's initial categories where no list governs the place yet."""
    where = place or me.scope_code or profile.city.code + "000000"
    return service.category_choices(session, where, local(utc_now()).date(), profile)


@router.get("/case-types", response_model=list[CaseTypeRead], summary="事件类型（大类/小类）")
def case_types(request: Request, me: CaseReader) -> list[CaseTypeRead]:
    """Every case type in file order: 大类 (``parent`` null) and 小类, each with the department kind
    and the matter it falls under in the profile in use. The same list for everyone who reads cases."""
    return [CaseTypeRead(code=t.code, name=t.name, parent=t.parent, department_kind=t.department_kind,
                         matter=t.matter) for t in request.app.state.case_types.types]


@router.post("/case-photos", status_code=201, summary="上传事件照片（JPEG/PNG/WebP，≤10 MB，去除位置信息）")
def upload_photo(request: Request, me: CaseCreator, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    data = file.file.read(MAX_BYTES + 1)
    stored = service.upload_photo(_media(request), data)
    return {"sha256": stored.sha256, "content_type": stored.content_type, "size": stored.size}


@router.get("/case-photos/{sha256}", summary="事件照片", **file_answer(*IMAGES, description="照片"))
def get_photo(sha256: str, request: Request, session: SessionDep, me: CaseReader, thumbnail: bool = False):
    found = service.photo_for(session, me, sha256)
    stored = image_path(service.photo_root(_media(request)), found, thumbnail=thumbnail)
    if stored is None:
        raise NotFound("照片不存在")
    return FileResponse(stored[0], media_type=stored[1], headers={"Cache-Control": "private, max-age=86400"})


@router.post("/cases", status_code=201, response_model=CaseRead, summary="上报事件")
async def create_case(data: CaseCreate, w: Intake) -> CaseRead:
    def work() -> CaseRead:
        me, now = w.principal(), utc_now()
        return report.report_case(w.session, me, data, now=now, profile=w.profile, cipher=w.cipher,
                                  media_root=w.media_root, case_types=w.case_types)

    return await w.run(work)


@router.get("/cases/nearby", response_model=list[NearbyCase], summary="附近已有的相同事件（查重）")
def nearby_cases(request: Request, session: SessionDep, me: CaseReader,
                 lon: Annotated[float, Query(ge=-180, le=180, title="经度（WGS84）")],
                 lat: Annotated[float, Query(ge=-90, le=90, title="纬度（WGS84）")],
                 category: Annotated[str | None, Query(max_length=32, title="类别")] = None,
                 exclude: Annotated[str | None, Query(max_length=32, title="不含的事件编号")] = None,
                 ) -> list[dict[str, Any]]:
    """Open cases the caller may see, of the same category, within ``GRIDGOV_DUPLICATE_RADIUS_M``
    metres of the point, registered in the last ``GRIDGOV_DUPLICATE_DAYS`` days; nearest first."""
    settings = request.app.state.settings
    return report.nearby(session, me, lon=lon, lat=lat, category=category or None, now=utc_now(),
                         radius_m=settings.duplicate_radius_m, days=settings.duplicate_days, exclude=exclude)


def case_filter(
    request: Request,
    q: Annotated[str | None, Query(max_length=search.Q_MAX, title="关键词（事件编号、标题、描述、地址）")] = None,
    state: Annotated[str | None, Query(max_length=16, title="状态（open 办理中、done 已结束或某一状态）")] = None,
    grid: Annotated[str | None, Query(max_length=17, title="网格编码")] = None,
    area: Annotated[str | None, Query(max_length=12, title="区划代码（其下所有网格）")] = None,
    type: Annotated[str | None, Query(max_length=40, title="事件类型（小类编码，或大类编码：其下所有小类）")] = None,
    department: Annotated[str | None, Query(max_length=40, title="部门编码（牵头或协办，现在或曾经）")] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10, title="登记日期起（含）")] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10, title="登记日期止（含）")] = None,
    overdue: Annotated[str | None, Query(max_length=5, title="是否超期（true/false）")] = None,
    matter: Annotated[str | None, Query(max_length=40, title="事项编码（事件所属事项）")] = None,
    lead: Annotated[str | None, Query(
        max_length=40, title="牵头部门编码（最后一次分派的牵头部门；none：未分派）")] = None,
    worker: Annotated[str | None, Query(
        max_length=12, title="网格员用户编号（上报或核实该事件的网格员；none：无）")] = None,
    kpi: Annotated[str | None, Query(max_length=80, title="统计指标（计入该指标的事件）", description=(
        "统计口径见 docs/kpi.md：reported、valid、verified、verified_on_time、dispatched、returned、handled、"
        "handled_on_time、closed、closed_on_time、reworked、reopened、extended、overdue、evaluated、satisfied、"
        "supervised；前加 - 表示不计入该指标，逗号分隔可组合（最多 4 项），如 dispatched,-returned 为准确派遣的事件。"
        "与 from/to（登记日期）、area、grid、type、matter、lead、worker 同用，列出的正是统计接口 "
        "GET /api/v1/stats/cases 各项数字所计的事件（cases_url）。"))] = None,
    nos: Annotated[str | None, Query(max_length=1700, title="事件编号（逗号分隔，最多 50 个）")] = None,
) -> search.CaseFilter:
    """The filters of ``GET /api/v1/cases`` and its export, checked by :func:`search.parse` (422)."""
    return search.parse({"q": q, "state": state, "grid": grid, "area": area, "type": type,
                         "department": department, "from": date_from, "to": date_to, "overdue": overdue,
                         "matter": matter, "lead": lead, "worker": worker, "kpi": kpi, "nos": nos},
                        request.app.state.case_types)


CaseFilterDep = Annotated[search.CaseFilter, Depends(case_filter)]


@router.get("/cases", response_model=Page[CaseListItem], summary="事件列表（查找、筛选、分页）")
def list_cases(request: Request, session: SessionDep, me: CaseReader, found: CaseFilterDep, page: PageQuery = 1,
               page_size: Annotated[int, Query(ge=1, le=search.MAX_PAGE_SIZE, description="每页条数")] = 50,
               ) -> Page[CaseListItem]:
    return service.list_cases(session, me, now=utc_now(), found=found, page=page, page_size=page_size,
                              case_types=request.app.state.case_types)


@router.get("/cases/export.xlsx", summary="导出事件列表（Excel，条件同事件列表，个人信息脱敏）",
            **file_answer(XLSX, description="Excel 文件"))
def export_cases(session: ReplicaSessionDep, me: CaseReader, found: CaseFilterDep, profile: ProfileDep) -> Response:
    data = export.export_xlsx(session, me, found, now=utc_now(),
                              category_names=service.category_names(session, profile))
    name = f"cases-{local(utc_now()):%Y%m%d-%H%M}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/cases/{case_no}", response_model=CaseRead, summary="事件详情")
def get_case(case_no: str, request: Request, session: SessionDep, me: CaseReader, profile: ProfileDep) -> CaseRead:
    case = service.access_case(session, me, case_no)
    return service.case_read(session, me, case, now=utc_now(), profile=profile, case_types=request.app.state.case_types)


@router.get("/cases/{case_no}/log", response_model=list[LogEntryRead], summary="事件电子档案")
def get_log(case_no: str, session: SessionDep, me: CaseReader) -> list[LogEntryRead]:
    return service.case_log(session, me, case_no)


@router.post("/cases/{case_no}/actions/{action}", response_model=CaseRead, summary="办理操作")
async def act(case_no: str, action: str, w: Acting, body: Annotated[dict[str, Any] | None, Body()] = None) -> CaseRead:
    def work() -> CaseRead:
        return actions.act_and_read(w.session, w.principal(), case_no, action, body or {}, now=utc_now(),
                                    profile=w.profile, media_root=w.media_root, case_types=w.case_types,
                                    cipher=w.cipher)

    return await w.run(work)
