"""``GET /api/v1/public/map``: the optional public map's data (404 while the deployment has it off)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from gridgov.authz import Permission, Principal, require
from gridgov.deps import ProfileDep, ReplicaSessionDep
from gridgov.kit.clock import utc_now
from gridgov.public import map_service

router = APIRouter(tags=["public"])
Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]


class MapItem(BaseModel):
    grid_code: str = Field(title="网格编码")
    grid_name: str = Field(title="网格名称")
    type: str = Field(title="事件类型代码")
    type_name: str = Field(title="事件类型")
    state: Literal["open", "closed"] = Field(title="办理中（open）或已办结（closed）")
    count: int = Field(title="件数")


class MapCell(BaseModel):
    lon: float = Field(title="格子中心经度（WGS-84）")
    lat: float = Field(title="格子中心纬度（WGS-84）")
    count: int = Field(title="格子内件数")
    items: list[MapItem]


class PublicMap(BaseModel):
    cell_m: int = Field(title="格子边长（米）：位置只精确到格子")
    closed_days: int = Field(title="已办结的显示天数")
    reports: int = Field(title="地图上的反映件数")
    cells: list[MapCell]


@router.get("/public/map", response_model=PublicMap, summary="群众反映公开地图（部署开启时，无需登录）",
            description="办理中和近期办结的群众反映，按网格和类型计数，位置取整到格子中心，不含描述和个人信息。"
                        "未开启（GRIDGOV_PUBLIC_MAP）时返回 404。")
def get_public_map(request: Request, response: Response, session: ReplicaSessionDep, profile: ProfileDep,
                   _: Public) -> dict:
    response.headers["Cache-Control"] = "public, max-age=60"
    return map_service.cached_public_map(request.app.state, session, profile=profile, now=utc_now())
