"""``GET /api/v1/stats/cases``: KPIs of the case files, grouped (see :mod:`.stats`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from gridgov.analysis import cogovernance_stats, stats
from gridgov.authz.principals import AnalysisReader
from gridgov.deps import ProfileDep, ReplicaSessionDep
from gridgov.kit.clock import utc_now

router = APIRouter()

_DESCRIPTION = (
    "按事件电子档案计算的考核指标（口径见 docs/kpi.md），按 group_by 分组：area 下一级区划（area 或本人辖区的下一级；"
    "村/社区为其网格）、grid 网格、type 事件类型、matter 事项、department 牵头部门、worker 网格员、month 月份。"
    "以事件登记日（cases.created_at，北京时间）归期：from/to 与事件列表的 from/to 相同。"
    "每项含各计数、比率（分母为 0 时为 null）、"
    "各环节平均工作日，以及 cases_url：事件列表 GET /api/v1/cases 加上这些条件，列出的正是该项 reported 所计的事件；"
    "再加 &kpi=<指标> 即列出该指标所计的事件。辖区外的区划返回 404。")


@router.get("/stats/cases", summary="事件考核指标（分组统计）", description=_DESCRIPTION)
def stats_cases(
    request: Request, session: ReplicaSessionDep, me: AnalysisReader, profile: ProfileDep,
    group_by: Annotated[str, Query(max_length=12, title="分组方式",
                                   description="area|grid|type|matter|department|worker|month")] = "area",
    area: Annotated[str | None, Query(max_length=12, title="区划代码（默认本人辖区）")] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10, title="登记日期起（含）")] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10, title="登记日期止（含）")] = None,
) -> dict[str, Any]:
    return stats.case_stats(session, me, group_by=group_by, area=area or None, date_from=date_from or None,
                            date_to=date_to or None, now=utc_now(), profile=profile,
                            case_types=request.app.state.case_types)


_COGOV_DESCRIPTION = (
    "共建共治活动统计（issue 18）：法律服务进网格、议事协商、矛盾纠纷调解、信息员上报、专项服务队任务、服务项目报告，"
    "按活动台账（每项活动在登记它的同一事务中写入一行）计数。group_by：area 下一级区划（含本级活动）、grid 网格、"
    "month 月份、grid_month 网格和月份。from/to 为活动日期（含）。辖区外的区划返回 404；"
    "部门和共建力量账号不计任何活动。")


@router.get("/stats/cogovernance", summary="共建共治活动统计（按网格、月份）", description=_COGOV_DESCRIPTION)
def stats_cogovernance(
    session: ReplicaSessionDep, me: AnalysisReader,
    group_by: Annotated[str, Query(max_length=12, title="分组方式",
                                   description="area|grid|month|grid_month")] = "area",
    area: Annotated[str | None, Query(max_length=12, title="区划代码（默认本人辖区）")] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10, title="活动日期起（含）")] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10, title="活动日期止（含）")] = None,
) -> dict[str, Any]:
    return cogovernance_stats.activity_stats(session, me, group_by=group_by, area=area or None,
                                             date_from=date_from or None, date_to=date_to or None)
