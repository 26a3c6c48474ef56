"""Audit log pages: a filterable table with before/after shown as a diff, and the CSV export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from gridgov.audit import rules, service
from gridgov.audit.api import csv_response
from gridgov.audit.schemas import AuditFilter
from gridgov.authz.permissions import permission_label
from gridgov.authz.principals import AuditReader
from gridgov.deps import ReplicaSessionDep, SessionDep
from gridgov.kit.clock import local, utc_now
from gridgov.kit.masking import mask_record
from gridgov.kit.params import PageQuery
from gridgov.web.templating import is_htmx, templates

router = APIRouter()
PAGE_SIZE = 50


@router.get("/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    me: AuditReader,
    flt: Annotated[AuditFilter, Query()],
    page: PageQuery = 1,
):
    result = service.search(session, me, flt, page=page, page_size=PAGE_SIZE)
    rows = [
        {"entry": e, "at": local(e.at), "role_label": service.role_label(e.role),
         "diff": rules.diff(mask_record(e.before), mask_record(e.after)),
         "detail": rules.readable_detail(e.detail, permission_label)}
        for e in result.items
    ]
    query = flt.query()
    context = {"result": result, "rows": rows, "flt": flt, "query": query, "pages": result.pages,
               "object_labels": rules.OBJECT_LABELS}
    if is_htmx(request):
        return templates.TemplateResponse(request, "audit/_table.html", context, headers={"Vary": "HX-Request"})
    context["actions"] = sorted(rules.action_labels().items(), key=lambda kv: kv[1])
    return templates.TemplateResponse(request, "audit/index.html", context, headers={"Vary": "HX-Request"})


@router.get("/audit.csv")
def audit_csv(session: ReplicaSessionDep, me: AuditReader, flt: Annotated[AuditFilter, Query()]):
    now = utc_now()
    return csv_response(service.export_csv(session, me, flt, now=now), now)
