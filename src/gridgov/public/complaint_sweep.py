"""Supervision of complaints about grid staff (JS§19 依法及时处理): the sweep marks a complaint
still unhandled after its deadline (``due_at``, set from ``board.complaint_handling_working_days``
when it arrived) overdue, once, and tells the agency that must handle it (the town's) and the county
agency above it, which supervises (JS§19 names both).

It runs as its own job beside the case sweep (``gridgov serve`` every minute, ``gridgov jobs``):
one conditional ``UPDATE … RETURNING`` claims the complaints that fell due, so two sweeps at once
mark and notify each complaint once (the notices' dedupe keys back that up).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.kit.clock import local
from gridgov.models.territory import AreaLevel
from gridgov.notify import Notice, notify
from gridgov.public import repository as repo
from gridgov.territory import rules as territory_rules

NOTICE_KIND = "complaint_overdue"


def _supervisors(town_code: str) -> list[str]:
    """The town agency and the county agency above it."""
    county = [c for c in territory_rules.ancestor_codes(town_code)
              if territory_rules.area_level(c) == AreaLevel.COUNTY]
    return [town_code, *county[-1:]]


def sweep_complaints(session: Session, now: datetime) -> int:
    """Marks the complaints overdue at ``now`` and notifies; returns how many it marked. Never
    commits (the job does)."""
    claimed = repo.claim_overdue_complaints(session, now)
    notices = []
    for complaint_id, town_code, grid_code, due_at in claimed:
        message = (f"网格员投诉第 {complaint_id} 号（网格 {grid_code}）已超过处理期限"
                   f"（{local(due_at):%Y-%m-%d}），尚未处理")
        for user_id in repo.agency_users(session, _supervisors(town_code)):
            notices.append(Notice(user_id, NOTICE_KIND, message, f"complaint:{complaint_id}:overdue:{user_id}",
                                  link=f"/complaints/{complaint_id}"))
    notify(session, notices, now=now)
    return len(claimed)
