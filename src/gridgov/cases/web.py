"""Case pages: worklists per role, the report form, the overview with its map, and the case page
with one form per action the lifecycle offers this user.

Thin adapters over the same functions as the JSON API: :func:`service.create_case`,
:func:`service.case_read`, :func:`service.case_log`, :func:`actions.act` and (the supervision panel)
:func:`supervision.list_for_case` / :func:`supervision.answer_order`. A refused form is
rendered again with the Chinese message next to it, the user's input kept and the refusal's status
(403/404/409/422); a form that succeeds redirects (post/redirect/get) with a notice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gridgov.authz import Permission, Principal
from gridgov.authz.permissions import role_can
from gridgov.authz.principals import CaseActor, CaseCreator, CaseReader
from gridgov.cases import (
    actions,
    actors,
    forms,
    informants,
    legal,
    mediation,
    origins,
    report,
    search,
    service,
    supervision,
    unstaffed,
)
from gridgov.cases import worklists as lists
from gridgov.cases.deadlines import (
    CLOCK_LABELS,
    STATUS_LABELS,
    URGENCY_LABELS,
    ClockKind,
    Urgency,
)
from gridgov.cases.payload import FieldRule, fields_of
from gridgov.cases.schemas import SOURCE_LABELS, WORKER_SOURCES, CaseCreate
from gridgov.cases.workflow import (
    ACTION_LABELS,
    EVALUATION_LABELS,
    STATE_LABELS,
    CaseAction,
)
from gridgov.deps import FormDep, ReplicaSessionDep, SessionDep
from gridgov.errors import DomainError, Invalid, NotFound
from gridgov.kit.clock import local, utc_now
from gridgov.kit.params import IdPath
from gridgov.models.accounts import GRID_WORKER_ROLES
from gridgov.models.accounts import role_label as accounts_role_label
from gridgov.models.mediation import NEXT_ROUTE_LABELS
from gridgov.notify import events as outbox
from gridgov.territory import service as territory_service
from gridgov.web.navigation import case_tabs
from gridgov.web.templating import is_htmx, templates

router = APIRouter()


NOTE_ONLY = (FieldRule("note", "说明", "text", required=False),)
VARY = {"Vary": "HX-Request"}
AGENCY_SOURCES = ("resident", "hotline", "unit")
_PYDANTIC = {
    "missing": "必填", "string_too_short": "太短", "string_too_long": "太长", "string_pattern_mismatch": "格式不对",
    "greater_than_equal": "超出范围", "less_than_equal": "超出范围", "literal_error": "取值无效", "enum": "取值无效",
    "float_parsing": "应为数字", "too_long": "太多", "datetime_parsing": "应为时间", "extra_forbidden": "不应填写",
}


# ---------------------------------------------------------------- helpers


def _media(request: Request):
    return request.app.state.settings.media_path


def role_label(role: str) -> str:
    """A role as the case's file names it: the roles, and the system and the public who act too."""
    return {"system": "系统", "public": "群众"}.get(role) or accounts_role_label(role)


def _labels(request: Request) -> dict[str, Any]:
    return {
        "states": {str(k): v for k, v in STATE_LABELS.items()},
        "actions": {**{str(k): v for k, v in ACTION_LABELS.items()}, "create": "登记", "merged_in": "并入重复事件",
                    "answer_supervision": "答复督办"},
        "clocks": {str(k): v for k, v in CLOCK_LABELS.items()},
        "statuses": {str(k): v for k, v in STATUS_LABELS.items()},
        "urgencies": {str(k): v for k, v in URGENCY_LABELS.items()},
        "sources": SOURCE_LABELS,
        "evaluations": {**{str(k): v for k, v in EVALUATION_LABELS.items()},
                        **{str(k): v for k, v in NEXT_ROUTE_LABELS.items()}},  # the choices' labels
        "categories": forms.category_names(request),
        "types": request.app.state.case_types.names(),
    }


def _render(request: Request, name: str, context: dict, status: int = 200, headers=None):
    base = {"labels": _labels(request), "local_time": forms.local_time, "role_label": role_label,
            "tabs": _tabs(request.state.principal), "notice": _notice(request)}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status, headers=headers)


def _notice(request: Request) -> str | None:
    """The notice after a form succeeded (post/redirect/get carries it in the query)."""
    done, case_no = request.query_params.get("done", ""), request.query_params.get("case", "")
    if done == "create":
        return f"事件 {case_no} 已登记" if case_no else "事件已登记"
    if done == "answer_supervision":
        return "督办已答复"
    if done == "joined":
        return f"已补充到事件 {case_no}"
    if done in set(CaseAction):
        label = ACTION_LABELS[CaseAction(done)]
        return f"事件 {case_no}：已{label}" if case_no else f"已{label}"
    return None


