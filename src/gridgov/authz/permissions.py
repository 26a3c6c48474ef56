"""Permissions, and the table of which role holds which. Every route declares exactly one.

403 means "you can see this but your role may not do it"; what lies outside a user's jurisdiction
is a 404 (see :mod:`gridgov.authz.scope`).
"""

from __future__ import annotations

import enum

from gridgov.models.accounts import Role


class Permission(enum.StrEnum):
    PUBLIC = "public"
    SELF = "self"
    TERRITORY_READ = "territory.read"
    TERRITORY_IMPORT = "territory.import"
    ADJUSTMENT_PROPOSE = "adjustment.propose"
    ADJUSTMENT_APPROVE = "adjustment.approve"
    ADJUSTMENT_FILE = "adjustment.file"
    STAFF_READ = "staff.read"
    STAFF_WRITE = "staff.write"
    STAFF_REVEAL = "staff.reveal"
    DEPARTMENTS_READ = "departments.read"
    USERS_ADMIN = "users.admin"
    """用户管理: opens user administration. Which users and roles an actor may change is the
    accounts service's answer (:func:`gridgov.accounts.service.grant_problem`)."""
    USERS_SECURITY = "users.security"
    """管理审计员和安全管理员: the only way to create or change an auditor or a security admin."""
    AUDIT_READ = "audit.read"
    COMPLAINT_HANDLE = "complaint.handle"
    BOARD_MANAGE = "board.manage"
    CASES_READ = "cases.read"
    CASES_CREATE = "cases.create"
    CASES_ACT = "cases.act"
    CATALOGUE_APPLY = "catalogue.apply"
    CATALOGUE_MANAGE = "catalogue.manage"
    REGISTRY_READ = "registry.read"
    """查看基础信息 (一标三实, visits): lists show masks; which rows is the scope's answer (a
    department sees none unless its profile grants it)."""
    REGISTRY_WRITE = "registry.write"
    REGISTRY_REVEAL = "registry.reveal"
    """Reveal a person's full ID number or phone for one request, with a reason; audited."""
    REGISTRY_IMPORT = "registry.import"
    REGISTRY_EXPORT_FULL = "registry.export_full"
    """Export unmasked personal data, with a reason, watermarked and audited."""
    REGISTRY_REPORT = "registry.report"
    """A person's information report (PIPL art. 45): everything held on one person and who accessed it."""
    ANALYSIS_READ = "analysis.read"
    """Figures of the jurisdiction: KPIs, the dashboard, warnings, monthly reports, appraisal scores."""
    APPRAISAL_MANAGE = "appraisal.manage"
    """Run and store an appraisal period and a monthly report (the agency runs the appraisal: ZJ§28, JM§14)."""
    INTAKE_SUBMIT = "intake.submit"
    """Hand a case over from the 12345 hotline (JM§18) through ``POST /api/v1/intake``: hotline clients."""
    WEBHOOKS_MANAGE = "webhooks.manage"
    """Subscribe to the events of the cases a client may see (ZJ§10, LZ§22): API clients."""
    OPEN311_SUBMIT = "open311.submit"
    """Submit a service request through Open311 GeoReport v2: Open311 clients."""
    HOTLINE_CATEGORIES = "hotline.categories"
    """热线分类对照: keep the table mapping the 12345 hotline's classification to case types, and triage the
    hotline's cases whose category maps to none (issue 17). The agency's dispatchers and administrators: the
    dispatcher meets an unmapped category first and records the mapping for next time; a table of lookups
    kept by the agency, not the matter list (catalogue.manage), which is a decided list."""
    WEBHOOKS_OVERSEE = "webhooks.oversee"
    """See the webhook deliveries of the area's cases that failed after 24 hours of retries (issue 17)."""
    COGOVERNANCE_READ = "cogovernance.read"
    """查看共建共治: the legal professionals, mediation bodies, volunteers, teams and projects working in the
    jurisdiction's grids, their schedules and records (issue 18)."""
    COGOVERNANCE_MANAGE = "cogovernance.manage"
    """管理共建共治力量: register them, their schedules and grids, refer and assign work to them (the agency
    supports them: ZJ§23, JS§22, QZ§17; assigns tasks to special service teams: QZ§16)."""
    DELIBERATION_WRITE = "deliberation.write"
    """组织议事协商: record a community's deliberation with the worker's help (ZJ§20)."""
    COGOVERNANCE_TAKE_PART = "cogovernance.take_part"
    """参与共建共治: a partner's own work (:data:`~gridgov.models.accounts.PARTNER_ROLES`): the referrals, mediations,
    tasks or projects given to it, nothing else; which ones is the cogovernance service's answer."""


