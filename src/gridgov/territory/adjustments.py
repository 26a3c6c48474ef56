"""Grid adjustments (网格调整): proposal → approval → filing (备案) → effect.

A town or county grid agency proposes a split, merge, redraw or retirement with a reason from the
profile's triggers (QZ§6) and, where the profile says so, the village committee's opinion (ZJ§6);
the county agency approves or rejects; the city agency files it where the profile requires filing;
the change takes effect on its date. Taking effect writes the ``grids`` table (what the public
board and the live locator read) and the boundary history (:mod:`gridgov.territory.history`).

The plan is validated whole when proposed, with every problem reported in Chinese, and stored with
what it creates, redraws and retires, plus whether filing was required when it was proposed (a
later change of profile does not strand an adjustment half-way).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, covers, get_visible
from gridgov.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from gridgov.geo.measure import areas_m2
from gridgov.models import Area
from gridgov.models.territory import (
    ADJUSTMENT_KIND_LABELS,
    ADJUSTMENT_STATUS_LABELS,
    AdjustmentStatus,
    AreaLevel,
    GridAdjustment,
    GridStatus,
)
from gridgov.policy.schema import ADJUSTMENT_TRIGGER_LABELS
from gridgov.territory import adjustment_rules as arules
from gridgov.territory import events, history, rules, transfer
from gridgov.territory import repository as repo
from gridgov.territory.coverage import OVERLAP_TOLERANCE_M2
from gridgov.territory.schemas import AdjustmentCreate, AdjustmentRead, ImportResult

PENDING = (AdjustmentStatus.PROPOSED, AdjustmentStatus.APPROVED, AdjustmentStatus.FILED)


# ---------------------------------------------------------------- reading


def requires_filing(adj: GridAdjustment) -> bool:
    return bool((adj.plan or {}).get("filed_with_city", True))


def get_adjustment(session: Session, principal: Principal, adjustment_id: int) -> GridAdjustment:
    """An adjustment whose town lies in the jurisdiction; 404 otherwise (same as missing)."""
    adj = get_visible(session, principal, GridAdjustment, adjustment_id)
    if adj is None:
        raise NotFound(f"网格调整 {adjustment_id} 不存在")
    return adj


def list_adjustments(
    session: Session, principal: Principal, *, status: str | None = None, limit: int = 200
) -> Sequence[GridAdjustment]:
    if status is not None and status not in {s.value for s in AdjustmentStatus}:
        raise Invalid(f"状态 {status!r} 无效，应为：{'、'.join(s.value for s in AdjustmentStatus)}")
    return repo.list_adjustments(session, principal, status=status, limit=limit)


def people_of(session: Session, adj: GridAdjustment) -> dict[int, str]:
    """Names of who proposed, decided and filed an adjustment already opened through the door."""
    return repo.user_names(session, (adj.proposed_by, adj.decided_by, adj.filed_by))


def to_read(session: Session, adjs: Sequence[GridAdjustment]) -> list[AdjustmentRead]:
    names = {c: a.name for c, a in repo.get_areas(session, {a.town_code for a in adjs}).items()}
    out = []
    for a in adjs:
        plan = a.plan or {}
        out.append(
            AdjustmentRead(
                id=a.id,
                kind=a.kind,
                kind_label=ADJUSTMENT_KIND_LABELS.get(a.kind, a.kind),
                county_code=a.county_code,
                town_code=a.town_code,
                town_name=names.get(a.town_code, ""),
                trigger=a.trigger,
                trigger_label=ADJUSTMENT_TRIGGER_LABELS.get(a.trigger, a.trigger),
                reason=a.reason,
                committee_opinion=a.committee_opinion,
                status=a.status,
                status_label=ADJUSTMENT_STATUS_LABELS.get(a.status, a.status),
                effective_on=a.effective_on,
                requires_filing=requires_filing(a),
                new_codes=plan.get("new", []),
                redrawn_codes=plan.get("redraw", []),
                retired_codes=plan.get("retire", []),
                proposed_by=a.proposed_by,
                proposed_at=a.proposed_at,
                decided_by=a.decided_by,
                decided_at=a.decided_at,
                decision_note=a.decision_note,
                filed_by=a.filed_by,
                filed_at=a.filed_at,
                filing_note=a.filing_note,
                applied_at=a.applied_at,
            )
        )
    return out


def outlines(session: Session, adj: GridAdjustment) -> dict[str, Any]:
    """Before and after outlines for the map: the affected grids as they were the day before the
    effective date (or are now, if not yet applied), and the grids the plan draws."""
    plan = adj.plan or {}
    codes = list(plan.get("retire", [])) + list(plan.get("redraw", []))
    before = repo.outlines_before(session, codes, adj.effective_on)
    before_features = [
        {"type": "Feature", "properties": {"code": c, "name": n}, "geometry": mapping(shapely.from_wkb(w))}
        for c, (n, w) in sorted(before.items())
    ]
    after_features = [
        {
            "type": "Feature",
            "properties": {"code": f["properties"]["code"], "name": f["properties"].get("name", "")},
            "geometry": f["geometry"],
        }
        for f in plan.get("features", [])
    ]
    return {
        "before": {"type": "FeatureCollection", "features": before_features},
        "after": {"type": "FeatureCollection", "features": after_features},
    }


# ---------------------------------------------------------------- proposing


def _problem(field: str, reason: str, code: str | None = None) -> dict[str, Any]:
    return {"field": field, "code": code, "reason": reason}


def propose(
    session: Session, principal: Principal, data: AdjustmentCreate, *, profile, now: datetime
) -> GridAdjustment:
    """Record a proposed adjustment after checking who proposes, the reason and the whole plan;
    every problem is reported (422) and nothing is written unless all is well."""
    if not principal.system:
        problem = arules.actor_problem(arules.PROPOSE, principal.level)
        if problem:
            raise Forbidden(problem)
    town = _proposing_town(session, principal, data.town_code)
    territory = profile.territory
    problems: list[dict[str, Any]] = []
    trigger = arules.trigger_problem(data.trigger, territory.adjustment_triggers, ADJUSTMENT_TRIGGER_LABELS)
    if trigger:
        problems.append(_problem("trigger", trigger))
    if not data.reason.strip():
        problems.append(_problem("reason", "请填写调整理由"))
    if territory.consult_village_committee and not data.committee_opinion.strip():
        problems.append(_problem("committee_opinion",
                                 f"本地政策（{profile.label}）要求征求村（居）民委员会意见，请填写其意见"))
    today = history.local_today(now)
    if data.effective_on < today:
        problems.append(_problem("effective_on", f"生效日期 {data.effective_on} 早于今天（{today}），不能追溯生效"))
    plan = _check_plan(session, principal, town, data, profile, problems)
    if problems:
        raise Invalid(f"网格调整未保存：{len(problems)} 处问题", details=problems)
    adj = GridAdjustment(
        kind=data.kind,
        county_code=rules.parent_area_code(town),
        town_code=town,
        trigger=data.trigger,
        reason=data.reason.strip(),
        committee_opinion=data.committee_opinion.strip(),
        plan={**plan, "filed_with_city": bool(territory.filed_with_city)},
        status=AdjustmentStatus.PROPOSED,
        effective_on=data.effective_on,
        proposed_by=principal.user_id if principal else None,
        proposed_at=now,
        decision_note="",
        filing_note="",
    )
    session.add(adj)
    session.flush()
    record(
        session, actor=principal, action="adjustment_proposed", now=now, object_type="grid_adjustment",
        object_id=adj.id, area_code=town,
        after={"kind": adj.kind, "trigger": adj.trigger, "effective_on": str(adj.effective_on),
               "new": plan["new"], "redraw": plan["redraw"], "retire": plan["retire"]},
    )
    return adj


def _proposing_town(session: Session, principal: Principal, code: str) -> str:
    code = (code or "").strip()
    try:
        level = rules.area_level(code)
    except rules.CodeError as exc:
        raise Invalid(str(exc), details=[_problem("town_code", str(exc), code)]) from exc
    if level != AreaLevel.TOWN:
        reason = f"区划代码 {code} 不是镇（街道）代码：网格调整以镇（街道）为单位提出"
        raise Invalid(reason, details=[_problem("town_code", reason, code)])
    if get_visible(session, principal, Area, code) is None:
        raise NotFound(f"区域 {code} 不存在")
    return code


def _check_plan(session, principal, town: str, data: AdjustmentCreate, profile, problems: list) -> dict[str, Any]:
    """Validate the plan's features and retired codes; returns the plan to store."""
    prefix = rules.area_prefix(town)
    features = list(data.plan.features)
    parsed, feature_problems = transfer.parse_grid_features(session, principal, features,
                                                            profile=profile) if features else ([], [])
    for p in feature_problems:
        problems.append(_problem(f"features[{p.index}]", p.reason, p.code))
    for item in parsed:
        if not item.code.startswith(prefix):
            problems.append(_problem(f"features[{item.index}]", f"网格 {item.code} 不在所调整的镇（街道）{town} 内",
                                     item.code))
    parsed = [p for p in parsed if p.code.startswith(prefix)]

    retire: list[str] = []
    for i, raw in enumerate(data.plan.retire):
        code = str(raw).strip()
        field = f"retire[{i}]"
        try:
            rules.grid_village_code(code)
        except rules.CodeError as exc:
            problems.append(_problem(field, str(exc), code))
            continue
        if not code.startswith(prefix):
            problems.append(_problem(field, f"网格 {code} 不在所调整的镇（街道）{town} 内", code))
        elif code in retire:
            problems.append(_problem(field, f"编码 {code} 重复列出", code))
        else:
            retire.append(code)
    statuses = repo.grid_codes_and_status(session, retire + [p.code for p in parsed])
    for code in retire:
        if code not in statuses or not covers(principal, code):
            problems.append(_problem("retire", f"网格 {code} 不存在", code))
        elif statuses[code] != GridStatus.ACTIVE:
            problems.append(_problem("retire", f"网格 {code} 已撤销", code))
    for item in parsed:
        if item.code in retire:
            problems.append(_problem(f"features[{item.index}]", f"网格 {item.code} 既被撤销又被重新划定", item.code))
    new = sorted(p.code for p in parsed if p.code not in statuses)
    redraw = sorted(p.code for p in parsed if statuses.get(p.code) == GridStatus.ACTIVE)
    for message in arules.kind_problems(data.kind, new, redraw, retire):
        problems.append(_problem("kind", message))
    _check_pending(session, town, set(retire) | {p.code for p in parsed}, problems)
    if parsed:
        _check_shapes(session, town, parsed, set(retire) | set(redraw), problems)
    return {"features": features, "retire": retire, "new": new, "redraw": redraw}


