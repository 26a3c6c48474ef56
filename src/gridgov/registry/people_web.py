"""实有人口 pages: the list (masked) with a search by name and, through a POST form, by exact ID
number (the number never enters a URL); a person's page (masked, the view logged) with 查看完整信息
asking for a reason and showing the full values in that answer only (``Cache-Control: no-store``),
the person's access log, moves and relations; a form to register a person.

Each form calls the same service as the JSON API; on bad input the page comes back with a Chinese
message and the user's input (the ID number and phone fields are never filled back in), with a 4xx.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gridgov.authz import Permission, Principal
from gridgov.authz.principals import RegistryReader, RegistryRevealer, RegistryWriter
from gridgov.deps import FormDep, SessionDep, client_ip
from gridgov.errors import DomainError, Invalid
from gridgov.kit.clock import local, utc_now
from gridgov.kit.params import IdPath, PageQuery
from gridgov.registry import codes, people
from gridgov.registry.people_schemas import MoveCreate, PersonCreate, PersonUpdate, RelationCreate, RevealRequest
from gridgov.web import forms
from gridgov.web.templating import is_htmx, templates

router = APIRouter()

PAGE_SIZE = 30
LOG_SIZE = 20
VARY = {"Vary": "HX-Request"}
NO_STORE = {"Cache-Control": "no-store"}
PERSONAL_FIELDS = {"id_number", "phone"}
"""Form fields never echoed back into a page after a refusal."""
MESSAGES = {"saved": "已保存", "created": "已登记", "moved": "已登记迁入迁出", "related": "已登记家庭关系"}


def _values(form) -> dict:
    return {k: v for k, v in form.items() if k != "csrf_token" and isinstance(v, str)}


def _refusal(exc: Exception) -> str:
    return forms.message(exc, prefix="请检查填写的内容：")


_date = forms.optional_date


def _int(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _choices() -> dict:
    return {"id_kinds": codes.ID_KINDS, "genders": codes.GENDER_SHORT, "ethnicities": codes.ethnicities(),
            "residence_kinds": codes.RESIDENCE_KINDS, "move_kinds": codes.MOVE_KINDS, "relations": codes.RELATIONS,
            "reasons": codes.REVEAL_REASONS}


# ---------------------------------------------------------------- list and search


def _list_page(request: Request, session: Session, me: Principal, *, q: str | None, grid: str | None, page: int,
               id_number: str | None = None, status: int = 200, error: str | None = None):
    result = people.list_people(session, me, q=q, grid=grid, id_number=id_number, page=page, page_size=PAGE_SIZE,
                                cipher=request.app.state.cipher, now=utc_now(), ip=client_ip(request))
    context = {"result": result, "q": q or "", "grid": grid or "", "by_number": bool(id_number), "error": error,
               "pages": max(1, -(-result.total // PAGE_SIZE))}
    headers = {**VARY, **NO_STORE} if id_number else VARY
    if is_htmx(request):
        return templates.TemplateResponse(request, "registry/people/_table.html", context, headers=headers,
                                          status_code=status)
    return templates.TemplateResponse(request, "registry/people/list.html", context, headers=headers,
                                      status_code=status)


@router.get("/registry/people")
def people_list(request: Request, me: RegistryReader, session: SessionDep, q: str | None = None,
                grid: str | None = None, page: PageQuery = 1):
    q, grid = (q or "").strip()[:50] or None, (grid or "").strip()[:17] or None
    return _list_page(request, session, me, q=q, grid=grid, page=page)


@router.post("/registry/people/search")
def people_search(request: Request, me: RegistryReader, session: SessionDep, fields: FormDep):
    """By exact ID number, posted so that the number stays out of the URL, the history and the logs."""
    number = (_values(fields).get("id_number") or "").strip()[:24]
    if not number:
        return _list_page(request, session, me, q=None, grid=None, page=1, status=422,
                          error="请输入要查找的证件号码")
    return _list_page(request, session, me, q=None, grid=None, page=1, id_number=number)


# ---------------------------------------------------------------- new person


def _new_page(request: Request, values: dict, error: str | None = None, status: int = 200):
    values = {k: v for k, v in values.items() if k not in PERSONAL_FIELDS}
    return templates.TemplateResponse(request, "registry/people/new.html",
                                      {"values": values, "error": error, **_choices()}, status_code=status)


@router.get("/registry/people/new")
def people_new(request: Request, me: RegistryWriter):
    return _new_page(request, {"grid_code": me.scope_code if len(me.scope_code) >= 15 else ""})


@router.post("/registry/people/new")
def people_create(request: Request, me: RegistryWriter, session: SessionDep, fields: FormDep):
    v = _values(fields)
    try:
        data = PersonCreate(
            name=v.get("name", ""), id_kind=v.get("id_kind", "resident"), id_number=v.get("id_number", ""),
            gender=v.get("gender") or None, ethnicity=v.get("ethnicity", ""),
            birth_date=_date(v.get("birth_date", ""), "出生日期"), phone=v.get("phone", "").strip() or None,
            residence_kind=v.get("residence_kind", "registered"), house_id=_int(v.get("house_id", "")),
            grid_code=v.get("grid_code", "").strip() or None, area_code=v.get("area_code", "").strip() or None)
        person = people.create_person(session, me, data, cipher=request.app.state.cipher, now=utc_now())
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _new_page(request, v, _refusal(exc), forms.status_of(exc))
    return RedirectResponse(f"/registry/people/{person.id}?message=created", status_code=303)


# ---------------------------------------------------------------- a person


def _detail(request: Request, session: Session, me: Principal, person_id: int, *, log_page: int = 1,
            view: bool = False, revealed=None, form: str | None = None, error: str | None = None,
            values: dict | None = None, message: str | None = None, status: int = 200):
    log = people.access_log(session, me, person_id, page=log_page, page_size=LOG_SIZE)  # first: 404 outside
    if view:  # the view is recorded last, once every read is done (a GET's session adds, never flushes)
        person = people.view_person(session, me, person_id, now=utc_now(), ip=client_ip(request))
    else:
        person = people.person_read(session, me, people.access_person(session, me, person_id))
    context = {
        "person": person, "log": log, "log_rows": [(local(a.at), a) for a in log.items],
        "log_pages": max(1, -(-log.total // LOG_SIZE)), "revealed": revealed,
        "can_write": me.can(Permission.REGISTRY_WRITE), "can_reveal": me.can(Permission.REGISTRY_REVEAL),
        "form": form, "error": error, "message": message,
        "values": {k: v for k, v in (values or {}).items() if k not in PERSONAL_FIELDS}, **_choices(),
    }
    return templates.TemplateResponse(request, "registry/people/detail.html", context, status_code=status,
                                      headers=NO_STORE)


@router.get("/registry/people/{person_id:int}")
def people_detail(request: Request, person_id: IdPath, me: RegistryReader, session: SessionDep,
                  message: str | None = None, log_page: PageQuery = 1):
    return _detail(request, session, me, person_id, log_page=log_page, view=True,
                   message=MESSAGES.get(message or ""))


@router.post("/registry/people/{person_id:int}/reveal")
def people_reveal(request: Request, person_id: IdPath, me: RegistryRevealer, session: SessionDep, fields: FormDep):
    """The full values in this answer only (no-store): an htmx fragment, or the whole page without script."""
    v = _values(fields)
    try:
        revealed = people.reveal(session, me, person_id,
                                 RevealRequest(reason=v.get("reason", ""), reason_text=v.get("reason_text", "")),
                                 cipher=request.app.state.cipher, now=utc_now(), ip=client_ip(request))
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        session.rollback()
        if is_htmx(request):
            return templates.TemplateResponse(request, "registry/people/_reveal.html",
                                              {"person_id": person_id, "error": _refusal(exc), "values": v,
                                               **_choices()}, status_code=forms.status_of(exc), headers=NO_STORE)
        return _detail(request, session, me, person_id, form="reveal", error=_refusal(exc), values=v,
                       status=forms.status_of(exc))
    if is_htmx(request):
        return templates.TemplateResponse(request, "registry/people/_revealed.html", {"revealed": revealed},
                                          headers=NO_STORE)
    return _detail(request, session, me, person_id, revealed=revealed)


def _run(request: Request, session: Session, me: Principal, person_id: int, form: str, action, done: str, fields):
    values = _values(fields)
    try:
        action(values)
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404 and form != "relation":
            raise
        session.rollback()
        return _detail(request, session, me, person_id, form=form, error=_refusal(exc), values=values,
                       status=forms.status_of(exc))
    return RedirectResponse(f"/registry/people/{person_id}?message={done}", status_code=303)


@router.post("/registry/people/{person_id:int}/edit")
def people_edit(request: Request, person_id: IdPath, me: RegistryWriter, session: SessionDep, fields: FormDep):
    def act(v):
        data = PersonUpdate(name=v.get("name") or None, ethnicity=v.get("ethnicity"),
                            residence_kind=v.get("residence_kind") or None)
        if v.get("phone", "").strip() or v.get("clear_phone") == "1":
            data.phone = "" if v.get("clear_phone") == "1" else v["phone"].strip()
        people.update_person(session, me, person_id, data, cipher=request.app.state.cipher, now=utc_now())

    return _run(request, session, me, person_id, "edit", act, "saved", fields)


@router.post("/registry/people/{person_id:int}/moves")
def people_move(request: Request, person_id: IdPath, me: RegistryWriter, session: SessionDep, fields: FormDep):
    def act(v):
        moved_on = _date(v.get("moved_on", ""), "日期")
        if moved_on is None:
            raise Invalid("请填写日期")
        people.record_move(session, me, person_id, MoveCreate(kind=v.get("kind", ""), moved_on=moved_on,
                                                              house_id=_int(v.get("house_id", "")),
                                                              note=v.get("note", "")), now=utc_now())

    return _run(request, session, me, person_id, "move", act, "moved", fields)


@router.post("/registry/people/{person_id:int}/relations")
def people_relate(request: Request, person_id: IdPath, me: RegistryWriter, session: SessionDep, fields: FormDep):
    people.access_person(session, me, person_id)

    def act(v):
        relative = _int(v.get("relative_id", ""))
        if relative is None:
            raise Invalid("请填写亲属的人员编号")
        data = RelationCreate(relative_id=relative, relation=v.get("relation", ""))
        people.add_relation(session, me, person_id, data, now=utc_now())

    return _run(request, session, me, person_id, "relation", act, "related", fields)