PERMISSION_LABELS: dict[Permission, str] = {
    Permission.PUBLIC: "公开访问",
    Permission.SELF: "本人账号",
    Permission.TERRITORY_READ: "查看辖区和网格",
    Permission.TERRITORY_IMPORT: "导入区域和网格",
    Permission.ADJUSTMENT_PROPOSE: "提出网格调整",
    Permission.ADJUSTMENT_APPROVE: "审批网格调整",
    Permission.ADJUSTMENT_FILE: "网格调整备案",
    Permission.STAFF_READ: "查看网格员",
    Permission.STAFF_WRITE: "管理网格员",
    Permission.STAFF_REVEAL: "查看网格员个人信息",
    Permission.DEPARTMENTS_READ: "查看联动部门",
    Permission.USERS_ADMIN: "用户管理",
    Permission.USERS_SECURITY: "管理审计员和安全管理员",
    Permission.AUDIT_READ: "查看审计日志",
    Permission.COMPLAINT_HANDLE: "处理投诉",
    Permission.BOARD_MANAGE: "管理公示牌和监督电话",
    Permission.CASES_READ: "查看事件",
    Permission.CASES_CREATE: "上报事件",
    Permission.CASES_ACT: "办理事件",
    Permission.CATALOGUE_APPLY: "申请事项清单",
    Permission.CATALOGUE_MANAGE: "管理事项清单",
    Permission.REGISTRY_READ: "查看基础信息",
    Permission.REGISTRY_WRITE: "登记基础信息和走访",
    Permission.REGISTRY_REVEAL: "查看完整个人信息",
    Permission.REGISTRY_IMPORT: "导入基础信息",
    Permission.REGISTRY_EXPORT_FULL: "导出未脱敏的基础信息",
    Permission.REGISTRY_REPORT: "出具个人信息报告",
    Permission.ANALYSIS_READ: "查看统计分析",
    Permission.APPRAISAL_MANAGE: "开展考核评价",
    Permission.INTAKE_SUBMIT: "热线转办事件",
    Permission.WEBHOOKS_MANAGE: "订阅事件推送",
    Permission.OPEN311_SUBMIT: "通过 Open311 提交事件",
    Permission.WEBHOOKS_OVERSEE: "查看推送失败",
    Permission.HOTLINE_CATEGORIES: "热线分类对照和待分类事件",
    Permission.COGOVERNANCE_READ: "查看共建共治",
    Permission.COGOVERNANCE_MANAGE: "管理共建共治力量",
    Permission.DELIBERATION_WRITE: "组织议事协商",
    Permission.COGOVERNANCE_TAKE_PART: "参与共建共治",
}
"""What each permission is called where a user reads it (a refusal, the audit log)."""


def permission_label(permission: Permission | str) -> str:
    """The Chinese name of a permission; the value itself if it names none."""
    try:
        return PERMISSION_LABELS[Permission(permission)]
    except ValueError:
        return str(permission)


