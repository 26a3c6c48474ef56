"""The API fuzzing (``tests/system/test_fuzz.py``) over the figures' routes and the case list whose
filters they link to, as the three roles and on both databases: no 5xx, every answer as the
document promises. The whole-API run covers them too; this one runs in seconds while they change."""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.generation.modes import GenerationMode

from ..conftest import token_for
from ..system.test_fuzz import ROLES, _fuzz_one

ROUTES = {("GET", "/api/v1/stats/cases"), ("GET", "/api/v1/cases")}


@pytest.mark.parametrize("role", list(ROLES))
def test_stats_api_fuzz(app, role):
    from fastapi.testclient import TestClient

    headers = {}
    if ROLES[role]:
        with TestClient(app) as c:
            headers["Authorization"] = f"Bearer {token_for(c, ROLES[role])}"
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = [op for op in (r.ok() for r in schema.get_all_operations())
                  if (op.method.upper(), op.path) in ROUTES]
    assert len(operations) == len(ROUTES)
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz_one(operation, mode, headers, failures)
    assert not failures, f"{len(failures)} 处不符（{role}）：\n" + "\n\n".join(failures)
