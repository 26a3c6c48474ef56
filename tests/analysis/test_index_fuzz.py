"""The API fuzzing (``tests/system/test_fuzz.py``) over ``GET /api/v1/index`` alone, as the three roles
and on both databases: no 5xx, every answer as the document promises (the whole-API run covers it too)."""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.generation.modes import GenerationMode

from ..conftest import token_for
from ..system.test_fuzz import ROLES, _fuzz_one


@pytest.mark.parametrize("role", list(ROLES))
def test_index_api_fuzz(app, role):
    from fastapi.testclient import TestClient

    headers = {}
    if ROLES[role]:
        with TestClient(app) as c:
            headers["Authorization"] = f"Bearer {token_for(c, ROLES[role])}"
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = [op for op in (r.ok() for r in schema.get_all_operations()) if op.path == "/api/v1/index"]
    assert len(operations) == 1
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz_one(operation, mode, headers, failures)
    assert not failures, f"{len(failures)} 处不符（{role}）：\n" + "\n\n".join(failures)
