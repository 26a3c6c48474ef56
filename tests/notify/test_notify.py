"""In-app notices: stored once per dedupe key, read per user."""

from datetime import UTC, datetime

from sqlalchemy import select

from gridgov.models import User
from gridgov.notify import Notice, inbox, mark_read, notify, unread_count

NOW = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)


def _user_id(db, username):
    return db.scalar(select(User.id).where(User.username == username))


def test_the_same_notice_twice_is_stored_once(db):
    worker = _user_id(db, "worker")
    notice = Notice(worker, "warning", "事项即将超期", dedupe_key="warn:case-1:handling")
    assert notify(db, [notice], now=NOW) == 1
    assert notify(db, [notice, Notice(worker, "warning", "另一条", dedupe_key="warn:case-2:handling")], now=NOW) == 1
    assert sorted(n.message for n in inbox(db, worker)) == sorted(["另一条", "事项即将超期"])
    assert unread_count(db, worker) == 2


def test_a_user_reads_only_its_own_notices(db):
    worker, leader = _user_id(db, "worker"), _user_id(db, "leader")
    notify(db, [Notice(worker, "k", "给网格员", "a"), Notice(leader, "k", "给网格长", "b")], now=NOW)
    assert [n.message for n in inbox(db, leader)] == ["给网格长"]
    assert mark_read(db, worker, None, now=NOW) == 1
    assert unread_count(db, worker) == 0 and unread_count(db, leader) == 1
    assert inbox(db, worker, unread_only=True) == []


def test_more_notices_than_one_statement_holds_are_all_stored(db):
    """A province's warnings job notifies every agency desk at once: 10,000 notices (70,000 parameters,
    over PostgreSQL's 65,535 per statement) are stored, once each."""
    worker = _user_id(db, "worker")
    notices = [Notice(worker, "warning", f"预警 {i}", dedupe_key=f"warning:bulk-{i}:{worker}") for i in range(10_000)]
    assert notify(db, notices, now=NOW) == 10_000
    assert notify(db, notices[-3:], now=NOW) == 0
    assert unread_count(db, worker) == 10_000
