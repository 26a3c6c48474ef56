"""Special service teams and social organisations' projects (issue 18, F5; QZ§16, JS§23, JS§24): a team
completes a task and the ledger counts it in its grid and month; another team's member finds nothing; a
social organisation's report counts; phones are encrypted, masked and every reveal audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gridgov.cogovernance import teams_rules as rules
from gridgov.kit.clock import local, utc_now
from gridgov.models import AuditEntry, CogovActivity, TeamMember, TeamTask

from .teams_data import account, client_for, demo_objects, places

HTML = {"accept": "text/html"}


def _ledger(db, kind: str, area: str, month) -> int:
    """What the analysis counts: the ledger lines of a kind in one grid and month."""
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return db.scalar(select(func.count()).select_from(CogovActivity).where(
        CogovActivity.kind == kind, CogovActivity.area_code == area, CogovActivity.occurred_on >= start,
        CogovActivity.occurred_on < end))


@pytest.mark.req("F5")
def test_a_team_completes_a_task_and_its_grid_counts_it_that_month(app, db, client_as):
    p = places(db)
    today = local(utc_now()).date()
    member_account = account(db, "tm_youth", "team_member", p.town)
    dispatcher = client_as("town_dispatcher")
    team = dispatcher.post("/api/v1/cogovernance/teams", json={
        "name": "青年突击队", "kind": "youth", "area_code": p.town, "grid_codes": [p.grid], "contact": "团工委"})
    assert team.status_code == 201, team.text
    team_id = team.json()["id"]
    member = dispatcher.post(f"/api/v1/cogovernance/teams/{team_id}/members", json={
        "name": "吴队员", "duty": "队长", "phone": "13912345678", "user_id": member_account.id})
    assert member.status_code == 201 and member.json()["phone_masked"] == "139****5678", member.text
    stored = db.get(TeamMember, member.json()["id"])
    assert b"13912345678" not in stored.phone_enc and stored.phone_mask != "13912345678"
    refused = dispatcher.post("/api/v1/cogovernance/tasks", json={
        "team_id": team_id, "title": "外网格", "grid_code": p.grid2, "due_on": str(today)})
    assert refused.status_code == 404  # the other county's grid is outside the town's jurisdiction
    task = dispatcher.post("/api/v1/cogovernance/tasks", json={
        "team_id": team_id, "title": "河道清理", "description": "清理河岸垃圾", "grid_code": p.grid,
        "due_on": str(today + timedelta(days=3))})
    assert task.status_code == 201 and task.json()["status"] == "assigned", task.text
    task_id = task.json()["id"]
    before = _ledger(db, "team_task", p.grid, today)

    member_client = client_for(app, member_account)
    listed = member_client.get("/api/v1/cogovernance/tasks", params={"status": "assigned"}).json()
    assert [t["id"] for t in listed] == [task_id]  # its own team's task only (not the demo team's)
    bad = member_client.post(f"/api/v1/cogovernance/tasks/{task_id}/result",
                             json={"result": "完成", "done_on": str(today + timedelta(days=1))})
    assert bad.status_code == 422 and "晚于今天" in bad.json()["detail"]
    done = member_client.post(f"/api/v1/cogovernance/tasks/{task_id}/result", json={"result": "清理垃圾 20 袋"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done" and done.json()["done_on"] == str(today)
    assert done.json()["result"] == "清理垃圾 20 袋"
    assert _ledger(db, "team_task", p.grid, today) == before + 1
    line = db.scalar(select(CogovActivity).where(CogovActivity.ref_type == "team_task",
                                                 CogovActivity.ref_id == task_id))
    assert (line.area_code, line.occurred_on) == (p.grid, today)

    again = member_client.post(f"/api/v1/cogovernance/tasks/{task_id}/result", json={"result": "再记一次"})
    cancel = dispatcher.post(f"/api/v1/cogovernance/tasks/{task_id}/cancel", json={"reason": "误派"})
    assert (again.status_code, cancel.status_code) == (409, 409)
    assert "不能撤销" in cancel.json()["detail"]
    assert db.get(TeamTask, task_id).status == "done" and _ledger(db, "team_task", p.grid, today) == before + 1

    masked = dispatcher.get(f"/api/v1/cogovernance/teams/{team_id}/members").json()
    assert masked[0]["phone_masked"] == "139****5678" and "13912345678" not in str(masked)
    revealed = dispatcher.post(f"/api/v1/cogovernance/teams/{team_id}/members/{stored.id}/reveal")
    assert revealed.json()["phone"] == "13912345678"
    audit = db.scalar(select(AuditEntry).where(AuditEntry.action == "team_member_revealed")
                      .order_by(AuditEntry.id.desc()))
    assert audit is not None and "13912345678" not in str(audit.after)


@pytest.mark.req("F5")
def test_another_teams_member_finds_nothing_of_the_task(app, db, client_as):
    """The demo team's task: its member sees it and records the result from its page; a member of another
    team, a social organisation and the other county get 404; a cancelled task takes no result."""
    demo = demo_objects(db)
    other = client_for(app, account(db, "tm_other", "team_member", places(db).town))
    for c in (other, client_as("social_org"), client_as("worker2")):
        assert c.get(f"/api/v1/cogovernance/tasks/{demo['task']}").status_code == 404
        assert demo["task"] not in [t["id"] for t in c.get("/api/v1/cogovernance/tasks").json()]
        assert c.get(f"/cogovernance/teams/tasks/{demo['task']}", headers=HTML).status_code == 404
    assert other.post(f"/api/v1/cogovernance/tasks/{demo['task']}/result", json={"result": "冒记"}).status_code == 404
    assert db.get(TeamTask, demo["task"]).status == "assigned"

    member = client_as("team_member")
    landing = member.get("/cogovernance/teams/tasks", headers=HTML)
    assert landing.status_code == 200 and f'data-task="{demo["task"]}"' in landing.text
    form = member.get(f"/cogovernance/teams/tasks/{demo['task']}", headers=HTML)
    assert 'id="form-result"' in form.text and 'id="form-cancel"' not in form.text
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    member.cookies.set("csrf_token", token)
    empty = member.post(f"/cogovernance/teams/tasks/{demo['task']}/result", data={"result": "", "csrf_token": token})
    assert empty.status_code == 422 and "请填写完成情况" in empty.text
    done = member.post(f"/cogovernance/teams/tasks/{demo['task']}/result",
                       data={"result": "走访 6 户", "csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert db.get(TeamTask, demo["task"]).status == "done"


def test_a_cancelled_task_takes_no_result(db, client_as):
    demo = demo_objects(db)
    agency = client_as("town_dispatcher")
    cancelled = agency.post(f"/api/v1/cogovernance/tasks/{demo['task']}/cancel", json={"reason": "天气原因"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    late = client_as("team_member").post(f"/api/v1/cogovernance/tasks/{demo['task']}/result", json={"result": "x"})
    assert late.status_code == 409 and "撤销" in late.json()["detail"]
    assert db.scalar(select(func.count()).select_from(CogovActivity).where(
        CogovActivity.ref_type == "team_task", CogovActivity.ref_id == demo["task"])) == 0


@pytest.mark.req("F5")
def test_a_social_organisations_report_counts_in_the_projects_first_grid(app, db, client_as):
    p = places(db)
    today = local(utc_now()).date()
    so = account(db, "so_new", "social_org", p.town)
    agency = client_as("town_dispatcher")
    body = {"name": "新阳光社工服务社", "credit_code": "5232110250000001X4", "area_code": p.town, "user_ids": [so.id]}
    wrong = agency.post("/api/v1/cogovernance/social-orgs", json=body)
    assert wrong.status_code == 422 and "校验位" in wrong.json()["detail"]
    taken = agency.post("/api/v1/cogovernance/social-orgs", json={**body, "credit_code": "5232110250000001X3"})
    assert taken.status_code == 409  # the demo organisation holds that code
    org = agency.post("/api/v1/cogovernance/social-orgs", json={**body, "credit_code": "5232110250000003X5"})
    assert org.status_code == 201, org.text
    project = agency.post("/api/v1/cogovernance/projects", json={
        "org_id": org.json()["id"], "title": "四点半课堂", "area_code": p.town, "purchaser": "街道办事处",
        "amount": "36000.00", "starts_on": str(today), "ends_on": str(today + timedelta(days=180)),
        "grid_codes": [p.grid], "status": "planned"})
    assert project.status_code == 201, project.text
    project_id = project.json()["id"]
    mine = client_for(app, so)
    assert [x["id"] for x in mine.get("/api/v1/cogovernance/projects").json()] == [project_id]
    early = mine.post(f"/api/v1/cogovernance/projects/{project_id}/reports", json={"period": "2026年12月", "text": "x"})
    assert early.status_code == 409  # a planned project has nothing to report yet
    assert agency.patch(f"/api/v1/cogovernance/projects/{project_id}", json={"status": "running"}).status_code == 200
    before = _ledger(db, "project_report", p.grid, today)
    report = mine.post(f"/api/v1/cogovernance/projects/{project_id}/reports",
                       json={"period": "2026年12月", "text": "开展课堂 8 次，服务儿童 120 人次"})
    assert report.status_code == 201 and report.json()["submitted_by"] == "so_new", report.text
    assert _ledger(db, "project_report", p.grid, today) == before + 1
    assert client_as("social_org").get(f"/api/v1/cogovernance/projects/{project_id}").status_code == 404
    assert client_as("social_org").post(f"/api/v1/cogovernance/projects/{project_id}/reports",
                                        json={"period": "x", "text": "y"}).status_code == 404
    page = mine.get(f"/cogovernance/projects/{project_id}", headers=HTML)
    assert page.status_code == 200 and "服务儿童 120 人次" in page.text and 'id="form-report"' in page.text


def test_the_credit_code_and_the_task_rules():
    assert rules.credit_code_problem("91110000600037341L") is None
    assert "校验位" in rules.credit_code_problem("91110000600037341M")
    assert "18 位" in rules.credit_code_problem("9111000060003734")
    assert rules.compact_credit_code("91110000600037341l") == "91110000600037341L"
    assert rules.cancel_refusal("assigned") is None and rules.cancel_refusal("done")
    assert rules.result_refusal("assigned") is None and rules.result_refusal("cancelled")
    assert rules.report_area(["321102001001001"], "321102001000") == "321102001001001"
    assert rules.report_area([], "321102001000") == "321102001000"
    d = local(utc_now()).date()
    assert rules.done_on_problem(d, d, d) is None and rules.done_on_problem(d - timedelta(days=1), d, d)


def _form_client(c, path: str) -> tuple[str, str]:
    page = c.get(path, headers=HTML)
    assert page.status_code == 200, page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    c.cookies.set("csrf_token", token)
    return page.text, token


def test_the_agency_registers_a_team_a_member_and_a_task_on_its_pages(db, client_as):
    p = places(db)
    agency = client_as("town_dispatcher")
    text, token = _form_client(agency, "/cogovernance/teams")
    assert text.count('id="form-team"') == 1  # the form once, in the page (not in its <title>)
    assert text.split("<title>")[1].startswith("专项服务队")
    bad = agency.post("/cogovernance/teams", data={"name": "妇联服务队", "kind": "women", "area_code": p.town2,
                                                   "csrf_token": token})
    assert bad.status_code == 404 and "不存在" in bad.text  # another county's town is outside
    made = agency.post("/cogovernance/teams", data={"name": "妇联服务队", "kind": "women", "area_code": p.town,
                                                    "grid_codes": p.grid, "csrf_token": token}, follow_redirects=False)
    assert made.status_code == 303, made.text
    team_path = made.headers["location"].split("?")[0]
    text, token = _form_client(agency, team_path)
    assert 'id="form-member"' in text and 'id="form-assign"' in text
    member = agency.post(f"{team_path}/members", data={"name": "郑队员", "phone": "13700001111", "csrf_token": token},
                         follow_redirects=False)
    assert member.status_code == 303
    page = agency.get(team_path, headers=HTML).text
    assert "137****1111" in page and "13700001111" not in page
    due = str(local(utc_now()).date() + timedelta(days=2))
    task = agency.post(f"{team_path}/tasks", data={"title": "垃圾分类宣传", "grid_code": p.grid, "due_on": due,
                                                   "csrf_token": token}, follow_redirects=False)
    assert task.status_code == 303
    assert db.get(TeamTask, int(task.headers["location"].split("/")[-1].split("?")[0])).title == "垃圾分类宣传"
    worker = client_as("worker").get(team_path, headers=HTML)  # a worker of the covered grid reads, no forms
    assert worker.status_code == 200 and 'id="form-assign"' not in worker.text


def test_the_social_organisation_marks_a_milestone_done_on_its_project_page(db, client_as):
    demo = demo_objects(db)
    org = client_as("social_org")
    text, token = _form_client(org, f"/cogovernance/projects/{demo['project']}")
    assert f'data-milestone="{demo["milestone"]}"' in text and "标记完成" in text
    done = org.post(f"/cogovernance/projects/{demo['project']}/milestones/{demo['milestone']}/done",
                    data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    again = org.post(f"/cogovernance/projects/{demo['project']}/milestones/{demo['milestone']}/done",
                     data={"csrf_token": token})
    assert again.status_code == 409 and "已经完成" in again.text


def test_a_results_photos_are_seen_by_whoever_reads_the_task_only(app, db, client_as):
    import io

    from PIL import Image

    demo = demo_objects(db)
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(buffer, format="PNG")
    member = client_as("team_member")
    uploaded = member.post("/api/v1/cogovernance/task-photos", files={"file": ("site.png", buffer.getvalue())})
    assert uploaded.status_code == 201, uploaded.text
    sha = uploaded.json()["sha256"]
    unknown = member.post(f"/api/v1/cogovernance/tasks/{demo['task']}/result",
                          json={"result": "走访", "photos": ["0" * 64]})
    assert unknown.status_code == 422 and db.get(TeamTask, demo["task"]).status == "assigned"
    done = member.post(f"/api/v1/cogovernance/tasks/{demo['task']}/result", json={"result": "走访", "photos": [sha]})
    assert done.status_code == 200 and done.json()["photos"] == [sha], done.text
    other = client_for(app, account(db, "tm_photo", "team_member", places(db).town))
    for c, status in ((member, 200), (client_as("worker"), 200), (other, 404), (client_as("worker2"), 404),
                      (client_as("dept_cg"), 403)):
        got = c.get(f"/api/v1/cogovernance/task-photos/{sha}", params={"thumbnail": "true"})
        assert got.status_code == status, (c, got.status_code)
    page = member.get(f"/cogovernance/teams/tasks/{demo['task']}", headers=HTML).text
    assert f"/api/v1/cogovernance/task-photos/{sha}?thumbnail=1" in page
