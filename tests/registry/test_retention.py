"""Retention (issue 15): people who moved out or died are archived; after
``registry.retention_years`` the periodic job deletes them and what hangs on them only, cuts the
links from records kept, and says what it deleted in the audit log (ids and counts, no names)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from gridgov.jobs import JOBS
from gridgov.models import (
    AuditEntry,
    Case,
    House,
    Move,
    Person,
    PersonAccess,
    PersonTag,
    Relation,
    Visit,
)
from gridgov.policy.loader import load_profile
from gridgov.registry.retention import apply_retention

from ..conftest import DEMO_PROFILE
from .builders import NOW, YEAR, Register


def _audit(db):
    return db.scalars(select(AuditEntry).where(AuditEntry.action == "registry_retention_deleted")
                      .order_by(AuditEntry.id)).all()


@pytest.mark.setting("registry.retention_years")
def test_the_expired_are_deleted_with_what_hangs_on_them_and_links_to_kept_records_are_cut(db):
    reg = Register(db)
    profile = load_profile(DEMO_PROFILE)
    assert profile.registry.retention_years == 5
    expired = reg.person("期满甲", "moved_out", archived_years_ago=6)
    kept = reg.person("未满乙", "deceased", archived_years_ago=4)
    fresh = reg.person("新迁丙", "moved_out")
    living = reg.person("在住丁")
    reg.house.owner_person_id = expired.id
    case = db.scalars(select(Case).limit(1)).first()
    if case is not None:
        case.person_id = expired.id
    db.add_all([
        PersonTag(person_id=expired.id, tag_enc=reg.cipher.encrypt("elderly_alone"), tag_index="x",
                  since=date(2015, 1, 1), scope_code=reg.grid, created_at=NOW),
        Move(person_id=expired.id, kind="out", moved_on=date(2019, 1, 1), recorded_at=NOW),
        Relation(person_id=living.id, relative_id=expired.id, relation="子女"),
        Visit(person_id=expired.id, visited_at=NOW - 7 * YEAR, scope_code=reg.grid, created_at=NOW),
        Visit(person_id=living.id, visited_at=NOW, scope_code=reg.grid, created_at=NOW),
        PersonAccess(person_id=expired.id, username="worker", action="view", at=NOW - 6 * YEAR),
    ])
    db.flush()

    expired_id, kept_id, house_id, living_id, fresh_id = expired.id, kept.id, reg.house.id, living.id, fresh.id
    case_id = case.id if case is not None else None
    archived, deleted = apply_retention(db, NOW, profile)
    db.expunge_all()

    assert (archived, deleted) == (1, 1)  # 新迁丙 archived now; only 期满甲 past its five years
    assert db.get(Person, expired_id) is None
    assert db.get(Person, kept_id) is not None and db.get(Person, living_id) is not None
    assert db.get(Person, fresh_id).archived_at == NOW
    for model, column in ((PersonTag, PersonTag.person_id), (Move, Move.person_id), (Visit, Visit.person_id)):
        assert db.scalar(select(func.count()).select_from(model).where(column == expired_id)) == 0
    assert db.scalar(select(func.count()).select_from(Visit).where(Visit.person_id == living_id)) == 1
    assert db.scalar(select(func.count()).select_from(Relation).where(Relation.relative_id == expired_id)) == 0
    assert db.get(House, house_id).owner_person_id is None
    if case_id is not None:
        assert db.get(Case, case_id).person_id is None
    access = db.scalars(select(PersonAccess).where(PersonAccess.username == "worker", PersonAccess.action == "view",
                                                   PersonAccess.at == NOW - 6 * YEAR)).one()
    assert access.person_id is None  # who looked, and when, stays on record

    (entry,) = _audit(db)
    assert entry.after == {"count": 1, "person_ids": [expired_id]} and entry.area_code == reg.grid[:12]
    assert "期满甲" not in (entry.detail + str(entry.after)) and "5 年" in entry.detail

    # a shorter period set by a city deletes the one archived four years ago as well
    shorter = profile.model_copy(update={"registry": profile.registry.model_copy(update={"retention_years": 3})})
    assert apply_retention(db, NOW, shorter) == (0, 1)
    assert db.get(Person, kept_id) is None
    assert apply_retention(db, NOW, shorter) == (0, 0)  # idempotent: nothing more is due


def test_the_periodic_jobs_include_retention_and_say_what_they_did(db):
    reg = Register(db)
    reg.person("期满戊", "deceased", archived_years_ago=10)
    job = next(j for j in JOBS if j.name == "registry_retention")
    said = job.run(db, NOW, load_profile(DEMO_PROFILE))
    assert "删除保存期满的人员信息 1 人" in said
