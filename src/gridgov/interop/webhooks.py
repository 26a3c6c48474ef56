"""Webhooks: a client's subscriptions to the events of the cases it may see (issue 17).

A client (an API client's principal) subscribes with a ``url``, the ``events`` it wants (actions of
the lifecycle, ``*`` for all) and a ``secret``; the secret is stored encrypted (FieldCipher) and
signs every body it is sent: ``X-Gridgov-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>``.
What is delivered and when is :mod:`.webhooks_job`; the rows are read through
:mod:`.webhooks_repository` (scoped: a client sees its own subscriptions, an agency those of its area).

Targets: ``http`` and ``https`` only, no credentials in the URL. Which addresses a target may have is
the deployment's ``GRIDGOV_WEBHOOK_TARGETS`` (:data:`TARGET_POLICIES`): ``private`` by default, because
department systems live on government intranets (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7);
loopback, link-local (169.254/16: cloud metadata), multicast and unspecified addresses are refused
unless ``any``. A literal address is checked when subscribing; a name is resolved and every address
checked before each delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.cases.vocabulary import STATE_LABELS, CaseAction, CaseState
from gridgov.errors import Forbidden, Invalid, NotFound
from gridgov.interop import webhooks_repository as repo
from gridgov.kit.clock import SHANGHAI
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.pagination import Page
from gridgov.models.webhooks import CaseEvent, Webhook

ALL = "*"
EVENT_NAMES = frozenset({"create", *(str(a) for a in CaseAction), "merged_in", "answer_supervision"})
"""The actions a subscription may name (those a case's file records), besides ``*``."""

TARGET_POLICIES = ("public", "private", "any")
MAX_PER_CLIENT = 20
SIGNATURE_HEADER = "X-Gridgov-Signature"
EVENT_ID_HEADER = "X-Gridgov-Event-Id"
NOT_FOUND = "Webhook 订阅 {} 不存在"
_PRIVATE = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                                    "100.64.0.0/10", "fc00::/7"))


class WebhookCreate(BaseModel):
    url: str = Field(min_length=8, max_length=500, description="接收推送的地址（http 或 https）")
    events: list[str] = Field(min_length=1, max_length=40,
                              description="订阅的动作（如 dispatch、sign、handle，也可写 case.dispatch），"
                                          "* 表示全部（case.*、case.state_changed 同）")
    secret: str = Field(min_length=16, max_length=200, description="签名密钥（至少 16 个字符），加密保存，不再返回")


class WebhookRead(BaseModel):
    id: int
    url: str
    events: list[str]
    created_at: datetime
    deleted_at: datetime | None = None


class AttemptRead(BaseModel):
    at: datetime
    status_code: int | None
    error: str
    duration_ms: int


class DeliveryRead(BaseModel):
    id: int
    event_id: str
    case_no: str
    action: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    done_at: datetime | None
    last_status: int | None
    last_error: str
    tries: list[AttemptRead]


# ---------------------------------------------------------------------------------------------
# Targets and signatures (pure)


def address_problem(address: str, policy: str) -> str | None:
    """Why a target may not have this IP address under ``policy`` (None: it may)."""
    ip = ipaddress.ip_address(address)
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if policy == "any":
        return None
    if ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return f"不允许推送到本机、链路本地、组播或保留地址（{ip}）"
    if any(ip in net for net in _PRIVATE) or ip.is_private:
        return None if policy == "private" else f"本部署不允许推送到内网地址（{ip}）"
    return None


