"""The shape of a policy profile: one jurisdiction's rules as data, checked before the app starts.

A policy profile (政策配置) encodes what one regulation (ZJ, LZ, JS, QZ or JM) asks of the platform:
which grid kinds exist, who serves a grid, how long each step of a case may take, how the list of
grid work is kept. Code reads these settings and never branches on a city's name.

Each model forbids unknown keys (a misspelt key is an error, not a silent default). Rules that tie
several fields together are checked by validators that collect *all* problems of a section and
report each under the path of the field at fault (see :func:`rule_problems`), so the loader can
print ``territory.household_norms.urban.min: 必须小于等于 max（500）``.

Provenance: ``sources`` maps a setting's dotted path (or a prefix of it: the longest prefix wins) to
where its value comes from:

- ``"ZJ§13"`` (several: ``"QZ§5、QZ§13"``): written in the regulation, article cited;
- ``"default"`` or ``"default: ZJ§13"``: a local setting (本地设置). The text leaves the value open
  (e.g. "在规定时间内") and the platform supplies a documented default that the deployment may
  change; the optional reference names the article whose rule the number measures;
- ``"demo"``: demo data (the demo city), not a rule.

Every rule setting must be covered by some entry, and every entry must name an existing setting.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from gridgov.models.territory import (
    DEDICATED_TYPE_LABELS,
    GRID_KIND_LABELS,
    DedicatedType,
    GridKind,
)

# ---------------------------------------------------------------------------------------------
# Vocabularies. Codes are the glossary's identifiers; labels are what users read.

RoleName = Literal[
    "instructor", "chief_leader", "leader", "fulltime", "parttime", "professional", "liaison", "volunteer"
]
ROLE_LABELS: dict[str, str] = {
    "instructor": "网格指导员",
    "chief_leader": "总网格长",
    "leader": "网格长",
    "fulltime": "专职网格员",
    "parttime": "兼职网格员",
    "professional": "专业网格员",
    "liaison": "微网格联络员",
    "volunteer": "微网格志愿者",
}

AgencyLevel = Literal["city", "county", "town", "village"]
AGENCY_LEVEL_LABELS = {"city": "市", "county": "县（市、区）", "town": "镇（街道）", "village": "村（社区）"}

MicroGridPolicy = Literal["none", "allowed", "encouraged", "required"]
Condition = Literal["supports_party_leadership", "law_abiding", "good_conduct", "education_fit", "fit_for_duty"]
Exclusion = Literal[
    "criminal_record",
    "pending_criminal_case",
    "detained",
    "dismissed_from_public_office",
    "dishonest_joint_punishment",
    "dishonest_judgement_debtor",
    "other_by_law",
]
Preference = Literal["lives_in_grid", "social_worker_certificate", "grassroots_experience"]
Refusable = Literal["off_list", "administrative_powers", "unlawful"]
ReportLevel = Literal["town", "village"]
DisputeSettler = Literal["party_committee_or_government", "same_level_agency", "agency_above"]
ExtensionApprover = Literal["dispatching_agency"]
ListKind = Literal["basic", "admission", "negative", "directory", "matters"]
Approver = Literal["party_committee_or_government", "county_government", "same_level_agency", "county_agency"]
Applicant = Literal["department", "town_agency"]
PowerType = Literal["licensing", "penalty", "compulsion"]
BoardField = Literal["grid_name", "area", "staff_names", "staff_contacts", "supervision_phone"]
BoardPublisher = Literal["town", "village_committee", "host_unit"]
OnlinePolicy = Literal["allowed", "encouraged"]
RegulationStatus = Literal["draft", "adopted"]
AdjustmentTrigger = Literal["area_resized", "relocation", "population_change", "other"]
ADJUSTMENT_TRIGGER_LABELS = {
    "area_resized": "村（社区）规模调整",
    "relocation": "大规模拆迁安置",
    "population_change": "人口数量较大变化",
    "other": "其他情形",
}
RegulationKind = Literal["regulation", "measures"]

VALUE_LABELS: dict[str, str] = {
    **ROLE_LABELS,
    **{str(k): v for k, v in GRID_KIND_LABELS.items()},
    **{str(k): v for k, v in DEDICATED_TYPE_LABELS.items()},
    **AGENCY_LEVEL_LABELS,
    "none": "不设",
    "allowed": "可以",
    "encouraged": "鼓励",
    "required": "应当",
    "supports_party_leadership": "拥护中国共产党领导",
    "law_abiding": "遵守法律、法规",
    "good_conduct": "品行端正",
    "education_fit": "具有符合岗位要求的文化程度和工作能力",
    "fit_for_duty": "具备履行职责的身体条件",
    "criminal_record": "受过刑事处罚",
    "pending_criminal_case": "涉嫌犯罪尚未结案",
    "detained": "曾被行政拘留、司法拘留",
    "dismissed_from_public_office": "曾被国家机关、事业单位开除公职",
    "dishonest_joint_punishment": "被依法列为失信联合惩戒对象",
    "dishonest_judgement_debtor": "被依法纳入失信被执行人名单",
    "other_by_law": "法律、法规规定的其他情形",
    "lives_in_grid": "为网格内常住村（居）民",
    "social_worker_certificate": "持有社会工作者职业水平证书",
    "grassroots_experience": "具有一年以上基层工作经历",
    "off_list": "超出事项清单的事项",
    "administrative_powers": "行政许可、行政处罚、行政强制等事项",
    "unlawful": "违反法律、法规、规章的事项",
    "party_committee_or_government": "同级党委或者政府",
    "same_level_agency": "同级网格化机构",
    "agency_above": "上一级网格化机构",
    "dispatching_agency": "分派的网格化机构",
    "county_government": "县（区）人民政府",
    "county_agency": "县（市、区）网格化机构",
    "department": "业务主管（联动）部门",
    "town_agency": "镇（街道）网格化机构",
    "basic": "基本清单",
    "admission": "准入清单",
    "negative": "负面清单",
    "directory": "准入分类目录",
    "matters": "事项清单",
    "licensing": "行政许可",
    "penalty": "行政处罚",
    "compulsion": "行政强制",
    "grid_name": "网格名称",
    "area": "区域范围",
    "staff_names": "网格员姓名",
    "staff_contacts": "联系方式",
    "supervision_phone": "监督电话",
    "village_committee": "村（居）民委员会",
    "host_unit": "专属网格所在单位",
    "draft": "草案/征求意见稿",
    "adopted": "已公布施行",
    "regulation": "地方性法规",
    "measures": "政府规章（办法）",
}

# ---------------------------------------------------------------------------------------------
# Problems: a validator collects every broken rule of its section, each with a relative path.


def rule_problems(problems: list[tuple[str, str]]) -> PydanticCustomError:
    """One validation error that carries several ``(relative path, Chinese message)`` problems.

    The loader expands it into one line per problem, each path joined to the section's location.
    """
    summary = "；".join(f"{p}: {m}" if p else m for p, m in problems)
    return PydanticCustomError("profile_rule", "{summary}", {"summary": summary, "problems": problems})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Checked(_Model):
    """A section with cross-field rules: subclasses list the problems in :meth:`problems`."""

    def problems(self) -> list[tuple[str, str]]:
        return []

    @model_validator(mode="after")
    def _check_rules(self):
        found = self.problems()
        for field_name, info in type(self).model_fields.items():
            value = getattr(self, field_name)
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if isinstance(value, list) and extra.get("unique"):
                seen: set[Any] = set()
                for i, item in enumerate(value):
                    key = _jsonable(getattr(item, "code", item))
                    if key in seen:
                        found.append((f"{field_name}[{i}]", f"重复的取值 {key!r}"))
                    seen.add(key)
        if found:
            raise rule_problems(found)
        return self


def _unique(title: str, **kw) -> Any:
    return Field(title=title, json_schema_extra={"unique": True}, **kw)


# ---------------------------------------------------------------------------------------------
# Identity: the regulation and the demo city.


class Regulation(_Model):
    """The text a profile encodes. ``key`` is the short name used in article references (ZJ§13)."""

    key: str = Field(title="条例简称", pattern=r"^[A-Z]{2}$")
    title: str = Field(title="条例名称", min_length=1)
    kind: RegulationKind = Field(title="文件类别")
    status: RegulationStatus = Field(title="状态")
    dated: str = Field("", title="文本日期", description="公布或征求意见的日期，原文所写")
    in_force_from: str = Field("", title="施行日期", pattern=r"^(\d{4}-\d{2}-\d{2})?$")
    text_file: str = Field("", title="原文文件", description="shared/regulations/ 下的文件名")


class Centre(_Model):
    lon: float = Field(title="经度", ge=-180, le=180)
    lat: float = Field(title="纬度", ge=-90, le=90)


class County(_Model):
    """A county-level division (县级市/区/县) by its GB/T 2260 code."""

    code: str = Field(title="区划代码", pattern=r"^\d{6}$")
    name: str = Field(title="名称", min_length=1)


class City(_Checked):
    """The demo city a deployment of this profile sits on: real codes, synthetic towns below."""

    province_code: str = Field(title="省级代码", pattern=r"^\d{2}$")
    code: str = Field(title="市级区划代码", pattern=r"^\d{6}$")
    name: str = Field(title="市名", min_length=1)
    centre: Centre = Field(title="中心点（WGS84）")
    counties: list[County] = _unique("县级行政区", min_length=1)
    special_zones: list[str] = Field(default_factory=list, title="功能区（由所在县级区划管理）")

    def problems(self) -> list[tuple[str, str]]:
        found = []
        if not self.code.startswith(self.province_code):
            found.append(("code", f"必须以省级代码 {self.province_code} 开头"))
        if not self.code.endswith("00"):
            found.append(("code", "市级区划代码应以 00 结尾"))
        for i, county in enumerate(self.counties):
            if county.code[:4] != self.code[:4] or county.code == self.code:
                found.append((f"counties[{i}].code", f"县级区划代码 {county.code} 必须以市级代码 {self.code[:4]} 开头"))
        return found


# ---------------------------------------------------------------------------------------------
# Territory.


class HouseholdNorm(_Checked):
    """A sensible size for one grid kind, in households: a grid outside [min, max] gets a warning.

    ``nominal`` is the number the text gives when it gives one number ("一般为三百户"); min and max
    then carry a tolerance that ``note`` explains.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"atomic": True})

    min: int = Field(title="最少户数", gt=0)
    max: int = Field(title="最多户数", gt=0)
    nominal: int | None = Field(None, title="条文户数", gt=0)
    note: str = Field("", title="说明")

    def problems(self) -> list[tuple[str, str]]:
        found = []
        if self.min > self.max:
            found.append(("min", f"必须小于等于 max（{self.max}）"))
        if self.nominal is not None and not (self.min <= self.nominal <= self.max):
            found.append(("nominal", f"必须在 min 与 max 之间（{self.min}–{self.max}）"))
        return found


