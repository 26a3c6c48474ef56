"""The jurisdiction matrix of teams, tasks, social organisations and projects (issue 18, F5): every route
of ``/api/v1/cogovernance/{teams,tasks,social-orgs,projects}`` and the detail pages, for accounts of every
kind on the demo's objects (A: the demo town: its service team with the demo ``team_member``, its open
task, the organisation of the demo ``social_org`` and its project) and on the same built in the second
county (B: member ``tm_b``, organisation account ``so_b``, dispatcher ``m_town2``). Expected by hand from
the role table (cogovernance.read / manage / take_part) and the scope: outside is 404 like missing, a role
that may not read or act at all gets 403. Writes run in a SAVEPOINT rolled back after each request."""

from __future__ import annotations

import io

from PIL import Image

from gridgov.models import TeamTask, User

from ..cogovernance.teams_data import account, client_for, demo_objects, places, side_b
from .matrix_common import Failures

COLUMNS = ("city_admin", "county_dispatcher", "town_dispatcher", "leader", "worker", "worker2", "dept_cg",
           "auditor", "lawyer", "team_member", "social_org", "tm_b", "so_b", "m_town2")
HTML = {"accept": "text/html"}

# (name, method, url with {team} {task} {member} {org} {project} {milestone}, body, A statuses, B statuses)
#                                                             ca  cd  td  ld  wk  w2  dc  au  lw  tm  so  tb  sb  t2
TEAM_READ = ("200 200 200 200 200 404 403 403 404 200 404 404 404 404",
             "200 404 404 404 404 200 403 403 404 404 404 200 404 200")
ORG_READ = ("200 200 200 200 200 404 403 403 404 404 200 404 404 404",
            "200 404 404 404 404 200 403 403 404 404 404 404 200 200")
MANAGE = ("{0} {0} {0} 403 403 403 403 403 403 403 403 403 403 404",
          "{0} 404 404 403 403 403 403 403 403 403 403 403 403 {0}")
RESULT = ("{0} 403 403 403 403 403 403 403 404 {0} 404 404 404 403",
          "{0} 403 403 403 403 403 403 403 404 404 404 {0} 404 403")
ORG_ACT = ("{0} 403 403 403 403 403 403 403 404 404 {0} 404 404 403",
           "{0} 403 403 403 403 403 403 403 404 404 404 404 {0} 403")


def _m(pair, status):
    return tuple(s.format(status) for s in pair)


