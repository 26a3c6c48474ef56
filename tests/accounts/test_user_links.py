"""A user's links (its staff record and its department) stay inside the administrator's jurisdiction
and inside the user's own scope; bad roles and unknown links are 4xx, never 500; and SQL parameters
(password hashes, ID numbers, phones) never reach an error message or a log."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from gridgov.accounts.demo import demo_places
from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.scope import SYSTEM
from gridgov.db import Prebuilt
from gridgov.kit.clock import utc_now
from gridgov.models import User

CITY = "321100000000"
PASSWORD = "Grid2026pass"
MISSING_STAFF = 987654


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


@pytest.fixture
def staff(db) -> dict[str, int]:
    """The staff records of the demo workers: ``worker`` serves the demo grid, ``worker2`` a grid
    of another county."""
    return dict(db.execute(select(User.username, User.staff_id).where(User.username.in_(["worker", "worker2"]))).all())


@pytest.fixture
def town_admin(app, db, places):
    create_user(db, SYSTEM, UserCreate(username="town_admin", display_name="街道管理员", password=PASSWORD,
                                     role="agency_admin", scope_code=places.town, must_change_password=False),
                now=utc_now(), demo=True)
    db.flush()
    c = TestClient(app)
    r = c.post("/api/v1/auth/token", json={"username": "town_admin", "password": PASSWORD})
    c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    yield c
    c.close()


def new_user(username: str, **fields) -> dict:
    return {"username": username, "display_name": "新人", "password": PASSWORD, "role": "fulltime", **fields}


def test_a_staff_record_of_another_county_looks_missing(town_admin, places, staff, db):
    r_out = town_admin.post("/api/v1/users",
                            json=new_user("linked_out", scope_code=places.grid, staff_id=staff["worker2"]))
    r_missing = town_admin.post("/api/v1/users", json=new_user("linked_missing", scope_code=places.grid,
                                                               staff_id=MISSING_STAFF))
    assert r_out.status_code == r_missing.status_code == 404
    assert r_out.json()["detail"] == r_missing.json()["detail"] == "网格员档案不存在"
    assert db.scalar(select(User).where(User.username.in_(["linked_out", "linked_missing"]))) is None
    r = town_admin.post("/api/v1/users", json=new_user("linked_in", scope_code=places.grid, staff_id=staff["worker"]))
    assert r.status_code == 201, r.text
    assert db.scalar(select(User.staff_id).where(User.username == "linked_in")) == staff["worker"]


def test_a_staff_record_must_lie_in_the_users_own_scope(client, places, staff, db):
    r = client.post("/api/v1/users", json=new_user("linked_far", scope_code=places.grid, staff_id=staff["worker2"]))
    assert r.status_code == 422 and "不在该用户的辖区" in r.json()["detail"]
    uid = db.scalar(select(User.id).where(User.username == "worker"))
    r = client.patch(f"/api/v1/users/{uid}", json={"staff_id": staff["worker2"]})
    assert r.status_code == 422 and "不在该用户的辖区" in r.json()["detail"]
    # moving a linked user out of its staff record's grid is refused unless the link goes too
    r = client.patch(f"/api/v1/users/{uid}", json={"scope_code": places.grid2})
    assert r.status_code == 422 and "不在该用户的辖区" in r.json()["detail"]
    r = client.patch(f"/api/v1/users/{uid}", json={"scope_code": places.grid2, "staff_id": staff["worker2"]})
    assert r.status_code == 200, r.text
    assert db.scalar(select(User.staff_id).where(User.id == uid)) == staff["worker2"]
    r = client.patch(f"/api/v1/users/{uid}", json={"staff_id": None})
    assert r.status_code == 200 and db.scalar(select(User.staff_id).where(User.id == uid)) is None


def test_a_town_admin_cannot_relink_a_user_to_another_countys_staff(town_admin, staff, db):
    uid = db.scalar(select(User.id).where(User.username == "leader"))
    r = town_admin.patch(f"/api/v1/users/{uid}", json={"staff_id": staff["worker2"]})
    assert r.status_code == 404 and r.json()["detail"] == "网格员档案不存在"
    assert db.scalar(select(User.staff_id).where(User.id == uid)) != staff["worker2"]


def test_a_department_of_another_jurisdiction_looks_missing(app, town_admin, client, places):
    # Professional workers (JM§10) under a profile that has them: the demo's (ZJ) does not.
    staff = app.state.profile.staff
    app.state.profile = app.state.profile.model_copy(
        update={"staff": staff.model_copy(update={"roles": [*staff.roles, "professional"]})})
    county_dept, other_dept = f"{places.county}-chengguan", f"{places.county2}-chengguan"
    for code in (other_dept, "321199-nowhere"):
        r = town_admin.post("/api/v1/users", json=new_user("pro1", role="professional", scope_code=places.grid,
                                                           department_code=code))
        assert r.status_code == 404 and r.json()["detail"] == f"部门 {code} 不存在", r.text
    # The county's own department lies above the town: a professional of a county department
    # serves in the town's grids, so the town may link it.
    r = town_admin.post("/api/v1/users", json=new_user("pro1", role="professional", scope_code=places.grid,
                                                       department_code=county_dept))
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/users", json=new_user("pro2", role="professional", scope_code=places.grid,
                                                   department_code=other_dept))
    assert r.status_code == 422 and "不管辖网格" in r.json()["detail"]
    r = client.post("/api/v1/users", json=new_user("pro3", role="professional", scope_code=places.grid,
                                                   department_code=county_dept))
    assert r.status_code == 201 and r.json()["department_code"] == county_dept
    r = town_admin.post("/api/v1/users", json=new_user("rcv1", role="dept_receiver", scope_code=places.town,
                                                       department_code=other_dept))
    assert r.status_code == 404 and r.json()["detail"] == f"部门 {other_dept} 不存在"


def test_a_bogus_role_is_422_not_500(client, db):
    uid = db.scalar(select(User.id).where(User.username == "worker"))
    r = client.patch(f"/api/v1/users/{uid}", json={"role": "bogus"})
    assert r.status_code == 422 and r.json()["detail"]
    r = client.post("/api/v1/users", json=new_user("bogus_role", role="bogus", scope_code=CITY))
    assert r.status_code == 422
    assert db.scalar(select(User.role).where(User.id == uid)) == "fulltime"


def test_an_unknown_staff_record_is_404_and_no_hash_is_logged(client, places, db, caplog):
    with caplog.at_level(logging.DEBUG):
        r = client.post("/api/v1/users", json=new_user("ghost_link", scope_code=places.grid, staff_id=MISSING_STAFF))
    assert r.status_code == 404 and r.json()["detail"] == "网格员档案不存在"
    assert db.scalar(select(User).where(User.username == "ghost_link")) is None
    assert "argon2" not in caplog.text and PASSWORD not in caplog.text


SECRET = "$argon2id$v=19$m=65536,t=3,p=4$not-a-real-hash-but-secret"


def test_an_integrity_error_shows_no_parameter_values(db):
    """The rendered error of a failed INSERT names the statement, never the values (ORM and Prebuilt)."""
    now = utc_now()
    values = {"username": "leaky_user", "display_name": "不该出现的姓名", "password_hash": SECRET, "role": "fulltime",
              "scope_code": CITY, "staff_id": MISSING_STAFF, "is_active": True, "failed_logins": 0,
              "session_version": 1, "must_change_password": False, "created_at": now, "updated_at": now}
    nested = db.begin_nested()
    with pytest.raises(IntegrityError) as caught:
        db.add(User(**values))
        db.flush()
    nested.rollback()
    shown = f"{caught.value}\n{caught.value!r}"
    assert "INSERT INTO users" in shown
    assert SECRET not in shown and "不该出现的姓名" not in shown and "leaky_user" not in shown

    table = User.__table__
    prebuilt = Prebuilt(insert(table).values({k: bindparam(k, type_=table.c[k].type) for k in values}))
    nested = db.begin_nested()
    with pytest.raises(DBAPIError) as caught:
        prebuilt.rows(db, values)
    nested.rollback()
    shown = f"{caught.value}\n{caught.value!r}"
    assert SECRET not in shown and "不该出现的姓名" not in shown and "leaky_user" not in shown
