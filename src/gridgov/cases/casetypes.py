"""Case types (事件类型): a two-level classification (大类/小类) shipped as data.

The shipped file (``cases/data/case_types.csv``) names its sources in its header; a city replaces it
with ``GRIDGOV_CASE_TYPES=path`` and checks a replacement first with ``gridgov case-types check FILE``.
A type keeps the matter (事项) as the legal basis: each row names the matter it falls under and the
kind of department that handles it by default, each as ``|``-separated candidates, because the five
profiles list different departments and matters (the first candidate the profile has wins; a 小类
with an empty cell takes its 大类's). Reading checks every row and reports each bad one with its
line number, all or nothing; a file that resolves under one profile may not under another.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from gridgov.catalogue.starter import load_starter
from gridgov.errors import Invalid

SHIPPED = Path(__file__).parent / "data" / "case_types.csv"
COLUMNS = ("code", "name", "parent", "department_kind", "matter")
_CODE = re.compile(r"^[A-Za-z0-9_]{1,16}$")
_MAX_NAME = 50
_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class CaseType:
    """One row: a 大类 (``parent`` None) or a 小类. ``department_kind`` and ``matter`` are resolved
    under the profile the file was read for."""

    code: str
    name: str
    parent: str | None
    department_kind: str
    matter: str
    matters: tuple[str, ...]  # every candidate, in order: the case takes the first in force at its place
    line: int

    @property
    def is_class(self) -> bool:
        return self.parent is None


@dataclass(frozen=True)
class CaseTypes:
    types: tuple[CaseType, ...]
    source: str

    def get(self, code: str | None) -> CaseType | None:
        return self._by_code().get(code) if code else None

    def _by_code(self) -> dict[str, CaseType]:
        found = self.__dict__.get("_index")
        if found is None:
            found = {t.code: t for t in self.types}
            object.__setattr__(self, "_index", found)
        return found

    def names(self) -> dict[str, str]:
        """小类 code → "大类 / 小类", as pages show a case's type."""
        by = self._by_code()
        return {t.code: f"{by[t.parent].name} / {t.name}" for t in self.types if t.parent}

    def groups(self) -> list[dict]:
        """The 大类 in file order, each with its 小类: what the report form's grouped select shows."""
        return [{"code": c.code, "name": c.name, "types": [t for t in self.types if t.parent == c.code]}
                for c in self.types if c.is_class]

    def codes_under(self, code: str) -> tuple[str, ...] | None:
        """The 小类 codes a filter by ``code`` means: a 大类's own 小类, a 小类 itself; None if unknown."""
        found = self.get(code)
        if found is None:
            return None
        return tuple(t.code for t in self.types if t.parent == code) if found.is_class else (code,)

    def subtype(self, code: str) -> CaseType:
        """The 小类 ``code``; 422 in Chinese for an unknown code or a 大类."""
        found = self.get(code)
        if found is None:
            raise Invalid(f"事件类型 {code} 不存在，请从事件类型列表中选择",
                          details=[{"field": "type", "error": "取值无效"}])
        if found.is_class:
            raise Invalid(f"{found.name}（{code}）是大类，请选择其下的小类",
                          details=[{"field": "type", "error": "须为小类"}])
        return found


class CaseTypesInvalid(Invalid):
    """A type file with bad rows: every problem with its line number (``errors``: line, error)."""

    def __init__(self, source: str, problems: list[tuple[int, str]]):
        lines = "；".join(f"第 {n} 行：{p}" for n, p in problems)
        super().__init__(f"事件类型文件{source} 有 {len(problems)} 处错误，未采用：{lines}",
                         details=[{"line": n, "error": p} for n, p in problems])
        self.problems = problems


def _candidates(cell: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in cell.split("|") if c.strip())


def _rows(text: str):
    """(line number, cells) of each data row; comment (#) and blank lines skipped; the header first."""
    reader = csv.reader(io.StringIO(text))
    for cells in reader:
        line = reader.line_num
        if not cells or not "".join(cells).strip() or cells[0].lstrip().startswith("#"):
            continue
        yield line, [c.strip() for c in cells]


