"""Jiangmen's two catalogue rules (JM§9), on the demo city run under jiangmen's profile (SQLite and
PostgreSQL): a county admission list follows the city's classification directory, so a matter
admitted to it names one of the directory's classes; and every published version of a county list
is submitted for filing with the city agency, which records the filing once. Under qinzhou (no
filing) filing answers 409."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gridgov.accounts.demo import demo_places
from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM
from gridgov.catalogue import rules as crules
from gridgov.catalogue import service
from gridgov.catalogue.schemas import ApplicationCreate, DecisionIn, MatterIn, ReviewIn
from gridgov.catalogue.starter import seed_catalogue
from gridgov.errors import Conflict, Forbidden, Invalid, NotFound
from gridgov.kit.clock import local, utc_now
from gridgov.models import AuditEntry, CatalogueList, Matter, Notification, User
from gridgov.models.catalogue import CatalogueApplication, ListVersion
from gridgov.policy.loader import load_profile

CITY = "321100000000"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


@pytest.fixture
def jm(db):
    """Jiangmen's profile, with its catalogue seeded on the demo city: the city's classification
    directory holds the seven JM§11 items (jm11_01 … jm11_07); the county admission lists are empty."""
    profile = load_profile("jiangmen")
    seed_catalogue(db, profile, CITY, now=utc_now())
    return profile


def who(db, username: str, *, role: str | None = None, scope: str | None = None,
        department: str | None = "keep") -> Principal:
    user = db.scalar(select(User).where(User.username == username))
    return Principal(user_id=user.id, username=user.username, display_name=user.display_name, role=role or user.role,
                     scope_code=scope or user.scope_code,
                     department_code=user.department_code if department == "keep" else department)


def agency(db, area: str) -> Principal:
    return who(db, "city_admin", role="agency_admin", scope=area, department=None)


def county_list(db, profile, county: str):
    (cl,) = service.ensure_lists(db, profile, county, now=utc_now())
    assert cl.kind == "admission" and cl.follows_list_id is not None
    return cl


def admission(list_id: int, name: str, class_code: str = "") -> ApplicationCreate:
    return ApplicationCreate(kind="admission", list_id=list_id, reason="县级联动部门申请纳入",
                             matter=MatterIn(name=name, description="巡查并上报", legal_basis="JM§9",
                                             class_code=class_code))


def applications_count(db) -> int:
    return db.scalar(select(func.count()).select_from(CatalogueApplication))


# ---------------------------------------------------------------- the classification directory


def test_the_directory_classes_rule_is_pure_and_lists_the_classes():
    classes = {"jm11_01": "群众需求收集和问题隐患巡查", "jm11_02": "协助基础信息和动态信息采集核查"}
    assert crules.class_problem("jm11_02", classes) is None
    missing = crules.class_problem("", classes)
    assert "请填写事项所属的准入分类" in missing and "jm11_01（群众需求收集和问题隐患巡查）" in missing
    assert "不在市准入分类目录中" in crules.class_problem("X9", classes)
    assert crules.classifies_by_directory(load_profile("jiangmen").catalogue)
    assert not crules.classifies_by_directory(load_profile("zhenjiang").catalogue)  # follows a basic list


@pytest.mark.req("C1")
@pytest.mark.setting("catalogue.county_follows_city")
def test_a_county_admission_names_a_class_of_the_city_directory(db, places, jm):
    now = utc_now()
    cl = county_list(db, jm, places.county)
    dept, county = who(db, "dept_cg"), agency(db, places.county)
    before = applications_count(db)
    with pytest.raises(Invalid, match="准入分类") as no_class:
        service.submit(db, dept, admission(cl.id, "占道经营巡查"), profile=jm, now=now)
    assert "jm11_01（群众需求收集和问题隐患巡查）" in no_class.value.message
    assert {"field": "matter.class_code", "reason": no_class.value.details[0]["reason"]} in no_class.value.details
    with pytest.raises(Invalid, match="分类 X99 不在市准入分类目录中"):
        service.submit(db, dept, admission(cl.id, "占道经营巡查", "X99"), profile=jm, now=now)
    assert applications_count(db) == before  # nothing written

    app = service.submit(db, dept, admission(cl.id, "占道经营巡查", "jm11_01"), profile=jm, now=now)
    service.review(db, county, app.id, ReviewIn(), profile=jm, now=now)
    service.approve(db, county, app.id, DecisionIn(), profile=jm, now=now)
    matter = db.get(Matter, app.matter_id)
    assert (matter.class_code, matter.status) == ("jm11_01", "in_force")

    # a change must keep the matter in a class of the directory
    bad = ApplicationCreate(kind="change", list_id=cl.id, matter_id=matter.id, reason="调整分类",
                            matter=MatterIn(name=matter.name, class_code="nope"))
    with pytest.raises(Invalid, match="分类 nope 不在"):
        service.submit(db, dept, bad, profile=jm, now=now)
    good = bad.model_copy(update={"matter": MatterIn(name=matter.name, class_code="jm11_03")})
    assert service.submit(db, dept, good, profile=jm, now=now).status == "submitted"

    # a matter of the directory that has left it is no longer a class
    jm11_02 = db.scalar(select(Matter).where(Matter.code == "jm11_02"))
    service.exit_matter(db, jm11_02, reason="分类调整", now=now)
    with pytest.raises(Invalid, match="分类 jm11_02 不在"):
        service.submit(db, dept, admission(cl.id, "另一事项", "jm11_02"), profile=jm, now=now)

    # ... and one that leaves it between application and approval stops the approval
    pending = service.submit(db, dept, admission(cl.id, "第三个事项", "jm11_04"), profile=jm, now=now)
    service.review(db, county, pending.id, ReviewIn(), profile=jm, now=now)
    service.exit_matter(db, db.scalar(select(Matter).where(Matter.code == "jm11_04")), reason="分类调整", now=now)
    with pytest.raises(Conflict, match="分类 jm11_04 不在"):
        service.approve(db, county, pending.id, DecisionIn(), profile=jm, now=now)
    assert db.get(type(pending), pending.id).status == "reviewed"


def test_elsewhere_no_class_is_asked(db, places):
    """Zhenjiang's county list follows the basic list, not a directory: no class needed."""
    now, zj = utc_now(), load_profile("zhenjiang")
    (cl,) = service.ensure_lists(db, zj, places.county, now=now)
    app = service.submit(db, who(db, "dept_cg"), admission(cl.id, "无分类事项"), profile=zj, now=now)
    assert app.status == "submitted"


