"""``GET /api/v1/index``: the governance index (治理指数) of an area over a period, per child area and
per month, every indicator with its raw counts and the lists behind them (docs/analysis.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from gridgov.analysis import governance_index
from gridgov.authz.principals import AnalysisReader
from gridgov.deps import CipherDep, ProfileDep, ReplicaSessionDep
from gridgov.kit.clock import utc_now

router = APIRouter()

AreaQuery = Annotated[str | None, Query(max_length=15, description="区划代码（12 位）或网格编码（15 位）")]
"""The area (12 digits) or grid (15 digits) whose index is asked; the caller's own by default."""
DayQuery = Annotated[str | None, Query(max_length=10, description="日期 YYYY-MM-DD（含）")]


@router.get("/index", summary="治理指数：辖区总分、各下级区域与逐月趋势，每个指标可追溯到其事件或登记名单")
def get_index(session: ReplicaSessionDep, me: AnalysisReader, profile: ProfileDep, cipher: CipherDep,
              area: AreaQuery = None, date_from: Annotated[DayQuery, Query(alias="from")] = None,
              date_to: Annotated[DayQuery, Query(alias="to")] = None) -> dict[str, Any]:
    return governance_index.governance_index(session, me, area=area, date_from=date_from, date_to=date_to,
                                             profile=profile, cipher=cipher, now=utc_now())
