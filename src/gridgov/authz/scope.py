"""THE door for jurisdiction: the one place a principal becomes the rows it may see.

Every scoped table has one rule here (:data:`RULES`), written once: given a principal, a WHERE
clause selecting the rows it may see. Repositories and services build every query on a scoped
table through this module:

* ``scoped(stmt, principal, Model)``: ``stmt`` (a select, update or delete on ``Model``) restricted
  to what the principal may see;
* ``get_visible(session, principal, Model, key)``: one row by primary key, or None when it is
  missing *or* outside the jurisdiction (callers answer both with the same 404);
* ``covers(principal, code)``: whether a territorial code lies inside the jurisdiction (for codes
  typed by the user before the row exists: a new case's grid, a new user's scope).

There is no ``None`` that means "everything": the system itself (CLI commands, jobs, demo builders)
passes :data:`SYSTEM`, by name. Passing ``None`` raises ``TypeError``. ``tests/authz/test_scope_door.py``
fails when a query on one of these tables is built anywhere else.

What lies outside a user's jurisdiction is reported as missing (404 with the same message as a
missing row), never as forbidden.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Boolean, ColumnElement, Select, and_, exists, false, or_, select, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.visitors import InternalTraversal

from gridgov import areas
from gridgov.authz.principal import Principal
from gridgov.models import (
    Area,
    AuditEntry,
    BoardComplaint,
    Case,
    CaseAssignment,
    CaseDepartment,
    CatalogueList,
    Department,
    Grid,
    GridAdjustment,
    Instruction,
    MicroGrid,
    Notification,
    Post,
    StaffMember,
    SupervisionOrder,
    User,
)
from gridgov.models.accounts import (
    AGENCY_ROLES,
    CASE_PARTNER_ROLES,
    DEPARTMENT_ROLES,
    GRID_WORKER_ROLES,
    HANDOVER_CLIENT_ROLES,
)
from gridgov.models.analysis import CaseFact
from gridgov.models.analysis_appraisal import AppraisalRun, AppraisalScore
from gridgov.models.analysis_reports import MonthlyReport
from gridgov.models.analysis_store import FactCell
from gridgov.models.catalogue import CatalogueApplication, Matter, RectificationNotice
from gridgov.models.registry import Address, House, ImportRun, Person, PersonTag, Unit, Visit
from gridgov.models.territory import GridVersion

SYSTEM = Principal.for_system()
"""The system itself: CLI commands, scheduled jobs, demo builders, and work a use case does on
the system's behalf (fanning notices out to users elsewhere). Sees every row."""

INSTRUCTION_STATUSES_FOR_WORKERS = ("sent", "completed", "declined")
"""What grid staff see of instructions: those sent to them and their outcome (not requests)."""

Rule = Callable[[Principal, bool], ColumnElement[bool]]
RULES: dict[type, Rule] = {}
"""Scoped table → its rule. ``tests/authz/test_scope_door.py`` reads the keys."""

S = TypeVar("S")

PARTNER_CASES: dict[str, Callable[[Principal], ColumnElement[bool]]] = {}
"""Role → the cases a partner of that role sees (issue 18: a legal professional those referred to it, a
mediator those passed to its mediation body), registered by :mod:`gridgov.authz.scope_cogovernance`. A
partner role with no entry sees no case."""


def rule(*models: type):
    def register(fn: Rule) -> Rule:
        for model in models:
            RULES[model] = fn
        return fn

    return register


def _check(principal: Principal) -> None:
    if not isinstance(principal, Principal):
        raise TypeError("作用域需要一个主体：系统作业请明确传入 authz.scope.SYSTEM，而不是 None")


def department_of(principal: Principal) -> str | None:
    """The department a department user acts for ("" for one without a department: sees nothing
    by department); None for every other role. Department visibility is decided here only."""
    if principal.role in DEPARTMENT_ROLES:
        return principal.department_code or ""
    return None


