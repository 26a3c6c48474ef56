"""The demo's special service team and social organisation (issue 18, F5), through the ordinary services:
a special service team of the demo town covering the demo grid, with the demo ``team_member`` account as a
member and two tasks (one open, one done and counted); a social organisation with the demo ``social_org``
account, running a project for the demo grid with a milestone. Built once: a second run finds the team."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from gridgov.accounts.demo import demo_places
from gridgov.authz.scope import SYSTEM
from gridgov.cogovernance import projects, teams
from gridgov.cogovernance import teams_repository as repo
from gridgov.cogovernance.teams_schemas import (
    MemberCreate,
    MilestoneCreate,
    ProjectCreate,
    SocialOrgCreate,
    TaskCreate,
    TaskResult,
    TeamCreate,
)
from gridgov.kit.clock import local
from gridgov.kit.crypto import FieldCipher

TEAM_NAME = "演示街道平安志愿服务队"
ORG_CREDIT_CODE = "5232110250000001X3"
"""A made-up code with a right check character (GB 32100-2015)."""


def build_demo_teams(session: Session, city_code: str, *, now: datetime, cipher: FieldCipher) -> str:
    places = demo_places(session, city_code)
    if repo.team_named(session, places.town, TEAM_NAME) is not None:
        return "专项服务队与服务项目：已存在"
    today = local(now).date()
    team = teams.create_team(session, SYSTEM, TeamCreate(
        name=TEAM_NAME, kind="special", area_code=places.town, grid_codes=[places.grid],
        contact="街道网格站 0511-80000000"), now=now)
    member = repo.user_by_username(session, "team_member")
    teams.add_member(session, SYSTEM, team.id, MemberCreate(
        name=member.display_name if member else "孙队员", duty="队员", phone="13800000018",
        user_id=member.id if member else None), cipher=cipher, now=now)
    teams.assign_task(session, SYSTEM, TaskCreate(
        team_id=team.id, title="独居老人安全走访", grid_code=places.grid, due_on=today + timedelta(days=7),
        description="走访网格内独居老人，检查燃气和用电安全"), now=now)
    done = teams.assign_task(session, SYSTEM, TaskCreate(
        team_id=team.id, title="小区消防通道清理", grid_code=places.grid, due_on=today,
        description="协助物业清理消防通道杂物"), now=now)
    teams.record_result(session, SYSTEM, done.id, TaskResult(result="清理杂物 3 处，张贴提示 5 张"), now=now)
    account = repo.user_by_username(session, "social_org")
    org = projects.create_org(session, SYSTEM, SocialOrgCreate(
        name="演示社会工作服务中心", credit_code=ORG_CREDIT_CODE, area_code=places.town, contact="0511-80000001",
        user_ids=[account.id] if account else []), now=now)
    project = projects.create_project(session, SYSTEM, ProjectCreate(
        org_id=org.id, title="网格社区居家养老服务项目", area_code=places.town, purchaser="演示街道办事处",
        amount=Decimal("120000.00"), starts_on=today.replace(day=1), ends_on=today.replace(day=1) + timedelta(days=364),
        grid_codes=[places.grid]), now=now)
    projects.add_milestone(session, SYSTEM, project.id, MilestoneCreate(
        title="完成需求评估", due_on=today + timedelta(days=30)), now=now)
    return "专项服务队与服务项目：新建服务队 1 支（任务 2 项）、社会组织 1 家（项目 1 个）"