ROUTES = [
    ("服务队详情", "GET", "/api/v1/cogovernance/teams/{team}", None, TEAM_READ),
    ("服务队页面", "GET", "/cogovernance/teams/{team}", None, TEAM_READ),
    ("队员", "GET", "/api/v1/cogovernance/teams/{team}/members", None, TEAM_READ),
    ("登记队员", "POST", "/api/v1/cogovernance/teams/{team}/members", {"name": "新队员"}, _m(MANAGE, 201)),
    ("查看队员电话", "POST", "/api/v1/cogovernance/teams/{team}/members/{member}/reveal", None, _m(MANAGE, 200)),
    ("任务详情", "GET", "/api/v1/cogovernance/tasks/{task}", None, TEAM_READ),
    ("任务页面", "GET", "/cogovernance/teams/tasks/{task}", None, TEAM_READ),
    ("派任务", "POST", "/api/v1/cogovernance/tasks",
     {"team_id": "{team}", "title": "矩阵任务", "grid_code": "{grid}", "due_on": "2099-01-01"}, _m(MANAGE, 201)),
    ("记录任务结果", "POST", "/api/v1/cogovernance/tasks/{task}/result", {"result": "完成"}, _m(RESULT, 200)),
    ("撤销任务", "POST", "/api/v1/cogovernance/tasks/{task}/cancel", {"reason": "矩阵"}, _m(MANAGE, 200)),
    ("社会组织详情", "GET", "/api/v1/cogovernance/social-orgs/{org}", None, ORG_READ),
    ("项目详情", "GET", "/api/v1/cogovernance/projects/{project}", None, ORG_READ),
    ("项目页面", "GET", "/cogovernance/projects/{project}", None, ORG_READ),
    ("项目报告", "GET", "/api/v1/cogovernance/projects/{project}/reports", None, ORG_READ),
    ("变更项目状态", "PATCH", "/api/v1/cogovernance/projects/{project}", {"status": "finished"}, _m(MANAGE, 200)),
    ("新增节点", "POST", "/api/v1/cogovernance/projects/{project}/milestones",
     {"title": "矩阵节点", "due_on": "2099-01-01"}, _m(MANAGE, 201)),
    ("节点完成", "POST", "/api/v1/cogovernance/projects/{project}/milestones/{milestone}/done", None, _m(ORG_ACT, 200)),
    ("提交报告", "POST", "/api/v1/cogovernance/projects/{project}/reports", {"period": "2026年12月", "text": "矩阵"},
     _m(ORG_ACT, 201)),
]
TAKE_PART = "201 403 403 403 403 403 403 403 201 201 201 201 201 403"
"""Uploading a result's photo: the partners and the agency's administrator (cogovernance.take_part)."""
PAGE_WRITES = [  # the pages' forms: a success redirects (303), a refusal answers the service's status
    ("页面：登记服务队", "/cogovernance/teams", {"name": "矩阵队", "kind": "special", "area_code": "{town}"},
     _m(MANAGE, 303)),
    ("页面：登记队员", "/cogovernance/teams/{team}/members", {"name": "矩阵队员"}, _m(MANAGE, 303)),
    ("页面：派任务", "/cogovernance/teams/{team}/tasks",
     {"title": "矩阵任务", "grid_code": "{grid}", "due_on": "2099-01-01"}, _m(MANAGE, 303)),
    ("页面：记录结果", "/cogovernance/teams/tasks/{task}/result", {"result": "完成"}, _m(RESULT, 303)),
    ("页面：撤销任务", "/cogovernance/teams/tasks/{task}/cancel", {"reason": "矩阵"}, _m(MANAGE, 303)),
    ("页面：节点完成", "/cogovernance/projects/{project}/milestones/{milestone}/done", {}, _m(ORG_ACT, 303)),
    ("页面：提交报告", "/cogovernance/projects/{project}/reports", {"period": "2026年12月", "text": "矩阵"},
     _m(ORG_ACT, 303)),
]
PAGES = {"/cogovernance/teams": "200 200 200 200 200 200 403 403 200 200 200 200 200 200",
         "/cogovernance/teams/tasks": "200 200 200 200 200 200 403 403 200 200 200 200 200 200",
         "/cogovernance/projects": "200 200 200 200 200 200 403 403 200 200 200 200 200 200"}
"""Lists as pages: they answer the readers and every partner (a partner's lists hold only what is its own, empty
when nothing is); departments and the auditor are refused."""
LISTS = [("/api/v1/cogovernance/teams", "team", TEAM_READ), ("/api/v1/cogovernance/tasks", "task", TEAM_READ),
         ("/api/v1/cogovernance/social-orgs", "org", ORG_READ), ("/api/v1/cogovernance/projects", "project", ORG_READ)]


def _fill(value, objects: dict):
    if isinstance(value, str):
        filled = value.format(**objects)
        return int(filled) if value.startswith("{") and value != "{grid}" else filled
    if isinstance(value, dict):
        return {k: _fill(v, objects) for k, v in value.items()}
    return value


