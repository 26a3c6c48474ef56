"""Dedicated grids (A2; QZ§5, QZ§13): their host unit, unit head and competent department, on SQLite
and PostgreSQL. The demo city is zhenjiang's (no dedicated grids); each test loads a new village of
dedicated grids under the demo's first town and acts under the profile named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM
from gridgov.cases import service as cases
from gridgov.cases.schemas import CaseCreate
from gridgov.errors import Conflict, Invalid
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Department, Grid, Notification, User
from gridgov.policy.loader import load_profile
from gridgov.staff import posts
from gridgov.staff import service as staff_service
from gridgov.staff.schemas import PostCreate, StaffCreate
from gridgov.territory import dedicated, transfer
from gridgov.territory import service as territory

from ..conftest import TEST_SECRET_KEY
from .territory_data import box

CITY = "321100000000"
pytestmark = pytest.mark.req("A2")


def _village(town: str, *grids: dict) -> dict:
    village = f"{town[:9]}990"
    feats = [{"type": "Feature", "properties": {"layer": "area", "code": village, "name": "园区社区"},
              "geometry": box(0, 0, 4, 2)}]
    for seq, props in enumerate(grids, start=1):
        base = {"layer": "grid", "code": f"{village}{seq:03d}", "name": f"园区第{seq}网格", "kind": "dedicated",
                "dedicated_type": "park", "households": 40}
        feats.append({"type": "Feature", "properties": {**base, **props}, "geometry": box(2 * seq - 2, 0, 2 * seq, 2)})
    return {"type": "FeatureCollection", "features": feats}


def _dept_kind(profile) -> str:
    return profile.departments[0].code


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


@pytest.mark.setting("territory.dedicated_dual_management")
@pytest.mark.setting("staff.dedicated_leader_is_unit_head")
def test_qz_a_dedicated_grid_must_name_its_unit_head_and_competent_department(db, places):
    qz = load_profile("qinzhou")
    assert qz.territory.dedicated_dual_management and qz.staff.dedicated_leader_is_unit_head  # QZ§5, QZ§13
    bare = _village(places.town, {}, {"competent_department": "no_such_department", "host_unit": "钦州港产业园",
                                      "unit_head": "王建国"})
    bare["features"].append({"type": "Feature", "properties": {
        "layer": "grid", "code": f"{places.town[:9]}990003", "name": "社区网格", "kind": "urban", "households": 300,
        "host_unit": "某公司"}, "geometry": box(4, 0, 5, 2)})
    with pytest.raises(Invalid) as caught:
        transfer.import_feature_collection(db, SYSTEM, bare, profile=qz, now=utc_now())
    reasons: dict[int, list[str]] = {}
    for p in caught.value.details:
        reasons.setdefault(p["index"], []).append(p["reason"])
    assert set(reasons) == {1, 2, 3}
    assert any("host_unit" in r for r in reasons[1]) and any("unit_head" in r for r in reasons[1])
    assert any("双重管理" in r and "competent_department" in r for r in reasons[1])
    assert any("no_such_department" in r and "不是本地政策的联动部门" in r for r in reasons[2])
    assert reasons[3] == ["只有专属网格才能填写 host_unit（所在单位）"]
    assert db.get(Grid, f"{places.town[:9]}990001") is None

    # The same grid without particulars is fine where neither rule is set (LZ§9 leaves it to the city).
    lz = load_profile("luzhou")
    assert not lz.territory.dedicated_dual_management and not lz.staff.dedicated_leader_is_unit_head
    assert "park" in lz.territory.dedicated_types
    transfer.import_feature_collection(db, SYSTEM, _village(places.town, {}), profile=lz, now=utc_now())
    assert db.get(Grid, f"{places.town[:9]}990001").host_unit == ""


@pytest.mark.setting("staff.dedicated_leader_is_unit_head")
def test_qz_only_the_unit_head_may_lead_a_dedicated_grid(db, places):
    qz, now = load_profile("qinzhou"), utc_now()
    kind = _dept_kind(qz)
    particulars = {"host_unit": "钦州港产业园管委会", "unit_head": "王建国", "competent_department": kind}
    data = _village(places.town, particulars)
    transfer.import_feature_collection(db, SYSTEM, data, profile=qz, now=now)
    code = f"{places.town[:9]}990001"
    shown = territory.get_grid_read(db, SYSTEM, code)
    assert (shown.host_unit, shown.unit_head, shown.competent_department) == ("钦州港产业园管委会", "王建国", kind)
    exported = transfer.export_feature_collection(db, SYSTEM, code[:12])
    props = next(f["properties"] for f in exported["features"] if f["properties"]["code"] == code)
    assert props["unit_head"] == "王建国" and props["competent_department"] == kind

    cipher = FieldCipher(TEST_SECRET_KEY)

    def person(name: str) -> int:
        return staff_service.create_staff(db, SYSTEM, StaffCreate(name=name, gender="男", area_code=code[:12]),
                                          cipher=cipher, now=now).id

    post = PostCreate(staff_id=person("李四"), role="leader", grid_code=code, start_date=date(2026, 1, 1))
    with pytest.raises(Conflict, match="单位负责人为王建国"):
        posts.create_post(db, SYSTEM, post, profile=qz, now=now)
    ok = posts.create_post(db, SYSTEM, post.model_copy(update={"staff_id": person("王建国")}), profile=qz, now=now)
    assert ok.grid_code == code
    # Where the profile does not say so (JS), anyone may lead a dedicated grid.
    js = load_profile("jiangsu")
    assert not js.staff.dedicated_leader_is_unit_head
    other = posts.create_post(db, SYSTEM, post.model_copy(update={"staff_id": person("赵六")}), profile=js, now=now)
    assert other.role == "leader"


def _register(db, profile, places, code: str, now) -> str:
    user = db.scalar(select(User).where(User.username == "town_dispatcher"))
    who = Principal(user_id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                    scope_code=user.scope_code)
    data = CaseCreate(title="园区内道路破损", category="zj12_02", source="resident", grid_code=code,
                      address="园区路 1 号")
    return cases.create_case(db, who, data, now=now, profile=profile, cipher=FieldCipher(TEST_SECRET_KEY),
                             media_root=Path("/nonexistent")).case.case_no


@pytest.mark.setting("territory.dedicated_dual_management")
def test_qz_a_case_in_a_dedicated_grid_is_told_to_its_competent_department(db, places):
    qz, now = load_profile("qinzhou"), utc_now()
    kind = _dept_kind(qz)
    particulars = {"host_unit": "钦州港产业园管委会", "unit_head": "王建国", "competent_department": kind}
    data = _village(places.town, particulars,
                    {"kind": "urban", "dedicated_type": None, "households": 300, "name": "社区网格"})
    transfer.import_feature_collection(db, SYSTEM, data, profile=qz, now=now)
    dedicated_grid, plain_grid = f"{places.town[:9]}990001", f"{places.town[:9]}990002"
    if db.scalar(select(Department).where(Department.kind == kind)) is None:  # the demo's are zhenjiang's
        db.add(Department(code=f"{places.county}-{kind}", kind=kind, name=f"测试区{qz.departments[0].name}部门",
                          level="county", area_code=places.county, is_active=True, created_at=now))
        db.flush()
    dept = dedicated.competent_department(db, dedicated_grid)
    assert dept is not None and dept.kind == kind and dedicated_grid.startswith(dept.area_code.rstrip("0"))
    assert dedicated.competent_department(db, plain_grid) is None
    receiver = User(username="qz_dept_test", display_name="主管部门受理员", password_hash="x", role="dept_receiver",
                    scope_code=dept.area_code, department_code=dept.code, is_active=True, created_at=now,
                    updated_at=now)
    db.add(receiver)
    db.flush()

    def told() -> list[Notification]:
        return list(db.scalars(select(Notification).where(Notification.user_id == receiver.id)))

    case_no = _register(db, qz, places, dedicated_grid, now)
    (notice,) = told()
    assert notice.kind == "dedicated_grid_case" and case_no in notice.message and "钦州港产业园管委会" in notice.message
    _register(db, qz, places, plain_grid, now)
    assert len(told()) == 1  # a comprehensive grid's case is the locality's alone

    # Without dual management (the same grid under a profile that does not set it) nobody is told.
    single = qz.model_copy(update={"territory": qz.territory.model_copy(update={"dedicated_dual_management": False})})
    _register(db, single, places, dedicated_grid, now)
    assert len(told()) == 1


def test_a_dedicated_grids_particulars_show_in_the_api_and_on_its_page(client, db, places):
    qz = load_profile("qinzhou")
    particulars = {"host_unit": "<b>钦州港产业园</b>管委会", "unit_head": "王建国",
                   "competent_department": _dept_kind(qz)}
    transfer.import_feature_collection(db, SYSTEM, _village(places.town, particulars), profile=qz, now=utc_now())
    code = f"{places.town[:9]}990001"
    body = client.get(f"/api/v1/grids/{code}").json()
    assert (body["host_unit"], body["unit_head"], body["competent_department"]) == (
        "<b>钦州港产业园</b>管委会", "王建国", _dept_kind(qz))
    page = client.get(f"/grids/{code}").text
    assert "&lt;b&gt;钦州港产业园&lt;/b&gt;管委会" in page and "<b>钦州港产业园" not in page
    assert "单位负责人" in page and "王建国" in page and "业务主管部门" in page
