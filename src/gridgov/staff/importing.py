"""Importing staff from an Excel sheet (or CSV) and exporting them in the same shape.

The sheet has one header row of Chinese column names and one person per row, with at most one
post (and its pre-job training). Every row is checked, each problem reported with the line
number Excel shows, the column and a Chinese reason; nothing is written unless every row is
valid. Rows go through the same service functions as the pages (so the same rules apply), inside
a savepoint that is rolled back whole when any row fails.

Export rule: an export holds the masks of :mod:`gridgov.kit.masking` (``**************1234``, no
birth date) and so cannot be imported back; a user holding ``staff.reveal`` may export the full
values, which is audited as one ``staff_revealed`` entry naming how many people were exported.
Only the full export round-trips. Each person is one row with the earliest current (active or
pending) post. Cells are written through :mod:`gridgov.kit.spreadsheet` (a value that would run as
a formula is quoted, and the quote is dropped again on import).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import ROW_TAG
from openpyxl.xml.functions import iterparse
from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.errors import DomainError, Invalid
from gridgov.inputguard import bad_text
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.masking import mask_id_number, mask_phone
from gridgov.kit.spreadsheet import cell_text, new_workbook, xlsx_bytes
from gridgov.models.staff import StaffMember
from gridgov.policy.schema import LEADER_BASIS_LABELS, ROLE_LABELS
from gridgov.staff import posts as post_service
from gridgov.staff import repository as repo
from gridgov.staff import rules, service
from gridgov.staff.schemas import (
    ImportProblem,
    ImportResult,
    PostCreate,
    StaffCreate,
    TrainingCreate,
)
from gridgov.territory import rules as code_rules
from gridgov.territory.service import access_area

MAX_ROWS = 5000
MAX_FILE_BYTES = 10 * 1024 * 1024

COLUMNS: list[tuple[str, str]] = [
    ("name", "姓名"),
    ("gender", "性别"),
    ("birth_date", "出生日期"),
    ("id_number", "身份证号"),
    ("phone", "手机号"),
    ("work_phone", "工作电话"),
    ("area_code", "所属区域编码"),
    ("role", "岗位"),
    ("grid_code", "网格编码"),
    ("micro_grid_code", "微网格编码"),
    ("department_code", "派出部门编码"),
    ("start_date", "上岗日期"),
    ("training_date", "岗前培训日期"),
    ("training_passed", "培训考核合格"),
    ("training_score", "考核分数"),
    ("leader_basis", "网格长任职身份"),  # staff.leader_eligible_from (JS§12, QZ§11, JM§10)
]
HEADING = dict(COLUMNS)
REQUIRED = ("name", "gender", "area_code")
ROLE_BY_LABEL = {label: code for code, label in ROLE_LABELS.items()} | {"专职": "fulltime", "兼职": "parttime",
                                                                       "专业": "professional", "联络员": "liaison",
                                                                       "志愿者": "volunteer"}
BASIS_BY_LABEL = {label: code for code, label in LEADER_BASIS_LABELS.items()}
YES = {"是", "合格", "通过", "Y", "YES", "TRUE", "1"}
NO = {"否", "不合格", "未通过", "N", "NO", "FALSE", "0"}


@dataclass
class Row:
    line: int
    values: dict[str, Any]
    problems: list[ImportProblem] = field(default_factory=list)
    parsed: dict[str, Any] = field(default_factory=dict)

    def problem(self, key: str, reason: str) -> None:
        self.problems.append(ImportProblem(line=self.line, column=HEADING.get(key, key), reason=reason))


# ---------------------------------------------------------------- reading files


MAX_BLANK_ROWS = 1000
"""Blank lines tolerated beyond the row limit (sheets often carry formatted empty rows at the end)."""


def _too_many() -> Invalid:
    return Invalid(f"一次最多导入 {MAX_ROWS} 行，请分批导入：文件超过 {MAX_ROWS} 行，已停止读取")


def read_rows(content: bytes, filename: str = "") -> list[Row]:
    """The data rows of an .xlsx (first sheet) or .csv file, header checked, empty rows skipped.

    The file is read as a stream and reading stops as soon as it passes :data:`MAX_ROWS` data rows
    (or that plus :data:`MAX_BLANK_ROWS` lines in all): a small file of millions of rows is refused
    without going through them."""
    if not content:
        raise Invalid("文件为空")
    if len(content) > MAX_FILE_BYTES:
        raise Invalid(f"文件不能超过 {MAX_FILE_BYTES // 1024 // 1024} MB")
    if filename.lower().endswith(".csv") or not content.startswith(b"PK"):
        table, close = _csv_table(content), None
    else:
        table, close = _xlsx_table(content)
    try:
        return _rows(table)
    finally:
        if close is not None:
            close()


def _rows(table: Iterator[tuple]) -> list[Row]:
    header = next(table, None)
    if header is None:
        raise Invalid("文件中没有表头行")
    keys: list[str | None] = []
    by_heading = {h: k for k, h in COLUMNS}
    problems = []
    for i, cell in enumerate(header):
        text = _text(cell)
        if not text:
            keys.append(None)
            continue
        if text not in by_heading:
            problems.append(ImportProblem(line=1, column=text, reason=f"未知的列“{text}”（第 {i + 1} 列）"))
        keys.append(by_heading.get(text))
    for key in REQUIRED:
        if key not in keys:
            problems.append(ImportProblem(line=1, column=HEADING[key], reason=f"缺少必需的列“{HEADING[key]}”"))
    if problems:
        raise Invalid("表头有误，未导入任何数据", details=[p.model_dump() for p in problems])
    rows = []
    for offset, cells in enumerate(table, start=2):
        if offset > MAX_ROWS + MAX_BLANK_ROWS + 1:
            raise _too_many()
        values = {k: cells[i] for i, k in enumerate(keys) if k and i < len(cells)}
        if all(_text(v) == "" for v in values.values()):
            continue
        rows.append(Row(offset, values))
        if len(rows) > MAX_ROWS:
            raise _too_many()
    # A file's cells are text a user typed: no control characters (PostgreSQL refuses NUL), see inputguard.
    bad = [ImportProblem(line=row.line, column=HEADING.get(k, k), reason="含有不允许的控制字符")
           for row in rows for k, v in row.values.items() if isinstance(v, str) and bad_text(v)]
    if bad:
        raise Invalid(f"有 {len(bad)} 处含有不允许的控制字符，未导入任何数据", details=[p.model_dump() for p in bad])
    if not rows:
        raise Invalid("文件中没有数据行")
    return rows


def _xlsx_table(content: bytes) -> tuple[Iterator[tuple], Callable[[], None]]:
    """The first sheet's rows, read lazily (openpyxl's read-only mode), and how to close the book."""
    try:
        _count_rows(content)
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = wb.worksheets[0]
    except (InvalidFileException, KeyError, ValueError, OSError, IndexError, BadZipFile, ParseError) as exc:
        raise Invalid("无法读取该 Excel 文件：请上传 .xlsx 格式（或 UTF-8 编码的 .csv）") from exc
    return sheet.iter_rows(values_only=True), wb.close


def _count_rows(content: bytes) -> None:
    """Refuses a first sheet of more lines than an import may have, counting its <row> elements as
    they stream and stopping past the limit. Done before openpyxl opens the sheet: without a
    <dimension> element, openpyxl's read-only mode parses the whole sheet to size it (52 s for a
    429 KB file of 3 million rows)."""
    reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
    reader.read_manifest()
    reader.read_workbook()
    target = next((rel.target for _sheet, rel in reader.parser.find_sheets() if rel.target in reader.valid_files),
                  None)
    if target is None:
        return  # openpyxl will say what is wrong
    limit = MAX_ROWS + MAX_BLANK_ROWS + 1
    rows = 0
    try:
        with reader.archive.open(target) as sheet:
            for _event, element in iterparse(sheet, events=("start",)):
                if element.tag == ROW_TAG:
                    rows += 1
                    if rows > limit:
                        raise _too_many()
    finally:
        reader.archive.close()


def _csv_table(content: bytes) -> Iterator[tuple]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return (tuple(r) for r in csv.reader(io.StringIO(text)))
    raise Invalid("无法识别文件编码：请使用 UTF-8 或 GB18030 编码的 CSV，或上传 .xlsx")


def _text(value: Any) -> str:
    """A cell as text; the quote an export put before a formula-like value is dropped again."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(cell_text(value)).strip()


