"""Outbound messages (SMS to residents, issue 17): stored in the transaction of the change that causes
them, rendered from the profile's Chinese templates, the phone sealed and masked, delivered after
commit by the ``outbound`` job through the configured channel (never "sent" without one)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from gridgov.config import Settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.errors import Invalid
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models import OutboundMessage
from gridgov.notify import outbound
from gridgov.policy.loader import load_profile

from ..conftest import TEST_SECRET_KEY

PHONE = "13812345678"


@pytest.fixture
def cipher():
    return FieldCipher(TEST_SECRET_KEY)


@pytest.fixture
def engine(fresh_url):
    engine = make_engine(fresh_url)
    yield engine
    engine.dispose()


def _send(session, cipher, *, profile=None, now=None, **kw):
    return outbound.send(session, profile=profile or load_profile("zhenjiang"), cipher=cipher, to=PHONE,
                         template=kw.pop("template", "sms_code"), params=kw.pop("params", {"code": "123456",
                                                                                            "minutes": 5}),
                         now=now or utc_now(), **kw)


def _messages(engine) -> list[OutboundMessage]:
    with make_sessionmaker(engine)() as session:
        return list(session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))


def test_a_message_is_stored_with_the_change_that_committed_and_not_with_one_that_rolled_back(engine, cipher):
    sessions = make_sessionmaker(engine)
    with unit_of_work(sessions) as session:
        _send(session, cipher, dedupe_key="kept")
    with pytest.raises(RuntimeError), unit_of_work(sessions) as session:
        _send(session, cipher, dedupe_key="rolled-back")
        raise RuntimeError("the change failed after the message was written")
    assert [m.dedupe_key for m in _messages(engine)] == ["kept"]


@pytest.mark.setting("messages.signature")
@pytest.mark.setting("messages.templates.sms_code")
def test_the_text_is_the_profiles_template_under_its_signature_and_the_phone_is_sealed(engine, cipher):
    with unit_of_work(make_sessionmaker(engine)) as session:
        _send(session, cipher, profile=load_profile("qinzhou"))
    (message,) = _messages(engine)
    assert message.text == "【钦州网格】验证码 123456，5 分钟内有效，请勿告诉他人。"
    assert message.status == "pending" and message.attempts == 0 and message.sent_at is None
    assert PHONE.encode() not in message.phone_enc and cipher.decrypt(message.phone_enc) == PHONE
    assert message.phone_mask == "138****5678"


def test_the_same_dedupe_key_stores_one_message_and_a_landline_is_refused(engine, cipher):
    with unit_of_work(make_sessionmaker(engine)) as session:
        assert _send(session, cipher, dedupe_key="once") is not None
        assert _send(session, cipher, dedupe_key="once") is None
        with pytest.raises(Invalid, match="手机号码"):
            outbound.send(session, profile=load_profile("zhenjiang"), cipher=cipher, to="0511-84441234",
                          template="sms_code", params={"code": "1", "minutes": 5}, now=utc_now())
    assert len(_messages(engine)) == 1


class Flaky:
    """A channel that refuses the first ``refusals`` messages, then takes them (records what it got)."""

    name, kind = "flaky", "sms"

    def __init__(self, refusals: int) -> None:
        self.refusals, self.got = refusals, []

    def send(self, *, to: str, text: str, message_id: int) -> None:
        if self.refusals:
            self.refusals -= 1
            raise outbound.ChannelError("网关返回 500")
        self.got.append((to, text, message_id))


def test_delivery_after_commit_retries_a_refusal_later_and_marks_failed_after_the_last_attempt(engine, cipher):
    sessions, now = make_sessionmaker(engine), utc_now()
    with unit_of_work(sessions) as session:
        _send(session, cipher, now=now, dedupe_key="a")
    channel = Flaky(refusals=1)
    with unit_of_work(sessions) as session:
        said = outbound.deliver_pending(session, channel=channel, cipher=cipher, now=now, max_attempts=2)
    assert said.retrying == 1 and channel.got == []
    (message,) = _messages(engine)
    assert (message.status, message.attempts, message.last_error) == ("pending", 1, "网关返回 500")
    assert message.next_attempt_at == now + timedelta(minutes=1)
    with unit_of_work(sessions) as session:  # not yet due: nothing tried
        assert outbound.deliver_pending(session, channel=channel, cipher=cipher, now=now, max_attempts=2) == \
            outbound.Delivered()
    with unit_of_work(sessions) as session:
        said = outbound.deliver_pending(session, channel=channel, cipher=cipher, now=now + timedelta(minutes=1),
                                        max_attempts=2)
    assert said.sent == 1 and channel.got == [(PHONE, message.text, message.id)]
    (message,) = _messages(engine)
    assert (message.status, message.attempts, message.channel) == ("sent", 2, "flaky")
    with unit_of_work(sessions) as session:
        _send(session, cipher, now=now, dedupe_key="b")
        _send(session, cipher, now=now, dedupe_key="c")
    refusing = Flaky(refusals=99)
    for minutes in (0, 1):
        with unit_of_work(sessions) as session:
            outbound.deliver_pending(session, channel=refusing, cipher=cipher, now=now + timedelta(minutes=minutes),
                                     max_attempts=2)
    assert [(m.dedupe_key, m.status, m.attempts) for m in _messages(engine)[1:]] == [("b", "failed", 2),
                                                                                      ("c", "failed", 2)]


def test_with_no_channel_configured_a_message_is_marked_unsent_never_sent(engine, cipher):
    sessions = make_sessionmaker(engine)
    with unit_of_work(sessions) as session:
        _send(session, cipher)
    with unit_of_work(sessions) as session:
        said = outbound.deliver_pending(session, channel=None, cipher=cipher, now=utc_now())
    assert said.summary() == "未配置短信通道未发送 1 条"
    (message,) = _messages(engine)
    assert (message.status, message.sent_at, message.last_error) == ("unsent", None, "未配置短信通道")


def test_the_dev_sink_is_the_channel_in_demo_mode_only(tmp_path):
    def settings(**kw):
        return Settings(var_dir=tmp_path, secret_key=TEST_SECRET_KEY, **kw)

    assert outbound.channel_name(settings(demo=True)) == "dev" and outbound.configured(settings(demo=True))
    assert not outbound.configured(settings(demo=False))
    assert not outbound.configured(settings(demo=False, sms_channel="dev"))  # never a sink that looks sent
    assert not outbound.configured(settings(demo=True, sms_channel="nosuch"))
    outbound.register_channel("flaky", lambda s: Flaky(0))
    assert outbound.channel_for(settings(sms_channel="flaky")).name == "flaky"


@pytest.mark.setting("messages.templates.report_received")
def test_the_report_received_message_carries_the_case_number_and_the_tracking_code():
    profile = load_profile("jiangmen")
    assert outbound.render(profile, "report_received", {"case_no": "E1", "tracking_code": "K7M2P9"}) == (
        "【江门网格】您反映的事件已登记，编号 E1，查询码 K7M2P9，凭编号和查询码可查询办理进度。")
    changed = profile.messages.model_copy(update={"templates": profile.messages.templates.model_copy(
        update={"report_received": "已登记：{case_no}"})})
    assert outbound.render(profile.model_copy(update={"messages": changed}), "report_received",
                           {"case_no": "E1", "tracking_code": "x"}) == "【江门网格】已登记：E1"


def test_a_profile_whose_template_loses_a_required_field_or_names_an_unknown_one_is_refused():
    from pydantic import ValidationError

    from gridgov.policy.schema.messages import Messages

    data = load_profile("zhenjiang").messages.model_dump()
    data["templates"]["refused"] = "您反映的事件 {case_no} 不予受理"
    data["templates"]["closed"] = "已办结 {case_no} {evaluation_link} {phone}"
    with pytest.raises(ValidationError) as caught:
        Messages.model_validate(data)
    assert "templates.refused: 缺少 {reason}" in str(caught.value)
    assert "templates.closed: 未知的字段 {phone}" in str(caught.value)


def test_the_outbound_job_delivers_through_the_deployments_channel(engine, cipher, tmp_path):
    from gridgov import jobs

    sessions = make_sessionmaker(engine)
    with unit_of_work(sessions) as session:
        _send(session, cipher, dedupe_key="demo")
    demo = Settings(var_dir=tmp_path, secret_key=TEST_SECRET_KEY, demo=True)
    done = dict(jobs.run_jobs_once(sessions, load_profile("zhenjiang"), settings=demo, cipher=cipher))
    assert done["outbound"] == "短信已发送 1 条"
    with unit_of_work(sessions) as session:
        _send(session, cipher, dedupe_key="production")
    production = Settings(var_dir=tmp_path, secret_key=TEST_SECRET_KEY, demo=False)
    done = dict(jobs.run_jobs_once(sessions, load_profile("zhenjiang"), settings=production, cipher=cipher))
    assert done["outbound"] == "未配置短信通道未发送 1 条"
    assert [(m.dedupe_key, m.status, m.channel) for m in _messages(engine)] == [("demo", "sent", "dev"),
                                                                             ("production", "unsent", "")]


def test_messages_past_the_keeping_period_are_deleted_by_the_job_unless_still_pending(engine, cipher, tmp_path):
    from gridgov import jobs

    sessions, now = make_sessionmaker(engine), utc_now()
    with unit_of_work(sessions) as session:
        _send(session, cipher, now=now - timedelta(days=11), dedupe_key="old")
        _send(session, cipher, now=now - timedelta(days=9), dedupe_key="young")
    settings = Settings(var_dir=tmp_path, secret_key=TEST_SECRET_KEY, demo=True, sms_keep_days=10)
    with unit_of_work(sessions) as session:  # both still pending on the day the old one is due: kept
        assert outbound.purge_old(session, now=now, keep_days=10) == 0
    done = dict(jobs.run_jobs_once(sessions, load_profile("zhenjiang"), settings=settings, cipher=cipher, now=now))
    assert done["outbound"] == "短信已发送 2 条；删除超过保存期的短信 1 条"
    assert [m.dedupe_key for m in _messages(engine)] == ["young"]
