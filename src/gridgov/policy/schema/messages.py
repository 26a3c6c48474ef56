"""The messages section: what residents are told by SMS (issue 17) and in which words.

QZ§17 says the result goes back to whoever raised the matter (办理结果应当在规定时限内反馈给提出需求的
单位和个人); the other texts ask for 跟踪反馈 by the agencies (ZJ§5, JS§5, JM§4) or the department's
answer to the agency (LZ§16), so outside QZ telling the resident is a local default that refers to
them. The words of the messages are local everywhere: no text sets them. Read by
:mod:`gridgov.notify.outbound` (rendering) and :mod:`gridgov.cases.actions` (which events).
"""

from __future__ import annotations

import string
from typing import Literal

from pydantic import Field

from gridgov.policy.schema.base import _Checked, _Model, _unique

ResidentEvent = Literal["accepted", "refused", "closed"]

TEMPLATE_PARAMS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # template: (placeholders it must carry, placeholders it may carry)
    "accepted": (frozenset({"case_no"}), frozenset({"case_no"})),
    "refused": (frozenset({"case_no", "reason"}), frozenset({"case_no", "reason"})),
    "closed": (frozenset({"case_no", "evaluation_link"}), frozenset({"case_no", "evaluation_link"})),
    "sms_code": (frozenset({"code", "minutes"}), frozenset({"code", "minutes"})),
    "report_received": (frozenset({"case_no", "tracking_code"}), frozenset({"case_no", "tracking_code"})),
}
"""The placeholders of each template: a profile whose template misses a required one (a refusal
without its reason) or names an unknown one is refused at start-up."""


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a template (``{{`` and ``}}`` are literal braces)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


class Templates(_Model):
    """The Chinese text of each message, ``{name}`` fields filled at sending."""

    accepted: str = Field(title="受理通知", min_length=1, max_length=300)
    refused: str = Field(title="不予受理通知（含理由）", min_length=1, max_length=300)
    closed: str = Field(title="办结通知（含评价链接）", min_length=1, max_length=300)
    sms_code: str = Field(title="短信验证码", min_length=1, max_length=300)
    report_received: str = Field(title="反映已登记（含事件编号和查询码）", min_length=1, max_length=300)


class Messages(_Checked):
    """Messages to residents (短信)."""

    signature: str = Field(title="短信签名", min_length=2, max_length=12, pattern=r"^[^【】\s]+$")
    """The sender's name in 【】 at the head of every SMS (Chinese carriers require one)."""
    tell_resident: list[ResidentEvent] = _unique("告知反映人的环节")
    """Which steps of a case its resident reporter (a phone, no account) is told of by SMS."""
    templates: Templates = Field(title="短信内容")

    def problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for name, (required, allowed) in TEMPLATE_PARAMS.items():
            text = getattr(self.templates, name)
            try:
                names = placeholders(text)
            except ValueError:
                found.append((f"templates.{name}", "花括号不成对：字面的花括号请写成 {{ 或 }}"))
                continue
            for missing in sorted(required - names):
                found.append((f"templates.{name}", f"缺少 {{{missing}}}"))
            for unknown in sorted(names - allowed):
                found.append((f"templates.{name}", f"未知的字段 {{{unknown}}}，可用：{'、'.join(sorted(allowed))}"))
        return found
