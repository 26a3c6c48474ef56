"""The access log of a person's data (PIPL art. 45; 等保): who viewed, searched by ID number,
revealed, exported or reported a person, when and why.

Every access writes two things in the caller's transaction: a row of ``registry_person_access`` (the
person's page lists them) and an entry of the audit log. Neither holds personal data: the names of
the fields seen (``id_number``, ``phone``), never their values; the audit entry names the person by
id only. A reason's free text is refused when it looks like an ID number or a phone (the one field a
user could paste one into).

A GET request may record an access: its entries are written apart at the end of the request
(:func:`gridgov.deps.get_session`), so nothing is shown unlogged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.audit.rules import register_labels
from gridgov.audit.service import record as audit_record
from gridgov.authz.principal import Principal
from gridgov.errors import Invalid
from gridgov.models.registry import Person, PersonAccess
from gridgov.registry.codes import ACCESS_ACTIONS, REVEAL_REASONS

AUDIT_ACTIONS = {
    "view": "person_viewed",
    "search": "person_searched",
    "reveal": "person_revealed",
    "export": "person_exported",
    "report": "person_reported",
}
register_labels({
    "person_created": "登记实有人口",
    "person_updated": "修改实有人口",
    "person_moved": "登记迁入迁出",
    "person_related": "登记家庭关系",
    "person_viewed": "查看实有人口",
    "person_searched": "按证件号查找实有人口",
    "person_revealed": "查看实有人口完整信息",
    "person_exported": "导出实有人口",
    "person_reported": "出具个人信息报告",
})

_LOOKS_PERSONAL = re.compile(r"\d{7,}|[0-9Xx]{15,}")
"""Seven or more digits in a row: a phone or an ID number (or a part big enough to matter)."""


def check_reason(reason: str, text: str) -> tuple[str, str]:
    """A reason from the list (``other`` with a text) and a text free of ID numbers and phones."""
    reason, text = (reason or "").strip(), (text or "").strip()
    if reason not in REVEAL_REASONS:
        choices = "、".join(f"{label}（{code}）" for code, label in REVEAL_REASONS.items())
        raise Invalid(f"查看理由应为：{choices}", details=[{"field": "reason", "error": "取值无效"}])
    if reason == "other" and not text:
        raise Invalid("理由为“其他”时请写明具体理由", details=[{"field": "reason_text", "error": "缺少必填项"}])
    if _LOOKS_PERSONAL.search(text.replace(" ", "").replace("-", "")):
        raise Invalid("理由说明中不要填写证件号码或电话号码", details=[{"field": "reason_text", "error": "取值无效"}])
    return reason, text


def record_access(session: Session, principal: Principal, person: Person, action: str, *, now: datetime,
                  fields: Sequence[str] = (), reason: str = "", reason_text: str = "", ip: str = "") -> PersonAccess:
    """One access of ``person``'s data by ``principal``, into the access log and the audit log. Adds
    without flushing (a GET's session may not flush)."""
    if action not in ACCESS_ACTIONS:
        raise ValueError(f"unknown access action {action!r}")
    entry = PersonAccess(person_id=person.id, user_id=principal.user_id if principal else None,
                         username=principal.username if principal else "system", action=action,
                         fields=",".join(fields)[:100], reason=reason[:24], reason_text=reason_text[:200], at=now)
    session.add(entry)
    detail = ACCESS_ACTIONS[action]
    if fields:
        detail += "：" + "、".join(FIELD_LABELS.get(f, f) for f in fields)
    if reason:
        detail += f"（理由：{REVEAL_REASONS.get(reason, reason)}）"
    audit_record(session, actor=principal, action=AUDIT_ACTIONS[action], now=now, object_type="person",
                 object_id=person.id, area_code=person.scope_code, detail=detail, ip=ip,
                 after={"reason": reason, "reason_text": reason_text} if reason else None)
    return entry


FIELD_LABELS = {"id_number": "证件号码", "phone": "手机号", "tags": "特殊人群标签", "all": "全部信息"}


def page_of(session: Session, person_id: int, *, offset: int, limit: int) -> tuple[Sequence[PersonAccess], int]:
    """The access log of a person the caller has already opened through the door, newest first."""
    total = session.scalar(select(func.count()).select_from(PersonAccess)
                           .where(PersonAccess.person_id == person_id)) or 0
    rows = session.scalars(select(PersonAccess).where(PersonAccess.person_id == person_id)
                           .order_by(PersonAccess.at.desc(), PersonAccess.id.desc()).offset(offset).limit(limit)).all()
    return rows, total


# ---------------------------------------------------------------- no ID number in a log line

_QUERY_SECRETS = re.compile(r"((?:^|[?&])(?:id_number|phone)=)[^&\s\"]*")


def redact_query(text: str) -> str:
    """``/api/v1/people?id_number=…`` → ``…?id_number=[已隐去]``: the values of personal query
    parameters taken out of a URL before it is written to a log."""
    return _QUERY_SECRETS.sub(r"\1[已隐去]", text)


class RedactPersonalQuery(logging.Filter):
    """Takes ID numbers and phones out of the request lines a server's access log writes (uvicorn's
    ``uvicorn.access`` logger passes the path with its query string as an argument)."""

    def filter(self, rec: logging.LogRecord) -> bool:
        if isinstance(rec.args, tuple):
            rec.args = tuple(redact_query(a) if isinstance(a, str) else a for a in rec.args)
        if isinstance(rec.msg, str):
            rec.msg = redact_query(rec.msg)
        return True


def install_log_redaction(names: Sequence[str] = ("uvicorn.access", "uvicorn.error", "gridgov")) -> None:
    """Adds :class:`RedactPersonalQuery` to the loggers that may write a request's URL (once each)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactPersonalQuery) for f in logger.filters):
            logger.addFilter(RedactPersonalQuery())