def _date(row: Row, key: str) -> date | None:
    value = row.values.get(key)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for sep in ("-", "/", "."):
        parts = text.split(sep)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                return date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                break
    row.problem(key, f"日期“{text}”无效，应写作 2024-03-01")
    return None


def _code(row: Row, key: str, length: int) -> str | None:
    text = _text(row.values.get(key))
    if not text:
        return None
    if len(text) != length or not text.isdigit():
        row.problem(key, f"“{text}”应为 {length} 位数字")
        return None
    return text


# ---------------------------------------------------------------- checking one row's cells


def _parse(row: Row, profile) -> None:
    p = row.parsed
    p["name"] = _text(row.values.get("name"))
    if not p["name"]:
        row.problem("name", "姓名不能为空")
    elif len(p["name"]) > 50:
        row.problem("name", "姓名太长（最多 50 字）")
    gender = rules.normalise_gender(_text(row.values.get("gender")))
    if gender is None:
        row.problem("gender", "性别应为“男”或“女”")
    p["gender"] = gender
    p["birth_date"] = _date(row, "birth_date")
    raw_id = row.values.get("id_number")
    if isinstance(raw_id, (int, float)):
        row.problem("id_number", "身份证号被 Excel 存成了数字（后几位会丢失），请把该列设为文本后重新填写")
    id_number = rules.normalise_id_number(_text(raw_id))
    if "*" in id_number:
        row.problem("id_number", "身份证号是脱敏值（导出时未取得查看权限），不能导入")
    elif id_number:
        problem, born = rules.id_number_facts(id_number)
        if problem:
            row.problem("id_number", problem)
        elif p["birth_date"] and born != p["birth_date"]:
            row.problem("birth_date", f"与身份证号码中的出生日期 {born.isoformat()} 不一致")
    p["id_number"] = id_number or None
    for key, label in (("phone", "手机号"), ("work_phone", "工作电话")):
        text = _text(row.values.get(key))
        if "*" in text:
            row.problem(key, f"{label}是脱敏值，不能导入")
            continue
        try:
            p[key] = service.check_phone(text, label)
        except Invalid as exc:
            row.problem(key, exc.message)
    p["area_code"] = _code(row, "area_code", 12)
    if p["area_code"] is None and not any(x.column == HEADING["area_code"] for x in row.problems):
        row.problem("area_code", "所属区域编码不能为空")
    role_text = _text(row.values.get("role"))
    role = ROLE_BY_LABEL.get(role_text, role_text) if role_text else None
    if role:
        problem = rules.role_problem(profile.staff, role)
        if problem:
            row.problem("role", problem)
    p["role"] = role
    p["grid_code"] = _code(row, "grid_code", 15)
    p["micro_grid_code"] = _code(row, "micro_grid_code", 17)
    p["department_code"] = _text(row.values.get("department_code")) or None
    basis = _text(row.values.get("leader_basis"))
    p["leader_basis"] = BASIS_BY_LABEL.get(basis, basis) or None
    p["start_date"] = _date(row, "start_date")
    if role and p["start_date"] is None and not any(x.column == HEADING["start_date"] for x in row.problems):
        row.problem("start_date", "填写了岗位时必须填写上岗日期")
    if not role and (p["grid_code"] or p["micro_grid_code"] or p["start_date"]):
        row.problem("role", "填写了网格或上岗日期，但没有填写岗位")
    p["training_date"] = _date(row, "training_date")
    passed_text = _text(row.values.get("training_passed")).upper()
    passed = True if passed_text in YES else False if passed_text in NO else None
    if passed_text and passed is None:
        row.problem("training_passed", "应填“是”或“否”")
    p["training_passed"] = passed
    score_text = _text(row.values.get("training_score"))
    p["training_score"] = None
    if score_text:
        if not score_text.isdigit() or int(score_text) > 100:
            row.problem("training_score", "考核分数应为 0–100 的整数")
        else:
            p["training_score"] = int(score_text)
    if p["training_date"] is None and (passed is not None or score_text):
        row.problem("training_date", "填写了培训结果，但没有填写培训日期")
    if p["training_date"] is not None and passed is None and not passed_text:
        row.problem("training_passed", "填写了培训日期，请注明考核是否合格")


