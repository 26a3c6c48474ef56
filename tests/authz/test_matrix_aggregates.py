"""Each role reaches the aggregates of its jurisdiction only: a matrix of routes × roles × counties.

The aggregates with a lifecycle (cases, instructions, supervision, catalogue applications,
complaints, adjustments, notifications) have their own table further down (``ROUTES``,
``LISTINGS``): hand-written expected statuses for users of several roles in two counties, on
objects inside and outside; ``test_the_aggregate_matrix_calls_every_route_of_those_aggregates``
fails when such a route is added without a row (or a written reason).

The lists and details of the territory, staff, users and audit have their matrix in ``test_matrix.py``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta as _timedelta

import shapely
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.scope import SYSTEM
from gridgov.catalogue import service as catalogue_service
from gridgov.departments.service import department_code
from gridgov.kit import tokens
from gridgov.kit.clock import utc_now
from gridgov.models import Grid, Notification, User
from gridgov.policy.loader import load_profile

from ..conftest import TEST_SECRET_KEY
from ..territory.adjustment_data import split_plan, today
from .matrix_common import CITY, Failures

# ---------------------------------------------------------------- the aggregates' routes
#
# Cases, instructions, supervision orders, catalogue applications, complaints, adjustments and
# notifications: every read and write route, for users of several roles in one county (A: the
# demo's first county, its first town and grid) and in another (B: the second county, its first
# town and grid2), on one object of each kind built in each county. An object of the other county
# must answer exactly like a missing one (404, same message); an object inside answers the status
# written in ROUTES below by hand (from the role table and the lifecycle rules, not from code).
#
# Writes run inside a SAVEPOINT that is rolled back after each request, so one compact set of
# objects serves every cell (one pass, both databases).

# the columns: who acts (A: first county; B: second county, accounts made for the test)
COLUMNS = ("worker", "leader", "town_dispatcher", "county_dispatcher", "dept_cg",
           "worker2", "m_town2", "m_county2", "m_dept2")
SIDE = {"worker": "A", "leader": "A", "town_dispatcher": "A", "county_dispatcher": "A", "dept_cg": "A",
        "worker2": "B", "m_town2": "B", "m_county2": "B", "m_dept2": "B"}
BUILDERS = {"A": {"worker": "worker", "town": "town_dispatcher", "county": "county_dispatcher", "dept": "dept_cg"},
            "B": {"worker": "worker2", "town": "m_town2", "county": "m_county2", "dept": "m_dept2"}}
MISSING_ID = "987654"
MISSING = {"grid": "321102001001999", "town": "321102099000", "case": "X987654"}
REFUSABLE = "off_list"


@dataclass(frozen=True)
class Route:
    """One route on one object kind. ``inside``: the status each column gets on the object of its own
    county, in COLUMNS order; ``outside``: on the other county's object (404 unless the role may not
    use the route at all: then 403 for any object, existing or not)."""

    name: str
    method: str
    url: str  # with {id}: the object's key
    kind: str  # case | order | instruction | application | complaint | adjustment | grid | town | list
    inside: str
    outside: str
    body: dict | Callable[[dict], dict] | None = None  # a callable gets the target's objects, "{id}" its key

    def request_body(self, objects: dict, key: str):
        if callable(self.body):
            return self.body({**objects, self.kind: key})
        return _fill(self.body, key, objects)


def _fill(value, key: str, objects: dict):
    if isinstance(value, str):
        return value.format(id=key, **{k: v for k, v in objects.items() if isinstance(v, str)})
    if isinstance(value, dict):
        return {k: _fill(v, key, objects) for k, v in value.items()}
    return value


def _case_body(o: dict) -> dict:
    return {"title": "矩阵：井盖缺失", "category": o["category"], "source": "patrol", "grid_code": o["grid"],
            "address": "花园路 5 号"}


def _instruction_body(o: dict) -> dict:
    return {"kind": "clue", "grid_code": o["grid"], "title": "矩阵：核查线索", "content": "楼顶疑似搭建",
            "category": o["category"], "due_at": (utc_now() + _timedelta(days=2)).isoformat()}


def _application_body(o: dict) -> dict:
    return {"kind": "admission", "list_id": o["list"], "reason": "网格协助巡查",
            "matter": {"name": "矩阵：门店巡查", "description": "巡查并上报", "legal_basis": "条例"}}


def _adjustment_body(o: dict) -> dict:
    return {**o["adjustment_body"], "town_code": o["town"]}


#                                                                       wk  ld  td  cd  dc  w2  t2  c2  d2
ROUTES: list[Route] = [
    Route("事件详情", "GET", "/api/v1/cases/{id}", "case",
          "200 200 200 200 200 200 200 200 200", "404 404 404 404 404 404 404 404 404"),
    Route("事件档案", "GET", "/api/v1/cases/{id}/log", "case",
          "200 200 200 200 200 200 200 200 200", "404 404 404 404 404 404 404 404 404"),
    # a patrol finding is registered by grid staff (an agency gets 422 for the source, not the grid)
    Route("登记事件（网格在请求体中）", "POST", "/api/v1/cases", "grid",
          "201 201 422 422 403 201 422 422 403", "422 422 422 422 403 422 422 422 403", _case_body),
    Route("事件备注", "POST", "/api/v1/cases/{id}/actions/comment", "case",
          "200 200 200 200 200 200 200 200 200", "404 404 404 404 404 404 404 404 404", {"note": "矩阵检查"}),
    Route("事件的督办", "GET", "/api/v1/cases/{id}/supervision", "case",
          "200 200 200 200 200 200 200 200 200", "404 404 404 404 404 404 404 404 404"),
    Route("答复督办", "POST", "/api/v1/supervision/{id}/answer", "order",
          "403 403 403 403 200 403 403 403 200", "404 404 404 404 404 404 404 404 404", {"answer": "已安排处理"}),
    Route("机构交办（网格在请求体中）", "POST", "/api/v1/instructions", "grid",
          "403 403 201 201 403 403 201 201 403", "403 403 404 404 403 403 404 404 403", _instruction_body),
    Route("部门申请交办（网格在请求体中）", "POST", "/api/v1/instruction-requests", "grid",
          "403 403 403 403 201 403 403 403 201", "403 403 403 403 404 403 403 403 404", _instruction_body),
    Route("交办事项详情", "GET", "/api/v1/instructions/{id}", "instruction",
          "200 200 200 200 404 200 200 200 404", "404 404 404 404 404 404 404 404 404"),
    Route("同意交办申请", "POST", "/api/v1/instructions/{id}/approve", "instruction",
          "403 403 409 409 403 403 409 409 403", "404 404 404 404 403 404 404 404 403", {}),
    # the worker may refuse only a matter off the list; this one is on it (409); an agency refuses
    # only a department's request (409: this one was sent)
    Route("拒绝交办事项", "POST", "/api/v1/instructions/{id}/refuse", "instruction",
          "409 409 409 409 403 409 409 409 403", "404 404 404 404 403 404 404 404 403",
          {"reason": "不属于网格职责", "reason_kind": "{refusable}"}),
    Route("由交办事项登记事件", "POST", "/api/v1/instructions/{id}/case", "instruction",
          "201 201 403 403 403 201 403 403 403", "404 404 404 404 403 404 404 404 403", {}),
    Route("办结交办事项", "POST", "/api/v1/instructions/{id}/complete", "instruction",
          "200 200 403 403 404 200 403 403 404", "404 404 404 404 404 404 404 404 404", {"result": "已核查，情况属实"}),
    # an admission is asked by a department (an agency is refused by the rule, 403)
    Route("提出清单申请（清单在请求体中）", "POST", "/api/v1/catalogue/applications", "list",
          "403 403 403 403 201 403 403 403 201", "403 403 404 404 404 403 404 404 404", _application_body),
    # a department's application lies at its county: a town agency below does not see it
    Route("清单申请详情", "GET", "/api/v1/catalogue/applications/{id}", "application",
          "403 403 404 200 200 403 404 200 200", "403 403 404 404 404 403 404 404 404"),
    Route("审核清单申请", "POST", "/api/v1/catalogue/applications/{id}/review", "application",
          "403 403 403 403 403 403 403 200 403", "403 403 403 403 403 403 403 404 403", {"note": "材料齐全"}),
    # approving needs a review first (409); refusing a submitted one does not
    Route("同意清单申请", "POST", "/api/v1/catalogue/applications/{id}/approve", "application",
          "403 403 403 403 403 403 403 409 403", "403 403 403 403 403 403 403 404 403",
          {"note": "同意", "document": "区政发〔2026〕2号"}),
    Route("不同意清单申请", "POST", "/api/v1/catalogue/applications/{id}/refuse", "application",
          "403 403 403 403 403 403 403 200 403", "403 403 403 403 403 403 403 404 403",
          {"note": "不同意", "document": "区政发〔2026〕1号"}),
    Route("投诉详情", "GET", "/api/v1/complaints/{id}", "complaint",
          "403 403 200 200 403 403 200 200 403", "403 403 404 404 403 403 404 404 403"),
    Route("登记投诉处理", "POST", "/api/v1/complaints/{id}/handle", "complaint",
          "403 403 200 200 403 403 200 200 403", "403 403 404 404 403 403 404 404 403", {"action_taken": "已约谈"}),
    # JS§19: an agency's administrator sets the supervision phone of a county or town of its jurisdiction
    Route("设置监督电话", "POST", "/api/v1/supervision-phones/{id}", "town",
          "403 403 403 403 403 403 403 200 403", "403 403 403 403 403 403 403 404 403", {"phone": "0511-84440000"}),
    # the same plan is already pending in the town: 422 listing the codes, after the town is checked
    Route("提出网格调整（镇街在请求体中）", "POST", "/api/v1/adjustments", "town",
          "403 403 422 422 403 403 422 422 403", "403 403 404 404 403 403 404 404 403", _adjustment_body),
    Route("网格调整详情", "GET", "/api/v1/adjustments/{id}", "adjustment",
          "403 403 200 200 403 403 200 200 403", "403 403 404 404 403 403 404 404 403"),
    Route("批准网格调整", "POST", "/api/v1/adjustments/{id}/approve", "adjustment",
          "403 403 403 403 403 403 403 200 403", "403 403 403 403 403 403 403 404 403", {"note": "同意"}),
    Route("不批准网格调整", "POST", "/api/v1/adjustments/{id}/reject", "adjustment",
          "403 403 403 403 403 403 403 200 403", "403 403 403 403 403 403 403 404 403", {"note": "不同意"}),
    Route("网格调整备案", "POST", "/api/v1/adjustments/{id}/file", "adjustment",
          "403 403 403 403 403 403 403 403 403", "403 403 403 403 403 403 403 404 403", {"note": ""}),
    Route("网格边界历史", "GET", "/api/v1/grids/{id}/history", "grid",
          "200 200 200 200 200 200 200 200 200", "404 404 404 404 404 404 404 404 404"),
]

LISTINGS: dict[str, tuple[str, str, str]] = {
    # list route → (object kind, the key of an item, which columns see their own county's object: 1/0)
    "/api/v1/cases?page_size=200": ("case", "case_no", "1 1 1 1 1 1 1 1 1"),
    "/api/v1/instructions": ("instruction", "id", "1 1 1 1 0 1 1 1 0"),
    "/api/v1/supervision": ("order", "id", "0 0 0 0 1 0 0 0 1"),
    "/api/v1/catalogue/applications": ("application", "id", "- - 0 1 1 - 0 1 1"),
    "/api/v1/complaints": ("complaint", "id", "- - 1 1 - - 1 1 -"),
    "/api/v1/adjustments": ("adjustment", "id", "- - 1 1 - - 1 1 -"),
    "/api/v1/supervision-phones": ("town", "area_code", "- - - - - - - 1 -"),
}
"""``-``: the role may not use the list (403)."""


def _build_side(db, app, clients, places, side: str) -> dict[str, str]:
    """One object of each kind in one county, made through the API by that county's own users."""
    who = {k: clients[v] for k, v in BUILDERS[side].items()}
    grid, town, county = ((places.grid, places.town, places.county) if side == "A"
                          else (places.grid2, places.town2, places.county2))

    def ok(r, status=200):
        assert r.status_code == status, f"{side}: {r.request.method} {r.request.url}: {r.status_code} {r.text[:300]}"
        return r.json()

    category = ok(who["worker"].get("/api/v1/case-categories"))[0]["code"]
    point = shapely.from_wkb(db.scalar(select(Grid.geom_wkb).where(Grid.code == grid))).representative_point()
    no = ok(who["worker"].post("/api/v1/cases", json={"title": "矩阵：路灯不亮", "category": category,
                                                      "source": "patrol", "grid_code": grid, "address": "花园路 3 号",
                                                      "lon": point.x, "lat": point.y}),
            201)["case_no"]
    ok(who["worker"].post(f"/api/v1/cases/{no}/actions/escalate", json={}))
    ok(who["town"].post(f"/api/v1/cases/{no}/actions/accept", json={}))
    ok(who["town"].post(f"/api/v1/cases/{no}/actions/dispatch",
                        json={"lead_department": department_code(county, "chengguan")}))
    due = (utc_now() + _timedelta(hours=48)).isoformat()
    ok(who["county"].post(f"/api/v1/cases/{no}/actions/supervise", json={"instruction": "请两日内办结", "due_at": due}))
    order = ok(who["county"].get(f"/api/v1/cases/{no}/supervision"))[-1]["id"]
    inst = ok(who["town"].post("/api/v1/instructions", json={
        "kind": "clue", "grid_code": grid, "title": "矩阵：核查线索", "content": "花园路 3 号楼顶疑似搭建",
        "category": category, "due_at": (utc_now() + _timedelta(days=2)).isoformat()}), 201)["id"]
    with TestClient(app) as anyone:
        complaint = ok(anyone.post(f"/api/v1/public/boards/{grid}/complaints", json={"content": "矩阵：态度生硬"},
                                   headers={"X-Forwarded-For": f"10.9.9.{1 if side == 'A' else 2}"}), 201)["id"]
    lists = ok(who["dept"].get("/api/v1/catalogue/lists", params={"area": county}))
    cat = next(x for x in lists if x["area_code"] == county)
    application = ok(who["dept"].post("/api/v1/catalogue/applications", json={
        "kind": "admission", "list_id": cat["id"], "reason": "网格协助巡查",
        "matter": {"name": f"矩阵巡查{side}", "description": "巡查并上报", "legal_basis": "条例"}}), 201)["id"]
    plan, *_ = split_plan(db, grid)
    adjustment_body = {"kind": "split", "town_code": town, "trigger": "relocation", "reason": "拆迁安置后人口增加",
                       "committee_opinion": "社区居委会同意拆分", "effective_on": str(today(utc_now())), "plan": plan}
    adjustment = ok(who["town"].post("/api/v1/adjustments", json=adjustment_body), 201)["id"]
    return {"case": no, "order": str(order), "instruction": str(inst), "application": str(application),
            "complaint": str(complaint), "adjustment": str(adjustment), "grid": grid, "town": town,
            "list": str(cat["id"]), "category": category, "refusable": REFUSABLE, "adjustment_body": adjustment_body,
            "point": {"lon": point.x, "lat": point.y}}


