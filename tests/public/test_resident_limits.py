"""The resident channel's rate limits (issue 17): each public endpoint takes exactly the number it
advertises (gridgov.public.guard.LIMITS, listed in the OpenAPI description and on the pages) and
answers 429 with a Chinese message and Retry-After beyond it; the window passes on an injected clock,
never by waiting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gridgov.accounts.demo import demo_places
from gridgov.public import guard as guards
from gridgov.public import report_api

from .resident import challenge, inside, report, sms_code

LIMITS = guards.LIMITS


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(report_api, "utc_now", c)
    return c


@pytest.fixture
def places(db):
    return demo_places(db, "321100000000")


def _too_many(r, words: str) -> int:
    assert r.status_code == 429, r.text
    assert words in r.json()["detail"] and "请" in r.json()["detail"]
    retry = int(r.headers["Retry-After"])
    assert retry > 0
    return retry


def test_a_window_takes_its_limit_then_refuses_until_the_oldest_hit_leaves_it(app, monkeypatch):
    monkeypatch.setitem(guards.LIMITS, "x", guards.Limit("x", 3, 600, "测试"))
    guard = guards.guard_of(app)
    t0 = datetime(2026, 12, 1, tzinfo=UTC)
    for i in range(3):
        guard.hit("x", "ip", t0 + timedelta(seconds=i))
    with pytest.raises(guards.TooManyRequests) as refused:
        guard.hit("x", "ip", t0 + timedelta(seconds=100))
    assert refused.value.headers == {"Retry-After": "500"} and "每 10 分钟最多 3 次" in refused.value.message
    guard.hit("x", "other", t0 + timedelta(seconds=100))  # per key
    guard.hit("x", "ip", t0 + timedelta(seconds=600))  # the first hit has left the window


def test_reports_are_limited_per_phone_and_per_ip(anonymous, app, db, places, clock):
    point = inside(db, places.grid)
    per_phone, per_ip = LIMITS["report_phone"].limit, LIMITS["report_ip"].limit
    for _ in range(per_phone):
        assert report(anonymous, app, point, db=db, phone="13900000001").status_code == 201
        clock.advance(guards.CODE_INTERVAL + 1)
    _too_many(report(anonymous, app, point, phone="13900000001", sms_code="000000"), "同一手机号提交上报")
    phones = iter(f"1390000{n:04d}" for n in range(100, 200))
    for _ in range(per_ip - per_phone - 1):  # the refused one counted too
        assert report(anonymous, app, point, db=db, phone=next(phones)).status_code == 201
    retry = _too_many(report(anonymous, app, point, db=db, phone=next(phones)), "同一网络地址提交上报")
    assert 3000 < retry <= 3600
    clock.advance(retry)
    assert report(anonymous, app, point, db=db, phone=next(phones)).status_code == 201


def test_tracking_is_limited_per_ip_and_wrong_codes_per_case(anonymous, app, db, places, clock):
    got = report(anonymous, app, inside(db, places.grid), db=db).json()
    no, code = got["case_no"], got["tracking_code"]
    for _ in range(LIMITS["track_case"].limit):
        assert anonymous.get(f"/api/v1/public/cases/{no}", params={"code": "WRONG"}).status_code == 404
    _too_many(anonymous.get(f"/api/v1/public/cases/{no}", params={"code": code}), "查询码错误")
    clock.advance(LIMITS["track_case"].window)  # both windows have passed
    for _ in range(LIMITS["track_ip"].limit):
        assert anonymous.get(f"/api/v1/public/cases/{no}", params={"code": code}).status_code == 200
    _too_many(anonymous.get(f"/api/v1/public/cases/{no}", params={"code": code}), "同一网络地址查询或评价")
    _too_many(anonymous.post(f"/api/v1/public/cases/{no}/evaluation", json={"code": code, "evaluation": "satisfied"}),
              "查询或评价")


def test_challenges_and_sms_codes_are_limited(anonymous, app, db, clock):
    for _ in range(LIMITS["challenge_ip"].limit):
        assert anonymous.get("/api/v1/public/challenge").status_code == 200
    _too_many(anonymous.get("/api/v1/public/challenge"), "获取验证题")
    clock.advance(LIMITS["challenge_ip"].window)
    phone = "13900000009"
    sms_code(anonymous, db, phone)
    body = {"phone": phone, "purpose": "track"}
    again = anonymous.post("/api/v1/public/sms-codes", json={**body, **challenge(anonymous)})
    assert _too_many(again, "短信验证码") <= guards.CODE_INTERVAL
    for _ in range(LIMITS["code_phone"].limit - 1):
        clock.advance(guards.CODE_INTERVAL)
        sms_code(anonymous, db, phone)
    clock.advance(guards.CODE_INTERVAL)
    over = anonymous.post("/api/v1/public/sms-codes", json={**body, **challenge(anonymous)})
    _too_many(over, "同一手机号获取短信验证码")


def test_the_limits_are_advertised_in_the_api_description(anonymous):
    spec = anonymous.get("/openapi.json").json()
    text = spec["paths"]["/api/v1/public/reports"]["post"]["description"]
    assert all(limit.text in text for limit in LIMITS.values())
    assert "429" in spec["paths"]["/api/v1/public/reports"]["post"]["responses"]


def test_the_job_deletes_sms_codes_older_than_two_days_and_keeps_the_days_count(db):
    from sqlalchemy import select

    from gridgov.jobs import JOBS
    from gridgov.models.resident import ResidentCode

    now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    for age in (timedelta(days=3), timedelta(days=2, minutes=1), timedelta(hours=23)):
        db.add(ResidentCode(phone_index="x" * 64, purpose="report", code_hash="h" * 64, created_at=now - age,
                            expires_at=now - age + timedelta(minutes=10)))
    db.flush()
    job = next(j for j in JOBS if j.name == "resident_codes")
    assert job.run(db, now, None) == "删除过期的居民短信验证码 2 条"
    kept = db.scalars(select(ResidentCode.created_at).where(ResidentCode.phone_index == "x" * 64)).all()
    assert [now - t.astimezone(UTC) for t in kept] == [timedelta(hours=23)]
    assert job.run(db, now, None) is None
