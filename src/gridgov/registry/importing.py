"""Importing the register from Excel (.xlsx) or CSV in the layout of :mod:`gridgov.registry.layout`.

Every row is checked before anything is written; each problem is reported with the line Excel
shows, the column's heading and a Chinese reason (bad check digit, unknown area or address, outside
the importer's jurisdiction, duplicate in the file or already registered, bad date or code). One bad
row and nothing is written (all or nothing). A valid file is written in batches of
:data:`BATCH` rows, each row's ID number and phone sealed with the deployment's cipher and the ID
number's blind index computed on the way, through multi-row INSERTs (no ORM objects), so a
large file goes in at a fraction of a bare insert's speed (``bench/registry.py`` measures it).
``progress(done, total)`` is called after each batch (the import page shows it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import insert
from sqlalchemy.orm import Session

from gridgov.audit.rules import register_labels
from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.errors import Invalid
from gridgov.inputguard import bad_text
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.masking import mask_id_number, mask_phone
from gridgov.kit.spreadsheet import cell_text
from gridgov.models.registry import Address, House, Person, Unit
from gridgov.registry import import_lookup as lookup
from gridgov.registry import layout, places_repository, places_rules
from gridgov.registry.rules import birth_date_of, gender_of, id_number_problem, normalise_id_number, uscc_problem

register_labels({"registry_imported": "导入基础信息"})

MAX_ROWS = 200_000
MAX_FILE_BYTES = 50 * 1024 * 1024
BATCH = 2000
HEADER_SEARCH_ROWS = 5
Progress = Callable[[int, int], None]


@dataclass
class Row:
    line: int
    values: dict[str, str]
    problems: list[dict] = field(default_factory=list)

    def problem(self, kind: str, key: str, reason: str) -> None:
        heading = next((c.heading for c in layout.columns(kind) if c.key == key), key)
        self.problems.append({"line": self.line, "column": heading, "reason": reason})


# ---------------------------------------------------------------- reading files


def cell_value(value: Any) -> str:
    """A cell of a CSV or Excel file as text: a date as its ISO day, a whole float as an integer."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(cell_text(value)).strip()