class Territory(_Checked):
    """How the territory is cut into grids (A1–A3)."""

    agency_levels: list[AgencyLevel] = _unique("设网格化机构的层级", min_length=1)
    grid_kinds: list[GridKind] = _unique("网格类别", min_length=1)
    dedicated_types: list[DedicatedType] = _unique("专属网格类型", default_factory=list)
    dedicated_dual_management: bool = Field(False, title="专属网格属地与主管部门双重管理")
    micro_grids: MicroGridPolicy = Field(title="微网格")
    household_norms: dict[GridKind, HouseholdNorm] = Field(default_factory=dict, title="网格规模（户）")
    consult_village_committee: bool = Field(title="划分调整须征求村（居）委会意见")
    filed_with_city: bool = Field(title="划分调整报市网格化机构备案")
    exclusive_division: bool = Field(title="其他部门不得另行划分网格")
    adjustment_triggers: list[AdjustmentTrigger] = _unique("网格调整的情形", min_length=1)

    def problems(self) -> list[tuple[str, str]]:
        found = []
        has_dedicated = GridKind.DEDICATED in self.grid_kinds
        if self.dedicated_types and not has_dedicated:
            found.append(("dedicated_types", "未启用专属网格（grid_kinds 不含 dedicated）时不能设置专属网格类型"))
        if has_dedicated and not self.dedicated_types:
            found.append(("dedicated_types", "启用了专属网格，至少要列出一种专属网格类型"))
        if self.dedicated_dual_management and not has_dedicated:
            found.append(("dedicated_dual_management", "未启用专属网格时不能设置双重管理"))
        for kind in self.household_norms:
            if kind not in self.grid_kinds:
                found.append((f"household_norms.{kind}", f"网格类别 {kind} 未在 grid_kinds 中启用"))
        return found

    def allows(self, kind: str, dedicated_type: str | None = None) -> bool:
        """Whether a grid of this kind (and dedicated type) may exist under this profile."""
        if kind not in self.grid_kinds:
            return False
        if kind == GridKind.DEDICATED:
            return dedicated_type in self.dedicated_types
        return dedicated_type is None


