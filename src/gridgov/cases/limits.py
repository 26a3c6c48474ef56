"""A matter's own time limits over the profile's (issue 5: "a matter's own time limits drive the
clocks").

A matter on the published list may carry ``limits``, a partial object of the profile's
``[cases.limits]`` fields, e.g. ``{"handling_working_days": 3, "accept_working_days": 1}``: the
department that asked for the matter to be listed committed to those times. A case whose category
is that matter runs its clocks on the merged limits. Pure: no I/O; the lookup of the matter is in
:func:`gridgov.cases.clocks.limits_of_case`.

Keys are checked against :class:`gridgov.policy.schema.CaseLimits` and the merged object is
validated by the same model, so a matter cannot make an urgent limit longer than the normal one nor
set a non-positive number of days. The catalogue service can call :func:`limit_problems` when a
matter is admitted or changed, so a bad value is refused at the door rather than when a case runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from gridgov.errors import Invalid
from gridgov.policy.schema import CaseLimits

LIMIT_FIELDS = frozenset(CaseLimits.model_fields)


def _labels() -> dict[str, str]:
    return {name: info.title or name for name, info in CaseLimits.model_fields.items()}


def limit_problems(profile_limits: CaseLimits, matter_limits: Mapping[str, Any] | None) -> list[str]:
    """What is wrong with a matter's ``limits`` under the profile's (Chinese, one line each); empty
    when they can be used."""
    if not matter_limits:
        return []
    if not isinstance(matter_limits, Mapping):
        return ["事项时限应为对象，例如 {\"handling_working_days\": 3}"]
    labels = _labels()
    unknown = sorted(k for k in matter_limits if k not in LIMIT_FIELDS)
    if unknown:
        known = "、".join(f"{k}（{labels[k]}）" for k in sorted(LIMIT_FIELDS))
        return [f"未知的时限项 {'、'.join(unknown)}；可设置：{known}"]
    try:
        CaseLimits.model_validate({**profile_limits.model_dump(), **dict(matter_limits)})
    except ValidationError as exc:
        found = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
            ctx = err.get("ctx") or {}
            if "problems" in ctx:
                found.extend(f"{labels.get(p, p)}：{m}" for p, m in ctx["problems"])
            else:
                found.append(f"{labels.get(where, where)}：{err.get('msg', '取值无效')}")
        return found
    return []


def limits_for(profile_limits: CaseLimits, matter_limits: Mapping[str, Any] | None) -> CaseLimits:
    """The profile's limits with the matter's own ones laid over them (the profile's when the
    matter sets none). Refuses (422) limits that name an unknown field or break a rule."""
    if not matter_limits:
        return profile_limits
    problems = limit_problems(profile_limits, matter_limits)
    if problems:
        raise Invalid("事项清单中该事项的办理时限有误：" + "；".join(problems),
                      details=[{"field": "limits", "error": p} for p in problems])
    return CaseLimits.model_validate({**profile_limits.model_dump(), **dict(matter_limits)})
