"""Fixtures of the outside channels: an API client made in the test's database."""

from __future__ import annotations

import pytest

from gridgov.interop.clients import create_client
from gridgov.kit.clock import utc_now

from . import receiver as receiving


@pytest.fixture
def api_client(db):
    """``api_client(kind, area, department=None) -> (client_id, api_key)``: a client made in the
    test's (rolled-back) database, as ``gridgov clients create`` makes it."""
    made = iter(range(1, 1000))

    def make(kind: str, area: str, department: str | None = None, *, name: str | None = None):
        client, key = create_client(db, name=name or f"test-{kind}-{next(made)}", kind=kind, area_code=area,
                                    department_code=department, now=utc_now())
        db.flush()
        return client.id, key

    return make


@pytest.fixture(scope="module")
def receiver():
    """A webhook receiver on loopback for the module's tests (see :mod:`.receiver`)."""
    r, server = receiving.start()
    yield r
    server.shutdown()
    server.server_close()