# ---------------------------------------------------------------- import


def _column_of(message: str, step: str) -> str:
    """The column a service refusal most likely concerns (the step's own column otherwise)."""
    if step == "staff":
        for word, key in (("身份证", "id_number"), ("出生日期", "birth_date"), ("区域", "area_code"),
                          ("工作电话", "work_phone"), ("手机号", "phone"), ("性别", "gender")):
            if word in message:
                return key
        return "name"
    if step == "post":
        for word, key in (("任职身份", "leader_basis"), ("微网格", "micro_grid_code"), ("网格", "grid_code"),
                          ("部门", "department_code"),
                          ("上岗日期", "start_date"), ("区域", "area_code")):
            if word in message and "条件" not in message:
                return key
        return "role"
    return "training_date" if step == "training" else "role"


def import_staff(session: Session, principal: Principal, content: bytes, *, filename: str = "", profile,
                 cipher: FieldCipher, now: datetime) -> ImportResult:
    """Validate every row, then write them all (or nothing, with every problem listed)."""
    rows = read_rows(content, filename)
    for row in rows:
        _parse(row, profile)
    problems: list[ImportProblem] = []
    result = ImportResult(staff_created=0, posts_created=0, posts_activated=0, trainings_recorded=0)
    seen: dict[str, int] = {}
    for row in rows:
        number = row.parsed.get("id_number")
        if number and not row.problems and "*" not in number:
            index = cipher.blind_index(number)
            if index in seen:
                row.problem("id_number", f"与第 {seen[index]} 行的身份证号重复")
            else:
                seen[index] = row.line
    savepoint = session.begin_nested()
    try:
        for row in rows:
            if not row.problems:
                _write_row(session, principal, row, profile=profile, cipher=cipher, now=now, result=result)
            problems.extend(row.problems)
        if problems:
            savepoint.rollback()
            raise Invalid(f"有 {len({p.line for p in problems})} 行数据有误，未导入任何数据",
                          details=[p.model_dump() for p in sorted(problems, key=lambda p: p.line)])
        savepoint.commit()
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    record(session, actor=principal, action="staff_imported", now=now, object_type="staff",
           area_code=principal.scope_code if principal else "", detail=filename[:200], after=result.model_dump())
    return result


