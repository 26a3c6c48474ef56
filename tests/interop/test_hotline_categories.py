"""The hotline's categories (both databases): a mapped category gives the case its type (the nearest area's
row wins), an unmapped one never a default type but the triage queue, where the dispatcher picks the type
(through the lifecycle: the case's file records it) and may record the mapping; the table's API and its CSV
import (every bad row with its line number, all or nothing) and export."""

from __future__ import annotations

from sqlalchemy import func, select

from gridgov.interop import hotline
from gridgov.models import Case, CaseLogEntry, Notification
from gridgov.models.hotline import HotlineCategory

from .hotline_data import TYPES, call, hotline_client, places, submit


def _case(db, case_no: str) -> Case:
    return db.scalar(select(Case).where(Case.case_no == case_no))


def _todos(db, case_id: int) -> dict[str, list[tuple[str, bool]]]:
    found: dict[str, list[tuple[str, bool]]] = {}
    for n in db.scalars(select(Notification).where(Notification.case_id == case_id)):
        found.setdefault(n.kind, []).append((n.message, n.done_at is not None))
    return found


def _queue(c) -> set[str]:
    r = c.get("/api/v1/hotline/triage")
    assert r.status_code == 200, r.text
    return {i["case_no"] for i in r.json()["items"]}


def test_an_unmapped_category_is_registered_without_a_type_and_waits_for_the_dispatcher(db, client_as):
    p = places(db)
    found, _ = submit(db, hotline_client(db, p.county), call(p.grid, category="H-9999"))
    case = _case(db, found.case_no)
    assert found.triage and found.type is None
    assert case.type_code is None and case.category == "" and case.state == "reported"
    assert case.description.startswith("小区门口路灯不亮")  # the caller's words are kept
    town, county, worker = client_as("town_dispatcher"), client_as("county_dispatcher"), client_as("worker")
    assert found.case_no in _queue(town) and found.case_no in _queue(county)
    assert worker.get("/api/v1/hotline/triage").status_code == 403


def test_a_mapped_category_gives_the_type_and_the_nearest_area_wins(db, client_as):
    p = places(db)
    admin = client_as("city_admin")
    r = admin.post("/api/v1/hotline/categories", json={"code": "H-0101", "name": "路灯", "type": "0101",
                                                      "area_code": p.city})
    assert r.status_code == 200, r.text
    found, _ = submit(db, hotline_client(db, p.county), call(p.grid, category="H-0101"))
    assert (found.type, found.triage) == ("0101", False)
    assert _case(db, found.case_no).type_code == "0101" and _case(db, found.case_no).category != ""
    county = client_as("county_dispatcher")
    r = county.post("/api/v1/hotline/categories", json={"code": "H-0101", "name": "路灯", "type": "0102"})
    assert r.status_code == 200 and r.json()["area_code"] == p.county
    found, _ = submit(db, hotline_client(db, p.county), call(p.grid, category="H-0101"))
    assert found.type == "0102"
    assert found.case_no not in _queue(county)


def test_the_dispatcher_picks_the_type_and_records_the_mapping_for_next_time(db, client_as):
    p = places(db)
    client = hotline_client(db, p.county)
    found, _ = submit(db, client, call(p.grid, category="H-7777", category_name="噪音扰民"))
    town = client_as("town_dispatcher")
    case_id = _case(db, found.case_no).id
    todos = _todos(db, case_id)
    assert todos["hotline_triage"] and all("噪音扰民" in m for m, _done in todos["hotline_triage"])
    assert todos["case_to_verify"]  # the grid's workers verify it as any reported case
    bad = town.post(f"/api/v1/hotline/triage/{found.case_no}", json={"type": "01"})  # a 大类
    assert bad.status_code == 422 and "小类" in bad.json()["detail"]
    assert _case(db, found.case_no).type_code is None
    r = town.post(f"/api/v1/hotline/triage/{found.case_no}", json={"type": "0301", "remember": True})
    assert r.status_code == 200, r.text
    assert r.json()["mapping"]["area_code"] == p.town and r.json()["mapping"]["type"] == "0301"
    case = _case(db, found.case_no)
    assert case.type_code == "0301" and case.category and case.state == "reported"
    entry = db.scalar(select(CaseLogEntry).where(CaseLogEntry.case_id == case.id).order_by(CaseLogEntry.seq.desc()))
    assert entry.action == "classify" and entry.data["type"] == "0301" and entry.data["previous_type"] is None
    assert found.case_no not in _queue(town)
    todos = _todos(db, case_id)
    assert all(done for _m, done in todos["hotline_triage"])  # the agency's to-do is settled …
    assert not any(done for _m, done in todos["case_to_verify"])  # … the workers' verification still waits
    again, _ = submit(db, client, call(p.grid, category="H-7777"))
    assert (again.type, again.triage) == ("0301", False)


def test_a_case_not_from_the_hotline_is_not_triaged_here(db, client_as):
    p = places(db)
    town = client_as("town_dispatcher")
    r = client_as("worker").post("/api/v1/cases", json={"title": "井盖缺失", "type": "0101", "source": "patrol",
                                                        "grid_code": p.grid, "address": "解放路 1 号"})
    assert r.status_code == 201, r.text
    assert town.post(f"/api/v1/hotline/triage/{r.json()['case_no']}", json={"type": "0102"}).status_code == 404


