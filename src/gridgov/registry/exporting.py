"""Exporting the register to Excel in the import layout (:mod:`gridgov.registry.layout`).

* **Masked by default**: ID numbers and phones as their masks (:mod:`gridgov.kit.masking`), no birth
  date (its year only). Anyone who may read the register exports what it may see.
* **Full** only for ``registry.export_full`` holders, with a reason; it writes one audit entry (kind,
  count, reason: never a value) and one access-log row per exported person, so each person's page
  shows the export. Only a full export imports back.
* Every file is **watermarked** with who exported it and when: the first row of the sheet, the
  printed page header and the document properties (creator, title, description, keywords).
* Cells go through :mod:`gridgov.kit.spreadsheet`, so a value that looks like a formula is text.
"""

from __future__ import annotations

from datetime import datetime
from itertools import islice

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gridgov.audit.rules import register_labels
from gridgov.audit.service import record
from gridgov.authz import scope
from gridgov.authz.permissions import Permission
from gridgov.authz.principal import Principal
from gridgov.errors import Forbidden, Invalid, NotFound
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.spreadsheet import new_workbook, xlsx_bytes
from gridgov.models.registry import Address, House, Person, PersonAccess, Unit
from gridgov.registry import layout

register_labels({"registry_exported": "导出基础信息（脱敏）", "registry_exported_full": "导出未脱敏的基础信息"})

MAX_EXPORT_ROWS = 5000
"""Rows per exported file: a larger jurisdiction exports grid by grid or village by village (an
.xlsx of 5,000 rows takes seconds to write; the request must not hold a worker for minutes)."""
EXPORT_REASONS = {"verification": "核查核对", "transfer": "数据移交", "statistics": "统计分析", "other": "其他"}
"""The short list a full export's reason is chosen from (plus free text)."""
WATERMARK_ROWS = 1
"""Rows above the header (the watermark); the import skips them."""


def watermark(me: Principal, now: datetime, *, full: bool) -> str:
    who = me.display_name or me.username
    kind = "未脱敏（含完整个人信息，严禁外传）" if full else "已脱敏"
    return f"导出人：{who}（{me.username}） 导出时间：{now:%Y-%m-%d %H:%M} UTC {kind} gridgov"


def _check(session: Session, me: Principal, kind: str, grid: str | None) -> str:
    if kind not in layout.LAYOUTS:
        raise Invalid("导出类型应为 addresses、houses、people 或 units")
    grid = (grid or "").strip()
    if grid and (not grid.isdigit() or len(grid) not in (12, 15, 17) or not scope.covers(me, grid)):
        raise NotFound("网格或区域不存在")
    return grid or me.prefix


def _addresses(session: Session, me: Principal, prefix: str):
    stmt = scope.scoped(select(Address).where(scope.starts_with(Address.scope_code, prefix)).order_by(Address.id),
                        me, Address)
    for a in session.scalars(stmt.limit(MAX_EXPORT_ROWS + 1)):
        yield None, [a.code, a.area_code, a.road, a.house_no, a.building, a.unit, a.room, a.lon, a.lat,
                     a.grid_code or ""]


def _houses(session: Session, me: Principal, prefix: str, cipher: FieldCipher, full: bool):
    stmt = scope.scoped(select(House, Address.code).join(Address, Address.id == House.address_id)
                        .where(scope.starts_with(House.scope_code, prefix)).order_by(House.id), me, House)
    owners: dict[int, Person] = {}
    rows = session.execute(stmt.limit(MAX_EXPORT_ROWS + 1)).all()
    ids = {h.owner_person_id for h, _ in rows if h.owner_person_id}
    if ids:
        owners = {p.id: p for p in session.scalars(scope.scoped(select(Person).where(Person.id.in_(ids)), me, Person))}
    for h, code in rows:
        owner = owners.get(h.owner_person_id)
        number = "" if owner is None else (cipher.decrypt(owner.id_number_enc) if full else owner.id_number_mask)
        yield (owner.id if owner and full else None), [
            code, layout.USAGES.get(h.usage, h.usage), h.owner_name or (owner.name if owner else ""), number,
            h.area_m2, h.note]


def _people(session: Session, me: Principal, prefix: str, cipher: FieldCipher, full: bool):
    stmt = scope.scoped(select(Person, Address.code).outerjoin(House, House.id == Person.house_id)
                        .outerjoin(Address, Address.id == House.address_id)
                        .where(scope.starts_with(Person.scope_code, prefix), Person.archived_at.is_(None))
                        .order_by(Person.id), me, Person)
    for p, code in session.execute(stmt.limit(MAX_EXPORT_ROWS + 1)):
        if full:
            number, phone = cipher.decrypt(p.id_number_enc), cipher.decrypt(p.phone_enc) if p.phone_enc else ""
            born = p.birth_date.isoformat() if p.birth_date else ""
        else:
            number, phone = p.id_number_mask, p.phone_mask
            born = f"{p.birth_date.year}年" if p.birth_date else ""
        yield p.id, [p.name, layout.ID_KINDS.get(p.id_kind, p.id_kind), number, layout.gender_label(p.gender),
                     layout.ethnicity_label(p.ethnicity), born, phone,
                     layout.RESIDENCE_KINDS.get(p.residence_kind, p.residence_kind), code or "",
                     "" if code else p.scope_code[:12]]