def _write_row(session, principal, row: Row, *, profile, cipher, now, result: ImportResult) -> None:
    p = row.parsed
    step = "staff"
    try:
        staff = service.new_staff(session, principal, StaffCreate(
            name=p["name"], gender=p["gender"], birth_date=p["birth_date"], id_number=p["id_number"],
            phone=p.get("phone"), work_phone=p.get("work_phone") or "", area_code=p["area_code"]), cipher=cipher,
                                  now=now)
        result.staff_created += 1
        training = None
        if p["training_date"] is not None:
            step = "training"
            training = service.add_training(session, principal, staff, TrainingCreate(
                held_on=p["training_date"], passed=bool(p["training_passed"]), score=p["training_score"]), now=now)
            result.trainings_recorded += 1
        if p["role"]:
            step = "post"
            post = post_service.new_post(session, principal, PostCreate(
                staff_id=staff.id, role=p["role"], grid_code=p["grid_code"], micro_grid_code=p["micro_grid_code"],
                area_code=p["area_code"], department_code=p["department_code"], start_date=p["start_date"],
                leader_basis=p["leader_basis"]),
                profile=profile, now=now)
            result.posts_created += 1
            gate_open = not profile.staff.training_before_posting or (training is not None and training.passed)
            if gate_open and post.start_date <= service.today(now):
                step = "activate"
                post_service.start_post(session, principal, post, profile=profile, now=now)
                result.posts_activated += 1
    except DomainError as exc:
        row.problem(_column_of(exc.message, step), exc.message)