# ---------------------------------------------------------------------------------------------
# Staff.


class Eligibility(_Model):
    """Who may be hired as a full-time grid worker (B3). ``None``/empty means the text sets nothing."""

    min_age: int | None = Field(None, title="最低年龄", ge=16, le=70)
    citizen_required: bool = Field(False, title="须为中华人民共和国公民")
    conditions: list[Condition] = _unique("应当具备的条件", default_factory=list)
    exclusions: list[Exclusion] = _unique("不得担任的情形", default_factory=list)
    preferences: list[Preference] = _unique("同等条件下优先", default_factory=list)


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
    training_before_posting: bool = Field(title="岗前培训后上岗")
    assessment_before_posting: bool = Field(title="考核合格后上岗")
    fulltime_eligibility: Eligibility = Field(title="专职网格员任职条件")
    may_refuse: list[Refusable] = _unique("网格员可以拒绝的事项", default_factory=list)

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
        if self.assessment_before_posting and not self.training_before_posting:
            found.append(("assessment_before_posting", "须先设置 training_before_posting = true"))
        return found

    def uses(self, role: str) -> bool:
        return role in self.roles


# ---------------------------------------------------------------------------------------------
# Cases.


class CaseLimits(_Checked):
    """The time limits of a case's clocks (D2–D6). Working days follow :class:`WorkCalendar`."""

    # Upper bounds: a matter's own limits come from a request (catalogue applications); a year of
    # working days or a month of hours is far past any rule, and keeps the clocks' arithmetic finite.
    report_hours: float = Field(title="网格员上报时限（小时）", gt=0, le=720)
    urgent_report_minutes: int = Field(title="紧急情况上报时限（分钟，“立即”）", gt=0, le=1440)
    accept_working_days: int = Field(title="机构受理分派时限（工作日）", ge=1, le=250)
    accept_urgent_hours: float = Field(title="紧急事项受理分派时限（小时）", gt=0, le=720)
    handling_working_days: int = Field(title="部门办理时限（工作日）", ge=1, le=250)
    max_extensions: int = Field(title="可延期次数", ge=0, le=10)
    extension_working_days: int = Field(title="每次延期上限（工作日）", ge=1, le=250)
    feedback_working_days: int = Field(title="办结后反馈时限（工作日）", ge=1, le=250)
    warning_ratio: float = Field(title="预警比例（时限已过）", gt=0, lt=1)

    def problems(self) -> list[tuple[str, str]]:
        found = []
        if self.urgent_report_minutes > self.report_hours * 60:
            found.append(("urgent_report_minutes", "紧急上报时限不能长于一般上报时限"))
        if self.accept_urgent_hours > self.accept_working_days * 24:
            found.append(("accept_urgent_hours", "紧急受理时限不能长于一般受理时限"))
        return found


