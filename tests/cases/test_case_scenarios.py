"""The scenarios of issue 4's "done when", each under the policy profile it comes from, on both databases.

The demo city is zhenjiang's, but every service takes the profile as an argument, so a scenario runs
under qinzhou's or jiangmen's rules either through an app built with that profile (its API) or by
calling the services with ``load_profile(name)`` at chosen instants (services take ``now``, which is
how a date such as 2026-09-30 is reached). Whatever a test writes is rolled back with ``db``.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.cases import actions, clocks, service
from gridgov.cases.schemas import CaseCreate
from gridgov.config import Settings
from gridgov.errors import Conflict, Forbidden, Invalid
from gridgov.kit.clock import SHANGHAI, utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models import (
    Case,
    CaseClock,
    CaseLogEntry,
    Instruction,
    Notification,
    User,
)
from gridgov.policy.loader import load_profile

from ..conftest import TEST_SECRET_KEY, token_for

CITY = "321100000000"


def at(*args: int) -> datetime:
    """A wall-clock instant in Asia/Shanghai."""
    return datetime(*args, tzinfo=SHANGHAI)


def end_of(year: int, month: int, day: int) -> datetime:
    """24:00 of a day as the calendar writes it (its last microsecond, +08:00)."""
    return datetime(year, month, day, 23, 59, 59, 999999, tzinfo=SHANGHAI)


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


# ---------------------------------------------------------------------------------------------
# Driving the services directly under one profile


class Desk:
    """The case services as the edge calls them, under one profile, at instants the test picks."""

    def __init__(self, db, profile_name: str, media_root) -> None:
        self.db = db
        self.profile = load_profile(profile_name)
        self.media_root = media_root
        self.cipher = FieldCipher(TEST_SECRET_KEY)

    def who(self, username: str) -> Principal:
        user = self.db.scalar(select(User).where(User.username == username))
        return Principal(user_id=user.id, username=user.username, display_name=user.display_name,
                         role=user.role, scope_code=user.scope_code, department_code=user.department_code)

    def dept(self, username: str) -> str:
        return self.db.scalar(select(User.department_code).where(User.username == username))

    def report(self, username: str, grid: str, *, now: datetime, **extra: Any) -> str:
        data = CaseCreate(title="占道经营堵塞通道", category=extra.pop("category", "zj12_02"), source="patrol",
                          grid_code=grid, address="中山路 8 号", **extra)
        case = service.create_case(self.db, self.who(username), data, now=now, profile=self.profile,
                                   cipher=self.cipher, media_root=self.media_root).case
        return case.case_no

    def act(self, username: str, case_no: str, action: str, *, now: datetime, **payload: Any) -> Case:
        return actions.act(self.db, self.who(username), case_no, action, payload, now=now, profile=self.profile,
                           media_root=self.media_root)

    def case(self, case_no: str) -> Case:
        return self.db.scalar(select(Case).where(Case.case_no == case_no))

    def clock(self, case_no: str, kind: str) -> CaseClock:
        return self.db.scalar(select(CaseClock).where(CaseClock.case_id == self.case(case_no).id,
                                                      CaseClock.kind == kind))

    def summary(self, case_no: str, now: datetime) -> dict:
        """The ``clocks`` object of the case's JSON at ``now``."""
        rows = self.db.scalars(select(CaseClock).where(CaseClock.case_id == self.case(case_no).id)).all()
        return clocks.summary(list(rows), now)

    def log(self, case_no: str) -> list[CaseLogEntry]:
        return list(self.db.scalars(select(CaseLogEntry).where(CaseLogEntry.case_id == self.case(case_no).id)
                                    .order_by(CaseLogEntry.seq)))


@pytest.fixture
def qinzhou(db, tmp_path):
    return Desk(db, "qinzhou", tmp_path / "media")


@pytest.fixture
def zhenjiang(db, tmp_path):
    return Desk(db, "zhenjiang", tmp_path / "media")


