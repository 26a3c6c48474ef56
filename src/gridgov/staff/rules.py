"""Pure staff rules (B1–B4, A6): who may be posted where, when a post may start, what is missing.

No I/O: the service loads the facts and passes them in, so every rule is read (and unit-tested)
here, once. Every refusal is a Chinese sentence that names the rule and, where it comes from the
policy profile, the value that applies. Nothing here branches on a city: the profile's ``staff``
section (:class:`gridgov.policy.schema.Staff`) carries the differences.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from gridgov.kit.ids import birth_date_of, id_number_problem
from gridgov.models.accounts import AREA_STAFF_ROLES, GRID_WORKER_ROLES, MICRO_GRID_ROLES, Role
from gridgov.policy.schema import LEADER_BASIS_LABELS, ROLE_LABELS, VALUE_LABELS, Requirement, Source

COMPREHENSIVE_KINDS = frozenset({"urban", "rural"})
GENDERS = {"男": "男", "女": "女", "M": "男", "F": "女", "male": "男", "female": "女"}

PENDING, ACTIVE, ENDED = "pending", "active", "ended"
REGISTER_ROLES = {"liaison": "liaison", "volunteer": "volunteer", "building_head": "volunteer",
                  "property_staff": "volunteer"}
"""Which people of the volunteer register (issue 18) attached to a micro-grid count as its liaison or
volunteers (ZJ§9: 志愿者可以在微网格内的党员、楼栋长、物业管理人员以及热心村(居)民中优先选任);
couriers and delivery riders are informants, not micro-grid volunteers."""
POST_STATUS_LABELS = {PENDING: "待上岗", ACTIVE: "在岗", ENDED: "已离岗"}

RequirementOf = Callable[[str], Requirement]
"""A profile's :meth:`PolicyProfile.requirement`: how a finding from one setting may be worded."""


def _all_local(path: str) -> Requirement:
    return Requirement(Source("default"))


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def exclusion_label(kind: str) -> str:
    return VALUE_LABELS.get(kind, kind)


