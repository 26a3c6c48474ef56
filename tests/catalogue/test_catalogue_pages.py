"""Catalogue pages for departments and agencies over HTTP (SQLite and PostgreSQL): a department
applies and follows its application, the agency of the list's level reviews and decides with the
buttons the path allows, refused forms come back in Chinese with the input kept and a 4xx status,
and rectification notices are issued and answered where the profile has forced exit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.departments.service import department_code
from gridgov.kit.clock import SHANGHAI, utc_now
from gridgov.models import Matter
from gridgov.models.catalogue import RectificationNotice
from gridgov.policy.loader import load_profile

from ..cases.test_cases_pages import HTML, page, post
from . import test_catalogue_api as api_tests

account = api_tests.account
"""The fixture making a new account and a client acting as it."""
ensure = api_tests.ensure

CITY = "321100000000"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def application_id(response) -> int:
    found = re.fullmatch(r"/catalogue/applications/(\d+)\?done=\w+", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def test_a_department_applies_and_the_county_agency_reviews_and_records_the_approval(db, places, client_as, account):
    (county_list,) = ensure(db, "zhenjiang", places.county)
    dept = client_as("dept_cg")
    html = page(dept, "/catalogue/applications/new")
    assert county_list.name in html and 'name="csrf_token"' in html and "不得纳入" in html
    form = {"list_id": str(county_list.id), "kind": "admission", "reason": "", "name": "夜间施工噪声巡查",
            "description": "发现即上报", "on_site": "yes", "handling_working_days": "3"}
    refused = post(dept, "/catalogue/applications/new", form, status=422)
    assert "申请理由" in refused.text and 'value="夜间施工噪声巡查"' in refused.text and "发现即上报" in refused.text
    app_id = application_id(post(dept, "/catalogue/applications/new", {**form, "reason": "夜间噪声投诉多"}))
    html = page(dept, f"/catalogue/applications/{app_id}?done=submitted")
    assert "申请已提交" in html and "夜间施工噪声巡查" in html and 'id="review-form"' not in html
    assert "同级党委或者政府" in html
    assert str(app_id) in page(dept, "/catalogue/applications")
    assert f"/catalogue/applications/{app_id}\"" not in page(client_as("dept_sc"), "/catalogue/applications")
    page(client_as("dept_sc"), f"/catalogue/applications/{app_id}", status=404)

    county = account("cat_pages_county", "agency_admin", places.county)
    html = page(county, f"/catalogue/applications/{app_id}")
    assert 'id="review-form"' in html
    post(county, f"/catalogue/applications/{app_id}/review", {"note": "材料齐全"})
    html = page(county, f"/catalogue/applications/{app_id}")
    assert 'id="decision-form"' in html and "批准文件文号" in html and "登记同级党委或者政府批准" in html
    refused = post(county, f"/catalogue/applications/{app_id}/approve", {"document": "", "note": "同意纳入"},
                   status=422)
    assert "文件文号" in refused.text and "同意纳入" in refused.text
    post(county, f"/catalogue/applications/{app_id}/approve", {"document": "京政复〔2026〕9号", "note": "同意纳入"})
    html = page(dept, f"/catalogue/applications/{app_id}")
    assert "已批准" in html and "京政复〔2026〕9号" in html
    matter = db.scalar(select(Matter).where(Matter.name == "夜间施工噪声巡查"))
    assert matter.on_site and matter.limits == {"handling_working_days": 3}
    # a department may not take the agency's steps
    post(dept, f"/catalogue/applications/{app_id}/review", {}, status=403)


def test_pages_need_the_catalogue_permission(client_as):
    page(client_as("worker"), "/catalogue/applications", status=403)
    page(client_as("worker"), "/catalogue/rectifications", status=403)


def test_under_qinzhou_the_agency_issues_a_notice_and_the_department_answers_it(app, db, client_as, account):
    app.state.profile = load_profile("qinzhou")
    (city_list,) = ensure(db, "qinzhou", CITY)
    dept = account("cat_pages_city_cg", "dept_receiver", CITY, department_code(CITY, "chengguan"))
    city = client_as("city_admin")
    form = {"list_id": str(city_list.id), "kind": "temporary", "reason": "汛期", "name": "汛期积水点巡查"}
    refused = post(dept, "/catalogue/applications/new", form, status=422)
    assert "期限" in refused.text and "汛期积水点巡查" in refused.text
    end = (utc_now() + timedelta(days=30)).astimezone(SHANGHAI).date().isoformat()
    app_id = application_id(post(dept, "/catalogue/applications/new", {**form, "end_date": end}))
    post(city, f"/catalogue/applications/{app_id}/review", {})
    html = page(city, f"/catalogue/applications/{app_id}")
    assert "批准文件文号" not in html  # the agency decides itself
    post(city, f"/catalogue/applications/{app_id}/approve", {})
    matter = db.scalar(select(Matter).where(Matter.name == "汛期积水点巡查"))
    assert matter.temporary_until.isoformat() == end

    html = page(city, "/catalogue/rectifications")
    assert 'id="issue-form"' in html and matter.code in html
    deadline = (utc_now() + timedelta(days=3)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    bad = post(city, "/catalogue/rectifications", {"matter_id": str(matter.id), "deadline": deadline, "content": ""},
               status=422)
    assert "须整改的问题" in bad.text
    post(city, "/catalogue/rectifications",
         {"matter_id": str(matter.id), "deadline": deadline, "content": "未下拨经费"})
    notice = db.scalar(select(RectificationNotice).where(RectificationNotice.matter_id == matter.id))
    html = page(dept, "/catalogue/rectifications")
    assert "未下拨经费" in html and f"/catalogue/rectifications/{notice.id}/answer" in html
    post(dept, f"/catalogue/rectifications/{notice.id}/answer", {"answer": ""}, status=422)
    post(dept, f"/catalogue/rectifications/{notice.id}/answer", {"answer": "经费已下拨"})
    assert "经费已下拨" in page(city, "/catalogue/rectifications")
    r = city.post(f"/catalogue/rectifications/{notice.id}/answer", data={"answer": "x"}, headers=HTML,
                  follow_redirects=False)
    assert r.status_code == 403
