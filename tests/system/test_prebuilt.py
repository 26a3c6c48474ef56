"""db.Prebuilt runs the hottest statements on the DBAPI cursor: it must give back what SQLAlchemy's
own ``execute`` gives (values converted by the same types), fail the way ``execute`` fails, and
refuse statements it cannot run faithfully. On both databases."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import String, bindparam, cast, insert, literal, select
from sqlalchemy.exc import ArgumentError, IntegrityError

from gridgov.accounts.service import _PRINCIPAL_ROW
from gridgov.cases import numbering
from gridgov.catalogue import lookup
from gridgov.db import Prebuilt
from gridgov.kit.clock import local, utc_now
from gridgov.kit.types import UTCDateTime
from gridgov.models import CaseNumber, Matter, User
from gridgov.territory.repository import _GRIDS_VERSION


def _both(db, prebuilt: Prebuilt, params: dict) -> tuple[list, list]:
    ours = prebuilt.rows(db, params)
    theirs = db.connection().execute(prebuilt.statement, params).all()
    return [tuple(r) for r in ours], [tuple(r) for r in theirs]


def test_reads_give_what_execute_gives_with_the_same_conversions(db):
    admin = db.scalar(select(User).where(User.username == "city_admin"))
    ours, theirs = _both(db, _PRINCIPAL_ROW, {"user_id": admin.id})
    assert ours == theirs and len(ours) == 1
    assert ours[0][6] is True  # is_active: a boolean on SQLite too, not 1

    # An aware datetime, a date and a default-valued bind (the literal) round-trip as execute's do.
    users = User.__table__
    stamped = Prebuilt(select(users.c.username, users.c.created_at, literal(date(2026, 10, 1)).label("day"))
                       .where(users.c.id == bindparam("user_id")))
    ours, theirs = _both(db, stamped, {"user_id": admin.id})
    assert ours == theirs
    assert ours[0][1].tzinfo is not None and ours[0][2] == date(2026, 10, 1)
    assert stamped.first(db, {"user_id": admin.id}).created_at == admin.created_at

    # A bind converted by its type (UTCDateTime stores UTC): the database sees what execute sends.
    beijing = datetime(2026, 10, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    seen = Prebuilt(select(cast(bindparam("at", type_=UTCDateTime()), String).label("seen")))
    ours, theirs = _both(db, seen, {"at": beijing})
    assert ours == theirs
    twice = Prebuilt(select(cast(bindparam("at", type_=UTCDateTime()), String).label("a"),
                            cast(bindparam("at", type_=UTCDateTime()), String).label("b")))
    ours, theirs = _both(db, twice, {"at": beijing})  # one parameter in two places: converted once
    assert ours == theirs and ours[0][0] == ours[0][1]

    assert _GRIDS_VERSION.scalar(db, {}) == db.connection().scalar(_GRIDS_VERSION.statement)
    assert _PRINCIPAL_ROW.first(db, {"user_id": -1}) is None


def test_the_matter_in_force_read_alone_and_beside_the_number(db):
    matter = db.scalar(select(Matter).where(Matter.status == "in_force").limit(1))
    assert matter is not None
    grid = "321102001001001"
    params = lookup.matter_params(grid, matter.code, date.today())
    ours, theirs = _both(db, lookup.MATTER_IN_FORCE, params)
    assert ours == theirs and ours[0][0] == matter.id

    # Beside the number (one statement on PostgreSQL): the same row, and the next numbers.
    now = utc_now()
    no1, found = numbering.next_case_no_and_read(db, "321102", now, lookup.MATTER_IN_FORCE, params)
    no2, none = numbering.next_case_no_and_read(db, "321102", now, lookup.MATTER_IN_FORCE,
                                                lookup.matter_params(grid, "no_such_matter", date.today()))
    assert found.id == matter.id and found.code == matter.code and none is None
    assert int(no2.rsplit("-", 1)[1]) == int(no1.rsplit("-", 1)[1]) + 1
    day = local(now).date()
    assert db.scalar(select(CaseNumber.last).where(CaseNumber.county_code == "321102", CaseNumber.day == day)) \
        == int(no2.rsplit("-", 1)[1])


def test_a_failing_statement_raises_what_execute_raises(db):
    numbers = CaseNumber.__table__
    taken = Prebuilt(insert(numbers).values(county_code=bindparam("county"), day=bindparam("day"), last=1))
    params = {"county": "999999", "day": date(2026, 11, 24)}
    savepoint = db.begin_nested()
    assert taken.rows(db, params) == []
    with pytest.raises(IntegrityError):
        taken.rows(db, params)
    savepoint.rollback()
    assert db.scalar(select(CaseNumber.last).where(CaseNumber.county_code == "999999")) is None
    assert db.scalar(select(User.id).limit(1)) is not None  # the connection is still good


def test_a_missing_parameter_is_refused_before_anything_runs(db):
    with pytest.raises(ArgumentError, match="user_id"):
        _PRINCIPAL_ROW.rows(db, {})


def test_statements_whose_parameters_expand_are_refused(db):
    with pytest.raises(ValueError, match="Prebuilt"):
        Prebuilt(select(User.id).where(User.id.in_([1, 2]))).rows(db, {})
