"""Staff import and export: all or nothing with Excel line numbers, masked export, full round trip,
and staffing gaps on a small territory under two profiles."""

from __future__ import annotations

import io
import itertools

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import delete, func, select

from gridgov.authz.scope import SYSTEM
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.errors import Invalid
from gridgov.kit.clock import local, utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.ids import with_check_digit
from gridgov.models import AuditEntry
from gridgov.models.staff import Post, StaffMember, Training
from gridgov.policy.loader import load_profile
from gridgov.staff import importing, posts
from gridgov.territory.transfer import import_feature_collection

from ..territory import territory_data as t

HEADER = ["姓名", "性别", "身份证号", "手机号", "工作电话", "所属区域编码", "岗位", "网格编码", "上岗日期",
          "岗前培训日期", "培训考核合格"]
TODAY = local(utc_now()).date().isoformat()  # Shanghai's day, as the service counts it


def xlsx(rows: list[list], header: list[str] = HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pid(n: int) -> str:
    return with_check_digit(f"320102198805{n:02d}0{n:02d}")


def row(n: int, area: str, grid: str = "", role: str = "", trained: bool = True) -> list:
    return [f"导入{n}", "男" if n % 2 else "女", pid(n), f"1770000{n:04d}", f"1770001{n:04d}", area, role, grid,
            TODAY if role else "", "2024-01-05" if trained else "", "是" if trained else ""]


def staff_count(db) -> int:
    return db.scalar(select(func.count()).select_from(StaffMember))


def upload(client, content: bytes, name: str = "staff.xlsx"):
    return client.post("/api/v1/staff/import", files={"file": (name, content, "application/octet-stream")})


@pytest.fixture
def town2(db):
    from gridgov.accounts.demo import demo_places
    from gridgov.territory.demo import demo_city_of

    places = demo_places(db, demo_city_of(load_profile("zhenjiang")).area_code)
    grids = db.scalars(select(Post.grid_code)).all()
    from gridgov.models import Grid

    free = db.scalars(select(Grid.code).where(Grid.code.startswith(places.town2[:9]), Grid.code.not_in(grids))
                      .order_by(Grid.code).limit(3)).all()
    return places.town2, free


def test_import_reports_every_bad_row_with_its_line_and_writes_nothing(client, db, town2):
    area, grids = town2
    before = staff_count(db)
    bad_id = row(2, area)
    bad_id[2] = "320102198805020000"
    no_area = row(3, "")
    content = xlsx([row(1, area, grids[0], "专职网格员"), bad_id, [], no_area, row(1, area),
                    row(4, area, "123", "网格长")])
    r = upload(client, content)
    assert r.status_code == 422, r.text
    problems = r.json()["errors"]
    lines = {(p["line"], p["column"]) for p in problems}
    # line 4 is the empty row Excel still numbers; the header is line 1
    assert (3, "身份证号") in lines and (5, "所属区域编码") in lines and (6, "身份证号") in lines
    assert (7, "网格编码") in lines
    assert 2 not in {p["line"] for p in problems}
    assert any("与第 2 行" in p["reason"] for p in problems if p["line"] == 6)
    assert staff_count(db) == before
    page = client.post("/staff/import", files={"file": ("staff.xlsx", content)}, headers={"accept": "text/html"})
    assert page.status_code == 422 and "import-errors" in page.text and "未导入任何数据" in page.text


def test_a_row_refused_by_the_rules_fails_the_whole_file(client, db, town2):
    area, grids = town2
    before = staff_count(db)
    content = xlsx([row(5, area, grids[0], "网格长"), row(6, area, grids[0], "网格长"), row(7, area, "", "专业网格员")])
    problems = upload(client, content).json()["errors"]
    assert {(p["line"], p["column"]) for p in problems} == {(3, "岗位"), (4, "岗位")}
    assert "已有在岗网格长" in problems[0]["reason"] and "专业网格员" in problems[1]["reason"]
    assert staff_count(db) == before


def test_import_writes_people_posts_and_training_and_audits_once(client, db, town2):
    area, grids = town2
    content = xlsx([row(8, area, grids[0], "专职网格员"), row(9, area, grids[0], "网格长", trained=False),
                    row(10, area)])
    r = upload(client, content)
    assert r.status_code == 200, r.text
    assert r.json() == {"staff_created": 3, "posts_created": 2, "posts_activated": 1, "trainings_recorded": 2}
    statuses = dict(db.execute(select(Post.role, Post.status).where(Post.grid_code == grids[0])).all())
    assert statuses == {"fulltime": "active", "leader": "pending"}
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "staff_imported")) >= 1
    masked = client.get("/api/v1/staff/export.xlsx", params={"area": area})
    assert masked.status_code == 200
    sheet = load_workbook(io.BytesIO(masked.content)).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][:3] == ["姓名", "性别", "出生日期"]
    assert pid(8) not in str(values) and "*" in str(values)
    again = upload(client, masked.content)
    assert again.status_code == 422
    assert any("脱敏" in p["reason"] for p in again.json()["errors"])
    full = client.get("/api/v1/staff/export-full.xlsx", params={"area": area})
    assert pid(8) in str([[c.value for c in r] for r in load_workbook(io.BytesIO(full.content)).active.iter_rows()])
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "staff_revealed", AuditEntry.detail.like("导出%")))
    dup = upload(client, full.content).json()["errors"]
    assert all("已有网格员档案" in p["reason"] for p in dup) and len(dup) >= 3


