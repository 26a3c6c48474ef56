"""The early warnings on both databases: each kind raised (and not raised) from rows in the tables,
within the jurisdiction only, each warning's ``cases_url`` listing exactly the cases it counted, each
threshold of ``[warnings]`` read."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy import select

from gridgov.models import Grid

from ..registry.care_fixtures import days_ago, household, tag
from .warning_data import add_case, at, complaint, last_week, places, staff_of, today, user, weekly


@pytest.fixture
def town_grids(db):
    """The demo town's first three grids (the demo grid first) and worker2's grid in another county."""
    p = places(db)
    codes = list(db.scalars(select(Grid.code).where(Grid.code.startswith(p.town[:9]), Grid.code != p.grid)
                            .order_by(Grid.code).limit(2)))
    return [p.grid, *codes], p.grid2


def _warnings(client, **params) -> list[dict]:
    r = client.get("/api/v1/warnings", params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])
    return body["items"]


def _listed(client, url: str) -> set[str]:
    r = client.get(f"{url}&page_size=200")
    assert r.status_code == 200, r.text
    return {c["case_no"] for c in r.json()["items"]}


def _set(app, **values) -> None:
    profile = app.state.profile
    app.state.profile = profile.model_copy(update={"warnings": profile.warnings.model_copy(update=values)})


def _tail(count: int, mean: float) -> float:
    return 1.0 - sum(math.exp(-mean) * mean ** k / math.factorial(k) for k in range(count))


# ---------------------------------------------------------------- 1. weekly jumps


@pytest.mark.req("E4")
def test_a_grid_whose_week_jumps_above_its_baseline_is_warned_with_its_cases(db, client_as, town_grids):
    (jump, steady, new), far = town_grids
    weekly(db, jump, [1] * 8 + [8])        # baseline 1 a week, then 8
    weekly(db, steady, [3] * 8 + [6])      # 6 against 3 a week: within chance
    weekly(db, new, [0] * 8 + [9], history=False)  # no history: no alarm
    weekly(db, far, [1] * 8 + [8])         # another county
    assert _tail(8, 8.5 / 8) <= 0.001 < _tail(6, 24.5 / 8)  # what the default threshold decides, by hand

    town = client_as("town_dispatcher")
    found = _warnings(town, kind="grid_jump")
    assert [w["grid"] for w in found] == [jump]
    w = found[0]
    assert w["figures"]["count"] == 8 and w["figures"]["baseline"] == ",".join(["1"] * 8)
    assert "8 件" in w["explanation"] and w["key"] == f"week:grid:{jump}:{last_week().isoformat()}"
    assert len(_listed(town, w["cases_url"])) == 8  # exactly the week's cases of the grid

    assert {w["grid"] for w in _warnings(client_as("city_admin"), kind="grid_jump")} == {jump, far}
    assert {w["grid"] for w in _warnings(client_as("county_dispatcher"), kind="grid_jump")} == {jump}


def test_a_case_type_whose_week_jumps_is_warned_and_lists_its_cases(app, db, client_as, town_grids):
    (g1, g2, _), far = town_grids
    kinds = [t.code for t in app.state.case_types.types if not t.is_class]
    weekly(db, g1, [1] * 8 + [5], type_code=kinds[0])
    add_case(db, g2, at(last_week() + timedelta(days=2)), type_code=kinds[0])
    add_case(db, g2, at(last_week() + timedelta(days=3)), type_code=kinds[0])
    weekly(db, g2, [3] * 8 + [6], type_code=kinds[1])
    weekly(db, far, [0] * 8 + [20], type_code=kinds[1])  # another county's: not the town's
    town = client_as("town_dispatcher")
    found = _warnings(town, kind="type_jump")
    assert [w["type"] for w in found] == [kinds[0]]
    assert found[0]["figures"]["count"] == 7
    assert len(_listed(town, found[0]["cases_url"])) == 7
    assert {w["type"] for w in _warnings(client_as("city_admin"), kind="type_jump")} == {kinds[0], kinds[1]}


@pytest.mark.setting("warnings.baseline_weeks", "warnings.alarm_probability", "warnings.min_weekly_count")
def test_the_weekly_thresholds_are_read_from_the_profile(app, db, client_as, town_grids):
    (g1, g2, _), _far = town_grids
    weekly(db, g1, [1] * 8 + [8])
    weekly(db, g2, [1] * 6 + [8], history=False)  # six weeks of history only
    town = client_as("town_dispatcher")
    assert [w["grid"] for w in _warnings(town, kind="grid_jump")] == [g1]
    _set(app, baseline_weeks=5)
    assert [w["grid"] for w in _warnings(town, kind="grid_jump")] == [g1, g2]
    _set(app, baseline_weeks=8, min_weekly_count=9)
    assert _warnings(town, kind="grid_jump") == []
    _set(app, min_weekly_count=5, alarm_probability=_tail(8, 8.5 / 8) / 2)
    assert _warnings(town, kind="grid_jump") == []


# ---------------------------------------------------------------- 2. repeats


@pytest.mark.req("E4")
def test_repeated_cases_at_one_address_or_within_the_radius_are_warned(db, client_as, town_grids):
    (g1, g2, _), far = town_grids
    now = today()
    same = [add_case(db, g1, at(now - timedelta(days=d)), address=a)
            for d, a in ((1, "解放路 12 号"), (5, "解放路12号"), (20, "解放路１２号"))]
    add_case(db, g1, at(now - timedelta(days=2)), address="中山路 5 号")
    add_case(db, g1, at(now - timedelta(days=3)), address="中山路5号")       # two only
    add_case(db, g2, at(now - timedelta(days=40)), address="人民路 1 号")    # too long ago
    add_case(db, g2, at(now - timedelta(days=4)), address="人民路 1 号")
    add_case(db, g2, at(now - timedelta(days=6)), address="人民路 1 号")
    lon, lat, step = 119.45, 32.2, 20 / 94_000  # about 20 m of longitude at 32.2°N
    near = [add_case(db, g2, at(now - timedelta(days=d)), lon=lon + d * step, lat=lat) for d in (1, 2, 3)]
    for d in (1, 2, 3):  # 200 m apart
        add_case(db, g2, at(now - timedelta(days=d)), lon=lon + 0.01 + d * 10 * step, lat=lat)
    for d in (1, 2, 3):
        add_case(db, far, at(now - timedelta(days=d)), address="远处路 9 号")

    town = client_as("town_dispatcher")
    found = _warnings(town, kind="repeat_address")
    assert [sorted(w["case_nos"]) for w in found] == [sorted(c.case_no for c in same)]
    assert _listed(town, found[0]["cases_url"]) == {c.case_no for c in same}
    nearby = _warnings(town, kind="repeat_nearby")
    assert [sorted(w["case_nos"]) for w in nearby] == [sorted(c.case_no for c in near)]
    assert _listed(town, nearby[0]["cases_url"]) == {c.case_no for c in near}
    assert len(_warnings(client_as("city_admin"), kind="repeat_address")) == 2  # the other county's too


@pytest.mark.setting("warnings.repeat_days", "warnings.repeat_min_cases", "warnings.repeat_radius_m")
def test_the_repeat_thresholds_are_read_from_the_profile(app, db, client_as, town_grids):
    (g1, _, _), _far = town_grids
    now = today()
    for d in (3, 10, 35):
        add_case(db, g1, at(now - timedelta(days=d)), address="解放路 12 号")
    for d in (1, 2, 3):
        add_case(db, g1, at(now - timedelta(days=d)), lon=119.45 + d * 30 / 94_000, lat=32.2)  # 30 m apart
    town = client_as("town_dispatcher")
    assert _warnings(town, kind="repeat_address") == [] and len(_warnings(town, kind="repeat_nearby")) == 1
    _set(app, repeat_days=40, repeat_radius_m=25)
    assert len(_warnings(town, kind="repeat_address")) == 1 and _warnings(town, kind="repeat_nearby") == []
    _set(app, repeat_days=40, repeat_radius_m=50, repeat_min_cases=4)
    assert _warnings(town, kind="repeat_address") == [] and _warnings(town, kind="repeat_nearby") == []


# ---------------------------------------------------------------- 3. departments


def _department_windows(db, grid, dept, *, previous: tuple[int, int], recent: tuple[int, int]) -> None:
    now = today()
    for (n, late), back in ((previous, 45), (recent, 10)):
        for i in range(n):
            add_case(db, grid, at(now - timedelta(days=back + i % 10)), department=dept, overdue=i < late)


@pytest.mark.setting("warnings.overdue_window_days", "warnings.overdue_min_cases", "warnings.overdue_rise")
def test_a_department_whose_overdue_share_rises_is_warned(app, db, client_as, town_grids):
    (g1, _, _), far = town_grids
    cg, sc = user(db, "dept_cg").department_code, user(db, "dept_sc").department_code
    _department_windows(db, g1, cg, previous=(10, 1), recent=(10, 3))  # 10 % → 30 %
    _department_windows(db, g1, sc, previous=(10, 1), recent=(10, 1))  # steady
    town = client_as("town_dispatcher")
    found = _warnings(town, kind="department_overdue")
    assert [w["department"] for w in found] == [cg]
    assert found[0]["figures"].items() >= {"recent_cases": 10, "recent_overdue": 3, "previous_cases": 10,
                                           "previous_overdue": 1}.items()
    assert len(_listed(town, found[0]["cases_url"])) == 10  # the recent window's cases of the department
    assert [w["department"] for w in _warnings(client_as("dept_cg"), kind="department_overdue")] == [cg]
    assert _warnings(client_as("dept_sc"), kind="department_overdue") == []
    _set(app, overdue_rise=0.25)
    assert _warnings(town, kind="department_overdue") == []
    _set(app, overdue_rise=0.2, overdue_min_cases=11)
    assert _warnings(town, kind="department_overdue") == []
    _set(app, overdue_min_cases=10, overdue_window_days=7)  # the recent week holds 7 cases only
    assert _warnings(town, kind="department_overdue") == []


# ---------------------------------------------------------------- 4. complaints, 5. visits


@pytest.mark.setting("warnings.complaint_days", "warnings.complaint_min")
def test_repeated_complaints_about_one_worker_are_warned(app, db, client_as, town_grids):
    (g1, _, _), far = town_grids
    staff = staff_of(db, g1)
    now = today()
    complaint(db, g1, staff, at(now - timedelta(days=2)))
    complaint(db, g1, staff, at(now - timedelta(days=12)))
    complaint(db, g1, None, at(now - timedelta(days=1)))  # names nobody
    other = staff_of(db, far)
    complaint(db, far, other, at(now - timedelta(days=1)))
    complaint(db, far, other, at(now - timedelta(days=2)))
    town = client_as("town_dispatcher")
    found = _warnings(town, kind="worker_complaints")
    assert [w["worker"] for w in found] == [staff] and found[0]["figures"]["count"] == 2
    assert found[0]["cases_url"] is None
    assert {w["worker"] for w in _warnings(client_as("city_admin"), kind="worker_complaints")} == {staff, other}
    _set(app, complaint_min=3)
    assert _warnings(town, kind="worker_complaints") == []
    _set(app, complaint_min=2, complaint_days=10)
    assert _warnings(town, kind="worker_complaints") == []


@pytest.mark.setting("warnings.visit_overdue_min")
def test_overdue_visits_of_a_grid_are_warned_counting_only_the_tags_the_role_may_see(app, db, client_as,
                                                                                      town_grids):
    (g1, _, _), far = town_grids
    cipher, profile = app.state.cipher, app.state.profile
    home = household(db, cipher, g1, "解放路", ["王老伯", "李阿姨", "赵大爷"])
    tag(db, cipher, profile, home.people[0], "elderly_alone", since=days_ago(40))
    tag(db, cipher, profile, home.people[1], "elderly_alone", since=days_ago(40))
    tag(db, cipher, profile, home.people[2], "severe_mental", since=days_ago(60))  # high: not the dispatcher's
    tag(db, cipher, profile, home.people[2], "disabled", since=days_ago(1))        # not due
    there = household(db, cipher, far, "中山路", ["钱大姐"])
    tag(db, cipher, profile, there.people[0], "elderly_alone", since=days_ago(40))
    _set(app, visit_overdue_min=2)
    town = client_as("town_dispatcher")
    found = _warnings(town, kind="visits_overdue")
    assert [(w["grid"], w["figures"]["overdue"]) for w in found] == [(g1, 2)]
    assert "王" not in found[0]["explanation"] and found[0]["cases_url"] is None
    city = _warnings(client_as("city_admin"), kind="visits_overdue")
    assert [(w["grid"], w["figures"]["overdue"]) for w in city] == [(g1, 3)]  # the admin sees every group
    _set(app, visit_overdue_min=4)
    assert _warnings(client_as("city_admin"), kind="visits_overdue") == []


# ---------------------------------------------------------------- the API's edges


def test_an_area_outside_the_jurisdiction_is_404_and_a_bad_kind_422(db, client_as, town_grids):
    (g1, _, _), far = town_grids
    weekly(db, g1, [1] * 8 + [8])
    town = client_as("town_dispatcher")
    assert town.get("/api/v1/warnings", params={"area": far[:12]}).status_code == 404
    assert town.get("/api/v1/warnings", params={"area": far}).status_code == 404
    assert [w["grid"] for w in _warnings(town, area=g1, kind="grid_jump")] == [g1]
    r = town.get("/api/v1/warnings", params={"kind": "nonsense"})
    assert r.status_code == 422 and "预警类别" in r.json()["detail"]
    assert client_as("worker").get("/api/v1/warnings").status_code == 403
