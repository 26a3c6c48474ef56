"""Issue 14, items 1, 9 and 12 over HTTP on both databases: the dispatch form offers the departments
of the case's level and the one above grouped by level (never the city's to a town dispatcher), an
assisting department has its own step (报送协办情况) that tells the lead, and the case page shows the
report's and the handling's photos apart with who took them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from gridgov.models import Case, CaseLogEntry, Notification, User

from .test_cases_pages import HTML, page, places, png, post, report  # noqa: F401 (places is a fixture)


def _accepted(client_as, places) -> str:  # noqa: F811
    worker, town = client_as("worker"), client_as("town_dispatcher")
    no = report(worker, places.grid, photos=True)
    post(worker, f"/cases/{no}/actions/escalate", {"note": "无法现场处置"})
    post(town, f"/cases/{no}/actions/accept", {})
    return no


def _dept(db, username: str) -> str:
    return db.scalar(select(User.department_code).where(User.username == username))


def test_the_dispatch_form_groups_the_departments_by_level_and_never_offers_the_citys(client_as, places, db):  # noqa: F811
    no = _accepted(client_as, places)
    town = client_as("town_dispatcher")
    html = page(town, f"/cases/{no}")
    form = html.split('id="act-dispatch"')[1].split("</form>")[0]
    offered = set(re.findall(r'value="(\d{12}-\w+)"', form))
    assert _dept(db, "dept_cg") in offered and _dept(db, "dept_sc") in offered
    city = places.grid[:4] + "0" * 8
    assert not [c for c in offered if c.startswith(city + "-")], offered  # the city's departments stay out
    assert '<optgroup label="县（区）级">' in form
    # assisting departments: one compact checklist in a bounded box, not a field per department
    assert form.count('class="dept-checks__box"') == 1 and 'class="dept-filter"' in form
    assert 'name="assisting_departments"' in form.split('class="dept-checks__box"')[1]
    # the filter box is static JS (no inline script), loaded on the page
    assert "js/dispatch.js" in html and "<script>" not in html


def test_the_api_refuses_to_dispatch_a_town_case_to_a_city_department(client_as, places, db):  # noqa: F811
    no = _accepted(client_as, places)
    town = client_as("town_dispatcher")
    city = places.grid[:4] + "0" * 8
    far = db.scalar(select(User.department_code).where(User.department_code.is_not(None)).limit(1))
    kind = far.split("-", 1)[1]
    version = db.scalar(select(Case.version).where(Case.case_no == no))
    for payload in ({"lead_department": f"{city}-{kind}"},
                    {"lead_department": _dept(db, "dept_cg"), "assisting_departments": [f"{city}-{kind}"]}):
        r = town.post(f"/api/v1/cases/{no}/actions/dispatch", json=payload)
        assert r.status_code == 422 and "层级" in r.json()["detail"], r.text
    db.expire_all()
    assert db.scalar(select(Case.version).where(Case.case_no == no)) == version
    ok = town.post(f"/api/v1/cases/{no}/actions/dispatch", json={"lead_department": _dept(db, "dept_cg")})
    assert ok.status_code == 200, ok.text


@pytest.mark.req("D4")
def test_an_assisting_department_reports_its_part_and_the_lead_is_told(client_as, places, db):  # noqa: F811
    no = _accepted(client_as, places)
    town, lead, helper = client_as("town_dispatcher"), client_as("dept_cg"), client_as("dept_sc")
    post(town, f"/cases/{no}/actions/dispatch", {"lead_department": _dept(db, "dept_cg"),
                                                  "assisting_departments": [_dept(db, "dept_sc")]})
    html = page(helper, f"/cases/{no}")
    assert 'id="act-assist_report"' in html and 'id="no-actions"' not in html
    assert 'id="act-assist_report"' not in page(lead, f"/cases/{no}")  # the lead has its own steps

    refused = helper.post(f"/api/v1/cases/{no}/actions/assist_report", json={"note": "  "})
    assert refused.status_code == 422 and "协办情况" in refused.json()["detail"]
    assert lead.post(f"/api/v1/cases/{no}/actions/assist_report", json={"note": "x"}).status_code == 403
    r = helper.post(f"/api/v1/cases/{no}/actions/assist_report", json={"note": "已清理周边占道摊点"})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "dispatched"  # the state does not move
    entry = db.scalars(select(CaseLogEntry).join(Case).where(Case.case_no == no)
                       .order_by(CaseLogEntry.seq.desc())).first()
    assert entry.action == "assist_report" and entry.note == "已清理周边占道摊点"
    assert entry.data["department"] == _dept(db, "dept_sc")
    lead_id = db.scalar(select(User.id).where(User.username == "dept_cg"))
    told = db.scalars(select(Notification).where(Notification.user_id == lead_id,
                                                 Notification.kind == "assist_report")).all()
    assert len(told) == 1 and no in told[0].message
    # the lead's to-do (sign) is still open: an assisting report is not the lead's step
    sign_todo = db.scalars(select(Notification).where(Notification.user_id == lead_id,
                                                      Notification.kind == "dispatch")).all()
    assert sign_todo and all(n.done_at is None for n in sign_todo)
    assert "已清理周边占道摊点" in page(lead, f"/cases/{no}")


@pytest.mark.req("D2")
def test_the_reports_and_the_handlings_photos_are_shown_apart_with_who_took_them(client_as, places, db):  # noqa: F811
    no = _accepted(client_as, places)
    town, lead = client_as("town_dispatcher"), client_as("dept_cg")
    post(town, f"/cases/{no}/actions/dispatch", {"lead_department": _dept(db, "dept_cg")})
    post(lead, f"/cases/{no}/actions/sign", {})
    post(lead, f"/cases/{no}/actions/handle", {"result": "已补装井盖"},
         files=[("photos", ("after.png", _other_png(), "image/png"))])
    html = page(town, f"/cases/{no}")
    before = html.split('id="photos-report"')[1].split('</div>\n  </div>')[0]
    after = html.split('id="photos-result"')[1].split('</div>\n  </div>')[0]
    assert before.count("<img") == 1 and after.count("<img") == 1
    assert '<span class="photo-by">worker</span>' in before and "dept_cg" not in before
    assert '<span class="photo-by">dept_cg</span>' in after and "办结" in after
    assert "上报照片" in html and "处置照片" in html


def _other_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 200, 30)).save(out, "PNG")
    return out.getvalue()
