"""Pure rules of the volunteer register (issue 18; ZJ§9, ZJ§23, JM§10): kinds, places, the one liaison
of a micro-grid, and the recognition points of the profile's ``recognition`` section. No I/O."""

from __future__ import annotations

import re

from gridgov.cases.vocabulary import CaseState
from gridgov.models.volunteers import ORG_KIND_LABELS, VOLUNTEER_KIND_LABELS, OrgKind, VolunteerKind

GRID_LEN, MICRO_LEN = 15, 17
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def org_kind_problem(kind: str) -> str | None:
    if kind not in set(OrgKind):
        return "组织类别应为：" + "、".join(f"{v}（{k}）" for k, v in ORG_KIND_LABELS.items())
    return None


def kind_problem(kind: str) -> str | None:
    if kind not in set(VolunteerKind):
        return "人员类别应为：" + "、".join(f"{v}（{k}）" for k, v in VOLUNTEER_KIND_LABELS.items())
    return None


def place_problem(kind: str, place_code: str) -> str | None:
    """A liaison serves one micro-grid (ZJ§9); the others a micro-grid or a grid."""
    if not place_code.isdigit() or len(place_code) not in (GRID_LEN, MICRO_LEN):
        return "所在位置应为 17 位微网格编码或 15 位网格编码"
    if kind == VolunteerKind.LIAISON and len(place_code) != MICRO_LEN:
        return "微网格联络员须挂在一个微网格（17 位微网格编码）"
    return None


def liaison_conflict(cap: int, held: int, cite: str = "") -> str | None:
    """Why one more active liaison of a micro-grid that already has ``held`` (register and staff posts)
    would break the cap (ZJ§9: 微网格应当配备一名联络员), or None."""
    if held >= cap:
        return (f"该微网格已有 {held} 名在岗联络员（每个微网格配备 {cap} 名联络员{cite}）："
                "请先停用原联络员或结束其岗位")
    return None


def accepted(state: str) -> bool:
    """The report led to a case that went past verification and was not rejected."""
    return state not in (CaseState.REPORTED, CaseState.REJECTED)


def points_of(recognition, state: str) -> int:
    """The points one report earns under the profile's ``recognition`` section."""
    points = recognition.per_report
    if accepted(state):
        points += recognition.per_accepted
    if state == CaseState.CLOSED:
        points += recognition.per_closed
    return points


def total_points(recognition, states: list[str]) -> int:
    return sum(points_of(recognition, s) for s in states)


def month_problem(month: str) -> str | None:
    return None if MONTH.match(month) else "月份应写作 YYYY-MM，如 2026-12"