# ---------------------------------------------------------------- a small territory of our own


def small_territory(session, profile) -> None:
    micro = {"type": "Feature", "properties": {"layer": "micro_grid", "code": f"{t.VILLAGE}00101",
                                               "name": "一号微网格", "households": 40}, "geometry": None}
    data = t.small_city([t.grid(1, t.box(0, 0, 2, 2)), t.grid(2, t.box(2, 0, 4, 2), kind="rural", households=300)])
    data["features"].append(micro)
    import_feature_collection(session, SYSTEM, data, profile=profile, now=utc_now())


def test_export_then_import_round_trips_and_gaps_follow_the_profile(fresh_url):
    zhenjiang, jiangsu = load_profile("zhenjiang"), load_profile("jiangsu")
    cipher = FieldCipher("k" * 40)
    factory = make_sessionmaker(make_engine(fresh_url))
    g1, g2 = f"{t.VILLAGE}001", f"{t.VILLAGE}002"
    with unit_of_work(factory) as session:
        small_territory(session, zhenjiang)
        kinds = {(g.grid_code, g.kind) for g in posts.staffing_gaps(session, SYSTEM, t.TOWN, profile=zhenjiang).gaps}
        assert kinds == {(g1, "no_leader"), (g1, "no_fulltime"), (g1, "no_liaison"), (g1, "no_volunteer"),
                         (g2, "no_leader"), (g2, "fulltime_advised")}
        content = xlsx([row(11, t.TOWN, g1, "网格长"), row(12, t.TOWN, g1, "专职网格员"), row(13, t.VILLAGE)])
        importing.import_staff(session, SYSTEM, content, profile=zhenjiang, cipher=cipher, now=utc_now())
        kinds = {(g.grid_code, g.kind) for g in posts.staffing_gaps(session, SYSTEM, t.TOWN, profile=zhenjiang).gaps}
        assert (g1, "no_leader") not in kinds and (g1, "no_fulltime") not in kinds and (g1, "no_liaison") in kinds
        jiangsu_kinds = {(g.grid_code,
                          g.kind) for g in posts.staffing_gaps(session, SYSTEM, t.TOWN, profile=jiangsu).gaps}
        assert jiangsu_kinds == {(g2, "no_leader"), (g2, "fulltime_advised")}  # no micro-grid rules in JS
        first = importing.export_workbook(session, SYSTEM, area=None, cipher=cipher, full=True, now=utc_now())
    with unit_of_work(factory) as session:
        for table in (Post, Training, StaffMember):
            session.execute(delete(table))
    with unit_of_work(factory) as session:
        result = importing.import_staff(session, SYSTEM, first, profile=zhenjiang, cipher=cipher, now=utc_now())
        assert (result.staff_created, result.posts_activated) == (3, 2)
        second = importing.export_workbook(session, SYSTEM, area=None, cipher=cipher, full=True, now=utc_now())

    def cells(content):
        return [[c.value for c in r] for r in load_workbook(io.BytesIO(content)).active.iter_rows()]

    assert cells(first) == cells(second)


def test_a_csv_sheet_is_accepted_too(fresh_url):
    factory = make_sessionmaker(make_engine(fresh_url))
    profile = load_profile("zhenjiang")
    with unit_of_work(factory) as session:
        small_territory(session, profile)
        text = ",".join(HEADER) + "\n" + ",".join(str(v) for v in row(14, t.TOWN)) + "\n"
        result = importing.import_staff(session, SYSTEM, text.encode("utf-8-sig"), filename="a.csv", profile=profile,
                                        cipher=FieldCipher("k" * 40), now=utc_now())
        assert result.staff_created == 1
        with pytest.raises(Invalid) as bad:
            importing.import_staff(session, SYSTEM, "姓名,籍贯\n某,某地\n".encode(), filename="b.csv", profile=profile,
                                   cipher=FieldCipher("k" * 40), now=utc_now())
        assert {d["column"] for d in bad.value.details} >= {"籍贯", "性别", "所属区域编码"}


