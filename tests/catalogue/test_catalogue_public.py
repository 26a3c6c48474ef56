"""The public list of grid work: anonymous pages, version history and comparison, Excel and PDF
exports, all reflecting the database at the moment of the request (both databases)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from gridgov.catalogue.publication import publish_version
from gridgov.catalogue.starter import seed_catalogue
from gridgov.kit.clock import local, utc_now
from gridgov.models import Area, CatalogueList, Matter
from gridgov.policy.loader import load_profile
from gridgov.territory.demo import demo_city_of

PROFILE = load_profile("zhenjiang")
CITY = demo_city_of(PROFILE).area_code
STARTER_NAMES = ["基础数据采集", "社会治理需求收集处理", "协助基层社会治理具体工作", "政府决定通过网格开展的其他工作"]


@pytest.fixture
def seeded(db):
    """The demo city with its starter catalogue (a no-op once the demo itself seeds it)."""
    seed_catalogue(db, PROFILE, CITY, now=utc_now())
    db.flush()
    return db


@pytest.fixture
def public(app, seeded):
    """An anonymous client of the real app: a public page that the app does not mount fails here."""
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        c.headers["Accept"] = "text/html"
        yield c


def county_of(db) -> str:
    return db.scalar(select(Area.code).where(Area.code.startswith(CITY[:4]),
                                             Area.level == "county").order_by(Area.code))


def city_list(db, kind: str) -> CatalogueList:
    return db.scalar(select(CatalogueList).where(CatalogueList.area_code == CITY, CatalogueList.kind == kind))


def add_matter(db, cat_list: CatalogueList, code: str, name: str, **extra) -> Matter:
    now = utc_now()
    m = Matter(list_id=cat_list.id, code=code, name=name, description=f"{name}的内容", status="in_force",
               admitted_on=local(now).date(), created_at=now, updated_at=now, **extra)
    db.add(m)
    db.flush()
    return m


@pytest.mark.req("C5")
def test_anyone_sees_the_citys_lists_without_login(public):
    r = public.get("/catalogue")
    assert r.status_code == 200 and "/login" not in str(r.url)
    assert r.headers["cache-control"] == "no-store"
    page = r.text
    for name in STARTER_NAMES:
        assert name in page
    assert "ZJ§12(一)" in page and "依法采集、登记、核实网格内的相关基础数据和动态信息" in page
    assert "基本清单" in page and "准入清单" in page
    assert "负面清单：不得交由网格员承担的事项" in page
    assert "第 1 版" in page and "初始清单（依据 ZJ§12" in page
    assert 'href="/catalogue/export.xlsx?area=' + CITY in page


def test_a_county_page_shows_the_city_lists_and_its_own(public, seeded):
    county = county_of(seeded)
    page = public.get(f"/catalogue/{county}").text
    assert all(name in page for name in STARTER_NAMES)
    own = seeded.scalar(select(CatalogueList).where(CatalogueList.area_code == county))
    assert own.name in page and "依据" in page
    town = seeded.scalar(select(Area.code).where(Area.code.startswith(county[:6]), Area.level == "town"))
    assert own.name in public.get(f"/catalogue/{town}").text

    missing = public.get("/catalogue/329999000000")
    assert missing.status_code == 404 and "找不到区划" in missing.text
    assert public.get("/catalogue/abc").status_code == 404


def test_the_negative_list_is_marked_and_holds_its_matters(public, seeded):
    add_matter(seeded, city_list(seeded, "negative"), "neg_test_1", "代为实施行政处罚")
    page = public.get("/catalogue").text
    negative = page[page.index('data-kind="negative"'):]
    negative = negative[:negative.index("</section>")]
    assert "负面清单：不得交由网格员承担的事项" in negative and "代为实施行政处罚" in negative
    assert "代为实施行政处罚" not in page[:page.index('data-kind="negative"')]


@pytest.mark.req("C5")
def test_a_temporary_matter_past_its_end_date_and_an_exited_one_are_not_shown(public, seeded):
    today = local(utc_now()).date()
    basic = city_list(seeded, "basic")
    add_matter(seeded, basic, "tmp_live", "临时事项甲", temporary_until=today + timedelta(days=3))
    add_matter(seeded, basic, "tmp_over", "临时事项乙", temporary_until=today - timedelta(days=1))
    gone = seeded.scalar(select(Matter).where(Matter.code == "zj12_04"))
    gone.status, gone.exited_on = "exited", today
    seeded.flush()

    page = public.get("/catalogue").text
    assert "临时事项甲" in page and (today + timedelta(days=3)).isoformat() in page
    assert "临时事项乙" not in page and STARTER_NAMES[3] not in page
    names = [c.value for ws in load_workbook(io.BytesIO(public.get("/catalogue/export.xlsx").content))
             for row in ws.iter_rows() for c in row if c.value]
    assert "临时事项甲" in names and "临时事项乙" not in names and STARTER_NAMES[3] not in names


@pytest.mark.req("C5")
def test_versions_are_listed_and_compared(public, seeded):
    basic = city_list(seeded, "basic")
    now = utc_now()
    changed = seeded.scalar(select(Matter).where(Matter.code == "zj12_02"))
    changed.name, changed.department_kind = "社会治理需求收集", "minzheng"
    removed = seeded.scalar(select(Matter).where(Matter.code == "zj12_04"))
    removed.status, removed.exited_on = "exited", local(now).date()
    add_matter(seeded, basic, "zj_new_1", "新纳入的事项", on_site=True)
    publish_version(seeded, basic, now=now, summary="纳入事项 zj_new_1 新纳入的事项")
    seeded.flush()

    page = public.get("/catalogue").text
    assert "第 2 版" in page and "纳入事项 zj_new_1 新纳入的事项" in page and "与上一版比较" in page

    r = public.get(f"/catalogue/lists/{basic.id}/compare")
    assert r.status_code == 200
    diff = r.text
    assert "第 1 版与第 2 版比较" in diff
    added = diff[diff.index('id="diff-added"'):]
    assert "新纳入的事项" in added[:added.index("</table>")]
    removed_part = diff[diff.index('id="diff-removed"'):]
    assert STARTER_NAMES[3] in removed_part[:removed_part.index("</table>")]
    changed_part = diff[diff.index('id="diff-changed"'):]
    changed_part = changed_part[:changed_part.index("</table>")]
    assert "zj12_02" in changed_part and "社会治理需求收集处理" in changed_part and "民政" in changed_part
    assert "zj12_01" not in diff

    same = public.get(f"/catalogue/lists/{basic.id}/compare?from=2&to=2")
    assert "两版事项相同" in same.text
    assert public.get(f"/catalogue/lists/{basic.id}/compare?from=9&to=2").status_code == 404
    bad = public.get(f"/catalogue/lists/{basic.id}/compare?from=abc")
    assert bad.status_code == 422 and "应为整数" in bad.text


@pytest.mark.req("C5")
def test_excel_export_has_every_list_and_its_matters(public, seeded):
    r = public.get(f"/catalogue/export.xlsx?area={county_of(seeded)}")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert len(wb.sheetnames) == 4  # the city's three lists and the county's own
    basic = wb[next(n for n in wb.sheetnames if "基本清单" in n)]
    rows = [[c.value for c in row] for row in basic.iter_rows()]
    header = rows.index(["编码", "名称", "内容", "类别", "主管部门", "依据", "网格员可现场处置", "临时纳入至"])
    matters = rows[header + 1:]
    assert [m[0] for m in matters] == ["zj12_01", "zj12_02", "zj12_03", "zj12_04"]
    assert [m[1] for m in matters] == STARTER_NAMES
    assert matters[0][5] == "ZJ§12(一)" and matters[0][6] == "是" and matters[2][6] == "否"
    assert "第 1 版" in rows[1][0]
    negative = wb[next(n for n in wb.sheetnames if "负面清单" in n)]
    assert any("不得交由网格员承担的事项" in str(c.value) for row in negative.iter_rows() for c in row)


def test_pdf_export_is_an_a4_document_written_by_reportlab(public):
    r = public.get("/catalogue/export.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    body = r.content
    assert body.startswith(b"%PDF-") and b"ReportLab" in body
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in body  # A4 in points
    assert public.get("/catalogue/export.pdf?area=329999000000").status_code == 404


def _fonts(pdf) -> list:
    """Every font dictionary the PDF's pages use (descendants of composite fonts included)."""
    found = []
    for page in pdf.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            found.append(font)
            found.extend(d.get_object() for d in font.get("/DescendantFonts", []))
    return found


def test_the_pdf_embeds_the_cjk_glyphs_it_shows(public):
    """The PDF carries its own Chinese font (a TrueType subset, FontFile2), so a reader without
    Chinese fonts shows the names; no font is left for the reader to supply (issue 14)."""
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(public.get("/catalogue/export.pdf").content))
    fonts = _fonts(pdf)
    assert fonts
    embedded = [f for f in fonts if "/FontDescriptor" in f and "/FontFile2" in f["/FontDescriptor"].get_object()]
    assert embedded, "no TrueType font file embedded"
    for f in embedded:  # a subset (its name tagged ABCDEF+) that maps its glyphs back to text
        assert "+" in f["/BaseFont"] and "/ToUnicode" in f
    for f in fonts:  # a font with no file of its own would be the reader's to supply
        descriptor = f.get("/FontDescriptor")
        if f.get("/Subtype") == "/Type0":
            continue  # its glyphs are its descendant's, checked in turn
        assert descriptor is not None, f"font {f.get('/BaseFont')} is not embedded"
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.get_object()), f["/BaseFont"]
    text = "".join(page.extract_text() for page in pdf.pages)
    for name in [*STARTER_NAMES, "不得交由网格员承担的事项"]:
        assert name in text

