"""The public board (公示) of a grid: read at request time from the grids and the staff posts.

A board is never stored: it is computed from the grid row and the posts in force today, so it
changes the moment a post starts or ends or a boundary changes, with nothing to keep in sync. Only
the fields the profile's ``board.fields`` lists are filled in (LZ§10, JS§19, JM§8).
"""

from __future__ import annotations

from datetime import date, datetime

import shapely
from shapely.geometry import mapping
from sqlalchemy.orm import Session

from gridgov.errors import NotFound
from gridgov.kit.clock import local
from gridgov.kit.recurrence import describe, next_dates
from gridgov.models.accounts import role_label
from gridgov.models.legal import LEGAL_KIND_LABELS
from gridgov.models.territory import GRID_KIND_LABELS
from gridgov.public import repository as repo
from gridgov.public import rules
from gridgov.public.phones import phone_for
from gridgov.public.schemas import BoardArea, BoardDeliberation, BoardLegal, BoardRead, BoardStaff
from gridgov.territory.service import area_chain

NOT_FOUND = "没有找到网格 {code} 的公示（网格不存在或已撤销）"
OFFLINE = "本地网格公示在村（居）民主要活动场所或者显著位置张贴，不在网上公布；监督电话见公示牌"
PUBLISHER_LABELS = {"town": "{town}", "village_committee": "{village}", "host_unit": "专属网格所在单位（{grid}）"}


def is_online(profile) -> bool:
    """Whether boards are published online (``board.online``): anything but ``none`` (printed only).
    LZ§10 (网络工作平台) and JM§8 (鼓励通过网络等方式公布) ask for it; where the text is silent the
    profile says what the city chose."""
    return profile.board.online != "none"


def board_not_found(code: str) -> NotFound:
    """The one answer for an unknown and a retired grid, so a board says nothing about either."""
    return NotFound(NOT_FOUND.format(code=code[:40]))


def get_board(session: Session, code: str, *, profile, now: datetime, online: bool = True) -> BoardRead:
    """The board of an active grid as it stands at ``now`` (Asia/Shanghai calendar day). ``online``:
    asked by the public on the web, refused (404) where the profile publishes boards on paper only."""
    if online and not is_online(profile):
        raise NotFound(OFFLINE)
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
    full_chain = area_chain(session, grid.area_code)
    chain = full_chain if "area" in fields else []
    phone = phone_for(session, grid.area_code, profile)[0] if "supervision_phone" in fields else None
    stamps = [grid.updated_at, *(p.changed_at for p in posts if p.changed_at is not None)]
    return BoardRead(
        grid_code=grid.code,
        name=grid.name if "grid_name" in fields else None,
        kind=grid.kind,
        kind_label=GRID_KIND_LABELS.get(grid.kind, grid.kind),
        area=[BoardArea(code=a.code, name=a.name, level=a.level) for a in chain],
        outline=mapping(shapely.from_wkb(grid.geom_wkb)),
        staff=staff,
        supervision_phone=phone,
        published_by=publishers(profile, grid, full_chain),
        legal=board_legal(session, grid.code, full_chain, today),
        updated_at=max(stamps),
        deliberations=[BoardDeliberation(id=i, topic=topic, decision=decision, decided_on=on)
                       for i, topic, decision, on in repo.published_deliberations(session, grid.code, grid.area_code)],
    )




def board_legal(session: Session, grid_code: str, chain, today: date) -> list[BoardLegal]:
    """The legal professionals serving the grid, with the next dates of each schedule (ZJ§23, JS§22, QZ§17)."""
    places = [grid_code, *(a.code for a in chain)]
    found = []
    for r in repo.board_legal(session, grid_code, places, today):
        dates = [date.fromisoformat(d) for d in r.dates.split(",") if d]
        coming = next_dates(r.rule, today=today, valid_from=r.valid_from, valid_to=r.valid_to, weekday=r.weekday,
                            nth=r.nth, dates=dates)
        if not coming:
            continue
        when = describe(r.rule, weekday=r.weekday, nth=r.nth, dates=dates)
        arrangement = "，".join(filter(None, [f"{when} {r.hours}".strip(), r.place]))
        found.append(BoardLegal(name=r.name, kind=r.kind, kind_label=LEGAL_KIND_LABELS.get(r.kind, r.kind),
                                institution=r.institution, title=r.title, public_phone=r.public_phone,
                                arrangement=arrangement, next_dates=coming))
    return found


def publishers(profile, grid, chain) -> list[str]:
    """Who posts this board (``board.published_by``: LZ§10 the town agency and the host unit of a
    dedicated grid; JS§19 the town government; JM§8 the village/residents' committee), named. A host
    unit posts only a dedicated grid's board; with nobody left, the town does."""
    names = {a.level: a.name for a in chain}
    found = []
    for who in profile.board.published_by:
        if who == "host_unit" and grid.kind != "dedicated":
            continue
        if who == "village_committee" and "village" not in names:
            continue
        found.append(PUBLISHER_LABELS[who].format(town=names.get("town", ""),
                                                  village=committee(names.get("village", "")), grid=grid.name))
    return found or [names.get("town", "")]


def committee(village: str) -> str:
    """The committee of a village (村民委员会) or community (居民委员会)."""
    if village.endswith("村"):
        return village + "民委员会"
    if village.endswith("社区"):
        return village + "居民委员会"
    return village + "村（居）民委员会"