def test_the_table_is_the_agencys_own(db, client_as):
    p = places(db)
    assert client_as("worker").get("/api/v1/hotline/categories").status_code == 403
    assert client_as("dept_cg").get("/api/v1/hotline/triage").status_code == 403
    county = client_as("county_dispatcher")
    r = county.post("/api/v1/hotline/categories", json={"code": "X1", "type": "0101", "area_code": p.county2})
    assert r.status_code == 404
    r = county.post("/api/v1/hotline/categories", json={"code": "坏 代码", "type": "0101"})
    assert r.status_code == 422 and "热线分类代码" in r.json()["detail"]
    assert db.scalar(select(func.count()).select_from(HotlineCategory)) == 0


def test_import_checks_every_row_and_writes_all_or_nothing_then_exports(db, client_as):
    county = client_as("county_dispatcher")
    bad = "code,name,type\nA1,路灯,0101\nbad code,x,0101\nA3,广告,02\nA1,重复,0102\n"
    r = county.post("/api/v1/hotline/categories/import", files={"file": ("m.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422
    assert [e["line"] for e in r.json()["errors"]] == [3, 4, 5]
    assert "第 3 行" in r.json()["detail"]
    assert db.scalar(select(func.count()).select_from(HotlineCategory)) == 0
    good = "\ufeffcode,name,type\nA1,路灯,0101\nA2,广告,0201\n"
    r = county.post("/api/v1/hotline/categories/import", files={"file": ("m.csv", good.encode(), "text/csv")})
    assert r.status_code == 200 and r.json() == {"created": 2, "updated": 0}
    r = county.post("/api/v1/hotline/categories/import",
                    files={"file": ("m.csv", "code,name,type\nA1,路灯,0102\n".encode(), "text/csv")})
    assert r.json() == {"created": 0, "updated": 1}
    out = county.get("/api/v1/hotline/categories/export.csv")
    assert out.status_code == 200 and out.headers["content-type"].startswith("text/csv")
    lines = out.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "area_code,code,name,type,type_name" and len(lines) == 3
    assert any(",A1,路灯,0102," in line for line in lines)
    again = county.post("/api/v1/hotline/categories/import", files={"file": ("x.csv", out.content, "text/csv")})
    assert again.status_code == 200 and again.json() == {"created": 0, "updated": 2}
    row = county.get("/api/v1/hotline/categories").json()[0]
    assert county.delete(f"/api/v1/hotline/categories/{row['id']}").status_code == 204
    assert len(county.get("/api/v1/hotline/categories").json()) == 1


def test_the_case_page_offers_the_types_and_classifies_through_the_lifecycle(db, client_as):
    p = places(db)
    found, _ = submit(db, hotline_client(db, p.county), call(p.grid, category="H-5555"))
    town = client_as("town_dispatcher")
    page = town.get(f"/cases/{found.case_no}", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert 'name="type"' in page.text and '<option value="0101">' in page.text and "确定事件类型" in page.text
    assert 'name="type"' not in client_as("worker").get(f"/cases/{found.case_no}", headers={"accept": "text/html"}).text
    r = town.post(f"/cases/{found.case_no}/actions/classify", data={"type": "0102"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert _case(db, found.case_no).type_code == "0102"
    assert found.case_no not in _queue(town)  # classified on its page: it leaves the queue too


def test_a_call_that_can_no_longer_be_classified_leaves_the_queue(db, client_as):
    p = places(db)
    client = hotline_client(db, p.county)
    data = call(p.grid, category="H-4444")
    found, _ = submit(db, client, data)
    town = client_as("town_dispatcher")
    assert found.case_no in _queue(town)
    r = client_as("worker").post(f"/api/v1/cases/{found.case_no}/actions/reject", json={"reason": "重复来电"})
    assert r.status_code == 200, r.text
    assert found.case_no not in _queue(town)
    assert town.post(f"/api/v1/hotline/triage/{found.case_no}", json={"type": "0101"}).status_code == 409
    read = hotline.read(db, client, data.external_id, case_types=TYPES)  # the hotline hears why
    assert (read.state, read.state_label, read.reply) == ("rejected", "不予受理", "重复来电")


def test_classify_puts_no_case_on_a_worklist(db, client_as):
    """Giving a type is offered to every agency above a case before dispatch: it must not put the town's cases
    in the county's inbox (a side action, like a comment)."""
    p = places(db)
    r = client_as("worker").post("/api/v1/cases", json={"title": "井盖松动", "type": "0101", "source": "patrol",
                                                        "grid_code": p.grid, "address": "解放路 3 号",
                                                        "next_action": "escalate"})
    assert r.status_code == 201 and r.json()["state"] == "escalated", r.text
    county = client_as("county_dispatcher")
    assert "classify" in county.get(f"/api/v1/cases/{r.json()['case_no']}").json()["available_actions"]
    inbox = county.get("/cases/inbox", headers={"accept": "text/html"})
    assert inbox.status_code == 200 and r.json()["case_no"] not in inbox.text
    assert r.json()["case_no"] in client_as("town_dispatcher").get("/cases/inbox", headers={"accept": "text/html"}).text
