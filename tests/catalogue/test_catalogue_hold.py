"""The hold of the list of grid work on cases and instructions (issue 5 item 5; C2, D9; ZJ§8, JS§16,
QZ§14): once a list governs a place, cases and instructions name matters in force there; work off
the list or on the negative list never reaches grid staff; a worker may refuse sent work that left
the list, with the reason recorded; and a matter's own time limits drive the case's clocks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.calendar import load_work_calendar
from gridgov.cases.limits import limits_for
from gridgov.catalogue import lookup
from gridgov.errors import Conflict, Forbidden, Invalid
from gridgov.instructions import service as instructions
from gridgov.kit.clock import local, utc_now
from gridgov.models import (
    AuditEntry,
    Case,
    CatalogueList,
    Instruction,
    ListVersion,
    Matter,
    Notification,
    User,
)
from gridgov.policy.loader import load_profile

CITY = "321100000000"


# ---------------------------------------------------------------- a small catalogue, made directly


def _list(db, area: str, kind: str) -> CatalogueList:
    """The list of ``kind`` kept by ``area`` (the demo may already have one: reuse it)."""
    found = db.scalar(select(CatalogueList).where(CatalogueList.area_code == area, CatalogueList.kind == kind))
    if found is None:
        found = CatalogueList(area_code=area, kind=kind, name=f"测试{kind}清单", current_version=0,
                              created_at=utc_now())
        db.add(found)
        db.flush()
    return found


def _matter(db, lst: CatalogueList, code: str, name: str, **extra) -> Matter:
    now = utc_now()
    m = Matter(list_id=lst.id, code=code, name=name, status=extra.pop("status", "in_force"),
               admitted_on=local(now).date() - timedelta(days=30), created_at=now, updated_at=now, **extra)
    db.add(m)
    db.flush()
    return m


def _publish(db, lst: CatalogueList) -> None:
    lst.current_version += 1
    now = utc_now()
    snapshot = [{"code": m.code, "name": m.name} for m in db.scalars(
        select(Matter).where(Matter.list_id == lst.id, Matter.status == "in_force").order_by(Matter.code))]
    db.add(ListVersion(list_id=lst.id, number=lst.current_version, published_on=local(now).date(), published_at=now,
                       summary="测试发布", snapshot=snapshot))
    db.flush()


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


@pytest.fixture
def catalogue(db, places):
    return make_catalogue(db, places)


def make_catalogue(db, places) -> dict[str, Matter]:
    """The city's basic list (patrol, a matter with its own limits, one exited, one temporary item
    already past its end date), its negative list, and a list of the second county."""
    today = local(utc_now()).date()
    basic, negative, county2 = _list(db, CITY,
                                     "basic"), _list(db, CITY, "negative"), _list(db, places.county2, "admission")
    m = {
        "patrol": _matter(db, basic, "hold_patrol", "网格巡查走访"),
        "quick": _matter(db, basic, "hold_quick", "安全隐患排查上报",
                         limits={"handling_working_days": 3, "accept_working_days": 1}),
        "gone": _matter(db, basic, "hold_gone", "已退出的事项", status="exited", exited_on=today - timedelta(days=1)),
        "lapsed": _matter(db, basic, "hold_lapsed", "过期的临时事项", temporary_until=today - timedelta(days=1)),
        "negative": _matter(db, negative, "hold_fine", "占道经营罚款"),
        "county2": _matter(db, county2, "hold_c2", "二区的准入事项"),
    }
    for lst in (basic, negative, county2):
        _publish(db, lst)
    return m


def _who(db, username: str) -> Principal:
    user = db.scalar(select(User).where(User.username == username))
    return Principal(user_id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                     scope_code=user.scope_code, department_code=user.department_code)


def _told(db, username, kind):
    uid = db.scalar(select(User.id).where(User.username == username))
    return db.scalars(select(Notification.message).where(Notification.user_id == uid, Notification.kind == kind)).all()


def _instruction(grid, category, **extra):
    return {"kind": "work_order", "grid_code": grid, "title": "排查沿街商铺消防隐患",
            "content": "中山路沿线商铺逐户排查",
            "category": category, "due_at": (utc_now() + timedelta(days=2)).isoformat(), **extra}


def _count(db, model):
    return db.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- categories and intake


@pytest.mark.setting("cases.categories")
def test_categories_switch_to_the_matters_in_force_when_a_list_exists(client_as, db, places, app):
    worker, worker2 = client_as("worker"), client_as("worker2")
    if not lookup.has_catalogue(db, places.grid):  # the demo may ship a starter list already
        profile = app.state.profile
        assert worker.get("/api/v1/case-categories").json() == [
            {"code": c.code, "name": c.name} for c in profile.cases.categories]

    make_catalogue(db, places)
    mine = {c["code"] for c in worker.get("/api/v1/case-categories").json()}
    assert {"hold_patrol", "hold_quick"} <= mine
    assert not mine & {"hold_gone", "hold_lapsed", "hold_fine", "hold_c2", "city_order"}
    theirs = {c["code"] for c in worker2.get("/api/v1/case-categories").json()}
    assert {"hold_patrol", "hold_c2"} <= theirs  # the second county's own list governs worker2's grid
    city_wide = {c["code"] for c in client_as("city_admin").get("/api/v1/case-categories").json()}
    assert "hold_patrol" in city_wide and "hold_c2" not in city_wide
    asked = client_as("city_admin").get("/api/v1/case-categories", params={"place": places.grid2}).json()
    assert "hold_c2" in {c["code"] for c in asked}
    assert client_as("city_admin").get("/api/v1/case-categories", params={"place": "abc"}).status_code == 422


def test_intake_names_a_matter_in_force_at_the_case_grid(client_as, db, places, catalogue):
    worker = client_as("worker")
    before = _count(db, Case)
    body = {"title": "人行道井盖缺失", "source": "patrol", "grid_code": places.grid, "address": "解放路 12 号门口"}
    for code in ("city_management", "hold_gone", "hold_lapsed", "hold_c2"):
        r = worker.post("/api/v1/cases", json={**body, "category": code})
        assert r.status_code == 422, (code, r.text)
        assert "hold_patrol（网格巡查走访）" in r.json()["detail"]  # the message names the choices
    negative = worker.post("/api/v1/cases", json={**body, "category": "hold_fine"})
    assert negative.status_code == 422 and "负面清单" in negative.json()["detail"]
    assert _count(db, Case) == before

    r = worker.post("/api/v1/cases", json={**body, "category": "hold_patrol"})
    assert r.status_code == 201, r.text
    assert db.scalar(select(Case.category).where(Case.case_no == r.json()["case_no"])) == "hold_patrol"


# ---------------------------------------------------------------- instructions


@pytest.mark.req("C2", "B6")
def test_an_instruction_off_the_list_or_on_the_negative_list_is_not_sent(client_as, db, places, catalogue):
    town = client_as("town_dispatcher")
    before, told = _count(db, Instruction), _count(db, Notification)
    for code in ("city_order", "hold_gone", "hold_lapsed", "hold_c2"):
        r = town.post("/api/v1/instructions", json=_instruction(places.grid, code))
        assert r.status_code == 422, (code, r.text)
        assert "清单" in r.json()["detail"] and "ZJ§8" in r.json()["detail"] and "hold_patrol" in r.json()["detail"]
    r = town.post("/api/v1/instructions", json=_instruction(places.grid, "hold_fine"))
    assert r.status_code == 409 and "负面清单" in r.json()["detail"] and "ZJ§8" in r.json()["detail"]
    assert _count(db, Instruction) == before and _count(db, Notification) == told
    assert _told(db, "worker", "instruction_sent") == []

    r = town.post("/api/v1/instructions", json=_instruction(places.grid, "hold_patrol"))
    assert r.status_code == 201 and r.json()["category"] == "hold_patrol"


@pytest.mark.req("B6", "C4")
@pytest.mark.setting("catalogue.forbidden_power_types")
def test_a_matter_holding_an_administrative_power_is_not_sent_where_the_profile_forbids_it(db, places, catalogue):
    """LZ§15/JS§16: licensing, penalty and compulsion never go to grid staff (under JS here)."""
    catalogue["patrol"].power_type = "penalty"
    db.flush()
    data = instructions.InstructionCreate(**_instruction(places.grid, "hold_patrol"))
    with pytest.raises(Conflict) as refused:
        instructions.send_instruction(db, _who(db, "town_dispatcher"), data, now=utc_now(),
                                      profile=load_profile("jiangsu"))
    assert "行政处罚" in refused.value.message and "JS§16" in refused.value.message


@pytest.mark.req("C2", "D9")
def test_a_department_must_ask_for_a_listed_matter_and_approval_checks_it_again(client_as, db, places, catalogue):
    dept, town = client_as("dept_cg"), client_as("town_dispatcher")
    before = _count(db, Instruction)
    r = dept.post("/api/v1/instruction-requests", json=_instruction(places.grid, "city_order"))
    assert r.status_code == 422 and "清单" in r.json()["detail"]
    assert dept.post("/api/v1/instruction-requests", json=_instruction(places.grid, "hold_fine")).status_code == 409
    assert _count(db, Instruction) == before

    req = dept.post("/api/v1/instruction-requests", json=_instruction(places.grid, "hold_quick"))
    assert req.status_code == 201, req.text
    catalogue["quick"].status, catalogue["quick"].exited_on = "exited", local(utc_now()).date()
    db.flush()
    r = town.post(f"/api/v1/instructions/{req.json()['id']}/approve", json={})
    assert r.status_code == 422 and "清单" in r.json()["detail"]
    assert db.scalar(select(Instruction.status).where(Instruction.id == req.json()["id"])) == "requested"
    assert _told(db, "worker", "instruction_sent") == []


@pytest.mark.req("B6")
def test_a_worker_refuses_work_whose_matter_left_the_list_and_the_reason_is_recorded(client_as, db, places,
                                                                                      catalogue):
    town, worker = client_as("town_dispatcher"), client_as("worker")
    sent = town.post("/api/v1/instructions", json=_instruction(places.grid, "hold_patrol")).json()
    url = f"/api/v1/instructions/{sent['id']}/refuse"

    still = worker.post(url, json={"reason_kind": "off_list"})
    assert still.status_code == 409 and "仍在" in still.json()["detail"]
    not_allowed = worker.post(url, json={"reason_kind": "administrative_powers", "reason": "要求网格员罚款"})
    assert not_allowed.status_code == 422 and "off_list" in not_allowed.json()["detail"]  # ZJ§8: off the list only
    assert worker.post(url, json={"reason_kind": "nonsense"}).status_code == 422

    # The matter leaves the list after the work was sent (an approved exit).
    catalogue["patrol"].status, catalogue["patrol"].exited_on = "exited", local(utc_now()).date()
    db.flush()
    assert client_as("worker2").post(url, json={"reason_kind": "off_list"}).status_code == 404
    assert town.post(url, json={"reason": "机构不能替网格员拒绝"}).status_code == 409  # not a request to decide
    r = worker.post(url, json={"reason_kind": "off_list", "reason": "该事项已退出清单"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["status"] == "declined" and got["status_label"] == "网格员已拒绝"
    assert "ZJ§8" in got["result"] and "该事项已退出清单" in got["result"] and "超出事项清单" in got["result"]
    entry = db.scalar(select(AuditEntry).where(AuditEntry.object_type == "instruction",
                                               AuditEntry.action == "instruction_declined"))
    assert entry.after["reason_kind"] == "off_list" and entry.after["reason"] == "该事项已退出清单"
    assert entry.actor == "worker" and entry.after["basis"] == "ZJ§8"
    assert len(_told(db, "town_dispatcher", "instruction_declined")) == 1
    assert worker.get(f"/api/v1/instructions/{sent['id']}").json()["status"] == "declined"  # still visible to them
    assert worker.post(url, json={"reason_kind": "off_list"}).status_code == 409  # once only
    assert worker.post(f"/api/v1/instructions/{sent['id']}/complete", json={"result": "已办"}).status_code == 409
    assert worker.post(f"/api/v1/instructions/{sent['id']}/case", json={}).status_code == 409


@pytest.mark.req("B6")
@pytest.mark.setting("staff.may_refuse")
def test_under_qinzhou_a_temporary_item_past_its_end_date_may_be_refused(db, places, catalogue):
    """QZ§7 temporary admission ends at its end date; QZ§14 lets the worker refuse what is off the
    list, needs administrative powers or is unlawful."""
    profile, now = load_profile("qinzhou"), utc_now()
    today = local(now).date()
    catalogue["patrol"].temporary_until = today  # in force today, gone tomorrow
    db.flush()
    town, worker = _who(db, "town_dispatcher"), _who(db, "worker")
    data = instructions.InstructionCreate(**_instruction(places.grid, "hold_patrol",
                                                         due_at=(now + timedelta(days=5)).isoformat()))
    first = instructions.send_instruction(db, town, data, now=now, profile=profile)
    second = instructions.send_instruction(db, town, data, now=now, profile=profile)
    with pytest.raises(Conflict):  # still on the list today
        instructions.refuse_work(db, worker, first.id, instructions.InstructionRefusal(reason_kind="off_list"),
                                 now=now, profile=profile)
    later = now + timedelta(days=2)
    done = instructions.refuse_work(db, worker, first.id, instructions.InstructionRefusal(reason_kind="off_list"),
                                    now=later, profile=profile)
    assert done.status == "declined" and "QZ§14" in done.result and "已不在" in done.result
    with pytest.raises(Invalid):  # administrative powers: the worker must say what is asked
        instructions.refuse_work(db, worker, second.id,
                                 instructions.InstructionRefusal(reason_kind="administrative_powers"),
                                 now=now, profile=profile)
    done = instructions.refuse_work(db, worker, second.id, instructions.InstructionRefusal(
        reason_kind="administrative_powers", reason="要求网格员对商户作出罚款决定"), now=now, profile=profile)
    assert done.status == "declined" and "行政许可、行政处罚、行政强制等事项" in done.result


@pytest.mark.req("B6")
@pytest.mark.setting("staff.may_refuse")
def test_where_the_profile_lets_workers_refuse_nothing_the_refusal_is_forbidden(db, places, catalogue):
    profile, now = load_profile("luzhou"), utc_now()
    data = instructions.InstructionCreate(**_instruction(places.grid, "hold_patrol"))
    inst = instructions.send_instruction(db, _who(db, "town_dispatcher"), data, now=now, profile=profile)
    with pytest.raises(Forbidden):
        instructions.refuse_work(db, _who(db, "worker"), inst.id,
                                 instructions.InstructionRefusal(reason_kind="off_list"), now=now, profile=profile)
    assert db.get(Instruction, inst.id).status == "sent"


# ---------------------------------------------------------------- a matter's own limits


def test_a_matters_own_limits_drive_the_case_clocks(client_as, db, places, catalogue, app):
    worker, town = client_as("worker"), client_as("town_dispatcher")
    lead = db.scalar(select(User.department_code).where(User.username == "dept_cg"))
    profile_days = app.state.profile.cases.limits.handling_working_days
    assert profile_days != 3
    calendar = load_work_calendar(db)

    def dispatched(category):
        no = worker.post("/api/v1/cases", json={"title": "消防通道堵塞", "category": category, "source": "patrol",
                                               "grid_code": places.grid, "address": "中山路 8 号"}).json()["case_no"]
        escalated = worker.post(f"/api/v1/cases/{no}/actions/escalate", json={}).json()
        town.post(f"/api/v1/cases/{no}/actions/accept", json={})
        case = town.post(f"/api/v1/cases/{no}/actions/dispatch", json={"lead_department": lead}).json()
        assert case["state"] == "dispatched", case
        return escalated["clocks"]["acceptance"], case["clocks"]["handling"]

    def due(clock, days):
        expected = calendar.add_working_days(datetime.fromisoformat(clock["started_at"]), days).due_at
        return datetime.fromisoformat(clock["due_at"]) == expected

    accept, handling = dispatched("hold_quick")
    assert due(handling, 3) and due(accept, 1)
    _, plain = dispatched("hold_patrol")
    assert due(plain, profile_days) and not due(plain, 3)


def test_limits_for_lays_a_matters_limits_over_the_profiles():
    base = load_profile("zhenjiang").cases.limits
    assert limits_for(base, None) is base
    merged = limits_for(base, {"handling_working_days": 3})
    assert merged.handling_working_days == 3 and merged.feedback_working_days == base.feedback_working_days
    with pytest.raises(Invalid) as unknown:
        limits_for(base, {"handling_days": 3})
    assert "handling_days" in unknown.value.message and "handling_working_days" in unknown.value.message
    with pytest.raises(Invalid):
        limits_for(base, {"handling_working_days": 0})
    with pytest.raises(Invalid):
        limits_for(base, {"accept_urgent_hours": base.accept_working_days * 24 + 1})



@pytest.mark.req("B6")
def test_a_worker_declines_off_list_work_on_the_instruction_page(client_as, db, places, catalogue):
    """The instruction page offers the worker the refusals the profile allows and records one."""
    from ..cases.test_cases_pages import HTML

    town, worker = client_as("town_dispatcher"), client_as("worker")
    sent = town.post("/api/v1/instructions", json=_instruction(places.grid, "hold_patrol")).json()
    page = worker.get(f"/instructions/{sent['id']}", headers=HTML).text
    assert 'id="form-decline"' in page and "超出事项清单的事项" in page
    url = f"/instructions/{sent['id']}/refuse"
    still = worker.post(url, data={"reason_kind": "off_list", "reason": ""}, headers=HTML)
    assert still.status_code == 409 and "仍在" in still.text and 'id="form-decline"' in still.text

    catalogue["patrol"].status, catalogue["patrol"].exited_on = "exited", local(utc_now()).date()
    db.flush()
    r = worker.post(url, data={"reason_kind": "off_list", "reason": "已退出清单"},
                    headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    shown = worker.get(f"/instructions/{sent['id']}", headers=HTML).text
    assert "拒绝情况" in shown and "已退出清单" in shown and 'id="form-decline"' not in shown
