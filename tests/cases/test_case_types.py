"""Case types (事件类型): the shipped classification resolves under every profile, is listed, a case
names a 小类 (refused in Chinese otherwise, with nothing written), the case page and lists show its
name, the dispatch form preselects its department, the overview counts by type, and a city's
replacement file loads while a bad one is refused with its line numbers, all or nothing."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from gridgov.accounts.demo import demo_places
from gridgov.cases import casetypes, service
from gridgov.catalogue.starter import load_starter
from gridgov.cli import app as cli
from gridgov.kit.clock import local, utc_now
from gridgov.models import Case, CaseLogEntry, CaseNumber
from gridgov.policy.loader import available_profiles, load_profile

from ..conftest import make_settings, token_for

CITY = "321100000000"
HTML = {"Accept": "text/html,application/xhtml+xml"}
FIELDS = {"code", "name", "parent", "department_kind", "matter"}


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def _report(client, grid, **extra):
    body = {"title": "路边堆着垃圾", "source": "patrol", "grid_code": grid, "address": "解放路 12 号门口", **extra}
    return client.post("/api/v1/cases", json=body)


def test_the_shipped_types_resolve_under_all_five_profiles():
    names = available_profiles()
    assert len(names) == 5
    for name in names:
        profile = load_profile(name)
        types = casetypes.load(None, profile)
        classes = [t for t in types.types if t.is_class]
        subtypes = [t for t in types.types if not t.is_class]
        assert len(classes) >= 8 and len(subtypes) >= 40, name
        departments = {d.code for d in profile.departments}
        starter = {m.code for m in load_starter(profile).matters}
        for t in types.types:
            assert t.department_kind in departments, (name, t.code, t.department_kind)
            assert t.matter in starter, (name, t.code, t.matter)  # a matter of the profile's own starter list
        assert {c.name for c in classes} >= {"市容环境", "宣传广告", "施工管理", "街面秩序", "突发事件",
                                             "矛盾纠纷", "治安隐患", "安全隐患", "民生服务", "特殊人群服务"}
    # the profiles differ: the same type falls back to a department the profile has
    assert casetypes.load(None, load_profile("jiangsu")).get("0102").department_kind == "shichang"
    assert casetypes.load(None, load_profile("zhenjiang")).get("0102").department_kind == "chengguan"
    assert casetypes.load(None, load_profile("qinzhou")).get("0601").matter == "qz10_04"
    assert "CJ/T" in casetypes.SHIPPED.read_text(encoding="utf-8")  # the file cites its sources


def test_case_types_are_listed_with_exactly_their_fields(client_as, app):
    got = client_as("worker").get("/api/v1/case-types")
    assert got.status_code == 200, got.text
    rows = got.json()
    assert rows and all(set(r) == FIELDS for r in rows)
    assert len(rows) == len(app.state.case_types.types)
    classes = {r["code"] for r in rows if r["parent"] is None}
    assert len(classes) >= 8 and all(r["parent"] in classes for r in rows if r["parent"] is not None)
    assert {"code": "0604", "name": "劳动争议", "parent": "06", "department_kind": "renshe",
            "matter": "zj12_03"} in rows
    assert client_as("auditor").get("/api/v1/case-types").status_code == 403


def test_a_case_reported_with_a_type_stores_it_and_shows_its_name(client_as, places, db, app):
    worker = client_as("worker")
    r = _report(worker, places.grid, type="0102")
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["type"] == "0102" and case["type_name"] == "暴露垃圾"
    assert case["type_department_kind"] == "chengguan"
    # the matter is the type's first candidate that may be named at the place today
    may = {c["code"] for c in service.category_choices(db, places.grid, local(utc_now()).date(), app.state.profile)}
    expected = next(m for m in app.state.case_types.get("0102").matters if m in may)
    assert case["category"] == expected
    row = db.scalar(select(Case).where(Case.case_no == case["case_no"]))
    assert row.type_code == "0102" and row.category == expected
    log = worker.get(f"/api/v1/cases/{case['case_no']}/log").json()
    assert log[0]["data"]["type"] == "0102"
    html = worker.get(f"/cases/{case['case_no']}", headers=HTML).text
    assert re.search(r'id="case-type">市容环境 / 暴露垃圾<', html)
    assert "市容环境 / 暴露垃圾" in worker.get("/cases/mine", headers=HTML).text
    listed = worker.get("/api/v1/cases").json()["items"]
    assert {"type": "0102", "type_name": "暴露垃圾"}.items() <= next(
        i for i in listed if i["case_no"] == case["case_no"]).items()
    overview = client_as("town_dispatcher").get("/cases/overview", headers=HTML).text
    assert re.search(r'data-stat="type-0102">\d', overview) and re.search(r'data-stat="type-01">\d', overview)


def test_an_unknown_type_or_a_class_is_refused_and_nothing_is_written(client_as, places, db):
    worker = client_as("worker")

    def counts():
        db.expire_all()
        return (db.scalar(select(func.count()).select_from(Case)), db.scalar(select(func.count()).select_from(
            CaseLogEntry)), db.scalar(select(func.coalesce(func.sum(CaseNumber.last), 0))))

    before = counts()
    r = _report(worker, places.grid, type="9999")
    assert r.status_code == 422 and "事件类型 9999 不存在" in r.json()["detail"], r.text
    r = _report(worker, places.grid, type="01")
    assert r.status_code == 422 and "是大类，请选择其下的小类" in r.json()["detail"], r.text
    r = _report(worker, places.grid)
    assert r.status_code == 422 and "请选择事件类型或事项" in r.text
    assert counts() == before


def test_the_report_form_offers_the_types_grouped_and_stores_the_chosen_one(client_as, places, db):
    worker = client_as("worker")
    html = worker.get("/cases/new", headers=HTML).text
    assert '<optgroup label="矛盾纠纷">' in html and '<option value="0601">邻里纠纷</option>' in html
    assert 'id="type-search"' in html and "<script>" not in html  # the filter is in cases.js
    data = {"title": "两户因排水沟吵架", "type": "0601", "urgency": "normal", "source": "patrol",
            "grid_code": places.grid, "address": "解放路 14 号"}
    r = worker.post("/cases/new", data=data, headers=HTML, follow_redirects=False)
    assert r.status_code == 303, r.text[:1500]
    no = re.match(r"/cases/([\d-]+)\?", r.headers["location"]).group(1)
    assert db.scalar(select(Case.type_code).where(Case.case_no == no)) == "0601"
    r = worker.post("/cases/new", data={**data, "type": "06"}, headers=HTML, follow_redirects=False)
    assert r.status_code == 422 and "是大类" in r.text and "两户因排水沟吵架" in r.text


@pytest.mark.parametrize(("kind", "type_code"), [("chengguan", "0102"), ("minzheng", "0901")])
def test_the_dispatch_form_preselects_the_types_department(client_as, places, db, kind, type_code):
    worker, town = client_as("worker"), client_as("town_dispatcher")
    no = _report(worker, places.grid, type=type_code).json()["case_no"]
    assert worker.post(f"/api/v1/cases/{no}/actions/escalate", json={}).status_code == 200
    accepted = town.post(f"/api/v1/cases/{no}/actions/accept", json={})
    assert accepted.status_code == 200 and accepted.json()["type_department_kind"] == kind
    picker = {d["code"]: d for d in town.get("/api/v1/departments").json()}
    html = town.get(f"/cases/{no}", headers=HTML).text
    form = html[html.index('id="act-dispatch"'):]
    form = form[:form.index("</select>")]
    chosen = re.findall(r'<option value="([^"]+)" selected>', form)
    assert len(chosen) == 1, form[:2000]
    dept = picker[chosen[0]]
    assert dept["kind"] == kind
    # the handling agency's own department of that kind, or the nearest above it
    town_code = db.scalar(select(Case.handling_area_code).where(Case.case_no == no))
    same = [d for d in picker.values() if d["kind"] == kind and town_code.startswith(d["area_code"].rstrip("0"))]
    assert dept["area_code"] == max((d["area_code"] for d in same), key=lambda a: len(a.rstrip("0")))


REPLACEMENT = """\
# 某市自己的事件类型
code,name,parent,department_kind,matter
A,街巷环境,,chengguan,zj12_02|sanitation
A1,楼道堆物,A,,
A2,飞线充电,A,yingji,
"""

BAD = """\
code,name,parent,department_kind,matter
A,街巷环境,,chengguan,zj12_02
A1,楼道堆物,A,nope,
A1,重复,A,,
B1,无上级,ZZ,,
C,没有小类,,gongan,zj12_03
"""


def test_a_replacement_file_loads_and_a_bad_one_is_refused_with_line_numbers(db_connection, tmp_path, db, places):
    from gridgov.app import create_app

    good = tmp_path / "types.csv"
    good.write_text(REPLACEMENT, encoding="utf-8")
    url = str(db_connection.engine.url)
    app = create_app(make_settings(url, tmp_path, case_types=good), engine=db_connection.engine)
    from sqlalchemy.orm import sessionmaker
    app.state.sessionmaker = app.state.write_sessionmaker = sessionmaker(
        bind=db_connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    with TestClient(app) as c:
        c.headers["Authorization"] = f"Bearer {token_for(c, 'worker')}"
        rows = c.get("/api/v1/case-types").json()
        assert [r["code"] for r in rows] == ["A", "A1", "A2"]
        assert rows[2] == {"code": "A2", "name": "飞线充电", "parent": "A", "department_kind": "yingji",
                           "matter": "zj12_02"}
        made = _report(c, places.grid, type="A2")
        assert made.status_code == 201 and made.json()["type_name"] == "飞线充电", made.text
        assert _report(c, places.grid, type="0102").status_code == 422  # the shipped types are replaced

    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    with pytest.raises(casetypes.CaseTypesInvalid) as refused:
        create_app(make_settings(url, tmp_path, case_types=bad), engine=db_connection.engine)
    lines = [(p["line"], p["error"]) for p in refused.value.details]
    assert [n for n, _ in lines] == [3, 4, 5, 6]
    assert "nope" in lines[0][1] and "重复" in lines[1][1] and "ZZ" in lines[2][1] and "没有小类" in lines[3][1]

    run = CliRunner().invoke(cli, ["case-types", "check", str(bad), "--profile", "zhenjiang"])
    assert run.exit_code == 1 and "第 3 行" in run.output and "第 6 行" in run.output
    run = CliRunner().invoke(cli, ["case-types", "check", str(good), "--profile", "zhenjiang"])
    assert run.exit_code == 0 and "1 个大类、2 个小类" in run.output
    run = CliRunner().invoke(cli, ["case-types", "check", str(casetypes.SHIPPED), "--profile", "all"])
    assert run.exit_code == 0 and run.output.count("通过") == 5