def _dispatched(desk: Desk, grid: str, lead: str, *, now: datetime, **extra: Any) -> str:
    """A worker's case escalated, accepted and dispatched by the town, the last step at ``now``."""
    no = desk.report("worker", grid, now=now - timedelta(hours=2), **extra)
    desk.act("worker", no, "escalate", now=now - timedelta(minutes=90))
    desk.act("town_dispatcher", no, "accept", now=now - timedelta(hours=1))
    desk.act("town_dispatcher", no, "dispatch", now=now, lead_department=desk.dept(lead))
    return no


def _unchanged(desk: Desk, case_no: str, before: tuple) -> None:
    desk.db.expire_all()
    case = desk.case(case_no)
    assert (case.state, case.version, case.log_length, len(desk.log(case_no))) == before


def _snapshot(desk: Desk, case_no: str) -> tuple:
    case = desk.case(case_no)
    return case.state, case.version, case.log_length, len(desk.log(case_no))


# ---------------------------------------------------------------------------------------------
# ZJ: a worker escalates after 24 h and the report clock shows it late (ZJ§13)


def _report_api(client, grid: str, **extra: Any):
    body = {"title": "人行道井盖缺失", "category": "zj12_02", "source": "patrol", "grid_code": grid,
            "address": "解放路 12 号门口", **extra}
    r = client.post("/api/v1/cases", json=body)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.req("D2")
@pytest.mark.setting("cases.limits.report_hours")
def test_zj_escalating_more_than_24_hours_after_discovery_leaves_the_report_clock_overdue(client_as, places, db):
    limits = load_profile("zhenjiang").cases.limits
    assert (limits.report_hours, limits.urgent_report_minutes) == (24, 30)  # ZJ§13; urgent: local setting
    worker = client_as("worker")
    now = utc_now()
    cases = {
        "late": _report_api(worker, places.grid, discovered_at=(now - timedelta(hours=25)).isoformat()),
        "in_time": _report_api(worker, places.grid, discovered_at=(now - timedelta(hours=23)).isoformat()),
        "urgent_late": _report_api(worker, places.grid, urgency="urgent",
                                   discovered_at=(now - timedelta(minutes=31)).isoformat()),
    }
    late = cases["late"]
    assert late["clocks"]["report"]["status"] == "overdue"  # still running, already past its limit
    assert datetime.fromisoformat(late["clocks"]["report"]["due_at"]) == (
        datetime.fromisoformat(late["discovered_at"]) + timedelta(hours=24))  # calendar hours, not working days

    escalated = {}
    for key, case in cases.items():
        r = worker.post(f"/api/v1/cases/{case['case_no']}/actions/escalate", json={})
        assert r.status_code == 200, r.text
        escalated[key] = r.json()
    for key, final in (("late", "overdue"), ("in_time", "on_time"), ("urgent_late", "overdue")):
        report = escalated[key]["clocks"]["report"]
        assert escalated[key]["state"] == "escalated"
        assert report["stopped_at"] and report["status"] == final, (key, report)
        row = db.scalar(select(CaseClock).join(Case, Case.id == CaseClock.case_id)
                        .where(Case.case_no == cases[key]["case_no"], CaseClock.kind == "report"))
        assert row.final_status == final
        log = worker.get(f"/api/v1/cases/{cases[key]['case_no']}/log").json()
        assert log[-1]["action"] == "escalate" and log[-1]["data"]["report_clock"] == final
    # the acceptance clock now runs for the town, whatever the worker's delay
    assert escalated["late"]["clocks"]["acceptance"]["status"] == "on_time"


# ---------------------------------------------------------------------------------------------
# QZ: dispatched on 2026-09-30, due at the end of 2026-10-13 (QZ§17: five working days)


