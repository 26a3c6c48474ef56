"""A person's information report (PIPL art. 45, issue 15): `gridgov registry report ID_NUMBER` and
the admin page /registry/report produce everything held on one person and who accessed it, found
by the exact ID number within the caller's jurisdiction; producing it is logged without the number."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from gridgov.accounts.demo import DEMO_ACCOUNTS, demo_places
from gridgov.authz import Principal
from gridgov.authz.permissions import Permission, role_can
from gridgov.errors import NotFound
from gridgov.kit.crypto import FieldCipher
from gridgov.models import AuditEntry, PersonAccess, User
from gridgov.policy.loader import load_profile
from gridgov.registry.report import build_report
from gridgov.registry.rules import id_check_digit

from ..conftest import DEMO_PROFILE, TEST_SECRET_KEY
from .builders import CITY, NOW, Register

FIRST17 = "32110219800101123"
NUMBER = FIRST17 + id_check_digit(FIRST17)
PHONE = "13912345678"


def _person(db, grid=None):
    reg = Register(db, grid)
    person = reg.person("报告甲", number=NUMBER, phone=PHONE)
    db.add(PersonAccess(person_id=person.id, username="worker", action="reveal", reason="contact", at=NOW))
    db.flush()
    return person


def test_the_admin_page_reports_everything_held_and_logs_it_without_the_number(db, client_as):
    person = _person(db)
    c = client_as("city_admin")
    r = c.post("/registry/report", data={"id_number": NUMBER.lower()}, headers={"accept": "text/html"})
    assert r.status_code == 200, r.text[:500]
    assert r.headers["cache-control"] == "no-store"
    page = r.text
    assert "报告甲" in page and NUMBER in page and PHONE in page  # the report is for the person: in full
    assert "测试地址" in page and "查看完整信息" in page and "worker" in page  # the address, who revealed what
    db.expire_all()
    logged = db.scalars(select(PersonAccess).where(PersonAccess.person_id == person.id,
                                                   PersonAccess.action == "report")).one()
    assert logged.username == "city_admin"
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "person_reported")).one()
    assert entry.object_id == str(person.id)
    assert NUMBER not in f"{entry.detail}{entry.before}{entry.after}" and PHONE not in f"{entry.detail}{entry.after}"


def test_a_number_not_held_or_mistyped_is_a_404_that_says_so(db, client_as):
    _person(db)
    c = client_as("city_admin")
    other = "11010519491231002X"
    r = c.post("/registry/report", data={"id_number": other}, headers={"accept": "text/html"})
    assert r.status_code == 404 and "未找到该证件号码对应的人员" in r.text
    typo = NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1")
    r = c.post("/registry/report", data={"id_number": typo}, headers={"accept": "text/html"})
    assert r.status_code == 404 and "校验位不正确" in r.text
    assert c.post("/registry/report", data={"id_number": " "}).status_code == 422
    assert db.scalar(select(AuditEntry.id).where(AuditEntry.action == "person_reported")) is None


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.username)
def test_only_a_role_holding_the_report_permission_may_open_it(account, db, client_as):
    _person(db)
    c = client_as(account.username)
    allowed = role_can(account.role, Permission.REGISTRY_REPORT)
    for r in (c.get("/registry/report"), c.post("/registry/report", data={"id_number": NUMBER})):
        assert r.status_code == (200 if allowed else 403), (account.username, r.status_code)


def test_an_agency_outside_the_persons_town_is_told_it_is_not_found(db):
    places = demo_places(db, CITY)
    _person(db)  # in the first town's grid
    admin = db.scalars(select(User).where(User.username == "city_admin")).one()
    other_town = Principal(user_id=admin.id, username="town2_admin", display_name="另一街道管理员",
                           role="agency_admin", scope_code=places.town2)
    with pytest.raises(NotFound):
        build_report(db, other_town, NUMBER, cipher=FieldCipher(TEST_SECRET_KEY),
                     profile=load_profile(DEMO_PROFILE), now=NOW)
    own_town = Principal(user_id=admin.id, username="town_admin", display_name="本街道管理员",
                         role="agency_admin", scope_code=places.town)
    found = build_report(db, own_town, NUMBER, cipher=FieldCipher(TEST_SECRET_KEY), profile=load_profile(DEMO_PROFILE),
                         now=NOW)
    assert ("姓名", "报告甲") in found.facts


def test_the_command_prints_the_report(committed, cli_env):
    from gridgov.cli import app

    app_, factory = committed
    with factory() as s:
        _person(s)
        s.commit()
    cli_env(str(app_.state.engine.url), GRIDGOV_SECRET_KEY=TEST_SECRET_KEY, GRIDGOV_DEMO="0")
    out = CliRunner().invoke(app, ["registry", "report", NUMBER.lower()])
    assert out.exit_code == 0, out.output
    assert "个人信息报告" in out.output and "报告甲" in out.output and PHONE in out.output
    assert "【访问记录】（1）" in out.output  # the reveal before it (the report itself is logged after)
    missing = CliRunner().invoke(app, ["registry", "report", "11010519491231002X"])
    assert missing.exit_code == 1 and "未找到" in missing.output
    with factory() as s:
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.action == "person_reported")) is not None
