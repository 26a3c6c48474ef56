"""Helpers of the resident channel's tests: a point inside a grid, the challenge solved, a report."""

from __future__ import annotations

import re

import shapely
from sqlalchemy import select

from gridgov.geo.crs import wgs84_to_gcj02
from gridgov.models import Grid
from gridgov.models.messages import OutboundMessage

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


def last_sms(db, template: str) -> OutboundMessage:
    return db.scalar(select(OutboundMessage).where(OutboundMessage.template == template)
                     .order_by(OutboundMessage.id.desc()).limit(1))


def sms_code(client, db, phone: str, purpose: str = "report") -> str:
    """Asks for a code for ``phone`` and reads it from the message stored for the phone (the demo's
    development sink: demo mode counts as a configured SMS channel)."""
    r = client.post("/api/v1/public/sms-codes", json={"phone": phone, "purpose": purpose, **challenge(client)})
    assert r.status_code == 201, r.text
    message = last_sms(db, "sms_code")
    assert message.phone_mask.endswith(phone[-4:])
    return re.search(r"验证码 (\d{6})", message.text).group(1)


def report(client, app, point, *, db=None, phone="13912345678", crs="wgs84", **extra):
    """Reports as a resident; with ``db``, first gets the SMS code the demo's channel asks for."""
    code = sms_code(client, db, phone) if db is not None and "sms_code" not in extra else extra.pop("sms_code", "")
    body = {"type": a_type(app), "description": "小区门口路灯不亮已经一周", "lon": point[0], "lat": point[1],
            "crs": crs, "address": "解放路 8 号", "phone": phone, "sms_code": code, **challenge(client), **extra}
    return client.post("/api/v1/public/reports", json=body)


def png(color=(200, 30, 30)) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()