def age_on(birth: date, on: date) -> int:
    """Full years of age on a day (a person born on 29 Feb turns a year older on 1 Mar)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def id_number_facts(value: str) -> tuple[str | None, date | None]:
    """(problem, birth date) of a resident ID number: exactly one of them is None."""
    problem = id_number_problem(value)
    if problem:
        return problem, None
    return None, birth_date_of(value)


def normalise_gender(value: str) -> str | None:
    return GENDERS.get(value.strip())


# ---------------------------------------------------------------- roles and places


def scope_kind_for(role: str) -> str:
    """Where a role serves: ``grid``, ``micro_grid`` or ``area`` (village/town level)."""
    if role in MICRO_GRID_ROLES:
        return "micro_grid"
    if role in AREA_STAFF_ROLES:
        return "area"
    return "grid"


def role_problem(staff_policy, role: str) -> str | None:
    """Why a role may not be used under this profile (B1), or None."""
    if role not in ROLE_LABELS:
        return f"未知的岗位 {role!r}"
    if role == "volunteer" and staff_policy.volunteers_per_micro_grid is None:
        return "本地政策未设置微网格志愿者（staff.volunteers_per_micro_grid），不能配备微网格志愿者"
    if role not in staff_policy.roles:
        allowed = "、".join(role_label(r) for r in staff_policy.roles)
        return f"本地政策未设置“{role_label(role)}”岗位（可设：{allowed}）"
    return None


# ---------------------------------------------------------------- who may be grid leader (JS§12, QZ§11, JM§10)


def leader_basis_label(basis: str) -> str:
    return LEADER_BASIS_LABELS.get(basis, basis)


def leader_basis_problem(staff_policy, basis: str | None, *, holds_fulltime: bool, cite: str = "") -> str | None:
    """Why this person may not be posted as leader of a comprehensive grid on the stated basis
    (任职身份), or None. ``staff.leader_eligible_from`` lists who the text lets serve; an empty list
    (the text is silent) admits anyone. A basis of 专职网格员 must be backed by an active
    full-time post. ``cite`` names the articles (e.g. "（JS§12）")."""
    allowed = list(staff_policy.leader_eligible_from)
    if basis is not None and basis not in LEADER_BASIS_LABELS:
        return f"未知的任职身份 {basis!r}"
    if not allowed:
        return None
    choices = "、".join(f"{leader_basis_label(b)}（{b}）" for b in allowed)
    if basis is None:
        return f"网格长须说明任职身份：本地政策{cite}规定网格长由{choices}担任"
    if basis not in allowed:
        return f"以“{leader_basis_label(basis)}”的任职身份不能担任网格长：本地政策{cite}规定网格长由{choices}担任"
    if basis == "fulltime_worker" and not holds_fulltime:
        return "以专职网格员身份担任网格长，须先在岗担任专职网格员"
    return None


# ---------------------------------------------------------------- eligibility (B3)


@dataclass(frozen=True)
class ExclusionFact:
    kind: str
    lifted_on: date | None


def exclusion_applies(ex: ExclusionFact, on: date) -> bool:
    """An exclusion bars posting on ``on`` unless it was lifted on or before that day."""
    return ex.lifted_on is None or ex.lifted_on > on


def eligibility_problems(
    staff_policy,
    *,
    role: str,
    on: date,
    birth_date: date | None,
    has_id_number: bool,
    exclusions: Iterable[ExclusionFact],
) -> list[str]:
    """Why this person may not take a full-time post starting on ``on`` (empty: eligible).

    Only full-time posts have conditions (JS§14, QZ§12); the profile lists them, and a profile
    with none (ZJ, LZ, JM) refuses nobody.
    """
    if role != "fulltime":
        return []
    rules = staff_policy.fulltime_eligibility
    found: list[str] = []
    if rules.min_age is not None:
        if birth_date is None:
            found.append(f"未登记出生日期，无法核对专职网格员年满 {rules.min_age} 周岁的条件")
        elif (age := age_on(birth_date, on)) < rules.min_age:
            found.append(f"上岗之日（{on.isoformat()}）未满 {rules.min_age} 周岁（{age} 岁），不能担任专职网格员")
    if rules.citizen_required and not has_id_number:
        found.append("未登记居民身份证号码，无法核对中华人民共和国公民身份")
    listed = set(rules.exclusions)
    for ex in exclusions:
        if ex.kind in listed and exclusion_applies(ex, on):
            found.append(f"存在不得担任专职网格员的情形：{exclusion_label(ex.kind)}")
    return found


def exclusion_kind_problem(staff_policy, kind: str) -> str | None:
    listed = staff_policy.fulltime_eligibility.exclusions
    if not listed:
        return "本地政策未规定不得担任专职网格员的情形，无需登记"
    if kind not in listed:
        allowed = "、".join(f"{exclusion_label(k)}（{k}）" for k in listed)
        return f"“{exclusion_label(kind)}”不是本地政策规定的情形；可登记：{allowed}"
    return None


# ---------------------------------------------------------------- training gate (B4)


@dataclass(frozen=True)
class TrainingFact:
    kind: str
    held_on: date
    passed: bool


def training_problem(staff_policy, trainings: Iterable[TrainingFact], start: date) -> str | None:
    """Why a post starting on ``start`` may not become active for want of training (ZJ§27, LZ§21).

    Training must be recorded as passed on or before the start date: a post cannot start before
    training is passed. The record's ``passed`` is the result of its assessment (ZJ§27 经培训合格,
    LZ§21 经考核合格): no separate assessment setting.
    """
    if not staff_policy.training_before_posting:
        return None
    what = "岗前培训合格"
    passed = [t for t in trainings if t.kind == "pre_job" and t.passed]
    if not passed:
        return f"尚未登记{what}的记录，岗位不能生效（本地政策：{what}后上岗）"
    first = min(t.held_on for t in passed)
    if first > start:
        return f"上岗日期 {start.isoformat()} 早于{what}的日期 {first.isoformat()}，请将上岗日期改为培训合格之后"
    return None


def serving_problem(staff_policy, *, role: str, linked: bool, on_post: bool, trained: bool) -> str | None:
    """Why an account whose role is a staff post may not act in it now (B4), or None.

    It acts only while its staff record holds an active post of that role at the account's place
    and, where the profile asks for pre-job training, that training is on record as passed.
    ``staff_policy`` None: the training is not checked."""
    label = role_label(role)
    if not linked:
        return f"账号未关联网格员档案，不能以{label}身份办理业务；请管理员先关联档案并配备岗位"
    if not on_post:
        return f"账号对应的{label}岗位不在岗（未生效或已结束），不能以{label}身份办理业务"
    if staff_policy is not None and staff_policy.training_before_posting and not trained:
        return f"尚未登记岗前培训合格的记录，不能以{label}身份办理业务（本地政策：岗前培训合格后上岗）"
    return None


# ---------------------------------------------------------------- staffing on activation (B2, A6)


@dataclass(frozen=True)
class PostFact:
    """An active post as the staffing rules see it."""

    role: str
    grid_code: str | None
    micro_grid_code: str | None


def activation_conflict(
    staff_policy, *, role: str, grid_code: str | None, micro_grid_code: str | None, grid_kind: str | None,
    active: Sequence[PostFact], requirement: RequirementOf | None = None,
) -> str | None:
    """Why one more active post of ``role`` here would break a staffing cap, or None.

    ``active`` holds the other active posts of the same grid (and its micro-grids). With the
    profile's ``requirement``, a refusal names its article where the text sets the cap and says
    本地设置 where it is a local default.
    """
    def cite(path: str) -> str:
        return requirement(path).cite() if requirement is not None else ""

    same_grid = [p for p in active if p.grid_code == grid_code]
    if (role == "leader" and staff_policy.leader_per_comprehensive_grid and grid_kind in COMPREHENSIVE_KINDS
            and any(p.role == "leader" for p in same_grid)):
        rule = cite("staff.leader_per_comprehensive_grid")
        return f"该综合网格已有在岗网格长（每个综合网格设一名网格长{rule}），请先结束原岗位"
    cap = staff_policy.max_professionals_per_grid
    if role == "professional" and cap is not None and sum(p.role == "professional" for p in same_grid) >= cap:
        return f"该网格在岗专业网格员已达上限 {cap} 名{cite('staff.max_professionals_per_grid')}"
    per_micro = staff_policy.liaisons_per_micro_grid
    if (role == "liaison" and per_micro is not None and micro_grid_code
            and sum(p.role == "liaison" and p.micro_grid_code == micro_grid_code for p in active) >= per_micro):
        rule = cite("staff.liaisons_per_micro_grid")
        return f"该微网格已有 {per_micro} 名在岗联络员（每个微网格配备 {per_micro} 名联络员{rule}）"
    return None


# ---------------------------------------------------------------- staffing gaps (B2, A6)


@dataclass(frozen=True)
class GridFact:
    code: str
    name: str
    kind: str
    area_code: str


@dataclass(frozen=True)
class MicroGridFact:
    code: str
    name: str
    grid_code: str


GAP_LABELS = {
    "no_leader": "缺网格长",
    "no_fulltime": "缺专职网格员",
    "fulltime_advised": "宜配专职网格员",
    "too_many_professionals": "专业网格员超员",
    "no_liaison": "微网格缺联络员",
    "no_volunteer": "微网格缺志愿者",
    "no_unit_staff": "专属网格缺网格员",
}
REQUIRED, LOCAL, ADVISED = "required", "local", "advised"
SEVERITY_LABELS = {REQUIRED: "应当配备", LOCAL: "本地要求", ADVISED: "有条件的配备"}
"""``required`` only where the profile's own text says so (with its article); a rule that is a local
default yields ``local`` (本地要求), never a legal-sounding finding (see :class:`Requirement`)."""
UNIT_STAFF_ROLES = sorted(str(r) for r in GRID_WORKER_ROLES - {Role.LEADER})
"""The workers (not the leader) a dedicated grid's host unit staffs it with (QZ§13)."""



