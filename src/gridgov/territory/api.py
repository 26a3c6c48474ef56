"""Territory JSON API: areas, grids, the locator, import, export and the coverage check."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from gridgov.authz.principals import TerritoryImporter, TerritoryReader
from gridgov.deps import ProfileDep, ReplicaSessionDep, SessionDep
from gridgov.errors import Invalid
from gridgov.geo.crs import Crs
from gridgov.inputguard import load_json
from gridgov.kit.clock import utc_now
from gridgov.kit.params import PageQuery
from gridgov.openapi import GEOJSON, file_answer
from gridgov.territory import coverage, history, service, transfer
from gridgov.territory.schemas import (
    AreaRead,
    CoverageReport,
    GridPage,
    GridRead,
    ImportResult,
    LocateResult,
)

router = APIRouter(tags=["territory"])


@router.get("/areas", response_model=list[AreaRead], summary="下级区域列表")
def list_areas(session: SessionDep, me: TerritoryReader, parent: str | None = None) -> list[AreaRead]:
    return service.list_areas(session, me, parent)


@router.get("/areas/{code}", response_model=AreaRead, summary="区域详情")
def get_area(code: str, session: SessionDep, me: TerritoryReader) -> AreaRead:
    return service.get_area_read(session, me, code)


@router.get("/areas/{code}/coverage", response_model=CoverageReport, summary="无缝覆盖检查")
def check_coverage(code: str, session: SessionDep, me: TerritoryReader, profile: ProfileDep) -> CoverageReport:
    return coverage.check_coverage(session, me, code, profile=profile)


@router.get("/areas/{code}/grids.geojson", summary="区域内网格（地图用 GeoJSON）", **file_answer(GEOJSON))
def area_grids_geojson(code: str, session: SessionDep, me: TerritoryReader) -> JSONResponse:
    return JSONResponse(service.grids_geojson(session, me, code), media_type="application/geo+json")


@router.get("/grids", response_model=GridPage, summary="网格列表")
def list_grids(
    session: SessionDep,
    me: TerritoryReader,
    area: str | None = None,
    q: str | None = None,
    page: PageQuery = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = 50,
) -> GridPage:
    return service.list_grids(session, me, area=area, q=q, page=page, page_size=page_size)


@router.get("/grids/locate", response_model=LocateResult, summary="按坐标定位网格")
def locate(
    session: SessionDep,
    me: TerritoryReader,
    lon: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
    crs: Crs = Crs.WGS84,
    date: Annotated[str | None, Query(description="查询该日期（YYYY-MM-DD）时的网格；省略为当前")] = None,
) -> LocateResult:
    return service.locate(session, me, lon, lat, crs, on=history.parse_day(date, "日期 date"))


@router.get("/grids/export", summary="导出区域、网格与微网格（GeoJSON）", **file_answer(GEOJSON))
def export(session: ReplicaSessionDep, me: TerritoryReader, area: str | None = None) -> JSONResponse:
    return JSONResponse(transfer.export_feature_collection(session, me, area), media_type="application/geo+json")


@router.get("/grids/{code}", response_model=GridRead, summary="网格详情（含边界 GeoJSON）")
def get_grid(code: str, session: SessionDep, me: TerritoryReader) -> GridRead:
    return service.get_grid_read(session, me, code)


@router.post("/grids/import", response_model=ImportResult,
             summary="导入区域与网格（GeoJSON FeatureCollection，全部有效才写入）")
async def import_grids(request: Request, session: SessionDep, me: TerritoryImporter,
                       profile: ProfileDep) -> ImportResult:
    body = await request.body()
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise Invalid("请上传 GeoJSON 文件（表单字段 file）")
        body = await upload.read()

    def work() -> ImportResult:  # parsing up to 50 MB and importing: in the thread pool
        try:
            data = load_json(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Invalid(f"文件不是有效的 JSON：{exc}") from exc
        return transfer.import_feature_collection(session, me, data, profile=profile, now=utc_now())

    return await run_in_threadpool(work)
