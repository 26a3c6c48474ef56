"""The register's import and export page: an import form with the table of every bad row (line,
column, reason), export buttons (masked) and, for ``registry.export_full`` holders, the full export
with its reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from gridgov.authz import Permission
from gridgov.authz.principals import RegistryFullExporter, RegistryImporter, RegistryReader
from gridgov.deps import SessionDep
from gridgov.errors import DomainError, Invalid
from gridgov.kit.clock import utc_now
from gridgov.kit.params import MAX_ID, IdPath
from gridgov.openapi import XLSX
from gridgov.registry import exporting, import_runs, importing, io_runs_api, layout
from gridgov.web.templating import templates

router = APIRouter()


def _page(request: Request, session, me, *, status: int = 200, **extra):
    context = {"kinds": layout.KINDS, "layouts": layout.LAYOUTS, "reasons": exporting.EXPORT_REASONS,
               "can_import": me.can(Permission.REGISTRY_IMPORT),
               "can_export_full": me.can(Permission.REGISTRY_EXPORT_FULL),
               "demo_rows": exporting.demo_rows(session, me), "result": None, "error": None, "problems": [],
               "kind": "people", "run": None} | extra
    return templates.TemplateResponse(request, "registry/io/io.html", context, status_code=status)


@router.get("/registry/io")
def io_page(request: Request, session: SessionDep, me: RegistryReader,
            run: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None):
    if run is not None and me.can(Permission.REGISTRY_IMPORT):
        shown = import_runs.get_run(session, me, run, board=import_runs.board_of(request.app.state))
        return _page(request, session, me, run=shown, kind=shown["kind"])
    return _page(request, session, me)


@router.post("/registry/io/imports")
def start_import_page(request: Request, session: SessionDep, me: RegistryImporter, background: BackgroundTasks,
                      kind: str = Form("people"), file: UploadFile = File(None)):
    """Starts a background import and shows its progress on the page (``?run=``)."""
    try:
        if file is None or not file.filename:
            raise Invalid("请选择要导入的 Excel 文件")
        run = io_runs_api.start(request, session, me, background, kind, file)
    except DomainError as exc:
        session.rollback()
        return _page(request, session, me, status=exc.status, error=exc.message, problems=exc.details or [],
                     kind=kind if kind in layout.KINDS else "people")
    return RedirectResponse(f"/registry/io?run={run['id']}", status_code=303)


@router.get("/registry/io/runs/{run_id}")
def run_status(run_id: IdPath, request: Request, session: SessionDep, me: RegistryImporter):
    """The run's progress bar or result (the fragment the page polls every second while it runs)."""
    run = import_runs.get_run(session, me, run_id, board=import_runs.board_of(request.app.state))
    return templates.TemplateResponse(request, "registry/io/run_status.html", {"run": run, "kinds": layout.KINDS})


@router.post("/registry/import")
def import_page(request: Request, session: SessionDep, me: RegistryImporter, kind: str = Form("people"),
                file: UploadFile = File(None)):
    try:
        if file is None or not file.filename:
            raise Invalid("请选择要导入的 Excel 文件")
        result = importing.import_file(session, me, kind, file.file.read(), filename=file.filename,
                                       cipher=request.app.state.cipher, now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _page(request, session, me, status=exc.status, error=exc.message, problems=exc.details or [],
                     kind=kind if kind in layout.KINDS else "people")
    return _page(request, session, me, result=result, kind=kind)


@router.post("/registry/io/export-full")
def export_full_page(request: Request, session: SessionDep, me: RegistryFullExporter, kind: str = Form(...),
                     grid: str = Form(""), reason: str = Form(""), reason_text: str = Form("")):
    try:
        content = exporting.export_full(session, me, kind, grid.strip() or None, reason, reason_text[:200],
                                        cipher=request.app.state.cipher, now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _page(request, session, me, status=exc.status, error=exc.message, problems=[])
    return Response(content, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''registry-{kind}-full.xlsx", "Cache-Control": "no-store"})
