"""Importing volunteers and informants from a CSV or Excel (.xlsx) file (issue 18), as the register's
imports do: every row is checked by the same rules as one registered by hand (:func:`.volunteers.create`:
kind, place inside the jurisdiction, phone, one phone one person, one liaison per micro-grid), all or
nothing: one bad row and nothing is written, each bad row reported with its line number.

Columns (the header row, in any order): 姓名, 类别 (志愿者、微网格联络员、楼栋长、快递员、外卖骑手、物业人员,
or their codes), 所在微网格或网格编码, 手机号, and optionally 所属组织编号."""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.cogovernance import volunteers
from gridgov.cogovernance.volunteers_schemas import VolunteerCreate
from gridgov.errors import DomainError, Invalid
from gridgov.kit.crypto import FieldCipher
from gridgov.models.volunteers import VOLUNTEER_KIND_LABELS
from gridgov.registry.importing import cell_value, table_rows

MAX_ROWS = 2000
MAX_FILE_BYTES = 2 * 1024 * 1024
HEADINGS = {"姓名": "name", "类别": "kind", "所在微网格或网格编码": "place_code", "手机号": "phone",
            "所属组织编号": "org_id"}
REQUIRED = ("姓名", "类别", "所在微网格或网格编码", "手机号")
KINDS = {label: str(code) for code, label in VOLUNTEER_KIND_LABELS.items()}


def read_rows(content: bytes, filename: str = "") -> list[tuple[int, dict[str, str]]]:
    """(line number, values) of each data row; the header is the first row."""
    if not content:
        raise Invalid("文件为空")
    if len(content) > MAX_FILE_BYTES:
        raise Invalid(f"文件不能超过 {MAX_FILE_BYTES // 1024 // 1024} MB")
    table = table_rows(content, filename)
    header = next(table, None) or ()
    keys = [HEADINGS.get(cell_value(h)) for h in header]
    missing = [h for h in REQUIRED if HEADINGS[h] not in keys]
    if missing:
        raise Invalid(f"缺少必填列：{'、'.join(missing)}",
                      details=[{"line": 1, "column": h, "reason": "缺少该列"} for h in missing])
    rows = []
    for line, cells in enumerate(table, start=2):
        values = {k: cell_value(v) for k, v in zip(keys, cells, strict=False) if k}
        if not any(values.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise Invalid(f"一次最多导入 {MAX_ROWS} 行，请分批导入")
        rows.append((line, values))
    if not rows:
        raise Invalid("文件中没有数据行")
    return rows


def _data(values: dict[str, str]) -> VolunteerCreate:
    kind = values.get("kind", "")
    org = values.get("org_id", "")
    if org and not (org.isdigit() and len(org) < 10):
        raise Invalid("所属组织编号应为正整数")
    return VolunteerCreate(name=values.get("name", ""), kind=KINDS.get(kind, kind),
                           place_code=values.get("place_code", ""), phone=values.get("phone", ""),
                           org_id=int(org) if org else None)


def import_file(session: Session, principal: Principal, content: bytes, *, filename: str = "", profile,
                cipher: FieldCipher, now: datetime) -> int:
    """Registers every row or none; 422 listing each bad row with its line number."""
    rows = read_rows(content, filename)
    problems: list[dict] = []
    savepoint = session.begin_nested()
    for line, values in rows:
        try:
            volunteers.create(session, principal, _data(values), profile=profile, cipher=cipher, now=now)
        except ValidationError as exc:
            fields = "、".join(str(e["loc"][-1]) for e in exc.errors() if e.get("loc"))
            problems.append({"line": line, "reason": f"填写有误：{fields}"})
        except DomainError as exc:
            problems.append({"line": line, "reason": exc.message})
    if problems:
        savepoint.rollback()
        shown = "；".join(f"第 {p['line']} 行：{p['reason']}" for p in problems[:5])
        raise Invalid(f"{len(problems)} 行有误，未导入任何一行。{shown}", details=problems)
    savepoint.commit()
    return len(rows)