def _tabs(me: Principal) -> list[tuple[str, str]]:
    return case_tabs(me.role)


def _pydantic_problem(error: dict) -> str:
    if error["type"] == "value_error":
        return str(error.get("ctx", {}).get("error") or error["msg"]).removeprefix("Value error, ")
    name = str(error["loc"][0]) if error.get("loc") else ""
    field = CaseCreate.model_fields.get(name)
    title = field.title if field and field.title else name
    if error["type"] == "string_too_short":
        return f"{title}至少 {error['ctx']['min_length']} 个字"
    if error["type"] == "string_too_long":
        return f"{title}最多 {error['ctx']['max_length']} 个字"
    if name == "grid_code" and error["type"] == "string_pattern_mismatch":
        return "网格编码应为 15 位数字"
    return f"{title}{_PYDANTIC.get(error['type'], '取值无效')}"


def _safe_next(value: str | None, fallback: str) -> str:
    return value if value and value.startswith("/cases") and "//" not in value else fallback


# ---------------------------------------------------------------- worklists


@router.get("/cases")
def cases_home(me: CaseReader):
    return RedirectResponse(lists.landing(me), status_code=303)


@router.get("/cases/mine")
def cases_mine(request: Request, me: CaseReader, session: SessionDep):
    """The cases of the user's jurisdiction (a worker's: its grid's), found by the same filters as
    ``GET /api/v1/cases``, one page at a time; with no query at all, the open ones."""
    raw = {k: v for k, v in request.query_params.items() if k in search.FIELDS}
    asked = raw or {"state": search.OPEN}
    page, page_size = search.page_of(request.query_params.get("page")), search.PAGE_SIZE
    error, status, rows, total = None, 200, [], 0
    try:
        wanted = search.parse(asked, request.app.state.case_types)
        rows, total = lists.found(session, me, wanted, now=utc_now(), page=page, page_size=page_size)
    except Invalid as exc:
        wanted, error, status = search.CaseFilter(), exc.message, exc.status
    context = {"rows": rows, "total": total, "page": page, "pages": max(1, -(-total // page_size)),
               "asked": asked, "base_params": sorted(wanted.params().items()), "error": error,
               "export_query": urlencode(sorted(wanted.params().items())), "state_choices": search.STATE_CHOICES}
    if is_htmx(request) and request.headers.get("HX-Target") == "case-results":
        return _render(request, "cases/_results.html", context, status=status, headers=VARY)
    context["department_choices"] = sorted(lists.department_names(session, me).items(), key=lambda kv: kv[1])
    return _render(request, "cases/mine.html", context, status=status, headers=VARY)


def _asked_group(request: Request) -> tuple[str, int] | None:
    """Which group of a worklist a pager link asks for, and its page (``?group=dispatch&page=2``)."""
    group = request.query_params.get("group", "")
    return (group, search.page_of(request.query_params.get("page"))) if group else None


@router.get("/cases/inbox")
def cases_inbox(request: Request, me: CaseActor, session: SessionDep):
    groups = lists.inbox(session, me, now=utc_now(), profile=request.app.state.profile, asked=_asked_group(request))
    return _render(request, "cases/inbox.html", {"groups": groups, "total": sum(g["total"] for g in groups)})


@router.get("/cases/department")
def cases_department(request: Request, me: CaseActor, session: SessionDep):
    return _render(request, "cases/department.html",
                   {"lists": lists.department(session, me, now=utc_now(), asked=_asked_group(request))})


@router.get("/cases/overview")
def cases_overview(request: Request, me: CaseReader, session: ReplicaSessionDep):
    counts = lists.counts_by_state(session, me)
    by_type = lists.counts_by_type(session, me, request.app.state.case_types)
    late, late_total = lists.overdue(session, me, now=utc_now())
    return _render(request, "cases/overview.html", {
        "counts": counts, "by_type": by_type, "open_total": sum(c["count"] for c in counts if c["open"]),
        "all_total": sum(c["count"] for c in counts), "late_rows": late, "late_total": late_total,
        "chart": {"names": [c["label"] for c in counts], "counts": [c["count"] for c in counts]},
        "map_config": {**_map_base(request, me), "geojson": "/cases/map.geojson"},
    })


def _map_base(request: Request, me: Principal) -> dict:
    """What every case map starts from: the tile server if one is set (else a plain background) and
    the user's jurisdiction's grid outlines (its area's grids, scoped by the API like every read)."""
    settings = request.app.state.settings
    area = me.scope_code[:12]
    return {"tile_url": settings.tile_url or "", "tile_attribution": getattr(settings, "tile_attribution", "") or "",
            "grids": f"/api/v1/areas/{area}/grids.geojson" if area else ""}


@router.get("/cases/map.geojson")
def cases_map(me: CaseReader, session: ReplicaSessionDep):
    """Open cases with coordinates, for the overview's map (scoped like every list)."""
    return JSONResponse(lists.open_cases_geojson(session, me, now=utc_now()), media_type="application/geo+json")


# ---------------------------------------------------------------- report form


def _new_page(request: Request, me: Principal, values: dict, error: str | None = None, status: int = 200):
    worker = me.role in GRID_WORKER_ROLES
    sources = [s for s in SOURCE_LABELS if (s in WORKER_SOURCES) == worker and s in (*WORKER_SOURCES, *AGENCY_SOURCES)]
    return _render(request, "cases/new.html", {
        "values": values, "error": error, "worker": worker, "sources": sources,
        "categories": _category_choices(request, me), "urgencies": list(Urgency),
        "type_groups": request.app.state.case_types.groups(), "map_config": _map_base(request, me),
    }, status=status)


def _category_choices(request: Request, me: Principal) -> list[dict[str, str]]:
    """What a case reported by ``me`` may name today: the matters in force at its place (C2)."""
    with request.app.state.sessionmaker() as session:
        return service.category_choices(session, me.scope_code, local(utc_now()).date(), request.app.state.profile)


@router.get("/cases/new")
def case_new(request: Request, me: CaseCreator):
    grid = me.scope_code[:15] if len(me.scope_code) >= 15 else ""
    return _new_page(request, me, {"grid_code": grid, "urgency": "normal"})


@router.post("/cases/new")
def case_create(request: Request, me: CaseCreator, session: SessionDep, form: FormDep):
    values = forms.text_values(form)

    def text(key: str) -> str:
        return str(values.get(key) or "").strip()

    try:
        kept = values.get("photo_sha") or []
        values["photo_sha"] = forms.store_photos(request, form, "photos", kept if isinstance(kept, list) else [kept])
        if text("join_case"):  # 我也发现了: what was typed and photographed goes to that case instead
            return _join(request, me, session, text("join_case"), values)
        step = text("next_action") or None
        result_photos = forms.store_photos(request, form, "result_photos", []) if step == "solve_on_site" else []
        data = CaseCreate(
            title=text("title"), description=text("description"), category=text("category") or None,
            type=text("type") or None,
            urgency=text("urgency") or "normal", source=text("source"),
            discovered_at=forms.local_datetime(text("discovered_at"), "发现时间"),
            lon=forms.number(text("lon"), "经度"), lat=forms.number(text("lat"), "纬度"), crs="wgs84",
            grid_code=text("grid_code") or None, address=text("address"), reporter_name=text("reporter_name"),
            address_id=text("address_id") or None,
            reporter_phone=text("reporter_phone"), photos=values["photo_sha"],
            next_action=step, note=text("note"), result=text("result") if step == "solve_on_site" else "",
            result_photos=result_photos,
        )
        case = report.report_case(session, me, data, now=utc_now(), profile=request.app.state.profile,
                                  cipher=request.app.state.cipher, media_root=_media(request),
                                  case_types=request.app.state.case_types)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _new_page(request, me, values, forms.message(exc, _pydantic_problem), forms.status_of(exc))
    return RedirectResponse(f"/cases/{case.case_no}?done={step or 'create'}&case={case.case_no}", status_code=303)


def _join(request: Request, me: Principal, session: Session, case_no: str, values: dict):
    """我也发现了: the report's text and photos are added to the open case it repeats, as a note in
    that case's file (``comment``, through the lifecycle table), instead of a new case."""
    said = [str(values.get(k) or "").strip() for k in ("title", "description")]
    note = "：".join(["我也发现了", *filter(None, said)])[:2000]
    photos = values.get("photo_sha") or []
    actions.act(session, me, case_no, str(CaseAction.COMMENT), {"note": note, "photos": photos},
                now=utc_now(), profile=request.app.state.profile, media_root=_media(request))
    return RedirectResponse(f"/cases/{case_no}?done=joined&case={case_no}", status_code=303)


# ---------------------------------------------------------------- the case page


def _fields(action: CaseAction, profile, case=None) -> tuple[FieldRule, ...]:
    return fields_of(action, profile, urgent=case is None or case.urgency != "normal") or NOTE_ONLY


def _forms(session: Session, me: Principal, case, read, profile, case_types=None) -> list[dict]:
    offered = [CaseAction(a) for a in read.available_actions]
    pick = {CaseAction.DISPATCH, CaseAction.DECIDE, CaseAction.ALERT}
    if profile.cases.emergency_to_department and case.urgency != "normal":
        pick.add(CaseAction.ESCALATE)  # the competent department an urgent case also goes to (LZ§16)
    picker = lists.departments_for(session, me, case) if pick & set(offered) else []
    areas = actors.pass_up_areas(session, profile, case) if CaseAction.PASS_UP in offered else []
    workers = unstaffed.neighbours(session, case, profile) if CaseAction.ASSIGN in offered else []
    lead = lists.default_department(picker, read.type_department_kind, case.handling_area_code)
    types = case_types.groups() if case_types is not None and CaseAction.CLASSIFY in offered else []
    lawyers = legal.choices(session, case, utc_now()) if CaseAction.REFER_LEGAL in offered else []
    bodies = mediation.bodies_for(session, me, case) if CaseAction.MEDIATE in offered else []
    return [{"action": str(a), "label": ACTION_LABELS[a], "fields": _fields(a, profile, case), "types": types,
             "professionals": lawyers, "bodies": bodies,
             "current_type": case.type_code or "",
             "departments": picker, "areas": areas, "workers": workers, "side": a in lists.SIDE_ACTIONS,
             "default_lead": lead, "groups": lists.department_groups(picker, case.handling_level)} for a in offered]


def _case_page(request: Request, session: Session, me: Principal, case_no: str, *, status: int = 200,
               error: str | None = None, error_action: str | None = None, values: dict | None = None,
               answer: dict | None = None, check_file: bool = False):
    now = utc_now()
    case = service.access_case(session, me, case_no)
    orders = supervision.list_for_case(session, me, case_no, now=now)
    read = service.case_read(session, me, case, now=now, profile=request.app.state.profile,
                             case_types=request.app.state.case_types)
    log = service.case_log(session, me, case_no)
    checked = service.checked_file(session, case, now=now, again=check_file)
    forms = _forms(session, me, case, read, request.app.state.profile, request.app.state.case_types)
    if error_action in set(CaseAction) and error_action not in {f["action"] for f in forms}:
        # A refused action the page did not offer (a stale page, a crafted post): its form is shown
        # with the message and the user's input, so nothing typed is lost.
        chosen = CaseAction(error_action)
        forms.insert(0, {"action": str(chosen), "label": ACTION_LABELS[chosen], "side": False,
                         "fields": _fields(chosen, request.app.state.profile), "departments": [], "areas": [],
                         "workers": []})
    return _render(request, "cases/detail.html", {
        "case": read, "log": log, "file_problems": checked.problems, "file_checked_at": checked.checked_at,
        "forms": forms, "photo_groups": lists.photo_groups(log), "nearby": _duplicates(request, session, me, case, now),
        "clock_kinds": [str(k) for k in ClockKind if k in read.clocks], "error": error, "error_action": error_action,
        "values": values or {}, "now": now,
        "dept_names": lists.department_names(session, me, lists.named_departments(case, log)),
        "orders": [(o, _order_due(o, now)) for o in orders], "answer": answer or {},
        "map_config": {**_map_base(request, me), "grids": "", "grid": f"/api/v1/grids/{case.grid_code}",
                       "point": [case.lon, case.lat] if case.lon is not None and case.lat is not None else None},
        "place_names": territory_service.place_names(session, [read.handling_area_code], [read.grid_code]),
        "webhook_failures": outbox.failed_deliveries(session, me, case.id),  # a failed push is never "sent"
        "can_oversee_webhooks": role_can(me.role, Permission.WEBHOOKS_OVERSEE),
        "deliberation_id": origins.deliberation_of(session, case.id) if case.source == "deliberation" else None,
        "sees_deliberations": role_can(me.role, Permission.COGOVERNANCE_READ),
        "informant": informants.labels(session, [case.id]).get(case.id, ""),  # 信息员上报 (issue 18)
    }, status=status)


_VERIFYING = frozenset({"reported", "verified", "escalated", "accepted"})


def _duplicates(request: Request, session: Session, me: Principal, case, now: datetime) -> list[dict]:
    """At verification (before anyone was sent to it): the open cases this one may repeat."""
    if case.state not in _VERIFYING or case.lon is None or case.lat is None:
        return []
    settings = request.app.state.settings
    return report.nearby(session, me, lon=case.lon, lat=case.lat, category=case.category, now=now,
                         radius_m=settings.duplicate_radius_m, days=settings.duplicate_days, exclude=case.case_no)


def _order_due(order: supervision.SupervisionOrderRead, now: datetime) -> dict[str, str]:
    """A supervision order's due time as a colour and words, like a clock's."""
    if order.status == "answered":
        return {"status": "warning" if order.late else "on_time",
                "text": "已答复（超过督办期限）" if order.late else "按期答复"}
    left = (order.due_at - now).total_seconds()
    if left < 0:
        return {"status": "overdue", "text": f"超期 {lists.span_text(left)}"}
    return {"status": "warning" if left < 24 * 3600 else "on_time", "text": f"剩余 {lists.span_text(left)}"}


@router.get("/cases/{case_no}")
def case_page(request: Request, case_no: str, me: CaseReader, session: SessionDep, check_file: bool = False):
    """The case; its file's hash chain is checked once per head, again with ``?check_file=true``."""
    return _case_page(request, session, me, case_no, check_file=check_file)


@router.get("/cases/{case_no}/actions/{action}")
def action_form(request: Request, case_no: str, action: str, me: CaseActor, session: SessionDep,
                next_url: Annotated[str | None, Query(alias="next")] = None):
    """One action's form (the inbox's dispatch dialog loads it with htmx); the case page otherwise."""
    if not is_htmx(request):
        return RedirectResponse(f"/cases/{case_no}#act-{action}", status_code=303)
    case = service.access_case(session, me, case_no)
    read = service.case_read(session, me, case, now=utc_now(), profile=request.app.state.profile,
                             case_types=request.app.state.case_types)
    form = next((f for f in _forms(session, me, case, read, request.app.state.profile)
                 if f["action"] == action), None)
    return _render(request, "cases/_action_dialog.html", {
        "case": read, "f": form, "values": {}, "error": None, "error_action": None,
        "next_url": _safe_next(next_url, f"/cases/{case_no}"),
    }, headers=VARY)


def _payload(request: Request, action: CaseAction, form, values: dict) -> dict[str, Any]:
    """An action's form as the payload :func:`actions.act` takes (the API's JSON body)."""
    payload: dict[str, Any] = {}
    for rule in _fields(action, request.app.state.profile):
        raw = values.get(rule.name)
        if rule.kind == "codes":
            items = raw if isinstance(raw, list) else [raw] if raw else []
            payload[rule.name] = [c for c in items if c]
        elif rule.kind == "hashes":
            payload[rule.name] = forms.store_photos(request, form, rule.name, [])
        elif rule.kind == "datetime":
            payload[rule.name] = forms.local_datetime(str(raw or ""), rule.label)
        else:
            payload[rule.name] = str(raw or "").strip()
    return payload


@router.post("/cases/{case_no}/actions/{action}")
def act(request: Request, case_no: str, action: str, me: CaseActor, session: SessionDep, form: FormDep):
    values = forms.text_values(form)
    back = _safe_next(values.get("next") if isinstance(values.get("next"), str) else None, f"/cases/{case_no}")
    try:
        try:
            chosen = CaseAction(action)
        except ValueError:
            raise Invalid(f"未知的操作 {action}") from None
        payload = _payload(request, chosen, form, values)
        actions.act(session, me, case_no, str(chosen), payload, now=utc_now(), profile=request.app.state.profile,
                    media_root=_media(request), case_types=request.app.state.case_types,
                    cipher=request.app.state.cipher)
    except DomainError as exc:
        session.rollback()
        return _case_page(request, session, me, case_no, status=exc.status, error=exc.message,
                          error_action=action, values=values)
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}done={action}&case={case_no}", status_code=303)


# ---------------------------------------------------------------- supervision answers


@router.post("/cases/{case_no}/supervision/{order_id}/answer")
def answer_supervision(request: Request, case_no: str, order_id: IdPath, me: CaseActor, session: SessionDep,
                       form: FormDep):
    """The target of a supervision order answers it on the case page (:func:`supervision.answer_order`)."""
    text = form.get("answer")
    text = text if isinstance(text, str) else ""
    try:
        _order, case = supervision.access_order(session, me, order_id)
        if case.case_no != case_no:  # an order of another case: missing here, whatever it is
            raise NotFound(supervision.NOT_FOUND.format(order_id))
        supervision.answer_order(session, me, order_id, text, now=utc_now())
    except DomainError as exc:
        session.rollback()
        return _case_page(request, session, me, case_no, status=exc.status,
                          answer={"order": order_id, "error": exc.message, "text": text})
    return RedirectResponse(f"/cases/{case_no}?done=answer_supervision&case={case_no}#supervision", status_code=303)
