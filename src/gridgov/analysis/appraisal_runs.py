"""Stored appraisal runs and their verification (issue 16; G1: the agency runs the appraisal).

``store_run`` computes the three levels of a period and area and keeps every score with its
derivation, the SHA-256 of the inputs (each unit's counters) and a hash over the run (period, area,
settings, inputs' digest and every stored score). ``verify_period`` says, for each stored run of a
period, whether (1) the stored rows still hash to the run's hash (a score edited in the database is
caught) and (2) the period recomputed now from the case files and the registry gives the same inputs
and scores (a case changed behind a score is caught), naming each difference.

Services take ``now`` and never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gridgov.analysis import appraisal_repository as repo
from gridgov.analysis import appraisal_rules as rules
from gridgov.analysis.appraisal import area_of, period_of, score_level, settings_of
from gridgov.audit.rules import register_labels
from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.models.analysis_appraisal import AppraisalRun, AppraisalScore

register_labels({"appraisal_run": "保存考核评价结果"})


def _hundredths(score: float | None) -> int | None:
    return None if score is None else int(round(score * 100))


def compute(session: Session, principal: Principal, *, period: rules.Period, area: str, profile, cipher,
            now: datetime) -> tuple[dict[str, list[dict[str, Any]]], dict[str, dict[str, dict[str, int]]]]:
    """Every level's ranked rows and inputs."""
    levels, inputs = {}, {}
    for level in rules.LEVELS:
        levels[level], inputs[level] = score_level(session, principal, level=level, area=area, period=period,
                                                   profile=profile, cipher=cipher, now=now)
    return levels, inputs


def _record(level: str, row: dict[str, Any]) -> dict[str, Any]:
    derivation = {k: v for k, v in row.items() if k not in ("key", "name", "score", "rank", "lagging")}
    return {"level": level, "unit_key": row["key"], "unit_name": row["name"], "score": _hundredths(row["score"]),
            "rank": row["rank"], "lagging": bool(row["lagging"]), "derivation": derivation}


def run_hash(period: str, area: str, settings: dict, inputs_digest: str, records: list[dict[str, Any]]) -> str:
    ordered = sorted(records, key=lambda r: (r["level"], r["unit_key"]))
    return rules.digest({"period": period, "area": area, "settings": settings, "inputs": inputs_digest,
                         "scores": ordered})


def store_run(session: Session, principal: Principal, *, period: str, area: str | None, profile, cipher,
              now: datetime) -> AppraisalRun:
    """Computes and stores the period's scores for the area (the caller's by default)."""
    p = period_of(period)
    code = area_of(session, principal, area, profile)
    levels, inputs = compute(session, principal, period=p, area=code, profile=profile, cipher=cipher, now=now)
    settings = settings_of(profile)
    records = [_record(level, row) for level, rows in levels.items() for row in rows]
    digest = rules.digest(inputs)
    run = AppraisalRun(period=p.code, area_code=code, profile=profile.name, settings=settings, inputs_digest=digest,
                       run_hash=run_hash(p.code, code, settings, digest, records),
                       created_by=principal.user_id or None, created_by_name=principal.display_name, created_at=now)
    session.add(run)
    session.flush()
    for r in records:
        session.add(AppraisalScore(run_id=run.id, area_code=code, **r))
    session.flush()
    record(session, actor=principal, action="appraisal_run", now=now, object_type="appraisal_run",
           object_id=run.id, area_code=code)
    return run


def _stored_records(session: Session, principal: Principal, run: AppraisalRun) -> list[dict[str, Any]]:
    return [{"level": s.level, "unit_key": s.unit_key, "unit_name": s.unit_name, "score": s.score, "rank": s.rank,
             "lagging": bool(s.lagging), "derivation": s.derivation}
            for s in repo.scores_of(session, principal, run.id)]


def _label(level: str, key: str, name: str) -> str:
    return f"{rules.level_label(level)}“{name or key}”（{key}）"


def check_run(session: Session, principal: Principal, run: AppraisalRun, *, profile, cipher,
              now: datetime) -> list[str]:
    """The differences between a stored run and the period recomputed now (empty: it matches)."""
    found: list[str] = []
    stored = _stored_records(session, principal, run)
    if run_hash(run.period, run.area_code, run.settings, run.inputs_digest, stored) != run.run_hash:
        found.append(f"运行 #{run.id} 保存的得分与其哈希不符（保存后被改动）")
    levels, inputs = compute(session, principal, period=period_of(run.period), area=run.area_code, profile=profile,
                             cipher=cipher, now=now)
    if rules.digest(inputs) != run.inputs_digest:
        found.append(f"运行 #{run.id} 的输入数据（事件、走访、投诉的计数）已变化")
    if settings_of(profile) != run.settings:
        found.append(f"运行 #{run.id} 使用的权重与现行配置不同")
    now_scores = {(level, row["key"]): row for level, rows in levels.items() for row in rows}
    then = {(r["level"], r["unit_key"]): r for r in stored}
    for key in sorted(set(now_scores) | set(then)):
        level, unit = key
        if key not in then:
            found.append(f"{_label(level, unit, now_scores[key]['name'])}：重新计算有得分，保存的结果中没有")
            continue
        if key not in now_scores:
            found.append(f"{_label(level, unit, then[key]['unit_name'])}：保存的结果有得分，重新计算没有")
            continue
        old, new = then[key]["score"], _hundredths(now_scores[key]["score"])
        if old != new:
            fmt = lambda v: "无" if v is None else f"{v / 100:.2f}"  # noqa: E731
            found.append(f"{_label(level, unit, then[key]['unit_name'])}：保存 {fmt(old)} 分，重新计算 {fmt(new)} 分")
    return found


def verify_period(session: Session, principal: Principal, *, period: str, area: str | None = None, profile,
                  cipher, now: datetime) -> tuple[int, list[str]]:
    """How many stored runs of the period (and area) were checked, and every difference found."""
    p = period_of(period)
    runs = repo.runs_of(session, principal, p.code, area)
    found: list[str] = []
    for run in runs:
        found.extend(check_run(session, principal, run, profile=profile, cipher=cipher, now=now))
    return len(runs), found


def count_scores(session: Session, principal: Principal, run_id: int) -> int:
    return len(repo.scores_of(session, principal, run_id))
