"""The territory settings that change behaviour (issue 13: no setting unread), on SQLite and PostgreSQL:
``territory.micro_grids`` under the profiles that set it, and why there is no ``exclusive_division``."""

from __future__ import annotations

import json

import pytest

from gridgov.authz.permissions import ROLE_PERMISSIONS, Permission
from gridgov.authz.scope import SYSTEM
from gridgov.errors import Invalid
from gridgov.kit.clock import utc_now
from gridgov.models.accounts import DEPARTMENT_ROLES
from gridgov.policy.loader import load_profile
from gridgov.policy.schema.territory import Territory
from gridgov.territory import coverage, transfer

from .territory_data import TOWN, VILLAGE, small_city


def _with_micro_grid_on_the_first_grid() -> dict:
    data = small_city()
    data["features"].append({"type": "Feature", "properties": {
        "layer": "micro_grid", "code": f"{VILLAGE}00101", "name": "第1微网格", "households": 40}, "geometry": None})
    return data


@pytest.mark.setting("territory.micro_grids")
@pytest.mark.req("A1")
def test_micro_grid_findings_follow_the_profile(db):
    zhenjiang, luzhou, qinzhou = (load_profile(n) for n in ("zhenjiang", "luzhou", "qinzhou"))
    assert zhenjiang.territory.micro_grids == "required"    # ZJ§6 应当将综合网格划分为若干个微网格
    assert luzhou.territory.micro_grids == "encouraged"     # LZ§8 鼓励和支持有条件的乡镇街道划分微网格
    assert qinzhou.territory.micro_grids == "allowed"       # local default: QZ says nothing
    transfer.import_feature_collection(db, SYSTEM, _with_micro_grid_on_the_first_grid(), profile=zhenjiang,
                                       now=utc_now())
    required = coverage.check_coverage(db, SYSTEM, TOWN, profile=zhenjiang).micro_grid_findings
    assert [(f.grid_code, f.severity) for f in required] == [(f"{VILLAGE}002", "required")]
    assert "应当划分微网格" in required[0].message
    encouraged = coverage.check_coverage(db, SYSTEM, TOWN, profile=luzhou).micro_grid_findings
    assert [(f.grid_code, f.severity) for f in encouraged] == [(f"{VILLAGE}002", "encouraged")]
    assert coverage.check_coverage(db, SYSTEM, TOWN, profile=qinzhou).micro_grid_findings == []


@pytest.mark.setting("territory.micro_grids")
def test_a_profile_without_micro_grids_refuses_them_at_import(db):
    qinzhou = load_profile("qinzhou")
    none = qinzhou.model_copy(update={"territory": qinzhou.territory.model_copy(update={"micro_grids": "none"})})
    with pytest.raises(Invalid) as caught:
        transfer.import_feature_collection(db, SYSTEM, _with_micro_grid_on_the_first_grid(), profile=none,
                                           now=utc_now())
    assert [(p["index"], p["reason"]) for p in caught.value.details] == [(6, "本地政策（钦州市）不设微网格")]
    transfer.import_feature_collection(db, SYSTEM, _with_micro_grid_on_the_first_grid(), profile=qinzhou,
                                       now=utc_now())


@pytest.mark.req("A3")
def test_no_department_may_cut_grids_of_its_own_whatever_the_profile(client_as):
    """QZ§6, JM§8 其他部门不得另行划分网格: the platform has one division, cut only by grid agencies, so
    this is no setting (``exclusive_division`` left the schema): no department role holds a permission
    that writes grids, and a department's import or proposal is refused."""
    assert "exclusive_division" not in Territory.model_fields
    writes = {Permission.TERRITORY_IMPORT, Permission.ADJUSTMENT_PROPOSE, Permission.ADJUSTMENT_APPROVE,
              Permission.ADJUSTMENT_FILE}
    for role in DEPARTMENT_ROLES:
        assert not ROLE_PERMISSIONS[role] & writes, role
    dept = client_as("dept_cg")
    r = dept.post("/api/v1/grids/import", content=json.dumps(small_city()),
                  headers={"content-type": "application/json"})
    assert r.status_code == 403 and "无权" in r.json()["detail"]
    r = dept.post("/api/v1/adjustments", json={})
    assert r.status_code == 403
