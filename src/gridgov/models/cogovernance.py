"""Working with others (共建共治, issue 18): the activity ledger every part of it writes.

Each part of :mod:`gridgov.cogovernance` keeps its own tables (legal professionals and their visits,
deliberations, mediations, volunteers and informants, teams and projects). What the analysis counts
per grid and month is one row here per thing that happened, written in the same transaction as the
thing itself, by whichever layer records it (the resident channel marks an informant's report, the
cogovernance services the rest): a legal visit, a deliberation, a mediation, an informant's report, a
team's task done, a project's report. ``area_code`` is the grid (or, for what belongs to a town or a
community, that area) where it happened; ``ref_type``/``ref_id`` name the row it counts, so a row
withdrawn (a visit deleted) takes its line with it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.types import UTCDateTime
from gridgov.models.base import Base


class ActivityKind(enum.StrEnum):
    LEGAL_VISIT = "legal_visit"
    DELIBERATION = "deliberation"
    MEDIATION = "mediation"
    INFORMANT_REPORT = "informant_report"
    TEAM_TASK = "team_task"
    PROJECT_REPORT = "project_report"


ACTIVITY_LABELS = {
    ActivityKind.LEGAL_VISIT: "法律服务进网格",
    ActivityKind.DELIBERATION: "议事协商",
    ActivityKind.MEDIATION: "矛盾纠纷调解",
    ActivityKind.INFORMANT_REPORT: "信息员上报",
    ActivityKind.TEAM_TASK: "专项服务队任务",
    ActivityKind.PROJECT_REPORT: "服务项目报告",
}


class CogovActivity(Base):
    """One thing done with others, counted by grid (or area) and day."""

    __tablename__ = "cogov_activities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    area_code: Mapped[str] = mapped_column(String(17), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    ref_type: Mapped[str] = mapped_column(String(32))
    ref_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("ref_type", "ref_id", "kind", name="uq_cogov_activities_ref"),
        Index("ix_cogov_activities_kind_on", "kind", "occurred_on"),
    )