@pytest.mark.req("D3")
@pytest.mark.setting("cases.limits.handling_working_days")
def test_qz_handling_dispatched_on_30_september_is_due_at_the_end_of_13_october(qinzhou, places):
    """The 2026 notice (国办发明电〔2025〕7号): 10-01 … 10-07 off for National Day, Saturday 10-10 a
    swapped working day. Five working days after 09-30: 10-08, 10-09, 10-10 (Sat), 10-12, 10-13."""
    assert qinzhou.profile.cases.limits.handling_working_days == 5  # QZ§17 五个工作日内办理并答复
    now = at(2026, 9, 30, 10, 0)
    no = _dispatched(qinzhou, places.grid, "dept_cg", now=now)
    handling = qinzhou.clock(no, "handling")
    assert handling.due_at == end_of(2026, 10, 13)
    assert not handling.provisional
    assert handling.warn_at == end_of(2026, 10, 12)  # 80 % of five working days: the end of the fourth
    shown = qinzhou.summary(no, now)["handling"]
    assert shown["due_at"].isoformat() == "2026-10-13T23:59:59.999999+08:00" and shown["status"] == "on_time"

    assert qinzhou.summary(no, at(2026, 10, 7, 18, 0))["handling"]["status"] == "on_time"   # holiday
    assert qinzhou.summary(no, at(2026, 10, 10, 12, 0))["handling"]["status"] == "on_time"  # swapped Saturday
    assert qinzhou.summary(no, at(2026, 10, 13, 9, 0))["handling"]["status"] == "warning"
    assert qinzhou.summary(no, end_of(2026, 10, 13))["handling"]["status"] == "warning"
    assert qinzhou.summary(no, at(2026, 10, 14, 0, 0))["handling"]["status"] == "overdue"

    qinzhou.act("dept_cg", no, "sign", now=at(2026, 10, 8, 9, 0))
    qinzhou.act("dept_cg", no, "handle", now=at(2026, 10, 13, 17, 0), result="已清理占道摊点")
    assert qinzhou.clock(no, "handling").final_status == "on_time"
    assert qinzhou.summary(no, at(2026, 10, 20, 9, 0))["handling"]["status"] == "on_time"  # kept once stopped


@pytest.mark.req("D4")
@pytest.mark.setting("cases.dispute_settled_by")
def test_qz_a_dispute_is_decided_by_the_level_above(qinzhou, places, db):
    """QZ's profile says ``agency_above``: the county agency decides, the town that raised it may not."""
    assert qinzhou.profile.cases.dispute_settled_by == "agency_above"
    now = at(2026, 11, 2, 9, 0)
    no = _dispatched(qinzhou, places.grid, "dept_cg", now=now)
    qinzhou.act("dept_cg", no, "return", now=now + timedelta(hours=1), reason="占道经营属市场监管职责")
    qinzhou.act("town_dispatcher", no, "raise_dispute", now=now + timedelta(hours=2), reason="部门互相推诿")
    county = qinzhou.who("county_dispatcher")
    assert db.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == county.user_id,
                                                                          Notification.kind == "raise_dispute")) == 1
    before = _snapshot(qinzhou, no)
    with pytest.raises(Forbidden):
        qinzhou.act("town_dispatcher", no, "decide", now=now + timedelta(hours=3),
                    lead_department=qinzhou.dept("dept_sc"))
    _unchanged(qinzhou, no, before)
    case = qinzhou.act("county_dispatcher", no, "decide", now=now + timedelta(hours=3),
                       lead_department=qinzhou.dept("dept_sc"))
    assert case.state == "dispatched" and case.lead_department_code == qinzhou.dept("dept_sc")
    assert qinzhou.clock(no, "handling").started_at == now + timedelta(hours=3)
    qinzhou.act("dept_sc", no, "sign", now=now + timedelta(hours=4))
    assert qinzhou.case(no).state == "in_progress"


# ---------------------------------------------------------------------------------------------
# JM: lead plus assisting, return with reasons, re-dispatch, dispute, decision (JM§24)


