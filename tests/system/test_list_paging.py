"""Every list that can grow pages, in the API and the page (issue 14): complaints, staffing gaps and
users answer ``page``/``page_size`` with the total of the whole match, bounded; another town's rows
neither appear nor count. (Cases: tests/cases/test_case_search*.py; notices:
tests/notify/test_notice_todos.py; the audit log: tests/audit.)"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from gridgov.accounts.demo import demo_places
from gridgov.kit.clock import utc_now
from gridgov.models import BoardComplaint

CITY = "321100000000"
HTML = {"accept": "text/html"}


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def _total(html: str, name: str) -> int:
    return int(re.search(rf'id="{name}" data-total="(\d+)"', html).group(1))


def test_complaints_page_in_the_api_and_the_page(client_as, db, places):
    now = utc_now()
    db.add_all([BoardComplaint(grid_code=places.grid, town_code=places.town, content=f"投诉 {i}", status="received",
                               received_at=now - timedelta(minutes=i)) for i in range(55)])
    db.add(BoardComplaint(grid_code=places.grid2, town_code=places.town2, content="另一镇的投诉", status="received",
                          received_at=now))
    db.commit()
    town = client_as("town_dispatcher")
    first = town.get("/api/v1/complaints", params={"page_size": 20}).json()
    assert set(first) == {"items", "total", "page", "page_size"} and first["total"] == 55 and len(first["items"]) == 20
    ids = [c["id"] for p in (1, 2, 3) for c in town.get("/api/v1/complaints",
                                                         params={"page_size": 20, "page": p}).json()["items"]]
    assert len(ids) == len(set(ids)) == 55  # each once
    assert first["items"][0]["content"] == "投诉 0" and first["items"][-1]["content"] == "投诉 19"  # newest first
    assert town.get("/api/v1/complaints", params={"page_size": 201}).status_code == 422
    assert town.get("/api/v1/complaints", params={"page": 0}).status_code == 422
    html = town.get("/complaints", headers=HTML).text
    assert _total(html, "complaint-total") == 55 and "第 1 / 2 页" in html and "另一镇的投诉" not in html
    assert 'href="/complaints?page=2"' in html
    assert "投诉 54" in town.get("/complaints?page=2", headers=HTML).text
    assert client_as("city_admin").get("/api/v1/complaints", params={"page_size": 1}).json()["total"] == 56


def test_staffing_gaps_page_in_the_api_and_the_page(client):
    everything = client.get("/api/v1/staff/gaps", params={"page_size": 1000}).json()
    total = everything["total"]
    assert total >= len(everything["gaps"]) > 100 and len(everything["gaps"]) == min(total, 1000)
    first = client.get("/api/v1/staff/gaps", params={"page_size": 40}).json()
    assert first["total"] == total and len(first["gaps"]) == 40 and first["counts"] == everything["counts"]
    second = client.get("/api/v1/staff/gaps", params={"page_size": 40, "page": 2}).json()
    assert second["gaps"] == everything["gaps"][40:80]
    assert client.get("/api/v1/staff/gaps", params={"page_size": 1001}).status_code == 422
    html = client.get("/staff/gaps", headers=HTML).text
    assert _total(html, "gap-total") == total and "前 500 处" not in html
    assert html.count("<tr>") - 1 == min(total, 100)  # one page of rows (and the header)
    if total > 100:
        assert re.search(r'href="/staff/gaps\?area=\d{12}&amp;page=2"', html)
        later = client.get("/staff/gaps", params={"page": 2}, headers=HTML).text
        assert later.count("<tr>") - 1 == min(total - 100, 100)


def test_users_page_in_the_api(client_as):
    admin = client_as("city_admin")
    everything = admin.get("/api/v1/users", params={"page_size": 200}).json()
    assert set(everything) == {"items", "total", "page", "page_size"}
    assert everything["total"] == len(everything["items"]) >= 10
    pages = [u["username"] for p in range(1, 5) for u in admin.get("/api/v1/users",
                                                                   params={"page_size": 3, "page": p}).json()["items"]]
    assert pages == [u["username"] for u in everything["items"]][:12]
    assert [u["username"] for u in admin.get("/api/v1/users", params={"q": "worker2"}).json()["items"]] == ["worker2"]
    assert admin.get("/api/v1/users", params={"page_size": 0}).status_code == 422
    assert admin.get("/api/v1/users", params={"area": "12"}).status_code == 422


def test_users_and_audit_pages_show_a_pager_and_the_rest_on_page_two(client_as, monkeypatch):
    """The users and audit pages: a list longer than a page shows the pager, page 2 the rest."""
    from gridgov.accounts import admin_web
    from gridgov.audit import web as audit_web

    monkeypatch.setattr(admin_web, "PAGE_SIZE", 4)
    admin = client_as("city_admin")
    names = [u["username"] for u in admin.get("/api/v1/users", params={"page_size": 200}).json()["items"]]
    first, second = (admin.get("/users", params={"page": p}, headers=HTML).text for p in (1, 2))
    assert 'class="pager"' in first and 'href="/users?page=2"' in first
    shown = [n for n in names if f">{n}<" in first]
    later = [n for n in names if f">{n}<" in second]
    assert shown == names[:4] and later == names[4:8]

    monkeypatch.setattr(audit_web, "PAGE_SIZE", 3)
    auditor = client_as("auditor")
    total = auditor.get("/api/v1/audit", params={"page_size": 1}).json()["total"]
    assert total > 3
    html = auditor.get("/audit", headers=HTML).text
    assert _total(html, "audit-total") == total and 'class="pager"' in html and "page=2" in html
    ids = [re.findall(r'class="audit-entry" data-id="(\d+)"', auditor.get("/audit", params={"page": p},
                                                                          headers=HTML).text) for p in (1, 2)]
    everything = [str(e["id"]) for e in auditor.get("/api/v1/audit", params={"page_size": 6}).json()["items"]]
    assert ids == [everything[:3], everything[3:6]]
