"""A resident reports a problem without an account (issue 17; QZ§17 群众反映, D6).

The case is created through :func:`gridgov.cases.service.create_case` like any other: numbered,
clocked, filed, source ``resident``, state ``reported``, its grid located from the pin (GCJ-02 and
BD-09 from phone maps are converted to WGS84 first; outside every grid → 422). The resident is not a
user: it acts as a principal of the role :data:`~gridgov.cases.workflow.PUBLIC_ROLE` with no user id
(every user column it fills stays NULL), bound to the grid of its case (:func:`resident_in`).

The answer is the case number and a random tracking code (12 characters, about 59 bits), shown once
and stored only as a keyed hash. The phone is encrypted at rest; only its mask and a keyed hash
(to count a phone's reports and find them again) are stored beside it, and it is never logged.

Protection (:mod:`.guard`): the per-IP window, the per-phone limit counted from this table, the
challenge, and when an SMS channel is configured (:func:`sms_configured`), a code sent to the phone
(:func:`request_code` / :func:`check_code`).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.cases import casetypes
from gridgov.cases.schemas import CaseCreate
from gridgov.cases.service import NewCase, create_case
from gridgov.cases.workflow import PUBLIC_ROLE, STATE_LABELS
from gridgov.errors import Invalid
from gridgov.geo.crs import to_wgs84
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.ids import normalise_phone
from gridgov.kit.masking import mask_phone
from gridgov.models.resident import ResidentCode, ResidentReport
from gridgov.notify import outbound
from gridgov.public import guard as guards
from gridgov.public import informants
from gridgov.public import report_repository as repo
from gridgov.public.report_schemas import CodeRequest, ReportCreate
from gridgov.territory.service import get_locator

MOBILE = re.compile(r"^1[3-9]\d{9}$")
CODE_MINUTES = 10
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LEN = 12


def resident_in(grid_code: str) -> Principal:
    """The resident acting on a case of ``grid_code`` (no account: no user id)."""
    return Principal(user_id=None, username="resident", display_name="居民", role=PUBLIC_ROLE,  # type: ignore[arg-type]
                     scope_code=grid_code)


def check_mobile(value: str) -> str:
    phone = normalise_phone(value)
    if not MOBILE.match(phone):
        raise Invalid("请填写 11 位手机号码（用于接收短信和查询）",
                      details=[{"field": "phone", "error": "应为 11 位手机号码"}])
    return phone


def sms_configured(settings) -> bool:
    """Whether an SMS channel is configured (the development sink counts in demo mode)."""
    return outbound.configured(settings)


def _send(session: Session, *, profile, cipher: FieldCipher, to: str, template: str, params: dict,
          now: datetime, case_id: int | None = None, dedupe_key: str | None = None) -> None:
    """Stores the SMS in this transaction (sent after commit; kept as unsent where no channel is configured)."""
    outbound.send(session, profile=profile, cipher=cipher, to=to, template=template, params=params, now=now,
                  case_id=case_id, dedupe_key=dedupe_key)


def tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LEN))


def show_code(code: str) -> str:
    """``ABCD-EFGH-JKMN``: easier to copy by hand."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str:
    return re.sub(r"[\s\-]", "", text or "").upper()


def tracking_hash(cipher: FieldCipher, case_no: str, code: str) -> str:
    return cipher.blind_index(f"tracking:{case_no}:{normalise_code(code)}")


def phone_index(cipher: FieldCipher, phone: str) -> str:
    return cipher.blind_index(f"resident-phone:{phone}")


def _per_phone(session: Session, index: str, limit: guards.Limit, times: list[datetime], now: datetime) -> None:
    if len(times) >= limit.limit:
        raise guards.too_many(limit, (times[-limit.limit] + timedelta(seconds=limit.window) - now).total_seconds())


# ---------------------------------------------------------------- SMS codes


def request_code(session: Session, data: CodeRequest, *, profile, settings, cipher: FieldCipher,
                 guard: guards.Guard, ip: str, now: datetime) -> ResidentCode:
    """Sends a 6-digit code to the phone (valid :data:`CODE_MINUTES` minutes, 5 tries in 10
    minutes), after the challenge; limited per IP, per phone per day and one a minute per phone."""
    guard.hit("code_ip", ip, now, session=session)
    if not sms_configured(settings):
        raise Invalid("本平台未配置短信通道，无法发送验证码：请凭事件编号和查询码查询")
    phone = check_mobile(data.phone)
    index = phone_index(cipher, phone)
    day = guards.LIMITS["code_phone"]
    times = repo.codes_since(session, index, now - timedelta(seconds=day.window))
    _per_phone(session, index, day, times, now)
    if times and (wait := times[-1] + timedelta(seconds=guards.CODE_INTERVAL) - now) > timedelta(0):
        raise guards.too_many(guards.Limit("code_interval", 1, guards.CODE_INTERVAL, "同一手机号获取短信验证码"),
                              wait.total_seconds())
    guard.verify(data.challenge_token, data.challenge_answer, now, session=session)
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = repo.add(session, ResidentCode(phone_index=index, purpose=data.purpose,
                                         code_hash=cipher.blind_index(f"code:{index}:{code}"), created_at=now,
                                         expires_at=now + timedelta(minutes=CODE_MINUTES)))
    _send(session, profile=profile, cipher=cipher, to=phone, template="sms_code",
          params={"code": code, "minutes": CODE_MINUTES}, now=now, dedupe_key=f"resident-code:{row.id}")
    return row


