"""Actual units (实有单位): name, unified social credit code (GB 32100), kind, address, contact, and
the dedicated grid (专属网格) a unit hosts where there is one.

A unit takes its address's place (``scope_code``). The code is checked (a bad check character is a
422 naming ``uscc``) and unique (409 naming the unit on file). The contact phone is sealed with the
field cipher and shown masked only. Services take ``now`` and never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.errors import Conflict, Invalid, NotFound
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.ids import normalise_phone, phone_problem
from gridgov.kit.masking import mask_phone
from gridgov.kit.pagination import PAGE_SIZE
from gridgov.models.registry import Unit
from gridgov.registry import places_repository as repo
from gridgov.registry.addresses import access_address, is_dedicated
from gridgov.registry.places_schemas import UnitCreate, UnitListItem, UnitPage, UnitRead
from gridgov.registry.rules import normalise_uscc, uscc_problem

UNIT_MISSING = "单位不存在"


def access_unit(session: Session, principal: Principal, unit_id: int) -> Unit:
    """A unit the principal may see; outside the jurisdiction it does not exist (404)."""
    unit = repo.get_unit(session, principal, unit_id)
    if unit is None:
        raise NotFound(UNIT_MISSING)
    return unit


def check_uscc(session: Session, value: str | None) -> str | None:
    """The code normalised (spaces out, letters raised), or None; 422 naming ``uscc`` if invalid,
    409 naming the unit on file if taken."""
    if not value or not value.strip():
        return None
    code = normalise_uscc(value)
    problem = uscc_problem(code)
    if problem:
        raise Invalid(f"统一社会信用代码有误：{problem}", details=[{"field": "uscc", "error": problem}])
    existing = repo.unit_by_uscc(session, code)
    if existing is not None:
        raise Conflict(f"统一社会信用代码 {code} 已登记为单位“{existing.name}”（编号 {existing.id}）",
                       details=[{"field": "uscc", "unit_id": existing.id}])
    return code


def _contact_phone(value: str) -> str:
    phone = normalise_phone(value)
    if phone and (problem := phone_problem(phone)):
        raise Invalid(f"联系电话{problem}", details=[{"field": "contact_phone", "error": problem}])
    return phone


def create_unit(session: Session, principal: Principal, data: UnitCreate, *, cipher: FieldCipher, now: datetime,
                source: str = "manual") -> Unit:
    name = data.name.strip()
    if not name:
        raise Invalid("单位名称不能为空")
    code = check_uscc(session, data.uscc)
    address = access_address(session, principal, data.address_id)
    phone = _contact_phone(data.contact_phone)
    if data.dedicated_grid_code:
        grid = repo.visible_grid(session, principal, data.dedicated_grid_code)
        if not is_dedicated(grid):
            raise Invalid(f"网格 {data.dedicated_grid_code} 不是你辖区内在用的专属网格",
                          details=[{"field": "dedicated_grid_code"}])
    unit = Unit(name=name, uscc=code, kind=data.kind, address_id=address.id, contact_name=data.contact_name,
                contact_phone_enc=cipher.encrypt(phone) if phone else None,
                contact_phone_mask=mask_phone(phone) if phone else "",
                dedicated_grid_code=data.dedicated_grid_code or None, scope_code=address.scope_code, source=source,
                created_at=now, updated_at=now)
    repo.add_unique(session, unit, f"统一社会信用代码 {code} 已登记")
    record(session, actor=principal, action="unit_created", now=now, object_type="unit", object_id=unit.id,
           area_code=address.area_code, after={"name": unit.name, "uscc": unit.uscc or "",
                                               "phone": unit.contact_phone_mask})
    return unit


def unit_read(session: Session, principal: Principal, unit: Unit) -> UnitRead:
    addresses = repo.addresses_by_id(session, principal, [unit.address_id])
    address = addresses.get(unit.address_id)
    return UnitRead(**UnitListItem.of(unit, address.canonical if address else "").model_dump())


def get_unit(session: Session, principal: Principal, unit_id: int) -> UnitRead:
    return unit_read(session, principal, access_unit(session, principal, unit_id))


def list_units(session: Session, principal: Principal, *, uscc: str | None = None, q: str | None = None,
               grid: str | None = None, page: int = 1, page_size: int = PAGE_SIZE) -> UnitPage:
    rows, total = repo.list_units(session, principal, uscc=normalise_uscc(uscc) if uscc else None,
                                  q=(q or "").strip() or None, grid=grid or None, offset=(page - 1) * page_size,
                                  limit=page_size)
    addresses = repo.addresses_by_id(session, principal, [u.address_id for u in rows])
    items = [UnitListItem.of(u, addresses[u.address_id].canonical if u.address_id in addresses else "") for u in rows]
    return UnitPage(items=items, total=total, page=page, page_size=page_size)
