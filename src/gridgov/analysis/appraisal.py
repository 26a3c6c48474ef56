"""Use cases of the appraisal (issue 16; G1, G2, B5; ZJ§27–29, JS§20, JM§14): live scores per period
for towns, departments and workers with their derivation, the lagging departments (ZJ§29), stored
runs and their verification (tamper-evident appraisal).

* Figures: the cases' fact rows (``case_facts``: cases reported in the period, a cohort), the
  registry's visits (:mod:`.visits`) and the boards' complaints (:mod:`.complaints`), all read
  within the caller's jurisdiction; an area outside it reads as missing (404).
* Scores: :mod:`.appraisal_rules` with the weights of the profile's ``[appraisal]``.
* A stored run keeps every score with its derivation, the digest of the inputs and a hash over the
  run; :func:`verify_period` recomputes and compares (the facts rebuilt from the cases first).

Services take ``now`` and never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from gridgov.analysis import appraisal_repository as repo
from gridgov.analysis import appraisal_rules as rules
from gridgov.analysis import store
from gridgov.analysis.complaints import complaint_counts
from gridgov.analysis.visits import visit_completion
from gridgov.areas import AREA_CODE_LEN
from gridgov.authz.principal import Principal
from gridgov.authz.scope import covers, department_of
from gridgov.errors import Invalid, NotFound
from gridgov.kit.clock import utc_now

LEVELS = rules.LEVELS
BAD_LEVEL = "考核对象应为 town（镇街道）、department（联动部门）或 worker（网格员）"


def invalid(field: str, message: str) -> Invalid:
    return Invalid(message, details=[{"field": field, "message": message}])


def period_of(text: str) -> rules.Period:
    try:
        return rules.parse_period(text)
    except ValueError as exc:
        raise invalid("period", str(exc)) from None


def area_of(session: Session, principal: Principal, area: str | None, profile) -> str:
    """The area asked for (a 12-digit code inside the jurisdiction, else 404), or the caller's own."""
    if not area:
        if principal.system:
            return profile.city.code + "000000"
        return principal.scope_code[:AREA_CODE_LEN]
    if not area.isdigit() or len(area) != AREA_CODE_LEN:
        raise invalid("area", "区划代码应为 12 位数字")
    if not covers(principal, area) or repo.area_name(session, principal, area) is None:
        raise NotFound(f"区划 {area} 不存在或不在你的辖区内")
    return area


def settings_of(profile) -> dict[str, Any]:
    a = profile.appraisal
    return {"profile": profile.name, "lagging_below": a.lagging_below, "complaint_deduction": a.complaint_deduction,
            **{level: dict(getattr(a, level).weights) for level in LEVELS}}


def cases_url(principal: Principal, level: str, key: str, area: str, period: rules.Period,
              counter: str | None = None) -> str | None:
    """The case list (``GET /api/v1/cases``) of exactly the cases a unit's counter sums over: reported
    in the period under the area, of the town, led by the department or reported by the worker, and
    counted in ``counter`` (``kpi``); None for the registry's visit counters."""
    if counter is not None and counter.startswith("visits_"):
        return None
    params = {"area": key if level == "town" else area, "from": period.start.isoformat(),
              "to": period.end.isoformat()}
    dept = department_of(principal)
    if level == "department":
        params["lead"] = key
    elif dept is not None:
        params["lead"] = dept or store.NONE_KEY
    if level == "worker":
        params["worker"] = key
    if counter:
        params["kpi"] = counter
    return "/api/v1/cases?" + urlencode(params)


def inputs(session: Session, principal: Principal, *, level: str, area: str, period: rules.Period, profile,
           cipher, now: datetime) -> dict[str, dict[str, int]]:
    """Each unit's counters: the case counters, ``visits_due``/``visits_done`` and ``complaints``."""
    counts = repo.case_counts(session, principal, level=level, area=area, date_from=period.start,
                              date_to=period.end)
    if level == "town":
        for code in repo.towns(session, principal, area):
            counts.setdefault(code, {})
    if level in ("town", "worker"):
        visits = visit_completion(session, principal, group_by=level, date_from=period.start, date_to=period.end,
                                  area=area, profile=profile, cipher=cipher, now=now)
        for key, v in visits.items():
            if level == "town" and key not in counts:
                continue
            counts.setdefault(key, {}).update(visits_due=v.due, visits_done=v.done)
    if level == "worker":
        for key, n in complaint_counts(session, principal, group_by="worker", date_from=period.start,
                                       date_to=period.end, area=area).items():
            counts.setdefault(key, {})["complaints"] = n
    return {k: counts[k] for k in sorted(counts)}


def names(session: Session, principal: Principal, level: str, keys, area: str) -> dict[str, str]:
    if level == "town":
        return repo.towns(session, principal, area)
    if level == "department":
        return repo.department_names(session, principal, keys)
    return repo.user_names(session, principal, keys)


