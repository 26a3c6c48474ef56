"""The API fuzzing of ``/api/v1/webhooks`` as a department client (the whole-API run fuzzes as people,
who get 403 here): no 5xx, every answer as /openapi.json promises, on both databases."""

from __future__ import annotations

import schemathesis
from schemathesis.generation.modes import GenerationMode

from ..system.test_fuzz import _fuzz_one
from .webhook_data import places, subscribe, user


def test_webhooks_fuzz_as_a_client(app, db, api_client):
    from fastapi.testclient import TestClient

    _, key = api_client("department", places(db).county, user(db, "dept_cg").department_code)
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(app, headers=headers) as c:
        subscribe(c, "https://10.0.0.8/hook")  # ids that exist, beside the ones the fuzzer makes up
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = [op.ok() for op in schema.get_all_operations()]
    mine = [op for op in operations if op.path.startswith("/api/v1/webhooks")]
    assert len(mine) == 5
    for operation in mine:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz_one(operation, mode, headers, failures)
    assert not failures, f"{len(failures)} 处不符：\n" + "\n\n".join(failures)
