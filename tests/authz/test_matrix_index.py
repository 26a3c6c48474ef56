"""The governance index (``GET /api/v1/index``, ``/index``) in the jurisdiction matrix: every demo
account × places inside and outside its jurisdiction. Who may read it is written here by hand from
the brief (``analysis.read``: agency staff, grid leaders, department receivers; not grid workers,
auditors or security administrators); a place is inside when its code starts with the account's
scope digits (``significant``, written out in test_matrix.py), and outside answers exactly like a
missing area (404, the same message but the code)."""

from __future__ import annotations

import re

import pytest

from gridgov.accounts.demo import DEMO_ACCOUNTS, demo_places

from .matrix_common import CITY, Failures
from .test_matrix import HTML, significant

READS_INDEX = {"city_admin", "county_dispatcher", "town_dispatcher", "leader", "dept_cg", "dept_sc"}
PERIOD = {"from": "2026-01-01", "to": "2026-03-31"}
MISSING_AREA = "321102098000"


def _places(db) -> dict[str, str]:
    p = demo_places(db, CITY)
    return {"city": p.city, "county": p.county, "town": p.town, "grid": p.grid, "county2": p.county2,
            "town2": p.town2, "grid2": p.grid2}


def _detail(r) -> str:
    return r.json()["detail"] if r.headers.get("content-type", "").startswith("application/json") else \
        re.search(r'class="error-page__message">([^<]*)<', r.text).group(1)


@pytest.mark.parametrize("username", [a.username for a in DEMO_ACCOUNTS])
def test_each_account_reads_the_index_of_its_jurisdiction_only(username, db, client_as):
    from sqlalchemy import select

    from gridgov.models import User

    scope = db.scalar(select(User.scope_code).where(User.username == username))
    prefix = significant(scope)
    c = client_as(username)
    fail = Failures()
    places = _places(db)
    for html in (False, True):
        headers = HTML if html else {}
        url = "/index" if html else "/api/v1/index"
        own = c.get(url, params=PERIOD, headers=headers)
        if username not in READS_INDEX:
            fail.check(own.status_code == 403, f"{url}: 无权限的 {username} 得到 {own.status_code}")
            continue
        fail.check(own.status_code == 200, f"{url}: 本人辖区得到 {own.status_code}")
        if not html and own.status_code == 200:
            body = own.json()
            fail.check(body["area"]["code"] == scope, f"默认区域应为本人辖区 {scope}，得到 {body['area']['code']}")
            for row in body["areas"]:
                fail.check(row["key"].startswith(prefix), f"下级区域 {row['key']} 不在辖区 {prefix} 内")
        missing = c.get(url, params={**PERIOD, "area": MISSING_AREA}, headers=headers)
        fail.check(missing.status_code == 404, f"{url}: 不存在的区域得到 {missing.status_code}")
        for name, code in places.items():
            if html and name not in ("grid", "county2"):  # the page answers as the API does: two places suffice
                continue
            r = c.get(url, params={**PERIOD, "area": code}, headers=headers)
            if code.startswith(prefix):
                fail.check(r.status_code == 200, f"{url}: 辖区内 {name} 得到 {r.status_code}")
            else:
                same = (r.status_code == 404
                        and _detail(r).replace(code, "") == _detail(missing).replace(MISSING_AREA, ""))
                fail.check(same, f"{url}: 辖区外 {name} 得到 {r.status_code}（应与不存在的区域相同）")
    assert not fail.items, f"{username}（前缀 {prefix}）：\n" + "\n".join(fail.items)


def test_the_index_matrix_covers_every_demo_account():
    assert READS_INDEX | {"worker", "worker2", "auditor", "security_admin"} == {a.username for a in DEMO_ACCOUNTS}
