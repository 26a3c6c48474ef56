"""The pure rules of teams and projects (no I/O): the words, the moves of a task, the credit code, the
grid a project's report counts in."""

from __future__ import annotations

from datetime import date

from gridgov.registry.rules import normalise_uscc, uscc_problem

TEAM_KINDS = {
    "special": "专项服务队",
    "union": "工会",
    "youth": "共青团",
    "women": "妇联",
    "other": "其他群团组织",
}
"""QZ§16 names the special service teams (专项服务队); JS§23 the trade unions, the Communist Youth League
and the women's federations (工会、共青团、妇联) and other people's organisations."""

TASK_STATUSES = {"assigned": "已派", "done": "已完成", "cancelled": "已撤销"}
PROJECT_STATUSES = {"planned": "未开始", "running": "实施中", "finished": "已结项", "terminated": "已终止"}

TASK_NOT_OPEN = {"done": "该任务已记录完成结果", "cancelled": "该任务已撤销，不能记录结果"}
CANCEL_REFUSED = {"done": "已完成的任务不能撤销（完成结果已计入台账）", "cancelled": "该任务已经撤销"}


def result_refusal(status: str) -> str | None:
    """Why a task in ``status`` cannot take a result (None: it can: it is assigned)."""
    return TASK_NOT_OPEN.get(status)


def cancel_refusal(status: str) -> str | None:
    """Why a task in ``status`` cannot be cancelled (None: it can)."""
    return CANCEL_REFUSED.get(status)


def done_on_problem(done_on: date, today: date, assigned_on: date) -> str | None:
    """A task is done on a day between its assignment and today."""
    if done_on > today:
        return "完成日期不能晚于今天"
    if done_on < assigned_on:
        return "完成日期不能早于派单日期"
    return None


def credit_code_problem(code: str) -> str | None:
    """What is wrong with a unified social credit code (统一社会信用代码, GB 32100-2015: 18 characters, the
    last a check character), or None: the register's check (:func:`gridgov.registry.rules.uscc_problem`),
    the one the units of the register pass too."""
    return uscc_problem(code.replace("-", ""))


def report_area(grid_codes: list[str], area_code: str) -> str:
    """Where a project's report counts: its first grid, or its area when it names no grid."""
    return grid_codes[0] if grid_codes else area_code


def period_problem(starts_on: date, ends_on: date) -> str | None:
    return "项目结束日期不能早于开始日期" if ends_on < starts_on else None


def compact_credit_code(code: str) -> str:
    """The code as stored: no spaces or dashes, upper case."""
    return normalise_uscc(code.replace("-", ""))
