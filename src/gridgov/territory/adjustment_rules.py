"""Pure rules of grid adjustments (no I/O): the steps an adjustment goes through, who may take each
step at which level, and the shape a plan must have for its kind.

The steps (ZJ§6, JS§7, QZ§6, LZ§8, JM§8)::

    proposed ──approve──▶ approved ──file──▶ filed ──(effective_on reached)──▶ effective
        └──────reject───▶ rejected

Where the profile does not require filing with the city agency (``filed_with_city = false``) an
approved adjustment takes effect on its date without the filing step. Only grid agencies act:
a town or county agency proposes, the county agency approves or rejects, the city agency files
(QZ§6 "no other department may cut grids", JM§8).
"""

from __future__ import annotations

from collections.abc import Collection

from gridgov.models.territory import (
    ADJUSTMENT_KIND_LABELS,
    ADJUSTMENT_STATUS_LABELS,
    AREA_LEVEL_LABELS,
    AdjustmentKind,
    AdjustmentStatus,
    AreaLevel,
)

PROPOSE = "propose"
APPROVE = "approve"
REJECT = "reject"
FILE = "file"

ACTION_LABELS = {PROPOSE: "提出", APPROVE: "批准", REJECT: "不批准", FILE: "备案"}

ACTOR_LEVELS: dict[str, frozenset[AreaLevel]] = {
    PROPOSE: frozenset({AreaLevel.TOWN, AreaLevel.COUNTY}),
    APPROVE: frozenset({AreaLevel.COUNTY}),
    REJECT: frozenset({AreaLevel.COUNTY}),
    FILE: frozenset({AreaLevel.CITY}),
}
"""The level of grid agency that takes each step (the permission itself is checked by authz)."""

_FROM: dict[str, AdjustmentStatus] = {
    APPROVE: AdjustmentStatus.PROPOSED,
    REJECT: AdjustmentStatus.PROPOSED,
    FILE: AdjustmentStatus.APPROVED,
}


def actor_problem(action: str, level: AreaLevel | None) -> str | None:
    """Why an agency at ``level`` may not take ``action`` (None if it may)."""
    allowed = ACTOR_LEVELS[action]
    if level in allowed:
        return None
    who = "或".join(AREA_LEVEL_LABELS[lvl] + "级" for lvl in AreaLevel if lvl in allowed)
    return f"网格调整只能由{who}网格化机构{ACTION_LABELS[action]}"


def step_problem(action: str, status: str, *, requires_filing: bool) -> str | None:
    """Why an adjustment in ``status`` cannot take ``action`` now (None if it can)."""
    if action == FILE and not requires_filing:
        return "本地政策不要求报市级网格化机构备案，该调整无需备案"
    expected = _FROM[action]
    if status == expected:
        return None
    label = ADJUSTMENT_STATUS_LABELS.get(status, status)
    return f"该调整当前状态为“{label}”，不能{ACTION_LABELS[action]}"


def status_after(action: str) -> AdjustmentStatus:
    return {APPROVE: AdjustmentStatus.APPROVED, REJECT: AdjustmentStatus.REJECTED, FILE: AdjustmentStatus.FILED}[action]


def ready_to_apply(status: str, *, requires_filing: bool) -> bool:
    """Whether an adjustment has cleared every step and waits only for its date."""
    if status == AdjustmentStatus.FILED:
        return True
    return status == AdjustmentStatus.APPROVED and not requires_filing


def ready_status(requires_filing: bool) -> AdjustmentStatus:
    """The status an adjustment is in when only its date is missing."""
    return AdjustmentStatus.FILED if requires_filing else AdjustmentStatus.APPROVED


def kind_problems(kind: str, new_codes: Collection[str], redrawn: Collection[str],
                  retired: Collection[str]) -> list[str]:
    """What is wrong with a plan's shape for its kind.

    split: one grid retired into two or more new grids; merge: two or more retired into one new
    grid; (neighbours may be redrawn alongside either); redraw: existing grids get new boundaries,
    nothing created or retired; retire: codes only, no features.
    """
    if kind not in {k.value for k in AdjustmentKind}:
        return [f"调整类型 {kind!r} 无效，应为 split（拆分）、merge（合并）、redraw（边界调整）或 retire（撤销）"]
    label = ADJUSTMENT_KIND_LABELS[AdjustmentKind(kind)]
    out: list[str] = []
    if kind == AdjustmentKind.SPLIT:
        if len(retired) != 1:
            out.append(f"{label}应撤销且只撤销 1 个原网格，方案撤销了 {len(retired)} 个")
        if len(new_codes) < 2:
            out.append(f"{label}应新设至少 2 个网格，方案新设了 {len(new_codes)} 个")
    elif kind == AdjustmentKind.MERGE:
        if len(retired) < 2:
            out.append(f"{label}应撤销至少 2 个原网格，方案撤销了 {len(retired)} 个")
        if len(new_codes) != 1:
            out.append(f"{label}应新设且只新设 1 个网格，方案新设了 {len(new_codes)} 个")
    elif kind == AdjustmentKind.REDRAW:
        if not redrawn:
            out.append(f"{label}应至少包含 1 个现有网格的新边界")
        if new_codes:
            out.append(f"{label}不能新设网格（{'、'.join(sorted(new_codes))} 不是现有网格）")
        if retired:
            out.append(f"{label}不能撤销网格")
    elif kind == AdjustmentKind.RETIRE:
        if not retired:
            out.append(f"{label}应至少列出 1 个要撤销的网格编码")
        if new_codes or redrawn:
            out.append(f"{label}只列出要撤销的编码，不能包含网格要素")
    return out


def trigger_problem(trigger: str, allowed: Collection[str], labels: dict[str, str]) -> str | None:
    if trigger in allowed:
        return None
    options = "、".join(f"{t}（{labels.get(t, t)}）" for t in allowed)
    return f"调整原因类别 {trigger!r} 不在本地政策允许的情形内，应为：{options}"
