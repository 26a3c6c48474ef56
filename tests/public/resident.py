"""Helpers of the resident channel's tests: a point inside a grid, the challenge solved, a report."""

from __future__ import annotations

import re

import shapely
from sqlalchemy import select

from gridgov.geo.crs import wgs84_to_gcj02
from gridgov.models import Grid

NUMERALS = "零一二三四五六七八九"


def solve(question: str) -> str:
    """The answer to the challenge's question (``七加五等于几？``), as a resident would give it."""
    m = re.match(r"^([一二三四五六七八九])([加减])([一二三四五六七八九])等于几", question)
    assert m, question
    a, b = NUMERALS.index(m.group(1)), NUMERALS.index(m.group(3))
    return str(a + b if m.group(2) == "加" else a - b)


def inside(db, grid_code: str) -> tuple[float, float]:
    """A WGS84 point inside the grid."""
    wkb = db.scalar(select(Grid.geom_wkb).where(Grid.code == grid_code))
    p = shapely.point_on_surface(shapely.from_wkb(wkb))
    return p.x, p.y


def gcj02(lon: float, lat: float) -> tuple[float, float]:
    x, y = wgs84_to_gcj02(lon, lat)
    return float(x), float(y)


def a_type(app) -> str:
    return app.state.case_types.groups()[0]["types"][0].code


def challenge(client) -> dict:
    r = client.get("/api/v1/public/challenge")
    assert r.status_code == 200, r.text
    got = r.json()
    return {"challenge_token": got["token"], "challenge_answer": solve(got["question"])}


def report(client, app, point, *, phone="13912345678", crs="wgs84", **extra):
    body = {"type": a_type(app), "description": "小区门口路灯不亮已经一周", "lon": point[0], "lat": point[1],
            "crs": crs, "address": "解放路 8 号", "phone": phone, **challenge(client), **extra}
    return client.post("/api/v1/public/reports", json=body)
