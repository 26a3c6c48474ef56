"""The staff section: who serves the grids and the staffing rules (B1–B4, B6)."""

from __future__ import annotations

from pydantic import Field

from gridgov.models.territory import GridKind
from gridgov.policy.schema.base import _Checked, _Model, _unique
from gridgov.policy.schema.vocabulary import Exclusion, LeaderBasis, Refusable, RoleName


class Eligibility(_Model):
    """Who may be hired as a full-time grid worker (B3). ``None``/empty means the text sets nothing.

    Only what the system can check is here: the age, citizenship and the exclusions on record. The
    texts' other conditions (拥护党的领导、品行端正…, JS§14, QZ§12) and hiring preferences (QZ§12
    同等条件下优先录用) are judgements of the hiring body that no record here can show, so they are
    not settings (a setting no code reads leaves the schema)."""

    min_age: int | None = Field(None, title="最低年龄", ge=16, le=70)
    citizen_required: bool = Field(False, title="须为中华人民共和国公民")
    exclusions: list[Exclusion] = _unique("不得担任的情形", default_factory=list)


class Staff(_Checked):
    """Who serves the grids and the staffing rules (B1–B4, B6)."""

    roles: list[RoleName] = _unique("设置的岗位", min_length=1)
    leader_per_comprehensive_grid: bool = Field(title="每个综合网格设一名网格长")
    fulltime_required_in: list[GridKind] = _unique("应当配备专职网格员的网格", default_factory=list)
    fulltime_where_possible_in: list[GridKind] = _unique("有条件的配备专职网格员的网格", default_factory=list)
    max_professionals_per_grid: int | None = Field(None, title="每个网格专业网格员上限", ge=1)
    liaisons_per_micro_grid: int | None = Field(None, title="每个微网格联络员人数", ge=1)
    dedicated_leader_is_unit_head: bool = Field(False, title="专属网格网格长由单位负责人担任")
    dedicated_staffed_by_host_unit: bool = Field(False, title="专属网格网格员由所在单位配备")
    training_before_posting: bool = Field(title="岗前培训合格后上岗")
    fulltime_eligibility: Eligibility = Field(title="专职网格员任职条件")
    may_refuse: list[Refusable] = _unique("网格员可以拒绝的事项", default_factory=list)
    volunteers_per_micro_grid: int | None = Field(None, title="每个微网格志愿者人数（至少）", ge=1)
    leader_eligible_from: list[LeaderBasis] = _unique("网格长由哪些人员担任", default_factory=list)

    def problems(self) -> list[tuple[str, str]]:
        found = []
        roles = set(self.roles)
        if self.leader_per_comprehensive_grid and "leader" not in roles:
            found.append(("leader_per_comprehensive_grid", "roles 中没有 leader（网格长）"))
        if (self.fulltime_required_in or self.fulltime_where_possible_in) and "fulltime" not in roles:
            found.append(("fulltime_required_in", "roles 中没有 fulltime（专职网格员）"))
        both = set(self.fulltime_required_in) & set(self.fulltime_where_possible_in)
        if both:
            found.append(("fulltime_where_possible_in", f"{', '.join(sorted(both))} 已在 fulltime_required_in 中"))
        if self.max_professionals_per_grid is not None and "professional" not in roles:
            found.append(("max_professionals_per_grid", "roles 中没有 professional（专业网格员）"))
        if self.liaisons_per_micro_grid is not None and "liaison" not in roles:
            found.append(("liaisons_per_micro_grid", "roles 中没有 liaison（微网格联络员）"))
        if self.dedicated_leader_is_unit_head and "leader" not in roles:
            found.append(("dedicated_leader_is_unit_head", "roles 中没有 leader（网格长）"))
        if (self.volunteers_per_micro_grid is not None) != ("volunteer" in roles):
            found.append(("volunteers_per_micro_grid", "设置了微网格志愿者人数，roles 中须有 volunteer（反之亦然）"))
        if self.leader_eligible_from and "leader" not in roles:
            found.append(("leader_eligible_from", "roles 中没有 leader（网格长）"))
        return found

    def uses(self, role: str) -> bool:
        return role in self.roles
