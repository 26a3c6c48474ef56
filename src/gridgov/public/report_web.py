"""The resident's pages (no login, issue 17): ``/report`` and ``/track``.

Both work without JavaScript: the report form takes the position as numbers (the map, when scripts
run, fills them from a tap or the phone's location), the challenge is a question in text, and where
an SMS channel is configured the form is sent twice (the first sends the code to the phone and comes
back with the input and the photos kept; the second carries the code). The tracking code is shown
once, on the answer to the post (``Cache-Control: no-store``), never in an address. Lookups are
POSTs, so codes and phones stay out of URLs, except the result photos' addresses (which carry the
tracking code, as the API's do). Errors come back on the page in Chinese with the input kept: 422,
404 (one message for an unknown case and a wrong code) or 429.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile

from gridgov.authz import Permission, Principal, require
from gridgov.cases.service import upload_photo
from gridgov.cases.workflow import EVALUATION_LABELS
from gridgov.deps import CipherDep, ProfileDep, SessionDep, client_ip
from gridgov.errors import DomainError, Invalid
from gridgov.kit.clock import utc_now
from gridgov.kit.media import MAX_BYTES
from gridgov.public import guard as guards
from gridgov.public import report, track
from gridgov.public.report_schemas import CodeRequest, EvaluationCreate, PhoneLookup, ReportCreate
from gridgov.territory.service import get_locator
from gridgov.web.templating import templates

router = APIRouter()
Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]
NO_STORE = {"Cache-Control": "no-store"}
MAX_PHOTOS = 3
Text = Annotated[str, Form(max_length=2000)]
Short = Annotated[str, Form(max_length=40)]


def _extent(session) -> list[float] | None:
    return get_locator(session).extent()


def _report_page(request: Request, session, *, form: dict | None = None, error: str | None = None,
                 photos: list[str] | None = None, code_sent: bool = False, status: int = 200,
                 headers: dict | None = None):
    guard = guards.guard_of(request.app)
    challenge = guard.challenge(utc_now())
    settings = request.app.state.settings
    config = {"extent": _extent(session), "tile_url": settings.tile_url or "",
              "tile_attribution": getattr(settings, "tile_attribution", "") or ""}
    return templates.TemplateResponse(request, "public/report.html", {
        "form": form or {}, "error": error, "photos": photos or [], "groups": request.app.state.case_types.groups(),
        "challenge": challenge, "sms": report.sms_configured(settings), "code_sent": code_sent,
        "limits": guards.limits_text(), "config": config, "max_photos": MAX_PHOTOS,
    }, status_code=status, headers={**NO_STORE, **(headers or {})})


@router.get("/report")
def report_form(request: Request, session: SessionDep, _: Public):
    return _report_page(request, session)


@router.post("/report")
def report_submit(
    request: Request, session: SessionDep, profile: ProfileDep, cipher: CipherDep, _: Public,
    type: Annotated[str, Form(max_length=16)] = "", description: Text = "", lon: Short = "", lat: Short = "",
    crs: Annotated[str, Form(max_length=8)] = "wgs84", address: Text = "", phone: Short = "",
    challenge_token: Annotated[str, Form(max_length=200)] = "", challenge_answer: Short = "", sms_code: Short = "",
    kept: Annotated[list[str] | None, Form()] = None,
    photo: Annotated[list[UploadFile] | None, File()] = None,
):
    form = {"type": type, "description": description, "lon": lon, "lat": lat, "crs": crs, "address": address,
            "phone": phone}
    state, now, ip = request.app.state, utc_now(), client_ip(request)
    guard = guards.guard_of(request.app)
    photos = [h for h in (kept or []) if len(h) == 64 and h.isalnum()][:MAX_PHOTOS]
    try:
        files = [f for f in (photo or []) if f.filename]
        if files:
            guard.hit("photo_ip", ip, now)
        for f in files[:MAX_PHOTOS - len(photos)]:
            photos.append(upload_photo(state.settings.media_path, f.file.read(MAX_BYTES + 1)).sha256)
        data = _report_data(form, photos, challenge_token, challenge_answer, sms_code)
        if report.sms_configured(state.settings) and not sms_code.strip():
            state.case_types.subtype(data.type)  # what would be refused anyway, before a code is sent
            report.locate(session, data.lon, data.lat, data.crs)
            report.request_code(session, CodeRequest.model_construct(
                phone=phone, purpose="report", challenge_token=challenge_token, challenge_answer=challenge_answer),
                profile=profile, settings=state.settings, cipher=cipher, guard=guard, ip=ip, now=now)
            return _report_page(request, session, form=form, photos=photos, code_sent=True)
        new, code = report.submit_report(session, data, profile=profile, settings=state.settings, cipher=cipher,
                                         media_root=state.settings.media_path, case_types=state.case_types,
                                         guard=guard, ip=ip, now=now)
    except DomainError as exc:
        session.rollback()
        return _report_page(request, session, form=form, photos=photos, error=exc.message, status=exc.status,
                            headers=exc.headers)
    case = new.case
    return templates.TemplateResponse(request, "public/report_done.html", {
        "case_no": case.case_no, "code": code, "state_label": report.STATE_LABELS[case.state],
        "message": report.receipt_message(case.case_no, case.state)}, status_code=201, headers=NO_STORE)


def _report_data(form: dict, photos: list[str], token: str, answer: str, sms_code: str) -> ReportCreate:
    problems = []
    if not form["type"]:
        problems.append("请选择事件类型")
    if len(form["description"].strip()) < 5:
        problems.append("请用至少 5 个字描述问题")
    try:
        lon, lat = float(form["lon"]), float(form["lat"])
    except ValueError:
        problems.append("请在地图上标出位置，或填写经纬度")
        lon = lat = 0.0
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        problems.append("经纬度超出范围")
    if not form["phone"].strip():
        problems.append("请填写手机号")
    if not token or not answer.strip():
        problems.append("请回答验证题")
    if len(form["description"]) > 1000:
        problems.append("问题描述不能超过 1000 字")
    if problems:
        raise Invalid("上报未提交：" + "；".join(problems))
    return ReportCreate.model_construct(
        type=form["type"], description=form["description"].strip(), lon=lon, lat=lat,
        crs=form["crs"] if form["crs"] in ("wgs84", "gcj02", "bd09") else "wgs84", address=form["address"][:200],
        phone=form["phone"], photos=photos, challenge_token=token, challenge_answer=answer, sms_code=sms_code)


# ---------------------------------------------------------------- tracking


def _track_page(request: Request, *, form: dict | None = None, found=None, cases=None, access: str = "",
                error: str | None = None, done=None, status: int = 200, code_sent: bool = False,
                headers: dict | None = None):
    guard = guards.guard_of(request.app)
    sms = report.sms_configured(request.app.state.settings)
    return templates.TemplateResponse(request, "public/track.html", {
        "form": form or {}, "found": found, "cases": cases or ([found] if found else []), "access": access,
        "error": error, "done": done, "sms": sms, "code_sent": code_sent, "labels": EVALUATION_LABELS,
        "challenge": guard.challenge(utc_now()) if sms else None, "limits": guards.limits_text(),
        "photo_code": quote(access, safe=""),
    }, status_code=status, headers={**NO_STORE, **(headers or {})})


@router.get("/track")
def track_form(request: Request, _: Public, case_no: Annotated[str | None, Query(max_length=40)] = None):
    """The tracking form; ``?case_no=`` (the link in the closure SMS) fills in the case number."""
    return _track_page(request, form={"case_no": case_no or ""})


@router.post("/track")
def track_lookup(request: Request, session: SessionDep, cipher: CipherDep, _: Public,
                 case_no: Annotated[str, Form(max_length=40)] = "", code: Annotated[str, Form(max_length=200)] = ""):
    form = {"case_no": case_no, "code": code}
    try:
        got, case = track.open_report(session, case_no, code, cipher=cipher, guard=guards.guard_of(request.app),
                                      ip=client_ip(request), now=utc_now())
        found = track.public_case(session, got, case, case_types=request.app.state.case_types)
    except DomainError as exc:
        return _track_page(request, form=form, error=exc.message, status=exc.status, headers=exc.headers)
    return _track_page(request, form={"case_no": case_no}, found=found, access=code)


@router.post("/track/phone")
def track_phone(request: Request, session: SessionDep, profile: ProfileDep, cipher: CipherDep, _: Public,
                phone: Annotated[str, Form(max_length=40)] = "", sms_code: Annotated[str, Form(max_length=10)] = "",
                challenge_token: Annotated[str, Form(max_length=200)] = "",
                challenge_answer: Annotated[str, Form(max_length=10)] = ""):
    """Without a code: sends one (after the challenge); with it: the phone's reports."""
    state, guard, now, ip = request.app.state, guards.guard_of(request.app), utc_now(), client_ip(request)
    form = {"phone": phone}
    try:
        if not sms_code.strip():
            report.request_code(session, CodeRequest.model_construct(
                phone=phone, purpose="track", challenge_token=challenge_token, challenge_answer=challenge_answer),
                profile=profile, settings=state.settings, cipher=cipher, guard=guard, ip=ip, now=now)
            return _track_page(request, form=form, code_sent=True)
        got = track.lookup_phone(session, PhoneLookup.model_construct(phone=phone, sms_code=sms_code), cipher=cipher,
                                 guard=guard, ip=ip, now=now, case_types=state.case_types)
    except DomainError as exc:
        session.rollback()
        return _track_page(request, form=form, error=exc.message, status=exc.status, headers=exc.headers)
    return _track_page(request, cases=got.cases, access=got.access)


