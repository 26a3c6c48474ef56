"""A resident reporter (a phone, no account) is told by SMS when the case is taken up, refused (with
the reason) and closed (with the evaluation link), in the transaction of the action (issue 17;
QZ§17: the result goes back to whoever raised the matter)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.cases import actions, service
from gridgov.cases.schemas import CaseCreate
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Case, OutboundMessage, User
from gridgov.policy.loader import load_profile

from ..conftest import TEST_SECRET_KEY

PHONE = "13912345678"


class Desk:
    def __init__(self, db, profile, media_root) -> None:
        self.db, self.profile, self.media_root = db, profile, media_root
        self.now = utc_now() - timedelta(hours=10)

    def who(self, username: str) -> Principal:
        u = self.db.scalar(select(User).where(User.username == username))
        return Principal(user_id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                         scope_code=u.scope_code, department_code=u.department_code)

    def report(self, grid: str, *, source: str = "resident", phone: str = PHONE) -> str:
        data = CaseCreate(title="小区门口路灯不亮", category="zj12_02", source=source, grid_code=grid,
                          address="中山路 8 号", reporter_phone=phone)
        return service.create_case(self.db, self.who("town_dispatcher"), data, now=self.now, profile=self.profile,
                                   cipher=FieldCipher(TEST_SECRET_KEY), media_root=self.media_root).case.case_no

    def act(self, username: str, case_no: str, action: str, **payload) -> None:
        self.now += timedelta(minutes=10)
        actions.act(self.db, self.who(username), case_no, action, payload, now=self.now, profile=self.profile,
                    media_root=self.media_root)

    def texts(self, case_no: str) -> list[tuple[str, str]]:
        case_id = self.db.scalar(select(Case.id).where(Case.case_no == case_no))
        return [(m.template, m.text) for m in self.db.scalars(
            select(OutboundMessage).where(OutboundMessage.case_id == case_id).order_by(OutboundMessage.id))]


@pytest.fixture
def grid(db):
    return demo_places(db, "321100000000").grid


def _desk(db, tmp_path, name="zhenjiang", **messages):
    profile = load_profile(name)
    if messages:
        profile = profile.model_copy(update={"messages": profile.messages.model_copy(update=messages)})
    return Desk(db, profile, tmp_path)


@pytest.mark.req("D6")
@pytest.mark.setting("messages.tell_resident")
@pytest.mark.setting("messages.templates.accepted")
@pytest.mark.setting("messages.templates.closed")
def test_the_resident_is_told_once_on_acceptance_and_on_closure_with_the_evaluation_link(db, tmp_path, grid):
    desk = _desk(db, tmp_path)
    no = desk.report(grid)
    assert desk.texts(no) == []
    desk.act("worker", no, "verify")
    desk.act("worker", no, "escalate")
    desk.act("town_dispatcher", no, "accept")  # taken up already: told once
    desk.act("town_dispatcher", no, "solve", result="已更换灯泡")
    desk.act("town_dispatcher", no, "feedback", evaluation="satisfied")
    assert desk.texts(no) == [
        ("accepted", f"【镇江网格】您反映的事件（编号 {no}）已受理，我们将按时限办理，请留意后续短信。"),
        ("closed", f"【镇江网格】您反映的事件（编号 {no}）已办结，请对办理结果作出评价：/track?case_no={no}"),
    ]


@pytest.mark.setting("messages.templates.refused")
def test_a_refusal_carries_the_reason_and_the_phone_stays_sealed(db, tmp_path, grid):
    desk = _desk(db, tmp_path, "qinzhou")
    no = desk.report(grid)
    desk.act("town_dispatcher", no, "reject", reason="不属于网格化服务管理事项")
    assert desk.texts(no) == [("refused", f"【钦州网格】您反映的事件（编号 {no}）不予受理，"
                                          "理由：不属于网格化服务管理事项。如有疑问请拨打 12345 热线。")]
    message = db.scalar(select(OutboundMessage).where(OutboundMessage.template == "refused"))
    assert message.phone_mask == "139****5678" and PHONE.encode() not in message.phone_enc
    assert FieldCipher(TEST_SECRET_KEY).decrypt(message.phone_enc) == PHONE


@pytest.mark.setting("messages.tell_resident")
def test_only_the_steps_the_profile_lists_and_only_resident_mobiles_are_told(db, tmp_path, grid):
    desk = _desk(db, tmp_path, tell_resident=["refused"])
    told = desk.report(grid)
    desk.act("worker", told, "verify")  # acceptance is not listed: nothing
    assert desk.texts(told) == []
    landline = desk.report(grid, phone="0511-84441234")
    desk.act("town_dispatcher", landline, "reject", reason="重复反映")
    assert desk.texts(landline) == []  # a landline cannot take an SMS
    patrol = desk.report(grid, source="unit")  # a unit's report, typed in by the dispatcher: told in the app
    desk.act("town_dispatcher", patrol, "reject", reason="重复反映")
    assert desk.texts(patrol) == []
