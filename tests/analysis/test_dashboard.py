"""The leaders' dashboard pages (/dashboard, /dashboard/screen): who sees them, what they read, how
they refuse bad input; the browser scenario is tests/analysis/test_browser_dashboard.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gridgov.analysis import dashboard
from gridgov.authz import Principal
from gridgov.errors import Invalid

HTML = {"accept": "text/html"}
NOW = datetime(2026, 3, 15, 4, 0, tzinfo=UTC)


def me(scope="320000000000"):
    return Principal(user_id=1, username="x", display_name="x", role="agency_admin", scope_code=scope)


def test_the_query_defaults_to_this_month_and_the_users_area():
    q = dashboard.parse(me("321102000000"), area=None, month_from=None, month_to=None, now=NOW)
    assert (q.area, q.first.isoformat(), q.last.isoformat()) == ("321102000000", "2026-03-01", "2026-03-31")
    q = dashboard.parse(me(), area="321100000000", month_from="2025-12", month_to="2026-02", now=NOW)
    assert (q.first.isoformat(), q.last.isoformat(), q.month_from, q.month_to) == (
        "2025-12-01", "2026-02-28", "2025-12", "2026-02")
    leap = dashboard.parse(me(), area=None, month_from="2024-02", month_to=None, now=NOW)
    assert leap.last.isoformat() == "2024-02-29"


@pytest.mark.parametrize("month_from,month_to", [("2026-13", None), ("2026-3", None), ("2026-04", "2026-03"),
                                                 ("2020-01", "2026-03"), (None, "March")])
def test_bad_months_are_refused_in_chinese(month_from, month_to):
    with pytest.raises(Invalid) as exc:
        dashboard.parse(me(), area=None, month_from=month_from, month_to=month_to, now=NOW)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)


def test_a_figures_link_is_the_case_list_page_with_the_same_filters():
    assert dashboard.page_url("/api/v1/cases?area=321102000000&from=2026-03-01&to=2026-03-31") == \
        "/cases/mine?area=321102000000&from=2026-03-01&to=2026-03-31"
    assert dashboard.page_url("/api/v1/cases") == "/cases/mine"


def _menu(html: str) -> bool:
    return 'href="/dashboard"' in html.split('<main', 1)[0]


@pytest.mark.parametrize("username,sees", [("city_admin", True), ("county_dispatcher", True), ("leader", True),
                                           ("dept_cg", True), ("auditor", False), ("worker", False)])
def test_the_menu_offers_the_dashboard_to_who_may_read_figures(client_as, username, sees):
    c = client_as(username)
    page = c.get("/account", headers=HTML)
    assert _menu(page.text) is sees
    r = c.get("/dashboard", headers=HTML)
    assert r.status_code == (200 if sees else 403)
    if sees:
        assert "领导驾驶舱" in r.text and c.get("/dashboard/screen", headers=HTML).status_code == 200


def test_the_dashboard_refuses_bad_input_and_areas_outside(client_as):
    c = client_as("town_dispatcher")
    assert c.get("/dashboard?from=2026-13", headers=HTML).status_code == 422
    assert c.get("/dashboard?from=2026-03&to=2026-01", headers=HTML).status_code == 422
    assert c.get("/dashboard?area=999999999999", headers=HTML).status_code == 404
    assert c.get("/dashboard?area=abc", headers=HTML).status_code == 404
    assert c.get("/dashboard?area=" + "1" * 13, headers=HTML).status_code == 422


def test_the_trend_has_every_month_and_an_empty_months_link_keeps_the_filters():
    answer = {"items": [{"key": "2026-02", "name": "2026-02", "reported": 4, "closed": 1, "overdue": 0,
                         "cases_url": "/api/v1/cases?area=321102000000&lead=d1&from=2026-02-01&to=2026-02-28"}],
              "totals": {"cases_url": "/api/v1/cases?area=321102000000&lead=d1&from=2025-12-10&to=2026-02-28"}}
    rows = dashboard._months(answer, date(2025, 12, 10), date(2026, 2, 28))
    assert [r["key"] for r in rows] == ["2025-12", "2026-01", "2026-02"]
    assert [r["reported"] for r in rows] == [0, 0, 4]
    assert rows[0]["href"] == "/cases/mine?area=321102000000&lead=d1&from=2025-12-10&to=2025-12-31"
    assert rows[1]["href"] == "/cases/mine?area=321102000000&lead=d1&from=2026-01-01&to=2026-01-31"
    assert rows[2]["href"] == "/cases/mine?area=321102000000&lead=d1&from=2026-02-01&to=2026-02-28"
