"""``GET /api/v1/warnings``: the early warnings of the caller's jurisdiction (thin: see
:mod:`.warnings_service`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from gridgov.analysis.warnings_schemas import WarningList
from gridgov.analysis.warnings_service import warnings_for
from gridgov.authz.principals import AnalysisReader
from gridgov.deps import SessionDep
from gridgov.kit.clock import utc_now

router = APIRouter()


AreaQuery = Annotated[str | None, Query(pattern=r"^\d{12}(\d{3})?$", title="区划或网格编码（辖区内）")]
KindQuery = Annotated[str | None, Query(max_length=24, title="预警类别")]


@router.get("/warnings", response_model=WarningList,
            summary="预警（事件量突增、重复事件、部门超期、网格员投诉、走访逾期）")
def list_warnings(request: Request, session: SessionDep, me: AnalysisReader, area: AreaQuery = None,
                  kind: KindQuery = None) -> WarningList:
    state = request.app.state
    return warnings_for(session, me, profile=state.profile, cipher=state.cipher, now=utc_now(), area=area,
                        kind=kind, case_types=state.case_types)
