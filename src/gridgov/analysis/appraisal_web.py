"""The appraisal page (issue 16; G1, G2, B5): rankings of towns, departments and workers for a period
with each score's derivation, the lagging departments, and (for the agency) storing the period."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from gridgov.analysis import appraisal, appraisal_runs
from gridgov.authz.permissions import Permission, role_can
from gridgov.authz.principals import AnalysisReader, AppraisalManager
from gridgov.deps import FormDep, SessionDep
from gridgov.errors import DomainError
from gridgov.kit.clock import local, utc_now
from gridgov.web.templating import templates

router = APIRouter()


def _default_period(today: date) -> str:
    """Last month (the month an appraisal is usually run for)."""
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


@router.get("/appraisal")
def appraisal_page(request: Request, session: SessionDep, me: AnalysisReader,
                   period: Annotated[str | None, Query(max_length=7)] = None,
                   level: Annotated[str, Query(max_length=12)] = "town",
                   area: Annotated[str | None, Query(max_length=12)] = None,
                   saved: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None):
    now = utc_now()
    period = period or _default_period(local(now).date())
    state = request.app.state
    found, error, status = None, None, 200
    try:
        found = appraisal.live(session, me, period=period, level=level, area=area or None, profile=state.profile,
                               cipher=state.cipher, now=now)
    except DomainError as exc:
        error, status = exc.message, exc.status
    context = {"found": found, "error": error, "period": period, "level": level, "area": area or "",
               "saved": saved, "levels": [(k, appraisal.rules.level_label(k)) for k in appraisal.LEVELS],
               "can_store": role_can(me.role, Permission.APPRAISAL_MANAGE)}
    return templates.TemplateResponse(request, "analysis/appraisal.html", context, status_code=status)


@router.post("/appraisal/runs")
def store_page(request: Request, session: SessionDep, me: AppraisalManager, fields: FormDep):
    period = (fields.get("period") or "").strip()[:7]
    area = (fields.get("area") or "").strip()[:12] or None
    state = request.app.state
    run = appraisal_runs.store_run(session, me, period=period, area=area, profile=state.profile, cipher=state.cipher,
                                   now=utc_now())
    return RedirectResponse(f"/appraisal?period={run.period}&area={run.area_code}&saved={run.id}", status_code=303)
