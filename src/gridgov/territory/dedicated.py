"""Dedicated grids (专属网格, QZ§5, QZ§13; A2): the unit a dedicated grid is drawn round, its head,
and the department that manages the grid with the locality.

* ``host_unit`` (所在单位) and ``unit_head`` (单位负责人): required of every dedicated grid where the
  profile makes the unit's head its grid leader (``staff.dedicated_leader_is_unit_head``, QZ§13);
  a leader post on such a grid is then refused to anyone else (:func:`leader_problem`).
* ``competent_department`` (业务主管部门): the code of one of the profile's departments; required of
  every dedicated grid where the profile sets dual management (``territory.dedicated_dual_management``,
  QZ§5 专属网格实行属地和业务主管部门双重管理). Under dual management a case registered in the
  grid is told at once to that department of the nearest level above the grid (town, county, city):
  :func:`tell_competent_department`.

Only a dedicated grid may carry these particulars. They are facts about the grid, not its division:
an import may update them (see :mod:`gridgov.territory.import_changes`).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.scope import SYSTEM, scoped
from gridgov.models import Department, Grid
from gridgov.models.territory import GridKind
from gridgov.notify.department import notify_department_at_once
from gridgov.territory import repository as repo
from gridgov.territory import rules

FIELDS = ("host_unit", "unit_head", "competent_department")
LABELS = {"host_unit": "所在单位", "unit_head": "单位负责人", "competent_department": "业务主管部门"}
MAX_LENGTH = {"host_unit": 100, "unit_head": 50}
NOTICE_KIND = "dedicated_grid_case"


def field_problems(props: dict[str, Any], profile) -> list[str]:
    """What is wrong with a grid feature's dedicated particulars under the profile (import rows)."""
    dedicated = props.get("kind") == GridKind.DEDICATED
    given = {f: str(props.get(f) or "").strip() for f in FIELDS}
    if not dedicated:
        return [f"只有专属网格才能填写 {f}（{LABELS[f]}）" for f in FIELDS if given[f]]
    out = []
    if profile.staff.dedicated_leader_is_unit_head:
        for f in ("host_unit", "unit_head"):
            if not given[f]:
                out.append(f"本地政策（{profile.label}）专属网格网格长由单位负责人担任：请填写 {f}（{LABELS[f]}）")
    for f, limit in MAX_LENGTH.items():
        if len(given[f]) > limit:
            out.append(f"{LABELS[f]}（{f}）超过 {limit} 个字符")
    kinds = {d.code: d.name for d in profile.departments}
    dept = given["competent_department"]
    if dept and dept not in kinds:
        options = "、".join(f"{c}（{n}）" for c, n in kinds.items())
        out.append(f"业务主管部门 {dept!r} 不是本地政策的联动部门，应为：{options}")
    elif not dept and profile.territory.dedicated_dual_management:
        out.append(f"本地政策（{profile.label}）专属网格实行属地和业务主管部门双重管理："
                   "请填写 competent_department（业务主管部门）")
    return out


def row_values(props: dict[str, Any]) -> dict[str, Any]:
    """The particulars as grid columns (empty for a comprehensive grid)."""
    if props.get("kind") != GridKind.DEDICATED:
        return {"host_unit": "", "unit_head": "", "competent_department": None}
    return {"host_unit": str(props.get("host_unit") or "").strip(),
            "unit_head": str(props.get("unit_head") or "").strip(),
            "competent_department": str(props.get("competent_department") or "").strip() or None}


def leader_problem(staff_policy, grid: Grid, staff_name: str) -> str | None:
    """Why ``staff_name`` may not lead ``grid`` (QZ§13: a dedicated grid's leader is its unit's head)."""
    if grid.kind != GridKind.DEDICATED or not staff_policy.dedicated_leader_is_unit_head:
        return None
    if not grid.unit_head:
        return f"专属网格 {grid.name} 的网格长由单位负责人担任：请先在网格资料中登记其所在单位负责人"
    if staff_name.strip() != grid.unit_head:
        return (f"专属网格 {grid.name} 的网格长由单位负责人担任：该网格登记的单位负责人为{grid.unit_head}"
                f"（{grid.host_unit}），{staff_name}不能担任网格长")
    return None


# ---------------------------------------------------------------- the competent department


class _DepartmentsOfGrids:
    """Dedicated grid → competent department kind, rebuilt when the grids' version moves (intake
    asks for every case; a city has few dedicated grids)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[object, tuple[int, dict[str, str]]] = {}

    def get(self, session: Session) -> dict[str, str]:
        bind = session.get_bind()
        key = getattr(bind, "engine", bind).url
        version = repo.grids_version(session)
        entry = self._entries.get(key)
        if entry is None or entry[0] != version:
            with self._lock:
                stmt = scoped(select(Grid.code, Grid.competent_department).where(
                    Grid.kind == GridKind.DEDICATED, Grid.competent_department.is_not(None)), SYSTEM, Grid)
                entry = (version, dict(session.execute(stmt).all()))
                self._entries[key] = entry
        return entry[1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


departments_of_grids = _DepartmentsOfGrids()


def competent_department(session: Session, grid_code: str) -> Department | None:
    """The competent department of a dedicated grid: the department of its kind at the nearest level
    above the grid (town, then county, then city); None for any other grid or if none is set up."""
    kind = departments_of_grids.get(session).get(grid_code)
    if kind is None:
        return None
    above = rules.ancestor_codes(rules.grid_village_code(grid_code))
    stmt = scoped(select(Department).where(Department.kind == kind, Department.area_code.in_(above),
                                           Department.is_active), SYSTEM, Department)
    found = {d.area_code: d for d in session.scalars(stmt)}
    return next((found[c] for c in reversed(above) if c in found), None)


def tell_competent_department(session: Session, profile, grid_code: str, *, case_id: int, case_no: str,
                              title: str, now: datetime) -> int:
    """Under dual management (QZ§5), tell the competent department of a dedicated grid at once that a
    case was registered there; returns how many of its users were told (0 for other grids)."""
    if not profile.territory.dedicated_dual_management:
        return 0
    dept = competent_department(session, grid_code)
    if dept is None:
        return 0
    grid = repo.get_grid(session, grid_code)
    message = (f"专属网格{grid.name}（{grid.host_unit or grid_code}）登记事项 {case_no}：{title}。"
               f"该网格实行属地和业务主管部门双重管理，请{dept.name}知悉")
    return notify_department_at_once(session, dept.code, kind=NOTICE_KIND, message=message,
                                     dedupe_key=f"{case_no}:dedicated:", case_id=case_id, now=now)
