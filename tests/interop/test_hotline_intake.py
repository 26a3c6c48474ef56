"""The hotline's intake in the service (both databases): a ticket becomes one case, the same ticket again
returns it, another body under it is a 409, a place outside the client's area is a 422; and ten concurrent
retries on a committed database, each on its own connection, make one case."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.errors import Conflict, Invalid, NotFound
from gridgov.interop import hotline
from gridgov.models import AuditEntry, Case, CaseLogEntry
from gridgov.models.hotline import HotlineIntake

from ..conftest import build_demo_into
from .hotline_data import TYPES, call, hotline_client, places, submit


def _cases(session) -> int:
    return session.scalar(select(func.count()).select_from(Case))


@pytest.mark.req("D1")
def test_a_ticket_makes_one_case_and_the_same_ticket_again_returns_it(db):
    p = places(db)
    client = hotline_client(db, p.county)
    data = call(p.grid, type="0101", category=None)
    first, created = submit(db, client, data)
    assert created and first.state == "reported" and first.type == "0101" and not first.triage
    case = db.scalar(select(Case).where(Case.case_no == first.case_no))
    assert case.source == "hotline" and case.state == "reported" and case.description == data.description
    assert case.reporter_phone_mask != "13800138000" and "13800138000" not in (case.reporter_phone_mask or "")
    before = (_cases(db), db.scalar(select(func.count()).select_from(CaseLogEntry)),
              db.scalar(select(func.count()).select_from(AuditEntry)))
    again, created = submit(db, client, data)
    assert not created and again.case_no == first.case_no
    assert (_cases(db), db.scalar(select(func.count()).select_from(CaseLogEntry)),
            db.scalar(select(func.count()).select_from(AuditEntry))) == before
    assert hotline.read(db, client, data.external_id, case_types=TYPES).case_no == first.case_no


def test_another_body_under_the_same_ticket_is_a_conflict(db):
    p = places(db)
    client = hotline_client(db, p.county)
    data = call(p.grid)
    submit(db, client, data)
    n = _cases(db)
    with pytest.raises(Conflict, match="不同内容"):
        submit(db, client, data.model_copy(update={"description": "另一通来电的内容"}))
    assert _cases(db) == n


def test_the_same_ticket_number_of_another_client_is_another_ticket(db):
    p = places(db)
    data = call(p.grid)
    a, _ = submit(db, hotline_client(db, p.county), data)
    b, created = submit(db, hotline_client(db, p.county), data)
    assert created and a.case_no != b.case_no
    with pytest.raises(NotFound):
        hotline.read(db, hotline_client(db, p.county), data.external_id, case_types=TYPES)


def test_a_place_outside_the_clients_area_is_refused_and_nothing_is_written(db):
    p = places(db)
    client = hotline_client(db, p.county)
    n = (_cases(db), db.scalar(select(func.count()).select_from(HotlineIntake)))
    with db.begin_nested():
        with pytest.raises(Invalid, match="辖区"):
            submit(db, client, call(p.grid2))
        db.rollback()
    assert (_cases(db), db.scalar(select(func.count()).select_from(HotlineIntake))) == n


def test_an_address_alone_is_placed_by_the_standard_address_of_that_text(db):
    """A hotline often has the caller's address and no point: a standard address of the client's area
    with that canonical text places the call; any other address is a 422 and writes nothing."""
    from gridgov.areas import grid_village_code
    from gridgov.kit.clock import utc_now
    from gridgov.models.registry import Address
    from gridgov.territory.service import get_locator

    p = places(db)
    from shapely import wkb

    from gridgov.models import Grid

    inside = wkb.loads(db.get(Grid, p.grid).geom_wkb).representative_point()
    now = utc_now()
    db.add(Address(code="HL-0001", area_code=grid_village_code(p.grid), road="热线路", house_no="12号",
                   canonical="测试热线路12号", lon=inside.x, lat=inside.y, grid_code=p.grid, scope_code=p.grid,
                   created_at=now, updated_at=now))
    db.flush()
    assert get_locator(db).locate(inside.x, inside.y) == p.grid
    client = hotline_client(db, p.county)
    read, created = submit(db, client, call(None, grid_code=None, address="测试热线路12号"))
    case = db.scalar(select(Case).where(Case.case_no == read.case_no))
    assert created and case.grid_code == p.grid and case.address_id is not None and case.address == "测试热线路12号"
    n = _cases(db)
    nested = db.begin_nested()
    with pytest.raises(Invalid, match="标准地址"):
        submit(db, client, call(None, grid_code=None, address="没有这个地址"))
    nested.rollback()
    assert _cases(db) == n


@pytest.mark.req("D6")
def test_the_reply_is_the_result_once_resolved(db):
    p = places(db)
    client = hotline_client(db, p.county)
    data = call(p.grid, type="0101", category=None)
    found, _ = submit(db, client, data)
    case = db.scalar(select(Case).where(Case.case_no == found.case_no))
    assert hotline.read(db, client, data.external_id, case_types=TYPES).reply is None
    case.state, case.result = "resolved", "已更换路灯灯泡"
    db.flush()
    read = hotline.read(db, client, data.external_id, case_types=TYPES)
    assert (read.state, read.state_label, read.reply) == ("resolved", "已解决", "已更换路灯灯泡")


def test_ten_concurrent_retries_make_one_case(fresh_url):
    engine = make_engine(fresh_url)
    build_demo_into(engine)
    factory = make_sessionmaker(engine, writes=True)
    with unit_of_work(factory, writes=True) as s:
        p = places(s)
        client = hotline_client(s, p.county)
    data = call(p.grid)
    barrier = threading.Barrier(10)
    results: list = [None] * 10

    def run(i: int) -> None:
        barrier.wait()
        try:
            with unit_of_work(factory, writes=True) as session:
                results[i] = submit(session, client, data)
        except BaseException as exc:  # noqa: BLE001 - reported below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    engine.dispose()
    engine = make_engine(fresh_url)
    try:
        assert all(not isinstance(r, BaseException) for r in results), results
        assert len({r[0].case_no for r in results}) == 1
        assert sum(1 for r in results if r[1]) == 1
        with make_sessionmaker(engine)() as s:
            assert s.scalar(select(func.count()).select_from(Case).where(Case.source == "hotline")) == 1
            assert s.scalar(select(func.count()).select_from(HotlineIntake)) == 1
    finally:
        engine.dispose()
