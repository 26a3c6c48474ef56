"""Separation of duties (等保 三员): only a security administrator (or the system: the CLI, the demo
builder) creates or changes auditors and security administrators, and no one gives a role holding a
permission it does not hold itself.

The expectations are written out by hand below (which role may give which, which permissions the
three administrative roles hold), never computed from the permission table under test.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from gridgov.accounts.demo import demo_places
from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user, grant_problem
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM
from gridgov.kit.clock import utc_now
from gridgov.models import AuditEntry, User
from gridgov.models.accounts import CLIENT_ROLES, Role

CITY = "321100000000"
PASSWORD = "Grid2026pass"

ORDINARY = {"agency_admin", "agency_dispatcher", "dept_receiver", "dept_handler", "instructor", "chief_leader",
            "leader", "fulltime", "parttime", "professional", "liaison", "volunteer",
            # partners (issue 18): the agency administrator opens their accounts
            "legal_professional", "mediator", "team_member", "social_org"}
MAY_GIVE = {
    "sysadmin": ORDINARY | {"sysadmin"},
    "agency_admin": ORDINARY,
    "security_admin": {"auditor", "security_admin"},
    "agency_dispatcher": set(),
    "dept_receiver": set(),
    "leader": set(),
    "fulltime": set(),
    "auditor": set(),
}
"""Which roles each acting role may give (and so which users it may change), by hand."""

NOT_IN_DEMO_PROFILE = {"instructor", "chief_leader", "professional"}
"""Posts ZJ (the demo's profile, ZJ§9, ZJ§30) does not set up: the pages offer no account of them."""

PERMISSIONS = {
    "security_admin": {"public", "self", "users.admin", "users.security"},
    "auditor": {"public", "self", "audit.read"},
}
"""The whole permission set of the two separated roles, by hand."""

SYSADMIN_LACKS = {"users.security"}


def actor(role: str) -> Principal:
    return Principal(user_id=-1, username="x", display_name="x", role=role, scope_code=CITY)


@pytest.mark.parametrize("acting", sorted(MAY_GIVE))
def test_which_role_may_give_which(acting):
    given = {r.value for r in Role if grant_problem(actor(acting), r) is None}
    assert given == MAY_GIVE[acting]
    # the system gives any role but an API client's, which only `gridgov clients create` makes
    assert {r for r in Role if grant_problem(None, r) is None} == set(Role) - CLIENT_ROLES


def token(app, username: str, password: str = "demo12345") -> dict:
    with TestClient(app) as c:
        r = c.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture
def sysadmin(app, db):
    create_user(db, SYSTEM, UserCreate(username="sys_admin", display_name="系统管理员", password=PASSWORD,
                                     role="sysadmin", scope_code=CITY, must_change_password=False),
                now=utc_now(), demo=True)
    db.flush()
    return token(app, "sys_admin", PASSWORD)


def test_the_separated_roles_hold_exactly_their_permissions(app, sysadmin):
    with TestClient(app) as c:
        for username, expected in PERMISSIONS.items():
            assert set(c.get("/api/v1/auth/me", headers=token(app, username)).json()["permissions"]) == expected
        held = set(c.get("/api/v1/auth/me", headers=sysadmin).json()["permissions"])
    assert not held & SYSADMIN_LACKS and {"users.admin", "territory.import", "staff.reveal"} <= held
    assert Role("security_admin").value == "security_admin"


def new_user(role: str, username: str | None = None) -> dict:
    return {"username": username or f"n_{role}"[:32], "display_name": "新账号", "password": PASSWORD, "role": role,
            "scope_code": CITY}


@pytest.mark.parametrize("acting", ["city_admin", "sys_admin", "security_admin"])
def test_creating_accounts_of_the_administrative_roles(app, db, sysadmin, acting):
    auth = sysadmin if acting == "sys_admin" else token(app, acting)
    acting_role = db.scalar(select(User.role).where(User.username == acting))
    with TestClient(app) as c:
        for role in ("auditor", "security_admin", "sysadmin", "agency_admin", "agency_dispatcher"):
            r = c.post("/api/v1/users", json=new_user(role), headers=auth)
            expected = 201 if role in MAY_GIVE[acting_role] else 403
            assert r.status_code == expected, (acting, role, r.text)
            if expected == 403:
                assert db.scalar(select(User).where(User.username == f"n_{role}")) is None
                assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["detail"])  # a Chinese reason


