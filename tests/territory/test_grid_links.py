"""The grid page links to its board, its staff on post and its cases, each only where the user may open
it; the staff list (page and API) narrows to the staff on post in one grid."""

from __future__ import annotations

import re

import pytest

from gridgov.accounts.demo import demo_places

from ..public.test_board import add_staff, clear_posts

CITY = "321100000000"
HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def get(client, url: str, status: int = 200) -> str:
    r = client.get(url, headers=HTML)
    assert r.status_code == status, (url, r.status_code, r.text[:400])
    return r.text


def links(html: str) -> dict[str, str]:
    return dict(re.findall(r'id="(grid-\w+-link)" href="([^"]+)"', html))


def test_the_grid_page_links_to_its_board_staff_and_cases(client_as, places):
    html = get(client_as("town_dispatcher"), f"/grids/{places.grid}")
    assert links(html) == {"grid-board-link": f"/board/{places.grid}",
                           "grid-staff-link": f"/staff?grid={places.grid}",
                           "grid-cases-link": f"/cases/mine?grid={places.grid}"}
    # A worker may not open the staff list: no link it would meet a 403 behind.
    assert set(links(get(client_as("worker"), f"/grids/{places.grid}"))) == {"grid-board-link", "grid-cases-link"}


def test_every_link_of_the_grid_page_opens(client_as, places):
    town = client_as("town_dispatcher")
    hrefs = links(get(town, f"/grids/{places.grid}")).values()
    assert len(hrefs) == 3
    for href in hrefs:
        get(town, href)


def test_the_staff_list_narrows_to_the_staff_on_post_in_a_grid(client_as, db, places):
    clear_posts(db, places.grid)
    add_staff(db, places.grid, "周在岗", role="leader")
    town = client_as("town_dispatcher")
    body = town.get("/api/v1/staff", params={"grid": places.grid}).json()
    assert [s["name"] for s in body["items"]] == ["周在岗"] and body["total"] == 1
    html = get(town, f"/staff?grid={places.grid}")
    assert "周在岗" in html and 'id="staff-grid-filter"' in html
    assert town.get("/api/v1/staff").json()["total"] > 1
    # A grid outside the jurisdiction answers like a missing one.
    assert town.get("/api/v1/staff", params={"grid": places.grid2}).status_code == 404
    assert town.get(f"/staff?grid={places.grid2}", headers=HTML).status_code == 404
