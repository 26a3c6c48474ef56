"""Imports and exports of the register (issue 15): all or nothing with each bad row's line, column and
reason; jurisdiction; masked exports by default; full exports only with the permission, a reason and
an audit entry; watermarks; formula-safe cells."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.errors import Invalid
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Area, AuditEntry, User
from gridgov.models.registry import Address, House, Person, PersonAccess, Unit
from gridgov.models.territory import AreaLevel
from gridgov.registry import importing, layout
from gridgov.registry.demo import demo_id_number
from gridgov.registry.rules import id_check_digit, uscc_check_char


@pytest.fixture(scope="session")
def demo_engine(register_engine):
    """These tests work on the demo town's synthetic register (tests/registry/conftest.py)."""
    return register_engine

pytestmark = pytest.mark.req("D3")

IMPORT = "/api/v1/registry/import"


def _id(first17: str) -> str:
    return first17 + id_check_digit(first17)


def _uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def _csv(kind: str, rows: list[dict]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    cols = layout.import_columns(kind)
    w.writerow([c.heading for c in cols])
    for r in rows:
        w.writerow([r.get(c.key, "") for c in cols])
    return out.getvalue().encode("utf-8-sig")


def _xlsx(kind: str, rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    cols = layout.import_columns(kind)
    ws.append([c.heading for c in cols])
    for r in rows:
        ws.append([r.get(c.key, "") for c in cols])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _post(client, kind: str, content: bytes, name: str = "f.csv"):
    return client.post(IMPORT, data={"kind": kind}, files={"file": (name, content, "application/octet-stream")})


def _places(db):
    city = db.scalar(select(Area.code).where(Area.level == AreaLevel.CITY))
    return demo_places(db, city)


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _cipher(client) -> FieldCipher:
    return client.app.state.cipher


def test_import_with_bad_rows_writes_nothing_and_names_each_row(db, client):
    places = _places(db)
    village = places.grid[:12]
    county = places.county
    taken = demo_id_number(0, county)  # a demo person already registered
    good = _id(f"{county[:6]}19800101123")
    rows = [
        {"name": "赵一", "id_number": good, "residence_kind": "户籍人口", "area_code": village},
        {"name": "钱二", "id_number": good[:17] + ("1" if good[17] != "1" else "2"), "residence_kind": "户籍人口",
         "area_code": village},  # bad check digit: line 3
        {"name": "孙三", "id_number": _id(f"{county[:6]}19800102123"), "residence_kind": "户籍人口",
         "area_code": "999999999999"},  # unknown area: line 4
        {"name": "李四", "id_number": good, "residence_kind": "户籍人口", "area_code": village},  # dup in file: 5
        {"name": "周五", "id_number": _id(f"{county[:6]}19800103123"), "residence_kind": "户籍人口",
         "area_code": village, "birth_date": "1980-13-40"},  # bad date: 6
        {"name": "吴六", "id_number": _id(f"{county[:6]}19800104123"), "residence_kind": "户籍人口",
         "area_code": village, "gender": "7"},  # bad code: 7
        {"name": "郑七", "id_number": taken, "residence_kind": "户籍人口", "area_code": village},  # in db: 8
    ]
    before = _count(db, Person)
    r = _post(client, "people", _csv("people", rows))
    assert r.status_code == 422, r.text
    body = r.json()
    assert "未导入任何数据" in body["detail"]
    got = {(e["line"], e["column"]) for e in body["errors"]}
    assert got == {(3, "公民身份号码"), (4, "现住村（社区）代码"), (5, "公民身份号码"), (6, "出生日期"),
                   (7, "性别"), (8, "公民身份号码")}
    reasons = {e["line"]: e["reason"] for e in body["errors"]}
    assert "校验位" in reasons[3] and "不存在" in reasons[4] and "第 2 行" in reasons[5]
    assert "已登记" in reasons[8]
    assert _count(db, Person) == before
    assert good not in r.text and taken not in r.text


def test_good_import_of_each_kind(db, client):
    places = _places(db)
    grid, village, county = places.grid, places.grid[:12], places.county
    cipher = _cipher(client)
    addresses = [{"area_code": village, "road": "测试路", "house_no": str(n), "grid_code": grid,
                  "lon": "", "lat": ""} for n in (1, 2, 3)]
    r = _post(client, "addresses", _xlsx("addresses", addresses), "a.xlsx")
    assert r.status_code == 200, r.text
    assert r.json() == {"kind": "addresses", "created": 3}
    codes = db.scalars(select(Address.code).where(Address.road == "测试路").order_by(Address.house_no)).all()
    assert len(codes) == 3 and all(c.startswith(village) for c in codes)

    r = _post(client, "houses", _xlsx("houses", [{"address_code": c, "usage": "出租"} for c in codes[:2]]), "h.xlsx")
    assert r.status_code == 200, r.text
    assert db.scalar(select(func.count()).select_from(House).where(House.usage == "rented",
                                                                   House.scope_code == grid)) >= 2

    number, phone = _id(f"{county[:6]}19900101123") .lower(), "13912345678"
    people = [{"name": "王测试", "id_number": number, "gender": "男", "ethnicity": "汉族", "phone": phone,
               "residence_kind": "流动人口", "address_code": codes[0]}]
    r = _post(client, "people", _xlsx("people", people), "p.xlsx")
    assert r.status_code == 200, r.text
    person = db.scalar(select(Person).where(Person.id_number_index == cipher.blind_index(number.upper())))
    assert person is not None and person.source == "import" and person.scope_code == grid
    assert cipher.decrypt(person.id_number_enc) == number.upper() and cipher.decrypt(person.phone_enc) == phone
    assert person.id_number_mask.endswith(number.upper()[-4:]) and person.ethnicity == "01"
    assert person.residence_kind == "floating" and person.gender == "1" and person.house_id is not None

    uscc = _uscc("91" + county[:6] + "MA1TEXY01")
    r = _post(client, "units", _csv("units", [{"name": "测试商店", "uscc": uscc, "address_code": codes[2],
                                               "contact_phone": "0511-84441234"}]))
    assert r.status_code == 200, r.text
    unit = db.scalar(select(Unit).where(Unit.uscc == uscc))
    assert unit.scope_code == grid and cipher.decrypt(unit.contact_phone_enc) == "0511-84441234"
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "registry_imported")).all()
    assert {e.object_id for e in entries} >= {"addresses", "houses", "people", "units"}
    assert all(number.upper() not in (e.detail + str(e.after)) for e in entries)


