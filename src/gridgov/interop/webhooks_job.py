"""Delivering webhooks: fan the committed case events out to the subscriptions that may see them,
then post each due delivery, signed, and record the try (issue 17).

Three short transactions, none held open while posting: (1) fan out: every event not yet fanned out
becomes one delivery per live subscription whose client may see its case *now* (the scope door with
the client's principal: a department client its department's cases, a hotline or Open311 client the
cases it created) and which asked for its action; events written before the subscription are not
delivered. (2) claim the due deliveries (a lease, so two processes never post the same delivery at
once). (3) post them outside any transaction, then record every try.

A 2xx answer delivers. Anything else (another status, a refused connection, a timeout, a target the
deployment does not allow) is tried again after 30 s, 1, 2, 4 … minutes (doubling, at most
:data:`MAX_BACKOFF`) until :data:`RETRY_WINDOW` has passed (24 hours from the delivery's making, when
it is first tried); the try at the end of the window that fails too marks the delivery ``failed``:
the agency's page lists it and the case's page flags it (:func:`gridgov.notify.events.failed_deliveries`).

Run by the ``webhooks`` job (:mod:`gridgov.jobs`, every sweep interval and ``gridgov jobs``) and by a
worker ``gridgov serve`` starts beside it, every ``GRIDGOV_WEBHOOK_INTERVAL_SECONDS``
(:func:`gridgov.jobs.run_webhooks_forever`), both under the ``webhooks`` job's lease, so that one
process at a time fans out and claims.
"""

from __future__ import annotations

import dataclasses
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy.orm import Session, sessionmaker

from gridgov import __version__
from gridgov.accounts.service import principal_for
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, get_visible
from gridgov.db import unit_of_work
from gridgov.interop import webhooks_repository as repo
from gridgov.interop.webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, address_problem, body_of, sign
from gridgov.models import User

log = logging.getLogger("gridgov.webhooks")

RETRY_WINDOW = timedelta(hours=24)
"""How long a delivery is tried (issue 17: "retried with exponential backoff for 24 hours")."""
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
TIMEOUT_SECONDS = 5.0
"""Per try: connecting, sending and reading the answer each."""
LEASE = timedelta(minutes=2)
"""A claimed delivery is not claimed again for this long (longer than a batch of tries takes)."""
FAN_OUT_BATCH = 500
SEND_BATCH = 50


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 30 s, 1 min, 2 min … at most one hour."""
    return min(FIRST_BACKOFF * (2 ** max(0, attempts - 1)), MAX_BACKOFF)


# ---------------------------------------------------------------------------------------------
# Fan-out


def client_principal(session: Session, client, profile) -> Principal | None:
    """The client's principal as the door builds it for its key (None: its account cannot act)."""
    user = get_visible(session, SYSTEM, User, client.user_id)
    if user is None:
        return None
    principal = principal_for(session, user.id, user.session_version, via_cookie=False, profile=profile)
    if principal is None:
        return None
    return dataclasses.replace(principal, client_id=client.id, client_kind=client.kind)


def fan_out(session: Session, now: datetime, profile) -> int:
    """Turns the events not yet fanned out into deliveries; returns how many deliveries were made.
    What a client revoked since was still to receive is dropped first."""
    repo.drop_revoked(session, now=now)
    events = repo.unfanned_events(session, limit=FAN_OUT_BATCH)
    if not events:
        return 0
    ids = [e.id for e in events]
    made = 0
    for hook, client in repo.live_subscriptions(session):
        principal = client_principal(session, client, profile)
        if principal is None:
            continue
        actions = None if "*" in hook.events else list(hook.events)
        visible = repo.visible_events(session, principal, ids, since=hook.created_at, actions=actions)
        made += repo.add_deliveries(session, hook.id, visible, now=now)
    repo.mark_fanned(session, ids, now=now)
    return made