def check_code(session: Session, cipher: FieldCipher, guard: guards.Guard, index: str, purpose: str, code: str,
               now: datetime) -> None:
    """Takes the phone's live code for ``purpose`` once; 422 in Chinese when missing or wrong. Wrong
    tries are counted per phone in memory (``code_try``: a refused request writes nothing), so a
    code cannot be guessed: at most 5 tries in 10 minutes, 5 codes a day."""
    if not (code or "").strip():
        raise Invalid(f"请先获取短信验证码（POST /api/v1/public/sms-codes，用途 {purpose}）并填写 sms_code；"
                      "演示模式下短信不真正发出，验证码在 /dev/outbox 查看",
                      details=[{"field": "sms_code", "error": "缺少短信验证码"}])
    guard.check("code_try", index, now)
    row = repo.live_code(session, index, purpose, now)
    if row is None or cipher.blind_index(f"code:{index}:{(code or '').strip()}") != row.code_hash:
        guard.hit("code_try", index, now, session=session)
        raise Invalid("短信验证码不正确或已过期，请重新获取", details=[{"field": "sms_code", "error": "验证码不正确"}])
    row.used_at = now


CODES_KEPT_DAYS = 2
"""SMS codes are kept this long (a day is what the per-phone limit counts), then deleted."""


def purge_codes(session: Session, *, now: datetime) -> int:
    """Deletes the SMS codes older than :data:`CODES_KEPT_DAYS` (the job ``resident_codes``)."""
    return repo.delete_codes_before(session, now - timedelta(days=CODES_KEPT_DAYS))


# ---------------------------------------------------------------- the report


def _case_data(data: ReportCreate, kind: casetypes.CaseType, phone: str) -> CaseCreate:
    first = " ".join(data.description.split())[:40]
    try:
        return CaseCreate.model_validate({
            "title": f"{kind.name}：{first}"[:100], "description": data.description, "type": kind.code,
            "source": "resident", "lon": data.lon, "lat": data.lat, "crs": data.crs, "address": data.address,
            "reporter_phone": phone, "photos": list(data.photos)})
    except ValidationError as exc:
        raise Invalid("上报内容不完整：" + "；".join(str(e["msg"]) for e in exc.errors())) from exc


def locate(session: Session, lon: float, lat: float, crs: str) -> str:
    """The grid of the pin; 422 in Chinese outside every grid."""
    try:
        point = to_wgs84(lon, lat, crs)
    except ValueError as exc:
        raise Invalid(str(exc), details=[{"field": "lon", "error": "坐标无效"}]) from exc
    code = get_locator(session).locate(point[0], point[1])
    if code is None:
        raise Invalid("该位置不在本平台任何网格内：请在地图上把标记移到问题所在的位置",
                      details=[{"field": "lon", "error": "位置不在任何网格内"}])
    return code


def submit_report(session: Session, data: ReportCreate, *, profile, settings, cipher: FieldCipher,
                  media_root: Path, case_types: casetypes.CaseTypes, guard: guards.Guard, ip: str,
                  now: datetime) -> tuple[NewCase, str]:
    """Registers the resident's report; (the new case, the tracking code shown once). Every refusal
    comes before anything is written (the edge rolls back what a late one leaves)."""
    guard.hit("report_ip", ip, now, session=session)
    phone = check_mobile(data.phone)
    index = phone_index(cipher, phone)
    limit = guards.LIMITS["report_phone"]
    _per_phone(session, index, limit, repo.reports_since(session, index, now - timedelta(seconds=limit.window)), now)
    kind = case_types.subtype(data.type)
    guard.verify(data.challenge_token, data.challenge_answer, now, session=session)
    if sms_configured(settings):
        check_code(session, cipher, guard, index, "report", data.sms_code, now)
    grid = locate(session, data.lon, data.lat, data.crs)
    new = create_case(session, resident_in(grid), _case_data(data, kind, phone), now=now, profile=profile,
                      cipher=cipher, media_root=media_root, case_types=case_types)
    code = tracking_code()
    case = new.case
    repo.add(session, ResidentReport(case_id=case.id, case_no=case.case_no, grid_code=case.grid_code,
                                     tracking_hash=tracking_hash(cipher, case.case_no, code),
                                     phone_enc=cipher.encrypt(phone), phone_index=index, phone_mask=mask_phone(phone),
                                     created_at=now, evaluation_comment=""))
    if sms_configured(settings):  # only a phone proven by its code speaks for a registered informant (issue 18)
        informants.mark(session, case, index, now=now)
    _send(session, profile=profile, cipher=cipher, to=phone, template="report_received",
          params={"case_no": case.case_no, "tracking_code": show_code(code)}, now=now, case_id=case.id,
          dedupe_key=f"resident-received:{case.case_no}")
    return new, show_code(code)


def receipt_message(case_no: str, state: str) -> str:
    return (f"上报成功，事件编号 {case_no}（{STATE_LABELS.get(state, state)}）。请保存查询码：它只显示这一次，"
            "凭事件编号和查询码可在“进度查询”中查看办理进展和结果并作出评价。")