def _units(session: Session, me: Principal, prefix: str, cipher: FieldCipher, full: bool):
    stmt = scope.scoped(select(Unit, Address.code).outerjoin(Address, Address.id == Unit.address_id)
                        .where(scope.starts_with(Unit.scope_code, prefix)).order_by(Unit.id), me, Unit)
    for u, code in session.execute(stmt.limit(MAX_EXPORT_ROWS + 1)):
        phone = (cipher.decrypt(u.contact_phone_enc) if u.contact_phone_enc else "") if full else u.contact_phone_mask
        yield None, [u.name, u.uscc or "", layout.UNIT_KINDS.get(u.kind, u.kind), code or "", u.contact_name, phone,
                     u.dedicated_grid_code or ""]


def _rows(session: Session, me: Principal, kind: str, prefix: str, cipher: FieldCipher, full: bool) -> list:
    if kind == "addresses":
        rows = _addresses(session, me, prefix)
    else:
        rows = {"houses": _houses, "people": _people, "units": _units}[kind](session, me, prefix, cipher, full)
    out = list(islice(rows, MAX_EXPORT_ROWS + 1))
    if len(out) > MAX_EXPORT_ROWS:
        raise Invalid(f"一次最多导出 {MAX_EXPORT_ROWS} 条，请按网格或村（社区）分别导出")
    return out


def _workbook(me: Principal, kind: str, rows: list[list], now: datetime, *, full: bool) -> bytes:
    mark = watermark(me, now, full=full)
    wb = new_workbook()
    ws = wb.active
    ws.title = layout.KINDS[kind]
    ws.append([mark])
    ws.append(layout.headings(kind))
    for row in rows:
        ws.append(row)
    ws.oddHeader.center.text = mark
    ws.evenHeader.center.text = mark
    ws.freeze_panes = "A3"
    wb.properties.creator = me.username
    wb.properties.lastModifiedBy = me.username
    wb.properties.title = f"{layout.KINDS[kind]}导出"
    wb.properties.description = mark
    wb.properties.keywords = "未脱敏" if full else "已脱敏"
    wb.properties.created = now.replace(tzinfo=None)
    return xlsx_bytes(wb)


def export_masked(session: Session, me: Principal, kind: str, grid: str | None, *, cipher: FieldCipher,
                  now: datetime) -> bytes:
    prefix = _check(session, me, kind, grid)
    rows = [values for _, values in _rows(session, me, kind, prefix, cipher, False)]
    record(session, actor=me, action="registry_exported", now=now, object_type="registry", object_id=kind,
           area_code=prefix[:12] if len(prefix) >= 12 else "", detail=f"脱敏导出{layout.KINDS[kind]} {len(rows)} 条",
           after={"kind": kind, "rows": len(rows), "scope": prefix})
    return _workbook(me, kind, rows, now, full=False)


def export_full(session: Session, me: Principal, kind: str, grid: str | None, reason: str, reason_text: str = "", *,
                cipher: FieldCipher, now: datetime) -> bytes:
    """The full values: ``registry.export_full`` (403 without it), a reason (422 without it), an audit
    entry and an access-log row for every person exported."""
    if not me.can(Permission.REGISTRY_EXPORT_FULL):
        raise Forbidden("没有导出未脱敏基础信息的权限")
    reason, reason_text = (reason or "").strip(), (reason_text or "").strip()
    if reason not in EXPORT_REASONS and not reason_text:
        reason, reason_text = "other", reason
    if reason == "other" and not reason_text:
        raise Invalid("请填写导出理由", details=[{"field": "reason", "reason": "必填"}])
    if len(reason_text) > 200:
        raise Invalid("导出理由不能超过 200 个字", details=[{"field": "reason", "reason": "过长"}])
    prefix = _check(session, me, kind, grid)
    pairs = _rows(session, me, kind, prefix, cipher, True)
    people = sorted({pid for pid, _ in pairs if pid})
    fields = {"people": "id_number,phone,birth_date", "houses": "owner_id_number"}.get(kind, "contact_phone")
    access = [{"person_id": pid, "user_id": me.user_id or None, "username": me.username, "action": "export",
               "fields": fields, "reason": reason, "reason_text": reason_text, "at": now} for pid in people]
    for start in range(0, len(access), 2000):
        session.execute(insert(PersonAccess), access[start:start + 2000])
    record(session, actor=me, action="registry_exported_full", now=now, object_type="registry", object_id=kind,
           area_code=prefix[:12] if len(prefix) >= 12 else "",
           detail=f"未脱敏导出{layout.KINDS[kind]} {len(pairs)} 条；理由：{EXPORT_REASONS.get(reason, reason)}"
                  + (f"（{reason_text}）" if reason_text else ""),
           after={"kind": kind, "rows": len(pairs), "people": len(people), "scope": prefix, "reason": reason})
    return _workbook(me, kind, [values for _, values in pairs], now, full=True)


def demo_rows(session: Session, me: Principal) -> int:
    """How many of the people the principal may see are demo data (the page shows a 演示数据 badge)."""
    from sqlalchemy import func

    return session.scalar(scope.scoped(select(func.count(Person.id)).where(Person.source == "demo"), me, Person)) or 0
