"""The jurisdiction matrix of the care routes: every demo account × a tagged person, a household and
a visit in each of two towns. The expected answer is worked out here from the account's scope and
the permissions written by hand (never from the code under test): no permission → 403, inside the
jurisdiction → the row, outside (or a department, which sees none of the register) → 404 / absent."""

from __future__ import annotations

import pytest

from gridgov.accounts.demo import DEMO_ACCOUNTS
from gridgov.models import User

from .care_fixtures import days_ago, grids, household, tag

READERS = {"city_admin", "county_dispatcher", "town_dispatcher", "worker", "worker2", "leader", "dept_cg", "dept_sc"}
WRITERS = {"city_admin", "worker", "worker2", "leader"}
DEPARTMENTS = {"dept_cg", "dept_sc"}
"""By hand from the role table: grid staff read and write the register of their grids, agencies read it
(their administrator also writes), departments hold the read permission but see none by default, the
auditor and the security administrator have no part in it."""


def significant(code: str) -> str:
    if len(code) != 12:
        return code
    for end in (2, 4, 6, 9):
        if set(code[end:]) == {"0"}:
            return code[:end]
    return code


@pytest.fixture
def rows(db, app, client_as):
    grid, grid2 = grids(db)
    cipher, profile = app.state.cipher, app.state.profile
    out = []
    for g, road in ((grid, "矩阵东路"), (grid2, "矩阵西路")):
        home = household(db, cipher, g, road, [f"矩阵{road[-2:]}"])
        tag(db, cipher, profile, home.people[0], "elderly_alone", since=days_ago(30))
        out.append(home)
    visits = {}
    for home, username in ((out[0], "worker"), (out[1], "worker2")):
        r = client_as(username).post("/api/v1/visits", json={"person_id": home.people[0].id, "note": "矩阵"})
        assert r.status_code == 201, r.text
        visits[home.grid] = r.json()["id"]
    return out, visits


def _due_people(c, grid: str) -> set[int]:
    seen: set[int] = set()
    for page in range(1, 200):
        r = c.get("/api/v1/visits/due", params={"grid": grid, "within": 90, "page": page, "page_size": 200})
        if r.status_code == 404:
            return seen  # a grid outside the jurisdiction
        body = r.json()
        seen |= {i["person_id"] for i in body["items"]}
        if page * body["page_size"] >= body["total"]:
            return seen
    raise AssertionError("the due list never ends")


def _status(allowed: bool, inside: bool) -> int:
    return 403 if not allowed else 200 if inside else 404


@pytest.mark.req("E3")
def test_every_account_sees_exactly_the_care_rows_of_its_jurisdiction(db, client_as, rows):
    homes, visits = rows
    failures: list[str] = []
    for account in DEMO_ACCOUNTS:
        name = account.username
        user = db.query(User).filter(User.username == name).one()
        prefix = significant(user.scope_code)
        reads, writes = name in READERS, name in WRITERS
        c = client_as(name)
        inside = {h.grid: reads and name not in DEPARTMENTS and h.grid.startswith(prefix) for h in homes}
        for h in homes:
            pid, vid = h.people[0].id, visits[h.grid]
            for url in (f"/api/v1/people/{pid}/tags", f"/api/v1/visits/{vid}"):
                got = c.get(url).status_code
                if got != _status(reads, inside[h.grid]):
                    failures.append(f"{name} GET {url}: {got}")
            page = c.get(f"/registry/care/visits/{vid}", headers={"accept": "text/html"}).status_code
            if page != _status(reads, inside[h.grid]):
                failures.append(f"{name} page of visit {vid}: {page}")
            got = c.post(f"/api/v1/people/{pid}/tags", json={"tag": "disabled"}).status_code
            want = 403 if not writes else 201 if inside[h.grid] else 404
            if got != want:
                failures.append(f"{name} POST tag on {h.grid}: {got} (want {want})")
            got = c.delete(f"/api/v1/people/{pid}/tags/disabled").status_code
            want = 403 if not writes else 204 if inside[h.grid] else 404
            if got != want:
                failures.append(f"{name} DELETE tag on {h.grid}: {got} (want {want})")
        lists = {"visits": c.get("/api/v1/visits", params={"page_size": 200}),
                 "due": c.get("/api/v1/visits/due", params={"within": 90, "page_size": 200}),
                 "households": c.get("/api/v1/visits/households", params={"q": "矩阵"})}
        if not reads:
            failures += [f"{name} {k}: {r.status_code}" for k, r in lists.items() if r.status_code != 403]
            continue
        seen_visits = {v["id"] for v in lists["visits"].json()["items"]}
        seen_people = set()  # the due list of each home's grid, every page (the demo register is there too)
        for h in homes:
            seen_people |= _due_people(c, h.grid)
        seen_houses = {h["house_id"] for h in lists["households"].json()}
        for h in homes:
            if (visits[h.grid] in seen_visits) != inside[h.grid]:
                failures.append(f"{name} visits list and {h.grid}")
            if (h.people[0].id in seen_people) != inside[h.grid]:
                failures.append(f"{name} due list and {h.grid}")
            if (h.house.id in seen_houses) != inside[h.grid]:
                failures.append(f"{name} households and {h.grid}")
        page = c.get("/registry/care", headers={"accept": "text/html"})
        if page.status_code != 200:
            failures.append(f"{name} /registry/care: {page.status_code}")
    assert not failures, "\n".join(failures)