class DepartmentKind(_Model):
    """A linkage department (网格化联动部门) that exists at the listed levels of government."""

    code: str = Field(title="代码", pattern=r"^[a-z][a-z0-9_]*$", max_length=24)
    name: str = Field(title="名称", min_length=1, max_length=30)
    levels: list[AgencyLevel] = _unique("设置层级", min_length=1)


class Category(_Model):
    """A kind of case, used to route and count cases until the catalogue of matters exists."""

    code: str = Field(title="代码", pattern=r"^[a-z][a-z0-9_]*$", max_length=32)
    name: str = Field(title="名称", min_length=1, max_length=20)


class Cases(_Checked):
    """How a case travels the closed loop under this text."""

    report_to: ReportLevel = Field(title="网格员上报至")
    level_by_level: bool = Field(title="逐级受理上报事项")
    emergency_to_department: bool = Field(title="紧急情况同时直报主管部门")
    extension_approved_by: ExtensionApprover = Field(title="延期审批")
    dispute_settled_by: DisputeSettler = Field(title="职责争议由谁决定")
    limits: CaseLimits = Field(title="办理时限")
    categories: list[Category] = _unique("事项类别（初始）", min_length=1)

    def problems(self) -> list[tuple[str, str]]:
        found = []
        seen: set[str] = set()
        for i, c in enumerate(self.categories):
            if c.name in seen:
                found.append((f"categories[{i}].name", f"重复的类别名称 {c.name!r}"))
            seen.add(c.name)
        return found

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)