def _detail(r) -> str:
    try:
        body = r.json()
    except ValueError:
        return r.text[:200]
    return body.get("detail", "") if isinstance(body, dict) else ""


def test_each_role_reaches_the_aggregates_of_its_jurisdiction_only(app, db):
    places = demo_places(db, CITY)
    for username, role, scope, dept in (("m_town2", "agency_dispatcher", places.town2, None),
                                        ("m_county2", "agency_admin", places.county2, None),
                                        ("m_dept2", "dept_receiver", places.county2,
                                         department_code(places.county2, "chengguan"))):
        create_user(db, SYSTEM, UserCreate(username=username, display_name=username, password="Matrix-test-9931",
                                           role=role, scope_code=scope, department_code=dept,
                                           must_change_password=False), now=utc_now(), demo=True)
    for county in (places.county, places.county2):
        catalogue_service.ensure_lists(db, load_profile("zhenjiang"), county, now=utc_now())
    db.commit()
    clients = {}
    for username in COLUMNS:
        c = TestClient(app)
        user = db.scalar(select(User).where(User.username == username))
        c.headers["Authorization"] = "Bearer " + tokens.issue(
            TEST_SECRET_KEY, purpose="api", user_id=user.id, version=user.session_version or 1,
            expires_at=utc_now() + _timedelta(hours=1))
        clients[username] = c
    objects = {side: _build_side(db, app, clients, places, side) for side in ("A", "B")}
    conn = db.connection()
    fail = Failures()

    def send(c, route: Route, objects: dict, key: str):
        savepoint = conn.begin_nested()
        try:
            url = route.url.format(id=key)
            return c.get(url) if route.method == "GET" else c.post(url, json=route.request_body(objects, key))
        finally:
            savepoint.rollback()

    for route in ROUTES:
        inside, outside = route.inside.split(), route.outside.split()
        assert len(inside) == len(outside) == len(COLUMNS), route.name
        for i, username in enumerate(COLUMNS):
            c = clients[username]
            own, other = objects[SIDE[username]], objects["B" if SIDE[username] == "A" else "A"]
            r_in = send(c, route, own, own[route.kind])
            fail.check(str(r_in.status_code) == inside[i],
                       f"{route.name}: {username} 辖区内得到 {r_in.status_code}，应为 {inside[i]}："
                       f"{_detail(r_in)[:80]}")
            r_out = send(c, route, other, other[route.kind])
            fail.check(str(r_out.status_code) == outside[i],
                       f"{route.name}: {username} 辖区外得到 {r_out.status_code}，应为 {outside[i]}："
                       f"{_detail(r_out)[:80]}")
            missing = MISSING.get(route.kind, MISSING_ID)
            r_missing = send(c, route, own, missing)
            fail.check(r_out.status_code == r_missing.status_code and
                       _detail(r_out).replace(other[route.kind], "{id}") ==
                       _detail(r_missing).replace(missing, "{id}"),
                       f"{route.name}: {username} 辖区外与不存在的回答不同：{r_out.status_code} {_detail(r_out)!r} / "
                       f"{r_missing.status_code} {_detail(r_missing)!r}")

    for url, (kind, key, seen) in LISTINGS.items():
        for username, flag in zip(COLUMNS, seen.split(), strict=True):
            r = clients[username].get(url)
            if flag == "-":
                fail.check(r.status_code == 403, f"{url}: {username} 应为 403，得到 {r.status_code}")
                continue
            if r.status_code != 200:
                fail.check(False, f"{url}: {username} 得到 {r.status_code}：{_detail(r)[:80]}")
                continue
            body = r.json()
            items = body["items"] if isinstance(body, dict) else body
            keys = {str(x[key]) for x in items}
            own, other = objects[SIDE[username]], objects["B" if SIDE[username] == "A" else "A"]
            fail.check((own[kind] in keys) == (flag == "1"), f"{url}: {username} 看到本辖区对象与否应为 {flag}")
            fail.check(other[kind] not in keys, f"{url}: {username} 看到了辖区外的 {other[kind]}")

    # 附近已有相同事件: at its own case's point each user is offered that case (every column sees its
    # county's case: the departments' through its dispatch); at the other county's case, nothing of it
    for username in COLUMNS:
        own, other = objects[SIDE[username]], objects["B" if SIDE[username] == "A" else "A"]
        for there, offered in ((own, True), (other, False)):
            r = clients[username].get("/api/v1/cases/nearby", params={**there["point"], "category": there["category"]})
            keys = {x["case_no"] for x in r.json()} if r.status_code == 200 else set()
            fail.check(r.status_code == 200 and (there["case"] in keys) == offered and other["case"] not in keys,
                       f"附近事件: {username} 在 {there['case']} 处得到 {r.status_code} {sorted(keys)}")

    # the case export: the same scope as the list (an .xlsx, its first column the case numbers)
    for username in COLUMNS:
        r = clients[username].get("/api/v1/cases/export.xlsx")
        if r.status_code != 200:
            fail.check(False, f"导出事件: {username} 得到 {r.status_code}：{_detail(r)[:80]}")
            continue
        sheet = load_workbook(io.BytesIO(r.content))["事件"]
        keys = {str(row[0]) for row in list(sheet.iter_rows(values_only=True))[1:]}
        own, other = objects[SIDE[username]], objects["B" if SIDE[username] == "A" else "A"]
        fail.check(own["case"] in keys, f"导出事件: {username} 没有导出本辖区的 {own['case']}")
        fail.check(other["case"] not in keys, f"导出事件: {username} 导出了辖区外的 {other['case']}")

    # notifications: each user's own only; marking another user's notice read marks nothing
    theirs = {}
    for username in COLUMNS:
        uid = db.scalar(select(User.id).where(User.username == username))
        theirs[username] = set(db.scalars(select(Notification.id).where(Notification.user_id == uid)))
    for username in COLUMNS:
        shown = {n["id"] for n in clients[username].get("/api/v1/notifications").json()["items"]}
        fail.check(shown <= theirs[username],
                   f"通知: {username} 看到了别人的通知 {sorted(shown - theirs[username])[:5]}")
        others = sorted(set().union(*(v for k, v in theirs.items() if k != username)))[:20]
        savepoint = conn.begin_nested()
        try:
            r = clients[username].post("/api/v1/notifications/read", json={"ids": others})
            fail.check(r.status_code == 200 and r.json()["marked"] == 0,
                       f"通知: {username} 标记了别人的通知：{r.text[:200]}")
        finally:
            savepoint.rollback()
    fail.check(any(theirs[u] for u in COLUMNS), "通知: 构造的对象没有产生任何通知")
    for c in clients.values():
        c.close()
    assert not fail.items, "\n".join(fail.items)


