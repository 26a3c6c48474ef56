"""The grids' version (which tells every process's locator to rebuild) comes along with the
principal's row: the rest of that transaction uses it without asking again, and no other
transaction does. On both databases, with real commits."""

import pytest
from sqlalchemy import select

from gridgov.accounts.service import principal_for
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.models import User
from gridgov.territory import repository as repo
from gridgov.territory.service import get_locator

from ..conftest import build_demo_into


class _Unasked:
    """Stands for the grids-version statement where it must not run."""

    def scalar(self, *args):
        raise AssertionError("the grids' version was read again")


@pytest.fixture
def make(fresh_url):
    engine = make_engine(fresh_url)
    build_demo_into(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


def _admin(session):
    return session.execute(select(User.id, User.session_version).where(User.username == "city_admin")).one()


def test_the_version_read_with_the_principal_serves_the_rest_of_its_transaction_only(make, monkeypatch):
    with unit_of_work(make) as session:
        before = repo.grids_version(session)
        user_id, version = _admin(session)

    session = make()
    try:
        assert principal_for(session, user_id, version, via_cookie=False) is not None
        real = repo._GRIDS_VERSION
        monkeypatch.setattr(repo, "_GRIDS_VERSION", _Unasked())
        assert repo.grids_version(session) == before
        assert get_locator(session).locate(0.0, 0.0) is None  # the locator asks for it too
        monkeypatch.setattr(repo, "_GRIDS_VERSION", real)
        session.commit()

        with unit_of_work(make) as other:  # the grids change elsewhere
            repo.bump_grids_version(other)

        # A new transaction of the same session does not reuse the old transaction's version.
        assert repo.grids_version(session) == before + 1
        session.rollback()
    finally:
        session.close()


def test_a_transaction_that_changes_the_grids_sees_its_own_new_version(make):
    with unit_of_work(make) as session:
        user_id, version = _admin(session)
    with unit_of_work(make) as session:
        principal_for(session, user_id, version, via_cookie=False)
        before = repo.grids_version(session)
        repo.bump_grids_version(session)
        assert repo.grids_version(session) == before + 1


def test_a_refused_principal_still_notes_the_version_it_read(make, monkeypatch):
    with unit_of_work(make) as session:
        user_id, version = _admin(session)
        expected = repo.grids_version(session)
    with unit_of_work(make) as session:
        assert principal_for(session, user_id, version + 1, via_cookie=False) is None  # an ended token
        monkeypatch.setattr(repo, "_GRIDS_VERSION", _Unasked())
        assert repo.grids_version(session) == expected