# ---------------------------------------------------------------------------------------------
# Catalogue (the published list of grid work).


class Catalogue(_Checked):
    """Which lists exist at which level and who decides what enters or leaves them (C1–C5)."""

    city_lists: list[ListKind] = _unique("市级清单", default_factory=list)
    county_lists: list[ListKind] = _unique("县级清单", default_factory=list)
    county_follows_city: bool = Field(title="县级清单依据市级清单编制")
    county_lists_filed_with_city: bool = Field(title="县级清单报市网格化机构备案")
    expert_review: bool = Field(title="编制调整须专家论证、评估审核")
    list_approved_by: Approver = Field(title="清单由谁批准")
    admission_applicants: list[Applicant] = _unique("准入申请人", min_length=1)
    admission_approved_by: Approver = Field(title="准入由谁批准")
    exit_approved_by: Approver = Field(title="退出由谁批准")
    temporary_admission: bool = Field(title="紧急事项可临时纳入")
    temporary_requires_end_date: bool = Field(title="临时纳入须明确期限")
    forced_exit: bool = Field(title="部门不履职可强制退出")
    forbidden_power_types: list[PowerType] = _unique("不得纳入清单的事项", default_factory=list)
    published: bool = Field(title="清单向社会公布")

    def problems(self) -> list[tuple[str, str]]:
        found = []
        if not self.city_lists and not self.county_lists:
            found.append(("city_lists", "市级与县级至少要有一种清单"))
        if self.county_follows_city and not (self.city_lists and self.county_lists):
            found.append(("county_follows_city", "须同时设有市级清单和县级清单"))
        if self.county_lists_filed_with_city and not self.county_lists:
            found.append(("county_lists_filed_with_city", "没有县级清单，无从备案"))
        if self.temporary_requires_end_date and not self.temporary_admission:
            found.append(("temporary_requires_end_date", "须先设置 temporary_admission = true"))
        return found


class Board(_Model):
    """The public board of each grid (A5)."""

    fields: list[BoardField] = _unique("公示内容", min_length=1)
    published_by: list[BoardPublisher] = _unique("公示责任方", min_length=1)
    online: OnlinePolicy = Field(title="网上公布")
    supervision_phone: str = Field(title="监督电话", pattern=r"^[0-9][0-9\-]{2,19}$")


# ---------------------------------------------------------------------------------------------
# Provenance.

_REF = r"[A-Z]{2}§\d+(?:[–-]\d+)?(?:\(\d+\))?"
_REFS = rf"{_REF}(?:\s*[、,，]\s*{_REF})*"
_SOURCE_RE = re.compile(rf"^(?:(?P<text>{_REFS})|(?P<kind>default|demo)(?:\s*:\s*(?P<refs>{_REFS}))?)$")

SourceKind = Literal["text", "default", "demo"]


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
        return f"本地设置（参照 {refs}）" if refs else "本地设置（平台默认值）"


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
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    return value


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
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# ---------------------------------------------------------------------------------------------
# The profile.


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
    departments: list[DepartmentKind] = _unique("联动部门", min_length=1)
    sources: dict[str, str] = Field(title="出处")
    notes: dict[str, str] = Field(default_factory=dict, title="说明")

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
