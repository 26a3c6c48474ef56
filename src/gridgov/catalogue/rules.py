"""The rules of the list of grid work (事项清单), as pure functions of the profile: no I/O.

Which lists each level keeps (C1), who may apply for what (C2), who approves each kind of
application and so which steps an application goes through (C2, C3), what can never enter a list
(C4: the power types the profile's ``forbidden_power_types`` names — LZ§15 and JS§16 name
licensing, penalty and compulsion; ZJ, QZ and JM say nothing, so there it is a local default),
temporary admission with its end date (QZ§7), forced exit (QZ§8), and the difference between two
published versions (C5). The service and the pages both read these answers, so the buttons a page
offers and the checks the service makes cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gridgov.audit.rules import register_labels
from gridgov.policy.schema import VALUE_LABELS, CaseLimits

# ---------------------------------------------------------------- vocabularies

ADMISSION, EXIT, CHANGE, TEMPORARY = "admission", "exit", "change", "temporary"
APPLICATION_KINDS = (ADMISSION, EXIT, CHANGE, TEMPORARY)
APPLICATION_KIND_LABELS = {ADMISSION: "准入", EXIT: "退出", CHANGE: "调整", TEMPORARY: "临时纳入"}

SUBMITTED, REVIEWED, APPROVED, REFUSED = "submitted", "reviewed", "approved", "refused"
APPLICATION_STATUS_LABELS = {SUBMITTED: "已提交", REVIEWED: "已审核", APPROVED: "已批准", REFUSED: "不予批准"}

REVIEW, APPROVE, REFUSE = "review", "approve", "refuse"

NEGATIVE = "negative"
IN_FORCE, EXITED = "in_force", "exited"
MATTER_STATUS_LABELS = {IN_FORCE: "在册", EXITED: "已退出"}

POWER_TYPES = ("none", "licensing", "penalty", "compulsion")
POWER_TYPE_LABELS = {"none": "非行政权力事项", "licensing": "行政许可", "penalty": "行政处罚", "compulsion": "行政强制"}

OPEN, ANSWERED, FORCED_EXIT = "open", "answered", "forced_exit"
NOTICE_OUTCOME_LABELS = {OPEN: "待整改", ANSWERED: "已答复", FORCED_EXIT: "逾期未整改，已强制退出"}

TEMPORARY_EXPIRED_REASON = "临时纳入期满"
FORCED_EXIT_REASON = "逾期未整改，强制退出（责令整改第 {notice} 号）"

DEPARTMENT, TOWN_AGENCY, AGENCY = "department", "town_agency", "agency"
APPLICANT_LABELS = {DEPARTMENT: VALUE_LABELS["department"], TOWN_AGENCY: VALUE_LABELS["town_agency"],
                    AGENCY: "同级网格化机构"}

KIND_INITIALS = {"basic": "B", "admission": "A", "negative": "N", "directory": "D", "matters": "M"}

ACTION_LABELS = {
    "catalogue_lists_created": "建立事项清单",
    "catalogue_application_submitted": "提出清单申请",
    "catalogue_application_reviewed": "审核清单申请",
    "catalogue_application_approved": "批准清单申请",
    "catalogue_application_refused": "不予批准清单申请",
    "catalogue_version_published": "发布清单新版本",
    "matter_admitted": "事项纳入清单",
    "matter_changed": "调整清单事项",
    "matter_exited": "事项退出清单",
    "rectification_issued": "责令限期整改",
    "rectification_answered": "答复整改通知",
    "rectification_forced_exit": "逾期未整改强制退出",
    "catalogue_version_submitted_for_filing": "县级清单版本报市备案",
    "catalogue_version_filed": "登记县级清单版本备案",
}
"""Chinese labels of the audit actions this package writes (registered with the audit log)."""
register_labels(ACTION_LABELS)


def list_kind_label(kind: str) -> str:
    return VALUE_LABELS.get(kind, kind)


def approver_label(approver: str) -> str:
    return VALUE_LABELS.get(approver, approver)


# ---------------------------------------------------------------- lists per level


def list_kinds(catalogue, level: str) -> list[str]:
    """The kinds of list an area of ``level`` keeps under the profile (C1): the city's and the
    counties'; towns and villages keep none."""
    if level == "city":
        return list(catalogue.city_lists)
    if level == "county":
        return list(catalogue.county_lists)
    return []


def followed_kind(catalogue) -> str | None:
    """The city list a county list follows where ``county_follows_city`` (ZJ§7, JM§9): the first
    city list (the basic list, or JM's directory)."""
    if catalogue.county_follows_city and catalogue.city_lists and catalogue.county_lists:
        return catalogue.city_lists[0]
    return None


