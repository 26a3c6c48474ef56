"""``/api/v1/webhooks``: what a client may subscribe with, what it reads back, and bad input that
changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gridgov.models.webhooks import Webhook

from .webhook_data import SECRET, as_client, places, subscribe, user


@pytest.fixture
def dept(app, db, api_client):
    p = places(db)
    _, key = api_client("department", p.county, user(db, "dept_cg").department_code)
    return as_client(app, key)


def _count(db) -> int:
    return db.scalar(select(func.count(Webhook.id)))


@pytest.mark.parametrize(("body", "says"), [
    ({"url": "ftp://10.0.0.8/hook", "events": ["*"], "secret": SECRET}, "http"),
    ({"url": "http://127.0.0.1:8080/hook", "events": ["*"], "secret": SECRET}, "本机"),  # default: intranet only
    ({"url": "http://169.254.169.254/latest", "events": ["*"], "secret": SECRET}, "链路本地"),
    ({"url": "https://10.0.0.8/hook", "events": ["sign", "bogus"], "secret": SECRET}, "未知的事件动作"),
    ({"url": "https://10.0.0.8/hook", "events": ["*"], "secret": "short"}, ""),
    ({"url": "https://10.0.0.8/hook", "events": [], "secret": SECRET}, ""),
    ({"url": "https://10.0.0.8/hook", "events": ["*"], "secret": " " + SECRET}, "空白"),
])
def test_bad_subscriptions_are_refused_in_chinese_and_store_nothing(dept, db, body, says):
    before = _count(db)
    r = dept.post("/api/v1/webhooks", json=body)
    assert r.status_code == 422, r.text
    assert says in r.json()["detail"] and r.json()["code"]
    assert _count(db) == before


def test_a_subscription_is_read_back_without_its_secret_which_is_stored_encrypted(dept, db, app):
    hook = subscribe(dept, "https://10.20.30.40:8443/gridgov", events=["sign", "dispatch"])
    r = dept.get(f"/api/v1/webhooks/{hook}")
    assert r.status_code == 200
    assert r.json()["events"] == ["dispatch", "sign"] and r.json()["url"] == "https://10.20.30.40:8443/gridgov"
    assert "secret" not in r.json()
    assert [h["id"] for h in dept.get("/api/v1/webhooks").json()] == [hook]
    stored = db.get(Webhook, hook)
    assert SECRET.encode() not in stored.secret_enc and app.state.cipher.decrypt(stored.secret_enc) == SECRET
    page = dept.get(f"/api/v1/webhooks/{hook}/deliveries").json()
    assert (page["items"], page["total"]) == ([], 0)


def test_a_person_cannot_subscribe(client_as):
    r = client_as("city_admin").post("/api/v1/webhooks", json={"url": "https://10.0.0.8/h", "events": ["*"],
                                                               "secret": SECRET})
    assert r.status_code == 403


def test_another_clients_subscription_is_missing_to_it(dept, app, db, api_client):
    hook = subscribe(dept, "https://10.0.0.8/hook")
    p = places(db)
    _, key = api_client("hotline", p.county)
    other = as_client(app, key)
    for method, path in (("get", f"/api/v1/webhooks/{hook}"), ("get", f"/api/v1/webhooks/{hook}/deliveries"),
                         ("delete", f"/api/v1/webhooks/{hook}")):
        r = getattr(other, method)(path)
        assert r.status_code == 404 and "不存在" in r.json()["detail"], (method, path)
    assert other.get("/api/v1/webhooks").json() == []
    assert dept.get(f"/api/v1/webhooks/{hook}").status_code == 200  # untouched by the other's DELETE
