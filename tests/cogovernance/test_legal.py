"""Legal professionals in the grids (法律进网格, issue 18; ZJ§23, JS§22, QZ§17; requirement F1): a schedule and a
visit reach the grid's public board and the activity ledger; a case referred to a lawyer is visible to that lawyer
only, and its opinion goes into the case's file."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from gridgov.accounts.demo import demo_places
from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.scope import SYSTEM
from gridgov.kit.clock import local, utc_now
from gridgov.kit.recurrence import next_dates, occurrences
from gridgov.models import Case, Notification, User
from gridgov.models.cogovernance import CogovActivity
from gridgov.models.legal import LegalProfessional, LegalReferral, LegalVisit

pytestmark = pytest.mark.req("F1")
API = "/api/v1/cogovernance/legal"


def _first_tuesdays(start: date, count: int) -> list[date]:
    """Worked out by walking the calendar day by day, not by the module under test."""
    found, day = [], start
    while len(found) < count:
        if day.weekday() == 1 and day.day <= 7:
            found.append(day)
        day += timedelta(days=1)
    return found


def test_recurrence_rules():
    assert occurrences("monthly", start=date(2026, 12, 1), until=date(2027, 3, 31), weekday=1, nth=1) == [
        date(2026, 12, 1), date(2027, 1, 5), date(2027, 2, 2), date(2027, 3, 2)]
    assert occurrences("monthly", start=date(2026, 12, 1), until=date(2027, 1, 31), weekday=4, nth=-1) == [
        date(2026, 12, 25), date(2027, 1, 29)]
    assert occurrences("weekly", start=date(2026, 12, 2), until=date(2026, 12, 16), weekday=0) == [
        date(2026, 12, 7), date(2026, 12, 14)]
    assert next_dates("dates", today=date(2026, 12, 7), valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31),
                      dates=[date(2026, 12, 1), date(2026, 12, 20), date(2027, 1, 3)]) == [date(2026, 12, 20)]
    assert next_dates("monthly", today=date(2026, 12, 7), valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31),
                      weekday=1, nth=1) == []  # the first Tuesday of December is past, and the schedule ends


def test_a_lawyers_schedule_and_visit_reach_the_board_and_the_ledger(db, client_as, anonymous):
    places = demo_places(db, "321100000000")
    dispatcher, lawyer = client_as("town_dispatcher"), client_as("lawyer")
    today = local(utc_now()).date()
    # the agency registers a professional and attaches it to the demo grid: the first Tuesday of each month
    r = dispatcher.post(f"{API}/professionals", json={
        "name": "周检察官", "kind": "procuratorate", "institution": "区人民检察院", "public_phone": "0511-85559999",
        "area_code": places.town})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = dispatcher.post(f"{API}/professionals/{pid}/schedules", json={
        "area_code": places.grid, "rule": "monthly", "weekday": 1, "nth": 1, "hours": "9:00-11:00",
        "place": "社区党群服务中心", "valid_from": (today - timedelta(days=40)).isoformat()})
    assert r.status_code == 201, r.text
    assert r.json()["next_dates"] == [d.isoformat() for d in _first_tuesdays(today, 2)]
    assert r.json()["description"] == "每月第一个星期二"
    # a schedule that cannot be: refused in Chinese, nothing written
    r = dispatcher.post(f"{API}/professionals/{pid}/schedules", json={
        "area_code": places.grid, "rule": "monthly", "weekday": 9, "valid_from": today.isoformat()})
    assert r.status_code == 422
    r = dispatcher.post(f"{API}/professionals/{pid}/schedules", json={
        "area_code": places.grid2, "rule": "weekly", "weekday": 2, "valid_from": today.isoformat()})
    assert r.status_code == 404  # a grid of another county: outside the town's jurisdiction

    board = anonymous.get(f"/api/v1/public/boards/{places.grid}").json()
    legal = {row["name"]: row for row in board["legal"]}
    assert legal["周检察官"]["public_phone"] == "0511-85559999"
    assert legal["周检察官"]["kind_label"] == "检察院"
    assert legal["周检察官"]["next_dates"] == [d.isoformat() for d in _first_tuesdays(today, 2)]
    assert "赵律师" in legal and "孙法官" in legal  # the demo's: one on the grid, one on the whole town
    elsewhere = anonymous.get(f"/api/v1/public/boards/{places.grid2}").json()["legal"]
    assert "周检察官" not in {row["name"] for row in elsewhere}
    page = anonymous.get(f"/board/{places.grid}", headers={"accept": "text/html"})
    assert page.status_code == 200 and "周检察官" in page.text and "0511-85559999" in page.text

    # the agency's page does the same: a professional registered, listed dates on the village, shown on the board
    html = {"accept": "text/html"}
    r = dispatcher.post("/cogovernance/legal/professionals", headers=html, follow_redirects=False, data={
        "name": "钱警官", "kind": "police", "institution": "城东派出所", "public_phone": "110",
        "area_code": places.town})
    assert r.status_code == 422 and "公开联系电话" in r.text  # 110 is no office phone: refused, nothing written
    r = dispatcher.post("/cogovernance/legal/professionals", headers=html, follow_redirects=False, data={
        "name": "钱警官", "kind": "police", "institution": "城东派出所", "public_phone": "0511-85550110",
        "area_code": places.town})
    assert r.status_code == 303, r.text
    police = db.scalar(select(LegalProfessional.id).where(LegalProfessional.name == "钱警官"))
    on = [today + timedelta(days=9), today + timedelta(days=2)]
    r = dispatcher.post("/cogovernance/legal/schedules", headers=html, follow_redirects=False, data={
        "professional_id": str(police), "area_code": places.village, "rule": "dates",
        "dates": "，".join(d.isoformat() for d in on), "valid_from": today.isoformat()})
    assert r.status_code == 303, r.text
    page = dispatcher.get("/cogovernance/legal", headers=html).text
    assert "钱警官" in page and (today + timedelta(days=2)).isoformat() in page
    board = anonymous.get(f"/api/v1/public/boards/{places.grid}").json()
    police_row = next(row for row in board["legal"] if row["name"] == "钱警官")
    assert police_row["next_dates"] == sorted(d.isoformat() for d in on)

    # the lawyer records its own visit to the grid it serves: one more line of the ledger for that grid and month
    def counted() -> int:
        return db.scalar(select(func.count()).select_from(CogovActivity).where(
            CogovActivity.kind == "legal_visit", CogovActivity.area_code == places.grid,
            CogovActivity.occurred_on >= today.replace(day=1))) or 0

    before = counted()
    r = lawyer.post(f"{API}/mine/visits", json={"grid_code": places.grid, "visited_on": today.isoformat(),
                                                "services": ["consultation", "education"], "people_served": 12})
    assert r.status_code == 201, r.text
    assert r.json()["service_labels"] == ["法律咨询", "法治宣传"]
    assert counted() == before + 1
    visits = dispatcher.get(f"{API}/visits", params={"grid": places.grid, "from": today.isoformat()}).json()
    assert r.json()["id"] in {v["id"] for v in visits["items"]}
    # a grid it does not serve, or no service named: 4xx and nothing written
    n = db.scalar(select(func.count()).select_from(LegalVisit))
    assert lawyer.post(f"{API}/mine/visits", json={"grid_code": places.grid2, "visited_on": today.isoformat(),
                                                   "services": ["education"]}).status_code == 404
    assert lawyer.post(f"{API}/mine/visits", json={"grid_code": places.grid, "visited_on": today.isoformat(),
                                                   "services": []}).status_code == 422
    assert db.scalar(select(func.count()).select_from(LegalVisit)) == n
    assert counted() == before + 1
    # its own page lists its schedule
    page = lawyer.get("/cogovernance/legal/referrals", headers={"accept": "text/html"})
    assert page.status_code == 200 and "每月第一个星期二" in page.text


def test_a_referred_case_is_the_lawyers_and_no_one_elses(db, client_as, app):
    from fastapi.testclient import TestClient

    from ..conftest import token_for

    places = demo_places(db, "321100000000")
    worker, dispatcher, lawyer = client_as("worker"), client_as("town_dispatcher"), client_as("lawyer")
    zhao = db.scalar(select(LegalProfessional).where(LegalProfessional.user_id == select(User.id).where(
        User.username == "lawyer").scalar_subquery()))
    sun = db.scalar(select(LegalProfessional).where(LegalProfessional.name == "孙法官"))
    # another lawyer's account, linked to the demo's judge
    create_user(db, SYSTEM, UserCreate(username="lawyer_b", display_name="孙法官", password="Matrix-test-9931",
                                       role="legal_professional", scope_code=places.town, must_change_password=False),
                now=utc_now(), demo=True)
    db.flush()
    sun.user_id = db.scalar(select(User.id).where(User.username == "lawyer_b"))
    db.flush()
    other = TestClient(app)
    other.headers["Authorization"] = f"Bearer {token_for(other, 'lawyer_b', 'Matrix-test-9931')}"

    r = worker.post("/api/v1/cases", json={"title": "邻里漏水纠纷", "category": "zj12_02", "source": "patrol",
                                           "grid_code": places.grid, "address": "解放路 12 号",
                                           "next_action": "escalate"})
    assert r.status_code == 201, r.text
    no = r.json()["case_no"]
    assert lawyer.get(f"/api/v1/cases/{no}").status_code == 404  # not referred yet
    page = dispatcher.get(f"/cases/{no}", headers={"accept": "text/html"}).text
    assert 'id="act-refer_legal"' in page and "赵律师" in page  # the form offers who serves the grid
    # refused: nobody named, a professional serving elsewhere, a lawyer referring; nothing written
    assert dispatcher.post(f"/api/v1/cases/{no}/actions/refer_legal", json={"question": "?"}).status_code == 422
    assert dispatcher.post(f"/api/v1/cases/{no}/actions/refer_legal",
                           json={"professional": 999999, "question": "责任如何划分？"}).status_code == 422
    assert db.scalar(select(func.count()).select_from(LegalReferral)) == 0
    r = dispatcher.post(f"/api/v1/cases/{no}/actions/refer_legal",
                        json={"professional": zhao.id, "question": "楼上漏水的责任如何划分？"})
    assert r.status_code == 200, r.text
    state = r.json()["state"]
    todo = select(Notification).where(Notification.user_id == zhao.user_id, Notification.kind == "refer_legal")
    assert [n.done_at for n in db.scalars(todo)] == [None]  # the lawyer is told to answer

    # the lawyer sees it, its list holds it, its case page offers the opinion; the other lawyer sees nothing
    assert lawyer.get(f"/api/v1/cases/{no}").status_code == 200
    assert [x["case_no"] for x in lawyer.get(f"{API}/referrals").json()] == [no]
    assert no in lawyer.get("/cogovernance/legal/referrals", headers={"accept": "text/html"}).text
    page = lawyer.get(f"/cases/{no}", headers={"accept": "text/html"})
    assert page.status_code == 200 and 'id="act-legal_opinion"' in page.text
    assert 'id="act-refer_legal"' not in page.text
    assert other.get(f"/api/v1/cases/{no}").status_code == 404
    assert other.get(f"/cases/{no}", headers={"accept": "text/html"}).status_code == 404
    assert other.get(f"{API}/referrals").json() == []
    assert other.post(f"/api/v1/cases/{no}/actions/legal_opinion", json={"opinion": "x"}).status_code == 404
    assert lawyer.post(f"/api/v1/cases/{no}/actions/refer_legal",
                       json={"professional": zhao.id, "question": "?"}).status_code == 403
    # another case of the same grid stays hidden from the lawyer
    r = worker.post("/api/v1/cases", json={"title": "井盖缺失", "category": "zj12_02", "source": "patrol",
                                           "grid_code": places.grid, "address": "解放路 1 号"})
    assert lawyer.get(f"/api/v1/cases/{r.json()['case_no']}").status_code == 404
    assert lawyer.get("/api/v1/cases").json()["total"] == 1

    r = lawyer.post(f"/api/v1/cases/{no}/actions/legal_opinion",
                    json={"opinion": "依民法典第一千一百六十五条由楼上住户承担"})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == state  # the state stays
    assert lawyer.post(f"/api/v1/cases/{no}/actions/legal_opinion", json={"opinion": "再答"}).status_code == 409
    db.expire_all()
    assert all(n.done_at is not None for n in db.scalars(todo))  # answered: its to-do is done
    log = dispatcher.get(f"/api/v1/cases/{no}/log").json()
    steps = {e["action"]: e for e in log}
    assert "楼上漏水的责任如何划分？" in steps["refer_legal"]["note"]
    assert steps["refer_legal"]["data"]["professional"] == zhao.id
    assert "民法典第一千一百六十五条" in steps["legal_opinion"]["note"]
    referral = db.scalar(select(LegalReferral).where(LegalReferral.case_id == db.scalar(
        select(Case.id).where(Case.case_no == no))))
    db.refresh(referral)
    assert referral.opinion.startswith("依民法典") and referral.answered_at is not None
    assert lawyer.get(f"{API}/referrals").json()[0]["opinion"].startswith("依民法典")
    other.close()
