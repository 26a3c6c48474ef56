"""The demo's deliberation (议事协商): one topic of the demo grid, raised by residents, talked over at one
meeting, decided by a show of hands, published on the grid's board. Built through the service, as the grid's
worker would, once. It registers no follow-up case: the demo city starts with none."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.demo import demo_places
from gridgov.accounts.service import principal_for
from gridgov.authz.scope import SYSTEM, scoped
from gridgov.cogovernance import deliberation as service
from gridgov.cogovernance.deliberation_schemas import (
    DeliberationCreate,
    DeliberationUpdate,
    MeetingCreate,
    ParticipantIn,
)
from gridgov.kit.clock import local
from gridgov.models import User
from gridgov.models.deliberation import Deliberation
from gridgov.territory.demo import demo_city_of

TOPIC = "小区楼道堆物清理和电动车停放"


def build_demo_deliberation(session: Session, profile, *, now: datetime, cipher) -> str:
    """One decided and published topic in the demo grid with a meeting; what it built."""
    places = demo_places(session, demo_city_of(profile).area_code)
    if session.scalar(scoped(select(Deliberation.id).where(Deliberation.area_code == places.grid,
                                                           Deliberation.topic == TOPIC), SYSTEM, Deliberation)):
        return "议事协商：演示议题已存在"
    user = session.scalar(scoped(select(User).where(User.username == "worker"), SYSTEM, User))
    worker = principal_for(session, user.id, user.session_version, via_cookie=False, profile=profile) if user else None
    if worker is None:
        return "议事协商：没有演示网格员账号，未建演示议题"
    today = local(now).date()
    row = service.create_deliberation(session, worker, DeliberationCreate(
        area_code=places.grid, topic=TOPIC, raised_by="3 号楼居民代表",
        description="楼道堆放杂物、电动车在楼道充电，存在消防隐患，居民提出协商清理和集中停放。",
        raised_on=today - timedelta(days=10),
        participants=[ParticipantIn(kind="representative", name="陈小红", organisation="3 号楼居民代表"),
                      ParticipantIn(kind="resident", headcount=23),
                      ParticipantIn(kind="official", name="张网格", organisation="网格员")]), now=now)
    service.add_meeting(session, worker, row.id, MeetingCreate(
        held_on=today - timedelta(days=7), place="社区议事厅", attendance=25,
        minutes="居民代表介绍情况；物业说明可在 2 号楼旁增设充电车棚；与会居民同意限期清理楼道堆物。"),
        now=now, media_root=Path("."))  # no attachment: the store is not read
    service.update_deliberation(session, worker, row.id, DeliberationUpdate(
        status="decided",
        decision="楼道堆物本月底前由各户自行清理；物业在 2 号楼旁增设电动车充电车棚，楼道内不再停放电动车。",
        decided_on=today - timedelta(days=5), decision_method="举手表决", votes_for=22, votes_against=1,
        votes_abstain=2, publish=True), now=now)
    # No follow-up case: the demo city starts with no case (its lists and figures start at zero); the topic's
    # page registers one through the case intake (tests/cogovernance/test_deliberation.py does).
    return "议事协商：演示网格议题 1 个（会议 1 次，已公开结果；跟进事件可在议题页登记）"
