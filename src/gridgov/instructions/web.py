"""Instruction pages (统一交办, D9): a worker's "my instructions" with their countdowns, completing
one and opening a case from it; an agency sending work to a grid of its jurisdiction and deciding
departments' requests; a department asking the agency to send work (it may not send it itself).

Thin adapters over the same functions as the JSON API (:mod:`gridgov.instructions.api`):
``list_instructions``, ``instruction_read``, ``send_instruction``, ``request_instruction``,
``decide_request``, ``complete_instruction`` and ``open_case``. Which forms a page shows is only a
hint; every rule is the service's, so a refused form comes back with the service's Chinese message,
the user's input kept and the refusal's status (403/404/409/422); a form that succeeds redirects
(post/redirect/get) with a notice. Mounted at the site root, next to :mod:`gridgov.cases.web`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from gridgov.authz import Permission, Principal
from gridgov.authz.principals import CaseActor, CaseCreator, CaseReader
from gridgov.cases import forms
from gridgov.cases import service as case_service
from gridgov.cases.deadlines import URGENCY_LABELS, Urgency
from gridgov.cases.worklists import party, span_text
from gridgov.deps import FormDep, SessionDep
from gridgov.errors import DomainError, Forbidden, Invalid
from gridgov.instructions import service as instructions
from gridgov.instructions.service import (
    DEPARTMENTS_MUST_ASK,
    KIND_LABELS,
    STATUS_LABELS,
    InstructionCase,
    InstructionCreate,
    InstructionDecision,
    InstructionRead,
    InstructionRefusal,
)
from gridgov.kit.clock import local, utc_now
from gridgov.kit.params import IdPath
from gridgov.models.accounts import AGENCY_ROLES, DEPARTMENT_ROLES, GRID_WORKER_ROLES
from gridgov.territory import service as territory
from gridgov.web.templating import templates

router = APIRouter()


WARN_BEFORE = timedelta(hours=24)
"""An open instruction due within this is shown in the warning colour."""
GRID_OPTIONS = 30
DONE = {"sent": "已交办网格", "requested": "交办申请已提交，等待机构审核", "approve": "已同意并交办网格",
        "refuse": "已不同意该申请", "complete": "已办结"}
_PYDANTIC = {
    "string_too_short": "太短", "string_too_long": "太长", "string_pattern_mismatch": "格式不对",
    "literal_error": "取值无效", "enum": "取值无效", "datetime_parsing": "应为时间", "datetime_type": "应为时间",
    "float_parsing": "应为数字", "too_long": "太多", "greater_than_equal": "超出范围", "less_than_equal": "超出范围",
}


# ---------------------------------------------------------------- helpers


def _tabs(me: Principal) -> list[tuple[str, str]]:
    return {
        "worker": [("/instructions", "我的交办")],
        "agency": [("/instructions", "交办事项"), ("/instructions/new", "交办工作")],
        "department": [("/instructions", "我的申请"), ("/instructions/request", "申请交办")],
    }.get(party(me), [("/instructions", "交办事项")])


def countdown(row: InstructionRead, now: datetime) -> dict[str, str]:
    """The due time as a colour and words: 剩余 2 天 3 小时 / 超期 45 分钟 (open ones only)."""
    if row.status not in ("requested", "sent"):
        return {"status": "", "text": ""}
    left = row.due_at - now
    if left.total_seconds() < 0:
        return {"status": "overdue", "text": f"超期 {span_text(left.total_seconds())}"}
    return {"status": "warning" if left < WARN_BEFORE else "on_time", "text": f"剩余 {span_text(left.total_seconds())}"}


def _render(request: Request, name: str, context: dict, status: int = 200, headers=None):
    me: Principal = request.state.principal
    done = request.query_params.get("done", "")
    base = {"local_time": forms.local_time, "tabs": _tabs(me), "party": party(me), "kinds": KIND_LABELS,
            "statuses": STATUS_LABELS, "categories": forms.category_names(request),
            "notice": DONE.get(done), "now": utc_now(), "countdown": countdown}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status, headers=headers)


def _problem(model: type[BaseModel], error: dict) -> str:
    if error["type"] == "value_error":
        return str(error.get("ctx", {}).get("error") or error["msg"]).removeprefix("Value error, ")
    name = str(error["loc"][0]) if error.get("loc") else ""
    field = model.model_fields.get(name)
    title = (field.title if field and field.title else name).split("（")[0]  # "标题（默认取交办标题）" → 标题
    if error["type"] == "missing" or error.get("input") in (None, ""):
        return f"请填写{title}"
    if error["type"] == "string_too_short":
        return f"{title}至少 {error['ctx']['min_length']} 个字"
    if error["type"] == "string_too_long":
        return f"{title}最多 {error['ctx']['max_length']} 个字"
    if name == "grid_code" and error["type"] == "string_pattern_mismatch":
        return "网格编码应为 15 位数字"
    return f"{title}{_PYDANTIC.get(error['type'], '取值无效')}"


def _message(exc: Exception, model: type[BaseModel]) -> str:
    return forms.message(exc, lambda error: _problem(model, error))


def _text(values: dict, key: str) -> str:
    value = values.get(key)
    return str(value if isinstance(value, str) else "").strip()


def _grid_options(session: Session, me: Principal, q: str = "") -> list:
    """Grids of the user's jurisdiction for the picker (the territory list, scoped like every list)."""
    return territory.list_grids(session, me, area=None, q=q or None, page=1, page_size=GRID_OPTIONS).items


