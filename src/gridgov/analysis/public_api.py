"""``GET /api/v1/public/stats``: the public figures (no login; see :mod:`.public_stats`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from gridgov.analysis import public_stats
from gridgov.authz import Permission, Principal, require
from gridgov.deps import ProfileDep, ReplicaSessionDep
from gridgov.kit.clock import local, utc_now

router = APIRouter()
Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]

_DESCRIPTION = (
    "全市和各县（市、区）的事件统计（无需登录）：上报数、结案数、结案率、按期结案率、满意率，按月（by=month）或整个期间"
    "（by=period）。from/to 为年月（YYYY-MM，默认最近 12 个月，最多 36 个月）。不含乡镇、网格和任何个人信息。"
    "小于 5 的计数不公布（null，页面显示“<5”）；只有一个县被隐去时，再隐去另一个最小的县，防止由全市合计倒推；"
    "比率所依据的任一计数被隐去时，比率也不公布。口径见 docs/kpi.md，规则见 docs/analysis.md“公开统计”。")


@router.get("/public/stats", summary="公开统计（无需登录）", description=_DESCRIPTION)
def public_stats_api(
    session: ReplicaSessionDep, profile: ProfileDep, _: Public,
    month_from: Annotated[str | None, Query(alias="from", max_length=7, title="起始年月 YYYY-MM")] = None,
    month_to: Annotated[str | None, Query(alias="to", max_length=7, title="截止年月 YYYY-MM")] = None,
    by: Annotated[str | None, Query(max_length=6, title="month 按月 | period 整个期间")] = None,
) -> Any:
    body = public_stats.public_stats(session, profile, month_from=month_from or None, month_to=month_to or None,
                                     by=by or None, today=local(utc_now()).date())
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