def _next_prefix(prefix: str) -> str | None:
    """The smallest digit string above every string that starts with ``prefix`` (digits only):
    ``3211`` → ``3212``, ``32119`` → ``3212``; None for ``99…9``."""
    digits = prefix.rstrip("9")
    if not digits:
        return None
    return digits[:-1] + str(int(digits[-1]) + 1)


class InSubquery(ColumnElement[bool]):
    """``column IN (subquery)``, written on PostgreSQL as ``column = ANY(ARRAY(subquery))`` (issue 19):
    beside a jurisdiction's range in an OR, PostgreSQL turns ``IN (subquery)`` into a hashed subplan
    tested on every row, so it reads the whole table; the array is computed once and searched in the
    index, so the OR becomes a BitmapOr of two index scans (tests/system/test_explain.py)."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("subquery", InternalTraversal.dp_clauseelement)]

    def __init__(self, column, subquery: Select) -> None:
        self.column, self.subquery = column, subquery


@compiles(InSubquery)
def _in_subquery(element: InSubquery, compiler, **kw) -> str:
    return compiler.process(element.column.in_(element.subquery), **kw)


@compiles(InSubquery, "postgresql")
def _in_subquery_pg(element: InSubquery, compiler, **kw) -> str:
    return (f"{compiler.process(element.column, **kw)} = "
            f"ANY(ARRAY{compiler.process(element.subquery.scalar_subquery(), **kw)})")


def starts_with(column, prefix: str) -> ColumnElement[bool]:
    """``column`` starts with the territorial ``prefix``, written as a range on the column
    (``column >= '3211' AND column < '3212'``) so that both databases search its index: SQLite never
    uses an index for ``LIKE ? || '%'`` (what ``startswith`` compiles to), and PostgreSQL only under
    the C collation. Codes are digit strings, which every collation orders digit by digit."""
    upper = _next_prefix(prefix) if prefix.isdigit() else None
    if not prefix.isdigit() or upper is None:
        return column.startswith(prefix)
    return and_(column >= prefix, column < upper)


def within(principal: Principal, column) -> ColumnElement[bool]:
    """``column`` (a territorial code) lies inside the jurisdiction."""
    _check(principal)
    return starts_with(column, principal.prefix)


def _within_or_above(principal: Principal, column) -> ColumnElement[bool]:
    """Inside the jurisdiction, or one of the areas above it (for navigation and the lists,
    departments and catalogues a place works with)."""
    if len(principal.scope_code) < areas.AREA_CODE_LEN:
        return within(principal, column)
    ancestors = areas.ancestor_codes(principal.scope_code[: areas.AREA_CODE_LEN])
    return or_(starts_with(column, principal.prefix), column.in_(ancestors))


def _nothing() -> ColumnElement[bool]:
    return false()


# ---------------------------------------------------------------- the rules, one per table


@rule(Area)
def _areas(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return _within_or_above(p, Area.code) if ancestors else within(p, Area.code)


@rule(Grid)
def _grids(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return within(p, Grid.code)


@rule(MicroGrid)
def _micro_grids(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return within(p, MicroGrid.code)


@rule(GridVersion)
def _grid_versions(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return within(p, GridVersion.grid_code)


@rule(Post)
def _posts(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return within(p, Post.scope_code)


@rule(StaffMember)
def _staff(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """Managed inside the jurisdiction, or holding a post there (a grid leader sees the workers of
    its grid; a town agency the people it manages and those serving in its grids)."""
    managed = select(StaffMember.id).where(within(p, StaffMember.area_code))
    posted = select(Post.staff_id).where(within(p, Post.scope_code))
    ids = union(managed, posted).subquery()
    return StaffMember.id.in_(select(ids.c[0]))


@rule(User)
def _users(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return within(p, User.scope_code)


@rule(Department)
def _departments(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return _within_or_above(p, Department.area_code) if ancestors else within(p, Department.area_code)


@rule(Case)
def _cases(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """A department sees the cases dispatched to it (as lead or assisting, now or earlier); every
    other role the cases whose grid lies in its jurisdiction, and the cases a case it reported was
    merged into as a duplicate (the reporter follows the case its report joined, issue 14); a grid
    worker also those of a neighbouring grid with no worker that were assigned to it (now or earlier:
    it is a party)."""
    dept = department_of(p)
    if dept is not None:
        if not dept:
            return _nothing()
        return exists().where(CaseDepartment.case_id == Case.id, CaseDepartment.department_code == dept)
    if p.role in HANDOVER_CLIENT_ROLES:  # a hotline or an Open311 app follows the cases it handed over
        return Case.created_by == p.user_id
    if p.role in CASE_PARTNER_ROLES:  # a lawyer or a mediator sees what was given to it, nothing else
        partner = PARTNER_CASES.get(p.role)
        return partner(p) if partner is not None and p.user_id else _nothing()
    here = within(p, Case.grid_code)
    if p.system or not p.user_id:
        return here
    dup = aliased(Case)
    joined = select(dup.merged_into_id).where(dup.reporter_user_id == p.user_id, dup.merged_into_id.is_not(None))
    if p.role in GRID_WORKER_ROLES:
        assigned = exists().where(CaseAssignment.case_id == Case.id, CaseAssignment.user_id == p.user_id)
        return or_(here, InSubquery(Case.id, joined), assigned)
    return or_(here, InSubquery(Case.id, joined))


@rule(CaseFact)
def _case_facts(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """Figures: a department counts the cases it leads (was last dispatched to as lead); every other
    role the cases whose grid lies in its jurisdiction."""
    dept = department_of(p)
    if dept is not None:
        return CaseFact.department_code == dept if dept else _nothing()
    return within(p, CaseFact.grid_code)


@rule(SupervisionOrder)
def _orders(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """An order is seen by whoever sees its case."""
    return exists().where(Case.id == SupervisionOrder.case_id, _cases(p, False))


@rule(Instruction)
def _instructions(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """Departments see their own requests; agencies by grid; grid staff only what was sent to them."""
    dept = department_of(p)
    if dept is not None:
        return Instruction.requested_by_department == dept if dept else _nothing()
    clause = within(p, Instruction.grid_code)
    if p.role not in AGENCY_ROLES:
        clause = clause & Instruction.status.in_(INSTRUCTION_STATUSES_FOR_WORKERS)
    return clause


@rule(CatalogueList)
def _catalogue_lists(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return _within_or_above(p, CatalogueList.area_code) if ancestors else within(p, CatalogueList.area_code)


@rule(CatalogueApplication)
def _applications(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    dept = department_of(p)
    if dept is not None:
        return CatalogueApplication.department_code == dept if dept else _nothing()
    return within(p, CatalogueApplication.area_code)


@rule(RectificationNotice)
def _notices(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """A department sees the notices issued to it; an agency those on the lists of its jurisdiction."""
    dept = department_of(p)
    if dept is not None:
        return RectificationNotice.department_code == dept if dept else _nothing()
    on_lists = (select(Matter.id).join(CatalogueList, CatalogueList.id == Matter.list_id)
                .where(within(p, CatalogueList.area_code)))
    return RectificationNotice.matter_id.in_(on_lists)


@rule(BoardComplaint)
def _complaints(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return within(p, BoardComplaint.grid_code)


@rule(GridAdjustment)
def _adjustments(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return within(p, GridAdjustment.town_code)


@rule(Notification)
def _notifications(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """A user's own notices only."""
    return Notification.user_id == p.user_id


