"""The monthly analysis report pages: ``GET /reports/monthly?area=&month=[&version=]`` (HTML, charts
with ECharts), ``GET /reports/monthly.pdf?area=&month=[&version=]`` (the kept PDF, or the live one
when none is kept) and ``POST /reports/monthly`` (generate a new version: appraisal managers)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from gridgov.analysis import monthly, monthly_reports
from gridgov.analysis.monthly_api import AreaQuery, MonthQuery, VersionQuery, pdf_url, versions_of
from gridgov.authz.permissions import Permission
from gridgov.authz.principals import AnalysisReader, AppraisalManager
from gridgov.calendar import local_day
from gridgov.deps import CipherDep, ProfileDep, SessionDep
from gridgov.kit.clock import utc_now
from gridgov.web.templating import templates

router = APIRouter()


def _default_area(me) -> str:
    return (me.scope_code or "")[:12]


@router.get("/reports/monthly")
def monthly_page(request: Request, session: SessionDep, profile: ProfileDep, cipher: CipherDep, me: AnalysisReader,
                 area: Annotated[str | None, Query(pattern=r"^\d{12}$", title="区划代码")] = None,
                 month: Annotated[str | None, Query(pattern=monthly.MONTH_PATTERN, title="月份")] = None,
                 version: VersionQuery = None):
    now = utc_now()
    area = area or _default_area(me)
    month = month or monthly.previous_month(local_day(now))
    shown = monthly_reports.view(session, me, area, month, now, version, profile=profile, cipher=cipher)
    f = shown.figures
    chart = {"trend": f["trend"], "rate": f["ranking_rate"],
             "children": [{"name": i.get("name") or i.get("key"), "value": i.get(f["ranking_rate"]["name"]),
                           "url": i.get("page_url")} for i in f["children"][:30]]}
    return templates.TemplateResponse(request, "analysis/monthly.html", {
        "f": f, "shown": shown, "area": area, "month": month, "chart": chart,
        "versions": versions_of(shown, area, month),
        "pdf_url": pdf_url(area, month, shown.report.version if shown.report else None),
        "may_generate": me.can(Permission.APPRAISAL_MANAGE), "page_url": monthly.page_url,
        "fmt_value": monthly.fmt_value, "fmt_change": monthly.fmt_change, "title": monthly.title(f)})


@router.get("/reports/monthly.pdf")
def monthly_pdf(session: SessionDep, profile: ProfileDep, cipher: CipherDep, me: AnalysisReader, area: AreaQuery,
                month: MonthQuery, version: VersionQuery = None):
    body, shown = monthly_reports.pdf_of(session, me, area, month, utc_now(), version, profile=profile, cipher=cipher)
    suffix = f"-v{shown.report.version}" if shown.report else ""
    name = quote(f"月度分析报告-{area}-{month}{suffix}.pdf")
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{name}", "Cache-Control": "no-store"}
    if shown.report:
        headers["X-Content-SHA256"] = shown.report.sha256
    return Response(body, media_type="application/pdf", headers=headers)


@router.post("/reports/monthly")
def monthly_generate(session: SessionDep, profile: ProfileDep, cipher: CipherDep, me: AppraisalManager,
                     area: Annotated[str, Form(pattern=r"^\d{12}$")],
                     month: Annotated[str, Form(pattern=monthly.MONTH_PATTERN)]):
    report = monthly_reports.generate(session, me, area, month, utc_now(), profile=profile, cipher=cipher)
    return RedirectResponse(f"/reports/monthly?area={area}&month={month}&version={report.version}",
                            status_code=303)
