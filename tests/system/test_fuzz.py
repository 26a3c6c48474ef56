"""Schemathesis over /openapi.json against the ASGI app, as three roles, on both databases.

Every operation of the API is fuzzed with a fixed seed and a bounded number of examples, in the
positive mode (data that fits the schema) and the negative mode (data that does not). The checks:
no 5xx, every answer's status, content type, headers and body are the ones the document promises.
Writes go to the test's rolled-back transaction (the ``app`` fixture), so each database is left as found.

Run only this: ``pytest -q tests/system/test_fuzz.py`` (``-k sqlite`` or ``-k postgresql`` for one database);
``GRIDGOV_FUZZ_EXAMPLES`` raises the number of examples per operation and mode for a deeper local run;
``GRIDGOV_FUZZ_PATHS=/api/v1/stats,/api/v1/appraisal`` fuzzes only the operations under those path
prefixes (seconds instead of minutes while a few routes change; CI always fuzzes them all).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ..conftest import token_for

EXAMPLES = int(os.environ.get("GRIDGOV_FUZZ_EXAMPLES", "6"))
ONLY = tuple(p.strip() for p in os.environ.get("GRIDGOV_FUZZ_PATHS", "").split(",") if p.strip())
"""Path prefixes to fuzz alone (a local run); empty: every operation."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

EXCLUDED: dict[tuple[str, str], str] = {}
"""(METHOD, path) → why the fuzzer leaves it alone. Empty: every operation is fuzzed."""

ROLES = {"city_admin": "city_admin", "worker": "worker", "anonymous": None}

ENDS_THE_TOKEN = {("POST", "/api/v1/auth/logout")}
"""Operations after which the role's token no longer works: fuzzed last, so every other operation
is fuzzed with a live token."""


@pytest.mark.parametrize("role", list(ROLES))
def test_api_fuzz(app, role):
    from fastapi.testclient import TestClient

    headers = {}
    if ROLES[role]:
        with TestClient(app) as c:
            headers["Authorization"] = f"Bearer {token_for(c, ROLES[role])}"
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = 0
    ordered = sorted((result.ok() for result in schema.get_all_operations()),
                     key=lambda op: (op.method.upper(), op.path) in ENDS_THE_TOKEN)
    for operation in ordered:
        key = (operation.method.upper(), operation.path)
        if key in EXCLUDED or (ONLY and not operation.path.startswith(ONLY)):
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz_one(operation, mode, headers, failures)
    assert operations > (0 if ONLY else 80)
    assert [(op.method.upper(), op.path) for op in ordered[-len(ENDS_THE_TOKEN):]] == sorted(ENDS_THE_TOKEN)
    assert not failures, f"{len(failures)} 处不符（{role}）：\n" + "\n\n".join(failures)


def _fuzz_one(operation, mode, headers, failures: list[str]) -> None:
    seen: set[str] = set()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    def run(case):
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = f"{type(failure).__name__}:{getattr(failure, 'title', '')}"
                if key not in seen:
                    seen.add(key)
                    failures.append(f"{operation.method.upper()} {operation.path} [{mode.value}] {failure.title}\n"
                                    f"  {case.as_curl_command()}\n  {str(failure.message)[:600]}")
        except Exception as exc:  # noqa: BLE001 - a 500 re-raised by the app, a check's own error: all findings
            key = f"exc:{type(exc).__name__}"
            if key not in seen:
                seen.add(key)
                failures.append(f"{operation.method.upper()} {operation.path} [{mode.value}] {type(exc).__name__}: "
                                f"{exc}"[:800])

    try:
        run()
    except Unsatisfiable:
        # Nothing in this operation can be made invalid (e.g. only optional free-text parameters).
        assert mode is GenerationMode.NEGATIVE, f"{operation.method.upper()} {operation.path}: 无法生成合法请求"


def test_the_document_promises_the_error_body_we_send(app, anonymous):
    """No HTTPValidationError (a body we never send): every operation documents ErrorBody for its errors."""
    document = app.openapi()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert set(document["components"]["schemas"]["ErrorBody"]["required"]) == {"detail", "code"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path.startswith("/open311/"):  # another specification's errors (interop/open311_api.py)
                _promises_open311_errors(method, path, operation)
                continue
            for status in ("400", "401", "403", "404", "409", "413", "422", "429"):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
    r = anonymous.get("/api/v1/cases/x/log", params={"page": "x"})
    assert set(r.json()) <= {"detail", "code", "errors"}


def _promises_open311_errors(method: str, path: str, operation: dict) -> None:
    """Open311 GeoReport v2 answers its own errors as the spec's list (JSON) or <errors> (XML); what the
    house refuses before the route (control characters, a body too large) keeps ErrorBody, as 4XX."""
    responses = operation["responses"]
    assert "422" not in responses, (method, path)
    assert responses["4XX"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    for status in {"400", "403", "404"} & set(responses):
        content = responses[status]["content"]
        if path.endswith(".json"):
            assert content["application/json"]["schema"]["items"] == {"$ref": "#/components/schemas/ErrorItem"}
        else:
            assert set(content) == {"text/xml"}, (method, path, status)


def test_a_405_says_what_is_allowed(anonymous):
    r = anonymous.put("/api/v1/health")
    assert r.status_code == 405 and r.headers["allow"] == "GET"
    assert r.json() == {"detail": "不支持该请求方法", "code": "method_not_allowed"}
    r = anonymous.delete("/login", headers={"Accept": "text/html"})
    assert r.status_code == 405 and "GET" in r.headers["allow"] and "text/html" in r.headers["content-type"]