@rule(AuditEntry)
def _audit(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    return within(p, AuditEntry.area_code)


REGISTER_BASE = (Address, House, Person, Unit)
"""The base data (一标三实) a department may be granted (``registry.department_access``); special-group
tags and visits stay with grid staff and agencies whatever the grant."""


def _register_rule(model: type) -> Rule:
    grantable = model in REGISTER_BASE

    def rule_for(p: Principal, ancestors: bool) -> ColumnElement[bool]:
        if department_of(p) is not None and not (grantable and p.registry_granted):
            return _nothing()
        return within(p, model.scope_code)

    rule_for.__doc__ = f"""{model.__name__} by its ``scope_code`` (its grid, else its village/community):
    a worker its grids, a town its town. Departments see none of the register by default; a department
    whose kind the profile grants (``Principal.registry_granted``) reads the base data of its area."""
    return rule(model)(rule_for)


for _model in (Address, House, Person, Unit, PersonTag, Visit):
    _register_rule(_model)


@rule(ImportRun)
def _import_runs(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """A register import run: the user who started it, and whoever's jurisdiction holds the
    jurisdiction it was started in (a county sees its towns' runs); departments only their own."""
    own = ImportRun.user_id == p.user_id
    if department_of(p) is not None:
        return own
    return or_(own, within(p, ImportRun.scope_code))


@rule(MonthlyReport)
def _monthly_reports(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """A kept monthly report by the area it reports on: whoever's jurisdiction holds that area (a
    county sees its own and its towns' reports, not the city's). Departments see none: a kept report
    counts every department's cases (they read their own figures live)."""
    if department_of(p) is not None:
        return _nothing()
    return within(p, MonthlyReport.area_code)


@rule(AppraisalRun)
def _appraisal_runs(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """A stored appraisal run by the area it covers: seen by whoever's jurisdiction holds that whole
    area (a town does not see its county's run, which ranks the other towns). Departments see no
    stored run (they read their own live figures)."""
    return _nothing() if department_of(p) is not None else within(p, AppraisalRun.area_code)


@rule(AppraisalScore)
def _appraisal_scores(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """A stored score is seen by whoever sees its run (its ``area_code`` is the run's)."""
    return _nothing() if department_of(p) is not None else within(p, AppraisalScore.area_code)


# ---------------------------------------------------------------- the door


def visible(principal: Principal, model: type, *, ancestors: bool = False) -> ColumnElement[bool] | None:
    """The WHERE clause of the rows of ``model`` the principal may see (None for :data:`SYSTEM`).
    ``ancestors``: also the areas above the jurisdiction (areas, departments, catalogue lists)."""
    _check(principal)
    if model not in RULES:
        raise KeyError(f"{model.__name__} 不是受辖区约束的表")
    if principal.system:
        return None
    return RULES[model](principal, ancestors)


def scoped(stmt: S, principal: Principal, model: type, *, ancestors: bool = False) -> S:
    """``stmt`` (a select, update or delete touching ``model``) restricted to the rows of ``model``
    the principal may see."""
    clause = visible(principal, model, ancestors=ancestors)
    return stmt if clause is None else stmt.where(clause)


def get_visible(session: Session, principal: Principal, model: type, key: Any, *, for_update: bool = False,
                ancestors: bool = False):
    """The row of ``model`` with primary key ``key`` if the principal may see it, else None
    (missing and outside look the same)."""
    _check(principal)
    if key is None:
        return None
    if principal.system and not for_update:
        return session.get(model, key)
    pk = model.__mapper__.primary_key[0]
    stmt: Select = scoped(select(model).where(pk == key), principal, model, ancestors=ancestors)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def covers(principal: Principal, code: str) -> bool:
    """Whether a territorial code (area, grid or micro-grid) lies inside the jurisdiction."""
    _check(principal)
    return principal.system or principal.covers(code)


def sees_area(principal: Principal, code: str) -> bool:
    """An area inside the jurisdiction or above it."""
    _check(principal)
    return principal.system or principal.sees_area(code)


@rule(FactCell)
def _fact_cells(p: Principal, ancestors: bool) -> ColumnElement[bool]:
    """The counters of the cases a principal counts (as for :class:`CaseFact`): a department only
    the cells of its own key in the dimension ``department``; every other role the cells of the
    areas (and grids) inside its jurisdiction."""
    dept = department_of(p)
    if dept is not None:
        return and_(FactCell.dim == "department", FactCell.key == dept) if dept else _nothing()
    return within(p, FactCell.area)
