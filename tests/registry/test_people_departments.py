"""registry.department_access: a department reads the register of its area only where the profile
grants its kind (none by default), and then only its area, and never more than reading."""

from __future__ import annotations

import pytest

from gridgov.accounts.demo import demo_department_kinds, demo_places

from .people_fixtures import add_person

CITY = "321100000000"


def _grant(app, *kinds: str) -> None:
    profile = app.state.profile
    granted = profile.registry.model_copy(update={"department_access": list(kinds)})
    app.state.profile = profile.model_copy(update={"registry": granted})


@pytest.mark.setting("registry.department_access")
@pytest.mark.req("E2")
def test_a_department_reads_the_people_of_its_area_only_where_granted(app, client_as, db):
    places = demo_places(db, CITY)
    home = add_person(db, name="部门辖区内", grid=places.grid)
    away = add_person(db, name="部门辖区外", grid=places.grid2)
    assert app.state.profile.registry.department_access == []  # every shipped profile: none by default
    dept, other_kind = client_as("dept_cg"), client_as("dept_sc")
    assert dept.get("/api/v1/people").json()["total"] == 0
    assert dept.get(f"/api/v1/people/{home.id}").status_code == 404

    kinds = demo_department_kinds(app.state.profile)
    _grant(app, kinds["dept_cg"][0])
    listed = dept.get("/api/v1/people").json()
    assert {p["id"] for p in listed["items"]} == {home.id} and listed["total"] == 1
    assert dept.get(f"/api/v1/people/{home.id}").status_code == 200
    assert dept.get(f"/api/v1/people/{away.id}").status_code == 404
    # reading only: the department cannot register, edit or reveal
    assert dept.patch(f"/api/v1/people/{home.id}", json={"name": "改"}).status_code == 403
    assert dept.post(f"/api/v1/people/{home.id}/reveal", json={"reason": "contact"}).status_code == 403
    # a department of a kind not granted still sees nothing
    assert other_kind.get("/api/v1/people").json()["total"] == 0
    assert other_kind.get(f"/api/v1/people/{home.id}").status_code == 404


def test_a_grant_naming_an_unknown_department_kind_is_a_profile_problem(app):
    unknown = app.state.profile.registry.model_copy(update={"department_access": ["nosuchdept"]})
    profile = app.state.profile.model_copy(update={"registry": unknown})
    assert ("registry.department_access[0]", "联动部门 nosuchdept 未在 departments 中列出") in profile.problems()
