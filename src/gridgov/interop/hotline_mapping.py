"""Keeping the hotline's category table (rules: :mod:`.categories`): list, save, delete, CSV export and
import (all or nothing), and the lookup an intake makes. Every write is audited; services never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov import areas
from gridgov.audit.rules import register_labels
from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.authz.scope import covers
from gridgov.cases import casetypes
from gridgov.errors import Invalid, NotFound
from gridgov.interop import categories
from gridgov.interop import hotline_repository as repo
from gridgov.interop.hotline_schemas import ImportResult, MappingIn, MappingRead
from gridgov.kit.spreadsheet import csv_text
from gridgov.models.hotline import HotlineCategory

register_labels({
    "hotline_category_saved": "保存热线分类对照",
    "hotline_category_deleted": "删除热线分类对照",
    "hotline_categories_imported": "导入热线分类对照",
})


def to_read(row: HotlineCategory, case_types: casetypes.CaseTypes) -> MappingRead:
    return MappingRead(id=row.id, area_code=row.area_code, code=row.code, name=row.name, type=row.type_code,
                       type_name=case_types.names().get(row.type_code), updated_at=row.updated_at)


def listing(session: Session, principal: Principal, case_types: casetypes.CaseTypes) -> list[MappingRead]:
    return [to_read(r, case_types) for r in repo.mappings(session, principal)]


def _area(principal: Principal, area_code: str | None) -> str:
    """The area a row is kept for: the one named (inside the jurisdiction), else the principal's own."""
    code = area_code or (principal.scope_code if len(principal.scope_code) == areas.AREA_CODE_LEN else "")
    if not code:
        raise Invalid("请填写区域编码", details=[{"field": "area_code", "error": "请填写"}])
    try:
        areas.area_level(code)
    except ValueError as exc:
        raise Invalid(f"区域编码 {code} 无效", details=[{"field": "area_code", "error": "无效"}]) from exc
    if not covers(principal, code):
        raise NotFound(f"区域 {code} 不存在或不在你的辖区内")
    return code


def save(session: Session, principal: Principal, *, code: str, name: str, type_code: str, area_code: str | None,
         now: datetime, case_types: casetypes.CaseTypes) -> MappingRead:
    """Adds the row for ``code`` in the area, or changes its type and name."""
    problems = categories.row_problems(case_types, code, name, type_code)
    if problems:
        raise Invalid("；".join(problems), details=[{"field": "", "error": p} for p in problems])
    area = _area(principal, area_code)
    row = repo.mapping_at(session, principal, area, code)
    before = {"type": row.type_code, "name": row.name} if row is not None else None
    if row is None:
        row = HotlineCategory(area_code=area, code=code)
        session.add(row)
    row.name, row.type_code, row.updated_at, row.updated_by = name, type_code, now, principal.user_id or None
    session.flush()
    record(session, actor=principal, action="hotline_category_saved", now=now, object_type="hotline_category",
           object_id=f"{area}:{code}", area_code=area, before=before, after={"type": type_code, "name": name})
    return to_read(row, case_types)


def save_in(session: Session, principal: Principal, data: MappingIn, *, now: datetime,
            case_types: casetypes.CaseTypes) -> MappingRead:
    return save(session, principal, code=data.code, name=data.name, type_code=data.type, area_code=data.area_code,
                now=now, case_types=case_types)


def delete(session: Session, principal: Principal, mapping_id: int, *, now: datetime) -> None:
    row = repo.mapping_by_id(session, principal, mapping_id)
    if row is None:
        raise NotFound(f"热线分类对照（编号 {mapping_id}）不存在")
    record(session, actor=principal, action="hotline_category_deleted", now=now, object_type="hotline_category",
           object_id=f"{row.area_code}:{row.code}", area_code=row.area_code,
           before={"type": row.type_code, "name": row.name})
    session.delete(row)
    session.flush()


def export_csv(session: Session, principal: Principal, case_types: casetypes.CaseTypes) -> str:
    rows = [(m.area_code, m.code, m.name, m.type, m.type_name or "") for m in listing(session, principal, case_types)]
    return csv_text(categories.EXPORT_COLUMNS, rows)


def import_csv(session: Session, principal: Principal, data: bytes, *, now: datetime,
               case_types: casetypes.CaseTypes) -> ImportResult:
    """Every row checked first (each bad one reported with its line number, nothing written); then each
    row added or changed. Rows of the table not in the file stay."""
    own = principal.scope_code if len(principal.scope_code) == areas.AREA_CODE_LEN else ""

    def area_ok(code: str) -> bool:
        try:
            areas.area_level(code)
        except ValueError:
            return False
        return covers(principal, code)

    rows = categories.parse_csv(data, case_types, area_ok=area_ok)
    if not own and any(not r.area_code for r in rows):
        bad = [{"line": r.line, "error": "请填写区域编码（area_code）"} for r in rows if not r.area_code]
        raise Invalid(f"有 {len(bad)} 行未填区域编码，未导入任何一行", details=bad)
    created = updated = 0
    for r in rows:
        area = r.area_code or own
        row = repo.mapping_at(session, principal, area, r.code)
        if row is None:
            row = HotlineCategory(area_code=area, code=r.code)
            session.add(row)
            created += 1
        else:
            updated += 1
        row.name, row.type_code, row.updated_at, row.updated_by = r.name, r.type_code, now, principal.user_id or None
    session.flush()
    record(session, actor=principal, action="hotline_categories_imported", now=now, object_type="hotline_category",
           area_code=own, after={"created": created, "updated": updated})
    return ImportResult(created=created, updated=updated)


def type_for(session: Session, principal: Principal, grid_code: str | None, code: str,
             case_types: casetypes.CaseTypes) -> casetypes.CaseType | None:
    """The type the table maps the hotline's ``code`` to at ``grid_code`` (the nearest area above the grid
    with a row for it), or None: unmapped (or a type no longer in use), for the triage queue."""
    if not grid_code:
        return None
    try:
        village = areas.grid_village_code(grid_code)
    except ValueError:
        return None
    row = repo.mapping_for(session, principal, areas.ancestor_codes(village), code)
    kind = case_types.get(row.type_code) if row is not None else None
    return kind if kind is not None and not kind.is_class else None