def score_level(session: Session, principal: Principal, *, level: str, area: str, period: rules.Period, profile,
                cipher, now: datetime) -> tuple[list[dict[str, Any]], dict[str, dict[str, int]]]:
    """The ranked rows of one level and the inputs they were computed from."""
    a = profile.appraisal
    counts = inputs(session, principal, level=level, area=area, period=period, profile=profile, cipher=cipher,
                    now=now)
    named = names(session, principal, level, counts, area)
    rows = []
    for key, c in counts.items():
        scored = rules.score_unit(level, dict(getattr(a, level).weights), c, complaints=c.get("complaints", 0),
                                  complaint_deduction=a.complaint_deduction)
        for part in scored["components"]:
            part["numerator_url"] = cases_url(principal, level, key, area, period, part["numerator"])
            part["cases_url"] = cases_url(principal, level, key, area, period, part["denominator"])
        rows.append({"key": key, "name": named.get(key, key), **scored,
                     "lagging": level == "department" and scored["score"] is not None
                     and scored["score"] < a.lagging_below})
    return rules.rank(rows), counts


def _source(profile, path: str) -> dict[str, str]:
    req = profile.requirement(path)
    src = profile.source_of(path)
    return {"basis": req.basis, "refs": "、".join(src.refs), "cite": req.cite(), "note": profile.note_of(path)}


def live(session: Session, principal: Principal, *, period: str, level: str, area: str | None, profile, cipher,
         now: datetime) -> dict[str, Any]:
    """``GET /api/v1/appraisal``: the stored scores of the latest run of the period and area when there
    is one, else the live scores; with the weights, their sources and the lagging departments."""
    if level not in LEVELS:
        raise invalid("level", BAD_LEVEL)
    p = period_of(period)
    code = area_of(session, principal, area, profile)
    run = repo.latest_run(session, principal, p.code, code)
    if run is not None:
        rows = stored_rows(session, principal, run.id, level)
        stored = {"run_id": run.id, "created_at": run.created_at.isoformat(), "created_by": run.created_by_name,
                  "run_hash": run.run_hash, "inputs_digest": run.inputs_digest}
        weights = run.settings.get(level, {})
        lagging_below = run.settings.get("lagging_below")
        deduction = run.settings.get("complaint_deduction")
    else:
        rows, _ = score_level(session, principal, level=level, area=code, period=p, profile=profile, cipher=cipher,
                              now=now)
        stored = None
        weights = dict(getattr(profile.appraisal, level).weights)
        lagging_below = profile.appraisal.lagging_below
        deduction = profile.appraisal.complaint_deduction
    return {
        "period": p.code, "period_label": p.label, "from": p.start.isoformat(), "to": p.end.isoformat(),
        "level": level, "level_label": rules.level_label(level), "area": code,
        "area_name": repo.area_name(session, principal, code) or code,
        "source": "stored" if stored else "live", "stored": stored,
        "weights": [{"code": k, "label": rules.COMPONENTS[k], "weight": w} for k, w in weights.items()],
        "weights_source": _source(profile, f"appraisal.{level}"),
        "lagging_below": lagging_below, "lagging_source": _source(profile, "appraisal.lagging_below"),
        "complaint_deduction": deduction if level == "worker" else None,
        "items": rows,
        "lagging": [{"key": r["key"], "name": r["name"], "score": r["score"]} for r in rows if r["lagging"]],
    }


def stored_rows(session: Session, principal: Principal, run_id: int, level: str) -> list[dict[str, Any]]:
    rows = []
    for s in repo.scores_of(session, principal, run_id, level):
        rows.append({"key": s.unit_key, "name": s.unit_name, **s.derivation,
                     "score": None if s.score is None else s.score / 100, "rank": s.rank, "lagging": s.lagging})
    return rules.rank(rows)


def lagging_departments(session: Session, principal: Principal, period: str, area: str | None, *, profile=None,
                        cipher=None, now: datetime | None = None) -> list[dict[str, Any]]:
    """The departments scoring below ``appraisal.lagging_below`` in the period (ZJ§29: named in the
    monthly report), lowest first, each with its score, the threshold and its basis. ``profile``
    defaults to the deployment's, ``now`` to the present (a department's score needs no cipher: it
    reads no register)."""
    if profile is None:
        from gridgov.config import get_settings
        from gridgov.policy.loader import load_profile

        profile = load_profile(get_settings().profile)
    found = live(session, principal, period=period, level="department", area=area, profile=profile, cipher=cipher,
                 now=now or utc_now())
    basis = found["lagging_source"]["cite"]
    return [{**r, "threshold": found["lagging_below"], "basis": basis}
            for r in sorted(found["lagging"], key=lambda r: (r["score"], r["key"]))]
