"""The cogovernance figures page (``/stats/cogovernance``): the activity ledger counted per area, grid or month
(the same answer as ``GET /api/v1/stats/cogovernance``, :mod:`.cogovernance_stats`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from gridgov.analysis import cogovernance_stats
from gridgov.authz.principals import AnalysisReader
from gridgov.deps import ReplicaSessionDep
from gridgov.web.templating import templates

router = APIRouter()


@router.get("/stats/cogovernance")
def cogovernance_page(request: Request, session: ReplicaSessionDep, me: AnalysisReader,
                      group_by: Annotated[str, Query(max_length=12)] = "grid",
                      area: Annotated[str | None, Query(max_length=12)] = None,
                      date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
                      date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None):
    result = cogovernance_stats.activity_stats(session, me, group_by=group_by, area=area or None,
                                               date_from=date_from or None, date_to=date_to or None)
    return templates.TemplateResponse(request, "analysis/cogovernance.html", {
        "result": result, "groupings": cogovernance_stats.GROUP_BY})
