"""The reopen window comes from the profile (``cases.limits.reopen_days``; no text sets it, a local
default), read by the service under two differing values, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridgov.cases import actors
from gridgov.errors import Conflict

from .test_case_scenarios import (
    Desk,
    _closed,
    at,
    places,  # noqa: F401  (fixture)
)


def _with_reopen_days(desk: Desk, days: int) -> Desk:
    profile = desk.profile
    limits = profile.cases.limits.model_copy(update={"reopen_days": days})
    desk.profile = profile.model_copy(update={"cases": profile.cases.model_copy(update={"limits": limits})})
    return desk


@pytest.mark.setting("cases.limits.reopen_days")
@pytest.mark.parametrize("days", [30, 7])
def test_reopen_is_allowed_within_the_profiles_window_and_refused_after(db, tmp_path, places, days):  # noqa: F811
    desk = Desk(db, "zhenjiang", tmp_path / "media")
    assert desk.profile.cases.limits.reopen_days == 30  # local default in all five profiles
    desk = _with_reopen_days(desk, days)
    closed_at = at(2026, 11, 2, 16, 0)
    inside = _closed(desk, places.grid, "unsatisfied", now=closed_at - timedelta(hours=7))
    outside = _closed(desk, places.grid, "unsatisfied", now=closed_at - timedelta(hours=7))
    ten_days = closed_at + timedelta(days=10)  # inside a 30-day window, outside a 7-day one

    late = closed_at + timedelta(days=days, minutes=1)
    with pytest.raises(Conflict, match="期限"):
        desk.act("town_dispatcher", outside, "reopen", now=late, reason="群众再次反映")
    if days > 10:
        case = desk.act("town_dispatcher", inside, "reopen", now=ten_days, reason="群众再次反映")
        assert case.state == "in_progress"
    else:
        with pytest.raises(Conflict, match="期限"):
            desk.act("town_dispatcher", inside, "reopen", now=ten_days, reason="群众再次反映")
        case = desk.act("town_dispatcher", inside, "reopen", now=closed_at + timedelta(days=days - 1),
                        reason="群众再次反映", to="accepted")
        assert case.state == "accepted"
        assert desk.clock(inside, "dispatch").started_at == closed_at + timedelta(days=days - 1)  # dispatch again
    assert not hasattr(actors, "REOPEN_WINDOW")