# ---------------------------------------------------------------- lists


@router.get("/instructions")
def instructions_page(request: Request, me: CaseReader, session: SessionDep, status: str = "", grid: str = ""):
    """Each party's list: a worker's grid (open first, soonest due first); an agency's jurisdiction
    with the department requests it must decide on top; a department's own requests."""
    if status and status not in STATUS_LABELS:
        raise Invalid(f"状态 {status} 无效，可选：" + "、".join(f"{k}（{v}）" for k, v in STATUS_LABELS.items()))
    now = utc_now()
    grid = grid.strip()
    rows = instructions.list_instructions(session, me, now=now, status=status or None, grid=grid or None)
    pending = []
    if party(me) == "agency" and not status:
        pending = instructions.list_instructions(session, me, now=now, status="requested", grid=grid or None)
    open_rows = sorted((r for r in rows if r.status in ("requested", "sent")), key=lambda r: (r.due_at, r.id))
    done_rows = [r for r in rows if r.status not in ("requested", "sent")]
    return _render(request, "instructions/list.html", {
        "rows": rows, "open_rows": open_rows, "done_rows": done_rows, "pending": pending,
        "status": status, "grid": grid,
        "grid_names": territory.place_names(session, [], {r.grid_code for r in [*rows, *pending]}),
    })


@router.get("/instructions/grid-options")
def grid_options(request: Request, me: CaseActor, session: SessionDep, grid_code: str = ""):
    """``<option>``s for the grid picker's datalist (htmx, as the user types a code or a name)."""
    return templates.TemplateResponse(request, "instructions/_grid_options.html",
                                      {"grids": _grid_options(session, me, grid_code.strip())},
                                      headers={"Vary": "HX-Request"})


# ---------------------------------------------------------------- sending and requesting


def _may_send(me: Principal) -> None:
    """The page answers a department at once with the service's own message (D9: ask the agency);
    the service decides again when the form is posted."""
    if me.role in DEPARTMENT_ROLES:
        raise Forbidden(DEPARTMENTS_MUST_ASK)
    if me.role not in AGENCY_ROLES or not me.can(Permission.CASES_CREATE):
        raise Forbidden("只有网格化治理机构可以向网格交办工作")


def _may_request(me: Principal) -> None:
    if me.role not in DEPARTMENT_ROLES or not me.department_code:
        raise Forbidden("交办申请由联动部门提出；网格化治理机构可直接交办")


