"""``/api/v1/webhooks``: a client's subscriptions to the events of its cases, and their deliveries
(thin: see :mod:`.webhooks`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from gridgov.authz.principals import WebhookClient
from gridgov.deps import SessionDep
from gridgov.interop import webhooks
from gridgov.interop.webhooks import DeliveryRead, WebhookCreate, WebhookRead
from gridgov.kit.clock import utc_now
from gridgov.kit.pagination import Page
from gridgov.kit.params import IdPath, PageQuery

router = APIRouter(tags=["webhooks"])

SizeQuery = Annotated[int, Query(ge=1, le=200, description="每页条数")]
_SIGNED = ("每次推送为 JSON POST，带 X-Gridgov-Signature: sha256=<以密钥对请求体原始字节计算的 HMAC-SHA256 十六进制>"
           " 和 X-Gridgov-Event-Id；非 2xx 应答按指数退避重试 24 小时，之后标记为失败。")


@router.post("/webhooks", status_code=201, response_model=WebhookRead, summary="订阅事件推送（Webhook）",
             description="接口客户端订阅其可见事件的变化。" + _SIGNED)
def create_webhook(request: Request, session: SessionDep, me: WebhookClient, data: WebhookCreate) -> WebhookRead:
    state = request.app.state
    return webhooks.subscribe(session, me, data, cipher=state.cipher, now=utc_now(),
                              policy=state.settings.webhook_targets)


@router.get("/webhooks", response_model=list[WebhookRead], summary="本客户端的 Webhook 订阅")
def list_webhooks(session: SessionDep, me: WebhookClient) -> list[WebhookRead]:
    return webhooks.list_webhooks(session, me)


@router.get("/webhooks/{webhook_id}", response_model=WebhookRead, summary="一个 Webhook 订阅")
def get_webhook(session: SessionDep, me: WebhookClient, webhook_id: IdPath) -> WebhookRead:
    return webhooks.get_webhook(session, me, webhook_id)


@router.delete("/webhooks/{webhook_id}", status_code=204, response_class=Response, summary="取消 Webhook 订阅")
def delete_webhook(session: SessionDep, me: WebhookClient, webhook_id: IdPath) -> Response:
    webhooks.delete_webhook(session, me, webhook_id, now=utc_now())
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=Page[DeliveryRead],
            summary="Webhook 的推送记录（每次尝试的应答）")
def list_deliveries(session: SessionDep, me: WebhookClient, webhook_id: IdPath, page: PageQuery = 1,
                    page_size: SizeQuery = 50) -> Page[DeliveryRead]:
    return webhooks.deliveries(session, me, webhook_id, page=page, page_size=page_size)
