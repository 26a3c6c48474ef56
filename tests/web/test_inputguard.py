"""Text that is not text is refused with 422 and a Chinese message, on both databases, before any
database work (gridgov.inputguard): NUL and other control characters, lone surrogates, invalid UTF-8,
and JSON nested deeper than 32. Before, PostgreSQL answered 500 for a NUL, both databases 500 for a
lone surrogate or 10,000 nested lists."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from gridgov.accounts.demo import demo_places
from gridgov.inputguard import MAX_JSON_DEPTH, check_json
from gridgov.models import AuditEntry, Case

from ..public.test_board import CITY, HTML

CHINESE = "含有不允许的字符"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def refused(r, html: bool = False) -> None:
    assert r.status_code == 422, (r.status_code, r.text[:500])
    if html:
        assert CHINESE in r.text and "<html" in r.text.lower()
    else:
        body = r.json()
        assert CHINESE in body["detail"] or "嵌套太深" in body["detail"], body
        assert body["code"] == "bad_input"


def case_count(db) -> int:
    return db.scalar(select(func.count()).select_from(Case))


def test_nul_in_a_login_is_refused(anonymous, db):
    before = db.scalar(select(func.count()).select_from(AuditEntry))
    refused(anonymous.post("/api/v1/auth/token", json={"username": "city_admin\u0000", "password": "x"}))
    refused(anonymous.post("/login", data={"username": "a\x00b", "password": "x"}, headers=HTML), html=True)
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == before  # no failed-login row either


def test_nul_in_the_complaint_form_and_in_a_board_path(anonymous, places):
    data = {"content": "网格员\x00态度生硬", "complainant": "", "phone": "", "staff_id": ""}
    refused(anonymous.post(f"/board/{places.grid}/complaints", data=data, headers=HTML, follow_redirects=False),
            html=True)
    refused(anonymous.get("/board/%00", headers=HTML), html=True)
    refused(anonymous.get("/api/v1/public/boards/%00"))
    refused(anonymous.post(f"/api/v1/public/boards/{places.grid}/complaints", json={"content": "投诉\u0007"}))


def test_control_characters_in_json_case_titles_are_refused(client_as, db, places):
    worker = client_as("worker")
    before = case_count(db)
    base = {"category": "x", "source": "patrol", "grid_code": places.grid, "description": "井盖"}
    for title in ("井盖\u0000缺失", "井盖\u001b缺失", "井盖\u007f缺失", "井盖\b缺失"):
        refused(worker.post("/api/v1/cases", json={**base, "title": title}))
    # A lone surrogate, written as JSON escapes (json.dumps would refuse to encode it).
    body = b'{"title": "\\ud800", "category": "x", "source": "patrol"}'
    refused(worker.post("/api/v1/cases", content=body, headers={"Content-Type": "application/json"}))
    # Invalid UTF-8 in a JSON body.
    refused(worker.post("/api/v1/cases", content=b'{"title": "\xed\xa0\x80"}',
                        headers={"Content-Type": "application/json"}))
    assert case_count(db) == before


def test_a_query_with_a_control_character_is_refused(client):
    refused(client.get("/api/v1/grids", params={"q": "a\x00"}))
    refused(client.get("/api/v1/grids?q=%ED%A0%80"))  # a lone surrogate in UTF-8 (CESU) form


def test_deep_json_is_refused(client_as, anonymous, db):
    deep = b"[" * 10_000 + b"]" * 10_000
    refused(client_as("worker").post("/api/v1/cases", content=deep, headers={"Content-Type": "application/json"}))
    nested = {"title": "x"}
    for _ in range(MAX_JSON_DEPTH + 1):
        nested = {"a": nested}
    refused(anonymous.post("/api/v1/auth/token", json=nested))


def test_multipart_text_fields_are_checked(client_as, places, db):
    worker = client_as("worker")
    before = case_count(db)
    r = worker.post("/cases/new", data={"title": "井盖\x00缺失", "category": "x", "source": "patrol",
                                        "grid_code": places.grid, "address": "解放路"},
                    files=[("photos", ("a.png", b"\x89PNG\x00\x01", "image/png"))], headers=HTML,
                    follow_redirects=False)
    refused(r, html=True)
    # A file name is text too (sent raw, as httpx would percent-encode it); a file's bytes are not checked.
    body = (b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\x00.csv\"\r\n"
            b"Content-Type: text/csv\r\n\r\nx\x00y\r\n--B--\r\n")
    admin = client_as("city_admin")
    refused(admin.post("/api/v1/staff/import", content=body,
                       headers={"Content-Type": "multipart/form-data; boundary=B"}))
    r = admin.post("/api/v1/staff/import", content=body.replace(b"a\x00.csv", b"a.csv"),
                   headers={"Content-Type": "multipart/form-data; boundary=B"})
    assert r.status_code == 422 and r.json()["code"] == "invalid"  # the importer's own answer about its content
    assert case_count(db) == before


def test_good_text_passes(client_as, places):
    """Tabs, newlines, emoji (a surrogate pair when escaped) and an escaped backslash before u0000 are text."""
    worker = client_as("worker")
    body = json.dumps({"title": "井盖\t缺失\n😀 \\u0000", "category": "x", "source": "patrol",
                       "grid_code": places.grid})
    r = worker.post("/api/v1/cases", content=body.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code != 422 or r.json()["code"] != "bad_input", r.text
    r = worker.get("/api/v1/grids", params={"q": "城区\n"})
    assert r.status_code == 200


def test_the_json_check_itself():
    check_json(b'{"a": "\\\\u0000", "b": "\\ud83d\\ude00", "c": [[[1]]]}')
    check_json(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH)
    check_json(b'"' + b"[" * 100 + b'"')  # brackets inside a string are not nesting
    for bad in (b'"\\u0000"', b'"\\u001F"', b'"\\f"', b'"\\udc00"', b'"\\ud800x"', b'"\x7f"',
                b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1)):
        with pytest.raises(Exception) as info:
            check_json(bad)
        assert info.value.status_code == 422, bad


def test_a_control_character_in_an_imported_csv_cell_is_a_bad_row(client, db):
    """A file's bytes pass the guard; its cells are text and the importer refuses them row by row."""
    from ..staff.test_staff_import import HEADER, row, staff_count

    area = demo_places(db, CITY).town2
    good, bad = row(1, area), row(2, area)
    bad[0] = "导入\x00二"
    lines = [",".join(HEADER)] + [",".join(map(str, r)) for r in (good, bad)]
    before = staff_count(db)
    r = client.post("/api/v1/staff/import", files={"file": ("staff.csv", "\n".join(lines).encode(), "text/csv")})
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [{"line": 3, "column": "姓名", "reason": "含有不允许的控制字符"}]
    assert staff_count(db) == before