def _check_pending(session: Session, town: str, codes: set[str], problems: list) -> None:
    """A grid may be in one unfinished adjustment at a time."""
    if not codes:
        return
    for other in repo.adjustments_of_town(session, town, PENDING):
        plan = other.plan or {}
        clash = codes & (set(plan.get("retire", [])) | set(plan.get("new", [])) | set(plan.get("redraw", [])))
        for code in sorted(clash):
            problems.append(_problem("plan", f"网格 {code} 已在未完成的调整（第 {other.id} 号）中", code))


def _check_shapes(session: Session, town: str, parsed, replaced: set[str], problems: list) -> None:
    """New boundaries lie inside the town (when its boundary is known) and overlap neither each
    other nor the town's grids that stay."""
    geoms = np.array([p.geom for p in parsed], dtype=object)
    area = repo.get_area(session, town)
    ref_lat = float(np.mean(shapely.bounds(geoms)[:, [1, 3]]))
    if area is not None and area.boundary_wkb:
        boundary = shapely.from_wkb(area.boundary_wkb)
        outside = areas_m2(shapely.difference(geoms, boundary), ref_lat)
        for item, size in zip(parsed, outside, strict=True):
            if size > OVERLAP_TOLERANCE_M2:
                problems.append(_problem(f"features[{item.index}]",
                                         f"网格 {item.code} 超出镇（街道）边界约 {size:.0f} 平方米", item.code))
    staying = [
        g for g in repo.list_grids_with_geometry(session, SYSTEM, prefix=rules.area_prefix(town))
        if g.code not in replaced and g.code not in {p.code for p in parsed}
    ]
    others = [(g.code, shapely.from_wkb(g.geom_wkb)) for g in staying]
    others += [(p.code, p.geom) for p in parsed]
    tree = shapely.STRtree(np.array([g for _, g in others], dtype=object))
    left, right = tree.query(geoms, predicate="intersects")
    if not len(left):
        return
    inter = shapely.intersection(geoms[left], tree.geometries[right])
    sizes = areas_m2(inter, ref_lat)
    seen: set[tuple[str, str]] = set()
    for i, j, size in zip(left, right, sizes, strict=True):
        a, b = parsed[i].code, others[j][0]
        if a == b or size <= OVERLAP_TOLERANCE_M2 or (b, a) in seen:
            continue
        seen.add((a, b))
        problems.append(_problem(f"features[{parsed[i].index}]", f"网格 {a} 与网格 {b} 重叠约 {size:.0f} 平方米", a))