@dataclass(frozen=True)
class Gap:
    kind: str
    severity: str
    grid_code: str
    grid_name: str
    grid_kind: str
    area_code: str
    detail: str
    micro_grid_code: str = ""
    basis: str = ""

    @property
    def label(self) -> str:
        return GAP_LABELS[self.kind]

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]


def staffing_gaps(
    staff_policy, grids: Sequence[GridFact], micro_grids: Sequence[MicroGridFact], active: Sequence[PostFact],
    *, requirement: RequirementOf = _all_local,
) -> list[Gap]:
    """What the profile's staffing rules find missing, grid by grid, in code order.

    - a comprehensive grid without a leader (and a dedicated grid, where its leader must be the
      host unit's head) when the profile sets one leader per grid;
    - a grid of a kind that must have a full-time worker without one (required), and of a kind
      that should have one where possible (advised);
    - a dedicated grid without any worker besides its leader, where the profile makes its host unit
      staff it (``dedicated_staffed_by_host_unit``, QZ§13 专属网格应当配备网格长、网格员……网格员由
      专属网格所在单位负责配备): the gap says who must fill it;
    - more professional workers than the cap;
    - a micro-grid with fewer liaisons or volunteers than the profile sets.

    How each gap reads comes from ``requirement`` (the profile's :meth:`PolicyProfile.requirement`):
    a rule the text sets is "应当配备" with its article, a local default is "本地要求" with none; the
    default treats every rule as local, so nothing claims the law without a source.
    """
    by_grid: dict[str, Counter] = {}
    by_micro: dict[str, Counter] = {}
    for p in active:
        if p.grid_code:
            by_grid.setdefault(p.grid_code, Counter())[p.role] += 1
        if p.micro_grid_code:
            by_micro.setdefault(p.micro_grid_code, Counter())[p.role] += 1
    needs_leader = set(COMPREHENSIVE_KINDS) if staff_policy.leader_per_comprehensive_grid else set()
    if staff_policy.dedicated_leader_is_unit_head:
        needs_leader.add("dedicated")
    required = {str(k) for k in staff_policy.fulltime_required_in}
    advised = {str(k) for k in staff_policy.fulltime_where_possible_in}
    cap = staff_policy.max_professionals_per_grid
    micros_of: dict[str, list[MicroGridFact]] = {}
    for m in micro_grids:
        micros_of.setdefault(m.grid_code, []).append(m)

    gaps: list[Gap] = []
    for g in sorted(grids, key=lambda g: g.code):
        counts = by_grid.get(g.code, Counter())

        def gap(kind: str, path: str | None, detail: str, micro: str = "", g=g) -> None:
            if path is None:
                severity, basis = ADVISED, requirement("staff.fulltime_where_possible_in").basis
            else:
                req = requirement(path)
                severity, basis = req.severity, req.basis
            gaps.append(Gap(kind, severity, g.code, g.name, g.kind, g.area_code, detail, micro, basis))

        if g.kind in needs_leader and not counts["leader"]:
            extra = "（由单位负责人担任）" if g.kind == "dedicated" else ""
            rule = "dedicated_leader_is_unit_head" if g.kind == "dedicated" else "leader_per_comprehensive_grid"
            gap("no_leader", f"staff.{rule}", f"没有在岗网格长{extra}")
        if g.kind in required and not counts["fulltime"]:
            gap("no_fulltime", "staff.fulltime_required_in", "没有在岗专职网格员")
        elif g.kind in advised and not counts["fulltime"]:
            gap("fulltime_advised", None, "没有在岗专职网格员（有条件的配备）")
        if (staff_policy.dedicated_staffed_by_host_unit and g.kind == "dedicated"
                and not any(counts[r] for r in UNIT_STAFF_ROLES)):
            gap("no_unit_staff", "staff.dedicated_staffed_by_host_unit", "没有在岗网格员（由专属网格所在单位负责配备）")
        if cap is not None and counts["professional"] > cap:
            gap("too_many_professionals", "staff.max_professionals_per_grid",
                f"在岗专业网格员 {counts['professional']} 名，超过上限 {cap} 名")
        volunteers = staff_policy.volunteers_per_micro_grid
        for m in sorted(micros_of.get(g.code, []), key=lambda m: m.code):
            mc = by_micro.get(m.code, Counter())
            need = staff_policy.liaisons_per_micro_grid
            if need is not None and mc["liaison"] < need:
                gap("no_liaison", "staff.liaisons_per_micro_grid",
                    f"{m.name}：在岗联络员 {mc['liaison']} 名，应为 {need} 名", m.code)
            if volunteers is not None and mc["volunteer"] < volunteers:
                gap("no_volunteer", "staff.volunteers_per_micro_grid",
                    f"{m.name}：在岗志愿者 {mc['volunteer']} 名，应至少 {volunteers} 名", m.code)
    return gaps