def test_staff_commands_import_export_and_list_gaps(fresh_url, cli_env, tmp_path):
    from typer.testing import CliRunner

    from gridgov.staff.cli import app

    cli_env(fresh_url)
    with unit_of_work(make_sessionmaker(make_engine(fresh_url))) as session:
        small_territory(session, load_profile("zhenjiang"))
    sheet = tmp_path / "in.xlsx"
    sheet.write_bytes(xlsx([row(15, t.TOWN, f"{t.VILLAGE}001", "网格长")]))
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(sheet)])
    assert result.exit_code == 0, result.output
    assert "档案 1 人" in result.output
    again = runner.invoke(app, ["import", str(sheet)])
    assert again.exit_code == 1 and "行号" not in again.output and "line=2" in again.output
    out = tmp_path / "out.xlsx"
    assert runner.invoke(app, ["export", str(out)]).exit_code == 0 and out.exists()
    gaps = runner.invoke(app, ["gaps", "--area", t.TOWN])
    assert gaps.exit_code == 0 and "缺专职网格员" in gaps.output and "缺网格长" in gaps.output
    everywhere = runner.invoke(app, ["gaps"])  # no --area: the city (the area with no parent)
    assert everywhere.exit_code == 0 and f"（{t.CITY}）" in everywhere.output and "缺网格长" in everywhere.output


# ---------------------------------------------------------------- the row limit (issue 11, finding 5)


def _counting(rows):
    """A table that counts how many of its rows were read."""
    taken = [0]

    def gen():
        for r in rows:
            taken[0] += 1
            yield r

    return gen(), taken


def test_reading_stops_at_the_row_limit_without_going_through_the_file():
    header = tuple(h for _, h in importing.COLUMNS)
    filled = ((f"张{i}", "男") + ("",) * (len(header) - 2) for i in range(3_000_000))
    table, taken = _counting(itertools.chain([header], filled))
    with pytest.raises(Invalid, match=f"一次最多导入 {importing.MAX_ROWS} 行"):
        importing._rows(table)
    assert taken[0] == importing.MAX_ROWS + 2  # the header, the limit, one more: not 3 million
    blank = ((None,) * len(header) for _ in range(3_000_000))
    table, taken = _counting(itertools.chain([header], blank))
    with pytest.raises(Invalid, match="已停止读取"):
        importing._rows(table)
    assert taken[0] <= importing.MAX_ROWS + importing.MAX_BLANK_ROWS + 2


def _xlsx_of_rows(count: int) -> bytes:
    """A real .xlsx with the import's header and ``count`` one-cell rows (a small file: it is
    written straight as XML, the rows are the same, the zip squeezes them)."""
    import zipfile

    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    header = "".join(cell(f"{letters[i]}1", h) for i, (_, h) in enumerate(importing.COLUMNS))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '</Types>'))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/>'
            '</Relationships>'))
        z.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><workbook '
            'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            '</Relationships>'))
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            sheet.write(f'<row r="1">{header}</row>'.encode())
            one = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'  # rows and cells may go unnumbered
            for _ in range(count // 100_000):
                sheet.write(one * 100_000)
            sheet.write(one * (count % 100_000) + b"</sheetData></worksheet>")
    return buf.getvalue()


def test_a_small_xlsx_of_three_million_rows_is_refused_naming_the_limit(client, db):
    content = _xlsx_of_rows(3_000_000)
    assert len(content) < importing.MAX_FILE_BYTES
    before = staff_count(db)
    r = upload(client, content)
    assert r.status_code == 422
    assert r.json()["detail"] == (f"一次最多导入 {importing.MAX_ROWS} 行，请分批导入："
                                  f"文件超过 {importing.MAX_ROWS} 行，已停止读取")
    csv = ("姓名,性别,所属区域编码\n" + "张三,男,x\n" * 600_000).encode()  # under the 10 MB file cap
    r = upload(client, csv, "staff.csv")
    assert r.status_code == 422 and f"{importing.MAX_ROWS} 行" in r.json()["detail"]
    assert staff_count(db) == before


@pytest.mark.setting("staff.leader_eligible_from")
def test_an_imported_leader_states_a_basis_the_text_allows(fresh_url):
    """JS§12: a leader row needs its 任职身份 from the text's list; the export carries it back."""
    jiangsu, cipher = load_profile("jiangsu"), FieldCipher("k" * 40)
    header = [*HEADER, "网格长任职身份"]
    g1 = f"{t.VILLAGE}001"
    with unit_of_work(make_sessionmaker(make_engine(fresh_url))) as session:
        small_territory(session, jiangsu)
        for basis, reason in (("", "须说明任职身份"), ("党员骨干", "不能担任网格长")):
            with pytest.raises(Invalid) as refused:
                importing.import_staff(session, SYSTEM, xlsx([[*row(21, t.TOWN, g1, "网格长"), basis]], header),
                                       profile=jiangsu, cipher=cipher, now=utc_now())
            (problem,) = refused.value.details
            assert problem["column"] == "网格长任职身份"
            assert reason in problem["reason"] and "JS§12" in problem["reason"]
        label = "城乡社区党组织、村（居）民委员会除主要负责人以外的组成人员"
        result = importing.import_staff(session, SYSTEM, xlsx([[*row(21, t.TOWN, g1, "网格长"), label]], header),
                                        profile=jiangsu, cipher=cipher, now=utc_now())
        assert result.posts_created == 1
        assert session.scalar(select(Post.leader_basis).where(Post.role == "leader")) == "committee_member"
        exported = importing.export_rows(session, SYSTEM, area=None, cipher=cipher, full=True)
        assert exported[0][-1] == label