def test_out_of_jurisdiction_rows_are_refused(db):
    places = _places(db)
    admin = db.scalar(select(User).where(User.username == "city_admin"))
    town2_admin = Principal(user_id=admin.id, username="t2", display_name="另一街道管理员", role="agency_admin",
                            scope_code=places.town2)
    cipher = FieldCipher("k" * 48)
    rows = [importing.Row(2, {"area_code": places.grid[:12], "road": "越界路", "house_no": "1"}),
            importing.Row(3, {"area_code": places.grid2[:12], "road": "本辖区路", "house_no": "1",
                              "grid_code": places.grid})]
    before = _count(db, Address)
    with pytest.raises(Invalid) as err:
        importing.import_rows(db, town2_admin, "addresses", rows, cipher=cipher, now=utc_now())
    problems = {(p["line"], p["column"]): p["reason"] for p in err.value.details}
    assert problems[(2, "所属村（社区）代码")] == "不在您的辖区内"
    assert "不在您的辖区内" in problems[(3, "网格编码")]
    assert _count(db, Address) == before
    # a house at an address of another town is refused as unknown (outside looks like missing)
    code = db.scalar(select(Address.code).where(Address.scope_code.startswith(places.grid[:12])).limit(1))
    with pytest.raises(Invalid) as err:
        importing.import_rows(db, town2_admin, "houses", [importing.Row(2, {"address_code": code, "usage": "自住"})],
                              cipher=cipher, now=utc_now())
    assert err.value.details[0]["reason"] == "地址编码不存在或不在您的辖区内"


def _sheet(content: bytes):
    wb = load_workbook(io.BytesIO(content))
    return wb, [list(r) for r in wb.active.iter_rows(values_only=True)]


def test_export_is_masked_by_default_and_watermarked(db, client_as):
    places = _places(db)
    worker = client_as("worker")
    r = worker.get("/api/v1/registry/export.xlsx", params={"kind": "people", "grid": places.grid})
    assert r.status_code == 200, r.text
    wb, rows = _sheet(r.content)
    assert "张网格（worker）" in rows[0][0] and "导出时间" in rows[0][0] and "已脱敏" in rows[0][0]
    assert wb.properties.creator == "worker" and "worker" in wb.properties.description
    assert "worker" in wb.active.oddHeader.center.text
    assert rows[1] == layout.headings("people")
    people = db.scalars(select(Person).where(Person.scope_code == places.grid)).all()
    assert len(rows) - 2 == len(people) > 0
    cipher = client_as("worker").app.state.cipher
    numbers = {cipher.decrypt(p.id_number_enc) for p in people}
    for row in rows[2:]:
        assert row[2].startswith("**************") and row[2] not in numbers
        assert row[6] is None or "****" in row[6]
        assert row[5] is None or row[5].endswith("年")
    # another town's grid is missing for the worker
    r = worker.get("/api/v1/registry/export.xlsx", params={"kind": "people", "grid": places.grid2})
    assert r.status_code == 404


