"""A real city's first day (``gridgov setup``): what a new, non-demo instance needs before anyone can work.

The steps, each idempotent (a step already done is left as it is and says so): the city's territory
file (the ordinary import, :mod:`gridgov.territory.transfer`, only while the database holds no area),
the profile's linkage departments for the city, its counties and towns under the names the city gives
them (a CSV the city edits, :func:`department_rows` / :func:`read_department_names`), the profile's
starter list of grid work published as version 1 (:func:`gridgov.catalogue.starter.seed_catalogue`),
the first administrators (created by the command through :func:`gridgov.accounts.service.create_user`,
which refuses the demo password outside demo mode) and a check of the result (:func:`check`).
Everything runs as the system; the functions never commit.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.scope import SYSTEM, get_visible, scoped
from gridgov.catalogue.starter import seed_catalogue
from gridgov.departments.service import department_code, seed_departments
from gridgov.errors import Invalid
from gridgov.kit.spreadsheet import csv_text
from gridgov.models import Area, Department, Grid, User
from gridgov.models.accounts import FIRST_ADMIN_ROLES, Role
from gridgov.models.catalogue import CatalogueList
from gridgov.models.territory import AreaLevel, GridStatus
from gridgov.territory import rules, transfer

ADMIN_ROLES = FIRST_ADMIN_ROLES
DEPARTMENT_LEVELS = (AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWN)
CSV_COLUMNS = (("code", "部门编码"), ("area_code", "区域代码"), ("area_name", "区域"), ("kind_name", "部门类别"),
               ("name", "部门名称"))
MAX_NAME = 100


@dataclass
class Check:
    """What the instance holds after the first day, and what is still missing."""

    city_code: str | None = None
    city_name: str = ""
    areas: int = 0
    grids: int = 0
    departments: int = 0
    users: int = 0
    admins: dict[str, int] = field(default_factory=dict)
    lists: int = 0
    lists_published: int = 0
    city_version: int = 0
    problems: list[str] = field(default_factory=list)


def city(session: Session) -> Area | None:
    """The city the instance serves: its top area, which must be a city (市) for the lists and departments."""
    top = session.scalars(scoped(select(Area).where(Area.parent_code.is_(None)), SYSTEM, Area)
                          .order_by(Area.code).limit(1)).first()
    return top


def import_territory(session: Session, data: Any, *, profile, now: datetime) -> str:
    """Imports the city's territory file while the database holds no area; else says it is there."""
    areas = _count(session, Area)
    if areas:
        return (f"区划：已有 {areas} 个区域、{_active_grids(session)} 个网格，未重复导入"
                "（以后的调整用 gridgov grids import 或网格调整）")
    result = transfer.import_feature_collection(session, SYSTEM, data, profile=profile, now=now)
    return (f"区划：导入区域 {result.areas_created} 个、网格 {result.grids_created} 个、"
            f"微网格 {result.micro_grids_created} 个")


def _department_areas(session: Session, city_code: str) -> list[Area]:
    return list(session.scalars(scoped(select(Area).where(
        Area.code.startswith(rules.area_prefix(city_code)), Area.level.in_([str(v) for v in DEPARTMENT_LEVELS]),
    ), SYSTEM, Area).order_by(Area.code)))


def department_rows(session: Session, profile, city_code: str) -> list[dict[str, str]]:
    """One row per department the profile sets at the city's levels, with the name it has (or will
    have by default): the template the city edits (only the name column is read back)."""
    rows = []
    for area in _department_areas(session, city_code):
        for kind in profile.departments:
            if area.level not in kind.levels:
                continue
            code = department_code(area.code, kind.code)
            existing = get_visible(session, SYSTEM, Department, code)
            rows.append({"code": code, "area_code": area.code, "area_name": area.name, "kind_name": kind.name,
                         "name": existing.name if existing else f"{area.name}{kind.name}部门"})
    return rows


def department_csv(rows: list[dict[str, str]]) -> str:
    """The template as CSV with a BOM (spreadsheets open it as UTF-8) and Chinese headings, written
    like every export (gridgov.kit.spreadsheet: no cell a spreadsheet would run as a formula)."""
    return csv_text([heading for _, heading in CSV_COLUMNS], ([row[key] for key, _ in CSV_COLUMNS] for row in rows))


