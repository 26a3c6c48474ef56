"""The resident channel's JSON API (no login, issue 17). See :mod:`gridgov.public.report` and
:mod:`gridgov.public.track`; the limits are :data:`gridgov.public.guard.LIMITS`.

No CSRF token is asked: these routes act with no ambient authority (no session or cookie grants
anything; the tracking code or the SMS code in the request is the authority).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse

from gridgov.authz import Permission, Principal, require
from gridgov.cases.service import photo_root, upload_photo
from gridgov.deps import CipherDep, ProfileDep, SessionDep, client_ip
from gridgov.errors import NotFound
from gridgov.kit.clock import utc_now
from gridgov.kit.media import MAX_BYTES, image_path
from gridgov.openapi import IMAGES, file_answer
from gridgov.public import guard as guards
from gridgov.public import report, track
from gridgov.public.report_schemas import (
    ChallengeRead,
    CodeRequest,
    CodeSent,
    EvaluationAnswer,
    EvaluationCreate,
    PhoneCases,
    PhoneLookup,
    PublicCase,
    PublicCaseType,
    ReportCreate,
    ReportReceipt,
)

router = APIRouter(tags=["resident"])
Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]
NO_STORE = "no-store"
LIMITS = "；".join(guards.limits_text())
CodeQuery = Annotated[str, Query(min_length=1, max_length=200, title="查询码（或手机号查询得到的查询凭证）")]
CaseNo = Annotated[str, Path(max_length=40, title="事件编号")]


def _guard(request: Request) -> guards.Guard:
    return guards.guard_of(request.app)


@router.get("/public/case-types", response_model=list[PublicCaseType], summary="可上报的事件类型（无需登录）")
def case_types(request: Request, _: Public) -> list[PublicCaseType]:
    types = request.app.state.case_types
    return [PublicCaseType(code=t.code, name=t.name, group=g["name"]) for g in types.groups() for t in g["types"]]


@router.get("/public/challenge", response_model=ChallengeRead, summary="获取验证题（无需登录）",
            description=f"频率限制：{LIMITS}")
def challenge(request: Request, _: Public) -> ChallengeRead:
    now = utc_now()
    guard = _guard(request)
    guard.hit("challenge_ip", client_ip(request), now)
    c = guard.challenge(now)
    return ChallengeRead(question=c.question, token=c.token, expires_at=c.expires_at)


@router.post("/public/report-photos", status_code=201, summary="上传上报照片（无需登录，≤10 MB，去除位置信息）",
             description=f"频率限制：{LIMITS}")
def upload_report_photo(request: Request, _: Public, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    _guard(request).hit("photo_ip", client_ip(request), utc_now())
    stored = upload_photo(request.app.state.settings.media_path, file.file.read(MAX_BYTES + 1))
    return {"sha256": stored.sha256, "content_type": stored.content_type, "size": stored.size}


@router.post("/public/sms-codes", status_code=201, response_model=CodeSent, summary="获取短信验证码（无需登录）",
             description=f"平台配置了短信通道时可用。频率限制：{LIMITS}；同一手机号每 60 秒 1 次")
def request_code(data: CodeRequest, request: Request, session: SessionDep, profile: ProfileDep, cipher: CipherDep,
                 _: Public) -> CodeSent:
    report.request_code(session, data, profile=profile, settings=request.app.state.settings, cipher=cipher,
                        guard=_guard(request), ip=client_ip(request), now=utc_now())
    return CodeSent(sent=True, expires_in_minutes=report.CODE_MINUTES,
                    message=f"验证码已发送，{report.CODE_MINUTES} 分钟内有效")


@router.post("/public/reports", status_code=201, response_model=ReportReceipt, summary="居民上报事件（无需登录）",
             description="先 GET /api/v1/public/challenge 取验证题，把令牌和答案填入 challenge_token、"
                         "challenge_answer；配置了短信通道时（演示模式也算：短信存入 /dev/outbox）还须先 POST"
                         " /api/v1/public/sms-codes（purpose=report，另取一道验证题）得到短信验证码，填入 sms_code。"
                         f"频率限制：{LIMITS}")
def submit_report(data: ReportCreate, request: Request, session: SessionDep, profile: ProfileDep,
                  cipher: CipherDep, _: Public) -> ReportReceipt:
    state = request.app.state
    new, code = report.submit_report(session, data, profile=profile, settings=state.settings, cipher=cipher,
                                     media_root=state.settings.media_path, case_types=state.case_types,
                                     guard=_guard(request), ip=client_ip(request), now=utc_now())
    case = new.case
    return ReportReceipt(case_no=case.case_no, tracking_code=code, state=case.state,
                         state_label=report.STATE_LABELS[case.state],
                         message=report.receipt_message(case.case_no, case.state))


@router.get("/public/cases/{case_no}", response_model=PublicCase, summary="查询上报事件的办理进展（无需登录）",
            description=f"查询码错误与事件不存在同样答 404。频率限制：{LIMITS}")
def get_case(case_no: CaseNo, code: CodeQuery, request: Request, response: Response, session: SessionDep,
             cipher: CipherDep, _: Public) -> PublicCase:
    response.headers["Cache-Control"] = NO_STORE
    got, case = track.open_report(session, case_no, code, cipher=cipher, guard=_guard(request),
                                  ip=client_ip(request), now=utc_now())
    return track.public_case(session, got, case, case_types=request.app.state.case_types)


@router.get("/public/cases/{case_no}/photos/{sha256}", summary="办理结果照片（无需登录，凭查询码）",
            **file_answer(*IMAGES, description="照片"))
def get_photo(case_no: CaseNo, sha256: Annotated[str, Path(max_length=64)], code: CodeQuery, request: Request,
              session: SessionDep, cipher: CipherDep, _: Public, thumbnail: bool = False):
    _got, case = track.open_report(session, case_no, code, cipher=cipher, guard=_guard(request),
                                   ip=client_ip(request), now=utc_now())
    found = track.photo_of(session, case, sha256)
    stored = image_path(photo_root(request.app.state.settings.media_path), found, thumbnail=thumbnail)
    if stored is None:
        raise NotFound("照片不存在")
    return FileResponse(stored[0], media_type=stored[1], headers={"Cache-Control": "private, no-store"})


@router.post("/public/cases/{case_no}/evaluation", response_model=EvaluationAnswer,
             summary="评价上报事件的办理结果（无需登录）",
             description=f"满意/基本满意/不满意；不满意且在重新办理期限内时事件重新办理。频率限制：{LIMITS}")
def evaluate(case_no: CaseNo, data: EvaluationCreate, request: Request, session: SessionDep, profile: ProfileDep,
             cipher: CipherDep, _: Public) -> EvaluationAnswer:
    return track.evaluate(session, case_no, data, profile=profile, cipher=cipher, guard=_guard(request),
                          ip=client_ip(request), now=utc_now(), media_root=request.app.state.settings.media_path)


@router.post("/public/lookup", response_model=PhoneCases, summary="凭手机号和短信验证码查询本人上报的事件（无需登录）",
             description=f"先以用途 track 获取短信验证码。频率限制：{LIMITS}")
def lookup(data: PhoneLookup, request: Request, session: SessionDep, cipher: CipherDep, _: Public) -> PhoneCases:
    return track.lookup_phone(session, data, cipher=cipher, guard=_guard(request), ip=client_ip(request),
                              now=utc_now(), case_types=request.app.state.case_types)
