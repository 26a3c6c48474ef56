"""实有人口 pages: masked list, search by exact number through a POST form (never in the URL), a
person's page with the reveal form (reason asked, values for that answer only), its access log,
moves and relations; outside the jurisdiction a 404."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.models.registry import Person, PersonAccess

from .people_fixtures import add_person, make_id

CITY = "321100000000"
HTML = {"accept": "text/html"}
HTMX = {**HTML, "HX-Request": "true"}


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def test_the_list_is_masked_and_the_number_search_is_a_post(client_as, places, db):
    number = make_id()
    person = add_person(db, name="周列表", grid=places.grid, id_number=number, phone="13800009999")
    worker = client_as("worker")
    r = worker.get("/registry/people", headers=HTML)
    assert r.status_code == 200 and f'data-person="{person.id}"' in r.text
    assert number not in r.text and "13800009999" not in r.text and "*" * 14 + number[-4:] in r.text
    assert 'href="/registry/people"' in r.text  # the menu entry under 基础信息
    assert 'method="post" action="/registry/people/search"' in r.text
    found = worker.post("/registry/people/search", data={"id_number": number.lower()}, headers=HTMX)
    assert found.status_code == 200 and f'data-person="{person.id}"' in found.text
    assert found.headers["cache-control"] == "no-store" and number not in found.text
    assert db.scalar(select(PersonAccess.action).where(PersonAccess.person_id == person.id)) == "search"
    assert worker.post("/registry/people/search", data={}, headers=HTML).status_code == 422
    by_name = worker.get("/registry/people", params={"q": "周列"}, headers=HTMX)
    assert re.search(r'id="people-total" data-total="1"', by_name.text)


def test_a_person_page_logs_the_view_and_reveals_only_with_a_reason(client, client_as, places, db):
    number = make_id()
    person = add_person(db, name="<b>吴</b>", grid=places.grid, id_number=number, phone="13800001234")
    worker = client_as("worker")
    page = worker.get(f"/registry/people/{person.id}", headers=HTML)
    assert page.status_code == 200 and "&lt;b&gt;吴&lt;/b&gt;" in page.text and "<b>吴</b>" not in page.text
    assert number not in page.text and "138****1234" in page.text and "查看完整信息" not in page.text
    admin_page = client.get(f"/registry/people/{person.id}", headers=HTML)
    assert "查看完整信息" in admin_page.text and number not in admin_page.text
    assert 'data-action="view"' in admin_page.text  # the worker's view, in the access log shown
    url = f"/registry/people/{person.id}/reveal"
    refused = client.post(url, data={"reason": "other", "reason_text": ""}, headers=HTMX)
    assert refused.status_code == 422 and number not in refused.text and "写明" in refused.text
    shown = client.post(url, data={"reason": "visit"}, headers=HTMX)
    assert shown.status_code == 200 and number in shown.text and "13800001234" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    whole = client.post(url, data={"reason": "contact"}, headers=HTML)  # without script: the whole page
    assert whole.status_code == 200 and number in whole.text and whole.headers["cache-control"] == "no-store"
    again = client.get(f"/registry/people/{person.id}", headers=HTML)
    assert number not in again.text and again.text.count('data-action="reveal"') == 2
    assert worker.post(url, data={"reason": "visit"}, headers=HTML).status_code == 403


def test_register_move_and_relate_through_the_pages(client_as, places, db):
    worker = client_as("worker")
    bad = make_id()[:17] + "Y"
    r = worker.post("/registry/people/new", data={"name": "郑新", "id_number": bad, "grid_code": places.grid},
                    headers=HTML, follow_redirects=False)
    assert r.status_code == 422 and bad not in r.text
    number = make_id()
    r = worker.post("/registry/people/new", data={"name": "郑新", "id_number": number, "grid_code": places.grid,
                                                   "phone": "13900001111", "ethnicity": "03"},
                    headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    person = db.scalar(select(Person).where(Person.name == "郑新"))
    relative = add_person(db, name="郑亲", grid=places.grid)
    r = worker.post(f"/registry/people/{person.id}/relations", data={"relative_id": relative.id, "relation": "spouse"},
                    headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    r = worker.post(f"/registry/people/{person.id}/moves", data={"kind": "out", "moved_on": "2024-05-01"},
                    headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    page = worker.get(f"/registry/people/{person.id}", headers=HTML).text
    assert "已迁出" in page and "郑亲" in page and "配偶" in page and "回族" in page
    r = worker.post(f"/registry/people/{person.id}/edit", data={"name": "郑新", "phone": "12"}, headers=HTML)
    assert r.status_code == 422 and "手机号格式不正确" in r.text


def test_a_person_outside_is_missing_on_every_page(client_as, places, db):
    person = add_person(db, grid=places.grid)
    other = client_as("worker2")
    for r in (other.get(f"/registry/people/{person.id}", headers=HTML),
              other.post(f"/registry/people/{person.id}/moves", data={"kind": "out", "moved_on": "2024-01-01"},
                         headers=HTML),
              other.post(f"/registry/people/{person.id}/relations", data={"relative_id": person.id,
                                                                          "relation": "spouse"}, headers=HTML)):
        assert r.status_code == 404
    assert client_as("auditor").get("/registry/people", headers=HTML).status_code == 403
