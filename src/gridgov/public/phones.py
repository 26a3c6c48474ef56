"""Supervision phones per county and town (JS§19: 县（市、区）网格化机构和乡镇（街道）网格化机构应当
向社会公布监督电话等举报渠道).

Each county and town agency may set the phone it publishes (permission ``board.manage``, for its own
area and the counties and towns below it); a board shows the phone of its grid's town, else its
county's, else the profile's ``board.supervision_phone`` (one number for the deployment, e.g. the
12345 hotline). Setting an empty phone removes the area's own and falls back again. Every change is
audited.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.errors import Invalid, NotFound
from gridgov.models.territory import AreaLevel
from gridgov.public import repository as repo
from gridgov.public.schemas import SupervisionPhoneRead
from gridgov.territory import rules as territory_rules

PHONE_RE = re.compile(r"^[0-9][0-9\-]{2,19}$")
LEVELS = (AreaLevel.COUNTY, AreaLevel.TOWN)
SOURCE_LABELS = {"town": "乡镇（街道）网格化机构", "county": "县（市、区）网格化机构",
                 "profile": "全市统一（政策配置）"}


def check_phone(value: str) -> str:
    """The phone with spaces dropped, or :class:`Invalid`; empty means "remove"."""
    phone = re.sub(r"\s", "", value or "")
    if phone and not PHONE_RE.match(phone):
        raise Invalid("监督电话应为 3–20 位数字，可含连字符（如 0511-84441234 或 12345）",
                      details=[{"field": "phone", "error": "监督电话格式不正确"}])
    return phone


def phone_for(session: Session, area_code: str, profile) -> tuple[str, str]:
    """The supervision phone a board in ``area_code`` shows, and whose it is: the town's, else the
    county's, else the profile's."""
    chain = territory_rules.ancestor_codes(area_code)
    own = repo.supervision_phones(session, chain)
    for level in (AreaLevel.TOWN, AreaLevel.COUNTY):
        for code in reversed(chain):
            if territory_rules.area_level(code) == level and code in own:
                return own[code], str(level)
    return profile.board.supervision_phone, "profile"


def list_phones(session: Session, principal: Principal, profile) -> list[SupervisionPhoneRead]:
    """The counties and towns of the jurisdiction with their own phone and the one their boards show."""
    areas = repo.phone_areas(session, principal, [str(level) for level in LEVELS])
    own = repo.supervision_phones(session, [a.code for a in areas])
    return [_read(session, a, own.get(a.code, ""), profile) for a in areas]


def set_phone(session: Session, principal: Principal, area_code: str, phone: str, *, profile,
              now: datetime) -> SupervisionPhoneRead:
    """Sets (or with an empty phone removes) the supervision phone of a county or town inside the
    jurisdiction; outside or missing is 404, another level 422."""
    area = repo.visible_area(session, principal, area_code)
    if area is None:
        raise NotFound(f"区域 {area_code[:20]} 不存在")
    if area.level not in [str(level) for level in LEVELS]:
        raise Invalid("只有县（市、区）和乡镇（街道）网格化机构公布监督电话（JS§19）",
                      details=[{"field": "area_code", "error": "层级不对"}])
    phone = check_phone(phone)
    before = repo.supervision_phones(session, [area.code]).get(area.code, "")
    repo.save_supervision_phone(session, area.code, phone, user_id=principal.user_id, now=now)
    record(session, actor=principal, action="supervision_phone_set", now=now, object_type="area",
           object_id=area.code, area_code=area.code, before={"phone": before}, after={"phone": phone})
    return _read(session, area, phone, profile)


def _read(session: Session, area, own: str, profile) -> SupervisionPhoneRead:
    shown, source = phone_for(session, area.code, profile)
    return SupervisionPhoneRead(area_code=area.code, name=area.name, level=area.level, phone=own,
                                shown_phone=shown, shown_source=source, shown_source_label=SOURCE_LABELS[source])
