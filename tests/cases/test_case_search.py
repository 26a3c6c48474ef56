"""Finding cases (issue 14, item 3): ``GET /api/v1/cases`` searches, filters and pages inside the
caller's jurisdiction, on both databases, and its export writes the same rows as a safe .xlsx."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from gridgov.accounts.demo import demo_places
from gridgov.kit.clock import local, utc_now
from gridgov.models import Case, CaseClock

CITY = "321100000000"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def _category(client) -> str:
    return client.get("/api/v1/case-categories").json()[0]["code"]


def _report(client, grid, title, **extra) -> str:
    body = {"title": title, "category": extra.pop("category", None) or _category(client), "source": "patrol",
            "grid_code": grid, "address": extra.pop("address", "解放路 12 号"), **extra}
    r = client.post("/api/v1/cases", json=body)
    assert r.status_code == 201, r.text
    return r.json()["case_no"]


def _found(client, **params) -> dict:
    r = client.get("/api/v1/cases", params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"items", "total", "page", "page_size"}
    return body


def _nos(body: dict) -> set[str]:
    return {c["case_no"] for c in body["items"]}


@pytest.fixture
def cases(client_as, places):
    """Four cases in the demo grid (town A) and one with the same words in grid2 (another county)."""
    worker, worker2 = client_as("worker"), client_as("worker2")
    made = {
        "well": _report(worker, places.grid, "人行道井盖缺失", description="夜间有行人踩空的危险"),
        "lamp": _report(worker, places.grid, "路灯不亮", address="花园路井字巷 3 号", type="0101"),
        "percent": _report(worker, places.grid, "噪声超标 50%_夜间"),
        "plain": _report(worker, places.grid, "垃圾未清运", description="已堆放两天"),
        "other": _report(worker2, places.grid2, "人行道井盖缺失 50%_夜间", description="夜间有行人踩空的危险"),
    }
    return made


def test_q_finds_by_part_of_title_number_description_and_address_and_never_another_towns(client_as, cases):
    town = client_as("town_dispatcher")
    assert _nos(_found(town, q="井盖")) == {cases["well"]}
    assert _found(town, q="井盖")["total"] == 1  # grid2's case with the same title neither appears nor counts
    assert _nos(_found(town, q="踩空")) == {cases["well"]}  # description
    assert _nos(_found(town, q="井字巷")) == {cases["lamp"]}  # address
    assert _nos(_found(town, q=cases["plain"])) == {cases["plain"]}  # the whole number
    assert cases["plain"] in _nos(_found(town, q=cases["plain"][-14:]))  # part of it
    other = _found(client_as("worker2"), q=cases["well"])
    assert other["total"] == 0 and other["items"] == []
    assert _nos(_found(client_as("city_admin"), q="井盖")) == {cases["well"], cases["other"]}


def test_percent_and_underscore_are_literal_in_q(client_as, cases):
    town = client_as("town_dispatcher")
    assert _nos(_found(town, q="%")) == {cases["percent"]}
    assert _nos(_found(town, q="_")) == {cases["percent"]}
    assert _nos(_found(town, q="50%_")) == {cases["percent"]}
    assert _found(town, q="5_%")["total"] == 0


@pytest.mark.req("D7")
def test_each_filter_narrows_within_the_jurisdiction(client_as, places, cases, db):
    town, city = client_as("town_dispatcher"), client_as("city_admin")
    worker = client_as("worker")
    mine = {cases[k] for k in ("well", "lamp", "percent", "plain")}
    assert _nos(_found(town, page_size=200)) >= mine and cases["other"] not in _nos(_found(town, page_size=200))

    assert worker.post(f"/api/v1/cases/{cases['well']}/actions/escalate", json={}).status_code == 200
    assert _nos(_found(town, state="escalated")) == {cases["well"]}
    assert cases["well"] in _nos(_found(town, state="open")) and _found(town, state="done", q="井盖")["total"] == 0

    assert _nos(_found(city, grid=places.grid2)) == {cases["other"]}
    assert _nos(_found(city, area=places.town2)) == {cases["other"]}
    assert _nos(_found(city, area=places.town, q="井盖")) == {cases["well"]}
    assert _found(town, area=places.town2)["total"] == 0  # an area outside narrows to nothing, never widens

    assert town.post(f"/api/v1/cases/{cases['well']}/actions/accept", json={}).status_code == 200
    dept = client_as("dept_cg").get("/api/v1/auth/me").json()["department_code"]
    r = town.post(f"/api/v1/cases/{cases['well']}/actions/dispatch", json={"lead_department": dept})
    assert r.status_code == 200, r.text
    assert _nos(_found(town, department=dept)) == {cases["well"]}

    # type: the case type (事件类型), a 小类 or a 大类 standing for its 小类
    assert db.scalar(select(Case.type_code).where(Case.case_no == cases["lamp"])) == "0101"
    assert _nos(_found(town, type="0101", page_size=200)) == {cases["lamp"]}
    assert _nos(_found(town, type="01", page_size=200)) == {cases["lamp"]}
    assert _found(town, type="0102")["total"] == 0

    today = local(utc_now()).date()
    assert _nos(_found(town, **{"from": str(today), "to": str(today)}, page_size=200)) >= mine
    assert _found(town, **{"from": str(today + timedelta(days=1))})["total"] == 0
    assert _found(town, to=str(today - timedelta(days=1)), q="井盖")["total"] == 0

    case_id = db.scalar(select(Case.id).where(Case.case_no == cases["plain"]))
    db.execute(update(CaseClock).where(CaseClock.case_id == case_id, CaseClock.stopped_at.is_(None))
               .values(due_at=utc_now() - timedelta(hours=1)))
    db.commit()
    assert cases["plain"] in _nos(_found(town, overdue="true", page_size=200))
    late = _found(town, overdue="true", page_size=200)["total"]
    on_time = _found(town, overdue="false", page_size=200)["total"]
    assert late + on_time == _found(town, page_size=200)["total"]
    assert cases["plain"] not in _nos(_found(town, overdue="false", page_size=200))


def test_pages_count_the_whole_match_and_are_bounded(client_as, cases):
    town = client_as("town_dispatcher")
    everything = _found(town, page_size=200)
    first = _found(town, page_size=2)
    assert first["total"] == everything["total"] >= 4 and len(first["items"]) == 2
    assert first["page"] == 1 and first["page_size"] == 2
    seen = []
    for n in range(1, -(-first["total"] // 2) + 1):
        seen += [c["case_no"] for c in _found(town, page_size=2, page=n)["items"]]
    assert seen == [c["case_no"] for c in everything["items"]]  # every case once, newest first
    beyond = _found(town, page_size=2, page=10_000)
    assert beyond["items"] == [] and beyond["total"] == everything["total"]
    for bad in ({"page_size": 0}, {"page_size": 201}, {"page": 0}, {"page": 10**12}):
        assert town.get("/api/v1/cases", params=bad).status_code == 422


@pytest.mark.parametrize("params", [
    {"state": "nonsense"}, {"grid": "12ab"}, {"area": "321102"}, {"area": "000000000000"}, {"type": "a b"},
    {"type": "9999"},
    {"department": "x;drop"}, {"from": "2026-13-01"}, {"to": "yesterday"}, {"overdue": "maybe"},
    {"from": "2026-03-02", "to": "2026-03-01"}, {"q": "长" * 101},
])
def test_a_bad_filter_is_a_chinese_422(client_as, params):
    r = client_as("town_dispatcher").get("/api/v1/cases", params=params)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "invalid" and any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])
    assert client_as("town_dispatcher").get("/api/v1/cases/export.xlsx", params=params).status_code == 422


def test_the_export_writes_the_same_cases_masked_and_formula_safe(client_as, places, cases):
    worker, town = client_as("worker"), client_as("town_dispatcher")
    formula = _report(worker, places.grid, "=HYPERLINK(\"http://x\",\"y\")", address="+1 号",
                      reporter_name="赵六", reporter_phone="13812345678")
    r = town.get("/api/v1/cases/export.xlsx", params={"q": "HYPERLINK"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    rows = list(wb["事件"].iter_rows(values_only=True))
    assert rows[0][0] == "事件编号" and [row[0] for row in rows[1:]] == [formula]
    row = rows[1]
    assert row[1] == "'=HYPERLINK(\"http://x\",\"y\")" and row[7] == "'+1 号"
    assert "13812345678" not in str(rows) and row[-1] == "138****5678" and "赵六" not in str(rows)
    assert all(wb["事件"].cell(row=2, column=i).data_type == "s" for i in (2, 8))

    every = load_workbook(io.BytesIO(town.get("/api/v1/cases/export.xlsx").content))
    exported = {row[0] for row in list(every["事件"].iter_rows(values_only=True))[1:]}
    listed = _found(town, page_size=200)
    assert exported == _nos(listed) and cases["other"] not in exported
    about = dict(list(every["说明"].iter_rows(values_only=True)))
    assert about["符合条件的事件"] == listed["total"]