def policy_lines(staff_policy, requirement: RequirementOf = _all_local) -> list[str]:
    """The staffing rules the gaps are measured against, each worded by its source: "应当配备（JS§13）"
    where the text says so, "本地要求（本地设置，…）" for a local default."""
    lines = []

    def line(path: str, what: str, duty: str = "应当配备") -> None:
        req = requirement(path)
        lines.append(f"{what}：{req.wording(duty)}{req.cite()}")

    if staff_policy.leader_per_comprehensive_grid:
        line("staff.leader_per_comprehensive_grid", "每个综合网格设一名网格长", "应当设置")
    if staff_policy.fulltime_required_in:
        kinds = "、".join(VALUE_LABELS.get(str(k), str(k)) for k in staff_policy.fulltime_required_in)
        line("staff.fulltime_required_in", f"{kinds}配备专职网格员")
    if staff_policy.max_professionals_per_grid:
        line("staff.max_professionals_per_grid",
             f"每个网格专业网格员不超过 {staff_policy.max_professionals_per_grid} 名", "不得超过")
    if staff_policy.liaisons_per_micro_grid:
        line("staff.liaisons_per_micro_grid", f"每个微网格配备 {staff_policy.liaisons_per_micro_grid} 名联络员")
    if staff_policy.volunteers_per_micro_grid:
        line("staff.volunteers_per_micro_grid", f"每个微网格配备至少 {staff_policy.volunteers_per_micro_grid} 名志愿者")
    if staff_policy.leader_eligible_from:
        who = "、".join(leader_basis_label(b) for b in staff_policy.leader_eligible_from)
        line("staff.leader_eligible_from", f"网格长由{who}担任", "应当")
    return lines
