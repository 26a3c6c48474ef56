"""Linkage departments (网格化联动部门): one per kind the profile lists, at each level it names."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.departments import repository as repo
from gridgov.models import Area, Department
from gridgov.territory import rules


class DepartmentRead(BaseModel):
    code: str
    name: str
    kind: str
    level: str
    area_code: str


def department_code(area_code: str, kind: str) -> str:
    return f"{area_code}-{kind}"


def seed_departments(session: Session, profile, areas: Sequence[Area], *, now: datetime,
                     names: dict[str, str] | None = None) -> int:
    """Create the profile's departments for each of ``areas`` whose level the kind is set at;
    ``names``: a city's own names by department code (else ``<area><kind>部门``)."""
    existing = repo.department_codes(session)
    created = 0
    for area in areas:
        for kind in profile.departments:
            if area.level not in kind.levels:
                continue
            code = department_code(area.code, kind.code)
            if code in existing:
                continue
            session.add(
                Department(code=code, kind=kind.code, name=(names or {}).get(code) or f"{area.name}{kind.name}部门",
                           level=area.level,
                           area_code=area.code, is_active=True, created_at=now)
            )
            created += 1
    session.flush()
    return created


def list_departments(session: Session, principal: Principal, *, area: str | None = None,
                     codes: Sequence[str] | None = None) -> list[DepartmentRead]:
    """Departments of the areas the principal can see (its jurisdiction and the levels above it,
    which it works with); ``area`` narrows to one area's own departments, ``codes`` to these codes (a
    province's city sees thousands: a page naming a few asks for those only)."""
    if area:
        rules.area_level(area)
    rows = repo.active_departments(session, principal, area=area, codes=codes)
    return [DepartmentRead(code=d.code, name=d.name, kind=d.kind, level=d.level, area_code=d.area_code) for d in rows]