_EVERYONE = {Permission.SELF}
_FIELD = _EVERYONE | {Permission.TERRITORY_READ, Permission.DEPARTMENTS_READ, Permission.CASES_READ}
_CASEWORK = {Permission.CASES_CREATE, Permission.CASES_ACT}
"""Who may act on a case at all; *which* action on *which* case is the lifecycle's answer."""
_REGISTER = {Permission.REGISTRY_READ, Permission.REGISTRY_WRITE}
"""Grid staff collect and verify the base data of their grids (一标三实; JS§9(2), QZ§10, JM§31)."""
_FIGURES = {Permission.ANALYSIS_READ}
_COGOV = {Permission.COGOVERNANCE_READ, Permission.DELIBERATION_WRITE}
"""Grid staff and agencies see who works with their grids and help residents deliberate (ZJ§20, ZJ§23)."""
_PARTNER = _EVERYONE | {Permission.COGOVERNANCE_TAKE_PART}
"""A partner's own work (issue 18); on a case, only the actions the lifecycle gives it."""
"""Agencies review and analyse the data of their area (JM§21); leaders and departments read their own figures."""

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Separation of duties (等保 三员): the system administrator holds everything except the
    # management of auditors and security administrators, which only the security administrator has.
    Role.SYSADMIN: frozenset(Permission) - {Permission.USERS_SECURITY},
    Role.SECURITY_ADMIN: frozenset(_EVERYONE | {Permission.USERS_ADMIN, Permission.USERS_SECURITY}),
    Role.AGENCY_ADMIN: frozenset(
        _FIELD
        | {
            Permission.TERRITORY_IMPORT,
            Permission.ADJUSTMENT_PROPOSE,
            Permission.ADJUSTMENT_APPROVE,
            Permission.ADJUSTMENT_FILE,
            Permission.STAFF_READ,
            Permission.STAFF_WRITE,
            Permission.STAFF_REVEAL,
            Permission.USERS_ADMIN,
            Permission.COMPLAINT_HANDLE,
            Permission.BOARD_MANAGE,
            Permission.CATALOGUE_APPLY,
            Permission.CATALOGUE_MANAGE,
            Permission.REGISTRY_REVEAL,
            Permission.REGISTRY_IMPORT,
            Permission.REGISTRY_EXPORT_FULL,
            Permission.REGISTRY_REPORT,
            Permission.APPRAISAL_MANAGE,
            Permission.WEBHOOKS_OVERSEE,
            Permission.HOTLINE_CATEGORIES,
            Permission.COGOVERNANCE_MANAGE,
            # Held so that the agency administrator may open partners' accounts (grant_problem: no one
            # hands out a power it lacks); its own partner pages show nothing, as nothing is referred to it.
            Permission.COGOVERNANCE_TAKE_PART,
        }
        | _CASEWORK
        | _FIGURES
        | _REGISTER
        | _COGOV
    ),
    Role.AGENCY_DISPATCHER: frozenset(
        _FIELD | _CASEWORK | {Permission.ADJUSTMENT_PROPOSE, Permission.STAFF_READ, Permission.COMPLAINT_HANDLE,
                              Permission.CATALOGUE_APPLY, Permission.REGISTRY_READ, Permission.HOTLINE_CATEGORIES,
                              Permission.COGOVERNANCE_MANAGE}
        | _FIGURES
        | _COGOV
    ),
    Role.DEPT_RECEIVER: frozenset(_FIELD | _FIGURES | {Permission.CASES_ACT, Permission.CATALOGUE_APPLY,
                                                       Permission.REGISTRY_READ}),
    Role.DEPT_HANDLER: frozenset(_FIELD | {Permission.CASES_ACT, Permission.CATALOGUE_APPLY,
                                           Permission.REGISTRY_READ}),
    Role.INSTRUCTOR: frozenset(_FIELD | _FIGURES | _COGOV | {Permission.STAFF_READ, Permission.REGISTRY_READ}),
    Role.CHIEF_LEADER: frozenset(_FIELD | _FIGURES | _COGOV | {Permission.STAFF_READ, Permission.REGISTRY_READ}),
    Role.LEADER: frozenset(_FIELD | _CASEWORK | _REGISTER | _FIGURES | _COGOV | {Permission.STAFF_READ}),
    Role.FULLTIME: frozenset(_FIELD | _CASEWORK | _REGISTER | _COGOV),
    Role.PARTTIME: frozenset(_FIELD | _CASEWORK | _REGISTER | _COGOV),
    Role.PROFESSIONAL: frozenset(_FIELD | _CASEWORK | _REGISTER | _COGOV),
    Role.LIAISON: frozenset(_FIELD),
    Role.VOLUNTEER: frozenset(_FIELD),
    Role.AUDITOR: frozenset(_EVERYONE | {Permission.AUDIT_READ}),
    # Other systems (issue 17): only what their channel needs. A hotline or an Open311 app reads the
    # cases it handed over; a department's system acts on its department's cases as its receiver would.
    Role.HOTLINE_CLIENT: frozenset({Permission.INTAKE_SUBMIT, Permission.WEBHOOKS_MANAGE, Permission.CASES_READ}),
    Role.DEPARTMENT_CLIENT: frozenset({Permission.CASES_READ, Permission.CASES_ACT, Permission.DEPARTMENTS_READ,
                                       Permission.WEBHOOKS_MANAGE}),
    Role.OPEN311_CLIENT: frozenset({Permission.OPEN311_SUBMIT, Permission.WEBHOOKS_MANAGE, Permission.CASES_READ}),
    # Partners (issue 18): a legal professional and a mediator read and act on the cases given to them
    # (the case scope and the lifecycle say which); a team member and a social organisation only their work.
    Role.LEGAL_PROFESSIONAL: frozenset(_PARTNER | {Permission.CASES_READ, Permission.CASES_ACT}),
    Role.MEDIATOR: frozenset(_PARTNER | {Permission.CASES_READ, Permission.CASES_ACT}),
    Role.TEAM_MEMBER: frozenset(_PARTNER),
    Role.SOCIAL_ORG: frozenset(_PARTNER),
}


def role_can(role: str, permission: Permission) -> bool:
    if permission == Permission.PUBLIC:
        return True
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def route_permissions(app) -> list[tuple[str, set[str], list[Permission]]]:
    """(path, methods, declared permissions) of every API route, walking included routers."""
    return [(path, methods, [c.permission for c in calls if hasattr(c, "permission")])
            for path, methods, calls in route_dependencies(app)]


def route_dependencies(app) -> list[tuple[str, set[str], list]]:
    """(path, methods, every dependency it calls) of every API route, walking included routers.

    FastAPI ≥ 0.160 keeps included routers as nodes (``original_router``) instead of copying their
    routes into the app, so the walk follows both shapes.
    """
    from fastapi.routing import APIRoute

    found: list[tuple[str, set[str], list]] = []

    def walk(routes, prefix: str, inherited: list) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                context = route.include_context
                walk(included.routes, prefix + context.prefix, inherited + list(context.dependencies))
            elif isinstance(route, APIRoute):
                calls = [d.dependency for d in inherited] + _calls(route.dependant)
                found.append((prefix + route.path, set(route.methods), calls))

    walk(app.routes, "", [])
    return found


def _calls(dependant) -> list:
    out = []
    for dep in dependant.dependencies:
        out.append(dep.call)
        out.extend(_calls(dep))
    return out
