"""Audit log JSON API: read and export, for auditors (``audit.read``), scoped to the jurisdiction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from gridgov.audit import service
from gridgov.audit.schemas import AuditFilter, AuditPage
from gridgov.authz.principals import AuditReader
from gridgov.deps import ReplicaSessionDep, SessionDep
from gridgov.kit.clock import local, utc_now
from gridgov.kit.params import PageQuery
from gridgov.openapi import CSV, file_answer

router = APIRouter(tags=["audit"])


def csv_response(text: str, now) -> Response:
    name = f"audit-{local(now):%Y%m%d-%H%M%S}.csv"
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/audit", response_model=AuditPage, summary="审计日志（辖区内，最新在前，可筛选、分页）")
def list_audit(
    session: SessionDep,
    me: AuditReader,
    flt: Annotated[AuditFilter, Query()],
    page: PageQuery = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = service.PAGE_SIZE,
) -> AuditPage:
    return service.search(session, me, flt, page=page, page_size=page_size)


@router.get("/audit.csv", summary="导出审计日志 CSV（UTF-8 带 BOM，条件同列表）", **file_answer(CSV))
def export_audit(session: ReplicaSessionDep, me: AuditReader, flt: Annotated[AuditFilter, Query()]) -> Response:
    now = utc_now()
    return csv_response(service.export_csv(session, me, flt, now=now), now)