def read_department_names(text: str, rows: list[dict[str, str]]) -> dict[str, str]:
    """The names of an edited template: code → name. Every bad line is reported with its number
    (the header is line 1), nothing is taken unless every line is good. A row left out keeps the
    default name; a code the profile does not set here is an error."""
    known = {r["code"] for r in rows}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    headings = [h.strip() for h in header or []]
    if "部门编码" not in headings or "部门名称" not in headings:
        raise Invalid("部门名称文件须有表头“部门编码”和“部门名称”（用 gridgov setup departments-template 生成）")
    i_code, i_name = headings.index("部门编码"), headings.index("部门名称")
    names: dict[str, str] = {}
    errors: list[dict[str, Any]] = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        code = cells[i_code].strip() if len(cells) > i_code else ""
        name = cells[i_name].strip() if len(cells) > i_name else ""
        if code not in known:
            errors.append({"line": line, "error": f"部门编码 {code or '（空）'} 不是本市按政策配置设置的部门"})
        elif code in names:
            errors.append({"line": line, "error": f"部门编码 {code} 重复"})
        elif not name or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
            errors.append({"line": line, "error": f"部门名称须为 1–{MAX_NAME} 个字符"})
        else:
            names[code] = name
    if errors:
        raise Invalid(f"部门名称文件有 {len(errors)} 行有误，未写入任何部门", details=errors)
    return names


def seed_city_departments(session: Session, profile, city_code: str, names: dict[str, str], *,
                          now: datetime) -> str:
    """Creates the profile's departments of the city, its counties and towns (named from ``names``,
    else by default) and renames an existing one whose name ``names`` changes."""
    created = seed_departments(session, profile, _department_areas(session, city_code), now=now, names=names)
    renamed = 0
    for code, name in names.items():
        dept = get_visible(session, SYSTEM, Department, code)
        if dept is not None and dept.name != name:
            dept.name = name
            renamed += 1
    session.flush()
    if not created and not renamed:
        return f"联动部门：已有 {_count(session, Department)} 个，未更改"
    return f"联动部门：新建 {created} 个" + (f"，改名 {renamed} 个" if renamed else "")


def seed_lists(session: Session, profile, city_code: str, *, now: datetime) -> str:
    return seed_catalogue(session, profile, city_code, now=now)


def admins_present(session: Session) -> dict[str, int]:
    """How many active accounts each first-administrator role has."""
    stmt = scoped(select(User.role, func.count()).where(User.is_active, User.role.in_([str(r) for r in ADMIN_ROLES]))
                  .group_by(User.role), SYSTEM, User)
    return {str(role): n for role, n in session.execute(stmt).all()}


def check(session: Session) -> Check:
    """Counts what the instance holds and lists what the first day still lacks (Chinese sentences)."""
    result = Check(areas=_count(session, Area), grids=_active_grids(session), departments=_count(session, Department),
                   users=_count(session, User), admins=admins_present(session))
    top = city(session)
    if top is not None:
        result.city_code, result.city_name = top.code, top.name
        lists = session.scalars(scoped(select(CatalogueList).where(
            CatalogueList.area_code.startswith(rules.area_prefix(top.code))), SYSTEM, CatalogueList)).all()
        result.lists = len(lists)
        result.lists_published = sum(1 for cl in lists if cl.current_version >= 1)
        result.city_version = max((cl.current_version for cl in lists if cl.area_code == top.code), default=0)
    if not result.areas or top is None:
        result.problems.append("没有区域：请导入本市的区划网格文件")
    elif top.level != AreaLevel.CITY:
        result.problems.append(f"最上级区域 {top.name}（{top.code}）不是市级：事项清单与联动部门以市为单位设置")
    if not result.grids:
        result.problems.append("没有网格")
    if not result.departments:
        result.problems.append("没有联动部门")
    if not result.city_version:
        result.problems.append("市级事项清单尚未公布")
    elif result.lists_published < result.lists:
        result.problems.append(f"有 {result.lists - result.lists_published} 份事项清单尚未公布")
    if not result.admins.get(Role.SYSADMIN):
        result.problems.append("没有系统管理员账号")
    return result


def _count(session: Session, model) -> int:
    return session.scalar(scoped(select(func.count()).select_from(model), SYSTEM, model)) or 0


def _active_grids(session: Session) -> int:
    return session.scalar(scoped(select(func.count()).select_from(Grid).where(Grid.status == GridStatus.ACTIVE),
                                 SYSTEM, Grid)) or 0
