"""Names instead of codes (issue 14, item 8): a case page names its agency and grid, the audit log
names its users and the permissions a refusal lacked, the users form groups departments by area name."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from gridgov.models import Area, Grid

from ..cases.test_cases_pages import CITY, HTML, page, report


@pytest.fixture
def places(db):
    from gridgov.accounts.demo import demo_places

    return demo_places(db, CITY)


def test_a_case_page_names_its_agency_and_grid(client_as, places, db):
    worker = client_as("worker")
    no = report(worker, places.grid)
    html = page(worker, f"/cases/{no}")
    case = worker.get(f"/api/v1/cases/{no}").json()
    area_name = db.scalar(select(Area.name).where(Area.code == case["handling_area_code"]))
    grid_name = db.scalar(select(Grid.name).where(Grid.code == places.grid))
    agency = re.search(r'<dd id="case-agency">(.*?)</dd>', html, re.S).group(1)
    assert area_name in agency and not agency.strip().startswith(case["handling_area_code"])
    grid = re.search(r'<dd id="case-grid">(.*?)</dd>', html, re.S).group(1)
    assert f">{grid_name}</a>" in grid and f'<small class="code">{places.grid}</small>' in grid


def test_the_audit_log_names_users_and_permissions(client_as, db):
    worker = client_as("worker")
    assert worker.get("/users", headers=HTML).status_code == 403  # logged as a denial
    html = client_as("auditor").get("/audit", headers=HTML).text
    assert "张网格" in html  # the worker's display name, not only its username
    assert "territory.read" not in html and "users.admin" not in html
    assert "缺少权限：用户管理" in html


def test_the_users_form_groups_departments_by_area_name(client_as, db):
    html = client_as("city_admin").get("/users/new", headers=HTML).text
    labels = re.findall(r'<optgroup label="([^"]+)"', html)
    assert labels and not any(re.fullmatch(r"\d{12}", label) for label in labels), labels


def test_instructions_name_their_grid(client_as, places, db):
    from ..instructions.test_instructions_pages import form, post, sent_id

    town = client_as("town_dispatcher")
    sent = sent_id(post(town, "/instructions/new", form(places.grid, title="核查占道经营线索")))
    grid_name = db.scalar(select(Grid.name).where(Grid.code == places.grid))
    html = page(town, f"/instructions/{sent}")
    shown = re.search(r'<dd id="inst-grid">(.*?)</dd>', html, re.S).group(1)
    assert f">{grid_name}</a>" in shown and f'<small class="code">{places.grid}</small>' in shown
    listed = page(town, "/instructions")
    assert f'{grid_name}</span> <small class="code muted">{places.grid}</small>' in listed


def test_a_staff_page_names_the_grid_of_each_post(client_as, db):
    """Staff detail (issue 14, smaller items): a post's place by name, its code in small print."""
    admin = client_as("city_admin")
    person = next(s for s in admin.get("/api/v1/staff", params={"page_size": 50}).json()["items"] if s["roles"])
    detail = admin.get(f"/api/v1/staff/{person['id']}").json()
    post = next(p for p in detail["posts"] if p["grid_code"])
    grid_name = db.scalar(select(Grid.name).where(Grid.code == post["grid_code"]))
    assert post["scope_name"] == grid_name
    html = admin.get(f"/staff/{person['id']}", headers=HTML).text
    cells = re.findall(r'<td class="post-scope">(.*?)</td>', html, re.S)
    cell = next(c for c in cells if post["scope_code"] in c)
    assert f">{grid_name}</a>" in cell and f'<small class="code muted">{post["scope_code"]}</small>' in cell


def test_the_account_page_names_the_users_scope_and_department(client_as, db):
    from gridgov.models import Department, User

    user = db.scalar(select(User).where(User.username == "dept_cg"))
    html = client_as("dept_cg").get("/account", headers=HTML).text
    area = db.scalar(select(Area.name).where(Area.code == user.scope_code))
    dept = db.scalar(select(Department.name).where(Department.code == user.department_code))
    scope = re.search(r'<dd id="account-scope">(.*?)</dd>', html, re.S).group(1)
    department = re.search(r'<dd id="account-department">(.*?)</dd>', html, re.S).group(1)
    assert scope.strip().startswith(area) and f'<small class="code">{user.scope_code}</small>' in scope
    assert department.strip().startswith(dept) and user.department_code in department
