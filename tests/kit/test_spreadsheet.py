"""No export writes a user's text as a live formula (issue 11, Low: spreadsheet formula injection).

A staff name, a grid name, a matter name and an audit detail ``=HYPERLINK("http://x","y")`` go out
through every CSV and Excel route and come back as quoted text. A second test keeps it that way: a
module outside ``gridgov.kit`` that writes CSV or makes a workbook by itself, or a new ``.csv`` /
``.xlsx`` route this file does not export through, fails it.
"""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

import gridgov
from gridgov.accounts.demo import demo_places
from gridgov.audit.service import record
from gridgov.authz.permissions import route_permissions
from gridgov.catalogue.starter import seed_catalogue
from gridgov.kit.clock import utc_now
from gridgov.kit.spreadsheet import FORMULA_STARTS
from gridgov.models import Grid, Matter, ServiceTeam
from gridgov.models.registry import Address, Unit
from gridgov.models.staff import Post, StaffMember
from gridgov.policy.loader import load_profile
from gridgov.territory.demo import demo_city_of

PAYLOAD = '=HYPERLINK("http://x","y")'
PROFILE = load_profile("zhenjiang")
CITY = demo_city_of(PROFILE).area_code

EXPORTS = {
    # path: (who downloads it, query, format)
    "/api/v1/staff/export.xlsx": ("city_admin", {}, "xlsx"),
    "/api/v1/staff/export-full.xlsx": ("city_admin", {}, "xlsx"),
    "/api/v1/staff/gaps.csv": ("city_admin", {"area": "town2"}, "csv"),
    "/api/v1/audit.csv": ("auditor", {}, "csv"),
    "/audit.csv": ("auditor", {}, "csv"),
    "/catalogue/export.xlsx": (None, {}, "xlsx"),
    "/api/v1/cases/export.xlsx": ("city_admin", {}, "xlsx"),
    "/api/v1/registry/export.xlsx": ("city_admin", {"kind": "units", "grid": "grid"}, "xlsx"),
    "/api/v1/registry/export-full.xlsx": ("city_admin", {"kind": "units", "grid": "grid", "reason": "verification"},
                                          "xlsx"),
    "/api/v1/hotline/categories/export.csv": ("city_admin", {}, "csv"),
    "/hotline/categories/export.csv": ("city_admin", {}, "csv"),
    "/api/v1/cogovernance/tasks.csv": ("city_admin", {}, "csv"),
}
POSTED = {"/api/v1/registry/export-full.xlsx"}
"""Exports asked for with a POST (a JSON body with the reason)."""


@pytest.fixture
def planted(db, client, client_as):
    """The payload as a staff name, an unstaffed grid's name, a matter's name, an audit detail and a
    case's title."""
    places = demo_places(db, CITY)
    worker = client_as("worker")
    category = worker.get("/api/v1/case-categories").json()[0]["code"]
    r = worker.post("/api/v1/cases", json={"title": PAYLOAD, "category": category, "source": "patrol",
                                           "grid_code": places.grid, "address": "解放路 1 号"})
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/staff", json={"name": PAYLOAD, "gender": "男", "area_code": places.town})
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/hotline/categories", json={"code": "H-CSV", "name": PAYLOAD, "type": "0101"})
    assert r.status_code == 200, r.text  # the hotline's category name (set, not added: 200), as its export writes it
    posted = select(Post.grid_code).where(Post.grid_code.is_not(None))
    grid = db.scalar(select(Grid).where(Grid.code.startswith(places.town2[:9]), Grid.kind.in_(["urban", "rural"]),
                                        Grid.status == "active", Grid.code.not_in(posted)).order_by(Grid.code))
    grid.name = PAYLOAD
    seed_catalogue(db, PROFILE, CITY, now=utc_now())
    matter = db.scalar(select(Matter).where(Matter.code == "zj12_01"))
    matter.name = PAYLOAD
    record(db, actor=None, action="staff_imported", now=utc_now(), object_type="staff", area_code=places.town,
           detail=PAYLOAD)
    team = db.scalar(select(ServiceTeam.id).where(ServiceTeam.area_code == places.town))  # the demo's service team
    r = client.post("/api/v1/cogovernance/tasks", json={"team_id": team, "title": PAYLOAD, "grid_code": places.grid,
                                                        "due_on": "2099-01-01"})
    assert r.status_code == 201, r.text
    address = db.scalar(select(Address.id).where(Address.scope_code == places.grid).limit(1))
    db.add(Unit(name=PAYLOAD, address_id=address, scope_code=places.grid, created_at=utc_now(), updated_at=utc_now()))
    db.flush()
    return places


