"""The public board of a grid (公示, LZ§10, JS§19, JM§8): opens without login, shows the grid, its
area, the staff in post today with their work phones and the supervision phone, and nothing
private; follows posts and retirement at once; prints on A4 with a QR code of its own address."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from gridgov.accounts.demo import demo_places
from gridgov.kit.clock import local, utc_now
from gridgov.kit.crypto import FieldCipher, mask_id_number, mask_phone
from gridgov.models import Grid, MicroGrid, Post, StaffMember
from gridgov.models.territory import GridStatus
from gridgov.public.qr import qr_svg

from ..conftest import TEST_SECRET_KEY

CITY = "321100000000"
HTML = {"Accept": "text/html,application/xhtml+xml"}
PRIVATE_PHONE = "13987654321"
ID_NUMBER = "32110219900101123X"


def today() -> date:
    return local(utc_now()).date()


def add_staff(
    db,
    grid_code: str,
    name: str,
    *,
    role: str = "fulltime",
    work_phone: str = "0511-85550001",
    start: date | None = None,
    end: date | None = None,
    status: str = "active",
    micro_grid_code: str | None = None,
) -> StaffMember:
    """A staff member with private data (encrypted, masked) and one post at the grid."""
    cipher = FieldCipher(TEST_SECRET_KEY)
    now = utc_now()
    staff = StaffMember(
        name=name,
        gender="女",
        area_code=grid_code[:12],
        phone_enc=cipher.encrypt(PRIVATE_PHONE),
        phone_mask=mask_phone(PRIVATE_PHONE),
        id_number_enc=cipher.encrypt(ID_NUMBER),
        id_number_index=cipher.blind_index(name + ID_NUMBER),
        id_number_mask=mask_id_number(ID_NUMBER),
        work_phone=work_phone,
        created_at=now,
        updated_at=now,
    )
    db.add(staff)
    db.flush()
    db.add(
        Post(
            staff_id=staff.id,
            role=role,
            scope_code=micro_grid_code or grid_code,
            grid_code=grid_code,
            micro_grid_code=micro_grid_code,
            start_date=start or today() - timedelta(days=30),
            end_date=end,
            status=status,
            created_at=now,
            activated_at=now if status == "active" else None,
        )
    )
    db.flush()
    return staff


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def clear_posts(db, grid_code: str) -> None:
    """Ends every post at the grid yesterday (the demo may have staffed it), for exact lists."""
    db.execute(
        update(Post)
        .where(Post.grid_code == grid_code, Post.status == "active")
        .values(status="ended", end_date=today() - timedelta(days=1))
    )
    db.flush()


def vacant_grid(db) -> str:
    """An active grid nobody has ever been posted to."""
    staffed = select(Post.grid_code).where(Post.grid_code.is_not(None))
    return db.scalar(
        select(Grid.code).where(Grid.status == GridStatus.ACTIVE,
                                Grid.code.not_in(staffed)).order_by(Grid.code).limit(1)
    )


def page(client, url: str, status: int = 200) -> str:
    r = client.get(url, headers=HTML)
    assert r.status_code == status, (url, r.status_code, r.text[:400])
    return r.text


def assert_nothing_private(text: str) -> None:
    for secret in (PRIVATE_PHONE, mask_phone(PRIVATE_PHONE), ID_NUMBER, mask_id_number(ID_NUMBER)):
        assert secret not in text


@pytest.mark.req("A5")
@pytest.mark.setting("board.supervision_phone")
def test_the_board_opens_without_login_and_shows_its_staff_and_supervision_phone(anonymous, db, places):
    clear_posts(db, places.grid)
    add_staff(db, places.grid, "赵公示", role="leader", work_phone="0511-85550001")
    add_staff(db, places.grid, "钱公示", role="fulltime", work_phone="13800001111")
    grid = db.get(Grid, places.grid)

    html = page(anonymous, f"/board/{places.grid}")
    assert grid.name in html and "赵公示" in html and "钱公示" in html
    assert "0511-85550001" in html and "13800001111" in html
    assert "网格长" in html and "专职网格员" in html
    assert "监督电话" in html and "12345" in html
    assert_nothing_private(html)
    assert html.index("赵公示") < html.index("钱公示"), "网格长排在前面"

    r = anonymous.get(f"/api/v1/public/boards/{places.grid}")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["grid_code"] == places.grid and body["name"] == grid.name
    assert body["area"][-1]["code"] == grid.area_code and body["area"][-2]["code"] == places.town
    assert [a["level"] for a in body["area"]][-4:] == ["city", "county", "town", "village"]
    assert body["outline"]["type"] in ("Polygon", "MultiPolygon")
    assert body["supervision_phone"] == "12345"
    assert [(s["role"], s["role_label"], s["name"], s["work_phone"]) for s in body["staff"]] == [
        ("leader", "网格长", "赵公示", "0511-85550001"),
        ("fulltime", "专职网格员", "钱公示", "13800001111"),
    ]
    assert_nothing_private(r.text)
    assert_nothing_private(page(anonymous, f"/board/{places.grid}/print"))


def test_a_board_without_staff_says_so(anonymous, db):
    code = vacant_grid(db)
    html = page(anonymous, f"/board/{code}")
    assert "暂无公示的网格员" in html and 'id="board-staff"' not in html
    assert anonymous.get(f"/api/v1/public/boards/{code}").json()["staff"] == []


@pytest.mark.req("B7")
def test_the_demo_staff_appear_with_work_phones_and_nothing_private(anonymous, db, places):
    """Whatever staff the grid has (the demo staffs it through the staff services), the board shows
    names and work phones and none of the private phone, ID number or their masks."""
    cipher = FieldCipher(TEST_SECRET_KEY)
    add_staff(db, places.grid, "沈补充")
    people = db.scalars(
        select(StaffMember).join(Post, Post.staff_id == StaffMember.id)
        .where(Post.grid_code == places.grid, Post.status == "active")
    ).all()
    html = page(anonymous, f"/board/{places.grid}")
    body = anonymous.get(f"/api/v1/public/boards/{places.grid}").text
    printed = page(anonymous, f"/board/{places.grid}/print")
    for person in people:
        secrets_ = [person.phone_mask, person.id_number_mask]
        secrets_ += [cipher.decrypt(b) for b in (person.phone_enc, person.id_number_enc) if b]
        for text in (html, body, printed):
            assert person.name in text
            if person.work_phone:
                assert person.work_phone in text
            for secret in filter(None, secrets_):
                if secret != person.work_phone:
                    assert secret not in text, (person.name, secret)


def test_the_board_shows_only_posts_in_force_today_including_micro_grids(anonymous, db, places):
    clear_posts(db, places.grid)
    micro = MicroGrid(code=places.grid + "99", grid_code=places.grid, name="测试微网格", households=10,
                      status="active", created_at=utc_now())
    db.add(micro)
    db.flush()
    add_staff(db, places.grid, "孙在岗")
    add_staff(db, places.grid, "周联络", role="liaison", micro_grid_code=micro.code)
    add_staff(db, places.grid, "吴离任", end=today() - timedelta(days=1))
    add_staff(db, places.grid, "郑未到", start=today() + timedelta(days=1))
    add_staff(db, places.grid, "王待培", status="pending")
    add_staff(db, places.grid, "冯今天走", end=today())
    names = [s["name"] for s in anonymous.get(f"/api/v1/public/boards/{places.grid}").json()["staff"]]
    assert sorted(names) == sorted(["孙在岗", "周联络", "冯今天走"])
    assert names[-1] == "周联络", "微网格人员排在后面"


@pytest.mark.req("A5")
def test_the_board_changes_the_moment_a_post_ends(anonymous, db, places):
    clear_posts(db, places.grid)
    staff = add_staff(db, places.grid, "陈即将离任")
    assert "陈即将离任" in page(anonymous, f"/board/{places.grid}")
    db.execute(update(Post).where(Post.staff_id == staff.id)
               .values(status="ended", end_date=today() - timedelta(days=1)))
    db.flush()
    assert "陈即将离任" not in page(anonymous, f"/board/{places.grid}")
    assert anonymous.get(f"/api/v1/public/boards/{places.grid}").json()["staff"] == []


def test_a_retired_grid_and_an_unknown_code_give_the_same_chinese_404(anonymous, db, places):
    assert anonymous.get(f"/api/v1/public/boards/{places.grid}").status_code == 200
    db.execute(update(Grid).where(Grid.code == places.grid).values(status=GridStatus.RETIRED, retired_at=utc_now()))
    db.flush()
    unknown = "321102001001999"
    for code in (places.grid, unknown):
        html = page(anonymous, f"/board/{code}", status=404)
        assert "没有找到该网格公示" in html and f"没有找到网格 {code} 的公示（网格不存在或已撤销）" in html
        r = anonymous.get(f"/api/v1/public/boards/{code}")
        assert r.status_code == 404
        assert r.json()["detail"] == f"没有找到网格 {code} 的公示（网格不存在或已撤销）"
        assert anonymous.get(f"/board/{code}/qr.svg", headers=HTML).status_code == 404
        assert anonymous.get(f"/board/{code}/print", headers=HTML).status_code == 404


@pytest.mark.req("A5")
def test_the_qr_code_and_the_print_view_carry_the_boards_own_address(anonymous, places):
    url = f"http://testserver/board/{places.grid}"
    r = anonymous.get(f"/board/{places.grid}/qr.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.text == qr_svg(url), "二维码编码的是本公示的绝对网址"
    assert r.headers["cache-control"] == "no-store"

    for html in (page(anonymous, f"/board/{places.grid}?print=1"), page(anonymous, f"/board/{places.grid}/print")):
        assert 'class="sheet"' in html and "<h1 class=\"sheet__title\">网格公示</h1>" in html
        assert qr_svg(url, inline=True) in html
    assert f'<span class="sheet__url" id="board-url">{url}</span>' in html
    assert 'class="board-outline"' in html and "<path d=\"M" in html
    assert "css/board.css" in html
    css = anonymous.get("/static/css/board.css").text
    assert "@page" in css and "A4 portrait" in css


def test_the_board_page_loads_only_assets_of_the_app(anonymous, places):
    html = page(anonymous, f"/board/{places.grid}")
    for link in re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", html):
        assert link.startswith(("/", "#", "data:", "tel:")), link  # tel: a tap-to-call phone, loads nothing
    assert "/static/vendor/leaflet/leaflet.js" in html and 'id="board-map"' in html


@pytest.mark.req("A5")
@pytest.mark.setting("board.fields")
def test_the_board_shows_only_the_fields_the_profile_lists(app, anonymous, db, places):
    clear_posts(db, places.grid)
    add_staff(db, places.grid, "褚不公示")
    profile = app.state.profile
    app.state.profile = profile.model_copy(
        update={"board": profile.board.model_copy(update={"fields": ["grid_name", "area"]})}
    )
    body = anonymous.get(f"/api/v1/public/boards/{places.grid}").json()
    assert body["staff"] == [] and body["supervision_phone"] is None and body["name"]
    app.state.profile = profile.model_copy(
        update={"board": profile.board.model_copy(update={"fields": ["staff_names", "supervision_phone"]})}
    )
    body = anonymous.get(f"/api/v1/public/boards/{places.grid}").json()
    assert body["name"] is None and body["area"] == []
    assert [(s["name"], s["work_phone"]) for s in body["staff"]] == [("褚不公示", None)]
    html = page(anonymous, f"/board/{places.grid}")
    assert "褚不公示" in html and "0511-85550001" not in html


def test_the_board_schema_is_in_the_openapi_document(anonymous):
    spec = anonymous.get("/openapi.json").json()
    op = spec["paths"]["/api/v1/public/boards/{grid_code}"]["get"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/BoardRead")
    props = spec["components"]["schemas"]["BoardRead"]["properties"]
    assert {"grid_code", "name", "kind", "area", "outline", "staff", "supervision_phone"} <= set(props)
    assert "/api/v1/public/boards/{grid_code}/complaints" in spec["paths"]


@pytest.mark.req("B7")
def test_the_board_reads_no_private_column(db, places):
    """The board query selects public columns only, so private data cannot leak by accident."""
    from sqlalchemy import event

    from gridgov.public.repository import list_board_posts

    add_staff(db, places.grid, "蒋查询")
    engine = db.get_bind().engine
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement.lower())

    event.listen(engine, "before_cursor_execute", record)
    try:
        rows = list_board_posts(db, places.grid, today())
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert rows and set(rows[0].__dataclass_fields__) == {"staff_id", "name", "work_phone", "role", "changed_at"}
    assert statements and all("staff_members.name" in s for s in statements)
    private = ("phone_enc", "phone_mask", "id_number", "birth_date", "photo_hash", "gender")
    assert not [c for s in statements for c in private if c in s], statements
    mine = [r for r in rows if r.name == "蒋查询"]
    assert mine and PRIVATE_PHONE[-4:] not in repr(mine) and ID_NUMBER[-4:] not in repr(mine)


def test_the_board_takes_the_same_number_of_queries_whatever_its_staff(anonymous, db, places):
    from sqlalchemy import event

    clear_posts(db, places.grid)
    engine = db.get_bind().engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def queries() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert anonymous.get(f"/api/v1/public/boards/{places.grid}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    add_staff(db, places.grid, "一号")
    one = queries()
    for i in range(5):
        add_staff(db, places.grid, f"多号{i}")
    assert queries() == one
