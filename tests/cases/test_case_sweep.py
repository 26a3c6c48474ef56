"""The sweep marks warnings, overdue clocks and overdue supervision orders once, and tells whoever
must act now; two sweeps at once produce each notice once."""

from __future__ import annotations

import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.cases import actions, service
from gridgov.cases.schemas import CaseCreate
from gridgov.cases.sweep import sweep
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.kit.crypto import FieldCipher
from gridgov.models import Case, CaseClock, Notification, SupervisionOrder, User
from gridgov.policy.loader import load_profile

from ..conftest import TEST_SECRET_KEY, build_demo_into

CITY = "321100000000"
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
PROFILE = load_profile("zhenjiang")
MEDIA = Path(tempfile.gettempdir())


# ---------------------------------------------------------------- helpers (also used by other case tests)


def principal(session, username: str) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    return Principal(user_id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                     scope_code=user.scope_code, department_code=user.department_code)


def user_id(session, username: str) -> int:
    return session.scalar(select(User.id).where(User.username == username))


def open_case(session, now: datetime = T0, *, username: str = "worker", title: str = "人行道井盖缺失",
              grid: str | None = None) -> Case:
    """A case a worker found on patrol in the demo grid (it starts verified, its report clock running)."""
    grid = grid or demo_places(session, CITY).grid
    data = CaseCreate(title=title, category="zj12_02", source="patrol", grid_code=grid,
                      address="解放路 12 号门口")
    new = service.create_case(session, principal(session, username), data, now=now, profile=PROFILE,
                              cipher=FieldCipher(TEST_SECRET_KEY), media_root=MEDIA)
    return session.get(Case, new.case.id)  # the case as stored (intake writes without the unit of work)


def act(session, username: str, case_no: str, action: str, now: datetime, **payload) -> Case:
    return actions.act(session, principal(session, username), case_no, action, payload, now=now, profile=PROFILE,
                       media_root=MEDIA)


def dispatched_case(session, now: datetime = T0) -> Case:
    """A case escalated, accepted and dispatched to the demo county's 城管 (dept_cg)."""
    case = open_case(session, now)
    lead = session.scalar(select(User.department_code).where(User.username == "dept_cg"))
    act(session, "worker", case.case_no, "escalate", now)
    act(session, "town_dispatcher", case.case_no, "accept", now)
    return act(session, "town_dispatcher", case.case_no, "dispatch", now, lead_department=lead)


def clock(session, case: Case, kind: str) -> CaseClock:
    return session.scalar(select(CaseClock).where(CaseClock.case_id == case.id, CaseClock.kind == kind))


