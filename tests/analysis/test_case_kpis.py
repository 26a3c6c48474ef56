"""Every KPI of docs/kpi.md and every grouping of ``GET /api/v1/stats/cases`` against values
worked out by hand (tests/analysis/scenario.py), on both databases; each group's ``cases_url``
(and its ``kpi=`` links) lists exactly the cases the figure counts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gridgov.calendar import load_work_calendar
from gridgov.cases import facts_store
from gridgov.cases.categories import category_choices
from gridgov.cases.sweep import sweep
from gridgov.models import Area, Case, Department, Grid
from gridgov.models.analysis import FACT_COUNTERS, FACT_DURATIONS, CaseFact

from .scenario import CHECK_AT, DAYS, EXPECTED, FROM, TO, Desk, a_type, build

pytestmark = pytest.mark.req("G1")


@pytest.fixture
def built(db, tmp_path):
    desk = Desk(db, tmp_path / "media")
    other = next(c["code"] for c in category_choices(db, desk.places.grid, FROM, desk.profile)
                 if c["code"] != "zj12_02")
    type_code = a_type(desk.profile)
    numbers = build(desk, other, type_code)
    return desk, numbers, other, type_code


def _fact(db, case_no: str) -> CaseFact:
    return db.scalar(select(CaseFact).join(Case, Case.id == CaseFact.case_id).where(Case.case_no == case_no))


def _sum(letters) -> dict[str, int]:
    return {c: sum(EXPECTED[x][c] for x in letters) for c in FACT_COUNTERS}


def test_each_case_fact_row_is_what_its_file_says(built, db):
    desk, numbers, _other, _type = built
    db.flush()
    # before the sweep: I's report clock ran out on 11-03 but nothing has marked it yet
    assert _fact(db, numbers["I"]).overdue == 0
    sweep(db, CHECK_AT)
    db.expire_all()
    for letter, case_no in numbers.items():
        fact = _fact(db, case_no)
        got = {c: getattr(fact, c) for c in FACT_COUNTERS}
        assert got == EXPECTED[letter], letter
        assert tuple(getattr(fact, d) for d in FACT_DURATIONS) == DAYS[letter], letter
    assert _fact(db, numbers["B"]).department_code == desk.dept("dept_cg")  # the last lead
    assert _fact(db, numbers["J"]).worker_id == desk.user_id("worker")  # verified by the worker
    assert _fact(db, numbers["F"]).worker_id is None and _fact(db, numbers["I"]).worker_id == desk.user_id("worker2")
    assert str(_fact(db, numbers["E"]).reported_day) == "2026-09-30"
    # every stored row is a fresh derivation at the check
    ids = [desk.case(n).id for n in numbers.values()]
    fresh = facts_store.derive_cases(db, [desk.case(n) for n in numbers.values()], CHECK_AT, load_work_calendar(db))
    for case_id in ids:
        stored = facts_store.row_of(db.get(CaseFact, case_id))
        assert {k: stored[k] for k in fresh[case_id]} == fresh[case_id]


def _stats(client, **params):
    query = {"from": FROM.isoformat(), "to": TO.isoformat(), **params}
    r = client.get("/api/v1/stats/cases", params=query)
    assert r.status_code == 200, r.text
    return r.json()


def _listed(client, url: str) -> set[str]:
    r = client.get(f"{url}&page_size=200")  # httpx's params= would replace the link's query
    assert r.status_code == 200, (url, r.text)
    body = r.json()
    assert body["total"] == len(body["items"])
    return {c["case_no"] for c in body["items"]}


def test_stats_by_every_grouping_match_the_hand_values_and_list_their_cases(built, db, client_as):
    desk, numbers, other, type_code = built
    sweep(db, CHECK_AT)
    db.flush()
    p = desk.places
    cg, worker, worker2 = desk.dept("dept_cg"), desk.user_id("worker"), desk.user_id("worker2")
    everyone = set(numbers)
    in_grid = everyone - {"I"}
    expected_groups = {
        "area": {p.county: in_grid, p.county2: {"I"}},
        "grid": {p.grid: in_grid, p.grid2: {"I"}},
        "type": {type_code: {"A"}, "none": everyone - {"A"}},
        "matter": {"zj12_02": everyone - {"C", "H"}, other: {"C", "H"}},
        "department": {cg: {"A", "B", "C", "D", "E", "H"}, "none": {"F", "G", "I", "J"}},
        "worker": {str(worker): everyone - {"F", "I"}, str(worker2): {"I"}, "none": {"F"}},
        "month": {"2026-09": {"E"}, "2026-11": everyone - {"E"}},
    }
    client = client_as("city_admin")
    for group_by, groups in expected_groups.items():
        answer = _stats(client, group_by=group_by)
        items = {i["key"]: i for i in answer["items"] if i["reported"]}
        assert set(items) == set(groups), group_by
        for key, letters in groups.items():
            item = items[key]
            want = _sum(letters)
            assert {c: item[c] for c in FACT_COUNTERS} == want, (group_by, key)
            assert item["name"], (group_by, key)
            cases = {numbers[x] for x in letters}
            assert _listed(client, item["cases_url"]) == cases, (group_by, key)
            for counter in FACT_COUNTERS:
                counted = {numbers[x] for x in letters if EXPECTED[x][counter]}
                assert _listed(client, f"{item['cases_url']}&kpi={counter}") == counted, (group_by, key, counter)
        assert {c: answer["totals"][c] for c in FACT_COUNTERS} == _sum(everyone)
    names = {i["key"]: i["name"] for i in _stats(client, group_by="month")["items"]}
    assert names["2026-11"] == "2026-11"
    by_dept = {i["key"]: i["name"] for i in _stats(client, group_by="department")["items"]}
    assert by_dept[cg] == db.scalar(select(Department.name).where(Department.code == cg))
    assert by_dept["none"] == "未分派"
    by_area = {i["key"]: i["name"] for i in _stats(client, group_by="area")["items"]}
    assert by_area[p.county] == db.scalar(select(Area.name).where(Area.code == p.county))
    by_grid = {i["key"]: i["name"] for i in _stats(client, group_by="grid")["items"]}
    assert by_grid[p.grid] == db.scalar(select(Grid.name).where(Grid.code == p.grid))
    by_worker = {i["key"]: i["name"] for i in _stats(client, group_by="worker")["items"]}
    assert by_worker[str(worker)] == "张网格" and by_worker["none"] == "无网格员"

    totals = _stats(client, group_by="area")["totals"]
    # every counter's drill-down over the whole set
    for counter in FACT_COUNTERS:
        counted = {numbers[x] for x in everyone if EXPECTED[x][counter]}
        assert _listed(client, f"{totals['cases_url']}&kpi={counter}") == counted, counter
    # accurate dispatch: dispatched and never returned, 5 of 6
    assert _listed(client, f"{totals['cases_url']}&kpi=dispatched,-returned") == {
        numbers[x] for x in ("A", "C", "D", "E", "H")}
    # the rates, by hand
    assert totals["valid_rate"] == round(8 / 10, 4)
    assert totals["verified_on_time_rate"] == round(8 / 9, 4)  # J verified late; F never verified
    assert totals["accurate_dispatch_rate"] == round(5 / 6, 4)
    assert totals["handled_on_time_rate"] == round(5 / 6, 4)  # E late across National Day
    assert totals["closure_rate"] == round(5 / 8, 4)  # A B C E H of the 8 valid
    assert totals["closed_on_time_rate"] == round(4 / 5, 4)
    assert totals["rework_rate"] == round(1 / 6, 4)
    assert totals["extension_rate"] == round(1 / 6, 4)
    assert totals["satisfaction_rate"] == round(4 / 5, 4)  # 基本满意 counts as satisfied
    assert totals["overdue_rate"] == round(3 / 10, 4)
    assert totals["avg_verify_days"] == round(1 / 9, 2)  # J: 1 working day; 9 cases verified
    assert totals["avg_handle_days"] == round((2 + 1 + 2 + 1 + 6 + 6) / 6, 2)
    assert totals["avg_close_days"] == round((3 + 1 + 2 + 6 + 6) / 5, 2)

    # one level down from a county: its towns; the town's figures are the county's
    towns = _stats(client, group_by="area", area=p.county)
    busy = [i for i in towns["items"] if i["reported"]]
    assert [i["key"] for i in busy] == [p.town] and busy[0]["reported"] == 9
    assert len(towns["items"]) > 1 and all(i["name"] for i in towns["items"])  # every town, with or without cases
    assert _listed(client, busy[0]["cases_url"]) == {numbers[x] for x in in_grid}
    # a rate with nothing to divide is null
    empty = next(i for i in towns["items"] if not i["reported"])
    assert empty["valid_rate"] is None and empty["avg_close_days"] is None


def test_a_department_counts_the_cases_it_leads(built, db, client_as):
    desk, numbers, _other, _type = built
    db.flush()
    client = client_as("dept_cg")
    answer = _stats(client, group_by="department")
    assert [i["key"] for i in answer["items"]] == [desk.dept("dept_cg")]
    item = answer["items"][0]
    assert item["reported"] == 6 and item["returned"] == 1 and item["reworked"] == 1
    assert _listed(client, item["cases_url"]) == {numbers[x] for x in "ABCDEH"}
    # dept_sc had B first but returned it: no figures for it
    assert _stats(client_as("dept_sc"), group_by="department")["items"] == []

