"""The resident's pages without JavaScript (issue 17): /report in two posts where an SMS channel is
configured (the first sends the code and keeps the input and the photos), the tracking code shown
once, /track by code, the evaluation form, and 404/429 pages in Chinese."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.kit.clock import utc_now
from gridgov.models import Case, CasePhoto
from gridgov.public import guard as guards

from .resident import a_type, inside, last_sms, png, solve
from .test_board import HTML

PHONE = "13912340000"


@pytest.fixture
def places(db):
    return demo_places(db, "321100000000")


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _question(html: str) -> str:
    return re.search(r"验证题：([^<]+)</label>", html).group(1)


def _form(html: str, **fields) -> dict:
    return {"csrf_token": _hidden(html, "csrf_token"), "challenge_token": _hidden(html, "challenge_token"),
            "challenge_answer": solve(_question(html)), **fields}


def test_a_resident_reports_on_the_page_in_two_posts_and_tracks_it(anonymous, client_as, app, db, places):
    page = anonymous.get("/report", headers=HTML)
    assert page.status_code == 200 and "我要上报" in page.text and page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text  # no inline script: the map's script is a file, its data JSON
    lon, lat = inside(db, places.grid)
    fields = {"type": a_type(app), "description": "楼道里堆满杂物影响通行", "lon": str(lon), "lat": str(lat),
              "crs": "wgs84", "address": "幸福小区 3 栋", "phone": PHONE}
    first = anonymous.post("/report", data=_form(page.text, **fields), headers=HTML,
                           files=[("photo", ("a.png", png(), "image/png"))])
    assert first.status_code == 200, first.text
    assert "短信验证码已发送" in first.text and "楼道里堆满杂物影响通行" in first.text
    kept = _hidden(first.text, "kept")
    code = re.search(r"验证码 (\d{6})", last_sms(db, "sms_code").text).group(1)
    done = anonymous.post("/report", data={**_form(first.text, **fields), "kept": kept, "sms_code": code},
                          headers=HTML)
    assert done.status_code == 201, done.text
    no = re.search(r'id="done-case-no">([^<]+)<', done.text).group(1)
    tracking = re.search(r'id="done-code" class="resident-code">([^<]+)<', done.text).group(1)
    case = db.scalar(select(Case).where(Case.case_no == no))
    photo = db.scalar(select(CasePhoto).where(CasePhoto.case_id == case.id))
    assert case.source == "resident" and photo.sha256 == kept and photo.uploaded_by is None
    staff_page = client_as("town_dispatcher").get(f"/cases/{no}", headers=HTML)
    assert staff_page.status_code == 200 and "楼道里堆满杂物影响通行" in staff_page.text

    track = anonymous.get("/track", params={"case_no": no}, headers=HTML)  # the closure SMS's link
    assert f'value="{no}"' in track.text
    wrong = anonymous.post("/track", data={"csrf_token": _hidden(track.text, "csrf_token"), "case_no": no,
                                           "code": "AAAA-BBBB-CCCC"}, headers=HTML)
    assert wrong.status_code == 404 and "没有找到该事件" in wrong.text
    found = anonymous.post("/track", data={"csrf_token": _hidden(track.text, "csrf_token"), "case_no": no,
                                           "code": tracking}, headers=HTML)
    assert found.status_code == 200 and "已收到上报" in found.text and "待核实" in found.text
    assert PHONE not in found.text and "对办理结果的评价" not in found.text  # nothing to evaluate yet
    early = anonymous.post(f"/track/{no}/evaluation", data={"csrf_token": _hidden(track.text, "csrf_token"),
                                                            "code": tracking, "evaluation": "satisfied"}, headers=HTML)
    assert early.status_code == 409 and "办结后才能评价" in early.text


def test_a_page_beyond_the_limit_answers_429_in_chinese_with_the_input_kept(anonymous, app, db, places):
    page = anonymous.get("/report", headers=HTML)
    guard, now = guards.guard_of(app), utc_now()
    for _ in range(guards.LIMITS["code_ip"].limit):  # this address has asked for its codes already
        guard.hit("code_ip", "testclient", now)
    lon, lat = inside(db, places.grid)
    r = anonymous.post("/report", data=_form(page.text, description="第十一次上报的内容", phone=PHONE,
                                             type=a_type(app), lon=str(lon), lat=str(lat)), headers=HTML)
    assert r.status_code == 429 and "操作过于频繁" in r.text and "第十一次上报的内容" in r.text
    assert int(r.headers["retry-after"]) > 0


def test_a_resident_tracks_by_phone_and_sms_code_on_the_page(anonymous, app, db, places, monkeypatch):
    from datetime import timedelta

    from gridgov.public import report_web

    from .resident import report

    no = report(anonymous, app, inside(db, places.grid), db=db, phone=PHONE).json()["case_no"]
    later = utc_now() + timedelta(seconds=61)  # the phone's next code, a minute on
    monkeypatch.setattr(report_web, "utc_now", lambda: later)
    page = anonymous.get("/track", headers=HTML)
    assert "凭手机号和短信验证码" in page.text  # demo mode: the development sink is the channel
    sent = anonymous.post("/track/phone", data={"csrf_token": _hidden(page.text, "csrf_token"), "phone": PHONE,
                                                "challenge_token": _hidden(page.text, "challenge_token"),
                                                "challenge_answer": solve(_question(page.text))}, headers=HTML)
    assert sent.status_code == 200 and "短信验证码已发送" in sent.text
    code = re.search(r"验证码 (\d{6})", last_sms(db, "sms_code").text).group(1)
    found = anonymous.post("/track/phone", data={"csrf_token": _hidden(page.text, "csrf_token"), "phone": PHONE,
                                                 "sms_code": code}, headers=HTML)
    assert found.status_code == 200 and no in found.text and "已收到上报" in found.text and PHONE not in found.text
