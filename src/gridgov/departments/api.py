"""Departments JSON API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from gridgov.authz import Permission, Principal, require
from gridgov.departments import service
from gridgov.departments.service import DepartmentRead
from gridgov.deps import SessionDep
from gridgov.errors import Invalid
from gridgov.territory.rules import CodeError

router = APIRouter(tags=["departments"])


@router.get("/departments", response_model=list[DepartmentRead], summary="联动部门（可按区域筛选）")
def list_departments(
    session: SessionDep, principal: Annotated[Principal, Depends(require(Permission.DEPARTMENTS_READ))],
    area: str | None = None
) -> list[DepartmentRead]:
    try:
        return service.list_departments(session, principal, area=area)
    except CodeError as exc:
        raise Invalid(str(exc)) from exc
