"""The pages of the hotline's categories (issue 17): ``/hotline/triage`` (the hotline's cases whose category
maps to no type: the dispatcher picks one, and may record the mapping) and ``/hotline/categories`` (the
table: add, change, delete, CSV import and export). The same services as the API (:mod:`.categories_api`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from gridgov.authz.principals import HotlineCategorist
from gridgov.deps import FormDep, ReplicaSessionDep, SessionDep
from gridgov.errors import DomainError, Invalid
from gridgov.interop import categories, hotline, hotline_mapping
from gridgov.interop.hotline_schemas import ClassifyIn
from gridgov.kit.clock import utc_now
from gridgov.kit.params import IdPath, PageQuery
from gridgov.web.templating import templates

router = APIRouter()


def _text(form, name: str, limit: int) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _triage_page(request: Request, session, me, *, page: int = 1, error: str | None = None,
                 failed: str | None = None, done: str | None = None, status: int = 200):
    found = hotline.triage_queue(session, me, page=page, page_size=50)
    return templates.TemplateResponse(request, "hotline/triage.html", {
        "found": found, "groups": request.app.state.case_types.groups(), "error": error, "failed": failed,
        "done": done}, status_code=status)


@router.get("/hotline/triage")
def triage_page(request: Request, session: SessionDep, me: HotlineCategorist, page: PageQuery = 1,
                done: Annotated[str | None, Query(max_length=40)] = None):
    return _triage_page(request, session, me, page=page, done=done)


@router.post("/hotline/triage/{case_no}")
def classify(request: Request, case_no: str, session: SessionDep, me: HotlineCategorist, form: FormDep):
    try:
        if len(case_no) > 40:
            raise Invalid("事件编号无效")
        if not _text(form, "type", 16):
            raise Invalid("请选择事件类型")
        data = ClassifyIn(type=_text(form, "type", 16), remember=form.get("remember") == "1",
                          note=_text(form, "note", 500))
        hotline.classify(session, me, case_no, data, now=utc_now(), profile=request.app.state.profile,
                         media_root=request.app.state.settings.media_path, case_types=request.app.state.case_types)
    except DomainError as exc:
        session.rollback()
        return _triage_page(request, session, me, error=exc.message, failed=case_no, status=exc.status)
    return RedirectResponse(f"/hotline/triage?done={case_no}", status_code=303)


def _categories_page(request: Request, session, me, *, error: str | None = None, problems=None,
                     message: str | None = None, values: dict | None = None, status: int = 200):
    types = request.app.state.case_types
    return templates.TemplateResponse(request, "hotline/categories.html", {
        "rows": hotline_mapping.listing(session, me, types), "groups": types.groups(), "error": error,
        "problems": problems or [], "message": message, "values": values or {}, "columns": categories.COLUMNS},
        status_code=status)


@router.get("/hotline/categories")
def categories_page(request: Request, session: SessionDep, me: HotlineCategorist,
                    saved: Annotated[str | None, Query(max_length=80)] = None):
    return _categories_page(request, session, me, message=saved)


@router.post("/hotline/categories")
def save_mapping(request: Request, session: SessionDep, me: HotlineCategorist, form: FormDep):
    values = {"code": _text(form, "code", 40), "name": _text(form, "name", 120), "type": _text(form, "type", 20)}
    try:
        hotline_mapping.save(session, me, code=values["code"], name=values["name"], type_code=values["type"],
                             area_code=None, now=utc_now(), case_types=request.app.state.case_types)
    except DomainError as exc:
        session.rollback()
        return _categories_page(request, session, me, error=exc.message, values=values, status=exc.status)
    return RedirectResponse("/hotline/categories?saved=已保存", status_code=303)


@router.post("/hotline/categories/{mapping_id}/delete")
def delete_mapping(request: Request, mapping_id: IdPath, session: SessionDep, me: HotlineCategorist):
    try:
        hotline_mapping.delete(session, me, mapping_id, now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _categories_page(request, session, me, error=exc.message, status=exc.status)
    return RedirectResponse("/hotline/categories?saved=已删除", status_code=303)


@router.post("/hotline/categories/import")
def import_mappings(request: Request, session: SessionDep, me: HotlineCategorist, file: UploadFile = File(None)):
    try:
        if file is None or not file.filename:
            raise Invalid("请选择要导入的 CSV 文件")
        done = hotline_mapping.import_csv(session, me, file.file.read(), now=utc_now(),
                                          case_types=request.app.state.case_types)
    except DomainError as exc:
        session.rollback()
        return _categories_page(request, session, me, error=exc.message, problems=exc.details, status=exc.status)
    return RedirectResponse(f"/hotline/categories?saved=已导入：新增 {done.created} 条，修改 {done.updated} 条",
                            status_code=303)


@router.get("/hotline/categories/export.csv")
def export_mappings(request: Request, session: ReplicaSessionDep, me: HotlineCategorist) -> Response:
    content = hotline_mapping.export_csv(session, me, request.app.state.case_types)
    return Response(content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="hotline-categories.csv"'})