def test_an_agency_admin_cannot_create_an_auditor_and_read_the_log(client):
    r = client.post("/api/v1/users", json=new_user("auditor", "my_auditor"))
    assert r.status_code == 403 and r.json()["detail"] == "审计员和安全管理员账号只能由安全管理员创建和管理"
    r = client.post("/api/v1/users", json=new_user("sysadmin", "my_sysadmin"))
    assert r.status_code == 403 and "系统管理员拥有网格化机构管理员没有的权限" in r.json()["detail"]


def test_a_security_admin_creates_an_auditor_who_reads_the_log(app, client_as, db):
    sec = client_as("security_admin")
    r = sec.post("/api/v1/users", json=new_user("auditor", "new_auditor"))
    assert r.status_code == 201 and r.json()["role"] == "auditor" and r.json()["role_label"] == "审计员"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "user_created",
                                               AuditEntry.object_id == str(r.json()["id"])))
    assert entry.actor == "security_admin"
    with TestClient(app) as c:
        assert c.get("/api/v1/audit", headers=token(app, "new_auditor", PASSWORD)).status_code == 200
    r = sec.post("/api/v1/users", json=new_user("agency_admin", "sec_made_admin"))
    assert r.status_code == 403 and "网格化机构管理员拥有安全管理员没有的权限" in r.json()["detail"]
    assert sec.get("/api/v1/grids").status_code == 403 and sec.get("/api/v1/audit").status_code == 403


def _ids(db) -> dict[str, int]:
    return dict(db.execute(select(User.username, User.id)).all())


def test_only_a_security_admin_changes_an_auditor(app, client_as, db, sysadmin):
    places = demo_places(db, CITY)
    ids = _ids(db)
    auditor, sec_admin = ids["auditor"], ids["security_admin"]
    with TestClient(app) as c:
        for auth in (token(app, "city_admin"), sysadmin):
            for target in (auditor, sec_admin):
                for change in ({"is_active": False}, {"scope_code": places.county}, {"role": "agency_dispatcher"},
                               {"display_name": "改名"}, {"unlock": True}):
                    r = c.patch(f"/api/v1/users/{target}", json=change, headers=auth)
                    assert r.status_code == 403 and "只能由安全管理员" in r.json()["detail"], (change, r.text)
            # nor make someone an auditor or a security admin
            for role in ("auditor", "security_admin"):
                r = c.patch(f"/api/v1/users/{ids['county_dispatcher']}",
                            json={"role": role, "scope_code": places.county}, headers=auth)
                assert r.status_code == 403, r.text
    assert db.get(User, ids["county_dispatcher"]).role == "agency_dispatcher"
    sec = client_as("security_admin")
    assert sec.patch(f"/api/v1/users/{auditor}", json={"scope_code": places.county}).status_code == 200
    assert sec.patch(f"/api/v1/users/{auditor}", json={"is_active": False}).status_code == 200
    # ... and only those: no ordinary user, no agency admin
    r = sec.patch(f"/api/v1/users/{ids['worker']}", json={"is_active": False})
    assert r.status_code == 403
    r = sec.patch(f"/api/v1/users/{ids['county_dispatcher']}", json={"role": "auditor", "scope_code": places.county})
    assert r.status_code == 403 and db.get(User, ids["county_dispatcher"]).role == "agency_dispatcher"


def _csrf(html: str) -> str:
    return html.split('name="csrf_token" value="')[1].split('"')[0]


def browser(app, username: str) -> tuple[TestClient, str]:
    c = TestClient(app)
    t = _csrf(c.get("/login").text)
    assert c.post("/login", data={"username": username, "password": "demo12345", "csrf_token": t},
                  follow_redirects=False).status_code == 303
    return c, c.cookies["gridgov_csrf"]  # the login rotates the CSRF token


def _offered(html: str) -> set[str]:
    select_ = html.split('id="role"')[1].split("</select>")[0]
    return {v for v in select_.split('value="')[1:] for v in [v.split('"')[0]] if v}


