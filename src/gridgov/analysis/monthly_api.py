"""``GET /api/v1/reports/monthly``: the figures of the monthly analysis report of an area (a kept
version, else the live figures), with the list of kept versions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gridgov.analysis import monthly_reports
from gridgov.analysis.monthly import MONTH_PATTERN
from gridgov.authz.principals import AnalysisReader
from gridgov.deps import CipherDep, ProfileDep, SessionDep
from gridgov.kit.clock import utc_now

router = APIRouter()

AreaQuery = Annotated[str, Query(pattern=r"^\d{12}$", title="区划代码（12 位）")]
MonthQuery = Annotated[str, Query(pattern=MONTH_PATTERN, title="月份（YYYY-MM）")]
VersionQuery = Annotated[int | None, Query(ge=1, le=10_000, title="版本（不填：最新存档版本）")]


class VersionRead(BaseModel):
    version: int
    generated_at: datetime
    generated_by: str = Field(description="生成者的用户名，或 system（定时作业、命令行）")
    sha256: str = Field(description="PDF 的 SHA-256")
    pdf_url: str


class MonthlyReportRead(BaseModel):
    area: str
    month: str
    kept: bool = Field(description="是否为存档版本；false 表示尚未存档、即时计算")
    version: int | None
    versions: list[VersionRead]
    figures: dict[str, Any] = Field(description="报告的全部数据（指标、趋势、排名、类型、超期督办），每项带 cases_url")


def pdf_url(area: str, month: str, version: int | None = None) -> str:
    return f"/reports/monthly.pdf?area={area}&month={month}" + (f"&version={version}" if version else "")


def versions_of(shown, area: str, month: str) -> list[VersionRead]:
    return [VersionRead(version=r.version, generated_at=r.generated_at, generated_by=r.generated_by,
                        sha256=r.sha256, pdf_url=pdf_url(area, month, r.version)) for r in shown.versions]


@router.get("/reports/monthly", response_model=MonthlyReportRead, summary="月度分析报告的数据（存档版本或即时计算）")
def monthly_report(session: SessionDep, profile: ProfileDep, cipher: CipherDep, me: AnalysisReader, area: AreaQuery,
                   month: MonthQuery, version: VersionQuery = None) -> MonthlyReportRead:
    shown = monthly_reports.view(session, me, area, month, utc_now(), version, profile=profile, cipher=cipher)
    return MonthlyReportRead(area=area, month=month, kept=shown.kept,
                             version=shown.report.version if shown.report else None,
                             versions=versions_of(shown, area, month), figures=shown.figures)
