"""Where each role lands and what its menu holds.

A role lands on its work: a grid worker on its cases (with the report button), a 网格长 on the
overview of its grid, a dispatcher on its inbox, a department on its queue, an auditor on the audit
log, an administrator on what it administers. The menu lists only pages the role may open, in
groups; the case pages of a role are the same list its case pages show as tabs.
"""

from __future__ import annotations

from gridgov.authz.permissions import Permission, role_can
from gridgov.models.accounts import (
    AGENCY_ROLES,
    DEPARTMENT_ROLES,
    GRID_ROLES,
    GRID_WORKER_ROLES,
    TERRITORY_ADMIN_ROLES,
    Role,
)


def party(role: str) -> str:
    """Which case pages a role works with: a grid's worker, its leader, an agency, a department,
    or a reader."""
    if role == Role.LEADER:
        return "leader"
    if role == Role.LEGAL_PROFESSIONAL:
        return "legal"
    if role in GRID_WORKER_ROLES:
        return "worker"
    if role in AGENCY_ROLES:
        return "agency"
    if role in DEPARTMENT_ROLES:
        return "department"
    return "reader"


CASE_TABS: dict[str, list[tuple[str, str]]] = {
    "worker": [("/cases/mine", "我的事件"), ("/cases/new", "上报事件")],
    "leader": [("/cases/overview", "总览"), ("/cases/mine", "网格事件"), ("/cases/new", "上报事件")],
    "agency": [("/cases/inbox", "待办"), ("/cases/overview", "总览"), ("/cases/mine", "辖区事件"),
               ("/cases/new", "上报事件")],
    "department": [("/cases/department", "部门事件"), ("/cases/mine", "查找事件")],
    "reader": [("/cases/overview", "总览"), ("/cases/mine", "辖区事件")],
    "legal": [("/cogovernance/legal/referrals", "转请我的事件")],
}
"""The case pages each kind of user works with, in the order it uses them (the first is its
landing). ``/cases/new`` shows only to a role that may report (``cases.create``)."""

HOME_ROLES = TERRITORY_ADMIN_ROLES


def case_tabs(role: str) -> list[tuple[str, str]]:
    if not role_can(role, Permission.CASES_READ):
        return []
    return [(href, label) for href, label in CASE_TABS[party(role)]
            if href != "/cases/new" or role_can(role, Permission.CASES_CREATE)]


PARTNER_LANDINGS = {Role.MEDIATOR: "/cogovernance/mediation", Role.TEAM_MEMBER: "/cogovernance/teams/tasks",
                    Role.SOCIAL_ORG: "/cogovernance/projects"}
"""Partners land on their own work (issue 18): a mediator on the disputes at its bodies, a team member on its
team's tasks, a social organisation's account on its projects."""


def landing_page(role: str) -> str:
    """Where a login without ``next`` (and ``/``) takes a role: its work."""
    if role in HOME_ROLES:
        return "/"
    if role in PARTNER_LANDINGS:
        return PARTNER_LANDINGS[role]
    tabs = case_tabs(role)
    if tabs:
        return tabs[0][0]
    for href, permission in (("/audit", Permission.AUDIT_READ), ("/users", Permission.USERS_ADMIN)):
        if role_can(role, permission):
            return href
    return "/account"


def _not_grid(role: str) -> bool:
    return role not in GRID_ROLES


def _home(role: str) -> bool:
    return role in HOME_ROLES


def _mediation(role: str) -> bool:
    """The mediation queue: a mediator's own work, or staff who read cogovernance (not departments)."""
    return role == Role.MEDIATOR or role_can(role, Permission.COGOVERNANCE_READ)
def _sees_teams(role: str) -> bool:
    return role_can(role, Permission.COGOVERNANCE_READ) or role == Role.TEAM_MEMBER


def _sees_projects(role: str) -> bool:
    return role_can(role, Permission.COGOVERNANCE_READ) or role == Role.SOCIAL_ORG


# (group, [(path, label, permission, extra test of the role or None)])
NAV_GROUPS: tuple[tuple[str, tuple[tuple[str, str, str, object], ...]], ...] = (
    ("事件", (
        ("/instructions", "交办", "cases.read", None),
        ("/hotline/triage", "待分类热线事件", "hotline.categories", None),
        ("/hotline/categories", "热线分类对照", "hotline.categories", None),
    )),
    ("共建共治", (
        ("/cogovernance/legal", "法律服务进网格", "cogovernance.read", None),
        ("/cogovernance/deliberations", "议事协商", "cogovernance.read", None),
        ("/cogovernance/mediation", "矛盾纠纷调解", "cases.read", _mediation),
        ("/cogovernance/mediation/bodies", "调解组织", "cogovernance.read", None),
        ("/cogovernance/volunteers", "志愿者和信息员", "cogovernance.read", None),
        ("/cogovernance/teams/tasks", "服务队任务", "self", _sees_teams),
        ("/cogovernance/teams", "专项服务队", "cogovernance.read", None),
        ("/cogovernance/projects", "服务项目", "self", _sees_projects),
    )),
    ("数据分析", (
        ("/dashboard", "领导驾驶舱", "analysis.read", None),
        ("/warnings", "预警", "analysis.read", None),
        ("/reports/monthly", "月度分析报告", "analysis.read", _not_grid),
        ("/appraisal", "考核评价", "analysis.read", None),
        ("/index", "治理指数", "analysis.read", None),
        ("/stats/cogovernance", "共建共治统计", "analysis.read", None),
    )),
    ("辖区", (
        ("/", "辖区概况", "territory.read", _home),
        ("/areas", "区域", "territory.read", None),
        ("/grids", "网格", "territory.read", None),
        ("/map", "地图", "territory.read", None),
        ("/coverage", "覆盖检查", "territory.read", _not_grid),
        ("/staff", "网格员", "staff.read", None),
        ("/adjustments", "网格调整", "adjustment.propose", None),
    )),
    ("基础信息", (
        ("/registry/people", "实有人口", "registry.read", None),
        ("/registry/addresses", "标准地址", "registry.read", None),
        ("/registry/units", "实有单位", "registry.read", None),
        ("/registry/care", "走访", "registry.read", None),
    )),
    ("清单", (
        ("/catalogue", "事项清单", "self", None),
        ("/catalogue/applications", "清单申请", "catalogue.apply", None),
        ("/public/stats", "公开统计", "public", None),
    )),
    ("管理", (
        ("/complaints", "投诉", "complaint.handle", None),
        ("/supervision-phones", "监督电话", "board.manage", None),
        ("/users", "用户", "users.admin", None),
        ("/audit", "审计日志", "audit.read", None),
        ("/webhooks/failed", "推送失败", "webhooks.oversee", None),
    )),
)
"""The menu in groups; the 事件 group starts with the role's case pages (:func:`case_tabs`). A
coverage check is an agency's tool: a grid's worker has no area to check (its scope is a grid)."""


def menu(role: str, path: str) -> list[dict]:
    """The groups of the role's menu, each with the links it may open; empty groups are left out."""
    groups = []
    for label, entries in NAV_GROUPS:
        links = [(href, text) for href, text, permission, test in entries
                 if role_can(role, Permission(permission)) and (test is None or test(role))]
        if label == "事件":
            links = case_tabs(role) + links
        items = [{"href": href, "label": text,
                  "active": path == href or (href not in ("/", "/catalogue") and path.startswith(href + "/"))
                  or (href == "/catalogue" and path.startswith("/catalogue/") and
                      not path.startswith("/catalogue/applications"))}
                 for href, text in links]
        if items:
            groups.append({"label": label, "links": items, "active": any(i["active"] for i in items)})
    return groups