AGGREGATE_PATHS = re.compile(r"^/api/v1/(cases|case-photos|instructions|instruction-requests|supervision|"
                             r"catalogue/(applications|rectifications|filings|versions)|complaints|adjustments|"
                             r"notifications|grids/\{code\}/history)")
NOT_IN_THE_MATRIX = {
    ("GET", "/api/v1/case-photos/{sha256}"): "a photo is seen through a case it belongs to: "
                                             "test_cases_api tests it inside and outside",
    ("POST", "/api/v1/case-photos"): "an upload belongs to no place until a case names it",
    ("GET", "/api/v1/catalogue/rectifications"): "no notice can exist under the demo profile (no forced exit, "
                                                 "ZJ); the door's rule is tested in test_catalogue_*",
    ("POST", "/api/v1/catalogue/rectifications"): "as above: issuing is refused (403) under the demo profile",
    ("POST", "/api/v1/catalogue/rectifications/{notice_id}/answer"): "as above",
    ("GET", "/api/v1/catalogue/filings"): "county versions filed by the city agency: test_catalogue_filing",
    ("POST", "/api/v1/catalogue/versions/{version_id}/file"): "as above (a published version is public)",
}
"""Routes of these aggregates the matrix does not call, each with its reason."""


def test_the_aggregate_matrix_calls_every_route_of_those_aggregates(app):
    from gridgov.authz.permissions import route_permissions

    # every action goes through the same access_case: the matrix calls one (comment) for all of them
    called = {(r.method, re.sub(r"/actions/[a-z_]+$", "/actions/{}", r.url.replace("{id}", "{}"))) for r in ROUTES}
    called |= {("GET", url.split("?")[0]) for url in LISTINGS}
    called |= {("GET", "/api/v1/notifications"), ("POST", "/api/v1/notifications/read"),
               ("GET", "/api/v1/cases/nearby")}
    called |= {("GET", "/api/v1/cases/export.xlsx")}  # checked beside the listings, as an .xlsx
    missing = []
    for path, methods, _perms in route_permissions(app):
        if not AGGREGATE_PATHS.match(path):
            continue
        for method in methods - {"HEAD"}:
            if (method, path) in NOT_IN_THE_MATRIX:
                continue
            if (method, re.sub(r"\{[a-z_0-9]+\}", "{}", path)) not in called:
                missing.append(f"{method} {path}")
    assert not missing, ("矩阵没有覆盖这些路由（加入 ROUTES/LISTINGS，或在 NOT_IN_THE_MATRIX 写明理由）："
                         + "、".join(missing))