# ---------------------------------------------------------------- export


def export_rows(session: Session, principal: Principal, *, area: str | None, cipher: FieldCipher,
                full: bool) -> list[list[Any]]:
    prefix = None
    if area:
        access_area(session, principal, area)
        prefix = code_rules.area_prefix(area)
    staff, _total = repo.list_staff(session, principal, prefix=prefix, q=None, index=None, offset=0, limit=None)
    by_staff: dict[int, list] = {}
    for post in repo.posts_of(session, principal, [s.id for s in staff]):
        if post.status != rules.ENDED:
            by_staff.setdefault(post.staff_id, []).append(post)
    out = []
    for s in staff:
        post = by_staff.get(s.id, [None])[0]
        trainings = [t for t in repo.trainings_of(session, s.id) if t.kind == "pre_job"]
        passed = [t for t in trainings if t.passed]
        training = passed[0] if passed else (trainings[-1] if trainings else None)
        out.append(_export_row(s, post, training, cipher=cipher, full=full))
    return out


def _export_row(s: StaffMember, post, training, *, cipher: FieldCipher, full: bool) -> list[Any]:
    if full:
        id_number = cipher.decrypt(s.id_number_enc) if s.id_number_enc else ""
        phone = cipher.decrypt(s.phone_enc) if s.phone_enc else ""
        born = s.birth_date.isoformat() if s.birth_date else ""
    else:  # the masking rule: last four of the ID number, masked phone, no birth date
        id_number, phone, born = mask_id_number(s.id_number_mask), mask_phone(s.phone_mask), ""
    role_area = post is not None and rules.scope_kind_for(post.role) == "area"
    return [
        s.name, s.gender, born, id_number, phone, s.work_phone,
        post.scope_code if role_area else s.area_code,
        rules.role_label(post.role) if post else "",
        (post.grid_code or "") if post and not post.micro_grid_code else "",
        (post.micro_grid_code or "") if post else "",
        (post.department_code or "") if post else "",
        post.start_date.isoformat() if post else "",
        training.held_on.isoformat() if training else "",
        ("是" if training.passed else "否") if training else "",
        training.score if training and training.score is not None else "",
        rules.leader_basis_label(post.leader_basis) if post and post.leader_basis else "",
    ]


def export_workbook(session: Session, principal: Principal, *, area: str | None, cipher: FieldCipher,
                    full: bool, now: datetime) -> bytes:
    """The staff under ``area`` as an .xlsx the import accepts (see the module's export rule)."""
    rows = export_rows(session, principal, area=area, cipher=cipher, full=full)
    if full:
        record(session, actor=principal, action="staff_revealed", now=now, object_type="staff",
               area_code=area or (principal.scope_code if principal else ""),
               detail=f"导出含完整身份证号码与手机号的网格员名单，共 {len(rows)} 人")
    wb = new_workbook()
    ws = wb.active
    ws.title = "网格员"
    ws.append([h for _k, h in COLUMNS])
    for r in rows:
        ws.append(r)
    for col in ("C", "D", "E", "F", "G", "I", "J", "K", "L", "M"):
        for cell in ws[col]:
            cell.number_format = "@"
        ws.column_dimensions[col].width = 20
    return xlsx_bytes(wb)