def check_url(url: str, policy: str) -> str:
    """The URL if a subscription may use it, else Invalid with the reason (nothing is resolved here)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Invalid("推送地址不是有效的网址") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("推送地址须以 http:// 或 https:// 开头并含主机名")
    if parts.username or parts.password:
        raise Invalid("推送地址不得包含用户名或密码")
    if port == 0 or any(c.isspace() or ord(c) < 32 for c in url.strip()):
        raise Invalid("推送地址不是有效的网址")
    host = parts.hostname
    if host == "localhost" or host.endswith(".localhost"):
        host = "127.0.0.1"
    try:
        problem = address_problem(host, policy)
    except ValueError:
        problem = None  # a name: resolved and checked before each delivery
    if problem:
        raise Invalid(problem)
    return url.strip()


ALIASES = {"all": ALL, "case": ALL, "case.*": ALL, "state_changed": ALL, "case.state_changed": ALL,
           "case.updated": ALL, "updated": ALL, "case.created": "create", "created": "create"}
"""Names other systems commonly give (``case.created``, ``case.state_changed`` …): every state change is
what ``*`` already says; ``case.<action>`` is that action."""


def _event_name(name: str) -> str:
    name = name.strip()
    if name in ALIASES:
        return ALIASES[name]
    return name.removeprefix("case.") if name.startswith("case.") else name


def check_events(events: list[str]) -> list[str]:
    names = sorted({_event_name(e) for e in events})
    unknown = [e for e in names if e != ALL and e not in EVENT_NAMES]
    if unknown:
        raise Invalid("未知的事件动作：" + "、".join(unknown[:10]),
                      details=[{"field": "events", "message": f"未知的事件动作 {e}"} for e in unknown[:10]])
    return [ALL] if ALL in names else names


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of the body with the secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def body_of(event: CaseEvent, webhook_id: int) -> bytes:
    """The JSON a delivery posts (the same bytes on every try, so the signature is the same)."""
    state = event.to_state
    label = STATE_LABELS.get(CaseState(state)) if state in CaseState.__members__.values() else None
    payload = {
        "event_id": event.event_id, "event": event.action, "webhook_id": webhook_id, "case_no": event.case_no,
        "action": event.action, "seq": event.seq, "from_state": event.from_state, "state": state,
        "state_label": label, "at": event.at.astimezone(SHANGHAI).isoformat(timespec="seconds"),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def wants(events: list[str], action: str) -> bool:
    return ALL in events or action in events


# ---------------------------------------------------------------------------------------------
# Use cases


def _read(hook: Webhook) -> WebhookRead:
    return WebhookRead(id=hook.id, url=hook.url, events=list(hook.events), created_at=hook.created_at,
                       deleted_at=hook.deleted_at)


def subscribe(session: Session, principal: Principal, data: WebhookCreate, *, cipher: FieldCipher, now: datetime,
              policy: str) -> WebhookRead:
    """A client's new subscription (only a client subscribes: the deliveries follow its view)."""
    client = repo.client_of(session, principal)
    if client is None:
        raise Forbidden("只有接口客户端可以订阅 Webhook")
    url = check_url(data.url, policy)
    events = check_events(data.events)
    if data.secret != data.secret.strip() or any(ord(c) < 32 for c in data.secret):
        raise Invalid("签名密钥不得含空白或控制字符")
    if repo.count_active(session, principal) >= MAX_PER_CLIENT:
        raise Invalid(f"每个客户端最多 {MAX_PER_CLIENT} 个 Webhook 订阅")
    hook = repo.add_webhook(session, client_id=client.id, area_code=client.area_code, url=url, events=events,
                            secret_enc=cipher.encrypt(data.secret), now=now)
    return _read(hook)


def _visible(session: Session, principal: Principal, webhook_id: int) -> Webhook:
    hook = repo.get_webhook(session, principal, webhook_id)
    if hook is None or hook.deleted_at is not None:
        raise NotFound(NOT_FOUND.format(webhook_id))
    return hook


def list_webhooks(session: Session, principal: Principal) -> list[WebhookRead]:
    return [_read(h) for h in repo.list_webhooks(session, principal)]


def get_webhook(session: Session, principal: Principal, webhook_id: int) -> WebhookRead:
    return _read(_visible(session, principal, webhook_id))


def delete_webhook(session: Session, principal: Principal, webhook_id: int, *, now: datetime) -> None:
    """Ends the subscription: nothing more is fanned out or tried; its record stays."""
    hook = _visible(session, principal, webhook_id)
    hook.deleted_at = now
    repo.drop_pending(session, hook.id, now=now)


def deliveries(session: Session, principal: Principal, webhook_id: int, *, page: int = 1,
               page_size: int = 50) -> Page[DeliveryRead]:
    """The subscription's deliveries, newest first, each with its tries."""
    hook = _visible(session, principal, webhook_id)
    rows, total = repo.deliveries_of(session, principal, hook.id, offset=(page - 1) * page_size, limit=page_size)
    tries = repo.attempts_of(session, [d.id for d, _ in rows])
    items = [
        DeliveryRead(id=d.id, event_id=e.event_id, case_no=e.case_no, action=e.action, status=d.status,
                     attempts=d.attempts, created_at=d.created_at, next_attempt_at=d.next_attempt_at,
                     done_at=d.done_at, last_status=d.last_status, last_error=d.last_error,
                     tries=[AttemptRead(at=a.at, status_code=a.status_code, error=a.error,
                                        duration_ms=a.duration_ms) for a in tries.get(d.id, [])])
        for d, e in rows
    ]
    return Page(items=items, total=total, page=page, page_size=page_size)


@dataclass(frozen=True)
class FailedRow:
    case_no: str
    action: str
    client: str
    url_host: str
    attempts: int
    last_status: int | None
    last_error: str
    done_at: datetime | None


def failed_deliveries(session: Session, principal: Principal, *, page: int = 1, page_size: int = 50) -> Page:
    """The failed deliveries of the cases the principal (an agency) sees, newest first."""
    rows, total = repo.failed(session, principal, offset=(page - 1) * page_size, limit=page_size)
    items = [FailedRow(case_no=e.case_no, action=e.action, client=name or f"#{h.client_id}",
                       url_host=urlsplit(h.url).hostname or "", attempts=d.attempts, last_status=d.last_status,
                       last_error=d.last_error, done_at=d.done_at) for d, e, h, name in rows]
    return Page[FailedRow](items=items, total=total, page=page, page_size=page_size)
