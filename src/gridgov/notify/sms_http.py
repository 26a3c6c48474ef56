"""The ``http`` SMS channel: each message as a JSON POST to the deployment's SMS relay.

Chinese SMS providers each sign requests their own way and need a registered signature (签名) and
template; a deployment runs a small relay (or its government SMS platform's gateway) that takes
``{"to": "139…", "text": "【签名】…", "id": 17}`` and answers 2xx once it has taken the message.
``GRIDGOV_SMS_URL`` is its address, ``GRIDGOV_SMS_TOKEN`` (optional) goes as ``Authorization: Bearer``.
Any other answer, or none within ``TIMEOUT`` seconds, is a refusal: the message is tried again later
(:func:`gridgov.notify.outbound.deliver_pending`). Standard library only: no new dependency.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from gridgov.notify.channels import ChannelError

TIMEOUT = 5.0


@dataclass(frozen=True)
class HttpSms:
    url: str
    token: str = ""
    name: str = "http"
    kind: str = "sms"

    def send(self, *, to: str, text: str, message_id: int) -> None:
        body = json.dumps({"to": to, "text": text, "id": message_id}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310 (the deployment's URL)
                status = answer.status
        except urllib.error.HTTPError as exc:
            raise ChannelError(f"短信网关返回 {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ChannelError(f"短信网关无法连接：{type(exc).__name__}") from None
        if not 200 <= status < 300:
            raise ChannelError(f"短信网关返回 {status}")


def from_settings(settings) -> HttpSms:
    if not settings.sms_url:
        raise ValueError("GRIDGOV_SMS_CHANNEL=http 需要设置 GRIDGOV_SMS_URL（短信网关地址）")
    return HttpSms(settings.sms_url, settings.sms_token)
