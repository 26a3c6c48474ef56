"""``/public/stats``: the public figures as a page anyone may open (see :mod:`.public_stats`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from gridgov.analysis import public_stats
from gridgov.authz import Permission, Principal, require
from gridgov.deps import ProfileDep, ReplicaSessionDep
from gridgov.errors import Invalid
from gridgov.kit.clock import local, utc_now
from gridgov.web.templating import templates

router = APIRouter()
Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/public/stats")
def public_stats_page(
    request: Request, session: ReplicaSessionDep, profile: ProfileDep, _: Public,
    month_from: Annotated[str | None, Query(alias="from", max_length=7)] = None,
    month_to: Annotated[str | None, Query(alias="to", max_length=7)] = None,
    by: Annotated[str | None, Query(max_length=6)] = None,
):
    form = {"from": month_from or "", "to": month_to or "", "by": by or "month"}
    today = local(utc_now()).date()
    try:
        stats = public_stats.public_stats(session, profile, month_from=month_from or None,
                                          month_to=month_to or None, by=by or None, today=today)
        error, status = None, 200
    except Invalid as exc:
        stats = public_stats.public_stats(session, profile, today=today)
        error, status = exc.message, 422
    if not form["from"]:
        form["from"], form["to"] = stats["from"], stats["to"]
    return templates.TemplateResponse(
        request, "analysis/public_stats.html",
        {"stats": stats, "form": form, "error": error, "rates": public_stats.SHOWN_RATES},
        status_code=status, headers=NO_STORE)