def list_name(area_name: str, kind: str) -> str:
    if kind == "matters":
        return f"{area_name}网格化服务管理事项清单"
    return f"{area_name}网格化服务管理事项{list_kind_label(kind)}"


# ---------------------------------------------------------------- filing with the city (JM§9)


FILING_PENDING_LABEL = "待备案"
DIRECTORY = "directory"


def filing_problem(catalogue, list_level: str) -> str | None:
    """Why a version of a list of ``list_level`` is not filed with the city agency (None if it is):
    only county lists, and only where the profile says so (JM§9 报市网格化机构备案)."""
    if not catalogue.county_lists_filed_with_city:
        return "本地政策未规定县级清单报市网格化机构备案"
    if list_level != "county":
        return "只有县级清单的版本须报市网格化机构备案"
    return None


def filing_label(filed_on: date | None) -> str:
    """How the public version history shows a county version's filing."""
    return f"已报市网格化机构备案（{filed_on.isoformat()}）" if filed_on else FILING_PENDING_LABEL


# ---------------------------------------------------------------- the classification directory (JM§9)


def classifies_by_directory(catalogue) -> bool:
    """Whether a county list follows a city classification directory (JM§9 根据分类目录编制准入
    清单): then every matter admitted to the county list names one of the directory's classes."""
    return bool(catalogue.county_follows_city and catalogue.county_lists and DIRECTORY in catalogue.city_lists)


def class_problem(class_code: str, classes: Mapping[str, str]) -> str | None:
    """Why ``class_code`` is not a class of the directory (None if it is). ``classes`` maps the
    codes of the directory's matters in force to their names: the directory's entries are the
    classes. A directory with no class in force (the city has not published its classes yet) asks
    none: there is nothing to follow, and refusing would stop every county from listing anything."""
    if not classes:
        return None
    listing = "、".join(f"{code}（{name}）" for code, name in sorted(classes.items()))
    if not class_code:
        return f"请填写事项所属的准入分类（分类编码），应为市准入分类目录中的：{listing}"
    if class_code not in classes:
        return f"分类 {class_code} 不在市准入分类目录中，应为：{listing}"
    return None


# ---------------------------------------------------------------- who applies


def applicant_problem(catalogue, kind: str, applicant: str | None, *, same_area: bool) -> str | None:
    """Why this applicant may not submit this kind of application (None if it may).

    ``applicant`` is ``department`` (a linkage department of the list's level: ``same_area``),
    ``town_agency`` (a town agency under the list's county) or ``agency`` (the list's own agency).
    Departments apply where the profile lists them (ZJ§8, QZ§7, LZ§15); town agencies where it
    lists ``town_agency`` (JM§9); the agency itself may ask for an exit (ZJ§8: 机构或者职能部门申请).
    """
    if kind not in APPLICATION_KINDS:
        return f"申请类型 {kind!r} 无效，应为：{'、'.join(APPLICATION_KIND_LABELS.values())}"
    allowed = set(catalogue.admission_applicants)
    if kind == EXIT:
        allowed.add(AGENCY)
    if applicant not in allowed:
        who = "、".join(APPLICANT_LABELS[a] for a in catalogue.admission_applicants)
        extra = "或同级网格化机构" if kind == EXIT else ""
        return f"{APPLICATION_KIND_LABELS[kind]}申请应由{who}{extra}提出"
    if applicant == DEPARTMENT and not same_area:
        return "联动部门只能向本级网格化机构的清单提出申请"
    return None


# ---------------------------------------------------------------- who approves: the path


@dataclass(frozen=True)
class Step:
    code: str
    label: str


@dataclass(frozen=True)
class ApprovalPath:
    """The steps one application goes through, and who decides.

    ``records_decision``: the agency does not decide itself but records the decision of the named
    approver (party committee or government, ZJ§8; the county government, LZ§15) with the document
    reference. ``experts_required``: the review records expert opinions (LZ§15).
    """

    kind: str
    approver: str
    approver_label: str
    records_decision: bool
    experts_required: bool
    steps: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def decide_label(self) -> str:
        return f"登记{self.approver_label}批准" if self.records_decision else "批准"

    @property
    def refuse_label(self) -> str:
        return f"登记{self.approver_label}不予批准" if self.records_decision else "不予批准"


RECORDED_APPROVERS = frozenset({"party_committee_or_government", "county_government"})


def approver_for(catalogue, kind: str) -> str:
    """Who approves an application of this kind: admission and temporary admission by
    ``admission_approved_by``, exit by ``exit_approved_by``, a change of a listed matter by
    ``list_approved_by`` (it adjusts the list as compiled)."""
    if kind in (ADMISSION, TEMPORARY):
        return catalogue.admission_approved_by
    if kind == EXIT:
        return catalogue.exit_approved_by
    return catalogue.list_approved_by


