"""Accounts follow the profile and the posts (issue 13, B1, B4): an account holds only a post the
profile sets up; a staff account acts only while its post is active and its pre-job training passed
where the profile asks; ending a post, or retiring its grid through an adjustment, ends what the
account may do. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from gridgov.accounts.demo import DEMO_ACCOUNTS, PARTNER_ACCOUNTS, demo_accounts, demo_places
from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.scope import SYSTEM
from gridgov.kit.clock import utc_now
from gridgov.models import AuditEntry, Grid, User
from gridgov.models.staff import Post, Training
from gridgov.policy.loader import load_profile
from gridgov.territory import adjustments
from gridgov.territory.schemas import AdjustmentCreate

from ..territory.adjustment_data import principal_of, today

CITY = "321100000000"
PASSWORD = "Grid2026pass"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


@pytest.fixture
def category(db, places):
    from gridgov.cases.service import category_choices

    return category_choices(db, places.grid, today(utc_now()), load_profile("zhenjiang"))[0]["code"]


def _report(client, grid, category):
    return client.post("/api/v1/cases", json={"title": "路灯不亮", "category": category, "source": "patrol",
                                              "grid_code": grid, "address": "解放路 1 号"})


def _client(app, username: str) -> TestClient:
    c = TestClient(app)
    r = c.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return c


# ---------------------------------------------------------------- the profile's roles (B1)


@pytest.mark.req("B1")
def test_an_account_of_a_post_the_profile_does_not_set_up_is_refused_by_the_api(app, client, db, places):
    """LZ§11 sets up no 网格长: under LZ a leader account is a 422 in Chinese, on create and update,
    and nothing is written; agency roles exist under every profile."""
    app.state.profile = load_profile("luzhou")
    body = {"username": "lz_leader", "display_name": "网格长", "password": PASSWORD, "role": "leader",
            "scope_code": places.grid}
    r = client.post("/api/v1/users", json=body)
    assert r.status_code == 422 and "本地政策（泸州市）未设置“网格长”岗位" in r.json()["detail"], r.text
    assert db.scalar(select(User.id).where(User.username == "lz_leader")) is None
    r = client.post("/api/v1/users", json={**body, "username": "lz_worker", "role": "fulltime"})
    assert r.status_code == 201, r.text
    before = db.scalar(select(User.role).where(User.username == "lz_worker"))
    r = client.patch(f"/api/v1/users/{r.json()['id']}", json={"role": "leader"})
    assert r.status_code == 422 and "未设置“网格长”岗位" in r.json()["detail"]
    assert db.scalar(select(User.role).where(User.username == "lz_worker")) == before == "fulltime"
    # ZJ (the demo's) sets up no professional worker either; JM§10 does.
    app.state.profile = load_profile("zhenjiang")
    r = client.post("/api/v1/users", json={**body, "username": "zj_pro", "role": "professional"})
    assert r.status_code == 422 and "专业网格员" in r.json()["detail"]


@pytest.mark.req("B1")
def test_the_demo_creates_and_offers_only_accounts_the_profile_has():
    assert "leader" not in {a.username for a in demo_accounts(load_profile("luzhou"))}
    assert demo_accounts(load_profile("zhenjiang")) == DEMO_ACCOUNTS + PARTNER_ACCOUNTS


@pytest.mark.req("B1")
def test_gridgov_users_create_refuses_a_post_the_profile_does_not_set_up(fresh_url, cli_env):
    from gridgov.cli import app as cli

    cli_env(fresh_url, GRIDGOV_PROFILE="luzhou")
    r = CliRunner().invoke(cli, ["users", "create", "lz_leader", "--role", "leader", "--scope",
                                 "510502001001001", "--password-stdin"], input="Strong2026pass\n")
    assert r.exit_code == 1 and "未设置“网格长”岗位" in r.output, r.output


# ---------------------------------------------------------------- acting only on post (B4)


@pytest.mark.req("B4")
@pytest.mark.setting("staff.training_before_posting")
def test_a_worker_account_with_no_post_and_no_training_cannot_register_a_case(app, db, places, category):
    """Before: any account of a worker role registered cases. Now: 403 in Chinese, logged, and it
    keeps only its own account."""
    create_user(db, SYSTEM, UserCreate(username="no_post", display_name="无岗位", password=PASSWORD,
                                       role="fulltime", scope_code=places.grid, must_change_password=False),
                now=utc_now(), demo=True)
    db.flush()
    c = _client(app, "no_post")
    r = _report(c, places.grid, category)
    assert r.status_code == 403 and "未关联网格员档案" in r.json()["detail"], r.text
    assert c.get("/api/v1/cases").status_code == 403
    assert c.get("/api/v1/auth/me").status_code == 200  # its own account stays reachable
    denied = db.scalars(select(AuditEntry).where(AuditEntry.actor == "no_post", AuditEntry.action == "denied"))
    assert list(denied)
    # Linked to a person with a post still pending (no training on record): still refused.
    worker_staff = db.scalar(select(User.staff_id).where(User.username == "worker"))
    pending = Post(staff_id=worker_staff, role="parttime", scope_code=places.grid, grid_code=places.grid,
                   start_date=today(utc_now()), status="pending", created_at=utc_now())
    db.add(pending)
    user = db.scalar(select(User).where(User.username == "no_post"))
    user.staff_id, user.role = worker_staff, "parttime"
    db.flush()
    r = _report(c, places.grid, category)
    assert r.status_code == 403 and "不在岗" in r.json()["detail"]
    # Active, but (under ZJ§27) no passed pre-job training on record: refused until there is one.
    pending.status = "active"
    trainings = db.scalars(select(Training).where(Training.staff_id == worker_staff)).all()
    for t in trainings:
        t.passed = False
    db.flush()
    r = _report(c, places.grid, category)
    assert r.status_code == 403 and "岗前培训" in r.json()["detail"]
    # JS§20 makes no training a condition of posting: under JS the same account acts.
    app.state.profile = load_profile("jiangsu")
    assert _report(c, places.grid, category).status_code == 201
    app.state.profile = load_profile("zhenjiang")
    for t in trainings:
        t.passed = True
    db.flush()
    assert _report(c, places.grid, category).status_code == 201


@pytest.mark.req("B4")
def test_a_worker_account_is_refused_after_its_post_ends(client_as, client, db, places, category):
    """The scenario: the demo worker registers a case; the agency ends its post; the same token is
    refused at once (403, Chinese), on the API and on pages."""
    worker = client_as("worker")
    assert _report(worker, places.grid, category).status_code == 201
    staff_id = db.scalar(select(User.staff_id).where(User.username == "worker"))
    post_id = db.scalar(select(Post.id).where(Post.staff_id == staff_id, Post.status == "active"))
    r = client.post(f"/api/v1/posts/{post_id}/end", json={})
    assert r.status_code == 200 and r.json()["status"] == "ended", r.text
    r = _report(worker, places.grid, category)
    assert r.status_code == 403 and "专职网格员岗位不在岗" in r.json()["detail"], r.text
    assert worker.get("/api/v1/cases").status_code == 403
    page = worker.get("/cases", headers={"accept": "text/html"})
    assert page.status_code == 403 and "不在岗" in page.text


@pytest.mark.req("B4")
def test_retiring_a_grid_by_adjustment_ends_its_posts_and_what_they_allow(app, client_as, db, places):
    """Retiring the demo grid (proposed, approved, filed: the adjustment path) ends the posts on it
    with an audit entry each, and its worker and leader accounts are refused from then on."""
    worker, leader = client_as("worker"), client_as("leader")
    assert worker.get("/api/v1/cases").status_code == 200
    now = utc_now()
    profile = load_profile("zhenjiang")
    worker_staff = db.scalar(select(User.staff_id).where(User.username == "worker"))
    later = today(now) + timedelta(days=30)
    db.add(Post(staff_id=worker_staff, role="parttime", scope_code=places.grid, grid_code=places.grid,
                start_date=later, status="pending", created_at=now))
    db.flush()
    open_before = db.scalars(select(Post.id).where(Post.grid_code == places.grid, Post.status != "ended")).all()
    assert len(open_before) == 3  # the demo grid's leader and full-time worker, and one yet to start
    data = AdjustmentCreate(kind="retire", town_code=places.town, trigger="population_change", reason="并入相邻网格",
                            committee_opinion="村委会同意", effective_on=today(now), plan={"retire": [places.grid]})
    adj = adjustments.propose(db, principal_of(db, "town_dispatcher"), data, profile=profile, now=now)
    adjustments.approve(db, principal_of(db, "county_dispatcher", role="agency_admin"), adj.id, now=now)
    adjustments.file(db, principal_of(db, "city_admin"), adj.id, now=now)
    db.flush()
    assert db.get(Grid, places.grid).status == "retired"
    assert set(db.scalars(select(Post.status).where(Post.id.in_(open_before)))) == {"ended"}
    ended = db.scalars(select(AuditEntry).where(AuditEntry.action == "post_ended",
                                                AuditEntry.object_id.in_([str(i) for i in open_before]))).all()
    assert len(ended) == 3 and all(f"第 {adj.id} 号" in e.detail for e in ended)
    withdrawn = db.scalar(select(Post).where(Post.id.in_(open_before), Post.role == "parttime"))
    assert withdrawn.end_date == later  # withdrawn on the day it would have started
    for c in (worker, leader):
        r = c.get("/api/v1/cases")
        assert r.status_code == 403 and "不在岗" in r.json()["detail"]


def test_every_demo_worker_account_is_on_an_active_post(db):
    """The demo's staff accounts act: each holds an active post of its role at its place."""
    from gridgov.accounts.service import principal_for

    for account in DEMO_ACCOUNTS:
        user = db.scalar(select(User).where(User.username == account.username))
        principal = principal_for(db, user.id, user.session_version, via_cookie=False,
                                  profile=load_profile("zhenjiang"))
        assert principal.off_post is None, (account.username, principal.off_post)
