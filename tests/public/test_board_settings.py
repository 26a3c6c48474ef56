"""What the board settings do: the supervision phone of the grid's town or county (JS§19), who
posts the board (``board.published_by``) and whether it is published online (``board.online``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.scope import SYSTEM
from gridgov.kit import tokens
from gridgov.kit.clock import utc_now
from gridgov.models import AuditEntry, Grid
from gridgov.models.territory import Area
from gridgov.policy.loader import load_profile
from gridgov.public.service import OFFLINE

from ..conftest import TEST_SECRET_KEY
from .test_board import CITY, HTML, page

PROFILES = ("zhenjiang", "luzhou", "jiangsu", "qinzhou", "jiangmen")


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def use_board(app, **board):
    profile = app.state.profile
    app.state.profile = profile.model_copy(update={"board": profile.board.model_copy(update=board)})


def shown_phone(client, grid: str) -> str:
    client.cookies.clear()
    return client.get(f"/api/v1/public/boards/{grid}").json()["supervision_phone"]


@pytest.mark.setting("board.supervision_phone")
@pytest.mark.req("A5", "B5")
def test_a_board_shows_its_towns_phone_else_its_countys_else_the_profiles(app, anonymous, client, db, places):
    default = app.state.profile.board.supervision_phone
    assert shown_phone(anonymous, places.grid) == default == shown_phone(anonymous, places.grid2)

    r = client.post(f"/api/v1/supervision-phones/{places.county}", json={"phone": "0511 8444 0001"})
    assert r.status_code == 200, r.text
    assert r.json()["phone"] == "051184440001" and r.json()["shown_source"] == "county"
    assert shown_phone(anonymous, places.grid) == "051184440001"
    assert shown_phone(anonymous, places.grid2) == default, "another county's grid keeps the fallback"

    assert client.post(f"/api/v1/supervision-phones/{places.town}", json={"phone": "0511-84440002"}).status_code == 200
    assert shown_phone(anonymous, places.grid) == "0511-84440002"
    assert "0511-84440002" in page(anonymous, f"/board/{places.grid}")
    assert "0511-84440002" in page(anonymous, f"/board/{places.grid}/print")
    listed = {i["area_code"]: i for i in client.get("/api/v1/supervision-phones").json()}
    assert listed[places.town]["shown_source_label"] == "乡镇（街道）网格化机构"
    assert listed[places.county]["phone"] == "051184440001"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "supervision_phone_set",
                                               AuditEntry.object_id == places.town))
    assert entry is not None and entry.actor == "city_admin" and entry.after["phone"].endswith("02")

    # an empty phone removes the town's own: the county's shows again
    assert client.post(f"/api/v1/supervision-phones/{places.town}", json={"phone": ""}).json()["phone"] == ""
    assert shown_phone(anonymous, places.grid) == "051184440001"

    # the profile's number is the last fallback, whatever the profile says
    use_board(app, supervision_phone="0511-12345")
    assert shown_phone(anonymous, places.grid2) == "0511-12345"


def test_a_supervision_phone_is_checked_and_only_counties_and_towns_have_one(client, client_as, db, places):
    r = client.post(f"/api/v1/supervision-phones/{places.town}", json={"phone": "call me"})
    assert r.status_code == 422 and "监督电话应为" in r.json()["detail"]
    village = db.scalar(select(Area.code).where(Area.parent_code == places.town).order_by(Area.code))
    r = client.post(f"/api/v1/supervision-phones/{village}", json={"phone": "12345"})
    assert r.status_code == 422 and "县（市、区）和乡镇（街道）" in r.json()["detail"]
    r = client.post(f"/api/v1/supervision-phones/{CITY}", json={"phone": "12345"})
    assert r.status_code == 422
    assert client_as("county_dispatcher").get("/api/v1/supervision-phones").status_code == 403

    html = client.get("/supervision-phones", headers=HTML).text
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post(f"/supervision-phones/{places.town}", data={"phone": "x1", "csrf_token": token}, headers=HTML)
    assert r.status_code == 422 and "监督电话应为" in r.text and 'value="x1"' in r.text
    r = client.post(f"/supervision-phones/{places.town}", data={"phone": "0511-84440009", "csrf_token": token},
                    headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert "0511-84440009" in client.get(r.headers["location"], headers=HTML).text


@pytest.mark.setting("board.published_by")
@pytest.mark.req("A5")
@pytest.mark.parametrize("name", PROFILES)
def test_the_board_names_who_posts_it_as_the_profile_says(app, anonymous, db, places, name):
    use_board(app, published_by=load_profile(name).board.published_by)
    body = anonymous.get(f"/api/v1/public/boards/{places.grid}").json()
    chain = {a["level"]: a["name"] for a in body["area"]}
    who = load_profile(name).board.published_by
    if "village_committee" in who:  # JM§8 (and the ZJ/QZ local default): the village/residents' committee
        assert len(body["published_by"]) == 1 and body["published_by"][0].startswith(chain["village"])
        assert body["published_by"][0].endswith("委员会")
    else:  # JS§19, LZ§10: the town; a comprehensive grid has no host unit
        assert body["published_by"] == [chain["town"]]
    assert f'id="board-published-by">{"、".join(body["published_by"])}<' in page(anonymous, f"/board/{places.grid}")


@pytest.mark.setting("board.published_by")
def test_a_dedicated_grids_board_is_posted_by_its_host_unit_too_under_luzhou(app, anonymous, db, places):
    use_board(app, published_by=load_profile("luzhou").board.published_by)
    grid = db.get(Grid, places.grid)
    grid.kind = "dedicated"
    db.flush()
    body = anonymous.get(f"/api/v1/public/boards/{places.grid}").json()
    town = {a["level"]: a["name"] for a in body["area"]}["town"]
    assert body["published_by"] == [town, f"专属网格所在单位（{grid.name}）"]


@pytest.mark.setting("board.online")
@pytest.mark.req("A5")
@pytest.mark.parametrize("name", PROFILES)
def test_boards_are_online_with_a_qr_code_unless_the_profile_prints_them_only(app, anonymous, client, places, name):
    online = load_profile(name).board.online
    use_board(app, online=online)
    assert online != "none"
    assert anonymous.get(f"/api/v1/public/boards/{places.grid}").status_code == 200
    assert 'class="board-qr"' in page(anonymous, f"/board/{places.grid}/print")
    assert anonymous.get(f"/board/{places.grid}/qr.svg").status_code == 200

    use_board(app, online="none")
    anonymous.cookies.clear()
    r = anonymous.get(f"/api/v1/public/boards/{places.grid}")
    assert r.status_code == 404 and r.json()["detail"] == OFFLINE
    assert OFFLINE in page(anonymous, f"/board/{places.grid}", 404)
    assert anonymous.get(f"/board/{places.grid}/qr.svg").status_code == 404
    assert page(anonymous, f"/board/{places.grid}/print", 404)
    anonymous.cookies.clear()
    r = anonymous.post(f"/api/v1/public/boards/{places.grid}/complaints", json={"content": "x"})
    assert r.status_code == 404
    printed = page(client, f"/board/{places.grid}/print")  # staff still print the paper board
    assert 'class="board-qr"' not in printed and "以网上公示为准" not in printed and "网格公示" in printed


def test_a_county_administrator_sets_the_phones_of_its_own_county_and_towns_only(app, db, places):
    """The page and the API list and change only the counties and towns of the jurisdiction; a town
    of another county answers like a missing one (404)."""
    user = create_user(db, SYSTEM, UserCreate(username="phone_county2", display_name="区管理员", role="agency_admin",
                                              password="Phone-test-9931", scope_code=places.county2,
                                              must_change_password=False), now=utc_now(), demo=True)
    db.flush()
    c = TestClient(app)
    c.headers["Authorization"] = "Bearer " + tokens.issue(
        TEST_SECRET_KEY, purpose="api", user_id=user.id, version=user.session_version or 1,
        expires_at=utc_now() + timedelta(hours=1))
    listed = {i["area_code"] for i in c.get("/api/v1/supervision-phones").json()}
    assert places.county2 in listed and places.town2 in listed
    assert all(code.startswith(places.county2[:6]) for code in listed)
    html = c.get("/supervision-phones", headers=HTML).text
    assert f'data-area="{places.town2}"' in html and f'data-area="{places.town}"' not in html
    outside = c.post(f"/api/v1/supervision-phones/{places.town}", json={"phone": "12345"})
    missing = c.post("/api/v1/supervision-phones/321102099000", json={"phone": "12345"})
    assert outside.status_code == missing.status_code == 404
    assert outside.json()["detail"].replace(places.town, "X") == missing.json()["detail"].replace("321102099000", "X")
    assert c.post(f"/api/v1/supervision-phones/{places.town2}", json={"phone": "0511-80000002"}).status_code == 200
    c.close()
