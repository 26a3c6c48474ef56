"""Finding cases: the filters every case list takes (the API, the pages, the export), checked once.

``GET /api/v1/cases``, ``GET /api/v1/cases/export.xlsx`` and the 辖区事件 page read the same query
string through :func:`parse`: a value that names nothing a case can have is a 422 with a Chinese
message per field, never an empty list that hides the mistake. The query itself is built by
:func:`gridgov.cases.repository.list_cases` on the door's scope (:mod:`gridgov.authz.scope`), so a
filter narrows what the user may see and never widens it: another town's cases neither appear nor
count.

``type`` filters the case type (事件类型): a 小类 code, or a 大类 code meaning all its 小类, checked
against the types in use (``GRIDGOV_CASE_TYPES`` or the shipped file).

The figures' filters (issue 16: every figure lists its cases): ``matter`` (the matter the case names),
``lead`` (the lead department it was last dispatched to), ``worker`` (the grid worker who reported
or verified it), ``kpi`` (the cases a counter of docs/kpi.md counts: ``kpi=overdue``;
``kpi=dispatched,-returned`` the dispatched ones never returned), and ``none`` for ``type``,
``matter``, ``lead``, ``worker``: the cases with none. ``lead``, ``worker`` and ``kpi`` read the case's
fact row (``case_facts``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time, timedelta

from gridgov import areas
from gridgov.areas import CodeError
from gridgov.cases.workflow import OPEN_STATES, STATE_LABELS, CaseState
from gridgov.errors import Invalid
from gridgov.kit.clock import SHANGHAI
from gridgov.kit.params import MAX_PAGE
from gridgov.models.analysis import FACT_COUNTERS

OPEN = "open"
"""``state=open``: every state but the terminal ones (办理中)."""
DONE = "done"
"""``state=done``: closed or rejected (已结束)."""

STATE_CHOICES: dict[str, str] = {OPEN: "办理中（全部）", DONE: "已结束（全部）",
                                 **{str(s): STATE_LABELS[s] for s in CaseState}}
"""What ``state`` may be, with its label (the pages' select)."""

PAGE_SIZE = 20
"""Rows a page shows by default."""
MAX_PAGE_SIZE = 200
"""The most rows one page (API or page) may ask for."""
EXPORT_LIMIT = 5000
"""The most rows one export writes; the rest are left out and the sheet says so."""

Q_MAX = 100
_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
_LABELS = {"q": "关键词", "state": "状态", "grid": "网格", "area": "区划", "type": "类型", "department": "部门",
           "from": "起始日期", "to": "截止日期", "overdue": "超期", "matter": "事项", "lead": "牵头部门",
           "worker": "网格员", "kpi": "统计指标"}

NONE = "none"
"""``type``, ``matter``, ``lead`` or ``worker`` = ``none``: the cases with none (the figures' group of them)."""

KPI_COUNTERS = FACT_COUNTERS
"""What ``kpi`` may name: a counter of the case's fact row (docs/kpi.md), ``-counter`` for its absence."""
MAX_KPI_TERMS = 4


FIELDS = tuple(_LABELS)
"""The query string's filter fields (``from`` and ``to`` as the URL spells them)."""


@dataclass(frozen=True)
class CaseFilter:
    """What a user looks for; None is "any"."""

    q: str | None = None
    state: str | None = None
    grid: str | None = None
    area: str | None = None
    type: str | None = None
    type_codes: tuple[str, ...] = ()
    department: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    overdue: bool | None = None
    matter: str | None = None
    lead: str | None = None
    worker: str | None = None
    kpi: str | None = None

    def kpi_terms(self) -> list[tuple[str, bool]]:
        """``kpi`` as (counter, wanted): ``dispatched,-returned`` → dispatched > 0 and returned = 0."""
        if not self.kpi:
            return []
        return [(t.lstrip("-"), not t.startswith("-")) for t in self.kpi.split(",")]

    def states(self) -> list[str] | None:
        if self.state == OPEN:
            return sorted(str(s) for s in OPEN_STATES)
        if self.state == DONE:
            return [str(CaseState.CLOSED), str(CaseState.REJECTED)]
        return [self.state] if self.state else None

    def created_since(self) -> datetime | None:
        """``from`` as an instant: the start of that day in local time."""
        return datetime.combine(self.date_from, time.min, SHANGHAI) if self.date_from else None

    def created_before(self) -> datetime | None:
        """``to`` as an instant: the end of that day in local time (exclusive)."""
        return datetime.combine(self.date_to + timedelta(days=1), time.min, SHANGHAI) if self.date_to else None

    def params(self) -> dict[str, str]:
        """The filter as a query string's fields (the pager's and the export's links)."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or f.name == "type_codes":  # type_codes: what ``type`` was resolved to
                continue
            key = {"date_from": "from", "date_to": "to"}.get(f.name, f.name)
            out[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return out

    def is_empty(self) -> bool:
        return not any(v is not None for k, v in asdict(self).items() if k != "type_codes")


def parse(raw: Mapping[str, str | None], case_types=None) -> CaseFilter:
    """The filter a query string asks for (empty values are "any"), or :class:`Invalid` (422)
    listing each bad field in Chinese. ``case_types``: the types in use (the app's), which a ``type``
    must name (a 大类 stands for its 小类); without them a type is taken as one 小类 code."""
    text = {k: (raw.get(k) or "").strip() for k in _LABELS}
    problems: list[dict] = []

    def bad(key: str, error: str) -> None:
        problems.append({"field": key, "error": f"{_LABELS[key]}{error}"})

    q = text["q"] or None
    if q and len(q) > Q_MAX:
        bad("q", f"最多 {Q_MAX} 个字")
    state = text["state"] or None
    if state and state not in STATE_CHOICES:
        bad("state", "取值无效（可选：" + "、".join(STATE_CHOICES) + "）")
    grid = text["grid"] or None
    if grid and not (grid.isdigit() and len(grid) in (areas.GRID_CODE_LEN, areas.MICRO_GRID_CODE_LEN)):
        bad("grid", "应为 15 位网格编码或 17 位微网格编码")
    area = text["area"] or None
    if area:
        try:
            if len(area) != areas.AREA_CODE_LEN or not area.isdigit():
                raise CodeError("应为 12 位区划代码")
            areas.area_prefix(area)
        except CodeError as exc:
            bad("area", f"无效：{exc}")
    kind = text["type"] or None
    type_codes: tuple[str, ...] = ()
    if kind and not _CODE.match(kind):
        bad("type", "应为类型编码（字母、数字、下划线，最多 40 位）")
    elif kind == NONE:
        type_codes = ()
    elif kind:
        type_codes = (case_types.codes_under(kind) if case_types is not None else (kind,)) or ()
        if not type_codes:
            bad("type", f" {kind} 不存在（见 GET /api/v1/case-types）")
    department = text["department"] or None
    if department and not _CODE.match(department):
        bad("department", "应为部门编码（字母、数字、下划线，最多 40 位）")
    dates: dict[str, date | None] = {}
    for key in ("from", "to"):
        dates[key] = None
        if text[key]:
            try:
                dates[key] = date.fromisoformat(text[key])
            except ValueError:
                bad(key, "应为日期（如 2026-03-01）")
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        bad("to", "不能早于起始日期")
    overdue = None
    if text["overdue"]:
        if text["overdue"].lower() in ("true", "1", "yes", "on"):
            overdue = True
        elif text["overdue"].lower() in ("false", "0", "no", "off"):
            overdue = False
        else:
            bad("overdue", "应为 true 或 false")
    matter = text["matter"] or None
    if matter and not _CODE.match(matter):
        bad("matter", "应为事项编码（字母、数字、下划线，最多 40 位）")
    lead = text["lead"] or None
    if lead and not _CODE.match(lead):
        bad("lead", "应为部门编码（字母、数字、下划线，最多 40 位）")
    worker = text["worker"] or None
    if worker and worker != NONE and not (worker.isdigit() and len(worker) <= 12):
        bad("worker", "应为网格员的用户编号（数字）或 none")
    kpi = text["kpi"] or None
    if kpi:
        terms = kpi.split(",")
        if len(terms) > MAX_KPI_TERMS or any(t.lstrip("-") not in KPI_COUNTERS or t.count("-") > 1 for t in terms):
            choices = "、".join(KPI_COUNTERS)
            bad("kpi", f"取值无效（可选：{choices}；前加 - 表示不计入，逗号分隔，最多 {MAX_KPI_TERMS} 项）")
    if problems:
        raise Invalid("查询条件有误：" + "；".join(p["error"] for p in problems), details=problems)
    return CaseFilter(q=q, state=state, grid=grid, area=area, type=kind, type_codes=type_codes, department=department,
                      date_from=dates["from"], date_to=dates["to"], overdue=overdue, matter=matter, lead=lead,
                      worker=worker, kpi=kpi)


def like_pattern(text: str) -> str:
    """``text`` as a LIKE pattern that matches it anywhere, its ``%``, ``_`` and ``\\`` taken
    literally (the query says ``ESCAPE '\\'``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def page_size_of(raw: str | None, default: int = PAGE_SIZE) -> int:
    """A page size from a page's query string, kept within 1..MAX_PAGE_SIZE (the API's
    bounds are checked by FastAPI; a page simply shows the nearest allowed size)."""
    try:
        return min(MAX_PAGE_SIZE, max(1, int(raw or default)))
    except ValueError:
        return default


def page_of(raw: str | None) -> int:
    try:
        return min(MAX_PAGE, max(1, int(raw or 1)))
    except ValueError:
        return 1