@pytest.fixture
def jm_client_as(db_connection, tmp_path):
    """``jm_client_as("worker")``: a client of an app running under jiangmen's profile."""
    from fastapi.testclient import TestClient

    from gridgov.app import create_app

    settings = Settings(demo=True, database_url=str(db_connection.engine.url), profile="jiangmen",
                        var_dir=tmp_path, secret_key=TEST_SECRET_KEY)
    app = create_app(settings, engine=db_connection.engine)
    app.state.sessionmaker = app.state.write_sessionmaker = sessionmaker(
        bind=db_connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    clients = []

    def make(username: str):
        c = TestClient(app)
        c.headers["Authorization"] = f"Bearer {token_for(c, username)}"
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.mark.req("D4")
def test_jm_return_redispatch_dispute_and_decision_through_to_closed(jm_client_as, places, db):
    worker, town, county = jm_client_as("worker"), jm_client_as("town_dispatcher"), jm_client_as("county_dispatcher")
    cg, sc = jm_client_as("dept_cg"), jm_client_as("dept_sc")
    assert worker.get("/api/v1/health").json()["profile"] == "jiangmen"
    cg_code, sc_code = (db.scalar(select(User.department_code).where(User.username == u))
                        for u in ("dept_cg", "dept_sc"))
    no = _report_api(worker, places.grid,
                     category="zj12_02")["case_no"]  # the demo city's list governs whatever the profile

    def act(client, action, status=200, **body):
        r = client.post(f"/api/v1/cases/{no}/actions/{action}", json=body)
        assert r.status_code == status, r.text
        return r.json()

    act(worker, "escalate")
    act(town, "accept")
    case = act(town, "dispatch", lead_department=cg_code, assisting_departments=[sc_code])
    assert case["departments"]["lead"]["code"] == cg_code
    assert [d["code"] for d in case["departments"]["assisting"]] == [sc_code]
    act(sc, "return", 403, reason="不归我们管")  # only the lead's receiver may return it
    assert "理由" in act(cg, "return", 422)["detail"]  # JM§24: a return must give reasons
    returned = act(cg, "return", reason="油烟污染由生态环境部门负责，非城管职责")
    assert returned["state"] == "returned" and returned["clocks"]["handling"]["stopped_at"]

    case = act(town, "dispatch", lead_department=sc_code)  # re-dispatch to another lead
    lead = {"code": sc_code, "name": case["departments"]["lead"]["name"]}
    assert case["state"] == "dispatched" and case["departments"] == {"lead": lead, "assisting": []}
    assert "sign" not in cg.get(f"/api/v1/cases/{no}").json()["available_actions"]  # 城管 still reads its old case
    act(cg, "sign", 403)  # but is no longer its lead
    act(sc, "return", reason="餐饮油烟排放不属于市场监管职责")
    act(town, "raise_dispute", reason="两个部门均退回，职责不清")

    # The issue says "decision by the level above"; JM§24 says disputes are handled "由同级网格化
    #机构按照相关程序处置" and jiangmen's profile carries it as dispute_settled_by = same_level_agency.
    # The profile wins: the county (the level above) is refused, the town agency decides. The
    # level-above decision is what qinzhou's profile (agency_above) asks for: see the QZ test.
    assert load_profile("jiangmen").cases.dispute_settled_by == "same_level_agency"
    assert "裁定" in act(county, "decide", 403, lead_department=cg_code)["detail"]
    decided = act(town, "decide", lead_department=cg_code, assisting_departments=[sc_code])
    assert decided["state"] == "dispatched" and decided["departments"]["lead"]["code"] == cg_code
    assert decided["clocks"]["handling"]["stopped_at"] is None

    act(sc, "comment", note="已安排执法人员配合检查")  # the assisting department adds notes
    act(sc, "sign", 403)
    act(cg, "sign")
    act(sc, "handle", 403, result="越权办结")  # assisting departments add notes, the lead handles
    act(cg, "handle", result="责令加装油烟净化设施，已整改")
    act(town, "check")
    closed = act(town, "feedback", evaluation="satisfied")
    assert closed["state"] == "closed"

    log = town.get(f"/api/v1/cases/{no}/log").json()
    assert [e["action"] for e in log] == ["create", "escalate", "accept", "dispatch", "return", "dispatch", "return",
                                          "raise_dispute", "decide", "comment", "sign", "handle", "check", "feedback"]
    assert [e["note"] for e in log if e["action"] == "return"] == [
        "油烟污染由生态环境部门负责，非城管职责", "餐饮油烟排放不属于市场监管职责"]
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(log))
    assert service.verify_files(db, no) == {}


