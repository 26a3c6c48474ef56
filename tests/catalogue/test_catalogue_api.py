"""The catalogue JSON API over HTTP (SQLite and PostgreSQL): the public lists, versions and their
comparison without a login; applications from a department through review and decision by the
agency of its level; the refusal of licensing/penalty/compulsion; rectification notices where the
profile has forced exit; permissions and jurisdiction (403 for a role that may not, 404 outside)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.scope import SYSTEM
from gridgov.departments.service import department_code
from gridgov.kit.clock import utc_now
from gridgov.models import AuditEntry, Matter
from gridgov.policy.loader import load_profile

CITY = "321100000000"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


@pytest.fixture
def account(app, db):
    """``account(username, role, scope, department)``: a new account and a client acting as it."""
    clients = []

    def make(username: str, role: str, scope: str, department: str | None = None) -> TestClient:
        create_user(db, SYSTEM, UserCreate(username=username, display_name=username, password="demo12345", role=role,
                                         scope_code=scope, department_code=department, must_change_password=False),
                    now=utc_now(), demo=True)
        db.commit()
        c = TestClient(app)
        r = c.post("/api/v1/auth/token", json={"username": username, "password": "demo12345"})
        assert r.status_code == 200, r.text
        c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


def county_list(anonymous, county: str) -> dict:
    lists = anonymous.get("/api/v1/catalogue/lists", params={"area": county}).json()
    return next(x for x in lists if x["area_code"] == county)


def ensure(db, profile_name: str, area: str):
    from gridgov.catalogue import service

    lists = service.ensure_lists(db, load_profile(profile_name), area, now=utc_now())
    db.commit()
    return lists


def body(list_id: int, name: str, **matter) -> dict:
    return {"kind": "admission", "list_id": list_id, "reason": "网格协助巡查",
            "matter": {"name": name, "description": "巡查并上报", "legal_basis": "条例", **matter}}


@pytest.mark.req("C2", "C5")
def test_a_department_applies_the_county_agency_records_the_approval_and_the_public_sees_it(
        app, db, places, anonymous, client_as, account):
    ensure(db, "zhenjiang", places.county)
    cat = county_list(anonymous, places.county)
    start = cat["current_version"]
    dept = client_as("dept_cg")
    r = dept.post("/api/v1/catalogue/applications", json=body(cat["id"], "油烟扰民巡查", on_site=True))
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]
    assert r.json()["status"] == "submitted" and r.json()["approver_label"] == "同级党委或者政府"
    assert [s["done"] for s in r.json()["steps"]] == [True, False, False]

    assert dept.post(f"/api/v1/catalogue/applications/{app_id}/review", json={}).status_code == 403
    assert client_as("city_admin").post(f"/api/v1/catalogue/applications/{app_id}/review", json={}).status_code == 403
    county = account("cat_county_admin", "agency_admin", places.county)
    r = county.post(f"/api/v1/catalogue/applications/{app_id}/approve", json={"document": "x"})
    assert r.status_code == 409 and "审核" in r.json()["detail"]
    assert county.post(f"/api/v1/catalogue/applications/{app_id}/review", json={"note": "同意上报"}).status_code == 200
    r = county.post(f"/api/v1/catalogue/applications/{app_id}/approve", json={})
    assert r.status_code == 422 and "文件文号" in r.json()["detail"]
    r = county.post(f"/api/v1/catalogue/applications/{app_id}/approve", json={"document": "京政复〔2026〕5号"})
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text
    code = r.json()["matter_code"]

    listed = county_list(anonymous, places.county)
    assert code in {m["code"] for m in listed["matters"]} and listed["current_version"] == start + 1
    versions = anonymous.get(f"/api/v1/catalogue/lists/{cat['id']}/versions").json()
    assert versions[0]["number"] == start + 1 and "油烟扰民巡查" in versions[0]["summary"]
    if start:
        diff = anonymous.get(f"/api/v1/catalogue/lists/{cat['id']}/versions/{start}/compare/{start + 1}").json()
        assert [m["code"] for m in diff["added"]] == [code]
    assert anonymous.get(f"/api/v1/catalogue/lists/{cat['id']}/versions/1/compare/99").status_code == 404
    # the department follows its own application; another department does not see it
    assert dept.get(f"/api/v1/catalogue/applications/{app_id}").json()["status"] == "approved"
    assert client_as("dept_sc").get(f"/api/v1/catalogue/applications/{app_id}").status_code == 404
    assert app_id not in {a["id"] for a in client_as("dept_sc").get("/api/v1/catalogue/applications").json()}
    assert app_id in {a["id"] for a in client_as("city_admin").get("/api/v1/catalogue/applications").json()}


@pytest.mark.req("C4")
def test_a_licensing_matter_is_refused_with_its_reason(db, places, anonymous, client_as):
    ensure(db, "zhenjiang", places.county)
    cat = county_list(anonymous, places.county)
    r = client_as("dept_cg").post("/api/v1/catalogue/applications",
                                  json=body(cat["id"], "代发营业执照", power_type="licensing"))
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "refused" and "行政许可" in r.json()["decision_note"]
    assert not db.scalar(select(Matter).where(Matter.name == "代发营业执照"))


def test_bad_input_is_a_chinese_4xx_and_roles_without_the_permission_get_403(db, places, anonymous, client_as):
    ensure(db, "zhenjiang", places.county)
    cat = county_list(anonymous, places.county)
    dept = client_as("dept_cg")
    r = dept.post("/api/v1/catalogue/applications", json={"kind": "admission", "list_id": cat["id"]})
    assert r.status_code == 422 and "申请理由" in r.json()["detail"]
    assert {d["field"] for d in r.json()["errors"]} >= {"reason", "matter"}
    r = dept.post("/api/v1/catalogue/applications", json=body(cat["id"], "x", limits={"handling_working_days": -1}))
    assert r.status_code == 422 and "部门办理时限" in r.json()["detail"]
    assert client_as("worker").post("/api/v1/catalogue/applications", json=body(cat["id"], "y")).status_code == 403
    assert client_as("worker").get("/api/v1/catalogue/applications").status_code == 403
    assert anonymous.post("/api/v1/catalogue/applications", json=body(cat["id"], "z")).status_code == 401
    assert dept.post("/api/v1/catalogue/applications", json=body(999999, "z")).status_code == 404
    assert anonymous.get("/api/v1/catalogue/lists", params={"area": "abc"}).status_code == 422
    r = client_as("city_admin").post("/api/v1/catalogue/rectifications",
                                     json={"matter_id": 1, "content": "x", "deadline": utc_now().isoformat()})
    assert r.status_code == 403 and "强制退出" in r.json()["detail"]  # zhenjiang has no forced exit


@pytest.mark.req("C3")
def test_under_qinzhou_a_rectification_notice_is_answered_by_its_department_only(app, db, places, client_as, account):
    app.state.profile = load_profile("qinzhou")
    (cat,) = ensure(db, "qinzhou", CITY)
    dept = account("cat_city_cg", "dept_receiver", CITY, department_code(CITY, "chengguan"))
    city = client_as("city_admin")
    r = dept.post("/api/v1/catalogue/applications", json=body(cat.id, "沿街门店消防巡查"))
    app_id = r.json()["id"]
    assert r.json()["approver_label"] == "同级网格化机构"
    assert city.post(f"/api/v1/catalogue/applications/{app_id}/review", json={}).status_code == 200
    r = city.post(f"/api/v1/catalogue/applications/{app_id}/approve", json={})
    assert r.status_code == 200, r.text
    matter_id = r.json()["matter_id"]
    deadline = (utc_now() + timedelta(days=5)).isoformat()
    r = city.post("/api/v1/catalogue/rectifications", json={"matter_id": matter_id, "content": "未拨付经费",
                                                             "deadline": deadline})
    assert r.status_code == 201, r.text
    notice = r.json()
    assert notice["outcome"] == "open" and notice["department_code"] == department_code(CITY, "chengguan")
    assert city.post(f"/api/v1/catalogue/rectifications/{notice['id']}/answer", json={"answer": "x"}).status_code == 403
    assert client_as("dept_sc").post(f"/api/v1/catalogue/rectifications/{notice['id']}/answer",
                                     json={"answer": "x"}).status_code == 404
    r = dept.post(f"/api/v1/catalogue/rectifications/{notice['id']}/answer", json={"answer": "经费已拨付到位"})
    assert r.status_code == 200 and r.json()["outcome"] == "answered"
    assert notice["id"] in {n["id"] for n in dept.get("/api/v1/catalogue/rectifications").json()}
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "rectification_answered"))
