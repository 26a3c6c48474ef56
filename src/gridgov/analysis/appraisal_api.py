"""The appraisal's JSON API (issue 16; G1, G2, B5): scores per period with their derivation, and a
stored run. Thin: the use cases are in :mod:`.appraisal` and :mod:`.appraisal_runs`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from gridgov.analysis import appraisal, appraisal_runs
from gridgov.authz.principals import AnalysisReader, AppraisalManager
from gridgov.deps import ReplicaSessionDep, SessionDep
from gridgov.kit.clock import utc_now

router = APIRouter(tags=["analysis"])

PeriodQuery = Annotated[str, Query(max_length=7, description="考核期：月（2026-11）、季度（2026-Q4）或年（2026）")]
LevelQuery = Annotated[str, Query(max_length=12,
                                  description="考核对象：town 镇（街道）、department 联动部门、worker 网格员")]
AreaQuery = Annotated[str | None, Query(max_length=12, description="区划代码（12 位，默认本人辖区）")]


class RunCreate(BaseModel):
    period: str = Field(max_length=7, description="考核期：月（2026-11）、季度（2026-Q4）或年（2026）")
    area: str | None = Field(default=None, max_length=12, description="区划代码（12 位，默认本人辖区）")


class RunRead(BaseModel):
    id: int
    period: str
    area_code: str
    inputs_digest: str
    run_hash: str
    scores: int


@router.get("/appraisal", summary="考核评价：镇（街道）、联动部门、网格员的得分、排名及计算过程")
def get_appraisal(request: Request, session: ReplicaSessionDep, me: AnalysisReader, period: PeriodQuery,
                  level: LevelQuery = "town", area: AreaQuery = None) -> dict[str, Any]:
    state = request.app.state
    return appraisal.live(session, me, period=period, level=level, area=area, profile=state.profile,
                          cipher=state.cipher, now=utc_now())


@router.post("/appraisal/runs", status_code=201, response_model=RunRead, summary="保存一期考核评价结果（可校验）")
def create_run(data: RunCreate, request: Request, session: SessionDep, me: AppraisalManager) -> RunRead:
    state = request.app.state
    run = appraisal_runs.store_run(session, me, period=data.period, area=data.area, profile=state.profile,
                                   cipher=state.cipher, now=utc_now())
    return RunRead(id=run.id, period=run.period, area_code=run.area_code, inputs_digest=run.inputs_digest,
                   run_hash=run.run_hash, scores=appraisal_runs.count_scores(session, me, run.id))
