"""Departments JSON API."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.authz.principals import DepartmentReader
from gridgov.departments import service
from gridgov.departments.service import DepartmentRead
from gridgov.deps import SessionDep
from gridgov.errors import Invalid
from gridgov.territory.rules import CodeError

router = APIRouter(tags=["departments"])


@router.get("/departments", response_model=list[DepartmentRead], summary="联动部门（可按区域筛选）")
def list_departments(
    session: SessionDep, principal: DepartmentReader, area: str | None = None
) -> list[DepartmentRead]:
    try:
        return service.list_departments(session, principal, area=area)
    except CodeError as exc:
        raise Invalid(str(exc)) from exc
