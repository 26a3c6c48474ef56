"""Pages of standard addresses, houses and units: the address list with its search and a form to
register one, an address's page (its house, its units, how many live there), a house's page
(occupants masked, rentals), the unit list and a unit's page. Masked data only.

Each form posts to its own route, which calls the same service as the API; a refusal re-renders
the page with a Chinese message and the input kept, with a 4xx status (post/redirect/get otherwise).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gridgov.authz import Permission, Principal
from gridgov.authz.principals import RegistryReader, RegistryWriter
from gridgov.deps import FormDep, SessionDep
from gridgov.errors import DomainError
from gridgov.kit.clock import utc_now
from gridgov.kit.params import IdPath, PageQuery
from gridgov.registry import addresses, houses, units
from gridgov.registry.places_rules import HOUSE_USAGES, UNIT_KINDS
from gridgov.registry.places_schemas import AddressCreate, HouseCreate, RentalCreate, UnitCreate
from gridgov.web import forms
from gridgov.web.templating import is_htmx, templates

router = APIRouter()

PAGE_SIZE = 30
VARY = {"Vary": "HX-Request"}
MESSAGES = {"house": "房屋已登记", "unit": "单位已登记", "rental": "出租记录已登记", "address": "地址已登记"}


def _values(form) -> dict:
    return {k: v.strip() for k, v in form.items() if k != "csrf_token" and isinstance(v, str)}


def _refusal(exc: Exception) -> str:
    return forms.message(exc, prefix="请检查填写的内容：")


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def _or_none(value: str | None) -> str | None:
    return (value or "").strip() or None


# ---------------------------------------------------------------- addresses


def _address_list(request: Request, session: Session, me: Principal, *, q: str | None, grid: str | None,
                  page: int, values: dict | None = None, error: str | None = None, status: int = 200):
    result = addresses.list_addresses(session, me, q=q, grid=grid, page=page, page_size=PAGE_SIZE)
    context = {"result": result, "q": q or "", "grid": grid, "pages": _pages(result.total)}
    if is_htmx(request) and error is None:
        return templates.TemplateResponse(request, "registry/places/_addresses.html", context, headers=VARY)
    default_grid = me.scope_code[:15] if len(me.scope_code) >= 15 else ""
    context.update({"villages": addresses.village_options(session, me), "error": error,
                    "values": values or {"grid_code": default_grid, "area_code": me.scope_code[:12]},
                    "can_write": me.can(Permission.REGISTRY_WRITE)})
    return templates.TemplateResponse(request, "registry/places/addresses.html", context, status_code=status,
                                      headers=VARY)


@router.get("/registry/addresses")
def address_list(request: Request, me: RegistryReader, session: SessionDep, q: str | None = None,
                 grid: str | None = None, page: PageQuery = 1):
    return _address_list(request, session, me, q=_or_none(q), grid=_or_none(grid), page=page)


@router.post("/registry/addresses")
def address_create(request: Request, me: RegistryWriter, session: SessionDep, fields: FormDep):
    v = _values(fields)
    try:
        data = AddressCreate(area_code=v.get("area_code", ""), road=v.get("road", ""), house_no=v.get("house_no", ""),
                             building=v.get("building", ""), unit=v.get("unit", ""), room=v.get("room", ""),
                             lon=_typed(v.get("lon")), lat=_typed(v.get("lat")),
                             crs=v.get("crs") or "wgs84", grid_code=_or_none(v.get("grid_code")))
        address = addresses.create_address(session, me, data, now=utc_now())
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _address_list(request, session, me, q=None, grid=None, page=1, values=v, error=_refusal(exc),
                             status=forms.status_of(exc))
    return RedirectResponse(f"/registry/addresses/{address.id}?message=address", status_code=303)


def _typed(value: str | None) -> float | str | None:
    """A typed coordinate: empty is none; anything else goes to the schema, which says what is wrong."""
    return (value or "").strip() or None


def _address_page(request: Request, session: Session, me: Principal, address_id: int, *, form: str | None = None,
                  error: str | None = None, values: dict | None = None, status: int = 200,
                  message: str | None = None):
    detail = addresses.address_detail(session, me, address_id)
    return templates.TemplateResponse(request, "registry/places/address.html", {
        "address": detail, "usages": HOUSE_USAGES, "unit_kinds": UNIT_KINDS,
        "can_write": me.can(Permission.REGISTRY_WRITE), "form": form, "error": error, "values": values or {},
        "message": message}, status_code=status)


@router.get("/registry/addresses/{address_id}")
def address_page(request: Request, address_id: IdPath, me: RegistryReader, session: SessionDep,
                 message: str | None = None):
    return _address_page(request, session, me, address_id, message=MESSAGES.get(message or ""))


def _on_address(request, session, me, address_id: int, form: str, fields, act):
    v = _values(fields)
    try:
        target = act(v)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _address_page(request, session, me, address_id, form=form, error=_refusal(exc), values=v,
                             status=forms.status_of(exc))
    return RedirectResponse(target, status_code=303)


@router.post("/registry/addresses/{address_id}/house")
def house_create(request: Request, address_id: IdPath, me: RegistryWriter, session: SessionDep, fields: FormDep):
    def act(v):
        data = HouseCreate(address_id=address_id, usage=v.get("usage") or "own", owner_name=v.get("owner_name", ""),
                           area_m2=_or_none(v.get("area_m2")), note=v.get("note", ""))
        return f"/registry/houses/{houses.create_house(session, me, data, now=utc_now()).id}?message=house"

    return _on_address(request, session, me, address_id, "house", fields, act)


@router.post("/registry/addresses/{address_id}/units")
def unit_create(request: Request, address_id: IdPath, me: RegistryWriter, session: SessionDep, fields: FormDep):
    def act(v):
        data = UnitCreate(name=v.get("name", ""), uscc=_or_none(v.get("uscc")), kind=v.get("kind") or "enterprise",
                          address_id=address_id, contact_name=v.get("contact_name", ""),
                          contact_phone=v.get("contact_phone", ""),
                          dedicated_grid_code=_or_none(v.get("dedicated_grid_code")))
        unit = units.create_unit(session, me, data, cipher=request.app.state.cipher, now=utc_now())
        return f"/registry/units/{unit.id}?message=unit"

    return _on_address(request, session, me, address_id, "unit", fields, act)


# ---------------------------------------------------------------- houses


def _house_page(request: Request, session: Session, me: Principal, house_id: int, *, error: str | None = None,
                values: dict | None = None, status: int = 200, message: str | None = None):
    return templates.TemplateResponse(request, "registry/places/house.html", {
        "house": houses.house_detail(session, me, house_id), "can_write": me.can(Permission.REGISTRY_WRITE),
        "error": error, "values": values or {}, "message": message}, status_code=status)


@router.get("/registry/houses/{house_id}")
def house_page(request: Request, house_id: IdPath, me: RegistryReader, session: SessionDep,
               message: str | None = None):
    return _house_page(request, session, me, house_id, message=MESSAGES.get(message or ""))


@router.post("/registry/houses/{house_id}/rentals")
def rental_create(request: Request, house_id: IdPath, me: RegistryWriter, session: SessionDep, fields: FormDep):
    v = _values(fields)
    try:
        data = RentalCreate(tenant_person_id=_or_none(v.get("tenant_person_id")),
                            tenant_unit_id=_or_none(v.get("tenant_unit_id")), start_on=v.get("start_on") or None,
                            end_on=_or_none(v.get("end_on")), note=v.get("note", ""))
        houses.add_rental(session, me, house_id, data, now=utc_now())
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _house_page(request, session, me, house_id, error=_refusal(exc), values=v, status=forms.status_of(exc))
    return RedirectResponse(f"/registry/houses/{house_id}?message=rental", status_code=303)


# ---------------------------------------------------------------- units


@router.get("/registry/units")
def unit_list(request: Request, me: RegistryReader, session: SessionDep, q: str | None = None,
              uscc: str | None = None, grid: str | None = None, page: PageQuery = 1):
    q, uscc, grid = _or_none(q), _or_none(uscc), _or_none(grid)
    result = units.list_units(session, me, uscc=uscc, q=q, grid=grid, page=page, page_size=PAGE_SIZE)
    context = {"result": result, "q": q or "", "uscc": uscc or "", "grid": grid, "pages": _pages(result.total)}
    name = "registry/places/_units.html" if is_htmx(request) else "registry/places/units.html"
    return templates.TemplateResponse(request, name, context, headers=VARY)


@router.get("/registry/units/{unit_id}")
def unit_page(request: Request, unit_id: IdPath, me: RegistryReader, session: SessionDep,
              message: str | None = None):
    return templates.TemplateResponse(request, "registry/places/unit.html", {
        "unit": units.get_unit(session, me, unit_id), "message": MESSAGES.get(message or "")})