def test_the_pages_offer_only_roles_the_actor_may_give(app, db):
    ids = _ids(db)
    admin, t = browser(app, "city_admin")
    assert _offered(admin.get("/users/new").text) == MAY_GIVE["agency_admin"] - NOT_IN_DEMO_PROFILE
    page = admin.get(f"/users/{ids['auditor']}")
    assert page.status_code == 200 and 'id="manage-problem"' in page.text and "只能由安全管理员" in page.text
    assert f'action="/users/{ids["auditor"]}/password"' not in page.text
    r = admin.post(f"/users/{ids['auditor']}/password",
                   data={"csrf_token": t, "password": PASSWORD, "password2": PASSWORD})
    assert r.status_code == 403 and "只能由安全管理员" in r.text
    r = admin.post(f"/users/{ids['auditor']}/unlock", data={"csrf_token": t})
    assert r.status_code == 403
    sec, t = browser(app, "security_admin")
    assert sec.get("/users", headers={"accept": "text/html"}).status_code == 200
    assert _offered(sec.get("/users/new").text) == MAY_GIVE["security_admin"]
    r = sec.post(f"/users/{ids['auditor']}/password",
                 data={"csrf_token": t, "password": PASSWORD, "password2": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303


runner = CliRunner()


def test_the_cli_creates_the_first_administrators_of_a_real_instance(fresh_url, cli_env, tmp_path):
    """A real instance (no demo mode, no demo accounts): the command creates the first security
    administrator, system administrator and auditor, refusing weak and demo passwords."""
    from gridgov.cli import app as cli
    from gridgov.db import make_engine

    from ..territory.territory_data import CITY as SMALL_CITY
    from ..territory.territory_data import small_city

    cli_env(fresh_url)
    source = tmp_path / "city.geojson"
    source.write_text(json.dumps(small_city()), encoding="utf-8")
    assert runner.invoke(cli, ["grids", "import", str(source)]).exit_code == 0
    cli_env(fresh_url, GRIDGOV_DEMO="0", GRIDGOV_SECRET_KEY="k" * 48)

    def create(*args, password="Strong2026pass"):
        return runner.invoke(cli, ["users", "create", *args, "--password-stdin"], input=password + "\n")

    r = create("first_sec", "--role", "security_admin", "--scope", SMALL_CITY, password="demo12345")
    assert r.exit_code == 1 and "演示密码" in r.output
    r = create("first_sec", "--role", "security_admin", "--scope", SMALL_CITY, password="short1")
    assert r.exit_code == 1 and "密码至少 8 位" in r.output
    r = create("first_sec", "--role", "bogus", "--scope", SMALL_CITY)
    assert r.exit_code != 0
    r = create("first_sec", "--role", "security_admin", "--scope", "329999000000")
    assert r.exit_code == 1 and "不存在" in r.output
    for username, role in (("first_sec", "security_admin"), ("first_sys", "sysadmin"), ("first_aud", "auditor")):
        r = create(username, "--role", role, "--scope", SMALL_CITY, "--name", "首个账号")
        assert r.exit_code == 0, r.output
        assert username in r.output and "首次登录须修改密码" in r.output
    r = create("first_sec", "--role", "security_admin", "--scope", SMALL_CITY)
    assert r.exit_code == 1 and "已被使用" in r.output
    r = runner.invoke(cli, ["users", "create", "prompted", "--role", "auditor", "--scope", SMALL_CITY],
                      input="Prompt2026pass\nPrompt2026pass\n")
    assert r.exit_code == 0, r.output

    engine = make_engine(fresh_url)
    try:
        with engine.connect() as conn:
            users = dict(conn.execute(select(User.username, User.role)).all())
            actors = set(conn.scalars(select(AuditEntry.actor).where(AuditEntry.action == "user_created")))
            hashes = conn.scalars(select(User.password_hash)).all()
    finally:
        engine.dispose()
    assert users == {"first_sec": "security_admin", "first_sys": "sysadmin", "first_aud": "auditor",
                     "prompted": "auditor"}
    assert actors == {"system"} and all(h.startswith("$argon2") for h in hashes)
