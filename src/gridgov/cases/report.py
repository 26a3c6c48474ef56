"""A report in one step, and the duplicates a report may repeat (issue 14).

:func:`report_case` registers a case and, when the reporter says so (``next_action``), takes its
first step at once: ``escalate`` or ``solve_on_site``, through the lifecycle table and the file
exactly as :func:`.actions.take_action` takes them for a case registered earlier. Both happen in
the caller's transaction, so an action the table refuses leaves nothing written (the edge rolls
back the case, its number, its file and its notices with it).

:func:`nearby` finds the open cases a new report may repeat: the same category, within
``GRIDGOV_DUPLICATE_RADIUS_M`` metres, registered in the last ``GRIDGOV_DUPLICATE_DAYS`` days,
among those the user may see. Cases are matched by the category they name (the matter of the
list, or the profile's category), the classification cases carry on this base.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.cases import actions, service
from gridgov.cases import repository as repo
from gridgov.cases.schemas import CaseCreate, CaseRead
from gridgov.cases.workflow import OPEN_STATES, STATE_LABELS, CaseState
from gridgov.geo.measure import box_around, distance_m
from gridgov.kit.crypto import FieldCipher


def next_payload(data: CaseCreate) -> dict[str, Any]:
    """The payload of the step taken with the report, as the action's own route takes it."""
    if data.next_action == "solve_on_site":
        return {"result": data.result, "photos": list(data.result_photos)}
    return {"note": data.note}


def report_case(session: Session, principal: Principal, data: CaseCreate, *, now: datetime, profile,
                cipher: FieldCipher, media_root: Path, case_types=None) -> CaseRead:
    """Registers the case, then takes ``data.next_action`` on it (if any); the case as the API answers.
    ``case_types``: the types in use (the app's), else the shipped ones."""
    new = service.create_case(session, principal, data, now=now, profile=profile, cipher=cipher,
                              media_root=media_root, case_types=case_types)
    if data.next_action is None:
        return service.new_case_read(session, principal, new, now=now, profile=profile, case_types=case_types)
    return actions.act_and_read(session, principal, new.case.case_no, data.next_action, next_payload(data),
                                now=now, profile=profile, media_root=media_root, case_types=case_types)


def nearby(session: Session, principal: Principal, *, lon: float, lat: float, category: str | None,
           now: datetime, radius_m: int, days: int, exclude: str | None = None, limit: int = 10) -> list[dict]:
    """Open cases the principal sees within ``radius_m`` of the point (WGS84), of ``category`` when
    given, registered in the last ``days`` days; nearest first, at most ``limit``."""
    rows = repo.cases_in_box(session, principal, states=[str(s) for s in OPEN_STATES], category=category,
                             since=now - timedelta(days=days), box=box_around(lon, lat, radius_m),
                             exclude=exclude)
    found = sorted(((distance_m(lon, lat, c.lon, c.lat), c) for c in rows), key=lambda dc: dc[0])
    return [{"case_no": c.case_no, "title": c.title, "state": c.state, "state_label": STATE_LABELS[CaseState(c.state)],
             "category": c.category, "address": c.address, "created_at": c.created_at, "distance_m": round(d)}
            for d, c in found if d <= radius_m][:limit]