# ---------------------------------------------------------------------------------------------
# Rework after a failed check; reopen after an unsatisfied evaluation (ZJ, the demo's profile)


def test_rework_after_a_failed_check_gives_a_fresh_handling_clock(zhenjiang, places):
    dispatched_at = at(2026, 11, 2, 9, 0)  # a Monday; no holiday in November 2026
    no = _dispatched(zhenjiang, places.grid, "dept_cg", now=dispatched_at)
    zhenjiang.act("dept_cg", no, "sign", now=at(2026, 11, 2, 10, 0))
    zhenjiang.act("dept_cg", no, "handle", now=at(2026, 11, 4, 16, 0), result="已劝离摊贩")
    assert zhenjiang.clock(no, "handling").final_status == "on_time"

    before = _snapshot(zhenjiang, no)
    with pytest.raises(Invalid, match="理由"):
        zhenjiang.act("town_dispatcher", no, "rework", now=at(2026, 11, 5, 10, 0))
    with pytest.raises(Forbidden):
        zhenjiang.act("dept_cg", no, "rework", now=at(2026, 11, 5, 10, 0), reason="自己返工")
    _unchanged(zhenjiang, no, before)

    reworked_at = at(2026, 11, 5, 10, 0)
    case = zhenjiang.act("town_dispatcher", no, "rework", now=reworked_at, reason="核查发现摊贩已回流")
    assert case.state == "in_progress" and case.rework_count == 1
    clock = zhenjiang.clock(no, "handling")
    assert clock.started_at == reworked_at and clock.stopped_at is None and clock.final_status is None
    assert clock.due_at == end_of(2026, 11, 12)  # five working days after Thu 11-05: 06, 09, 10, 11, 12
    entry = zhenjiang.log(no)[-1]
    assert (entry.action, entry.from_state, entry.to_state, entry.note) == ("rework", "handled", "in_progress",
                                                                            "核查发现摊贩已回流")
    assert entry.data["previous_handling_clock"]["final_status"] == "on_time"

    zhenjiang.act("dept_cg", no, "handle", now=at(2026, 11, 9, 15, 0), result="设置隔离设施，每日巡查")
    case = zhenjiang.act("town_dispatcher", no, "check", now=at(2026, 11, 10, 9, 0))
    assert case.state == "resolved" and case.rework_count == 1
    assert zhenjiang.clock(no, "feedback").stopped_at is None
    assert service.verify_files(zhenjiang.db, no) == {}


def _closed(desk: Desk, grid: str, evaluation: str, *, now: datetime) -> str:
    no = _dispatched(desk, grid, "dept_cg", now=now)
    desk.act("dept_cg", no, "sign", now=now + timedelta(hours=1))
    desk.act("dept_cg", no, "handle", now=now + timedelta(hours=5), result="已处理")
    desk.act("town_dispatcher", no, "check", now=now + timedelta(hours=6))
    desk.act("town_dispatcher", no, "feedback", now=now + timedelta(hours=7), evaluation=evaluation)
    return no