# ---------------------------------------------------------------- deciding and filing


def approve(session, principal, adjustment_id: int, note: str = "", *, now: datetime) -> GridAdjustment:
    return _decide(session, principal, adjustment_id, arules.APPROVE, note, now=now)


def reject(session, principal, adjustment_id: int, note: str = "", *, now: datetime) -> GridAdjustment:
    if not note.strip():
        raise Invalid("不批准时请写明理由", details=[_problem("note", "不批准时请写明理由")])
    return _decide(session, principal, adjustment_id, arules.REJECT, note, now=now)


def file(session, principal, adjustment_id: int, note: str = "", *, now: datetime) -> GridAdjustment:
    return _decide(session, principal, adjustment_id, arules.FILE, note, now=now)


def _decide(
    session: Session, principal: Principal, adjustment_id: int, action: str, note: str, *, now: datetime
) -> GridAdjustment:
    adj = get_adjustment(session, principal, adjustment_id)
    if not principal.system:
        problem = arules.actor_problem(action, principal.level)
        if problem:
            raise Forbidden(problem)
    problem = arules.step_problem(action, adj.status, requires_filing=requires_filing(adj))
    if problem:
        raise Conflict(problem)
    before = adj.status
    adj.status = arules.status_after(action)
    if action == arules.FILE:
        adj.filed_by, adj.filed_at, adj.filing_note = (principal.user_id if principal else None), now, note.strip()
    else:
        adj.decided_by = principal.user_id if principal else None
        adj.decided_at, adj.decision_note = now, note.strip()
    session.flush()
    actions = {arules.APPROVE: "adjustment_approved", arules.REJECT: "adjustment_rejected",
               arules.FILE: "adjustment_filed"}
    record(
        session, actor=principal, action=actions[action], now=now, object_type="grid_adjustment", object_id=adj.id,
        area_code=adj.town_code, before={"status": before}, after={"status": adj.status}, detail=note.strip()[:500],
    )
    if (adj.effective_on <= history.local_today(now)
            and arules.ready_to_apply(adj.status, requires_filing=requires_filing(adj))):
        apply_adjustment(session, adj, now=now, actor=principal)
    return adj


