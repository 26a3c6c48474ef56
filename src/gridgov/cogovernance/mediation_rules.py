"""Pure rules of the mediation register (ZJ§17, issue 18): what a body may be, what a reveal's reason
may say. No I/O."""

from __future__ import annotations

import re

from gridgov.errors import Invalid
from gridgov.models.mediation import BODY_KIND_LABELS, BodyKind

BODY_LEVELS = ("town", "village")
"""A body serves a town (街道、乡镇) or a village/community (村、社区): every grid under it."""

_LOOKS_PERSONAL = re.compile(r"\d{7,}|[0-9Xx]{15,}")
_PHONE = re.compile(r"^[0-9][0-9-]{2,39}$")


def check_kind(kind: str) -> str:
    kind = (kind or "").strip()
    if kind not in set(BodyKind):
        choices = "、".join(f"{label}（{code}）" for code, label in BODY_KIND_LABELS.items())
        raise Invalid(f"调解组织类别应为：{choices}", details=[{"field": "kind", "error": "取值无效"}])
    return kind


def check_phone(phone: str) -> str:
    phone = (phone or "").strip()
    if phone and not _PHONE.match(phone):
        raise Invalid("联系电话只能是数字和“-”", details=[{"field": "phone", "error": "格式不对"}])
    return phone


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid("请填写调解组织名称", details=[{"field": "name", "error": "缺少必填项"}])
    return name


def check_reason(reason: str) -> str:
    """A reveal's reason: some words, never an ID number or a phone (it goes to the audit log)."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid("请写明查看当事人完整信息的理由", details=[{"field": "reason", "error": "缺少必填项"}])
    if _LOOKS_PERSONAL.search(reason.replace(" ", "").replace("-", "")):
        raise Invalid("理由中不要填写证件号码或电话号码", details=[{"field": "reason", "error": "取值无效"}])
    return reason