def test_full_export_needs_permission_reason_and_is_audited(db, client_as):
    places = _places(db)
    body = {"kind": "people", "grid": places.grid, "reason": "verification"}
    assert client_as("worker").post("/api/v1/registry/export-full.xlsx", json=body).status_code == 403
    admin = client_as("city_admin")
    r = admin.post("/api/v1/registry/export-full.xlsx", json={"kind": "people", "grid": places.grid})
    assert r.status_code == 422 and "理由" in r.json()["detail"]
    r = admin.post("/api/v1/registry/export-full.xlsx", json={**body, "reason": "other", "reason_text": ""})
    assert r.status_code == 422
    before = _count(db, PersonAccess)
    r = admin.post("/api/v1/registry/export-full.xlsx", json=body)
    assert r.status_code == 200, r.text
    wb, rows = _sheet(r.content)
    assert "市网格中心管理员（city_admin）" in rows[0][0] and "未脱敏" in rows[0][0]
    assert wb.properties.keywords == "未脱敏"
    cipher = admin.app.state.cipher
    people = db.scalars(select(Person).where(Person.scope_code == places.grid)).all()
    assert {row[2] for row in rows[2:]} == {cipher.decrypt(p.id_number_enc) for p in people}
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "registry_exported_full"))
    assert entry.actor == "city_admin" and "核查核对" in entry.detail and entry.after["people"] == len(people)
    assert all(row[2] not in entry.detail + str(entry.after) for row in rows[2:])
    assert _count(db, PersonAccess) == before + len(people)
    log = db.scalars(select(PersonAccess).where(PersonAccess.person_id == people[0].id)).all()
    assert [(a.action, a.username, a.reason) for a in log][-1] == ("export", "city_admin", "verification")


def test_full_export_round_trips_through_the_import_reader(db, client):
    places = _places(db)
    r = client.post("/api/v1/registry/export-full.xlsx",
                    json={"kind": "people", "grid": places.grid, "reason": "transfer"})
    rows = importing.read_rows("people", r.content, "x.xlsx")
    assert rows[0].line == 3 and len(rows[0].values["id_number"]) == 18


def test_formula_looking_cell_is_neutralised(db, client):
    places = _places(db)
    code = db.scalar(select(Address.code).where(Address.scope_code == places.grid).limit(1))
    r = _post(client, "units", _csv("units", [{"name": "=HYPERLINK(\"http://x\",\"点我\")", "address_code": code}]))
    assert r.status_code == 200, r.text
    r = client.get("/api/v1/registry/export.xlsx", params={"kind": "units", "grid": places.grid})
    wb = load_workbook(io.BytesIO(r.content))
    cells = [c for row in wb.active.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.value.startswith("'=") and c.data_type == "s" for c in cells)
    # the import reads the quoted text back as typed
    assert importing.read_rows("units", r.content, "u.xlsx")[-1].values["name"].startswith("=HYPERLINK")


def test_an_export_too_large_for_one_file_asks_to_narrow_it(db, client):
    r = client.get("/api/v1/registry/export.xlsx", params={"kind": "people"})
    assert r.status_code == 422 and "一次最多导出" in r.json()["detail"]


def test_the_page_shows_the_error_table_and_the_demo_badge(db, client_as):
    places = _places(db)
    html = {"accept": "text/html"}
    worker = client_as("worker").get("/registry/io", headers=html)
    assert worker.status_code == 200 and "演示数据" in worker.text
    assert 'action="/registry/import"' not in worker.text and "export-full" not in worker.text
    admin = client_as("city_admin")
    rows = [{"name": "钱二", "id_number": "110105194912310021", "residence_kind": "户籍人口",
             "area_code": places.grid[:12]}]
    r = admin.post("/registry/import", data={"kind": "people"}, headers=html,
                   files={"file": ("p.csv", _csv("people", rows), "text/csv")})
    assert r.status_code == 422 and 'id="import-errors"' in r.text
    assert "<td class=\"num\">2</td><td>公民身份号码</td>" in r.text and "校验位" in r.text
