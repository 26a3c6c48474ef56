"""/metrics (PUBLIC, narrowed by the deployment: gridgov.observability.api) in the jurisdiction matrix.
It holds no one's data and no jurisdiction: no account's role opens it from outside the allowed networks,
and from inside them every account reads it as an anonymous scraper does."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gridgov.accounts.demo import DEMO_ACCOUNTS
from tests.conftest import token_for

JSON = {"accept": "application/json"}


@pytest.mark.parametrize("username", [a.username for a in DEMO_ACCOUNTS])
def test_no_role_opens_metrics_and_none_is_needed(username, app):
    outside = TestClient(app)  # the test client's address: no allowed network
    bearer = {"authorization": f"Bearer {token_for(outside, username)}", **JSON}
    r = outside.get("/metrics", headers=bearer)
    assert r.status_code == 403 and r.json()["code"] == "forbidden", f"{username}: {r.status_code}"
    inside = TestClient(app, client=("127.0.0.1", 40001))
    mine, anonymous = inside.get("/metrics", headers=bearer), inside.get("/metrics")
    assert mine.status_code == anonymous.status_code == 200, username
    assert _names(mine.text) == _names(anonymous.text), username


def _names(text: str) -> set[str]:
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")}