def approval_path(catalogue, kind: str) -> ApprovalPath:
    approver = approver_for(catalogue, kind)
    records = approver in RECORDED_APPROVERS
    label = approver_label(approver)
    review = "网格化机构审核（须附专家论证、评估意见）" if catalogue.expert_review else "网格化机构审核"
    decide = f"报{label}批准，网格化机构登记批准文件" if records else f"{label}审核批准"
    steps = (
        Step(SUBMITTED, "提出申请"),
        Step(REVIEWED, review),
        Step(APPROVED, decide),
    )
    return ApprovalPath(kind, approver, label, records, bool(catalogue.expert_review), steps)


def step_problem(action: str, status: str) -> str | None:
    """Whether ``action`` may be taken on an application in ``status``: review a submitted one,
    approve a reviewed one, refuse one not yet decided."""
    label = APPLICATION_STATUS_LABELS.get(status, status)
    if action == REVIEW and status != SUBMITTED:
        return f"申请{label}，不能再审核"
    if action == APPROVE and status != REVIEWED:
        return "申请须先经审核才能批准" if status == SUBMITTED else f"申请{label}，不能再批准"
    if action == REFUSE and status not in (SUBMITTED, REVIEWED):
        return f"申请{label}，不能再作决定"
    return None


def review_problem(path: ApprovalPath, opinions: Sequence[Mapping[str, Any]]) -> str | None:
    if path.experts_required and not [o for o in opinions if str(o.get("opinion", "")).strip()]:
        return "本地政策要求组织专家开展调研论证、评估审核：请至少记录一条专家意见"
    return None


def decision_problem(path: ApprovalPath, document: str, note: str, *, approve: bool) -> str | None:
    if path.records_decision and not document.strip():
        return f"请填写{path.approver_label}的批准（或不予批准）文件文号"
    if not approve and not note.strip():
        return "不予批准时请写明理由"
    return None


# ---------------------------------------------------------------- what may enter a list


def forbidden_power_types(catalogue) -> frozenset[str]:
    """The power types kept off the lists of assignable work: the profile's word alone. The set is
    not law in every text (LZ§15 and JS§16 say it; ZJ, QZ and JM do not), so no code adds to it."""
    return frozenset(catalogue.forbidden_power_types)


def forbidden_source(profile):
    """Where the profile's ``forbidden_power_types`` comes from (cited in a refusal)."""
    return profile.source_of("catalogue.forbidden_power_types")


def power_type_problem(catalogue, power_type: str, list_kind: str, source=None) -> str | None:
    """The refusal reason when a matter of this power type is proposed for a list of assignable
    work. A negative list is exactly where such matters are named (work grid staff must not do),
    so it takes them. ``source``: where the profile's ``forbidden_power_types`` comes from
    (:meth:`PolicyProfile.source_of`); a text is cited, a local default says it is one."""
    if power_type not in POWER_TYPES:
        return f"权力类型 {power_type!r} 无效，应为：{'、'.join(POWER_TYPE_LABELS.values())}"
    if list_kind == NEGATIVE:
        return None
    if power_type in forbidden_power_types(catalogue):
        label = POWER_TYPE_LABELS[power_type]
        if source is not None and source.kind == "text" and source.refs:
            return (f"{label}事项依法应当由行政机关或者法律法规授权的组织实施，"
                    f"不得纳入网格化服务管理事项清单（{'、'.join(source.refs)}）")
        return f"{label}事项按本地设置不纳入网格化服务管理事项清单（本地设置：条例对此未作规定）"
    return None


RESOURCE_KINDS = ("people", "funds", "guidance", "training")
RESOURCE_LABELS = {"people": "人员力量", "funds": "经费", "guidance": "业务指导", "training": "技能培训"}
"""What a department sends with a matter it hands to the grids (C6): ZJ§8 and JS§10 力量、资源、经费
下沉到网格; QZ§8 人员、经费配置到网格，业务指导和技能培训."""
RESOURCE_MAX = 500


def resources_of(value: Any) -> tuple[dict[str, str] | None, list[str]]:
    """The resources of a proposed matter, trimmed (None when nothing is said), and the problems:
    only the four kinds, each text of at most :data:`RESOURCE_MAX` characters."""
    if value is None:
        return None, []
    if not isinstance(value, Mapping):
        return None, ["随事项下沉的资源应为人员力量、经费、业务指导、技能培训四项文字"]
    problems = [f"未知的资源类别 {k!r}，应为：{'、'.join(RESOURCE_LABELS.values())}"
                for k in value if k not in RESOURCE_KINDS]
    out: dict[str, str] = {}
    for kind in RESOURCE_KINDS:
        text = value.get(kind) or ""
        if not isinstance(text, str):
            problems.append(f"{RESOURCE_LABELS[kind]}应为文字")
            continue
        text = text.strip()
        if len(text) > RESOURCE_MAX:
            problems.append(f"{RESOURCE_LABELS[kind]}不能超过 {RESOURCE_MAX} 字（现有 {len(text)} 字）")
        if text:
            out[kind] = text
    return (out or None), problems


