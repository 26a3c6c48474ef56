"""Administrators create, disable, unlock and re-role users through the pages (cookie + CSRF),
inside their own jurisdiction only; every change is audited without secrets."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.scope import SYSTEM
from gridgov.kit.clock import utc_now
from gridgov.models import AuditEntry, User

CITY = "321100000000"
PASSWORD = "Grid2026pass"




def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def browser(app, username: str, password: str = "demo12345") -> tuple[TestClient, str]:
    """A client logged in through the login form (session cookie), and its CSRF token (a new one:
    the login rotates it)."""
    c = TestClient(app)
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": username, "password": password, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return c, c.cookies["gridgov_csrf"]


def user_id(db, username: str) -> int:
    return db.scalar(select(User.id).where(User.username == username))


def token_login(app, username: str, password: str):
    with TestClient(app) as c:
        return c.post("/api/v1/auth/token", json={"username": username, "password": password})


def audit_of(db, action: str, uid: int) -> AuditEntry:
    return db.scalars(
        select(AuditEntry).where(AuditEntry.action == action,
                                 AuditEntry.object_id == str(uid)).order_by(AuditEntry.id.desc())
    ).first()


def new_user_form(token: str, **fields) -> dict:
    data = {"csrf_token": token, "username": "new_worker", "display_name": "赵新人", "role": "agency_dispatcher",
            "scope_code": CITY, "department_code": "", "password": PASSWORD, "password2": PASSWORD,
            "must_change_password": "1"}
    data.update(fields)
    return data


def test_an_administrator_creates_a_user_through_the_page(app, db):
    admin, token = browser(app, "city_admin")
    form = admin.get("/users/new")
    assert form.status_code == 200 and "网格化机构调度员" in form.text and 'name="csrf_token"' in form.text
    assert "系统管理员" not in form.text  # an agency administrator may not create one

    r = admin.post("/users/new", data=new_user_form(token, password="short", password2="short"))
    assert r.status_code == 422 and "密码至少 8 位" in r.text
    assert 'value="new_worker"' in r.text and 'value="赵新人"' in r.text  # the input is kept
    assert user_id(db, "new_worker") is None

    r = admin.post("/users/new", data=new_user_form(token), follow_redirects=False)
    assert r.status_code == 303
    uid = user_id(db, "new_worker")
    assert r.headers["location"] == f"/users/{uid}?done=created"
    page = admin.get(r.headers["location"])
    assert "用户已创建" in page.text and "赵新人" in page.text and "网格化机构调度员" in page.text

    assert token_login(app, "new_worker", PASSWORD).status_code == 200
    entry = audit_of(db, "user_created", uid)
    assert entry.actor == "city_admin" and entry.after["role"] == "agency_dispatcher"
    assert PASSWORD not in json.dumps([entry.before, entry.after,
                                       entry.detail]) and "argon2" not in json.dumps(entry.after)

    r = admin.post("/users/new", data=new_user_form(token))
    assert r.status_code == 409 and "已被使用" in r.text


def test_department_staff_need_a_department_of_their_scope(app, db):
    places = demo_places(db, CITY)
    admin, token = browser(app, "city_admin")
    r = admin.post("/users/new", data=new_user_form(token, role="dept_receiver", scope_code=places.county))
    assert r.status_code == 422 and "必须指定所属部门" in r.text
    r = admin.post("/users/new", data=new_user_form(token, role="dept_receiver", scope_code=places.county,
                                                    department_code=f"{places.county2}-chengguan"))
    assert r.status_code == 422 and "不属于辖区" in r.text
    r = admin.post("/users/new", data=new_user_form(token, role="dept_receiver", scope_code=places.county,
                                                    department_code=f"{places.county}-chengguan"),
                   follow_redirects=False)
    assert r.status_code == 303
    assert db.scalar(select(User.department_code).where(User.username == "new_worker")) == f"{places.county}-chengguan"


def test_a_disabled_user_cannot_log_in_and_its_session_stops_working(app, db):
    admin, token = browser(app, "city_admin")
    worker, _ = browser(app, "worker")
    assert worker.get("/account").status_code == 200
    uid = user_id(db, "worker")

    r = admin.post(f"/users/{uid}/active", data={"csrf_token": token, "active": "0"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("done=disabled")
    assert "已停用" in admin.get(r.headers["location"]).text
    r = worker.get("/account", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = token_login(app, "worker", "demo12345")
    assert r.status_code == 401 and "停用" in r.json()["detail"]
    entry = audit_of(db, "user_disabled", uid)
    assert entry.before["is_active"] is True and entry.after["is_active"] is False

    r = admin.post(f"/users/{uid}/active", data={"csrf_token": token, "active": "1"}, follow_redirects=False)
    assert r.status_code == 303 and audit_of(db, "user_enabled", uid) is not None
    assert token_login(app, "worker", "demo12345").status_code == 200


def test_re_roling_a_user_ends_its_sessions_and_is_audited(app, db):
    places = demo_places(db, CITY)
    admin, token = browser(app, "city_admin")
    dispatcher, _ = browser(app, "county_dispatcher")
    uid = user_id(db, "county_dispatcher")
    r = admin.post(f"/users/{uid}", data={"csrf_token": token, "display_name": "区网格中心管理员",
                                          "role": "agency_admin",
                                          "scope_code": places.county, "department_code": ""}, follow_redirects=False)
    assert r.status_code == 303
    assert "修改已保存" in admin.get(r.headers["location"]).text
    user = db.get(User, uid)
    db.refresh(user)
    assert (user.role, user.display_name) == ("agency_admin", "区网格中心管理员")
    assert dispatcher.get("/account", headers={"accept": "text/html"}, follow_redirects=False).status_code == 303
    entry = audit_of(db, "user_updated", uid)
    assert (entry.before["role"], entry.after["role"]) == ("agency_dispatcher", "agency_admin")


def test_bad_input_is_shown_again_and_nothing_changes(app, db):
    places = demo_places(db, CITY)
    admin, token = browser(app, "city_admin")
    uid = user_id(db, "county_dispatcher")
    before = db.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    r = admin.post(f"/users/{uid}", data={"csrf_token": token, "display_name": "改个名字", "role": "dept_receiver",
                                          "scope_code": places.county, "department_code": ""})
    assert r.status_code == 422 and "联动部门人员必须指定所属部门" in r.text and 'value="改个名字"' in r.text
    r = admin.post(f"/users/{uid}", data={"csrf_token": token, "display_name": "改个名字", "role": "fulltime",
                                          "scope_code": places.county, "department_code": ""})
    assert r.status_code == 422 and "应绑定到网格" in r.text
    user = db.get(User, uid)
    db.refresh(user)
    assert (user.role, user.display_name) == ("agency_dispatcher", "区网格中心调度员")
    last = select(AuditEntry.id).where(AuditEntry.action.like("user_%")).order_by(AuditEntry.id.desc()).limit(1)
    assert db.scalar(last) <= before
    r = admin.post(f"/users/{uid}", data={"display_name": "x", "role": "agency_admin", "scope_code": places.county})
    assert r.status_code == 403 and "CSRF" in r.text


def test_an_administrator_cannot_disable_or_re_role_itself(app, db):
    admin, token = browser(app, "city_admin")
    uid = user_id(db, "city_admin")
    r = admin.post(f"/users/{uid}/active", data={"csrf_token": token, "active": "0"})
    assert r.status_code == 403 and "不能停用自己" in r.text
    r = admin.post(f"/users/{uid}/password", data={"csrf_token": token, "password": PASSWORD, "password2": PASSWORD})
    assert r.status_code == 403 and "我的账号" in r.text


def test_unlocking_and_resetting_a_password(app, db):
    uid = user_id(db, "leader")
    for _ in range(5):
        token_login(app, "leader", "wrong-pass1")
    assert "锁定" in token_login(app, "leader", "demo12345").json()["detail"]
    admin, token = browser(app, "city_admin")
    page = admin.get(f"/users/{uid}")
    assert "已锁定" in page.text and "解除锁定" in page.text
    r = admin.post(f"/users/{uid}/unlock", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and audit_of(db, "user_unlocked", uid).before["locked"] is True
    old = token_login(app, "leader", "demo12345")
    assert old.status_code == 200

    r = admin.post(f"/users/{uid}/password",
                   data={"csrf_token": token, "password": PASSWORD, "password2": "Other2026pass"})
    assert r.status_code == 422 and "不一致" in r.text
    r = admin.post(f"/users/{uid}/password", data={"csrf_token": token, "password": "leader", "password2": "leader"})
    assert r.status_code == 422 and "密码至少 8 位" in r.text
    r = admin.post(f"/users/{uid}/password", data={"csrf_token": token, "password": PASSWORD, "password2": PASSWORD},
                   follow_redirects=False)
    assert r.status_code == 303
    with TestClient(app) as c:
        assert c.get("/api/v1/auth/me",
                     headers={"Authorization": f"Bearer {old.json()['access_token']}"}).status_code == 401
    assert token_login(app, "leader", "demo12345").status_code == 401
    assert token_login(app, "leader", PASSWORD).status_code == 200
    user = db.get(User, uid)
    db.refresh(user)
    assert user.must_change_password is True
    entry = audit_of(db, "password_reset", uid)
    assert PASSWORD not in json.dumps([entry.before, entry.after, entry.detail])


@pytest.fixture
def town_admin(app, db):
    """An agency administrator of the demo town (the demo has only a city one), logged in by cookie."""
    places = demo_places(db, CITY)
    create_user(db, SYSTEM, UserCreate(username="town_admin", display_name="街道管理员", password=PASSWORD,
                                     role="agency_admin", scope_code=places.town, must_change_password=False),
                now=utc_now(), demo=True)
    db.flush()
    client, token = browser(app, "town_admin", PASSWORD)
    return client, token, places


def test_a_town_administrator_manages_only_its_town(town_admin, db):
    admin, token, places = town_admin
    page = admin.get("/users")
    assert page.status_code == 200
    listed = set(re.findall(r'data-username="([a-z0-9_]+)"', page.text))
    under = {u for u, scope in db.execute(select(User.username, User.scope_code)) if scope.startswith(places.town[:9])}
    assert listed == under and {"town_dispatcher", "worker", "leader", "town_admin"} <= listed

    r = admin.post("/users/new", data=new_user_form(token, scope_code=places.town2))
    missing = "321102099000"
    assert db.get(User, 0) is None
    r_missing = admin.post("/users/new", data=new_user_form(token, scope_code=missing))
    assert r.status_code == r_missing.status_code == 404
    assert f"区域 {places.town2} 不存在" in r.text and f"区域 {missing} 不存在" in r_missing.text
    assert 'value="赵新人"' in r.text
    r = admin.post("/users/new", data=new_user_form(token, scope_code=places.grid2, role="fulltime"))
    assert r.status_code == 404 and f"网格 {places.grid2} 不存在" in r.text
    r = admin.post("/users/new", data=new_user_form(token, role="sysadmin", scope_code=places.town))
    assert r.status_code == 403 and "系统管理员拥有网格化机构管理员没有的权限" in r.text
    assert user_id(db, "new_worker") is None

    outside, missing_page = admin.get(f"/users/{user_id(db, 'worker2')}"), admin.get("/users/987654")
    assert outside.status_code == missing_page.status_code == 404
    assert "用户不存在" in outside.text and "用户不存在" in missing_page.text
    r = admin.post(f"/users/{user_id(db, 'worker2')}/active", data={"csrf_token": token, "active": "0"})
    assert r.status_code == 404
    r = admin.get("/users", params={"area": places.county2})
    assert r.status_code == 404


def test_the_users_list_filters_by_role_area_state_and_search(app, db):
    places = demo_places(db, CITY)
    admin, _ = browser(app, "city_admin")

    def listed(**params):
        r = admin.get("/users", params=params)
        assert r.status_code == 200, r.text
        return set(re.findall(r'data-username="([a-z0-9_]+)"', r.text))

    assert listed() == set(db.scalars(select(User.username)))
    assert listed(role="fulltime") == {"worker", "worker2"}
    assert listed(area=places.county2) == {"worker2"}
    assert listed(q="网格长") == {"leader"} and listed(q="dept") == {"dept_cg", "dept_sc"}
    db.get(User, user_id(db, "worker2")).is_active = False
    db.flush()
    assert listed(active="0") == {"worker2"} and "worker2" not in listed(active="1")
    fragment = admin.get("/users", params={"role": "leader"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'data-username="leader"' in fragment.text


def test_roles_without_user_administration_get_403(client_as):
    for username in ("county_dispatcher", "worker", "auditor"):
        assert client_as(username).get("/users", headers={"accept": "text/html"}).status_code == 403