def notices(session, kind: str | None = None) -> list[tuple[str, str]]:
    """(username, message) of the stored notices, optionally of one kind."""
    stmt = select(User.username, Notification.message).join(User, User.id == Notification.user_id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return sorted(tuple(r) for r in session.execute(stmt))


# ---------------------------------------------------------------- marking and telling


@pytest.mark.req("D7")
def test_a_report_clock_entering_its_warning_zone_tells_the_grid_workers_once(db):
    case = open_case(db)
    report = clock(db, case, "report")
    result = sweep(db, report.warn_at + timedelta(seconds=1), PROFILE)
    assert (result.warned, result.overdue) == (1, 0)
    told = notices(db, "clock_warning")
    assert {u for u, _m in told} == {"worker", "leader"}  # the demo grid's workers
    assert all(case.case_no in m and "上报时限即将到期" in m for _u, m in told)
    db.refresh(report)
    assert report.warned_at is not None and report.overdue_at is None

    again = sweep(db, report.warn_at + timedelta(minutes=5), PROFILE)
    assert (again.warned, again.notices) == (0, 0) and again.summary() is None
    assert len(notices(db, "clock_warning")) == 2


@pytest.mark.req("D7")
def test_an_overdue_clock_is_marked_and_a_clock_found_overdue_is_not_also_warned_about(db):
    case = open_case(db)
    report = clock(db, case, "report")
    result = sweep(db, report.due_at + timedelta(seconds=1), PROFILE)
    assert (result.warned, result.overdue) == (1, 1)
    assert notices(db, "clock_warning") == []
    assert {u for u, m in notices(db, "clock_overdue") if "上报时限已超期" in m} == {"worker", "leader"}
    assert "超期 1 项" in result.summary()


@pytest.mark.req("D5", "D7")
def test_acceptance_tells_the_agency_and_handling_tells_the_lead_department_and_the_agency(db):
    case = dispatched_case(db)
    acceptance, handling = clock(db, case, "acceptance"), clock(db, case, "handling")
    assert acceptance.stopped_at is not None  # accepted at once: nothing to warn about
    db.query(Notification).delete()
    result = sweep(db, handling.warn_at + timedelta(seconds=1), PROFILE)
    assert result.warned == 1  # the report clock stopped at escalation, acceptance at dispatch
    assert {u for u, _m in notices(db, "clock_warning")} == {"dept_cg", "town_dispatcher"}
    assert all("办理时限即将到期" in m for _u, m in notices(db, "clock_warning"))


@pytest.mark.req("D7")
def test_an_escalated_case_not_yet_accepted_warns_the_agency(db):
    case = open_case(db)
    act(db, "worker", case.case_no, "escalate", T0)
    acceptance = clock(db, case, "acceptance")
    db.query(Notification).delete()
    sweep(db, acceptance.due_at + timedelta(seconds=1), PROFILE)
    assert {u for u, m in notices(db, "clock_overdue") if "受理时限" in m} == {"town_dispatcher"}


def test_stopped_clocks_are_left_alone_and_an_extension_warns_again_about_the_new_deadline(db):
    case = dispatched_case(db)
    act(db, "dept_cg", case.case_no, "sign", T0)
    handling = clock(db, case, "handling")
    first_due = handling.due_at
    sweep(db, handling.warn_at + timedelta(seconds=1), PROFILE)
    warned_before = len(notices(db, "clock_warning"))
    assert warned_before == 2

    later = handling.warn_at + timedelta(minutes=1)
    act(db, "dept_cg", case.case_no, "request_extension", later, days=3, reason="需协调产权单位")
    act(db, "town_dispatcher", case.case_no, "grant_extension", later)
    db.refresh(handling)
    assert handling.due_at > first_due and handling.warned_at is None
    sweep(db, handling.warn_at + timedelta(seconds=1), PROFILE)
    assert len(notices(db, "clock_warning")) == warned_before + 2

    act(db, "dept_cg", case.case_no, "handle", handling.warn_at + timedelta(seconds=2), result="已补装井盖")
    result = sweep(db, handling.due_at + timedelta(days=30), PROFILE)
    assert result.overdue == 0  # every clock of the case has stopped


@pytest.mark.req("D7")
def test_an_unanswered_supervision_order_past_its_due_time_tells_the_target_and_the_issuer(db):
    case = dispatched_case(db)
    due = T0 + timedelta(days=1)
    act(db, "county_dispatcher", case.case_no, "supervise", T0, instruction="请加快办理", due_at=due.isoformat())
    answered = dispatched_case(db)
    act(db, "county_dispatcher", answered.case_no, "supervise", T0, instruction="请加快办理", due_at=due.isoformat())
    db.execute(SupervisionOrder.__table__.update().where(SupervisionOrder.case_id == answered.id)
               .values(answered_at=T0, answer="已在办理"))
    db.query(Notification).delete()

    assert sweep(db, due - timedelta(minutes=1), PROFILE).supervision_overdue == 0
    result = sweep(db, due + timedelta(minutes=1), PROFILE)
    assert result.supervision_overdue == 1
    told = notices(db, "supervision_overdue")
    assert {u for u, _m in told} == {"dept_cg", "county_dispatcher"}
    assert all(case.case_no in m for _u, m in told)
    assert sweep(db, due + timedelta(minutes=2), PROFILE).supervision_overdue == 0


def test_an_order_to_the_agency_tells_the_agency(db):
    case = open_case(db)
    act(db, "worker", case.case_no, "escalate", T0)
    act(db, "county_dispatcher", case.case_no, "supervise", T0, instruction="请尽快受理",
        due_at=(T0 + timedelta(hours=2)).isoformat())
    db.query(Notification).delete()
    sweep(db, T0 + timedelta(hours=3), PROFILE)
    assert {u for u, _m in notices(db, "supervision_overdue")} == {"town_dispatcher", "county_dispatcher"}


def test_the_sweep_is_a_registered_job():
    from gridgov.jobs import JOBS

    assert "cases_sweep" in {job.name for job in JOBS}


# ---------------------------------------------------------------- committed databases: CLI and concurrency


def demo_copy_factory(db_factory, template_url, prepare=None):
    """Builds the demo city (and whatever ``prepare(session)`` adds) once, committed, and returns a
    function making a fresh copy of it: for tests that commit or run in threads."""
    url = db_factory.create(template=template_url)
    engine = make_engine(url)
    build_demo_into(engine)
    extra = None
    if prepare is not None:
        with unit_of_work(make_sessionmaker(engine)) as session:
            extra = prepare(session)
    engine.dispose()
    return (lambda: db_factory.create(template=url)), extra


@pytest.fixture(scope="module")
def demo_copies(db_factory, template_url):
    return demo_copy_factory(db_factory, template_url)[0]


@pytest.fixture
def city_url(demo_copies):
    return demo_copies()


@pytest.fixture
def city(city_url):
    """A fresh committed copy of the demo city."""
    engine = make_engine(city_url)
    yield engine
    engine.dispose()


def _open_cases(engine, count: int) -> None:
    with unit_of_work(make_sessionmaker(engine)) as session:
        for i in range(count):
            open_case(session, T0 + timedelta(seconds=i), title=f"占道经营第{i + 1}处")


def test_two_sweeps_at_once_produce_each_notice_once(city):
    _open_cases(city, 12)
    with make_sessionmaker(city)() as session:
        due = session.scalar(select(func.max(CaseClock.due_at)))
    factory = make_sessionmaker(city)
    start = threading.Barrier(4)
    results, errors = [], []

    def run(at):
        try:
            start.wait()
            with unit_of_work(factory) as session:
                results.append(sweep(session, at, PROFILE))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    # two processes with the same clock, two a moment apart
    ats = [due + timedelta(seconds=1), due + timedelta(seconds=1), due + timedelta(seconds=2),
           due + timedelta(seconds=3)]
    threads = [threading.Thread(target=run, args=(at,)) for at in ats]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sum(r.overdue for r in results) == 12 and sum(r.warned for r in results) == 12
    with make_sessionmaker(city)() as session:
        stored = session.scalar(select(func.count()).select_from(Notification)
                                .where(Notification.kind == "clock_overdue"))
        keys = session.scalar(select(func.count(func.distinct(Notification.dedupe_key))))
        total = session.scalar(select(func.count()).select_from(Notification))
    assert stored == 12 * 2  # worker and leader, once per case
    assert sum(r.notices for r in results) == total == keys


def test_gridgov_cases_sweep_marks_and_says_what_it_did(city, city_url, cli_env):
    from gridgov.cases.cli import app as cases_cli

    _open_cases(city, 2)
    cli_env(city_url)
    runner = CliRunner()
    at = (T0 + timedelta(days=3)).isoformat()
    first = runner.invoke(cases_cli, ["sweep", "--at", at])
    assert first.exit_code == 0, first.output
    assert "超期 2 项" in first.output and "发出提醒 4 条" in first.output
    second = runner.invoke(cases_cli, ["sweep", "--at", at])
    assert second.exit_code == 0 and "没有新进入预警或超期的事件" in second.output
    bad = runner.invoke(cases_cli, ["sweep", "--at", "昨天"])
    assert bad.exit_code == 2 and "ISO 8601" in bad.output


def test_the_partial_indexes_serve_the_claims(city):
    """The sweep's WHERE clauses use the migration's partial indexes, which hold only running,
    unmarked clocks and open orders, so a sweep costs what is still open, not all history."""
    with city.connect() as conn:
        if city.dialect.name == "postgresql":
            found = dict(conn.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE "
                                           "'%_open'")).all())
            assert "stopped_at IS NULL" in found["ix_case_clocks_warn_open"]
            assert "overdue_at IS NULL" in found["ix_case_clocks_due_open"]
            assert "answered_at IS NULL" in found["ix_supervision_orders_due_open"]
            return
        plan = " ".join(str(r[-1]) for r in conn.execute(text(
            "EXPLAIN QUERY PLAN UPDATE case_clocks SET warned_at = '2026-01-01' "
            "WHERE warn_at <= '2026-01-01' AND stopped_at IS NULL AND warned_at IS NULL")))
    assert "ix_case_clocks_warn_open" in plan
