"""Auditors read the audit log of their jurisdiction: filtered, paginated, exported as CSV, with
before and after shown as a diff. (That the database refuses UPDATE and DELETE on the log is tested
in test_accounts.py.)"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gridgov.accounts.demo import DEMO_ACCOUNTS, PARTNER_ACCOUNTS, demo_places
from gridgov.accounts.schemas import UserCreate, UserUpdate
from gridgov.accounts.service import _principal, create_user, update_user
from gridgov.audit.service import record
from gridgov.authz.scope import SYSTEM
from gridgov.kit.clock import local, utc_now
from gridgov.models import AuditEntry, User

CITY = "321100000000"
PASSWORD = "Grid2026pass"


def entries_under(db, prefix: str, **where) -> set[int]:
    stmt = select(AuditEntry.id).where(AuditEntry.area_code.startswith(prefix))
    for column, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, column) == value)
    return set(db.scalars(stmt))


def test_an_auditor_filters_and_pages_through_the_log(client_as, db):
    auditor = client_as("auditor")
    r = auditor.get("/api/v1/audit", params={"action": "user_created", "page_size": 4})
    body = r.json()
    accounts = len(DEMO_ACCOUNTS) + len(PARTNER_ACCOUNTS)  # the demo builder creates them all, as the system
    assert accounts == 14
    assert r.status_code == 200 and body["total"] == accounts and len(body["items"]) == 4 and body["page"] == 1
    assert {e["action_label"] for e in body["items"]} == {"新建用户"}
    ids = [e["id"] for e in body["items"]]
    assert ids == sorted(ids, reverse=True)  # newest first
    rest = auditor.get("/api/v1/audit", params={"action": "user_created", "page_size": 4, "page": 4}).json()
    assert len(rest["items"]) == accounts - 12 and rest["items"][0]["id"] < ids[-1]

    by_system = auditor.get("/api/v1/audit", params={"actor": "system", "action": "user_created"}).json()
    assert by_system["total"] == accounts and {e["actor"] for e in by_system["items"]} == {"system"}
    assert auditor.get("/api/v1/audit", params={"actor": "city_admin", "action": "user_created"}).json()["total"] == 0
    users = auditor.get("/api/v1/audit", params={"object_type": "user", "action": "user_created"}).json()
    assert users["total"] == accounts

    today = local(utc_now()).date()
    assert auditor.get("/api/v1/audit",
                       params={"action": "user_created", "until": str(today - timedelta(days=1))}).json()["total"] == 0
    assert auditor.get("/api/v1/audit", params={"action": "user_created", "since": str(today),
                                                "until": str(today)}).json()["total"] == accounts
    assert auditor.get("/api/v1/audit",
                       params={"action": "user_created", "since": str(today + timedelta(days=1))}).json()["total"] == 0
    r = auditor.get("/api/v1/audit", params={"since": "yesterday"})
    assert r.status_code == 422 and "格式不对" in r.json()["detail"]
    r = auditor.get("/api/v1/audit", params={"since": str(today), "until": str(today - timedelta(days=2))})
    assert r.status_code == 422 and "早于" in r.json()["detail"]


def test_only_auditors_read_the_log(client_as):
    for username in ("city_admin", "county_dispatcher", "worker"):
        c = client_as(username)
        assert c.get("/api/v1/audit").status_code == 403
        assert c.get("/api/v1/audit.csv").status_code == 403
        assert c.get("/audit", headers={"accept": "text/html"}).status_code == 403


def test_the_csv_export_has_a_bom_chinese_headings_and_the_filtered_rows(client_as, db):
    auditor = client_as("auditor")
    r = auditor.get("/api/v1/audit.csv", params={"action": "user_created"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["序号", "时间（北京时间）", "操作人", "角色", "操作", "操作代码"]
    assert len(rows) == len(DEMO_ACCOUNTS) + len(PARTNER_ACCOUNTS) + 1
    assert {row[4] for row in rows[1:]} == {"新建用户"} and {row[5] for row in rows[1:]} == {"user_created"}
    expected = entries_under(db, "3211", action="user_created")
    assert {int(row[0]) for row in rows[1:]} == expected
    assert all('"username"' in row[10] for row in rows[1:])  # the after snapshot, as JSON
    exported = db.scalars(select(AuditEntry).where(AuditEntry.action == "audit_exported")).all()
    assert len(exported) == 1 and exported[0].actor == "auditor" and "user_created" in exported[0].detail

    page_csv = auditor.get("/audit.csv", params={"action": "user_created"})
    assert page_csv.status_code == 200 and page_csv.content.startswith(b"\xef\xbb\xbf")
    listed = list(csv.reader(io.StringIO(page_csv.content.decode("utf-8-sig"))))
    assert len(listed) == len(DEMO_ACCOUNTS) + len(PARTNER_ACCOUNTS) + 1


@pytest.fixture
def county_auditor(app, db):
    """An auditor of the first demo county (the demo's own auditor covers the whole city)."""
    places = demo_places(db, CITY)
    create_user(db, SYSTEM, UserCreate(username="county_auditor", display_name="区审计员", password=PASSWORD,
                                     role="auditor", scope_code=places.county, must_change_password=False),
                now=utc_now(), demo=True)
    now = utc_now()
    record(db, actor=None, action="grids_imported", now=now, area_code=places.county2, detail="另一个区的导入")
    record(db, actor=None, action="grids_imported", now=now, area_code=places.town, detail="本区街道的导入")
    db.flush()
    c = TestClient(app)
    token = c.post("/api/v1/auth/token",
                   json={"username": "county_auditor", "password": PASSWORD}).json()["access_token"]
    c.headers["Authorization"] = f"Bearer {token}"
    yield c, places
    c.close()


def test_an_auditor_of_a_county_sees_only_its_countys_entries(county_auditor, db):
    c, places = county_auditor
    prefix = places.county[:6]
    body = c.get("/api/v1/audit", params={"page_size": 200}).json()
    assert body["total"] == len(entries_under(db, prefix))
    assert body["total"] < db.scalar(select(func.count()).select_from(AuditEntry))
    assert {e["id"] for e in body["items"]} == entries_under(db, prefix)
    assert all(e["area_code"].startswith(prefix) for e in body["items"])
    imports = c.get("/api/v1/audit", params={"action": "grids_imported"}).json()["items"]
    assert [e["detail"] for e in imports] == ["本区街道的导入"]
    # The city is above the county: filtering by it still shows only the county.
    assert c.get("/api/v1/audit", params={"area": CITY, "page_size": 200}).json()["total"] == body["total"]
    assert c.get("/api/v1/audit", params={"area": places.town, "action": "grids_imported"}).json()["total"] == 1
    outside, missing = c.get("/api/v1/audit",
                             params={"area": places.county2}), c.get("/api/v1/audit", params={"area": "321199000000"})
    assert outside.status_code == missing.status_code == 404
    assert outside.json()["detail"] == f"区域 {places.county2} 不存在"
    assert c.get("/api/v1/audit", params={"area": "12345"}).status_code == 422
    rows = list(csv.reader(io.StringIO(c.get("/api/v1/audit.csv").content.decode("utf-8-sig"))))[1:]
    assert rows and all(row[8].startswith(prefix) for row in rows)
    page = c.get("/audit", params={"action": "grids_imported"})
    assert "本区街道的导入" in page.text and "另一个区的导入" not in page.text


def test_the_audit_page_shows_before_and_after_as_a_diff(client_as, db):
    places = demo_places(db, CITY)
    admin = _principal(db.scalar(select(User).where(User.username == "city_admin")))
    worker = db.scalar(select(User).where(User.username == "county_dispatcher"))
    update_user(db, admin, worker.id, UserUpdate(role="agency_admin", display_name="区网格中心管理员"), now=utc_now())
    db.flush()
    auditor = client_as("auditor")
    page = auditor.get("/audit", params={"action": "user_updated", "area": places.county})
    assert page.status_code == 200
    text = page.text
    assert "修改用户" in text and "修改前" in text and "修改后" in text
    assert "网格化机构调度员" in text and "网格化机构管理员" in text  # role codes shown as Chinese labels
    assert 'class="is-changed"' in text and "区网格中心调度员" in text and "区网格中心管理员" in text
    assert 'href="/audit.csv?action=user_updated&amp;area=' in text
    fragment = auditor.get("/audit", params={"action": "user_updated"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "修改用户" in fragment.text
    assert auditor.get("/audit", params={"since": "bad"}, headers={"accept": "text/html"}).status_code == 422
