"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) and mySociety's request-updates extension
(FixMyStreet's ``servicerequestupdates``): the pure side. What a case looks like to an Open311 client,
how our lifecycle maps onto the specification's statuses, how its dates and parameters read, and the
XML of every answer, built with :mod:`xml.etree.ElementTree` (never by pasting text together).

The answers keep the specification's shapes (a list of services, of requests, of errors), not the
house's ``{"detail"}`` errors, so existing Open311 clients work unchanged. Which cases are public
through Open311, and why: :data:`PUBLIC_SOURCES`; what of a case is shown: :func:`request_fields`.
No I/O here: :mod:`.open311_repository` reads, :mod:`.open311_api` answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from gridgov.cases.workflow import STATE_LABELS, TERMINAL_STATES, CaseAction, CaseState
from gridgov.kit.clock import local

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ("json", "xml")
MEDIA_TYPES = {"json": "application/json", "xml": "text/xml"}
"""The spec's content types for its two formats (discovery lists them)."""

DEFAULT_DAYS = 90
DEFAULT_LIMIT = 1000
"""GET Service Requests without dates or ids: "a span of 90 days or first 1000 requests returned,
whichever is smallest" (the spec's default query limit)."""
SPAN = timedelta(days=DEFAULT_DAYS)
MAX_PAGE_SIZE = 1000
"""``page_size`` (the pagination extension on the wiki's Extensions page) is at most the default limit."""
MAX_IDS = 100
"""At most this many ``service_request_id`` in one comma list."""
MAX_PAGE = 1_000_000

PUBLIC_SOURCES = frozenset({"resident"})
"""Which cases an Open311 GET shows: those a resident reported through a public channel (the resident
page, an Open311 app, a dispatcher typing in what a resident reported). They are reports about a
place, made to be acted on in public, as on FixMyStreet. Not shown: what grid workers find on patrol
or on home visits (they concern households: disputes, special groups), the 12345 hotline's tickets
(a caller speaks to the hotline, not to the public) and units' reports."""

CLOSED_STATES = frozenset(TERMINAL_STATES)
"""The spec's ``closed``: the loop has ended (closed, merged as a duplicate, or not accepted)."""

MAX_TEXT = {"description": 4000, "address_string": 200, "media_url": 500, "phone": 20, "first_name": 25,
            "last_name": 25, "email": 100, "service_code": 16, "device_id": 100, "account_id": 100,
            "jurisdiction_id": 100, "address_id": 100, "api_key": 200}
"""The longest value of each POST field we take (longer: 400)."""


class Open311Error(Exception):
    """An answer in the spec's error list: ``[{"code": 400, "description": "..."}]``."""

    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


def missing(name: str) -> Open311Error:
    return Open311Error(400, f"缺少参数 {name}（{name} was not provided）")


# ---------------------------------------------------------------------------------------------
# Dates and parameters

_W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$")


def parse_datetime(name: str, value: str | None) -> datetime | None:
    """A W3C date-time with its timezone (``2026-11-05T08:15:30+08:00`` or ``…Z``), as the spec asks;
    400 for anything else, a time without a zone included (it would mean a different instant to
    each side)."""
    if value is None or value == "":
        return None
    if len(value) > 40 or not _W3C.match(value):
        raise Open311Error(400, f"{name} 须为带时区的 ISO 8601 时间，如 2026-11-05T08:15:30+08:00")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Open311Error(400, f"{name} 不是有效的时间：{value}") from exc


def format_datetime(value: datetime | None) -> str | None:
    """An instant on China's wall clock with its offset, to the second: ``2026-11-05T16:15:30+08:00``."""
    return local(value).isoformat(timespec="seconds") if value is not None else None


def parse_positive(name: str, value: str | None, *, default: int, most: int) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit() or len(value) > 9 or not 1 <= int(value) <= most:
        raise Open311Error(400, f"{name} 须为 1 到 {most} 的整数")
    return int(value)


def parse_ids(value: str | None) -> list[str] | None:
    """``service_request_id=a,b,c``: the case numbers asked for (None: no such filter)."""
    if value is None or value == "":
        return None
    ids = [v.strip() for v in value.split(",") if v.strip()]
    if not ids or len(ids) > MAX_IDS or any(len(v) > 32 for v in ids):
        raise Open311Error(400, f"service_request_id 须为至多 {MAX_IDS} 个以逗号分隔的事件编号")
    return ids


@dataclass(frozen=True)
class RequestQuery:
    """What GET Service Requests asks for, checked. ``start``/``end`` bound ``requested_datetime``;
    without ids and dates the window is the spec's default (the last :data:`DEFAULT_DAYS` days)."""

    ids: list[str] | None
    service_codes: list[str] | None
    start: datetime | None
    end: datetime | None
    status: str | None
    page: int
    page_size: int


def request_query(params: Mapping[str, str | None], *, now: datetime) -> RequestQuery:
    """GET Service Requests' parameters. ``service_request_id`` "overrides all other arguments" (the
    spec); otherwise ``start_date``/``end_date`` bound ``requested_datetime`` and "may not span more
    than 90 days": the range defaults to the most recent 90 days, one end alone to 90 days from it."""
    page = parse_positive("page", params.get("page"), default=1, most=MAX_PAGE)
    size = parse_positive("page_size", params.get("page_size"), default=DEFAULT_LIMIT, most=MAX_PAGE_SIZE)
    ids = parse_ids(params.get("service_request_id"))
    if ids is not None:
        return RequestQuery(ids, None, None, None, None, page, size)
    codes_text = params.get("service_code")
    codes = [c.strip() for c in codes_text.split(",") if c.strip()] if codes_text else None
    if codes is not None and (not codes or len(codes) > MAX_IDS or any(len(c) > 16 for c in codes)):
        raise Open311Error(400, "service_code 须为以逗号分隔的服务代码")
    start = parse_datetime("start_date", params.get("start_date"))
    end = parse_datetime("end_date", params.get("end_date"))
    if start is None and end is None:
        start, end = now - SPAN, None
    elif start is None:
        start = end - SPAN
    elif end is None:
        end = start + SPAN
    elif start > end:
        raise Open311Error(400, "start_date 不能晚于 end_date")
    elif end - start > SPAN:
        raise Open311Error(400, f"start_date 到 end_date 不能超过 {DEFAULT_DAYS} 天")
    status_text = params.get("status")
    statuses = {s.strip() for s in status_text.split(",") if s.strip()} if status_text else set()
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status 只能是 open 或 closed（可用逗号分隔多个）")
    status = next(iter(statuses)) if len(statuses) == 1 else None
    return RequestQuery(None, codes, start, end, status, page, size)


def updates_window(params: Mapping[str, str | None], *, now: datetime) -> tuple[datetime, datetime]:
    """servicerequestupdates' ``start_date``/``end_date`` (both optional): by default the last
    :data:`DEFAULT_DAYS` days up to now; a window longer than that is cut to its last 90 days."""
    start = parse_datetime("start_date", params.get("start_date"))
    end = parse_datetime("end_date", params.get("end_date")) or now
    if start is not None and start > end:
        raise Open311Error(400, "start_date 不能晚于 end_date")
    floor = end - SPAN
    return (max(start, floor) if start is not None else floor), end


# ---------------------------------------------------------------------------------------------
# What of a case is public

_DIGITS = re.compile(r"\d[\d\s-]{5,}\d[\dXx]?")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def public_text(text: str | None) -> str:
    """A resident's words as they may be published: runs of seven or more digits (phone numbers, ID
    numbers, house-keeping numbers) and e-mail addresses are masked."""
    if not text:
        return ""
    return _EMAIL.sub("***", _DIGITS.sub("***", text))


def status_of(state: str) -> str:
    """The spec's two statuses: ``closed`` once the loop has ended, else ``open``."""
    return "closed" if CaseState(state) in CLOSED_STATES else "open"


def status_notes(state: str, *, merged_into: str | None = None) -> str:
    """Where the case stands, in Chinese: the state's label; a duplicate names the case it joined
    (a public case number, no person)."""
    if merged_into:
        return f"与事件 {merged_into} 重复，已并入该事件办理"
    return f"事件{STATE_LABELS[CaseState(state)]}"


def service_fields(code: str, name: str, group: str) -> dict[str, Any]:
    """One service (a 小类 of the case types): the spec's fields, in its order."""
    return {"service_code": code, "service_name": name, "description": f"{group} / {name}", "metadata": False,
            "type": "realtime", "keywords": f"{group}, {name}", "group": group}


def service_definition(code: str) -> dict[str, Any]:
    """No service asks for more than the spec's own fields (``metadata`` false): no attributes."""
    return {"service_code": code, "attributes": []}


@dataclass(frozen=True)
class PublicCase:
    """What a repository hands over of one public case (nothing personal is read into it)."""

    case_no: str
    state: str
    type_code: str | None
    type_name: str | None
    description: str
    title: str
    agency: str
    requested: datetime
    updated: datetime
    expected: datetime | None
    address: str
    lat: float | None
    lon: float | None
    media_url: str | None
    merged_into: str | None = None


def request_fields(case: PublicCase) -> dict[str, Any]:
    """One service request: the spec's fields, in its order. ``description`` is the resident's words
    (:func:`public_text`), never the reporter's name or phone, nor any staff member's."""
    return {
        "service_request_id": case.case_no,
        "status": status_of(case.state),
        "status_notes": status_notes(case.state, merged_into=case.merged_into),
        "service_name": case.type_name,
        "service_code": case.type_code,
        "description": public_text(case.description or case.title),
        "agency_responsible": case.agency,
        "service_notice": None,
        "address_id": None,
        "requested_datetime": format_datetime(case.requested),
        "updated_datetime": format_datetime(case.updated),
        "expected_datetime": format_datetime(case.expected),
        "address": case.address or None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": case.media_url,
    }


# ---------------------------------------------------------------------------------------------
# mySociety's updates: FixMyStreet's statuses from our lifecycle

A = CaseAction
UPDATE_STATUS: Mapping[str, tuple[str, str]] = {
    "create": ("OPEN", "事件已登记"),
    str(A.ASSIGN): ("INVESTIGATING", "已指派网格员到现场核实"),
    str(A.VERIFY): ("INVESTIGATING", "网格员已到现场核实"),
    str(A.ESCALATE): ("INVESTIGATING", "已上报网格化服务管理机构"),
    str(A.ACCEPT): ("ACTION_SCHEDULED", "已受理，将安排处置"),
    str(A.PASS_UP): ("INTERNAL_REFERRAL", "已提交上级机构办理"),
    str(A.DISPATCH): ("ACTION_SCHEDULED", "已分派承办部门"),
    str(A.SIGN): ("IN_PROGRESS", "承办部门已签收，正在处置"),
    str(A.RETURN): ("INTERNAL_REFERRAL", "承办部门认为不属其职责，已退回重新分派"),
    str(A.RAISE_DISPUTE): ("INTERNAL_REFERRAL", "职责有争议，已提请裁定"),
    str(A.DECIDE): ("ACTION_SCHEDULED", "职责已裁定，已分派承办部门"),
    str(A.GRANT_EXTENSION): ("IN_PROGRESS", "处置期限已延长"),
    str(A.HANDLE): ("IN_PROGRESS", "承办部门已办结，待核查"),
    str(A.REWORK): ("IN_PROGRESS", "核查未通过，重新处置"),
    str(A.CHECK): ("FIXED", "已核查，问题已解决"),
    str(A.SOLVE): ("FIXED", "已协调解决"),
    str(A.SOLVE_ON_SITE): ("FIXED", "网格员已现场处置解决"),
    str(A.FEEDBACK): ("CLOSED", "已回访反馈，事件结案"),
    str(A.REOPEN): ("IN_PROGRESS", "已重新办理"),
    str(A.MERGE): ("DUPLICATE", "与已有事件重复，已并入该事件办理"),
    # A dispute's mediation (issue 18): the steps, never the parties or the agreement's words.
    str(A.MEDIATE): ("INTERNAL_REFERRAL", "已移交调解组织调解"),
    str(A.SETTLE): ("CLOSED", "经调解组织调解，当事人达成调解协议，事件结案"),
    str(A.MEDIATION_FAILED): ("ACTION_SCHEDULED", "调解未成，已退回网格化机构继续办理"),
}
"""The file's entries an Open311 client is told of: action → (FixMyStreet's status, the public
sentence). Every other entry (notes, attachments, supervision, extension requests, urgent alerts) is
the agencies' own business and is not published. ``reject`` depends on its reason: :func:`update_status`."""

NOT_OURS = ("不属于", "不属", "职责", "管辖")
"""Words in a refusal's reason that mean "not ours to handle" (NOT_COUNCILS_RESPONSIBILITY)."""


def update_status(action: str, note: str = "") -> tuple[str, str] | None:
    """(status, public sentence) of one entry of a case's file, or None if it is not published.
    A refusal (``reject``, 不予受理) whose reason says the matter is not the grid's is
    NOT_COUNCILS_RESPONSIBILITY, any other NO_FURTHER_ACTION. The reason's own words stay internal."""
    if action == str(A.REJECT):
        if any(word in (note or "") for word in NOT_OURS):
            return "NOT_COUNCILS_RESPONSIBILITY", "不属于网格化服务管理事项，不予受理"
        return "NO_FURTHER_ACTION", "经核实不予受理"
    return UPDATE_STATUS.get(action)


@dataclass(frozen=True)
class PublicEntry:
    case_no: str
    seq: int
    action: str
    note: str
    at: datetime
    to_state: str


def update_fields(entry: PublicEntry) -> dict[str, Any] | None:
    """One ``request_update`` of mySociety's extension, or None for an entry not published. Carries no
    actor, no note and no attachment: who acted and what they wrote stay in the file."""
    found = update_status(entry.action, entry.note)
    if found is None:
        return None
    status, sentence = found
    return {"update_id": f"{entry.case_no}-{entry.seq}", "service_request_id": entry.case_no, "status": status,
            "updated_datetime": format_datetime(entry.at), "description": sentence, "media_url": None,
            "external_status_code": entry.to_state}


# ---------------------------------------------------------------------------------------------
# XML

ROOTS = {"services": ("services", "service"), "requests": ("service_requests", "request"),
         "updates": ("service_request_updates", "request_update"), "errors": ("errors", "error")}
"""The spec's list elements: root and item."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: ET.Element, fields: Mapping[str, Any]) -> None:
    for key, value in fields.items():
        child = ET.SubElement(parent, key)
        if isinstance(value, list):
            for item in value:
                sub = ET.SubElement(child, key[:-1] if key.endswith("s") else "item")
                if isinstance(item, Mapping):
                    _fill(sub, item)
                else:
                    sub.text = _text(item)
        else:
            child.text = _text(value)


def to_xml_list(kind: str, items: Iterable[Mapping[str, Any]]) -> bytes:
    """``<services><service>…</service></services>`` and the like, with the XML declaration in UTF-8."""
    root_name, item_name = ROOTS[kind]
    root = ET.Element(root_name)
    for item in items:
        _fill(ET.SubElement(root, item_name), item)
    return _serialise(root)


def to_xml_element(name: str, fields: Mapping[str, Any]) -> bytes:
    """One element holding fields (``<service_definition>``, ``<discovery>``)."""
    root = ET.Element(name)
    _fill(root, fields)
    return _serialise(root)


DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
"""The spec's XML declaration, as its examples write it (a constant: no data in it)."""


def _serialise(root: ET.Element) -> bytes:
    return DECLARATION + ET.tostring(root, encoding="unicode").encode("utf-8")


def errors(code: int, description: str) -> list[dict[str, Any]]:
    return [{"code": code, "description": description}]


def discovery(base_url: str, *, changeset: datetime, contact: str) -> dict[str, Any]:
    """The service discovery document (http://wiki.open311.org/Service_Discovery): one production
    endpoint, GeoReport v2, in XML and JSON."""
    return {"changeset": format_datetime(changeset), "contact": contact, "key_service": contact,
            "endpoints": [{"specification": SPECIFICATION, "url": base_url, "changeset": format_datetime(changeset),
                           "type": "production", "formats": [MEDIA_TYPES["xml"], MEDIA_TYPES["json"]]}]}
