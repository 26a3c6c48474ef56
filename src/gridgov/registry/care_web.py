"""The worker's 走访 pages (phone first): the due list of its grid, finding a household, recording a
visit with photos from the phone, and turning a need found on it into a case (事件) in one step.

Thin adapters over :mod:`.care` and :mod:`.care_visits` (the same use cases as the JSON API). A
refused form is shown again with the Chinese message and the user's input kept; a form that
succeeds redirects (post/redirect/get).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from gridgov.authz.principals import RegistryReader, RegistryWriter
from gridgov.cases import forms as case_forms
from gridgov.cases import service as case_service
from gridgov.deps import FormDep, SessionDep
from gridgov.errors import DomainError
from gridgov.kit.clock import local, utc_now
from gridgov.kit.params import MAX_ID, IdPath, PageQuery
from gridgov.registry import care, care_visits
from gridgov.registry.care_schemas import VisitCaseCreate, VisitCreate
from gridgov.web.forms import message, status_of
from gridgov.web.templating import templates

router = APIRouter()

GRID_CODE_LEN = 15
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


FIELD_LABELS = {"title": "标题", "description": "描述", "category": "事项", "note": "走访情况", "needs": "发现的需求",
                "services": "提供的服务", "photos": "照片", "lon": "经度", "lat": "纬度", "kind": "类别"}


def _problem(error: dict) -> str:
    """A field problem in Chinese: a rule's own message, else the field that is wrong."""
    if error.get("type") == "value_error":
        return str(error.get("ctx", {}).get("error", "填写有误"))
    field = str(error["loc"][-1]) if error.get("loc") else ""
    return f"{FIELD_LABELS.get(field, field)}填写有误"


def _render(request: Request, name: str, context: dict, status: int = 200):
    return templates.TemplateResponse(request, name, {"local_time": case_forms.local_time, **context},
                                      status_code=status)


def _own_grid(scope_code: str) -> str | None:
    return scope_code[:GRID_CODE_LEN] if len(scope_code) >= GRID_CODE_LEN else None


@router.get("/registry/care")
def care_home(request: Request, session: SessionDep, me: RegistryReader,
              grid: Annotated[str | None, Query(max_length=17)] = None,
              q: Annotated[str | None, Query(max_length=50)] = None, page: PageQuery = 1):
    """The due list of the worker's grid and the household search."""
    state = request.app.state
    grid = (grid or "").strip() or _own_grid(me.scope_code)
    error = None
    found = care.find_households(session, me, q) if (q or "").strip() else None
    try:  # last: the due list logs the views of what it shows
        due = care.due_list(session, me, grid=grid, within_days=7, page=page, page_size=50, profile=state.profile,
                            cipher=state.cipher, now=utc_now())
    except DomainError as exc:
        due, error = None, exc.message
    return _render(request, "registry/care/home.html", {
        "due": due, "grid": grid or "", "q": q or "", "found": found, "error": error,
        "pages": max(1, -(-due.total // due.page_size)) if due else 1,
        "may_write": _may_write(me)})


def _may_write(me) -> bool:
    from gridgov.authz.permissions import Permission

    return me.can(Permission.REGISTRY_WRITE)


def _visit_page(request: Request, session, me, values: dict, error: str | None = None, status: int = 200):
    house = person = None
    house_id = _int(values.get("house_id"))
    person_id = _int(values.get("person_id"))
    if house_id:
        house = care.household(session, me, house_id)
    return _render(request, "registry/care/visit.html", {
        "values": values, "error": error, "house": house, "person_id": person_id, "person": person}, status)


def _int(value) -> int | None:
    try:
        number = int(str(value or "").strip())
    except ValueError:
        return None
    return number if 1 <= number <= MAX_ID else None


@router.get("/registry/care/visit")
def visit_form(request: Request, session: SessionDep, me: RegistryWriter, house: OptionalId = None,
               person: OptionalId = None):
    """The form to record a visit to a household (and, among its people, the one visited)."""
    return _visit_page(request, session, me, {"house_id": house or "", "person_id": person or "", "kind": "visit"})


@router.post("/registry/care/visit")
def visit_record(request: Request, session: SessionDep, me: RegistryWriter, form: FormDep):
    values = case_forms.text_values(form)

    def text(key: str) -> str:
        value = values.get(key)
        return str(value[0] if isinstance(value, list) else value or "").strip()

    try:
        kept = values.get("photo_sha") or []
        kept = kept if isinstance(kept, list) else [kept]
        values["photo_sha"] = case_forms.store_photos(request, form, "photos", kept)
        data = VisitCreate(kind=text("kind") or "visit", person_id=_int(text("person_id")),
                           house_id=_int(text("house_id")), unit_id=_int(text("unit_id")),
                           lon=case_forms.number(text("lon"), "经度"), lat=case_forms.number(text("lat"), "纬度"),
                           note=text("note"), needs=text("needs"), services=text("services"),
                           photos=values["photo_sha"])
        state = request.app.state
        visit = care_visits.record_visit(session, me, data, profile=state.profile, cipher=state.cipher,
                                         media_root=state.settings.media_path, now=utc_now())
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _visit_page(request, session, me, values, message(exc, _problem), status_of(exc))
    return RedirectResponse(f"/registry/care/visits/{visit.id}?done=visit", status_code=303)


def _visit_detail(request: Request, session, me, visit_id: int, values: dict | None = None,
                  error: str | None = None, status: int = 200):
    visit = care_visits.get_visit(session, me, visit_id)
    with request.app.state.sessionmaker() as reading:
        categories = case_service.category_choices(reading, me.scope_code, local(utc_now()).date(),
                                                   request.app.state.profile)
    done = request.query_params.get("done") == "visit"
    return _render(request, "registry/care/detail.html", {
        "visit": visit, "values": values or {"title": (visit.needs or "")[:30]}, "error": error,
        "categories": categories, "done": done, "may_write": _may_write(me)}, status)


@router.get("/registry/care/visits/{visit_id}")
def visit_detail(visit_id: IdPath, request: Request, session: SessionDep, me: RegistryReader):
    return _visit_detail(request, session, me, visit_id)


@router.post("/registry/care/visits/{visit_id}/case")
def visit_case(visit_id: IdPath, request: Request, session: SessionDep, me: RegistryWriter, form: FormDep):
    values = case_forms.text_values(form)
    try:
        data = VisitCaseCreate(title=str(values.get("title") or "").strip(),
                               description=str(values.get("description") or "").strip(),
                               category=str(values.get("category") or "").strip() or None,
                               urgency=str(values.get("urgency") or "normal"))
        state = request.app.state
        made = care_visits.visit_to_case(session, me, visit_id, data, profile=state.profile, cipher=state.cipher,
                                         media_root=state.settings.media_path, now=utc_now(),
                                         case_types=state.case_types)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _visit_detail(request, session, me, visit_id, values, message(exc, _problem), status_of(exc))
    return RedirectResponse(f"/cases/{made.case_no}?done=create&case={made.case_no}", status_code=303)