def test_every_account_reaches_the_teams_and_projects_of_its_jurisdiction_only(app, db):
    p = places(db)
    account(db, "m_town2", "agency_dispatcher", p.town2)
    objects = {"A": demo_objects(db), "B": side_b(db, app.state.cipher)}
    db.commit()
    clients = {name: client_for(app, db.query(User).filter(User.username == name).one()) for name in COLUMNS}
    conn = db.connection()
    failures = Failures()
    for name, method, url, body, expected in ROUTES:
        for side, statuses in zip(("A", "B"), expected, strict=True):
            for username, status in zip(COLUMNS, statuses.split(), strict=True):
                savepoint = conn.begin_nested()
                try:
                    target = url.format(**objects[side])
                    kwargs = {"headers": HTML} if not target.startswith("/api/") else {}
                    if body is not None:
                        kwargs["json"] = _fill(body, objects[side])
                    got = clients[username].request(method, target, **kwargs).status_code
                finally:
                    savepoint.rollback()
                failures.check(got == int(status),
                               f"{username}: {name} {side} {method} {target} → {got}，应为 {status}")
    for name, url, data, expected in PAGE_WRITES:
        for side, statuses in zip(("A", "B"), expected, strict=True):
            for username, status in zip(COLUMNS, statuses.split(), strict=True):
                savepoint = conn.begin_nested()
                try:
                    target = url.format(**objects[side])
                    got = clients[username].post(target, data={k: v.format(**objects[side]) for k, v in data.items()},
                                                 headers=HTML, follow_redirects=False).status_code
                finally:
                    savepoint.rollback()
                failures.check(got == int(status), f"{username}: {name} {side} POST {target} → {got}，应为 {status}")
    for url, statuses in PAGES.items():
        for username, status in zip(COLUMNS, statuses.split(), strict=True):
            got = clients[username].get(url, headers=HTML).status_code
            failures.check(got == int(status), f"{username}: GET {url} → {got}，应为 {status}")
    photos = {}
    for side, colour in (("A", (10, 20, 30)), ("B", (30, 20, 10))):
        png = io.BytesIO()
        Image.new("RGB", (8, 8), colour).save(png, format="PNG")
        photos[side] = clients["city_admin"].post("/api/v1/cogovernance/task-photos",
                                                  files={"file": ("p.png", png.getvalue())}).json()["sha256"]
        db.get(TeamTask, objects[side]["task"]).photos = [photos[side]]
    db.commit()
    for username, status in zip(COLUMNS, TAKE_PART.split(), strict=True):
        png = io.BytesIO()
        Image.new("RGB", (4, 4), (1, 2, 3)).save(png, format="PNG")
        got = clients[username].post("/api/v1/cogovernance/task-photos", files={"file": ("p.png", png.getvalue())})
        failures.check(got.status_code == int(status), f"{username}: 上传照片 → {got.status_code}，应为 {status}")
    for side, statuses in zip(("A", "B"), TEAM_READ, strict=True):
        for username, status in zip(COLUMNS, statuses.split(), strict=True):
            got = clients[username].get(f"/api/v1/cogovernance/task-photos/{photos[side]}").status_code
            failures.check(got == int(status), f"{username}: {side} 任务照片 → {got}，应为 {status}")
    titles = {"A": "独居老人安全走访", "B": "乙区任务"}  # the open task of each side
    for username, a, b in zip(COLUMNS, TEAM_READ[0].split(), TEAM_READ[1].split(), strict=True):
        r = clients[username].get("/api/v1/cogovernance/tasks.csv")
        failures.check(r.status_code == (403 if a == "403" else 200), f"{username}: tasks.csv → {r.status_code}")
        for side, status in (("A", a), ("B", b)):
            if r.status_code == 200:
                listed = titles[side] in r.content.decode("utf-8-sig")
                failures.check(listed == (status == "200"), f"{username}: tasks.csv 中 {side} 的任务：{listed}")
    for url, kind, expected in LISTS:
        for username, a, b in zip(COLUMNS, expected[0].split(), expected[1].split(), strict=True):
            r = clients[username].get(url)
            if a == "403":
                failures.check(r.status_code == 403, f"{username}: {url} → {r.status_code}，应为 403")
                continue
            ids = {row["id"] for row in r.json()}
            for side, status in (("A", a), ("B", b)):
                listed = objects[side][kind] in ids
                failures.check(listed == (status == "200"), f"{username}: {url} 中 {side} 的{kind}：{listed}")
    assert not failures.items, "\n".join(failures.items)