@pytest.mark.req("D6")
def test_reopen_after_an_unsatisfied_evaluation(zhenjiang, places):
    closed_at = at(2026, 11, 2, 16, 0)
    no = _closed(zhenjiang, places.grid, "unsatisfied", now=closed_at - timedelta(hours=7))
    assert zhenjiang.case(no).state == "closed" and zhenjiang.case(no).evaluation == "unsatisfied"

    before = _snapshot(zhenjiang, no)
    with pytest.raises(Invalid, match="理由"):
        zhenjiang.act("town_dispatcher", no, "reopen", now=closed_at + timedelta(days=1))
    with pytest.raises(Forbidden):
        zhenjiang.act("worker", no, "reopen", now=closed_at + timedelta(days=1), reason="群众不满意")
    _unchanged(zhenjiang, no, before)

    reopened_at = closed_at + timedelta(days=1)
    case = zhenjiang.act("town_dispatcher", no, "reopen", now=reopened_at, reason="群众反映摊贩仍在")
    assert case.state == "in_progress" and case.evaluation is None and case.closed_at is None
    handling = zhenjiang.clock(no, "handling")
    assert handling.started_at == reopened_at and handling.stopped_at is None  # the department starts over
    assert zhenjiang.log(no)[-1].data["previous_evaluation"] == "unsatisfied"
    zhenjiang.act("dept_cg", no, "handle", now=reopened_at + timedelta(hours=3), result="再次清理并加装护栏")
    zhenjiang.act("town_dispatcher", no, "check", now=reopened_at + timedelta(hours=4))
    case = zhenjiang.act("town_dispatcher", no, "feedback", now=reopened_at + timedelta(hours=5),
                         evaluation="satisfied")
    assert case.state == "closed"
    assert service.verify_files(zhenjiang.db, no) == {}


def test_reopen_may_send_the_case_back_to_the_agency_and_needs_an_unsatisfied_evaluation(zhenjiang, places):
    closed_at = at(2026, 11, 2, 16, 0)
    unsatisfied = _closed(zhenjiang, places.grid, "unsatisfied", now=closed_at - timedelta(hours=7))
    case = zhenjiang.act("town_dispatcher", unsatisfied, "reopen", now=closed_at + timedelta(hours=1),
                         reason="需重新研究处置方案", to="accepted")
    assert case.state == "accepted"

    satisfied = _closed(zhenjiang, places.grid, "satisfied", now=closed_at - timedelta(hours=7))
    before = _snapshot(zhenjiang, satisfied)
    with pytest.raises(Conflict, match="不满意"):
        zhenjiang.act("town_dispatcher", satisfied, "reopen", now=closed_at + timedelta(hours=1), reason="再看看")
    _unchanged(zhenjiang, satisfied, before)

    late = _closed(zhenjiang, places.grid, "unsatisfied", now=closed_at - timedelta(hours=7))
    window = timedelta(days=zhenjiang.profile.cases.limits.reopen_days)
    with pytest.raises(Conflict, match="期限"):
        zhenjiang.act("town_dispatcher", late, "reopen", now=closed_at + window + timedelta(hours=1),
                      reason="过了很久才想起来")


# ---------------------------------------------------------------------------------------------
# A department cannot send an instruction (D9, ZJ§10, JM§23: it asks the agency instead)


@pytest.mark.req("D9")
def test_a_department_trying_to_send_an_instruction_is_refused(client_as, places, db):
    """A department's attempt is refused with a message that sends it to the agency; nothing is sent."""
    dept = client_as("dept_cg")
    before = db.scalar(select(func.count()).select_from(Instruction))
    r = dept.post("/api/v1/instructions", json={
        "kind": "work_order", "grid_code": places.grid, "title": "排查沿街商铺消防隐患", "category": "fire_hazard",
        "content": "请网格员逐户排查灭火器配备情况", "due_at": (utc_now() + timedelta(days=3)).isoformat(),
    })
    assert r.status_code == 403, r.text
    assert "申请" in r.json()["detail"] and "机构" in r.json()["detail"]
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Instruction)) == before