def _send_page(request: Request, session: Session, me: Principal, *, requesting: bool, values: dict,
               error: str | None = None, status: int = 200):
    profile = request.app.state.profile
    return _render(request, "instructions/new.html", {
        "requesting": requesting, "values": values, "error": error, "grids": _grid_options(session, me),
        "category_list": case_service.category_choices(session, me.scope_code, local(utc_now()).date(), profile),
    }, status=status)


def _refused_send(request: Request, exc: Forbidden):
    """A department on the send form: 403 with the reason and the way that is open to it."""
    return _render(request, "instructions/ask.html", {"message": exc.message}, status=exc.status)


def _new_values(me: Principal) -> dict:
    grid = me.scope_code if len(me.scope_code) == 15 else ""
    return {"kind": "clue", "grid_code": grid}


@router.get("/instructions/new")
def send_form(request: Request, me: CaseActor, session: SessionDep):
    try:
        _may_send(me)
    except Forbidden as exc:
        return _refused_send(request, exc)
    return _send_page(request, session, me, requesting=False, values=_new_values(me))


@router.get("/instructions/request")
def request_form(request: Request, me: CaseActor, session: SessionDep):
    _may_request(me)
    return _send_page(request, session, me, requesting=True, values=_new_values(me))


def _create_data(values: dict) -> InstructionCreate:
    return InstructionCreate(
        kind=_text(values, "kind") or "clue", grid_code=_text(values, "grid_code"), title=_text(values, "title"),
        content=_text(values, "content"), category=_text(values, "category"),
        due_at=forms.local_datetime(_text(values, "due_at"), "完成期限"),
    )


def _submit(request: Request, me: Principal, session: Session, form, *, requesting: bool):
    values = forms.text_values(form)
    try:
        data = _create_data(values)
        use = instructions.request_instruction if requesting else instructions.send_instruction
        inst = use(session, me, data, now=utc_now(), profile=request.app.state.profile)
    except Forbidden as exc:
        session.rollback()
        if not requesting:
            return _refused_send(request, exc)
        raise
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _send_page(request, session, me, requesting=requesting, values=values,
                          error=_message(exc, InstructionCreate), status=forms.status_of(exc))
    done = "requested" if requesting else "sent"
    return RedirectResponse(f"/instructions/{inst.id}?done={done}", status_code=303)


@router.post("/instructions/new")
def send(request: Request, me: CaseActor, session: SessionDep, form: FormDep):
    return _submit(request, me, session, form, requesting=False)


@router.post("/instructions/request")
def request_work(request: Request, me: CaseActor, session: SessionDep, form: FormDep):
    return _submit(request, me, session, form, requesting=True)


# ---------------------------------------------------------------- one instruction


def _detail_page(request: Request, session: Session, me: Principal, instruction_id: int, *, error: str | None = None,
                 form: str | None = None, values: dict | None = None, status: int = 200):
    now = utc_now()
    inst = instructions.instruction_read(session, me, instruction_id, now=now)
    worker = me.role in GRID_WORKER_ROLES and me.scope_code == inst.grid_code
    deciding = me.role in AGENCY_ROLES and me.can(Permission.CASES_CREATE) and me.covers(inst.grid_code)
    profile = request.app.state.profile
    case_values = {"title": inst.title, "category": inst.category, "urgency": "normal"}
    if form == "case" and values is not None:
        case_values = values
    refusals = instructions.refusal_choices(profile)
    return _render(request, "instructions/detail.html", {
        "inst": inst, "grid_names": territory.place_names(session, [], [inst.grid_code]),
        "can_complete": worker and inst.status == "sent",
        "can_decline": worker and inst.status == "sent" and bool(refusals), "refusal_choices": refusals,
        "can_open_case": worker and me.can(Permission.CASES_CREATE) and inst.status in ("sent", "completed")
        and not inst.case_no,
        "can_decide": deciding and inst.status == "requested",
        "error": error, "form": form, "values": values or {}, "case_values": case_values,
        "category_list": case_service.category_choices(session, inst.grid_code, local(now).date(), profile),
        "urgencies": list(Urgency),
        "urgency_labels": {str(k): v for k, v in URGENCY_LABELS.items()},
    }, status=status)