@router.post("/track/{case_no}/evaluation")
def track_evaluate(request: Request, case_no: str, session: SessionDep, profile: ProfileDep, cipher: CipherDep,
                   _: Public, code: Annotated[str, Form(max_length=200)] = "",
                   evaluation: Short = "", comment: Annotated[str, Form(max_length=500)] = ""):
    state, guard, now, ip = request.app.state, guards.guard_of(request.app), utc_now(), client_ip(request)
    try:
        if evaluation not in EVALUATION_LABELS:
            raise Invalid("请选择评价：满意、基本满意或不满意")
        done = track.evaluate(session, case_no[:40], EvaluationCreate.model_construct(
            code=code, evaluation=evaluation, comment=comment.strip()), profile=profile, cipher=cipher, guard=guard,
            ip=ip, now=now, media_root=state.settings.media_path)
        got, case = track.open_report(session, case_no[:40], code, cipher=cipher, guard=guard, ip=ip, now=now)
        found = track.public_case(session, got, case, case_types=state.case_types)
    except DomainError as exc:
        session.rollback()
        return _track_page(request, form={"case_no": case_no[:40]}, error=exc.message, status=exc.status,
                           headers=exc.headers)
    return _track_page(request, form={"case_no": case_no[:40]}, found=found, access=code, done=done)