# ---------------------------------------------------------------- taking effect


def apply_adjustment(session: Session, adj: GridAdjustment, *, now: datetime, actor: Principal | None = None) -> bool:
    """Put a cleared adjustment into effect: claim it with a conditional UPDATE (so two processes
    never both apply it), write the grids, close and open their versions dated ``effective_on``,
    and move the locators on. False if someone else already applied it."""
    if not repo.claim_adjustment(session, adj, arules.ready_status(requires_filing(adj)), now=now):
        return False
    session.refresh(adj)
    plan = adj.plan or {}
    features = transfer.trusted_grid_features(plan.get("features", []))
    retire = list(plan.get("retire", []))
    statuses = repo.grid_codes_and_status(session, retire + [f.code for f in features])
    for f in features:
        if f.code in plan.get("new", []) and f.code in statuses:
            raise Conflict(f"无法生效：网格编码 {f.code} 已被使用")
        if f.code in plan.get("redraw", []) and statuses.get(f.code) != GridStatus.ACTIVE:
            raise Conflict(f"无法生效：网格 {f.code} 已不在用")
    for code in retire:
        if statuses.get(code) != GridStatus.ACTIVE:
            raise Conflict(f"无法生效：网格 {code} 已不在用")
    rows = transfer.write_grids(session, features, now, ImportResult())
    if retire:
        repo.retire_grids(session, retire, now=now)
        events.grids_retired(session, retire, reason=f"网格调整（第 {adj.id} 号）撤销网格", now=now, actor=actor)
        history.close_versions(session, retire, adj.effective_on)
    history.record_versions(session, rows, valid_from=adj.effective_on, now=now, adjustment_id=adj.id)
    repo.bump_grids_version(session)
    session.expire_all()
    record(
        session, actor=actor, action="adjustment_applied", now=now, object_type="grid_adjustment", object_id=adj.id,
        area_code=adj.town_code,
        after={"effective_on": str(adj.effective_on), "new": plan.get("new", []),
               "redraw": plan.get("redraw", []), "retire": retire},
    )
    session.flush()
    return True


def apply_due_adjustments(session: Session, now: datetime) -> list[int]:
    """Apply every adjustment that has cleared its steps and whose date has come; returns their
    ids. Idempotent and safe to run in several processes at once (each adjustment is claimed by a
    conditional UPDATE). One that cannot take effect (its grids changed meanwhile) is left as it is
    and does not stop the others. Call from a periodic job, then commit."""
    today = history.local_today(now)
    waiting = repo.unapplied_adjustments(session, [AdjustmentStatus.APPROVED, AdjustmentStatus.FILED], today)
    due = [a for a in waiting if arules.ready_to_apply(a.status, requires_filing=requires_filing(a))]
    applied = []
    for adj in due:
        try:
            with session.begin_nested():
                if apply_adjustment(session, adj, now=now):
                    applied.append(adj.id)
        except DomainError:
            continue
    return applied
