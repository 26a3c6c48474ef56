"""Instruction pages (统一交办, D9) and supervision answers on the case page, over HTTP on both
databases: each party sees what it may (a worker its grid only), forms call the same services as the
API, a department is told to ask the agency, and a refused form comes back in Chinese with the input
kept and the refusal's status."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gridgov.accounts.demo import demo_places
from gridgov.instructions.service import DEPARTMENTS_MUST_ASK
from gridgov.kit.clock import SHANGHAI, utc_now
from gridgov.models import (
    Case,
    CaseLogEntry,
    CasePhoto,
    Instruction,
    SupervisionOrder,
    User,
)

from ..cases.test_cases_pages import HTML, page, png, post

CITY = "321100000000"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def due(hours: float = 48) -> str:
    """A due time as a ``datetime-local`` input sends it (Beijing time)."""
    return (utc_now() + timedelta(hours=hours)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def form(grid: str, **extra) -> dict:
    return {"kind": "clue", "grid_code": grid, "title": "核查群众反映的违建线索", "content": "花园路 3 号楼顶疑似搭建",
            "category": "zj12_02", "due_at": due(), **extra}


def sent_id(response) -> int:
    found = re.fullmatch(r"/instructions/(\d+)\?done=(sent|requested)", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def count(db) -> int:
    return db.scalar(select(func.count()).select_from(Instruction))


def test_a_worker_sees_its_grids_instructions_completes_one_and_opens_a_case(client_as, client, places, db):
    town, worker, worker2 = client_as("town_dispatcher"), client_as("worker"), client_as("worker2")
    mine = sent_id(post(town, "/instructions/new", form(places.grid, title="核查占道经营线索")))
    other = sent_id(post(client, "/instructions/new",
                         form(places.grid2, title="二号网格的工作指令", kind="work_order")))

    html = page(worker, "/instructions")
    assert "我的交办" in html and f'data-instruction="{mine}"' in html and "核查占道经营线索" in html
    assert f'data-instruction="{other}"' not in html and "二号网格的工作指令" not in html
    assert re.search(r'clock--on_time" data-status="on_time">剩余 1 天 23 小时', html)
    assert f'data-instruction="{other}"' in page(worker2, "/instructions")
    hidden = page(worker2, f"/instructions/{mine}", status=404)
    missing = page(worker2, "/instructions/999999", status=404)
    assert f"交办事项 {mine} 不存在" in hidden and "交办事项 999999 不存在" in missing

    html = page(worker, f"/instructions/{mine}?done=sent")
    assert 'id="form-complete"' in html and 'id="form-case"' in html and 'id="locate-button"' in html
    assert 'capture="environment"' in html and 'name="csrf_token"' in html and "form-approve" not in html

    r = post(worker, f"/instructions/{mine}/case", {"title": "违", "category": "zj12_02",
                                                   "address": "花园路 3 号"}, status=422)
    assert "标题至少 2 个字" in r.text and 'value="花园路 3 号"' in r.text
    r = post(worker, f"/instructions/{mine}/case", {"title": "楼顶违建彩钢棚", "category": "zj12_02",
                                                   "description": "楼顶确有彩钢棚", "address": "花园路 3 号"},
             files=[("photos", ("a.png", png(), "image/png"))])
    found = re.fullmatch(r"/cases/([\d-]+)\?done=create&case=[\d-]+", r.headers["location"])
    assert found, r.headers["location"]
    case = db.scalar(select(Case).where(Case.case_no == found.group(1)))
    assert case.instruction_id == mine and case.source == "instruction" and case.grid_code == places.grid
    assert case.title == "楼顶违建彩钢棚" and db.scalar(select(CasePhoto.sha256).where(CasePhoto.case_id == case.id))
    again = post(worker, f"/instructions/{mine}/case", {"title": "再登记一次", "category": "zj12_02"}, status=409)
    assert case.case_no in again.text and 'value="再登记一次"' in again.text

    r = post(worker, f"/instructions/{mine}/complete", {"result": "  "}, status=422)
    assert "请填写完成情况" in r.text
    assert post(worker2, f"/instructions/{mine}/complete", {"result": "已核查"}, status=404)
    post(worker, f"/instructions/{mine}/complete", {"result": "已核查，登记为事项"})
    html = page(worker, f"/instructions/{mine}?done=complete")
    assert "已办结" in html and 'data-status="completed"' in html and "已核查，登记为事项" in html
    assert f'href="/cases/{case.case_no}"' in html and 'id="form-complete"' not in html
    assert 'id="done-instructions"' in page(worker, "/instructions")
    r = post(worker, f"/instructions/{mine}/complete", {"result": "再办一次"}, status=409)
    assert "已完成" in r.text and "再办一次" in r.text
    # the agency that sent it reads the result through the link of its notice
    assert "已核查，登记为事项" in page(town, f"/instructions/{mine}")


def test_the_agency_sends_with_bad_input_kept_and_decides_department_requests(client_as, places, db):
    town, dept, worker = client_as("town_dispatcher"), client_as("dept_cg"), client_as("worker")
    html = page(town, "/instructions/new")
    assert f'<option value="{places.grid}">' in html and 'hx-get="/instructions/grid-options"' in html
    assert places.grid2 not in html and 'name="csrf_token"' in html
    picked = town.get(f"/instructions/grid-options?grid_code={places.grid}", headers={**HTML, "HX-Request": "true"})
    assert picked.status_code == 200 and f'value="{places.grid}"' in picked.text and "<html" not in picked.text

    before = count(db)
    r = post(town, "/instructions/new", form(places.grid, due_at=due(-1), title="已过期的交办"), status=422)
    assert "完成期限应晚于现在" in r.text and 'value="已过期的交办"' in r.text
    r = post(town, "/instructions/new", form(places.grid, due_at=""), status=422)
    assert "请填写完成期限" in r.text
    r = post(town, "/instructions/new", form(places.grid, category="nonsense"), status=422)
    assert "事项 nonsense 不在该网格适用的事项清单内" in r.text
    r = post(town, "/instructions/new", form(places.grid2, title="辖区外的网格"), status=404)
    assert f"网格 {places.grid2} 不存在" in r.text and 'value="辖区外的网格"' in r.text
    assert count(db) == before

    asked = sent_id(post(dept, "/instructions/request", form(places.grid, kind="work_order", title="协助排查占道经营")))
    html = page(dept, f"/instructions/{asked}?done=requested")
    assert "待机构审核" in html and "等待机构审核" in html and "form-approve" not in html
    assert f'data-instruction="{asked}"' not in page(worker, "/instructions")
    page(worker, f"/instructions/{asked}", status=404)
    page(client_as("dept_sc"), f"/instructions/{asked}", status=404)  # another department's request

    html = page(town, "/instructions")
    pending = html.split('id="pending-requests"')[1].split("</section>")[0]
    assert f'data-instruction="{asked}"' in pending and f"/instructions/{asked}/refuse" in pending
    assert post(dept, f"/instructions/{asked}/approve", {}, status=403)  # cases.create: not a department's
    post(town, f"/instructions/{asked}/approve", {"reason": "同意，请网格员协助"})
    assert f'data-instruction="{asked}"' in page(worker, "/instructions")
    assert "已交办" in page(dept,
                            f"/instructions/{asked}") and "同意，请网格员协助" in page(dept, f"/instructions/{asked}")
    r = post(town, f"/instructions/{asked}/approve", {}, status=409)
    assert "不能再审核" in r.text

    refused = sent_id(post(dept, "/instructions/request", form(places.grid, title="代为执法检查")))
    r = post(town, f"/instructions/{refused}/refuse", {"reason": " "}, status=422)
    assert "须说明理由" in r.text and 'id="form-refuse"' in r.text
    post(town, f"/instructions/{refused}/refuse", {"reason": "属于部门法定职责，不得交网格承担"})
    html = page(dept, "/instructions")
    assert f'data-instruction="{refused}" data-status="refused"' in html
    assert "不得交网格承担" in page(dept, f"/instructions/{refused}")
    assert page(town, "/instructions?status=refused").count("data-instruction=") == 1
    assert "状态 nonsense 无效" in page(town, "/instructions?status=nonsense", status=422)


def test_a_department_is_told_to_ask_the_agency_and_nothing_is_stored(client_as, places, db):
    dept = client_as("dept_cg")
    html = page(dept, "/instructions/new", status=403)
    assert DEPARTMENTS_MUST_ASK in html and 'href="/instructions/request"' in html
    before = count(db)
    r = post(dept, "/instructions/new", form(places.grid), status=403)
    assert DEPARTMENTS_MUST_ASK in r.text
    assert count(db) == before
    assert 'action="/instructions/request"' in page(dept, "/instructions/request")
    assert "交办申请由联动部门提出" in page(client_as("town_dispatcher"), "/instructions/request", status=403)
    assert page(client_as("worker"), "/instructions/new", status=403)
    assert post(client_as("worker"), "/instructions/request", form(places.grid), status=403)
    assert count(db) == before


def _supervised_case(client_as, places, db) -> tuple[str, int]:
    worker, town, county = client_as("worker"), client_as("town_dispatcher"), client_as("county_dispatcher")
    r = worker.post("/api/v1/cases", json={"title": "小区路灯不亮", "category": "zj12_02", "source": "patrol",
                                           "grid_code": places.grid, "address": "花园路 3 号"})
    assert r.status_code == 201, r.text
    no = r.json()["case_no"]
    lead = db.scalar(select(User.department_code).where(User.username == "dept_cg"))
    for client, action, body in ((worker, "escalate", {}), (town, "accept", {}),
                                 (town, "dispatch", {"lead_department": lead}),
                                 (county, "supervise", {"instruction": "请于两日内办结并报告",
                                                        "due_at": (utc_now() + timedelta(hours=48)).isoformat()})):
        r = client.post(f"/api/v1/cases/{no}/actions/{action}", json=body)
        assert r.status_code == 200, r.text
    case_id = db.scalar(select(Case.id).where(Case.case_no == no))
    return no, db.scalar(select(SupervisionOrder.id).where(SupervisionOrder.case_id == case_id))


def test_the_target_answers_a_supervision_order_on_the_case_page(client_as, places, db):
    no, order = _supervised_case(client_as, places, db)
    dept, town = client_as("dept_cg"), client_as("town_dispatcher")
    url = f"/cases/{no}/supervision/{order}/answer"

    html = page(dept, f"/cases/{no}")
    panel = html.split('id="supervision"')[1].split("</section>")[0]
    assert "请于两日内办结并报告" in panel and 'data-status="on_time"' in panel and "剩余 1 天 23 小时" in panel
    assert f'id="answer-{order}"' in panel and 'name="csrf_token"' in panel
    assert f'id="answer-{order}"' not in page(town, f"/cases/{no}")  # sees the case, is not the target

    r = post(town, url, {"answer": "机构来答复"}, status=403)
    assert "只有被督办的部门或机构可以答复该督办" in r.text and "机构来答复" in r.text
    r = post(dept, url, {"answer": "  "}, status=422)
    assert "请填写答复内容" in r.text
    post(client_as("worker2"), url, {"answer": "看不见的事项"}, status=404)
    post(client_as("dept_sc"), url, {"answer": "别的部门"}, status=404)
    db.expire_all()
    assert db.get(SupervisionOrder, order).answered_at is None

    r = post(dept, url, {"answer": "已安排维修，明日完成"})
    assert r.headers["location"].startswith(f"/cases/{no}?done=answer_supervision")
    html = page(dept, r.headers["location"].split("#")[0])
    panel = html.split('id="supervision"')[1].split("</section>")[0]
    assert "督办已答复" in html and "已安排维修，明日完成" in panel and "按期答复" in panel
    assert f'id="answer-{order}"' not in panel
    entry = db.scalars(select(CaseLogEntry).join(Case, Case.id == CaseLogEntry.case_id)
                       .where(Case.case_no == no).order_by(CaseLogEntry.seq.desc())).first()
    assert entry.action == "answer_supervision" and entry.note == "已安排维修，明日完成"
    assert "答复督办" in html.split('id="case-timeline"')[1]
    r = post(dept, url, {"answer": "再答一次"}, status=409)
    assert "不能重复答复" in r.text and "再答一次" in r.text


def test_an_order_is_answered_only_on_its_own_case_page(client_as, places, db):
    _no, order = _supervised_case(client_as, places, db)
    worker = client_as("worker")
    r = worker.post("/api/v1/cases", json={"title": "另一件事", "category": "zj12_02", "source": "patrol",
                                           "grid_code": places.grid, "address": "花园路 5 号"})
    other = r.json()["case_no"]
    r = post(client_as("town_dispatcher"), f"/cases/{other}/supervision/{order}/answer", {"answer": "答错了地方"},
             status=404)
    assert f"督办 {order} 不存在" in r.text and "答错了地方" not in r.text
    r = post(client_as("dept_cg"), f"/cases/{other}/supervision/{order}/answer", {"answer": "答错了地方"}, status=404)
    assert f"事件 {other} 不存在" in r.text
    db.expire_all()
    assert db.get(SupervisionOrder, order).answered_at is None