def cells_of(content: bytes, kind: str) -> list[tuple[str | None, object]]:
    """(data type, value) of every non-empty cell."""
    if kind == "xlsx":
        wb = load_workbook(io.BytesIO(content))
        return [(c.data_type, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if c.value is not None]
    text = content.decode("utf-8-sig")
    return [(None, v) for row in csv.reader(io.StringIO(text)) for v in row if v != ""]


@pytest.mark.parametrize("path", sorted(EXPORTS))
def test_every_export_writes_user_text_as_text_not_as_a_formula(path, planted, client_as, anonymous):
    who, query, kind = EXPORTS[path]
    c = client_as(who) if who else anonymous
    query = {k: {"town2": planted.town2, "grid": planted.grid}.get(v, v) for k, v in query.items()}
    r = c.post(path, json=query) if path in POSTED else c.get(path, params=query)
    assert r.status_code == 200, r.text[:300]
    cells = cells_of(r.content, kind)
    quoted = [v for _t, v in cells if v == "'" + PAYLOAD]
    assert quoted, f"{path}: 导出中找不到植入的名称"
    live = [(t, v) for t, v in cells if t == "f" or (isinstance(v, str) and v.startswith(FORMULA_STARTS))]
    assert not live, f"{path}: 以下单元格会被当作公式：{live[:5]}"
    if kind == "xlsx":
        assert all(t == "s" for t, v in cells if v == "'" + PAYLOAD)


def test_the_full_export_imports_back_with_the_name_as_typed(planted, client, db):
    full = client.get("/api/v1/staff/export-full.xlsx", params={"area": planted.town})
    sheet = load_workbook(io.BytesIO(full.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    mine = [rows[0], next(r for r in rows if r[0] == "'" + PAYLOAD)]
    mine[1][0] = "'" + PAYLOAD.replace("y", "z")  # a new person: the import must read the name without the quote
    wb = Workbook()
    for row in mine:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    r = client.post("/api/v1/staff/import", files={"file": ("s.xlsx", out.getvalue())})
    assert r.status_code == 200, r.text
    assert db.scalar(select(StaffMember).where(StaffMember.name == PAYLOAD.replace("y", "z"))) is not None


# ---------------------------------------------------------------- the guard


SRC = Path(gridgov.__file__).parent
HELPER = SRC / "kit" / "spreadsheet.py"


def writers_outside_the_helper() -> list[str]:
    """Places in the source that write CSV or make a workbook without :mod:`gridgov.kit.spreadsheet`."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path == HELPER:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(SRC)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {a.name for a in node.names}
                if node.module == "csv" and names & {"writer", "DictWriter"}:
                    found.append(f"{where}:{node.lineno} from csv import {names}")
                if node.module.startswith("openpyxl") and names & {"Workbook", "Worksheet", "WriteOnlyWorksheet"}:
                    found.append(f"{where}:{node.lineno} from {node.module} import {names}")
                if node.module.startswith(("xlsxwriter", "xlwt", "pandas")):
                    found.append(f"{where}:{node.lineno} from {node.module}")
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith(("xlsxwriter", "xlwt", "pandas")):
                        found.append(f"{where}:{node.lineno} import {a.name}")
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and (node.value.id, node.attr) in {("csv", "writer"), ("csv", "DictWriter"),
                                                     ("openpyxl", "Workbook")}):
                found.append(f"{where}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_every_spreadsheet_writer_goes_through_the_kit_helper(app):
    assert writers_outside_the_helper() == [], "请用 gridgov.kit.spreadsheet 的 csv_text / new_workbook 写导出文件"
    routes = {path for path, _methods, _perms in route_permissions(app) if path.endswith((".csv", ".xlsx", ".xls"))}
    assert routes == set(EXPORTS), f"新的导出路由须加入本测试：{sorted(routes ^ set(EXPORTS))}"


def test_the_guard_catches_a_writer(tmp_path, monkeypatch):
    """The guard is not vacuous: a module writing CSV by itself is reported."""
    fake = tmp_path / "gridgov"
    (fake / "kit").mkdir(parents=True)
    (fake / "kit" / "spreadsheet.py").write_text("import csv\nw = csv.writer\n", encoding="utf-8")
    (fake / "report.py").write_text("import csv\nfrom openpyxl import Workbook\nw = csv.writer(None)\n",
                                    encoding="utf-8")
    monkeypatch.setitem(globals(), "SRC", fake)
    monkeypatch.setitem(globals(), "HELPER", fake / "kit" / "spreadsheet.py")
    assert writers_outside_the_helper() == ["report.py:2 from openpyxl import {'Workbook'}", "report.py:3 csv.writer"]
