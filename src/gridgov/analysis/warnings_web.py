"""The warnings page ``/warnings``: the same warnings as ``GET /api/v1/warnings``, each linking to
its cases (the case list with the warning's filters) or, for a warning without cases, to its page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from gridgov.analysis.warnings_schemas import KIND_LABELS
from gridgov.analysis.warnings_service import CASES_API, warnings_for
from gridgov.authz.principals import AnalysisReader
from gridgov.deps import SessionDep
from gridgov.errors import DomainError
from gridgov.kit.clock import utc_now
from gridgov.web.templating import templates

router = APIRouter()


def case_page(cases_url: str | None) -> str | None:
    """The case list page showing the cases of ``GET /api/v1/cases?…`` (the same filters)."""
    if not cases_url or not cases_url.startswith(CASES_API + "?"):
        return None
    return "/cases/mine?" + cases_url[len(CASES_API) + 1:]


@router.get("/warnings")
def warnings_page(request: Request, session: SessionDep, me: AnalysisReader,
                  kind: Annotated[str | None, Query(max_length=24)] = None):
    state = request.app.state
    kind = kind if kind in KIND_LABELS else None
    error, found = None, None
    try:
        found = warnings_for(session, me, profile=state.profile, cipher=state.cipher, now=utc_now(), kind=kind,
                             case_types=state.case_types)
    except DomainError as exc:
        error = exc.message
    return templates.TemplateResponse(request, "analysis/warnings.html", {
        "found": found, "error": error, "kind": kind or "", "kinds": KIND_LABELS, "case_page": case_page})