@router.get("/instructions/{instruction_id}")
def instruction_page(request: Request, instruction_id: IdPath, me: CaseReader, session: SessionDep):
    return _detail_page(request, session, me, instruction_id)


def _on_instruction(request: Request, session: Session, me: Principal, instruction_id: int, form: str,
                    run, raw, model: type[BaseModel] = InstructionDecision):
    """Runs one form's service call; a refusal re-renders the page with the message and the input."""
    values = forms.text_values(raw)
    try:
        result = run(raw, values)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _detail_page(request, session, me, instruction_id, error=_message(exc, model), form=form,
                            values=values, status=forms.status_of(exc))
    if form == "case":
        case_no = result.case.case_no
        return RedirectResponse(f"/cases/{case_no}?done=create&case={case_no}", status_code=303)
    return RedirectResponse(f"/instructions/{instruction_id}?done={form}", status_code=303)


def _decision(values: dict) -> InstructionDecision:
    return InstructionDecision(reason=_text(values, "reason"),
                               due_at=forms.local_datetime(_text(values, "due_at"), "完成期限"))


@router.post("/instructions/{instruction_id}/approve")
def approve(request: Request, instruction_id: IdPath, me: CaseCreator, session: SessionDep, fields: FormDep):
    def run(_raw, values):
        return instructions.decide_request(session, me, instruction_id, approve=True, data=_decision(values),
                                           now=utc_now(), profile=request.app.state.profile)
    return _on_instruction(request, session, me, instruction_id, "approve", run, fields)


@router.post("/instructions/{instruction_id}/refuse")
def refuse(request: Request, instruction_id: IdPath, me: CaseCreator, session: SessionDep, fields: FormDep):
    """An agency refusing a department's request, or a grid worker refusing sent work (as the API)."""
    if me.role in GRID_WORKER_ROLES:
        def run(_raw, values):
            data = InstructionRefusal(reason_kind=_text(values, "reason_kind") or None, reason=_text(values, "reason"))
            return instructions.refuse_work(session, me, instruction_id, data, now=utc_now(),
                                            profile=request.app.state.profile)
        return _on_instruction(request, session, me, instruction_id, "decline", run, fields, InstructionRefusal)

    def run(_raw, values):
        return instructions.decide_request(session, me, instruction_id, approve=False,
                                           data=InstructionDecision(reason=_text(values, "reason")), now=utc_now())
    return _on_instruction(request, session, me, instruction_id, "refuse", run, fields)


@router.post("/instructions/{instruction_id}/complete")
def complete(request: Request, instruction_id: IdPath, me: CaseActor, session: SessionDep, fields: FormDep):
    def run(_raw, values):
        return instructions.complete_instruction(session, me, instruction_id, _text(values, "result"), now=utc_now())
    return _on_instruction(request, session, me, instruction_id, "complete", run, fields)


@router.post("/instructions/{instruction_id}/case")
def open_case(request: Request, instruction_id: IdPath, me: CaseCreator, session: SessionDep, fields: FormDep):
    """A case found while working on the instruction: the report form's fields, photos optional."""
    def run(raw, values: dict[str, Any]):
        kept = values.get("photo_sha") or []
        values["photo_sha"] = forms.store_photos(request, raw, "photos", kept if isinstance(kept, list) else [kept])
        data = InstructionCase(
            title=_text(values, "title") or None, description=_text(values, "description"),
            category=_text(values, "category") or None, urgency=_text(values, "urgency") or "normal",
            lon=forms.number(_text(values, "lon"), "经度"), lat=forms.number(_text(values, "lat"), "纬度"),
            address=_text(values, "address"), photos=values["photo_sha"],
        )
        return instructions.open_case(session, me, instruction_id, data, now=utc_now(),
                                      profile=request.app.state.profile, cipher=request.app.state.cipher,
                                      media_root=request.app.state.settings.media_path)
    return _on_instruction(request, session, me, instruction_id, "case", run, fields, InstructionCase)

