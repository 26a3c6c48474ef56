"""The user guide (/help, PUBLIC) in the jurisdiction matrix: no jurisdiction and nobody's data, so
every demo account reads every page of it exactly as a visitor does."""

from __future__ import annotations

import pytest

from gridgov.accounts.demo import DEMO_ACCOUNTS
from gridgov.web.guide import PAGES

HTML = {"accept": "text/html"}


@pytest.mark.parametrize("username", [a.username for a in DEMO_ACCOUNTS])
def test_each_account_reads_the_same_public_guide(username, client_as, anonymous):
    """/help (PUBLIC): no jurisdiction, nobody's data: every account reads every page as a visitor does."""
    c = client_as(username)
    for path in ["/help", *(p.url for p in PAGES)]:
        mine, theirs = c.get(path, headers=HTML), anonymous.get(path, headers=HTML)
        fail = mine.status_code != 200 or theirs.status_code != 200
        assert not fail and _guide_body(mine.text) == _guide_body(theirs.text), f"{username} {path}"


def _guide_body(page: str) -> str:
    return page[page.index('id="help-body"'):page.index("</article>")]
