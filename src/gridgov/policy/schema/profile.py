"""The profile: one jurisdiction's rules, its sections tied together and its provenance checked."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from gridgov.models.territory import GridKind
from gridgov.policy.schema.appraisal import Appraisal
from gridgov.policy.schema.base import _Checked, _unique, rule_problems
from gridgov.policy.schema.board import Board
from gridgov.policy.schema.cases import Cases, DepartmentKind
from gridgov.policy.schema.catalogue import Catalogue
from gridgov.policy.schema.governance_index import GovernanceIndex
from gridgov.policy.schema.identity import City, Regulation
from gridgov.policy.schema.messages import Messages
from gridgov.policy.schema.provenance import (
    IDENTITY_FIELDS,
    Requirement,
    Setting,
    Source,
    _leaves,
    _resolve,
    format_value,
)
from gridgov.policy.schema.recognition import Recognition
from gridgov.policy.schema.registry import Registry
from gridgov.policy.schema.staff import Staff
from gridgov.policy.schema.territory import Territory
from gridgov.policy.schema.vocabulary import VALUE_LABELS
from gridgov.policy.schema.warnings import Warnings


class PolicyProfile(_Checked):
    """One jurisdiction's rules. Loaded from ``policy/profiles/<name>.toml`` and checked at start-up."""

    name: str = Field(title="配置名", pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(title="名称", min_length=1)
    platform_name: str = Field(title="平台名称", min_length=1)
    regulation: Regulation = Field(title="依据")
    city: City = Field(title="演示城市")
    territory: Territory = Field(title="网格划分")
    staff: Staff = Field(title="网格员")
    cases: Cases = Field(title="事项办理")
    catalogue: Catalogue = Field(title="事项清单")
    board: Board = Field(title="网格公示")
    registry: Registry = Field(title="基础信息")
    departments: list[DepartmentKind] = _unique("联动部门", min_length=1)
    registry: Registry = Field(title="基础信息")
    sources: dict[str, str] = Field(title="出处")
    notes: dict[str, str] = Field(default_factory=dict, title="说明")
    appraisal: Appraisal = Field(title="考核评价")
    governance_index: GovernanceIndex = Field(title="治理指数")
    warnings: Warnings = Field(title="预警")
    messages: Messages = Field(title="短信告知")
    recognition: Recognition = Field(title="志愿者和信息员积分")

    @field_validator("sources")
    @classmethod
    def _source_syntax(cls, value: dict[str, str]) -> dict[str, str]:
        bad = []
        for path, raw in value.items():
            try:
                Source.parse(raw)
            except ValueError:
                bad.append((path, f"出处格式应为 “ZJ§13”、“default”、“default: ZJ§13” 或 “demo”，而不是 {raw!r}"))
        if bad:
            raise rule_problems(bad)
        return value

    def problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        kinds = set(self.territory.grid_kinds)
        for i, kind in enumerate(self.staff.fulltime_required_in):
            if kind not in kinds:
                found.append((f"staff.fulltime_required_in[{i}]", f"网格类别 {kind} 未在 territory.grid_kinds 中启用"))
        for i, kind in enumerate(self.staff.fulltime_where_possible_in):
            if kind not in kinds:
                found.append(
                    (f"staff.fulltime_where_possible_in[{i}]", f"网格类别 {kind} 未在 territory.grid_kinds 中启用")
                )
        dedicated = GridKind.DEDICATED in kinds
        for field_name in ("dedicated_leader_is_unit_head", "dedicated_staffed_by_host_unit"):
            if getattr(self.staff, field_name) and not dedicated:
                found.append((f"staff.{field_name}", "未启用专属网格（territory.grid_kinds 不含 dedicated）"))
        for i, dept in enumerate(self.departments):
            for level in dept.levels:
                if level not in self.territory.agency_levels:
                    found.append((f"departments[{i}].levels", f"层级 {level} 未在 territory.agency_levels 中设置机构"))
        known = {d.code for d in self.departments}
        for i, kind in enumerate(self.registry.department_access):
            if kind not in known:
                found.append((f"registry.department_access[{i}]", f"联动部门 {kind} 未在 departments 中列出"))
        if "liaison" in self.staff.roles and self.territory.micro_grids == "none":
            found.append(("staff.roles", "设置了微网格联络员，但 territory.micro_grids = \"none\""))

        dumped = self.model_dump(mode="json", exclude={"sources", "notes"})
        for path, raw in self.sources.items():
            if not _resolve(dumped, path):
                found.append((f"sources.{path}", "没有这个设置项"))
                continue
            src = Source.parse(raw)
            if src.kind == "text":
                foreign = [r for r in src.refs if not r.startswith(self.regulation.key + "§")]
                if foreign:
                    found.append(
                        (f"sources.{path}", f"条例出处只能引用本条例（{self.regulation.key}），"
                         f"引用他处请写 “default: {foreign[0]}”")
                    )
        for path in self.notes:
            if path != "regulation" and not _resolve(dumped, path):
                found.append((f"notes.{path}", "没有这个设置项"))
        for path, _ in self.rule_leaves():
            if self._source_key(path) is None:
                found.append((path, "没有注明出处：请在 [sources] 中写明条文（如 “ZJ§13”）或 “default”"))
        return found

    # -- reading ------------------------------------------------------------------------------

    def rule_leaves(self) -> list[tuple[str, Any]]:
        """Every rule setting (not identity or demo data) as ``(dotted path, value)``."""
        out: list[tuple[str, Any]] = []
        for name in type(self).model_fields:
            if name not in IDENTITY_FIELDS:
                out.extend(_leaves(getattr(self, name), name))
        return out

    def _source_key(self, path: str) -> str | None:
        parts = path.split(".")
        for n in range(len(parts), 0, -1):
            key = ".".join(parts[:n])
            if key in self.sources:
                return key
        return None

    def source_of(self, path: str) -> Source:
        """Where the setting at ``path`` comes from; identity and city data count as demo data."""
        key = self._source_key(path)
        if key is None:
            return Source("demo") if path.split(".")[0] in IDENTITY_FIELDS else Source("default")
        return Source.parse(self.sources[key])

    def requirement(self, path: str) -> Requirement:
        """How a finding computed from this setting may be worded (legal requirement or local)."""
        return Requirement(self.source_of(path))

    def note_of(self, path: str) -> str:
        parts = path.split(".")
        for n in range(len(parts), 0, -1):
            note = self.notes.get(".".join(parts[:n]))
            if note:
                return note
        return ""

    def label_of(self, path: str) -> str:
        """The Chinese label of a setting: the titles along its path, e.g. 办理时限 · 部门办理时限（工作日）."""
        titles: list[str] = []
        model: Any = type(self)
        for part in path.split("."):
            if isinstance(model, type) and issubclass(model, BaseModel) and part in model.model_fields:
                info = model.model_fields[part]
                titles.append(info.title or part)
                model = _model_of(info.annotation)
            else:
                titles.append(VALUE_LABELS.get(part, part))
                model = _dict_value_model(model)
        return " · ".join(titles[1:] if len(titles) > 1 else titles)

    def describe(self) -> list[Setting]:
        """Every rule setting with its label, readable value, source (text or local) and note."""
        return [
            Setting(path, self.label_of(path), value, format_value(value), self.source_of(path), self.note_of(path))
            for path, value in self.rule_leaves()
        ]

    def unsourced(self) -> list[Setting]:
        """The local settings that rest on an article whose text was lost (``regulation.missing_text``):
        values the text would have given but the stored text cannot source."""
        lost = set(self.regulation.missing_text)
        return [s for s in self.describe() if s.source.is_local and lost & set(s.source.refs)]

    def flatten(self, *, include_provenance: bool = False) -> dict[str, Any]:
        """All settings as ``dotted path -> value``; list items with a code are keyed by it.

        Used by ``gridgov profile diff``: ``city.counties[321102].name``, ``cases.categories[dispute].name``.
        """
        exclude = set() if include_provenance else {"sources", "notes"}
        return _flatten(self.model_dump(mode="json", exclude=exclude), "")


def _flatten(value: Any, prefix: str) -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) and "code" in v for v in value):
        out = {}
        for v in value:
            out.update(_flatten({k: x for k, x in v.items() if k != "code"}, f"{prefix}[{v['code']}]"))
        return out
    return {prefix: value}


def _model_of(annotation: Any) -> Any:
    """The BaseModel class an annotation points at (through ``X | None`` and ``dict[K, X]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _dict_value_model(model: Any) -> Any:
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None
