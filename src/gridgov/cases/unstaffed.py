"""A case in a grid with no worker on post (issue 13): who verifies it instead.

An agency registers a case (hotline, unit, resident) for a grid; the grid's workers verify it. Where
the grid has no worker acting now (no account on an active post, 917 of the demo's grids), the case
would wait forever: nobody may verify it, and the agency could only refuse or supervise it. The
profile's ``cases.unstaffed_grid`` says what the agency holding the case may do then:

- ``agency_verifies``: verify it itself, then accept it straight away (it need not escalate to itself);
- ``neighbour_worker``: assign it to a worker on post in a neighbouring grid (the same village, or a
  grid whose outline touches this one's, within :data:`NEIGHBOUR_TOLERANCE_M`), who then sees it and
  acts on it as a worker of its grid (verify, solve on site, escalate, reject).

Both go through the lifecycle table (:mod:`.workflow`) and the case's hash-chained file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import shapely
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.cases import repository as repo
from gridgov.errors import Invalid
from gridgov.models import Case, CaseAssignment

AGENCY_VERIFIES = "agency_verifies"
NEIGHBOUR_WORKER = "neighbour_worker"

NEIGHBOUR_TOLERANCE_M = 20.0
"""How far apart two grids' outlines may lie and still be neighbours: drawn grids rarely share their
edges exactly. A fixed platform value (no regulation speaks of it), not a profile setting."""

_METRES_PER_DEGREE = 111_320.0  # of latitude; of longitude at the equator (an upper bound elsewhere)


@dataclass(frozen=True)
class Neighbour:
    """A worker on post in a neighbouring grid: who a case may be assigned to."""

    user_id: int
    name: str
    grid_code: str
    grid_name: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.grid_name} {self.grid_code}）"


def _trained(profile) -> bool:
    return bool(profile.staff.training_before_posting)


def has_worker(session: Session, grid_code: str, profile) -> bool:
    """Whether some account acts now as a worker of the grid (an active post, trained where asked)."""
    return bool(repo.workers_on_post(session, [grid_code], trained=_trained(profile)))


def ways(session: Session, case: Case, profile) -> frozenset[str]:
    """What the agency holding ``case`` may do for want of a worker: the profile's ways when the
    case's grid has no worker on post, none otherwise."""
    allowed = frozenset(profile.cases.unstaffed_grid)
    if not allowed or has_worker(session, case.grid_code, profile):
        return frozenset()
    return allowed


def neighbours(session: Session, case: Case, profile) -> list[Neighbour]:
    """The workers on post in the grids next to the case's: the same village, or outlines within
    :data:`NEIGHBOUR_TOLERANCE_M` of each other."""
    grid = repo.grid_outline(session, case.grid_code)
    if grid is None:
        return []
    margin = NEIGHBOUR_TOLERANCE_M / _METRES_PER_DEGREE
    outline = shapely.from_wkb(grid.geom_wkb)
    names = {}
    for other in repo.grids_near(session, grid, margin):
        if other.area_code == grid.area_code or shapely.dwithin(outline, shapely.from_wkb(other.geom_wkb), margin):
            names[other.code] = other.name
    return [Neighbour(uid, name, code, names[code])
            for uid, name, code in repo.workers_on_post(session, sorted(names), trained=_trained(profile))]


def assign(session: Session, principal: Principal, case: Case, worker_id: int, *, profile,
           now: datetime) -> tuple[CaseAssignment, CaseAssignment | None]:
    """Assigns ``case`` to a neighbouring grid's worker (the lifecycle table allowed it): the new
    assignment, and the one it replaces. 422 unless the worker is one of :func:`neighbours`."""
    chosen = next((n for n in neighbours(session, case, profile) if n.user_id == worker_id), None)
    if chosen is None:
        raise Invalid(f"用户 {worker_id} 不是相邻网格的在岗网格员，不能指派核实",
                      details=[{"field": "worker", "error": "不是相邻网格的在岗网格员"}])
    previous = repo.active_assignment(session, case.id)
    if previous is not None:
        previous.ended_at = now
    row = CaseAssignment(case_id=case.id, user_id=chosen.user_id, grid_code=chosen.grid_code,
                         assigned_by=principal.user_id if principal else None, assigned_at=now)
    session.add(row)
    return row, previous


def assigned_to(session: Session, case: Case, user_id: int) -> bool:
    """Whether the case is assigned now to this user (a neighbouring grid's worker)."""
    current = repo.active_assignment(session, case.id)
    return current is not None and current.user_id == user_id
