"""The webhooks' jurisdiction matrix: every demo account × ``/api/v1/webhooks`` (clients only), the
agency's ``/webhooks/failed`` page and the flag on a case's page, with one failed delivery in each
county (A: the demo grid, dispatched to A's 城管; B: worker2's grid); and clients × each other's
subscriptions. Expected by hand from the role table (webhooks.manage: clients; webhooks.oversee:
agency administrators) and the jurisdictions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridgov.authz.principal import Principal
from gridgov.interop import webhooks
from gridgov.kit.clock import utc_now
from gridgov.models.webhooks import CaseEvent, Webhook, WebhookDelivery

from ..analysis.warning_data import add_case, places, user
from ..interop.conftest import api_client  # noqa: F401  (the foundation's fixture: API clients)
from ..interop.webhook_data import as_client, subscribe
from .matrix_common import Failures

HTML = {"accept": "text/html"}

PAGE = {  # account: (status of /webhooks/failed, the counties whose failure it lists)
    "city_admin": (200, {"A", "B"}),
    "county_dispatcher": (403, set()),
    "town_dispatcher": (403, set()),
    "leader": (403, set()),
    "dept_cg": (403, set()),
    "dept_sc": (403, set()),
    "worker": (403, set()),
    "worker2": (403, set()),
    "auditor": (403, set()),
    "security_admin": (403, set()),
}


@pytest.fixture
def failed(db, app, api_client):  # noqa: F811 (the fixture imported)
    """One failed delivery per county, of a subscription of a department's system."""
    p = places(db)
    now = utc_now()
    cg = user(db, "dept_cg").department_code
    client_id, _ = api_client("department", p.county, cg, name="城管业务系统")
    hook = Webhook(client_id=client_id, area_code=p.county, url="https://10.0.0.8/hook", events=["*"],
                   secret_enc=app.state.cipher.encrypt("x" * 16), created_at=now)
    db.add(hook)
    cases = {"A": add_case(db, p.grid, now - timedelta(days=2), department=cg),
             "B": add_case(db, p.grid2, now - timedelta(days=2))}
    for case in cases.values():
        event = CaseEvent(event_id=f"00000000-0000-4000-8000-{case.id:012d}", case_id=case.id, case_no=case.case_no,
                          seq=1, action="create", from_state="", to_state=case.state, at=now, fanned_at=now)
        db.add(event)
        db.flush()
        db.add(WebhookDelivery(webhook_id=hook.id, event_id=event.id, case_id=case.id, status="failed", attempts=30,
                               created_at=now - timedelta(days=1), last_status=503, last_error="HTTP 503",
                               done_at=now))
    db.flush()
    return p, {k: c.case_no for k, c in cases.items()}


def test_every_account_sees_the_failed_deliveries_of_its_jurisdiction_only(client_as, failed):
    p, nos = failed
    failures = Failures()
    for username, (status, sees) in PAGE.items():
        c = client_as(username)
        page = c.get("/webhooks/failed", headers=HTML)
        failures.check(page.status_code == status, f"{username}: /webhooks/failed → {page.status_code}，应为 {status}")
        for county, no in nos.items():
            if status == 200:
                listed = f'data-case="{no}"' in page.text and "城管业务系统" in page.text
                failures.check(listed == (county in sees), f"{username}: 列表中 {county} 的失败推送")
            case_page = c.get(f"/cases/{no}", headers=HTML)
            if case_page.status_code == 200:  # whoever sees the case sees its flag
                failures.check('id="webhook-failed"' in case_page.text, f"{username}: 事件 {county} 未标出推送失败")
        for method, path in (("get", "/api/v1/webhooks"), ("post", "/api/v1/webhooks"), ("get", "/api/v1/webhooks/1"),
                             ("delete", "/api/v1/webhooks/1"), ("get", "/api/v1/webhooks/1/deliveries")):
            body = {"url": "https://10.0.0.8/h", "events": ["*"], "secret": "x" * 16}
            answer = getattr(c, method)(path, **({"json": body} if method == "post" else {})).status_code
            failures.check(answer == 403, f"{username}: {method.upper()} {path} → {answer}，应为 403（仅接口客户端）")
    assert not failures.items, "\n".join(failures.items)


def test_an_agency_of_the_other_county_lists_only_its_own_failures(db, failed):
    p, nos = failed
    county_b = Principal(user_id=999999, username="b_admin", display_name="B 区管理员", role="agency_admin",
                         scope_code=p.county2)
    listed = {row.case_no for row in webhooks.failed_deliveries(db, county_b).items}
    assert listed == {nos["B"]}


def test_clients_see_their_own_subscriptions_only(app, db, api_client):  # noqa: F811 (the fixture imported)
    p = places(db)
    keys = {
        "cg": api_client("department", p.county, user(db, "dept_cg").department_code)[1],
        "sc": api_client("department", p.county, user(db, "dept_sc").department_code)[1],
        "hotline": api_client("hotline", p.county)[1],
    }
    clients = {name: as_client(app, key) for name, key in keys.items()}
    hooks = {name: subscribe(c, f"https://10.0.0.8/{name}") for name, c in clients.items()}
    failures = Failures()
    for name, c in clients.items():
        listed = [h["id"] for h in c.get("/api/v1/webhooks").json()]
        failures.check(listed == [hooks[name]], f"{name}: 列出 {listed}")
        for other, hook in hooks.items():
            expected = 200 if other == name else 404
            for path in (f"/api/v1/webhooks/{hook}", f"/api/v1/webhooks/{hook}/deliveries"):
                answer = c.get(path).status_code
                failures.check(answer == expected, f"{name}: GET {path}（{other}）→ {answer}，应为 {expected}")
    assert not failures.items, "\n".join(failures.items)