# ---------------------------------------------------------------- filing with the city


def approved_county_version(db, places, jm, now) -> ListVersion:
    cl = county_list(db, jm, places.county)
    county = agency(db, places.county)
    app = service.submit(db, who(db, "dept_cg"), admission(cl.id, "沿街店铺安全巡查", "jm11_01"), profile=jm, now=now)
    service.review(db, county, app.id, ReviewIn(), profile=jm, now=now)
    service.approve(db, county, app.id, DecisionIn(), profile=jm, now=now)
    return db.scalar(select(ListVersion).where(ListVersion.application_id == app.id))


@pytest.mark.req("C1")
@pytest.mark.setting("catalogue.county_lists_filed_with_city")
def test_a_county_version_is_submitted_for_filing_and_the_city_agency_files_it_once(db, places, jm):
    now = utc_now()
    version = approved_county_version(db, places, jm, now)
    assert version.filed_at is None and version.number >= 2
    city_admin = db.scalar(select(User).where(User.username == "city_admin"))
    key = f"catalogue_filing:{version.id}:{city_admin.id}"
    told = db.scalar(select(Notification).where(Notification.dedupe_key == key))
    assert told is not None and told.user_id == city_admin.id and "报市网格化机构备案" in told.message
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "catalogue_version_submitted_for_filing",
                                              AuditEntry.object_id == str(version.id)))
    city = who(db, "city_admin")
    assert version.id in {v.id for v, _ in service.pending_filings(db, city, profile=jm)}
    assert service.pending_filings(db, agency(db, places.county), profile=jm) == []  # only the city files

    with pytest.raises(Forbidden, match="市网格化机构"):
        service.file_version(db, agency(db, places.county), version.id, "", profile=jm, now=now)
    with pytest.raises(Forbidden):
        service.file_version(db, who(db, "dept_cg", scope=CITY), version.id, "", profile=jm, now=now)
    with pytest.raises(NotFound):
        service.file_version(db, agency(db, places.county2), version.id, "", profile=jm, now=now)
    with pytest.raises(NotFound):
        service.file_version(db, city, 10**9, "", profile=jm, now=now)

    filed = service.file_version(db, city, version.id, " 同意备案 ", profile=jm, now=now)
    assert (filed.filed_by, filed.filing_note) == (city_admin.id, "同意备案") and filed.filed_at is not None
    with pytest.raises(Conflict, match="已备案"):
        service.file_version(db, city, version.id, "again", profile=jm, now=now)
    assert db.get(ListVersion, version.id).filing_note == "同意备案"
    assert version.id not in {v.id for v, _ in service.pending_filings(db, city, profile=jm)}
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "catalogue_version_filed", AuditEntry.object_id == str(version.id))) == 1


