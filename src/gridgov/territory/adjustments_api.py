"""Grid adjustments JSON API: propose, approve or reject, file, and each grid's boundary history."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.authz.principals import (
    AdjustmentApprover,
    AdjustmentFiler,
    AdjustmentProposer,
    TerritoryReader,
)
from gridgov.deps import ProfileDep, SessionDep
from gridgov.kit.clock import utc_now
from gridgov.kit.params import IdPath
from gridgov.territory import adjustments, history
from gridgov.territory.schemas import (
    AdjustmentCreate,
    AdjustmentDecision,
    AdjustmentRead,
    GridVersionRead,
)

router = APIRouter(tags=["adjustments"])



def _one(session, adj) -> AdjustmentRead:
    return adjustments.to_read(session, [adj])[0]


@router.get("/adjustments", response_model=list[AdjustmentRead], summary="网格调整列表（辖区内）")
def list_adjustments(session: SessionDep, me: AdjustmentProposer, status: str | None = None) -> list[AdjustmentRead]:
    return adjustments.to_read(session, adjustments.list_adjustments(session, me, status=status or None))


@router.post("/adjustments", response_model=AdjustmentRead, status_code=201, summary="提出网格调整")
def propose(data: AdjustmentCreate, session: SessionDep, me: AdjustmentProposer, profile: ProfileDep) -> AdjustmentRead:
    return _one(session, adjustments.propose(session, me, data, profile=profile, now=utc_now()))


@router.get("/adjustments/{adjustment_id}", response_model=AdjustmentRead, summary="网格调整详情")
def get_adjustment(adjustment_id: IdPath, session: SessionDep, me: AdjustmentProposer) -> AdjustmentRead:
    return _one(session, adjustments.get_adjustment(session, me, adjustment_id))


@router.post("/adjustments/{adjustment_id}/approve", response_model=AdjustmentRead, summary="批准网格调整（县级）")
def approve(adjustment_id: IdPath, session: SessionDep, me: AdjustmentApprover,
            body: AdjustmentDecision | None = None) -> AdjustmentRead:
    note = body.note if body else ""
    return _one(session, adjustments.approve(session, me, adjustment_id, note, now=utc_now()))


@router.post("/adjustments/{adjustment_id}/reject", response_model=AdjustmentRead, summary="不批准网格调整（县级）")
def reject(adjustment_id: IdPath, session: SessionDep, me: AdjustmentApprover,
           body: AdjustmentDecision | None = None) -> AdjustmentRead:
    note = body.note if body else ""
    return _one(session, adjustments.reject(session, me, adjustment_id, note, now=utc_now()))


@router.post("/adjustments/{adjustment_id}/file", response_model=AdjustmentRead, summary="网格调整备案（市级）")
def file(adjustment_id: IdPath, session: SessionDep, me: AdjustmentFiler,
         body: AdjustmentDecision | None = None) -> AdjustmentRead:
    note = body.note if body else ""
    return _one(session, adjustments.file(session, me, adjustment_id, note, now=utc_now()))


@router.get("/grids/{code}/history", response_model=list[GridVersionRead], summary="网格边界历史")
def grid_history(code: str, session: SessionDep, me: TerritoryReader) -> list[GridVersionRead]:
    return history.access_history(session, me, code)
