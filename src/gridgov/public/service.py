"""The public board (公示) of a grid: read at request time from the grids and the staff posts.

A board is never stored: it is computed from the grid row and the posts in force today, so it
changes the moment a post starts or ends or a boundary changes, with nothing to keep in sync. Only
the fields the profile's ``board.fields`` lists are filled in (LZ§10, JS§19, JM§8).
"""

from __future__ import annotations

from datetime import datetime

import shapely
from shapely.geometry import mapping
from sqlalchemy.orm import Session

from gridgov.errors import NotFound
from gridgov.kit.clock import local
from gridgov.models.accounts import role_label
from gridgov.models.territory import GRID_KIND_LABELS
from gridgov.public import repository as repo
from gridgov.public import rules
from gridgov.public.schemas import BoardArea, BoardRead, BoardStaff
from gridgov.territory.service import area_chain

NOT_FOUND = "没有找到网格 {code} 的公示（网格不存在或已撤销）"


def board_not_found(code: str) -> NotFound:
    """The one answer for an unknown and a retired grid, so a board says nothing about either."""
    return NotFound(NOT_FOUND.format(code=code[:40]))


def get_board(session: Session, code: str, *, profile, now: datetime) -> BoardRead:
    """The board of an active grid as it stands at ``now`` (Asia/Shanghai calendar day)."""
    grid = repo.get_active_grid(session, code)
    if grid is None:
        raise board_not_found(code)
    fields = set(profile.board.fields)
    today = local(now).date()
    posts = sorted(repo.list_board_posts(session, code, today), key=lambda p: (rules.role_rank(p.role), p.name))
    staff = []
    if "staff_names" in fields or "staff_contacts" in fields:
        staff = [
            BoardStaff(
                staff_id=p.staff_id,
                role=p.role,
                role_label=role_label(p.role),
                name=p.name if "staff_names" in fields else None,
                work_phone=p.work_phone if "staff_contacts" in fields else None,
            )
            for p in posts
        ]
    chain = area_chain(session, grid.area_code) if "area" in fields else []
    stamps = [grid.updated_at, *(p.changed_at for p in posts if p.changed_at is not None)]
    return BoardRead(
        grid_code=grid.code,
        name=grid.name if "grid_name" in fields else None,
        kind=grid.kind,
        kind_label=GRID_KIND_LABELS.get(grid.kind, grid.kind),
        area=[BoardArea(code=a.code, name=a.name, level=a.level) for a in chain],
        outline=mapping(shapely.from_wkb(grid.geom_wkb)),
        staff=staff,
        supervision_phone=profile.board.supervision_phone if "supervision_phone" in fields else None,
        updated_at=max(stamps),
    )