@pytest.mark.setting("catalogue.county_lists_filed_with_city")
def test_no_filing_for_a_city_list_nor_under_a_profile_without_it(db, places, jm):
    now, city = utc_now(), who(db, "city_admin")
    directory = db.scalar(select(ListVersion).join(CatalogueList, CatalogueList.id == ListVersion.list_id)
                          .where(CatalogueList.kind == "directory"))
    with pytest.raises(Conflict, match="只有县级清单"):
        service.file_version(db, city, directory.id, "", profile=jm, now=now)
    qz = load_profile("qinzhou")
    (qz_list,) = service.ensure_lists(db, qz, CITY, now=now)
    qz_version = service.publish_version(db, qz_list, now=now, summary="钦州清单", profile=qz)
    with pytest.raises(Conflict, match="未规定"):
        service.file_version(db, city, qz_version.id, "", profile=qz, now=now)
    county_version = approved_county_version(db, places, jm, now)
    with pytest.raises(Conflict, match="未规定"):
        service.file_version(db, city, county_version.id, "", profile=qz, now=now)
    assert service.pending_filings(db, city, profile=qz) == []
    assert db.scalar(select(func.count()).select_from(Notification).where(
        Notification.dedupe_key.startswith(f"catalogue_filing:{qz_version.id}:"))) == 0


# ---------------------------------------------------------------- over HTTP, and the public page


@pytest.fixture
def county_admin(app, db, places):
    create_user(db, SYSTEM, UserCreate(username="jm_county_admin", display_name="区网格化机构", password="demo12345",
                                     role="agency_admin", scope_code=places.county, must_change_password=False),
                now=utc_now(), demo=True)
    db.commit()
    c = TestClient(app)
    r = c.post("/api/v1/auth/token", json={"username": "jm_county_admin", "password": "demo12345"})
    assert r.status_code == 200, r.text
    c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    yield c
    c.close()


def test_over_http_the_city_agency_files_and_the_public_history_shows_it(app, db, places, jm, client_as,
                                                                        county_admin, anonymous):
    app.state.profile = jm
    now = utc_now()
    version = approved_county_version(db, places, jm, now)
    db.commit()
    city, dept = client_as("city_admin"), client_as("dept_cg")

    pending = city.get("/api/v1/catalogue/filings").json()
    assert version.id in {v["id"] for v in pending}
    page = city.get("/catalogue/applications")
    assert page.status_code == 200 and "待备案的县级清单版本" in page.text
    assert f'action="/catalogue/versions/{version.id}/file"' in page.text
    assert "待备案的县级清单版本" not in county_admin.get("/catalogue/applications").text

    r = county_admin.post(f"/api/v1/catalogue/versions/{version.id}/file", json={"note": "x"})
    assert r.status_code == 403 and "市网格化机构" in r.json()["detail"]
    assert dept.post(f"/api/v1/catalogue/versions/{version.id}/file", json={}).status_code == 403
    r = city.post(f"/api/v1/catalogue/versions/{version.id}/file", json={"note": "准予备案"})
    assert r.status_code == 200, r.text
    assert r.json()["filing_note"] == "准予备案" and r.json()["filed_at"]
    r = city.post(f"/api/v1/catalogue/versions/{version.id}/file", json={})
    assert r.status_code == 409 and "已备案" in r.json()["detail"]
    # the page's form answers a second filing with the Chinese message and a 409
    r = city.post(f"/catalogue/versions/{version.id}/file", data={"note": "再次"})
    assert r.status_code == 409 and "已备案" in r.text

    body = anonymous.get(f"/catalogue/{places.county}").text
    db.expire_all()
    day = local(db.get(ListVersion, version.id).filed_at).date().isoformat()
    assert f"已报市网格化机构备案（{day}）" in body
    assert "待备案" in body  # version 1 (the seeded empty list) is still pending
    assert "群众需求收集和问题隐患巡查（jm11_01）" in body  # the class named on the county matter
    versions = anonymous.get(f"/api/v1/catalogue/lists/{version.list_id}/versions").json()
    assert next(v for v in versions if v["id"] == version.id)["filing_note"] == "准予备案"

    app.state.profile = load_profile("qinzhou")
    r = city.post(f"/api/v1/catalogue/versions/{version.id}/file", json={})
    assert r.status_code == 409 and "未规定" in r.json()["detail"]
