"""Each role sees exactly its jurisdiction: a matrix of every demo account × every resource.

For each account the expected answer is computed from its scope alone, by reading the database
directly (``Universe``), never through the service code under test: a code is in the jurisdiction
when it starts with the scope's significant digits (``significant()``, written out here on purpose
instead of importing the rule). Ancestors of the scope (the county above a town, ...) are visible
only where a resource says so (area trees, departments), for navigation.

Two tables drive the test:

``LISTS`` — resources that show many items. A row is ``List(name, permission, fetch, expect,
ancestors=False)``:
  * ``fetch(client, u) -> Seen``: calls the resource like a client would and returns what it showed:
    ``Seen(items={key: territorial code}, total=None)``. ``key`` is whatever identifies an item (a
    grid code, a username, an audit entry id); the value is where the item lies. When the resource
    shows only one page, return ``total`` as the resource reports it (the check is then: items ⊆
    expected and total == len(expected)); otherwise page through or filter so that ``items`` is
    complete (the check is then equality).
  * ``expect(u) -> set[key]``: the keys the account must see, from ``u`` (the account's
    ``Universe``: its prefix and plain queries of the tables).
  Every item shown must lie under the prefix (or be an ancestor when ``ancestors=True``); an account
  whose role lacks ``permission`` must get 403.

``DETAILS`` — resources that show one item by its code: ``Detail(name, permission, url, kind)``
with ``kind`` "grid", "area" or "user". The inside item answers 200; an item outside the
jurisdiction answers 404 with the same body as a missing one (the code aside).

To add a row (staff, boards, adjustments, ...): write a small ``fetch`` (usually one or two
requests and a comprehension, or ``_page_codes`` for an HTML page), add the table's rows to
``Universe.__init__`` if it needs a new query, and append ``List(...)`` / ``Detail(...)`` below.

The aggregates with a lifecycle (cases, instructions, supervision, catalogue applications,
complaints, adjustments, notifications) have their own table further down (``ROUTES``,
``LISTINGS``): hand-written expected statuses for users of several roles in two counties, on
objects inside and outside; ``test_the_aggregate_matrix_calls_every_route_of_those_aggregates``
fails when such a route is added without a row (or a written reason).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta as _timedelta

import pytest
import shapely
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.accounts.demo import DEMO_ACCOUNTS, demo_places
from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.permissions import Permission
from gridgov.authz.scope import SYSTEM
from gridgov.catalogue import service as catalogue_service
from gridgov.departments.service import department_code
from gridgov.kit import tokens
from gridgov.kit.clock import utc_now
from gridgov.models import (
    Area,
    AuditEntry,
    Department,
    Grid,
    Notification,
    Post,
    StaffMember,
    User,
)
from gridgov.policy.loader import load_profile

from .adjustment_data import split_plan, today
from .conftest import TEST_SECRET_KEY

CITY = "321100000000"
HTML = {"accept": "text/html"}
SEARCH = "第1网格"
"""A grid-name fragment found in every county (第1网格, 第10网格, ...): a search across jurisdictions."""


def significant(code: str) -> str:
    """The digits everything under a code starts with (area codes drop their zero segments)."""
    if len(code) != 12:
        return code
    for end in (2, 4, 6, 9):
        if set(code[end:]) == {"0"}:
            return code[:end]
    return code


_T, _D, _S = Permission.TERRITORY_READ, Permission.DEPARTMENTS_READ, Permission.STAFF_READ
_U, _A = Permission.USERS_ADMIN, Permission.AUDIT_READ
MAY_READ: dict[str, set[Permission]] = {
    # What each demo account may read, written by hand from the role table of the brief, never taken from
    # role_can, the code under test: field and agency roles read the territory and the departments; agency
    # staff and grid leaders read staff records; the agency administrator also manages users; separation of
    # duties (等保 三员) leaves the auditor the audit log only and the security administrator users only.
    "city_admin": {_T, _D, _S, _U},
    "county_dispatcher": {_T, _D, _S},
    "town_dispatcher": {_T, _D, _S},
    "worker": {_T, _D},
    "worker2": {_T, _D},
    "leader": {_T, _D, _S},
    "dept_cg": {_T, _D},
    "dept_sc": {_T, _D},
    "auditor": {_A},
    "security_admin": {_U},
}


class Universe:
    """One account's jurisdiction and the database's plain answer to "what lies in it"."""

    def __init__(self, db, username: str):
        self.username = username
        self.user = db.scalar(select(User).where(User.username == username))
        self.role = self.user.role
        self.prefix = significant(self.user.scope_code)
        self.places = demo_places(db, CITY)
        self.areas = dict(db.execute(select(Area.code, Area.parent_code)).all())
        self.grids = {code: (name, status, wkb) for code, name, status, wkb in
                      db.execute(select(Grid.code, Grid.name, Grid.status, Grid.geom_wkb))}
        self.departments = dict(db.execute(select(Department.code, Department.area_code).where(Department.is_active)).all())
        self.users = dict(db.execute(select(User.username, User.scope_code)).all())
        self.user_ids = dict(db.execute(select(User.username, User.id)).all())
        self.user_created = dict(db.execute(select(AuditEntry.id, AuditEntry.area_code)
                                            .where(AuditEntry.action == "user_created")).all())
        # a staff record lies where it is managed and wherever it holds a post
        self.staff: dict[str, set[str]] = {}
        for staff_id, area in db.execute(select(StaffMember.id, StaffMember.area_code)):
            self.staff.setdefault(str(staff_id), set()).add(area)
        for staff_id, scope in db.execute(select(Post.staff_id, Post.scope_code)):
            self.staff.setdefault(str(staff_id), set()).add(scope)

    def covers(self, code: str) -> bool:
        return code.startswith(self.prefix)

    def sees(self, code: str) -> bool:
        """Inside the jurisdiction, or an area above it."""
        return self.covers(code) or (len(code) == 12 and self.prefix.startswith(significant(code)))

    def can(self, permission: Permission) -> bool:
        return permission in MAY_READ[self.username]

    def staff_in(self) -> set[str]:
        return {i for i, codes in self.staff.items() if any(self.covers(c) for c in codes)}

    def staff_place(self, staff_id: str, fallback: str) -> str:
        """Where a shown staff record lies for this account: a code of it inside, else its area."""
        return next((c for c in sorted(self.staff.get(staff_id, ())) if self.covers(c)), fallback)

    def active_grids(self) -> set[str]:
        return {c for c, (_n, status, _w) in self.grids.items() if status == "active" and self.covers(c)}

    # the inside, outside and missing items of each kind, for DETAILS
    def inside(self, kind: str) -> str | None:
        if kind == "grid":
            own = self.user.scope_code
            return own if len(own) == 15 else min(self.active_grids())
        if kind == "area":
            return self.user.scope_code[:12]
        if kind == "staff":
            return min(self.staff_in(), key=int, default=None)
        return str(self.user_ids[self.username])

    def outside(self, kind: str) -> str | None:
        if kind == "grid":
            return min((c for c, (_n, s, _w) in self.grids.items() if s == "active" and not self.covers(c)), default=None)
        if kind == "area":
            return min((c for c in self.areas if not self.sees(c)), default=None)
        if kind == "staff":
            return min(set(self.staff) - self.staff_in(), key=int, default=None)
        return min((str(self.user_ids[u]) for u, scope in self.users.items() if not self.covers(scope)), default=None)

    def missing(self, kind: str) -> str:
        candidates = {"grid": ("321102001001999", self.grids), "area": ("321199000000", self.areas),
                      "user": ("987654", {str(i) for i in self.user_ids.values()}),
                      "staff": ("987654", set(self.staff))}
        code, existing = candidates[kind]
        assert code not in existing
        return code


class Denied(Exception):
    """The resource answered 403."""


@dataclass
class Seen:
    items: dict[str, str]
    total: int | None = None


@dataclass(frozen=True)
class List:
    name: str
    permission: Permission
    fetch: Callable[..., Seen]
    expect: Callable[[Universe], set[str]]
    ancestors: bool = False


@dataclass(frozen=True)
class Detail:
    name: str
    permission: Permission
    url: str  # with {code}
    kind: str  # grid | area | user | staff
    html: bool = False


def get(client, url: str, html: bool = False, htmx: bool = False, **params):
    headers = {**(HTML if html else {}), **({"HX-Request": "true"} if htmx else {})}
    r = client.get(url, params=params, headers=headers)
    if r.status_code == 403:
        raise Denied(url)
    assert r.status_code == 200, f"{url} {params}: {r.status_code} {r.text[:300]}"
    return r


# ---------------------------------------------------------------- fetchers


def areas_api(c, u) -> Seen:
    seen, todo = {}, [None]
    while todo:
        parent = todo.pop()
        for a in get(c, "/api/v1/areas", **({"parent": parent} if parent else {})).json():
            seen[a["code"]] = a["code"]
            if a["children"]:
                todo.append(a["code"])
    return Seen(seen)


def area_tree_page(c, u) -> Seen:
    """The tree page, expanded node by node through its htmx fragments, as a person would."""
    html = get(c, "/areas", html=True).text
    seen, todo, done = {}, [], set()
    while True:
        seen.update({code: code for code in re.findall(r'href="/areas/(\d{12})"', html)})
        todo += [x for x in re.findall(r'hx-get="/areas/(\d{12})/children"', html) if x not in done and x not in todo]
        if not todo:
            return Seen(seen)
        code = todo.pop(0)
        done.add(code)
        html = get(c, f"/areas/{code}/children", html=True, htmx=True).text


def grids_api(c, u, **params) -> Seen:
    seen, page = {}, 1
    while True:
        body = get(c, "/api/v1/grids", page_size=200, page=page, **params).json()
        seen.update({g["code"]: g["code"] for g in body["items"]})
        if page * 200 >= body["total"]:
            return Seen(seen)
        page += 1


def _page_codes(c, url: str, item: str, total_id: str, **params) -> Seen:
    """Codes linked from one HTML page, and the total it prints in ``data-total``."""
    html = get(c, url, html=True, **params).text
    total = int(re.search(rf'id="{total_id}" data-total="(\d+)"', html).group(1))
    return Seen({code: code for code in re.findall(item, html)}, total)


def grids_page(c, u, **params) -> Seen:
    return _page_codes(c, "/grids", r'href="/grids/(\d{15})"', "grid-total", **params)


def map_geojson(c, u) -> Seen:
    body = get(c, f"/api/v1/areas/{CITY}/grids.geojson").json()
    return Seen({f["properties"]["code"]: f["properties"]["code"] for f in body["features"]})


def grids_export(c, u) -> Seen:
    body = get(c, "/api/v1/grids/export").json()
    return Seen({f["properties"]["code"]: f["properties"]["code"] for f in body["features"]
                 if f["properties"]["layer"] == "grid"})


def departments_api(c, u) -> Seen:
    return Seen({d["code"]: d["area_code"] for d in get(c, "/api/v1/departments").json()})


def users_api(c, u) -> Seen:
    return Seen({x["username"]: x["scope_code"] for x in get(c, "/api/v1/users").json()})


def users_page(c, u) -> Seen:
    html = get(c, "/users", html=True).text
    total = int(re.search(r'id="user-total" data-total="(\d+)"', html).group(1))
    return Seen({name: u.users[name] for name in re.findall(r'data-username="([a-z0-9_]+)"', html)}, total)


def audit_api(c, u) -> Seen:
    body = get(c, "/api/v1/audit", action="user_created", page_size=200).json()
    assert body["total"] == len(body["items"])
    return Seen({str(e["id"]): e["area_code"] for e in body["items"]})


def audit_page(c, u) -> Seen:
    html = get(c, "/audit", html=True, action="user_created").text
    total = int(re.search(r'id="audit-total" data-total="(\d+)"', html).group(1))
    return Seen(dict(re.findall(r'data-id="(\d+)" data-area="(\d*)"', html)), total)


def audit_csv(c, u) -> Seen:
    rows = list(csv.reader(io.StringIO(get(c, "/api/v1/audit.csv", action="user_created").content.decode("utf-8-sig"))))
    return Seen({row[0]: row[8] for row in rows[1:]})


def staff_api(c, u) -> Seen:
    seen, page = {}, 1
    while True:
        body = get(c, "/api/v1/staff", page=page, page_size=200).json()
        seen.update({str(i["id"]): u.staff_place(str(i["id"]), i["area_code"]) for i in body["items"]})
        if page * body["page_size"] >= body["total"]:
            return Seen(seen)
        page += 1


def _searched(u: Universe) -> set[str]:
    return {c for c in u.active_grids() if SEARCH in u.grids[c][0] or SEARCH in c}


LISTS: list[List] = [
    List("区域列表 API（逐级展开）", Permission.TERRITORY_READ, areas_api, lambda u: {a for a in u.areas if u.sees(a)}, ancestors=True),
    List("区域树页面（逐级展开）", Permission.TERRITORY_READ, area_tree_page, lambda u: {a for a in u.areas if u.sees(a)}, ancestors=True),
    List("网格列表 API", Permission.TERRITORY_READ, grids_api, Universe.active_grids),
    List("网格搜索 API", Permission.TERRITORY_READ, lambda c, u: grids_api(c, u, q=SEARCH), _searched),
    List("网格列表页面", Permission.TERRITORY_READ, grids_page, Universe.active_grids),
    List("网格搜索页面", Permission.TERRITORY_READ, lambda c, u: grids_page(c, u, q=SEARCH), _searched),
    List("地图 GeoJSON（全市）", Permission.TERRITORY_READ, map_geojson, Universe.active_grids),
    List("网格导出", Permission.TERRITORY_READ, grids_export, lambda u: {c for c in u.grids if u.covers(c)}),
    List("联动部门 API", Permission.DEPARTMENTS_READ, departments_api,
         lambda u: {d for d, area in u.departments.items() if u.sees(area)}, ancestors=True),
    List("网格员 API（逐页）", Permission.STAFF_READ, staff_api, Universe.staff_in),
    List("用户 API", Permission.USERS_ADMIN, users_api, lambda u: {n for n, s in u.users.items() if u.covers(s)}),
    List("用户页面", Permission.USERS_ADMIN, users_page, lambda u: {n for n, s in u.users.items() if u.covers(s)}),
    List("审计日志 API", Permission.AUDIT_READ, audit_api, lambda u: {str(i) for i, a in u.user_created.items() if u.covers(a)}),
    List("审计日志页面", Permission.AUDIT_READ, audit_page, lambda u: {str(i) for i, a in u.user_created.items() if u.covers(a)}),
    List("审计日志 CSV", Permission.AUDIT_READ, audit_csv, lambda u: {str(i) for i, a in u.user_created.items() if u.covers(a)}),
]

DETAILS: list[Detail] = [
    Detail("网格详情 API", Permission.TERRITORY_READ, "/api/v1/grids/{code}", "grid"),
    Detail("网格页面", Permission.TERRITORY_READ, "/grids/{code}", "grid", html=True),
    Detail("区域详情 API", Permission.TERRITORY_READ, "/api/v1/areas/{code}", "area"),
    Detail("区域页面", Permission.TERRITORY_READ, "/areas/{code}", "area", html=True),
    Detail("区域下级片段", Permission.TERRITORY_READ, "/areas/{code}/children", "area", html=True),
    Detail("区域地图 GeoJSON", Permission.TERRITORY_READ, "/api/v1/areas/{code}/grids.geojson", "area"),
    Detail("地图页面", Permission.TERRITORY_READ, "/map?area={code}", "area", html=True),
    Detail("网格员档案 API", Permission.STAFF_READ, "/api/v1/staff/{code}", "staff"),
    Detail("网格员档案页面", Permission.STAFF_READ, "/staff/{code}", "staff", html=True),
    Detail("用户详情 API", Permission.USERS_ADMIN, "/api/v1/users/{code}", "user"),
    Detail("用户页面", Permission.USERS_ADMIN, "/users/{code}", "user", html=True),
]


# ---------------------------------------------------------------- the test




def _message(r, code: str) -> str:
    """What a 404 says, with the asked-for code taken out (JSON detail or the error page's text)."""
    if r.headers.get("content-type", "").startswith("application/json"):
        text = r.json()["detail"]
    else:
        text = re.search(r'class="error-page__message">([^<]*)<', r.text).group(1)
    return text.replace(code, "{code}")


@dataclass
class Failures:
    items: list[str] = field(default_factory=list)

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            self.items.append(message)


def check_list(row: List, c, u: Universe, fail: Failures) -> None:
    if not u.can(row.permission):
        try:
            row.fetch(c, u)
        except Denied:
            return
        fail.check(False, f"{row.name}: 无权限的角色 {u.role} 没有得到 403")
        return
    seen = row.fetch(c, u)
    expected = row.expect(u)
    where = u.sees if row.ancestors else u.covers
    stray = {k: v for k, v in seen.items.items() if not where(v)}
    fail.check(not stray, f"{row.name}: 看到辖区外的 {sorted(stray)[:5]}")
    extra = set(seen.items) - expected
    fail.check(not extra, f"{row.name}: 多出 {sorted(extra)[:5]}")
    if seen.total is None:
        missing = expected - set(seen.items)
        fail.check(not missing, f"{row.name}: 缺少 {len(missing)} 项，如 {sorted(missing)[:5]}")
    else:
        fail.check(seen.total == len(expected), f"{row.name}: 总数 {seen.total}，应为 {len(expected)}")
        fail.check(bool(seen.items) == bool(expected), f"{row.name}: 第一页为空/非空与预期不符")


def check_detail(row: Detail, c, u: Universe, fail: Failures) -> None:
    headers = HTML if row.html else {}
    inside = u.inside(row.kind)
    r = c.get(row.url.format(code=inside), headers=headers)
    if not u.can(row.permission):
        fail.check(r.status_code == 403, f"{row.name}: 无权限的角色 {u.role} 得到 {r.status_code}")
        return
    fail.check(r.status_code == 200, f"{row.name}: 辖区内 {inside} 得到 {r.status_code}")
    outside = u.outside(row.kind)
    if outside is None:
        return
    missing = u.missing(row.kind)
    r_out = c.get(row.url.format(code=outside), headers=headers)
    r_missing = c.get(row.url.format(code=missing), headers=headers)
    fail.check(r_out.status_code == r_missing.status_code == 404,
               f"{row.name}: 辖区外 {outside} 得到 {r_out.status_code}，不存在的得到 {r_missing.status_code}")
    if r_out.status_code == r_missing.status_code == 404:
        fail.check(_message(r_out, outside) == _message(r_missing, missing),
                   f"{row.name}: 辖区外与不存在的回答不同：{_message(r_out, outside)!r} / {_message(r_missing, missing)!r}")


def check_locate(c, u: Universe, fail: Failures) -> None:
    """A point in the account's own grid is located; a point in a grid outside is not named."""
    def point(code):
        p = shapely.from_wkb(u.grids[code][2]).representative_point()
        return {"lon": p.x, "lat": p.y}

    inside = u.inside("grid")
    r = c.get("/api/v1/grids/locate", params=point(inside))
    if not u.can(Permission.TERRITORY_READ):
        fail.check(r.status_code == 403, f"定位: 无权限的角色得到 {r.status_code}")
        return
    fail.check(r.status_code == 200 and r.json()["grid_code"] == inside, f"定位: 辖区内 {inside} 得到 {r.text[:200]}")
    outside = u.outside("grid")
    if outside:
        body = c.get("/api/v1/grids/locate", params=point(outside)).json()
        fail.check(not body["found"] and body["grid_code"] is None and outside not in str(body)
                   and u.grids[outside][0] not in str(body), f"定位: 辖区外的网格被说出：{body}")
        nowhere = c.get("/api/v1/grids/locate", params={"lon": 100.0, "lat": 40.0}).json()
        fail.check(body["message"] == nowhere["message"], f"定位: 辖区外与无网格的回答不同：{body['message']} / {nowhere['message']}")


@pytest.mark.parametrize("username", [a.username for a in DEMO_ACCOUNTS])
def test_each_account_sees_exactly_its_jurisdiction(username, client_as, db):
    u = Universe(db, username)
    c = client_as(username)
    fail = Failures()
    for row in LISTS:
        check_list(row, c, u, fail)
    for row in DETAILS:
        check_detail(row, c, u, fail)
    check_locate(c, u, fail)
    assert not fail.items, f"{username}（{u.role}，前缀 {u.prefix}）：\n" + "\n".join(fail.items)


def test_the_matrix_covers_every_demo_role_and_a_row_per_resource():
    """Guards the table itself: every demo account is a column, and reading roles are denied somewhere."""
    assert set(MAY_READ) == {a.username for a in DEMO_ACCOUNTS}
    assert {a.username for a in DEMO_ACCOUNTS} >= {"city_admin", "county_dispatcher", "town_dispatcher", "worker",
                                                   "worker2", "leader", "dept_cg", "dept_sc", "auditor"}
    assert {r.permission for r in LISTS} >= {Permission.TERRITORY_READ, Permission.DEPARTMENTS_READ,
                                             Permission.USERS_ADMIN, Permission.AUDIT_READ}


@pytest.mark.parametrize("username", [a.username for a in DEMO_ACCOUNTS])
def test_each_account_logs_out_only_itself(username, client_as):
    """POST /api/v1/auth/logout (SELF): every role may call it; it ends that account's token and
    no other account's (the rolled-back test transaction brings the version back afterwards)."""
    other = "worker" if username != "worker" else "leader"
    c, bystander = client_as(username), client_as(other)
    assert c.get("/api/v1/auth/me").status_code == 200 and bystander.get("/api/v1/auth/me").status_code == 200
    assert c.post("/api/v1/auth/logout").status_code == 204
    assert c.get("/api/v1/auth/me").status_code == 401
    assert bystander.get("/api/v1/auth/me").status_code == 200


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
    no = ok(who["worker"].post("/api/v1/cases", json={"title": "矩阵：路灯不亮", "category": category,
                                                      "source": "patrol", "grid_code": grid, "address": "花园路 3 号"}),
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
            "list": str(cat["id"]), "category": category, "refusable": REFUSABLE, "adjustment_body": adjustment_body}


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
                       f"{route.name}: {username} 辖区内得到 {r_in.status_code}，应为 {inside[i]}：{_detail(r_in)[:80]}")
            r_out = send(c, route, other, other[route.kind])
            fail.check(str(r_out.status_code) == outside[i],
                       f"{route.name}: {username} 辖区外得到 {r_out.status_code}，应为 {outside[i]}：{_detail(r_out)[:80]}")
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

    # notifications: each user's own only; marking another user's notice read marks nothing
    theirs = {}
    for username in COLUMNS:
        uid = db.scalar(select(User.id).where(User.username == username))
        theirs[username] = set(db.scalars(select(Notification.id).where(Notification.user_id == uid)))
    for username in COLUMNS:
        shown = {n["id"] for n in clients[username].get("/api/v1/notifications").json()["items"]}
        fail.check(shown <= theirs[username], f"通知: {username} 看到了别人的通知 {sorted(shown - theirs[username])[:5]}")
        others = sorted(set().union(*(v for k, v in theirs.items() if k != username)))[:20]
        savepoint = conn.begin_nested()
        try:
            r = clients[username].post("/api/v1/notifications/read", json={"ids": others})
            fail.check(r.status_code == 200 and r.json()["marked"] == 0, f"通知: {username} 标记了别人的通知：{r.text[:200]}")
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
    called |= {("GET", "/api/v1/notifications"), ("POST", "/api/v1/notifications/read")}
    missing = []
    for path, methods, _perms in route_permissions(app):
        if not AGGREGATE_PATHS.match(path):
            continue
        for method in methods - {"HEAD"}:
            if (method, path) in NOT_IN_THE_MATRIX:
                continue
            if (method, re.sub(r"\{[a-z_0-9]+\}", "{}", path)) not in called:
                missing.append(f"{method} {path}")
    assert not missing, "矩阵没有覆盖这些路由（加入 ROUTES/LISTINGS，或在 NOT_IN_THE_MATRIX 写明理由）：" + "、".join(missing)
