"""Provenance: where each setting comes from (the text, a local default, demo data), and how a
setting reads in the UI."""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from gridgov.policy.schema.base import _jsonable
from gridgov.policy.schema.vocabulary import VALUE_LABELS

_REF = r"[A-Z]{2}§\d+(?:[–-]\d+)?(?:\(\d+\))?"
_REFS = rf"{_REF}(?:\s*[、,，]\s*{_REF})*"
_SOURCE_RE = re.compile(rf"^(?:(?P<text>{_REFS})|(?P<kind>default|demo)(?:\s*:\s*(?P<refs>{_REFS}))?)$")

SourceKind = Literal["text", "default", "demo"]
LOCAL_NOTE = "条例未规定，由本市确定"
"""What a local default says to its reader: the text is silent (or leaves the value open) and the
city chooses."""


@dataclass(frozen=True)
class Source:
    """Where a setting comes from: the text (with articles), a local default, or demo data."""

    kind: SourceKind
    refs: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: str) -> Source:
        m = _SOURCE_RE.match(raw.strip())
        if not m:
            raise ValueError(raw)
        refs_text = m.group("text") or m.group("refs") or ""
        refs = tuple(r.strip() for r in re.split(r"[、,，]", refs_text) if r.strip())
        kind: SourceKind = "text" if m.group("text") else m.group("kind")  # type: ignore[assignment]
        return cls(kind, refs)

    @property
    def is_local(self) -> bool:
        """True for a local setting: the UI shows it as 本地设置, changeable by the deployment."""
        return self.kind == "default"

    @property
    def label(self) -> str:
        refs = "、".join(self.refs)
        if self.kind == "text":
            return f"条例规定（{refs}）"
        if self.kind == "demo":
            return "演示数据"
        return f"本地设置（{LOCAL_NOTE}；参照 {refs}）" if refs else f"本地设置（{LOCAL_NOTE}）"


@dataclass(frozen=True)
class Requirement:
    """How a finding computed from one setting may be worded: the one place that decides whether it
    reads as the law ("应当配备", with its article) or as the city's own choice ("本地要求").

    Only a setting whose source is the profile's own text is a legal requirement; a local default
    (even one that refers to an article, e.g. ``default: JM§10``) never is."""

    source: Source

    @property
    def legal(self) -> bool:
        return self.source.kind == "text"

    @property
    def severity(self) -> str:
        return "required" if self.legal else "local"

    def wording(self, duty: str = "应当配备") -> str:
        return duty if self.legal else "本地要求"

    @property
    def basis(self) -> str:
        """The articles it rests on (``JS§13``), or 本地设置 for a local default."""
        return "、".join(self.source.refs) if self.legal else "本地设置"

    def cite(self) -> str:
        """``（JS§13）`` after a legal requirement; a local default cites no article."""
        return f"（{self.basis}）" if self.legal else f"（本地设置，{LOCAL_NOTE}）"


@dataclass(frozen=True)
class Setting:
    """One rule setting as the UI shows it: where it lives, what it means, its value and source."""

    path: str
    label: str
    value: Any
    display: str
    source: Source
    note: str = ""


IDENTITY_FIELDS = ("name", "label", "regulation", "city", "sources", "notes")
SECTION_TITLES = {
    "platform_name": "平台",
    "territory": "网格划分",
    "staff": "网格员",
    "cases": "事项办理",
    "catalogue": "事项清单",
    "board": "网格公示",
    "registry": "基础信息",
    "appraisal": "考核评价",
    "governance_index": "治理指数",
    "warnings": "预警",
    "messages": "短信告知",
}


def _leaves(value: Any, prefix: str) -> list[tuple[str, Any]]:
    """Dotted paths to every setting below ``value``: models and dicts are walked; lists and
    models marked ``atomic`` (read as one setting, e.g. a household norm) are single leaves."""
    if isinstance(value, BaseModel) and not (value.model_config.get("json_schema_extra") or {}).get("atomic"):
        out: list[tuple[str, Any]] = []
        for name in type(value).model_fields:
            out.extend(_leaves(getattr(value, name), f"{prefix}.{name}" if prefix else name))
        return out
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            key = k.value if isinstance(k, enum.Enum) else str(k)
            out.extend(_leaves(v, f"{prefix}.{key}" if prefix else key))
        return out
    return [(prefix, _jsonable(value))]


def _resolve(data: dict, path: str) -> bool:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def format_value(value: Any) -> str:
    """A setting's value in words a reader of the regulation understands."""
    if value is None:
        return "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return VALUE_LABELS.get(value, value)
    if isinstance(value, list):
        if not value:
            return "（无）"
        if all(isinstance(v, dict) and "code" in v and "name" in v for v in value):
            return "、".join(f"{v['name']}（{v['code']}）" for v in value)
        items = [format_value(v) for v in value]
        return ("；" if any("、" in i for i in items) else "、").join(items)
    if isinstance(value, dict) and "min" in value and "max" in value:
        text = f"{value['min']}–{value['max']} 户"
        if value.get("nominal"):
            text += f"（条文：一般为 {value['nominal']} 户）"
        return text
    if isinstance(value, dict) and set(value) == {"weights"} and isinstance(value["weights"], dict):
        from gridgov.policy.schema.appraisal import COMPONENTS

        return "、".join(f"{COMPONENTS.get(k, k)} {v} 分" for k, v in value["weights"].items())
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
