"""The case list as an Excel file: the same filters and the same scope as ``GET /api/v1/cases``.

Personal data leaves masked (the reporter's phone as the lists show it, no name); every cell goes
through :mod:`gridgov.kit.spreadsheet`, so a title typed as ``=HYPERLINK(...)`` opens as text. At
most :data:`.search.EXPORT_LIMIT` rows are written (newest first); the second sheet says how many
matched, so a cut list is never mistaken for the whole.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.cases import clocks
from gridgov.cases import repository as repo
from gridgov.cases.deadlines import STATUS_LABELS, URGENCY_LABELS
from gridgov.cases.schemas import SOURCE_LABELS
from gridgov.cases.search import EXPORT_LIMIT, CaseFilter
from gridgov.cases.workflow import STATE_LABELS, CaseState
from gridgov.departments.service import list_departments
from gridgov.kit.clock import local
from gridgov.kit.masking import mask_phone
from gridgov.kit.spreadsheet import new_workbook, xlsx_bytes

HEADER = ("事件编号", "标题", "状态", "类别", "紧急程度", "来源", "网格编码", "地址", "承办部门", "登记时间",
          "办结时间", "时限状态", "反映人电话（脱敏）")


def _time(value: datetime | None) -> str:
    return local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_xlsx(session: Session, principal: Principal, found: CaseFilter, *, now: datetime,
                category_names: dict[str, str]) -> bytes:
    """The visible cases matching ``found`` as an .xlsx file (at most EXPORT_LIMIT rows)."""
    rows, total = repo.list_cases(session, principal, found=found, limit=EXPORT_LIMIT,
                                  overdue_at=now if found.overdue is not None else None)
    by_case = repo.clocks_of(session, [c.id for c in rows])
    departments = {d.code: d.name for d in list_departments(session, principal)}
    wb = new_workbook()
    ws = wb.active
    ws.title = "事件"
    ws.append(list(HEADER))
    for case in rows:
        worst = clocks.worst(by_case[case.id], now)
        lead = case.lead_department_code or ""
        ws.append([
            case.case_no, case.title, STATE_LABELS[CaseState(case.state)],
            category_names.get(case.category, case.category), URGENCY_LABELS.get(case.urgency, case.urgency),
            SOURCE_LABELS.get(case.source, case.source), case.grid_code, case.address,
            departments.get(lead, lead), _time(case.created_at), _time(case.closed_at),
            STATUS_LABELS.get(worst, "") if worst else "", mask_phone(case.reporter_phone_mask),
        ])
    about = wb.create_sheet("说明")
    about.append(["导出时间", _time(now)])
    about.append(["符合条件的事件", total])
    about.append(["本文件包含", len(rows)])
    if total > len(rows):
        about.append(["提示", f"最多导出 {EXPORT_LIMIT} 件（按登记时间从新到旧），请缩小查询条件"])
    for key, value in found.params().items():
        about.append([f"条件 {key}", value])
    return xlsx_bytes(wb)
