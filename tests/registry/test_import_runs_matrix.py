"""The jurisdiction matrix of background register imports (issue 15): every demo account and two
county administrators × the run's API, its progress fragment and the import page showing it.

Who holds ``registry.import`` is written here by hand from the brief (agency administrators only);
who may read a run is written from its rule: the user who started it, or whoever's jurisdiction holds
the jurisdiction it was started in. Everything else answers 404, like a missing run; a role without
the permission 403.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from gridgov.accounts.demo import DEMO_ACCOUNTS
from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.scope import SYSTEM
from gridgov.kit import tokens
from gridgov.kit.clock import utc_now

from ..conftest import TEST_SECRET_KEY
from .test_import_runs import RUNS
from .test_io import _places

pytestmark = pytest.mark.req("D3")

HTML = {"accept": "text/html"}
IMPORTERS = {"city_admin"}
READERS = {"city_admin", "county_dispatcher", "town_dispatcher", "worker", "worker2", "leader", "dept_cg", "dept_sc"}


def _admin(app, db, username: str, scope_code: str) -> TestClient:
    user = create_user(db, SYSTEM, UserCreate(username=username, display_name="区管理员", role="agency_admin",
                                              password="Import-test-9931", scope_code=scope_code,
                                              must_change_password=False), now=utc_now(), demo=True)
    db.flush()
    c = TestClient(app)
    c.headers["Authorization"] = "Bearer " + tokens.issue(
        TEST_SECRET_KEY, purpose="api", user_id=user.id, version=user.session_version or 1,
        expires_at=utc_now() + timedelta(hours=1))
    return c


def _run(client) -> int:
    r = client.post(RUNS, data={"kind": "people"}, files={"file": ("p.csv", "姓名\n".encode(), "text/csv")})
    assert r.status_code == 202, r.text
    return r.json()["id"]


def _answers(client, run_id: int) -> tuple[int, int, int, bool]:
    api = client.get(f"{RUNS}/{run_id}").status_code
    fragment = client.get(f"/registry/io/runs/{run_id}", headers=HTML).status_code
    page = client.get(f"/registry/io?run={run_id}", headers=HTML)
    return api, fragment, page.status_code, 'id="import-run"' in page.text


def test_every_account_reads_only_the_runs_it_may(app, db, client_as):
    places = _places(db)
    county = _admin(app, db, "import_county", places.county)
    county2 = _admin(app, db, "import_county2", places.county2)
    runs = {"city_admin": _run(client_as("city_admin")), "import_county2": _run(county2)}
    failures = []
    clients = {a.username: client_as(a.username) for a in DEMO_ACCOUNTS} | {"import_county": county,
                                                                             "import_county2": county2}
    for name, client in clients.items():
        for owner, run_id in runs.items():
            importer = name in IMPORTERS or name.startswith("import_")
            # city_admin's jurisdiction (the city) holds county2; a county holds neither the city nor the other county
            sees = name == owner or (name == "city_admin")
            if importer:
                want = (200, 200, 200, True) if sees else (404, 404, 404, False)
            else:
                want = (403, 403, 200 if name in READERS else 403, False)
            got = _answers(client, run_id)
            if got != want:
                failures.append(f"{name} × {owner} 的导入：应为 {want}，实为 {got}")
    assert not failures, "\n".join(failures)


def test_ids_out_of_range_name_nothing(db, client):
    for path in (f"{RUNS}/0", f"{RUNS}/{2**31}", f"{RUNS}/{2**63}", "/registry/io/runs/0"):
        assert client.get(path, headers=HTML).status_code == 404, path
    assert client.get("/registry/io?run=0", headers=HTML).status_code in (404, 422)
