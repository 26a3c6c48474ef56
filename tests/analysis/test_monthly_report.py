"""The monthly analysis report (issue 16): its figures equal the shared statistics and the
hand-computed values, versions are kept, the job runs on the first working day only, the PDF embeds
its CJK font and reads back in Chinese, and another county's report is missing."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from gridgov.accounts.demo import demo_places
from gridgov.analysis import monthly, monthly_reports
from gridgov.analysis.stats import case_stats
from gridgov.authz.scope import SYSTEM
from gridgov.kit.clock import utc_now
from gridgov.models import Area, CalendarOverride
from gridgov.models.analysis_reports import MonthlyReport

from ..conftest import DEMO_PROFILE
from . import monthly_data as data

CITY = "321100000000"
SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


@pytest.fixture
def made(db, client_as, places):
    return data.build(db, client_as, places)


def _stats(db, group_by, area, month):
    first, last = monthly.month_span(*monthly.parse_month(month))
    return case_stats(db, SYSTEM, group_by=group_by, area=area, date_from=first, date_to=last, now=utc_now())


def test_the_figures_are_the_hand_computed_ones_and_equal_the_stats(db, made, places):
    f = monthly.build_report(db, SYSTEM, places.county, data.MONTH, utc_now())
    for name, value in data.EXPECTED.items():
        assert f["totals"][name] == value, name
    kpi = {k["name"]: k for k in f["kpis"]}
    assert (kpi["reported"]["value"], kpi["reported"]["previous"], kpi["reported"]["last_year"]) == (3, 1, 1)
    assert kpi["closed"]["last_year"] == 1 and kpi["valid"]["previous"] == 1
    # every figure equals the stats API's for the same area and period
    for month, key in ((data.MONTH, "value"), (data.PREVIOUS, "previous"), (data.LAST_YEAR, "last_year")):
        totals = _stats(db, "area", places.county, month)["totals"]
        for k in f["kpis"]:
            assert k[key] == totals[k["name"]], (month, k["name"])
    for group_by, listed in (("area", f["children"]), ("department", f["departments"]), ("type", f["types"])):
        items = {i["key"]: i for i in _stats(db, group_by, places.county, data.MONTH)["items"]}
        assert {i["key"] for i in listed} == set(items) if group_by != "type" else True
        for i in listed:
            for counter in ("reported", "closed", "overdue", "supervised", "closed_on_time_rate"):
                assert i[counter] == items[i["key"]][counter], (group_by, i["key"], counter)
            assert i["cases_url"] == items[i["key"]]["cases_url"]
    town = next(i for i in f["children"] if i["key"] == places.town)
    assert town["rank"] == 1 and town["reported"] == 3
    assert next(i for i in f["departments"] if i["key"] == made["dept"])["reported"] == 2
    assert f["types"][0]["key"] == "0101" and f["types"][0]["reported"] == 2
    # the trend ends with the month; the overdue case is named and linked
    assert [t["month"] for t in f["trend"]][-2:] == [data.PREVIOUS, data.MONTH]
    assert [t["reported"] for t in f["trend"]][-2:] == [1, 3] and len(f["trend"]) == 12
    assert [c["case_no"] for c in f["overdue"]["cases"]] == [made["c2"]]
    assert "kpi=overdue" in f["overdue"]["cases_url"] and f"area={places.county}" in f["cases_url"]
    assert "from=2031-04-01" in f["previous_cases_url"] and "to=2030-05-31" in f["last_year_cases_url"]
    # the city's report counts county B's case too
    city = monthly.build_report(db, SYSTEM, CITY, data.MONTH, utc_now())
    assert city["totals"]["reported"] == 4 and city["totals"]["overdue"] == 2


def test_appraisal_and_warning_hooks_say_they_are_not_connected(db, places):
    f = monthly.build_report(db, SYSTEM, places.county, data.MONTH, utc_now())
    for hook in (f["lagging_departments"], f["warnings"]):
        assert hook["items"] == [] and (hook["available"] or "尚未接入" in hook["note"])


def test_generating_keeps_versions_with_the_pdf_and_its_hash(db, made, places):
    import hashlib

    now = utc_now()
    v1 = monthly_reports.generate(db, SYSTEM, places.county, data.MONTH, now)
    v2 = monthly_reports.generate(db, SYSTEM, places.county, data.MONTH, now + timedelta(minutes=5))
    assert (v1.version, v2.version) == (1, 2) and v1.generated_by == "system"
    assert v2.sha256 == hashlib.sha256(v2.pdf).hexdigest() and v2.pdf.startswith(b"%PDF-")
    assert v1.figures["totals"]["reported"] == 3 and v2.figures["version"] == 2
    shown = monthly_reports.view(db, SYSTEM, places.county, data.MONTH, now)
    assert shown.report.version == 2 and [r.version for r in shown.versions] == [2, 1]
    assert monthly_reports.view(db, SYSTEM, places.county, data.MONTH, now, 1).report.id == v1.id
    body, _ = monthly_reports.pdf_of(db, SYSTEM, places.county, data.MONTH, now, 1)
    assert body == v1.pdf
    v1.pdf = v1.pdf + b"tampered"
    db.flush()
    with pytest.raises(RuntimeError):
        monthly_reports.pdf_of(db, SYSTEM, places.county, data.MONTH, now, 1)


def _cookie_login(anonymous, username: str):
    token = anonymous.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    r = anonymous.post("/login", data={"username": username, "password": "demo12345", "csrf_token": token},
                       follow_redirects=False)
    assert r.status_code == 303, r.text
    return anonymous


def _form_token(html: str) -> str:
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_the_page_lists_the_versions_and_a_manager_regenerates_with_the_csrf_token(db, made, places, anonymous,
                                                                                    client_as):
    admin = _cookie_login(anonymous, "city_admin")
    url = f"/reports/monthly?area={places.county}&month={data.MONTH}"
    page = admin.get(url, headers={"accept": "text/html"})
    assert page.status_code == 200 and 'id="report-live"' in page.text
    form = {"area": places.county, "month": data.MONTH}
    assert admin.post("/reports/monthly", data=form, follow_redirects=False).status_code == 403  # no token
    assert db.scalar(select(func.count()).select_from(MonthlyReport)) == 0
    r = admin.post("/reports/monthly", data={**form, "csrf_token": _form_token(page.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("&version=1")
    admin.post("/reports/monthly", data={**form, "csrf_token": _form_token(page.text)})
    page = admin.get(url).text
    assert 'data-version="2"' in page and 'data-version="1"' in page and "report-live" not in page
    assert f'href="/cases/{made["c2"]}"' in page and f'href="/cases/mine?area={places.county}' in page
    assert db.scalar(select(func.count()).select_from(MonthlyReport)
                     .where(MonthlyReport.area_code == places.county)) == 2
    assert {r.generated_by for r in db.scalars(select(MonthlyReport))} == {"city_admin"}
    api = client_as("county_dispatcher").get("/api/v1/reports/monthly",
                                             params={"area": places.county, "month": data.MONTH}).json()
    assert api["kept"] and api["version"] == 2 and [v["version"] for v in api["versions"]] == [2, 1]
    assert api["figures"]["totals"]["reported"] == 3


def test_only_an_appraisal_manager_generates(db, places, client_as):
    r = client_as("county_dispatcher").post("/reports/monthly", data={"area": places.county, "month": data.MONTH})
    assert r.status_code == 403
    assert db.scalar(select(func.count()).select_from(MonthlyReport)) == 0


@pytest.mark.parametrize("params", [{"month": "2026-13"}, {"month": "2026-1"}, {"area": "32110"},
                                    {"month": "1999-12"}, {"version": "0"}])
def test_bad_input_is_a_chinese_4xx(places, client_as, params):
    query = {"area": places.county, "month": data.MONTH, **params}
    r = client_as("county_dispatcher").get("/api/v1/reports/monthly", params=query)
    assert r.status_code == 422 and r.json()["detail"]


def test_another_countys_report_is_missing(db, made, places, client_as):
    monthly_reports.generate(db, SYSTEM, places.county2, data.MONTH, utc_now())
    county = client_as("county_dispatcher")
    for url in ("/reports/monthly", "/reports/monthly.pdf", "/api/v1/reports/monthly"):
        assert county.get(url, params={"area": places.county2, "month": data.MONTH}).status_code == 404, url
        assert county.get(url, params={"area": CITY, "month": data.MONTH}).status_code == 404, url
        assert county.get(url, params={"area": places.county, "month": data.MONTH}).status_code == 200, url
    town = client_as("town_dispatcher")
    assert town.get("/api/v1/reports/monthly", params={"area": places.county, "month": data.MONTH}).status_code == 404


def _fonts(pdf) -> list:
    found = []
    for page in pdf.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            found.append(font)
            found.extend(d.get_object() for d in font.get("/DescendantFonts", []))
    return found


def test_the_pdf_embeds_the_cjk_font_and_reads_back_in_chinese(db, made, places, client_as):
    from pypdf import PdfReader

    r = client_as("county_dispatcher").get("/reports/monthly.pdf", params={"area": places.county,
                                                                         "month": data.MONTH})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(r.content))
    fonts = _fonts(pdf)
    embedded = [f for f in fonts if "/FontDescriptor" in f and "/FontFile2" in f["/FontDescriptor"].get_object()]
    assert embedded and all("+" in f["/BaseFont"] and "/ToUnicode" in f for f in embedded)
    for f in fonts:  # no font left for the reader to supply (the charts' labels included)
        if f.get("/Subtype") != "/Type0":
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(f["/FontDescriptor"].get_object()), f["/BaseFont"]
    text = "".join(page.extract_text() for page in pdf.pages)
    county = db.get(Area, places.county).name
    town = db.get(Area, places.town).name
    for words in (f"{county}2031年5月网格化服务管理分析报告", "主要指标", "近十二个月趋势", "下级区域排名", town,
                  "超期与督办", made["c2"], "按期结案率", "50.0%"):
        assert words in text, words


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


def test_the_job_runs_on_the_first_working_day_of_the_month_only_and_once(db):
    """2026-10-01 … 07 are the National Day holiday (the State Council's notice, bundled): the September
    reports are made on 10-08, the first working day."""
    kept = select(MonthlyReport.area_code).where(MonthlyReport.month == "2026-09")
    for day in range(1, 8):
        assert monthly_reports.monthly_job(db, _at(date(2026, 10, day))) is None
    assert db.scalars(kept).all() == []
    said = monthly_reports.monthly_job(db, _at(date(2026, 10, 8)))
    expected = set(db.scalars(select(Area.code).where(Area.level.in_(("city", "county")))))
    assert set(db.scalars(kept)) == expected and CITY in expected and len(expected) > 2
    assert said == f"生成 2026-09 月度分析报告 {len(expected)} 份"
    assert monthly_reports.monthly_job(db, _at(date(2026, 10, 8))) is None  # once per area and month
    assert monthly_reports.monthly_job(db, _at(date(2026, 10, 9))) is None
    assert len(db.scalars(kept).all()) == len(expected)
    assert {r.generated_by for r in db.scalars(select(MonthlyReport))} == {"system"}


def test_the_job_follows_the_calendar_overrides(db):
    """An administrator's override moves the first working day (2026-12-01 made a day off → 12-02)."""
    db.add(CalendarOverride(day=date(2026, 12, 1), is_workday=False, name="测试", source="测试", loaded_at=utc_now()))
    db.flush()
    assert monthly_reports.monthly_job(db, _at(date(2026, 12, 1))) is None
    assert monthly_reports.monthly_job(db, _at(date(2026, 12, 2))) is not None
    assert set(db.scalars(select(MonthlyReport.month))) == {"2026-11"}


def test_first_working_day():
    from gridgov.calendar import WorkCalendar

    cal = WorkCalendar()
    assert monthly.first_working_day(cal, 2026, 10) == date(2026, 10, 8)
    assert monthly.first_working_day(cal, 2026, 11) == date(2026, 11, 2)  # the 1st is a Sunday
    assert monthly.first_working_day(WorkCalendar({date(2026, 11, 2): False}), 2026, 11) == date(2026, 11, 3)


def test_the_command_line_generates_a_version_and_writes_its_pdf(fresh_url, cli_env, tmp_path):
    import hashlib

    from typer.testing import CliRunner

    from gridgov.cli import app
    from gridgov.db import make_engine, make_sessionmaker, unit_of_work

    cli_env(fresh_url)
    out = tmp_path / "report.pdf"
    args = ["analysis", "monthly", "--area", "321102000000", "--month", "2026-11", "--out", str(out)]
    missing = CliRunner().invoke(app, args)
    assert missing.exit_code == 1 and "没有这个区域" in missing.output and not out.exists()
    engine = make_engine(fresh_url)
    with unit_of_work(make_sessionmaker(engine)) as session:
        session.add(Area(code="321102000000", name="测试区", level="county", parent_code=None,
                         created_at=utc_now(), updated_at=utc_now()))
    engine.dispose()
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "第 1 版" in first.output and out.read_bytes().startswith(b"%PDF-")
    assert hashlib.sha256(out.read_bytes()).hexdigest() in first.output
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0 and "第 2 版" in second.output
    bad = CliRunner().invoke(app, ["analysis", "monthly", "--area", "321102000000", "--month", "2026-13"])
    assert bad.exit_code == 1 and "月份格式应为 YYYY-MM" in bad.output


def test_the_report_names_what_the_appraisal_and_the_warnings_give_it(db, places, monkeypatch):
    """The hooks to the other parts (they live on their own branches): the departments the appraisal finds
    below its threshold are named with their scores, the warnings of the area are listed (another county's
    left out), in the figures and in the PDF. The parts are stood in for by modules giving the documented
    signatures; the report's own figures still come from the database."""
    import sys
    import types
    from io import BytesIO

    from pypdf import PdfReader

    from gridgov.analysis.monthly_pdf import render_pdf
    from gridgov.policy.loader import load_profile

    asked = {}

    def lagging_departments(session, principal, period, area, *, profile, cipher, now):
        asked.update(period=period, area=area, cipher=cipher)
        return [{"key": "d1", "name": "区城管局", "score": 58.5, "threshold": 60, "basis": "ZJ§29"}]

    class Item:
        def __init__(self, area, title):
            self.area, self.title = area, title

        def model_dump(self, mode):
            return {"area": self.area, "title": self.title, "kind_label": "网格事件激增", "explanation": "周数 9",
                    "cases_url": None}

    def warnings_for(session, principal, *, profile, cipher, now, area=None):
        return types.SimpleNamespace(as_of=date(2031, 6, 1), items=[Item(places.grid, "第1网格上周事件激增"),
                                                                     Item(places.grid2, "别县的预警")])

    monkeypatch.setitem(sys.modules, "gridgov.analysis.appraisal",
                        types.SimpleNamespace(lagging_departments=lagging_departments))
    monkeypatch.setitem(sys.modules, "gridgov.analysis.warnings_service",
                        types.SimpleNamespace(warnings_for=warnings_for))
    f = monthly.build_report(db, SYSTEM, places.county, data.MONTH, utc_now(), profile=load_profile(DEMO_PROFILE),
                             cipher="the cipher")
    assert asked == {"period": data.MONTH, "area": places.county, "cipher": "the cipher"}
    assert f["lagging_departments"]["available"] and f["lagging_departments"]["items"][0]["name"] == "区城管局"
    assert [w["title"] for w in f["warnings"]["items"]] == ["第1网格上周事件激增"]
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(render_pdf(f))).pages)
    assert "区城管局（58.5 分）" in text and "第1网格上周事件激增" in text and "别县的预警" not in text