def table_rows(content: bytes, filename: str) -> Iterator[tuple]:
    """The rows of a CSV (UTF-8 or GB 18030) or the first sheet of an .xlsx; 422 in Chinese when neither."""
    if filename.lower().endswith(".csv") or not content.startswith(b"PK"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise Invalid("无法识别文件编码，请保存为 UTF-8 的 CSV 或 .xlsx") from exc
        yield from (tuple(r) for r in csv.reader(io.StringIO(text)))
        return
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise Invalid("无法读取该 Excel 文件，请另存为 .xlsx 后重试") from exc
    try:
        yield from wb.worksheets[0].iter_rows(values_only=True)
    finally:
        wb.close()


def read_rows(kind: str, content: bytes, filename: str = "") -> list[Row]:
    """The data rows of the file (header row matched by the kind's headings, blank rows skipped)."""
    if kind not in layout.LAYOUTS:
        raise Invalid("导入类型应为 addresses、houses、people 或 units")
    if not content:
        raise Invalid("文件为空")
    if len(content) > MAX_FILE_BYTES:
        raise Invalid(f"文件不能超过 {MAX_FILE_BYTES // 1024 // 1024} MB")
    table = table_rows(content, filename)
    by_heading = {c.heading: c.key for c in layout.columns(kind)}
    keys: list[str | None] = []
    first = 1
    for first, header in enumerate(table, start=1):  # an export's watermark rows come before its header
        keys = [by_heading.get(cell_value(h)) for h in header]
        if any(keys) or first > HEADER_SEARCH_ROWS:
            break
    if not any(keys):
        raise Invalid("文件中没有表头行")
    missing = [c.heading for c in layout.import_columns(kind) if c.required and c.key not in keys]
    if missing:
        raise Invalid(f"缺少必填列：{'、'.join(missing)}",
                      details=[{"line": 1, "column": h, "reason": "缺少该列"} for h in missing])
    rows: list[Row] = []
    for line, cells in enumerate(table, start=first + 1):
        values = {k: cell_value(v) for k, v in zip(keys, cells, strict=False) if k}
        if not any(values.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise Invalid(f"一次最多导入 {MAX_ROWS} 行，请分批导入")
        rows.append(Row(line, values))
    if not rows:
        raise Invalid("文件中没有数据行")
    return rows


# ---------------------------------------------------------------- checking cells


def _date(text: str) -> date | None:
    text = text.strip().replace("/", "-").replace(".", "-")
    try:
        if len(text) == 8 and text.isdigit():
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        y, m, d = (int(p) for p in text.split("-"))
        return date(y, m, d)
    except ValueError:
        return None


def _phone_ok(text: str) -> bool:
    digits = text.replace("-", "")
    return digits.isdigit() and 5 <= len(digits) <= 20 and len(text) <= 20


def _common(kind: str, row: Row) -> None:
    for col in layout.import_columns(kind):
        value = row.values.get(col.key, "")
        if col.required and not value:
            row.problem(kind, col.key, "必填")
        elif value and bad_text(value):
            row.problem(kind, col.key, "含有不允许的字符")


def _choice(kind: str, row: Row, key: str, table: dict[str, str], default: str) -> str:
    text = row.values.get(key, "")
    if not text:
        return default
    code = layout.choice_code(table, text)
    if code is None:
        row.problem(kind, key, f"应为：{'、'.join(table.values())}")
        return default
    return code


def _check_person(row: Row, now: datetime) -> dict | None:
    v, k = row.values, "people"
    id_kind = _choice(k, row, "id_kind", layout.ID_KINDS, "resident")
    number = normalise_id_number(v.get("id_number", ""))
    born = _date(v["birth_date"]) if v.get("birth_date") else None
    if v.get("birth_date") and born is None:
        row.problem(k, "birth_date", "日期格式应为 YYYY-MM-DD")
    gender = layout.gender_code(v["gender"]) if v.get("gender") else None
    if v.get("gender") and gender is None:
        row.problem(k, "gender", "性别应为 GB/T 2261.1 的代码或名称：男、女、未知的性别、未说明的性别")
    ethnicity = layout.ethnicity_code(v["ethnicity"]) if v.get("ethnicity") else ""
    if ethnicity is None:
        row.problem(k, "ethnicity", "民族应为 GB/T 3304 的代码或名称（如 01 或 汉族）")
    if number and id_kind == "resident":
        problem = id_number_problem(number)
        if problem:
            row.problem(k, "id_number", problem)
        else:
            if born and born != birth_date_of(number):
                row.problem(k, "birth_date", "出生日期与公民身份号码不一致")
            if gender in ("1", "2") and gender != gender_of(number):
                row.problem(k, "gender", "性别与公民身份号码不一致")
            born, gender = born or birth_date_of(number), gender or gender_of(number)
    elif number and not (5 <= len(number) <= 24 and number.isalnum()):
        row.problem(k, "id_number", "证件号码应为 5 到 24 位字母或数字")
    if born and born > now.date():
        row.problem(k, "birth_date", "出生日期不能晚于今天")
    phone = v.get("phone", "")
    if phone and not _phone_ok(phone):
        row.problem(k, "phone", "联系方式应为 5 到 20 位数字（可含 -）")
    if not v.get("address_code") and not v.get("area_code"):
        row.problem(k, "address_code", "现住地址编码与现住村（社区）代码至少填写一项")
    if len(v.get("name", "")) > 50:
        row.problem(k, "name", "姓名不能超过 50 个字")
    return {"name": v.get("name", ""), "id_kind": id_kind, "number": number, "gender": gender or "0",
            "ethnicity": ethnicity or "", "birth_date": born, "phone": phone,
            "residence_kind": _choice(k, row, "residence_kind", layout.RESIDENCE_KINDS, "registered")}


def _duplicates(kind: str, rows: Iterable[Row], key: str, value_of: Callable[[Row], str | None], reason: str) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        value = value_of(row)
        if not value:
            continue
        if value in seen:
            row.problem(kind, key, f"{reason}（与第 {seen[value]} 行重复）")
        else:
            seen[value] = row.line


# ---------------------------------------------------------------- the kinds


def _addresses(session: Session, me: Principal, rows: list[Row], now: datetime) -> list[dict]:
    k = "addresses"
    places = lookup.villages(session, {r.values.get("area_code", "") for r in rows})
    grids = lookup.grids(session, {r.values["grid_code"] for r in rows if r.values.get("grid_code")})
    out = []
    for row in rows:
        v = row.values
        area = v.get("area_code", "")
        place = places.get(area)
        if area and place is None:
            row.problem(k, "area_code", "村（社区）代码不存在")
        elif area and not lookup.covers(me, area):
            row.problem(k, "area_code", "不在您的辖区内")
        lon = lat = None
        if v.get("lon") or v.get("lat"):
            try:
                lon, lat = float(v.get("lon", "")), float(v.get("lat", ""))
                if not (73 <= lon <= 136 and 3 <= lat <= 54):
                    raise ValueError
            except ValueError:
                row.problem(k, "lon", "经纬度应成对填写，且位于中国境内（WGS84）")
        grid = v.get("grid_code") or None
        if grid and grid not in grids:
            row.problem(k, "grid_code", "网格编码不存在或已撤销")
        elif grid and (grid[:12] != area or not lookup.covers(me, grid)):
            row.problem(k, "grid_code", "网格不在该村（社区）或不在您的辖区内")
        for key in ("road", "house_no", "building", "unit", "room"):
            if len(v.get(key, "")) > (60 if key == "road" else 20):
                row.problem(k, key, "内容过长")
        canonical = layout.canonical_address(place or "", v.get("road", ""), v.get("house_no", ""),
                                             v.get("building", ""), v.get("unit", ""), v.get("room", ""))
        if not any(v.get(key) for key in ("road", "house_no", "building", "room")):
            row.problem(k, "road", "街路巷、门牌号、楼栋号、户室号至少填写一项")
        v["_canonical"] = canonical
        out.append({"code": "", "area_code": area, "road": v.get("road", ""),
                    "house_no": v.get("house_no", ""), "building": v.get("building", ""), "unit": v.get("unit", ""),
                    "room": v.get("room", ""), "canonical": canonical, "lon": lon, "lat": lat, "grid_code": grid,
                    "scope_code": grid or area, "source": "import", "created_by": me.user_id or None,
                    "created_at": now, "updated_at": now})
    _duplicates(k, rows, "road", lambda r: r.values.get("_canonical"), "地址重复")
    taken = lookup.addresses_taken(session, me, [r["canonical"] for r in out])
    for row, r in zip(rows, out, strict=True):
        if r["canonical"] in taken:
            row.problem(k, "road", f"该地址已登记{('：' + taken[r['canonical']]) if taken[r['canonical']] else ''}")
    return out


def _address_refs(session: Session, me: Principal, kind: str, rows: list[Row], *, required: bool) -> dict[str, Any]:
    found = lookup.addresses(session, me, {r.values["address_code"] for r in rows if r.values.get("address_code")})
    for row in rows:
        code = row.values.get("address_code")
        if code and code not in found:
            row.problem(kind, "address_code", "地址编码不存在或不在您的辖区内")
    return found


def _houses(session: Session, me: Principal, rows: list[Row], cipher: FieldCipher, now: datetime) -> list[dict]:
    k = "houses"
    found = _address_refs(session, me, k, rows, required=True)
    owners = {}
    for row in rows:
        number = normalise_id_number(row.values.get("owner_id_number", ""))
        if number and (problem := id_number_problem(number)):
            row.problem(k, "owner_id_number", problem)
        elif number:
            owners[row.line] = cipher.blind_index(number)
    owner_ids = lookup.people_by_index(session, me, set(owners.values()))
    housed = lookup.addresses_with_house(session, me, [a.id for a in found.values()])
    out = []
    for row in rows:
        v = row.values
        usage = _choice(k, row, "usage", layout.USAGES, "other")
        if row.line in owners and owners[row.line] not in owner_ids:
            row.problem(k, "owner_id_number", "房主未在实有人口中登记或不在您的辖区内")
        area_m2 = None
        if v.get("area_m2"):
            try:
                area_m2 = float(v["area_m2"])
                if not 0 < area_m2 < 1_000_000:
                    raise ValueError
            except ValueError:
                row.problem(k, "area_m2", "建筑面积应为正数")
        address = found.get(v.get("address_code", ""))
        if address is not None and address.id in housed:
            row.problem(k, "address_code", "该地址已登记房屋")
        out.append({"address_id": address.id if address else None, "usage": usage,
                    "owner_person_id": owner_ids.get(owners.get(row.line, "")), "owner_name": v.get("owner_name", ""),
                    "area_m2": area_m2, "note": v.get("note", ""), "scope_code": address.scope_code if address else "",
                    "source": "import", "created_at": now, "updated_at": now})
    _duplicates(k, rows, "address_code", lambda r: r.values.get("address_code"), "同一地址只能登记一处房屋")
    return out


def _people(session: Session, me: Principal, rows: list[Row], cipher: FieldCipher, now: datetime) -> list[dict]:
    k = "people"
    found = _address_refs(session, me, k, rows, required=False)
    houses = lookup.houses_at(session, me, [a.id for a in found.values()])
    places = lookup.villages(session, {r.values["area_code"] for r in rows if r.values.get("area_code")})
    checked = [_check_person(row, now) for row in rows]
    for row, p in zip(rows, checked, strict=True):
        p["index"] = cipher.blind_index(p["number"]) if p["number"] else ""
        address = found.get(row.values.get("address_code", ""))
        area = row.values.get("area_code", "")
        if address is not None:
            p["house_id"], p["scope_code"] = houses.get(address.id), address.scope_code
            if p["house_id"] is None:
                row.problem(k, "address_code", "该地址尚未登记房屋，请先导入实有房屋")
        elif area:
            p["house_id"], p["scope_code"] = None, area
            if area not in places:
                row.problem(k, "area_code", "村（社区）代码不存在")
            elif not lookup.covers(me, area):
                row.problem(k, "area_code", "不在您的辖区内")
    _duplicates(k, rows, "id_number", lambda r: normalise_id_number(r.values.get("id_number", "")), "证件号码重复")
    taken = lookup.people_by_index(session, lookup.SYSTEM, {p["index"] for p in checked if p["index"]})
    for row, p in zip(rows, checked, strict=True):
        if p["index"] in taken:
            row.problem(k, "id_number", "该证件号码已登记")
    if any(row.problems for row in rows):
        return []
    return [{"name": p["name"], "id_kind": p["id_kind"], "id_number_enc": cipher.encrypt(p["number"]),
             "id_number_index": p["index"], "id_number_mask": mask_id_number(p["number"]), "gender": p["gender"],
             "ethnicity": p["ethnicity"], "birth_date": p["birth_date"],
             "phone_enc": cipher.encrypt(p["phone"]) if p["phone"] else None, "phone_mask": mask_phone(p["phone"]),
             "residence_kind": p["residence_kind"], "house_id": p["house_id"], "status": "active",
             "scope_code": p["scope_code"], "source": "import", "created_at": now, "updated_at": now}
            for p in checked]


def _units(session: Session, me: Principal, rows: list[Row], cipher: FieldCipher, now: datetime) -> list[dict]:
    k = "units"
    found = _address_refs(session, me, k, rows, required=True)
    grids = lookup.grids(session, {r.values.get("dedicated_grid_code", "") for r in rows})
    out = []
    for row in rows:
        v = row.values
        uscc = v.get("uscc", "").upper().replace(" ", "")
        if uscc and (problem := uscc_problem(uscc)):
            row.problem(k, "uscc", problem)
        grid = v.get("dedicated_grid_code") or None
        if grid and (grid not in grids or not lookup.covers(me, grid)):
            row.problem(k, "dedicated_grid_code", "网格编码不存在或不在您的辖区内")
        phone = v.get("contact_phone", "")
        if phone and not _phone_ok(phone):
            row.problem(k, "contact_phone", "联系电话应为 5 到 20 位数字（可含 -）")
        address = found.get(v.get("address_code", ""))
        out.append({"name": v.get("name", ""), "uscc": uscc or None,
                    "kind": _choice(k, row, "kind", layout.UNIT_KINDS, "enterprise"),
                    "address_id": address.id if address else None, "contact_name": v.get("contact_name", ""),
                    "contact_phone_enc": cipher.encrypt(phone) if phone else None,
                    "contact_phone_mask": mask_phone(phone), "dedicated_grid_code": grid, "status": "active",
                    "scope_code": address.scope_code if address else "", "source": "import",
                    "created_at": now, "updated_at": now})
    _duplicates(k, rows, "uscc", lambda r: r.values.get("uscc", "").upper().replace(" ", ""), "统一社会信用代码重复")
    taken = lookup.uscc_taken(session, {u["uscc"] for u in out if u["uscc"]})
    for row, u in zip(rows, out, strict=True):
        if u["uscc"] in taken:
            row.problem(k, "uscc", "该统一社会信用代码已登记")
    return out


MODELS = {"addresses": Address, "houses": House, "people": Person, "units": Unit}


def number_addresses(session: Session, values: list[dict]) -> None:
    """Gives each new address its stable code, ``<village code>-<number>``, as a registration does:
    each village's numbers are reserved in one step from its counter."""
    by_area: dict[str, list[dict]] = {}
    for v in values:
        by_area.setdefault(v["area_code"], []).append(v)
    for area, group in sorted(by_area.items()):
        first = places_repository.reserve_numbers(session, places_rules.counter_name(area), len(group))
        for n, v in enumerate(group):
            v["code"] = places_rules.address_code(area, first + n)


def import_rows(session: Session, me: Principal, kind: str, rows: list[Row], *, cipher: FieldCipher, now: datetime,
                progress: Progress | None = None, audit: bool = True) -> int:
    """Checks every row, then writes them all (or raises :class:`Invalid` listing every problem
    and writes nothing). Returns how many rows were written. Does not commit."""
    for row in rows:
        _common(kind, row)
    if kind == "addresses":
        values = _addresses(session, me, rows, now)
    elif kind == "houses":
        values = _houses(session, me, rows, cipher, now)
    elif kind == "people":
        values = _people(session, me, rows, cipher, now)
    else:
        values = _units(session, me, rows, cipher, now)
    problems = [p for row in rows for p in row.problems]
    if problems:
        raise Invalid(f"有 {len({p['line'] for p in problems})} 行数据有误，未导入任何数据",
                      details=sorted(problems, key=lambda p: p["line"]))
    model = MODELS[kind]
    if kind == "addresses":
        number_addresses(session, values)
    for start in range(0, len(values), BATCH):
        session.execute(insert(model), values[start:start + BATCH])
        if progress is not None:
            progress(min(start + BATCH, len(values)), len(values))
    if audit:
        record(session, actor=me, action="registry_imported", now=now, object_type="registry",
               object_id=kind, detail=f"导入{layout.KINDS[kind]} {len(values)} 条",
               after={"kind": kind, "created": len(values)})
    return len(values)


def import_file(session: Session, me: Principal, kind: str, content: bytes, *, filename: str = "",
                cipher: FieldCipher, now: datetime, progress: Progress | None = None) -> dict:
    rows = read_rows(kind, content, filename)
    created = import_rows(session, me, kind, rows, cipher=cipher, now=now, progress=progress)
    return {"kind": kind, "created": created}