# ---------------------------------------------------------------------------------------------
# Posting


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Answer:
    delivery_id: int
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def claim(session: Session, now: datetime, cipher, *, limit: int = SEND_BATCH) -> list[Outgoing]:
    """The due deliveries, claimed, ready to post (body and signature made here, in the transaction)."""
    ids = repo.claim_due(session, now=now, until=now + LEASE, limit=limit)
    out = []
    for delivery, event, hook in repo.delivery_rows(session, ids):
        body = body_of(event, hook.id)
        headers = {
            "Content-Type": "application/json; charset=utf-8", "User-Agent": f"gridgov-webhooks/{__version__}",
            SIGNATURE_HEADER: sign(cipher.decrypt(hook.secret_enc), body), EVENT_ID_HEADER: event.event_id,
            "X-Gridgov-Event": event.action, "X-Gridgov-Delivery": str(delivery.id),
            "X-Gridgov-Attempt": str(delivery.attempts + 1),
        }
        out.append(Outgoing(delivery.id, hook.url, body, headers))
    return out


def target_problem(url: str, policy: str) -> str | None:
    """Why ``url``'s host may not be posted to now (it resolves to a refused address), or None."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return "无法解析推送地址的主机名"
    for info in infos:
        problem = address_problem(str(info[4][0]).split("%")[0], policy)
        if problem:
            return problem
    return None


def post(item: Outgoing, *, policy: str, client: httpx.Client) -> Answer:
    """One try: the target's addresses checked, then the POST (no redirects followed)."""
    started = time.perf_counter()
    problem = target_problem(item.url, policy)
    if problem:
        return Answer(item.delivery_id, None, problem, 0)
    try:
        response = client.post(item.url, content=item.body, headers=item.headers)
        status = response.status_code
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except httpx.TimeoutException:
        status, error = None, "超时"
    except httpx.HTTPError as exc:
        status, error = None, f"连接失败：{type(exc).__name__}"
    return Answer(item.delivery_id, status, error, int((time.perf_counter() - started) * 1000))


def record(session: Session, answers: list[Answer], now: datetime) -> tuple[int, int]:
    """Writes each try and moves its delivery on; returns (delivered, failed for good)."""
    delivered = failed = 0
    for answer in answers:
        delivery = repo.get_delivery(session, answer.delivery_id)
        if delivery is None or delivery.status != repo.PENDING:
            continue
        repo.add_attempt(session, delivery.id, at=now, status_code=answer.status_code, error=answer.error,
                         duration_ms=answer.duration_ms)
        delivery.attempts += 1
        delivery.last_attempt_at, delivery.last_status, delivery.last_error = now, answer.status_code, answer.error
        if answer.ok:
            delivery.status, delivery.next_attempt_at, delivery.done_at = repo.DELIVERED, None, now
            delivered += 1
            continue
        deadline = delivery.created_at + RETRY_WINDOW  # made when fanned out, tried at once
        if now >= deadline:
            delivery.status, delivery.next_attempt_at, delivery.done_at = repo.FAILED, None, now
            failed += 1
        else:
            delivery.next_attempt_at = min(now + backoff(delivery.attempts), deadline)
    return delivered, failed


def run(make_session: sessionmaker, now: datetime, profile, cipher, *, policy: str,
        send: Callable[[Outgoing], Answer] | None = None) -> str | None:
    """Fans out, claims, posts and records once; says what it did (None: nothing)."""
    with unit_of_work(make_session, writes=True) as session:
        made = fan_out(session, now, profile)
    with unit_of_work(make_session, writes=True) as session:
        outgoing = claim(session, now, cipher)
    if not outgoing:
        return f"Webhook 新增推送 {made} 条" if made else None
    if send is None:
        with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False) as client:
            answers = [post(item, policy=policy, client=client) for item in outgoing]
    else:
        answers = [send(item) for item in outgoing]
    with unit_of_work(make_session, writes=True) as session:
        delivered, failed = record(session, answers, now)
    said = [f"新增推送 {made} 条"] if made else []
    said.append(f"推送 {len(answers)} 次，成功 {delivered} 条")
    if failed:
        said.append(f"24 小时重试后失败 {failed} 条")
    return "Webhook " + "，".join(said)