def parse(text: str, profile, *, source: str = "") -> CaseTypes:
    """The types of ``text`` (CSV) resolved under ``profile``; :class:`CaseTypesInvalid` listing every
    bad row with its line number when any is bad."""
    departments = [d.code for d in profile.departments]
    matters = [m.code for m in load_starter(profile).matters] + [c.code for c in profile.cases.categories]
    problems: list[tuple[int, str]] = []
    classes: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    seen: set[str] = set()
    bad: set[str] = set()
    used: set[str] = set()
    rows: list[CaseType] = []
    header_seen = False
    for line, cells in _rows(text.removeprefix("\ufeff")):
        if not header_seen:
            header_seen = True
            if tuple(cells) != COLUMNS:
                problems.append((line, f"表头应为 {','.join(COLUMNS)}"))
                break
            continue
        if len(cells) != len(COLUMNS):
            problems.append((line, f"应有 {len(COLUMNS)} 列，实有 {len(cells)} 列"))
            continue
        code, name, parent, dept_cell, matter_cell = cells
        found = _row_problems(code, name, parent, seen, classes, bad)
        seen.add(code)
        used.add(parent)
        depts, mats = _candidates(dept_cell), _candidates(matter_cell)
        if parent in classes:
            depts, mats = depts or classes[parent][0], mats or classes[parent][1]
        label = f"事件类型 {code}（{name}）"
        dept = next((d for d in depts if d in departments), None)
        if not found and dept is None:
            found.append(f"{label}的默认部门 {'|'.join(depts) or '（未填）'} 在配置 {profile.name} 中都没有"
                         f"（该配置的部门：{'、'.join(departments)}）")
        matter = next((m for m in mats if m in matters), None)
        if not found and matter is None:
            found.append(f"{label}所属事项 {'|'.join(mats) or '（未填）'} 不是配置 {profile.name} 的起始清单事项"
                         f"或初始类别（可选：{'、'.join(matters)}）")
        if found:
            problems.extend((line, p) for p in found)
            if not parent:
                bad.add(code)
            continue
        if not parent:
            classes[code] = (depts, mats)
        rows.append(CaseType(code, name, parent or None, dept, matter, tuple(m for m in mats if m in matters), line))
    if not header_seen:
        problems.append((1, f"文件为空：须有表头 {','.join(COLUMNS)} 和至少一个大类、一个小类"))
    problems.extend((t.line, f"大类 {t.code}（{t.name}）下没有小类") for t in rows if t.is_class and t.code not in used)
    if problems:
        raise CaseTypesInvalid(f" {source}" if source else "", sorted(problems))
    return CaseTypes(tuple(rows), source)


def _row_problems(code, name, parent, seen, classes, bad) -> list[str]:
    found = []
    if not _CODE.match(code):
        found.append(f"代码 {code or '（空）'} 无效：只能用字母、数字、下划线，最多 16 位")
    elif code in seen:
        found.append(f"代码 {code} 重复")
    if not name:
        found.append("名称不能为空")
    elif len(name) > _MAX_NAME:
        found.append(f"名称太长（最多 {_MAX_NAME} 个字）")
    if parent and parent in bad:
        found.append(f"所属大类 {parent} 本身有误（见该行）")
    elif parent and parent not in classes:
        found.append(f"所属大类 {parent} 不存在（大类须写在它的小类之前，且大类不能再有上级）")
    return found


def read(path: Path | str, profile) -> CaseTypes:
    """The types of the file at ``path``, checked against ``profile``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Invalid(f"无法读取事件类型文件 {path}：{exc.strerror or exc}") from None
    if len(data) > _MAX_BYTES:
        raise Invalid(f"事件类型文件 {path} 太大（最多 1 MB）")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(f"事件类型文件 {path} 不是 UTF-8 编码") from None
    return parse(text, profile, source=path.name)


_CACHE: dict[tuple[str, float, int], tuple[object, CaseTypes]] = {}


def _cached(path: str, mtime: float, profile) -> CaseTypes:
    key = (path, mtime, id(profile))
    hit = _CACHE.get(key)
    if hit is None or hit[0] is not profile:  # the profile kept beside it: an id is not reused while it lives
        if len(_CACHE) > 32:
            _CACHE.clear()
        hit = _CACHE[key] = (profile, read(path, profile))
    return hit[1]


def load(path: Path | str | None, profile) -> CaseTypes:
    """The types in use: the file ``path`` names (GRIDGOV_CASE_TYPES), else the shipped one."""
    chosen = Path(path) if path else SHIPPED
    try:
        mtime = chosen.stat().st_mtime
    except OSError:
        return read(chosen, profile)  # says why in Chinese
    return _cached(str(chosen), mtime, profile)
