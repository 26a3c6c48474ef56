"""What a grid import may and may not do: an import loads grids, it does not adjust them.

The first load of a village (村/社区) that has no active grid yet is a plain import. Any later change
of the division is a grid adjustment (网格调整), which goes through proposal, approval by the county
agency and filing with the city agency (ZJ§6, JS§7, QZ§6, LZ§8, JM§8; :mod:`gridgov.territory.adjustments`):
so an import refuses, row by row, to

* redraw an active grid (a new boundary), rename it or change its kind or dedicated type;
* retire an active grid (``status = retired``);
* add a grid to a village that already has active grids (a split, a merge or a re-code is a new
  code beside or instead of the existing ones).

What an import may still do to an active grid is keep it as it is (re-importing an export changes
nothing) and update its counts and the particulars of a dedicated grid (households, population,
host unit, unit head, competent department), which are facts about the grid, not its division.
Refusing is simpler and more honest than turning the file into a proposal silently: the message
names the adjustment path, and the importer can propose exactly the change it meant.
"""

from __future__ import annotations

from typing import Any

import shapely

from gridgov.models.territory import GRID_KIND_LABELS, GridKind, GridStatus
from gridgov.territory import repository as repo
from gridgov.territory.schemas import ImportProblem

ADJUSTMENT_PATH = "请通过网格调整办理（镇（街道）或县级网格化机构提出，县级网格化机构批准，报市级网格化机构备案）"


def _same_boundary(stored_wkb: bytes, geom) -> bool:
    if geom is None:
        return False
    if shapely.to_wkb(geom) == stored_wkb:
        return True
    return bool(shapely.equals(shapely.from_wkb(stored_wkb), geom))


def _changes(existing, props: dict[str, Any], geom) -> list[str]:
    """What a grid feature would change of an active grid's division (empty: nothing)."""
    changed = []
    if props.get("status", GridStatus.ACTIVE) == GridStatus.RETIRED:
        return ["撤销该网格"]
    if not _same_boundary(existing.geom_wkb, geom):
        changed.append("调整边界")
    if str(props.get("name", "")).strip() != existing.name:
        changed.append(f"更名（原为“{existing.name}”）")
    if props.get("kind") != existing.kind:
        changed.append(f"改变网格类别（原为{GRID_KIND_LABELS.get(GridKind(existing.kind), existing.kind)}）")
    elif (props.get("dedicated_type") or None) != existing.dedicated_type:
        changed.append("改变专属网格类型")
    return changed


def adjustment_problems(session, grids: list) -> list[ImportProblem]:
    """The grid features (parsed, valid) that would change the division of a village already
    divided into active grids, each with its row number and what it would change."""
    if not grids:
        return []
    existing = repo.grids_by_code(session, [g.code for g in grids])
    new_villages = {g.code[:12] for g in grids if g.code not in existing}
    divided = repo.villages_with_active_grids(session, new_villages)
    problems = []
    for g in grids:
        row = existing.get(g.code)
        if row is None:
            if g.code[:12] in divided:
                problems.append(ImportProblem(index=g.index, code=g.code, reason=(
                    f"村（社区）{g.code[:12]} 已划分了在用网格，新设网格 {g.code} 属于网格划分调整"
                    f"（拆分、合并或重新编码），不能通过导入完成：{ADJUSTMENT_PATH}")))
            continue
        if row.status != GridStatus.ACTIVE:
            continue  # a retired code: kept retired (bringing it back is refused elsewhere)
        changed = _changes(row, g.props, g.geom)
        if changed:
            problems.append(ImportProblem(index=g.index, code=g.code, reason=(
                f"网格 {g.code} 在用，导入不能{'、'.join(changed)}：{ADJUSTMENT_PATH}")))
    return problems
