"""Test data of the teams' tests: accounts made for a test (with a bearer token, no password round trip) and
a team with a task and an organisation with a project in the second county, built through the services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.accounts.schemas import UserCreate
from gridgov.accounts.service import create_user
from gridgov.authz.scope import SYSTEM
from gridgov.cogovernance import projects, teams
from gridgov.cogovernance.teams_schemas import (
    MemberCreate,
    MilestoneCreate,
    ProjectCreate,
    SocialOrgCreate,
    TaskCreate,
    TeamCreate,
)
from gridgov.kit import tokens
from gridgov.kit.clock import local, utc_now
from gridgov.models import ProjectMilestone, ServiceProject, ServiceTeam, TeamMember, TeamTask, User

from ..conftest import TEST_SECRET_KEY

CITY = "321100000000"
CODE_B = "5232110250000002X4"


def places(session):
    return demo_places(session, CITY)


def account(db, username: str, role: str, scope: str) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        user = create_user(db, SYSTEM, UserCreate(username=username, display_name=username, password="Teams-test-9931",
                                                  role=role, scope_code=scope, must_change_password=False),
                           now=utc_now(), demo=True)
        db.flush()
    return user


def client_for(app, user: User) -> TestClient:
    c = TestClient(app)
    c.headers["Authorization"] = "Bearer " + tokens.issue(
        TEST_SECRET_KEY, purpose="api", user_id=user.id, version=user.session_version or 1,
        expires_at=utc_now() + timedelta(hours=1))
    return c


def demo_objects(db) -> dict:
    """The demo's team (the demo team_member's), its open task, organisation and project (town A)."""
    team = db.scalar(select(ServiceTeam).where(ServiceTeam.area_code == places(db).town))
    task = db.scalar(select(TeamTask).where(TeamTask.team_id == team.id, TeamTask.status == "assigned"))
    project = db.scalar(select(ServiceProject).where(ServiceProject.area_code == places(db).town))
    member = db.scalar(select(TeamMember.id).where(TeamMember.team_id == team.id))
    milestone = db.scalar(select(ProjectMilestone.id).where(ProjectMilestone.project_id == project.id))
    return {"team": team.id, "task": task.id, "org": project.org_id, "project": project.id,
            "grid": task.grid_code, "member": member, "milestone": milestone, "town": team.area_code}


def side_b(db, cipher) -> dict:
    """A team covering the second county's demo grid with an open task and a member whose account is
    ``tm_b``; an organisation (account ``so_b``) running a project there with a milestone."""
    p = places(db)
    now = utc_now()
    tm = account(db, "tm_b", "team_member", p.town2)
    so = account(db, "so_b", "social_org", p.town2)
    team = teams.create_team(db, SYSTEM, TeamCreate(name="乙区妇联巾帼服务队", kind="women", area_code=p.town2,
                                                    grid_codes=[p.grid2]), now=now)
    member = teams.add_member(db, SYSTEM, team.id, MemberCreate(name="周队员", phone="13900000002", user_id=tm.id),
                              cipher=cipher, now=now)
    task = teams.assign_task(db, SYSTEM, TaskCreate(team_id=team.id, title="乙区任务", grid_code=p.grid2,
                                                    due_on=local(now).date() + timedelta(days=3)), now=now)
    org = projects.create_org(db, SYSTEM, SocialOrgCreate(name="乙区社工中心", credit_code=CODE_B, area_code=p.town2,
                                                          user_ids=[so.id]), now=now)
    project = projects.create_project(db, SYSTEM, ProjectCreate(
        org_id=org.id, title="乙区助残项目", area_code=p.town2, amount=Decimal("5000"), starts_on=local(now).date(),
        ends_on=local(now).date() + timedelta(days=90), grid_codes=[p.grid2]), now=now)
    projects.add_milestone(db, SYSTEM, project.id, MilestoneCreate(title="启动", due_on=local(now).date()), now=now)
    db.flush()
    milestone = projects.get_project(db, SYSTEM, project.id).milestones[0].id
    return {"team": team.id, "task": task.id, "member": member.id, "org": org.id, "project": project.id,
            "milestone": milestone, "grid": p.grid2, "town": p.town2}
