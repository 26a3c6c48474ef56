"""Each role lands on its work, and its menu holds only pages it may open (issue 14, item 7)."""

import re

import pytest

LANDINGS = {
    "city_admin": "/",
    "county_dispatcher": "/cases/inbox",
    "town_dispatcher": "/cases/inbox",
    "worker": "/cases/mine",
    "worker2": "/cases/mine",
    "leader": "/cases/overview",
    "dept_cg": "/cases/department",
    "dept_sc": "/cases/department",
    "auditor": "/audit",
    "security_admin": "/users",
    "mediator": "/cogovernance/mediation",
    "team_member": "/cogovernance/teams/tasks",
    "social_org": "/cogovernance/projects",
}
HTML = {"accept": "text/html"}


def menu_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S)
    assert nav, "页面没有主导航"
    return re.findall(r'href="([^"]+)"', nav.group(0))


def _login(anonymous, username: str):
    token = anonymous.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    return anonymous.post("/login", data={"username": username, "password": "demo12345", "csrf_token": token},
                          follow_redirects=False)


@pytest.mark.parametrize("username", sorted(LANDINGS))
def test_a_login_and_the_home_page_land_on_the_roles_work(anonymous, username):
    r = _login(anonymous, username)
    assert r.status_code == 303 and r.headers["location"] == LANDINGS[username]
    home = anonymous.get("/", headers=HTML, follow_redirects=False)
    if LANDINGS[username] == "/":
        assert home.status_code == 200 and "辖区概况" in home.text
    else:
        assert home.status_code == 303 and home.headers["location"] == LANDINGS[username]
    assert anonymous.get(LANDINGS[username], headers=HTML).status_code == 200


@pytest.mark.parametrize("username", sorted(LANDINGS))
def test_every_menu_link_of_every_demo_role_opens(client_as, username):
    c = client_as(username)
    page = c.get(LANDINGS[username], headers=HTML)
    assert page.status_code == 200
    links = menu_links(page.text)
    assert links and LANDINGS[username] in links or LANDINGS[username] == "/"
    for href in links:
        r = c.get(href, headers=HTML)
        assert r.status_code == 200, f"{username}: {href} → {r.status_code}"
        assert menu_links(r.text) == links  # the same menu on every page


def test_the_menu_fits_the_role(client_as):
    worker = menu_links(client_as("worker").get("/cases/mine", headers=HTML).text)
    assert "/cases/new" in worker and "/coverage" not in worker and "/users" not in worker
    auditor = menu_links(client_as("auditor").get("/audit", headers=HTML).text)
    assert "/audit" in auditor and not any(h.startswith(("/cases", "/grids", "/map")) for h in auditor)
    dept = menu_links(client_as("dept_cg").get("/cases/department", headers=HTML).text)
    assert "/cases/new" not in dept and "/cases/department" in dept
    admin = menu_links(client_as("city_admin").get("/", headers=HTML).text)
    assert {"/", "/coverage", "/users", "/cases/inbox"} <= set(admin)
    mediator = menu_links(client_as("mediator").get("/cogovernance/mediation", headers=HTML).text)
    assert "/cogovernance/mediation" in mediator and "/cogovernance/mediation/bodies" not in mediator
    assert {"/cogovernance/mediation", "/cogovernance/mediation/bodies"} <= set(admin) and \
        "/cogovernance/mediation" not in dept


def test_a_refusal_page_shows_the_logged_in_header(client_as):
    r = client_as("worker").get("/users", headers=HTML)
    assert r.status_code == 403
    assert "张网格" in r.text and "退出" in r.text and 'href="/login"' not in r.text
    assert "/cases/mine" in menu_links(r.text)


def test_a_page_no_route_answers_keeps_the_logged_in_header(client_as):
    r = client_as("worker").get("/no-such-page", headers=HTML)
    assert r.status_code == 404 and "张网格" in r.text and "/cases/mine" in menu_links(r.text)


LIST_WORDS = re.compile(r"事项清单|清单事项|交办事项|在册事项|<label[^>]*>事项[^<]*</label>|<dt>事项</dt>|"
                        r"<th[^>]*>事项</th>|<option value=\"\">全部事项</option>")
"""Where 事项 rightly stays: the list of grid work and its items (a case's matter), and instructions."""


@pytest.mark.parametrize("username", ["worker", "town_dispatcher", "dept_cg"])
def test_case_pages_call_a_case_事件_and_the_report_form_上报事件(client_as, username):
    c = client_as(username)
    for href in [h for h in menu_links(c.get("/cases", headers=HTML).text) if h.startswith("/cases")]:
        html = c.get(href, headers=HTML).text
        body = re.sub(r'<nav class="site-nav".*?</nav>', "", html, flags=re.S)
        assert "事项" not in LIST_WORDS.sub("", body), (username, href, re.findall(r".{20}事项.{20}", body))
        assert "登记事项" not in html and "上报事项" not in html and "登记群众反映" not in html
        if href == "/cases/new":
            assert "<h1>上报事件</h1>" in html
