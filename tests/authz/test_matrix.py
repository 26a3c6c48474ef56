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
complaints, adjustments, notifications) have their own matrix: ``test_matrix_aggregates.py``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import shapely
from openpyxl import load_workbook
from sqlalchemy import select

import gridgov
from gridgov.accounts.demo import DEMO_ACCOUNTS, demo_places
from gridgov.authz.permissions import Permission
from gridgov.models import (
    Area,
    AuditEntry,
    Department,
    Grid,
    Post,
    StaffMember,
    User,
)
from gridgov.models.registry import Unit

from .matrix_common import CITY, Failures

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
_U, _A, _C = Permission.USERS_ADMIN, Permission.AUDIT_READ, Permission.CASES_READ
_R = Permission.REGISTRY_READ  # grid staff, agency staff and departments (which see none of it by default)
MAY_READ: dict[str, set[Permission]] = {
    # What each demo account may read, written by hand from the role table of the brief, never taken from
    # role_can, the code under test: field and agency roles read the territory and the departments; agency
    # staff and grid leaders read staff records; the agency administrator also manages users; separation of
    # duties (等保 三员) leaves the auditor the audit log only and the security administrator users only.
    "city_admin": {_T, _D, _S, _U, _C, _R},
    "county_dispatcher": {_T, _D, _S, _C, _R},
    "town_dispatcher": {_T, _D, _S, _C, _R},
    "worker": {_T, _D, _C, _R},
    "worker2": {_T, _D, _C, _R},
    "leader": {_T, _D, _S, _C, _R},
    "dept_cg": {_T, _D, _C, _R},
    "dept_sc": {_T, _D, _C, _R},
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
        self.departments = dict(db.execute(select(Department.code,
                                                  Department.area_code).where(Department.is_active)).all())
        self.users = dict(db.execute(select(User.username, User.scope_code)).all())
        self.user_ids = dict(db.execute(select(User.username, User.id)).all())
        self.user_created = dict(db.execute(select(AuditEntry.id, AuditEntry.area_code)
                                            .where(AuditEntry.action == "user_created")).all())
        # a staff record lies where it is managed and wherever it holds a post
        self.staff: dict[str, set[str]] = {}
        self.units = dict(db.execute(select(Unit.uscc, Unit.scope_code)).all())
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
            return min((c for c, (_n, s, _w) in self.grids.items() if s == "active" and not self.covers(c)),
                       default=None)
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


def _shipped_type_codes() -> set[str]:
    """Every code of the shipped case-type file, read as plain CSV (not through the code under test)."""
    text = (Path(gridgov.__file__).parent / "cases" / "data" / "case_types.csv").read_text(encoding="utf-8")
    rows = [r for r in csv.reader(io.StringIO(text)) if r and not r[0].startswith("#")]
    return {r[0] for r in rows[1:]}


def case_types_api(c, u) -> Seen:
    """A reference list with no jurisdiction: every reader gets all of it (placed at the city, above all)."""
    return Seen({t["code"]: CITY for t in get(c, "/api/v1/case-types").json()})


def users_api(c, u) -> Seen:
    body = get(c, "/api/v1/users", page_size=200).json()
    seen = {x["username"]: x["scope_code"] for x in body["items"]}
    return Seen(seen, None if body["total"] == len(seen) else body["total"])


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


def registry_export(c, u) -> Seen:
    """The masked export of the register's units (an .xlsx: a watermark row, the header, the rows)."""
    wb = load_workbook(io.BytesIO(get(c, "/api/v1/registry/export.xlsx", kind="units").content), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(min_row=3, values_only=True))
    return Seen({row[1]: u.units[row[1]] for row in rows})


def _units_in(u: Universe) -> set[str]:
    if u.user.department_code:  # departments see none of the register by default
        return set()
    return {uscc for uscc, scope in u.units.items() if u.covers(scope)}


def _searched(u: Universe) -> set[str]:
    return {c for c in u.active_grids() if SEARCH in u.grids[c][0] or SEARCH in c}


LISTS: list[List] = [
    List("区域列表 API（逐级展开）", Permission.TERRITORY_READ, areas_api, lambda u: {a for a in u.areas if u.sees(a)},
         ancestors=True),
    List("区域树页面（逐级展开）", Permission.TERRITORY_READ, area_tree_page,
         lambda u: {a for a in u.areas if u.sees(a)}, ancestors=True),
    List("网格列表 API", Permission.TERRITORY_READ, grids_api, Universe.active_grids),
    List("网格搜索 API", Permission.TERRITORY_READ, lambda c, u: grids_api(c, u, q=SEARCH), _searched),
    List("网格列表页面", Permission.TERRITORY_READ, grids_page, Universe.active_grids),
    List("网格搜索页面", Permission.TERRITORY_READ, lambda c, u: grids_page(c, u, q=SEARCH), _searched),
    List("地图 GeoJSON（全市）", Permission.TERRITORY_READ, map_geojson, Universe.active_grids),
    List("网格导出", Permission.TERRITORY_READ, grids_export, lambda u: {c for c in u.grids if u.covers(c)}),
    List("联动部门 API", Permission.DEPARTMENTS_READ, departments_api,
         lambda u: {d for d, area in u.departments.items() if u.sees(area)}, ancestors=True),
    List("事件类型 API（无辖区的参考表）", Permission.CASES_READ, case_types_api, lambda u: _shipped_type_codes(),
         ancestors=True),
    List("网格员 API（逐页）", Permission.STAFF_READ, staff_api, Universe.staff_in),
    List("用户 API", Permission.USERS_ADMIN, users_api, lambda u: {n for n, s in u.users.items() if u.covers(s)}),
    List("用户页面", Permission.USERS_ADMIN, users_page, lambda u: {n for n, s in u.users.items() if u.covers(s)}),
    List("审计日志 API", Permission.AUDIT_READ, audit_api,
         lambda u: {str(i) for i, a in u.user_created.items() if u.covers(a)}),
    List("审计日志页面", Permission.AUDIT_READ, audit_page,
         lambda u: {str(i) for i, a in u.user_created.items() if u.covers(a)}),
    List("审计日志 CSV", Permission.AUDIT_READ, audit_csv,
         lambda u: {str(i) for i, a in u.user_created.items() if u.covers(a)}),
    List("基础信息导出（实有单位，脱敏）", Permission.REGISTRY_READ, registry_export, _units_in),
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
                   f"{row.name}: 辖区外与不存在的回答不同：{_message(r_out, outside)!r} / "
                   f"{_message(r_missing, missing)!r}")


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
        fail.check(body["message"] == nowhere["message"],
                   f"定位: 辖区外与无网格的回答不同：{body['message']} / {nowhere['message']}")


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
