"""The admin page of a person's information report (PIPL art. 45). The ID number travels in the
POST body only (never in a URL); the answer is not cached."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gridgov.authz.principals import RegistryReporter
from gridgov.deps import FormDep, SessionDep
from gridgov.errors import DomainError
from gridgov.kit.clock import utc_now
from gridgov.registry.report import build_report, id_number_hint
from gridgov.web.templating import templates

router = APIRouter()
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/registry/report")
def report_form(request: Request, me: RegistryReporter):
    return templates.TemplateResponse(request, "registry/report.html", {"report": None, "error": None},
                                      headers=NO_STORE)


@router.post("/registry/report")
def report_page(request: Request, me: RegistryReporter, session: SessionDep, fields: FormDep):
    number = (fields.get("id_number") or "").strip()
    error, found, status = None, None, 200
    if not number:
        error, status = "请输入证件号码", 422
    else:
        try:
            found = build_report(session, me, number, cipher=request.app.state.cipher,
                                 profile=request.app.state.profile, now=utc_now(),
                                 ip=request.client.host if request.client else "")
        except DomainError as exc:
            session.rollback()
            hint = id_number_hint(number)
            error, status = (f"{exc.message}（{hint}）" if hint else exc.message), exc.status
    return templates.TemplateResponse(request, "registry/report.html", {"report": found, "error": error},
                                      status_code=status, headers=NO_STORE)