def temporary_problem(catalogue, end_date: date | None, today: date, list_kind: str) -> str | None:
    if not catalogue.temporary_admission:
        return "本地政策未规定临时纳入：请提出准入申请"
    if list_kind == NEGATIVE:
        return "负面清单不设临时纳入"
    if end_date is None:
        return "临时纳入须明确纳入期限：请填写截止日期" if catalogue.temporary_requires_end_date else None
    if end_date < today:
        return f"截止日期 {end_date} 早于今天（{today}）"
    return None


def forced_exit_problem(catalogue) -> str | None:
    return None if catalogue.forced_exit else "本地政策未规定强制退出：请由部门或机构提出退出申请"


LIMIT_FIELDS = {name: info.title or name for name, info in CaseLimits.model_fields.items()}
_LIMIT_MAX = {name: m.le for name, info in CaseLimits.model_fields.items() for m in info.metadata if hasattr(m, "le")}
"""The profile schema's upper bounds: a matter's own limits may not run past them either."""


def limits_problems(limits: Mapping[str, Any] | None) -> list[str]:
    """A matter's own time limits override fields of the profile's case limits; each must name
    one of them and be a positive number."""
    found = []
    for key, value in (limits or {}).items():
        if key not in LIMIT_FIELDS:
            found.append(f"时限项 {key!r} 无效，应为：{'、'.join(LIMIT_FIELDS)}")
        elif isinstance(value, bool) or not isinstance(value, int | float) or not value > 0 or value == float("inf"):
            found.append(f"{LIMIT_FIELDS[key]}应为正数")
        elif (most := _LIMIT_MAX.get(key)) is not None and value > most:
            found.append(f"{LIMIT_FIELDS[key]}不能超过 {most}")
        elif key == "warning_ratio" and value >= 1:
            found.append(f"{LIMIT_FIELDS[key]}应小于 1")
    return found


def generated_code(area_code: str, list_kind: str, seq: int) -> str:
    return f"{area_code[:6]}-{KIND_INITIALS.get(list_kind, 'X')}-{seq:03d}"


# ---------------------------------------------------------------- versions


MATTER_FIELDS = ("code", "name", "class_code", "description", "department_kind", "legal_basis", "power_type",
                 "on_site", "limits", "evidence", "resources", "temporary_until", "admitted_on")
CHANGE_FIELDS = ("name", "class_code", "description", "department_kind", "legal_basis", "power_type", "on_site",
                 "limits", "evidence", "resources")
FIELD_LABELS = {"code": "编码", "name": "名称", "class_code": "分类", "description": "内容",
                "department_kind": "主管部门",
                "legal_basis": "依据", "power_type": "权力类型", "on_site": "可现场处置", "limits": "办理时限",
                "evidence": "需留存的证据", "resources": "随事项下沉的资源", "temporary_until": "临时纳入截止",
                "admitted_on": "纳入日期"}


@dataclass(frozen=True)
class MatterChange:
    code: str
    name: str
    fields: tuple[str, ...]
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True)
class VersionDiff:
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[MatterChange]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff(older: Iterable[Mapping[str, Any]], newer: Iterable[Mapping[str, Any]]) -> VersionDiff:
    """What changed between two snapshots, matched by matter code: added, removed, and changed
    (with the fields that differ; the admission date is not a change of content)."""
    a = {m["code"]: dict(m) for m in older}
    b = {m["code"]: dict(m) for m in newer}
    added = [b[c] for c in sorted(b.keys() - a.keys())]
    removed = [a[c] for c in sorted(a.keys() - b.keys())]
    changed = []
    for code in sorted(a.keys() & b.keys()):
        fields = tuple(f for f in MATTER_FIELDS
                       if f not in ("code", "admitted_on") and a[code].get(f) != b[code].get(f))
        if fields:
            changed.append(MatterChange(code, b[code].get("name", ""), fields,
                                        {f: a[code].get(f) for f in fields}, {f: b[code].get(f) for f in fields}))
    return VersionDiff(added, removed, changed)


def summary_of(kind: str, matter_code: str, matter_name: str, *, extra: str = "") -> str:
    """The one-line summary of a version (also the file entry the job writes)."""
    verbs = {ADMISSION: "纳入", TEMPORARY: "临时纳入", EXIT: "退出", CHANGE: "调整"}
    text = f"{verbs.get(kind, kind)}事项 {matter_code} {matter_name}"
    return f"{text}（{extra}）" if extra else text
