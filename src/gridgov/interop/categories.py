"""The hotline's categories: the rules of the table mapping a 12345 hotline's own classification codes to
gridgov's case types (pure: no I/O).

A hotline classifies each call in its own scheme: GB/T 39666-2020《政府热线服务分类与代码》where it uses
it, or its own. gridgov ships NO code list (no official list is reproduced here): the table starts empty,
and the agency fills it (one row at a time, or a CSV it imports). A row names a case type (小类) of
:mod:`gridgov.cases.casetypes`. A call whose code has no row is never put in a default type: its case is
registered without one and waits in the dispatcher's triage queue (:mod:`.hotline`).

CSV (UTF-8, a BOM allowed): a header ``code,name,type`` (``area_code`` optional first column: blank, or
an area of the importer's jurisdiction; blank means the importer's own area; ``type_name``, which the export
adds, optional last column and ignored). Every row is checked and every
bad one reported with its line number; one bad row and nothing is written.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from gridgov.cases.casetypes import CaseTypes
from gridgov.errors import Invalid

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
"""A hotline classification code: letters, digits and . _ - (GB/T 39666's codes are digits; some
hotlines use dotted or lettered codes), at most 32 characters."""
MAX_NAME = 100
MAX_ROWS = 5000
MAX_BYTES = 1024 * 1024
COLUMNS = ("code", "name", "type")
EXPORT_COLUMNS = ("area_code", "code", "name", "type", "type_name")


@dataclass(frozen=True)
class Row:
    line: int
    area_code: str
    code: str
    name: str
    type_code: str


def code_problem(code: str) -> str | None:
    if not CODE.match(code or ""):
        return f"热线分类代码 {code or '（空）'} 无效：只能用字母、数字和 . _ -，以字母或数字开头，最多 32 位"
    return None


def type_problem(types: CaseTypes, type_code: str) -> str | None:
    kind = types.get(type_code)
    if kind is None:
        return f"事件类型 {type_code or '（空）'} 不存在"
    if kind.is_class:
        return f"{kind.name}（{type_code}）是大类，请选择其下的小类"
    return None


def row_problems(types: CaseTypes, code: str, name: str, type_code: str) -> list[str]:
    """What is wrong with one row of the table (empty: nothing)."""
    found = [p for p in (code_problem(code), type_problem(types, type_code)) if p]
    if len(name) > MAX_NAME:
        found.append(f"名称太长（最多 {MAX_NAME} 个字）")
    return found


def parse_csv(data: bytes, types: CaseTypes, *, area_ok) -> list[Row]:
    """The rows of an imported CSV, or :class:`Invalid` listing every bad row with its line number.
    ``area_ok(code)``: whether the importer may write rows of that area ("" is its own)."""
    if len(data) > MAX_BYTES:
        raise Invalid(f"文件太大（最多 {MAX_BYTES // 1024} KB）")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("文件不是 UTF-8 编码的 CSV") from exc
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    names = [h.strip().lower() for h in header or []]
    with_area = names[:1] == ["area_code"]
    rest = names[1:] if with_area else names
    if rest not in (list(COLUMNS), [*COLUMNS, "type_name"]):
        raise Invalid("表头应为 code,name,type（可在最前加 area_code 列，可在最后带导出的 type_name 列）",
                      details=[{"line": 1, "error": "表头不对"}])
    width = len(rest)
    rows: list[Row] = []
    errors: list[dict] = []
    seen: dict[tuple[str, str], int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        cells = [c.strip() for c in cells]
        area = cells.pop(0) if with_area else ""
        cells += [""] * (3 - len(cells))
        code, name, type_code = cells[:3]
        problems = row_problems(types, code, name, type_code)
        if len(cells) > width and any(cells[width:]):
            problems.append("列数多于表头")
        if area and not area_ok(area):
            problems.append(f"区域 {area} 不在你的辖区内")
        if (area, code) in seen:
            problems.append(f"与第 {seen[(area, code)]} 行重复")
        seen.setdefault((area, code), line)
        if problems:
            errors.append({"line": line, "error": "；".join(problems)})
        else:
            rows.append(Row(line, area, code, name, type_code))
        if len(rows) + len(errors) > MAX_ROWS:
            raise Invalid(f"行数太多（最多 {MAX_ROWS} 行）")
    if errors:
        raise Invalid(f"有 {len(errors)} 行有误，未导入任何一行：" + "；".join(f"第 {e['line']} 行：{e['error']}"
                                                                  for e in errors[:20]), details=errors)
    if not rows:
        raise Invalid("文件中没有数据行")
    return rows
