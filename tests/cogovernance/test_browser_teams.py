"""A team member on a 390×844 phone (issue 18, F5): it lands on its team's tasks, opens the task the town's
dispatcher has just assigned, records the result and sees it done; every page fits the phone. A social
organisation's account lands on its projects. Both pages are the partner guide's screenshots
(``GRIDGOV_GUIDE_SHOTS``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridgov.kit.clock import local, utc_now

from ..conftest import login, offline_page
from ..web.layout import artefacts_dir, assert_fits, screenshot

pytestmark = pytest.mark.browser


def test_a_team_member_records_a_tasks_result_on_a_phone(browser, live_server):
    context, page, outside = offline_page(browser, live_server, viewport={"width": 390, "height": 844},
                                          is_mobile=True)
    api = context.request
    token = api.post(live_server + "/api/v1/auth/token",
                     data={"username": "town_dispatcher", "password": "demo12345"}).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    team = next(t for t in api.get(live_server + "/api/v1/cogovernance/teams", headers=auth).json()
                if t["kind"] == "special")
    task = api.post(live_server + "/api/v1/cogovernance/tasks", headers=auth, data={
        "team_id": team["id"], "title": "手机上完成的任务", "grid_code": team["grid_codes"][0],
        "due_on": str(local(utc_now()).date() + timedelta(days=1))}).json()
    try:
        login(page, "team_member")
        assert page.url.endswith("/cogovernance/teams/tasks")
        assert_fits(page, "队员的任务列表")
        screenshot(page, artefacts_dir("teams"), "partner-tasks", guide="partner-tasks", full_page=False)
        page.click(f"article[data-task='{task['id']}'] h3 a")
        page.wait_for_url(f"**/cogovernance/teams/tasks/{task['id']}")
        assert_fits(page, "任务详情")
        page.fill("#result-text", "已完成，拍照留存")
        page.click("#form-result button[type=submit]")
        page.wait_for_url("**?done=result")
        assert page.text_content("#task-status").strip() == "已完成"
        assert page.text_content("#task-result").strip() == "已完成，拍照留存"
        assert page.locator("#form-result").count() == 0
        assert_fits(page, "已完成的任务")
        page.context.clear_cookies()
        login(page, "social_org")
        assert page.url.endswith("/cogovernance/projects")
        assert page.locator("main a[href^='/cogovernance/projects/']").count() >= 1
        assert_fits(page, "社会组织的项目列表")
        screenshot(page, artefacts_dir("teams"), "partner-projects", guide="partner-projects", full_page=False)
    finally:
        context.close()
    assert not outside, f"页面向外部发出了请求：{outside}"
