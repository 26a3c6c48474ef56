"""The catalogue's write side through its services, on the demo city (SQLite and PostgreSQL):
approval paths as ZJ, LZ and QZ say, the refusal of licensing/penalty/compulsion, temporary
matters leaving at their end date, forced exit after a missed rectification deadline (and not when
answered in time), versions and their comparison, and who sees which application."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.catalogue import lookup, publication, rectification, service
from gridgov.catalogue import repository as repo
from gridgov.catalogue.schemas import (
    ApplicationCreate,
    DecisionIn,
    MatterIn,
    RectificationAnswer,
    RectificationCreate,
    ReviewIn,
)
from gridgov.departments.service import department_code
from gridgov.errors import Conflict, Forbidden, Invalid, NotFound
from gridgov.kit.clock import local, utc_now
from gridgov.models import AuditEntry, Matter, User
from gridgov.models.catalogue import CatalogueApplication, ListVersion
from gridgov.policy.loader import load_profile

CITY = "321100000000"


@pytest.fixture
def places(db):
    return demo_places(db, CITY)


def who(db, username: str, *, role: str | None = None, scope: str | None = None,
        department: str | None = "keep") -> Principal:
    """A demo account as a principal, optionally standing in another role, place or department."""
    user = db.scalar(select(User).where(User.username == username))
    return Principal(user_id=user.id, username=user.username, display_name=user.display_name, role=role or user.role,
                     scope_code=scope or user.scope_code,
                     department_code=user.department_code if department == "keep" else department)


def city_dept(db, kind: str = "chengguan") -> Principal:
    return who(db, "dept_cg", scope=CITY, department=department_code(CITY, kind))


def agency(db, area: str) -> Principal:
    return who(db, "city_admin", role="agency_admin", scope=area, department=None)


def the_list(db, profile, area: str, kind: str, now):
    return next(x for x in service.ensure_lists(db, profile, area, now=now) if x.kind == kind)


def proposal(name: str, **fields) -> MatterIn:
    return MatterIn(name=name, description=f"{name}的内容", legal_basis="条例", **fields)


def admit(db, profile, applicant, manager, cat_list, name, *, now, kind="admission", end_date=None,
          opinions=(), document="", **fields) -> Matter:
    """A matter taken through the whole path: submitted, reviewed, approved."""
    app = service.submit(db, applicant, ApplicationCreate(kind=kind, list_id=cat_list.id,
                                                          matter=proposal(name, **fields),
                                                          reason="工作需要", end_date=end_date), profile=profile,
                         now=now)
    service.review(db, manager, app.id, ReviewIn(expert_opinions=list(opinions)), profile=profile, now=now)
    service.approve(db, manager, app.id, DecisionIn(document=document), profile=profile, now=now)
    assert app.status == "approved"
    return db.get(Matter, app.matter_id)


def today(now):
    return local(now).date()


def in_force(db, place, code, day) -> bool:
    return code in {m.code for m in lookup.matters_in_force(db, place, day)}


# ---------------------------------------------------------------- lists


@pytest.mark.req("C1")
@pytest.mark.setting("catalogue.city_lists", "catalogue.county_lists", "catalogue.county_follows_city")
def test_the_lists_of_each_level_follow_the_profile(db, places):
    now, zj = utc_now(), load_profile("zhenjiang")
    city = {x.kind: x for x in service.ensure_lists(db, zj, CITY, now=now)}
    assert set(city) == {"basic", "admission", "negative"}
    (county,) = service.ensure_lists(db, zj, places.county, now=now)
    assert county.kind == "matters" and county.follows_list_id == city["basic"].id
    again = service.ensure_lists(db, zj, CITY, now=now)
    assert {x.id for x in again} == {x.id for x in city.values()}  # idempotent
    assert service.ensure_lists(db, zj, places.town, now=now) == []
    with pytest.raises(NotFound):
        service.ensure_lists(db, zj, "329999000000", now=now)


# ---------------------------------------------------------------- approval paths


@pytest.mark.req("C2")
def test_under_zhenjiang_the_agency_records_the_party_committee_or_governments_approval(db, places):
    now, zj = utc_now(), load_profile("zhenjiang")
    cat_list = the_list(db, zj, CITY, "admission", now)
    before_version = cat_list.current_version
    dept, city = city_dept(db), agency(db, CITY)
    data = ApplicationCreate(kind="admission", list_id=cat_list.id, reason="城市管理巡查需网格协助",
                             matter=proposal("共享单车乱停放巡查", on_site=True, limits={"handling_working_days": 3}))
    app = service.submit(db, dept, data, profile=zj, now=now)
    assert (app.status, app.approver, app.department_code) == ("submitted", "party_committee_or_government",
                                                                department_code(CITY, "chengguan"))
    with pytest.raises(Conflict, match="先经审核"):
        service.approve(db, city, app.id, DecisionIn(document="x"), profile=zj, now=now)
    service.review(db, city, app.id, ReviewIn(note="材料齐全"), profile=zj, now=now)
    with pytest.raises(Invalid, match="同级党委或者政府"):
        service.approve(db, city, app.id, DecisionIn(), profile=zj, now=now)
    service.approve(db, city, app.id, DecisionIn(document="镇政办〔2026〕12号", note="同意"), profile=zj, now=now)
    assert app.status == "approved" and "镇政办〔2026〕12号" in app.decision_note
    matter = db.get(Matter, app.matter_id)
    assert matter.code.startswith("321100-A-") and matter.department_kind == "chengguan"
    assert matter.limits == {"handling_working_days": 3} and matter.admitted_on == today(now)
    assert in_force(db, places.grid, matter.code, today(now))
    version = repo.get_version(db, cat_list.id, before_version + 1)
    assert version.published_on == today(now) and version.application_id == app.id
    assert matter.code in {m["code"] for m in version.snapshot} and "纳入" in version.summary
    actions = set(db.scalars(select(AuditEntry.action).where(AuditEntry.object_id.in_([str(app.id), matter.code]))))
    assert {"catalogue_application_submitted", "catalogue_application_reviewed", "catalogue_application_approved",
            "matter_admitted"} <= actions
    read = service.applications_read(db, [app], profile=zj)[0]
    assert read.records_decision and all(s.done for s in read.steps) and read.matter_code == matter.code


def test_under_zhenjiang_only_the_right_people_take_each_step(db, places):
    now, zj = utc_now(), load_profile("zhenjiang")
    cat_list = the_list(db, zj, CITY, "admission", now)
    data = ApplicationCreate(kind="admission", list_id=cat_list.id, reason="需要", matter=proposal("某事项"))
    with pytest.raises(Forbidden, match="本级"):
        service.submit(db, who(db, "dept_cg"), data, profile=zj, now=now)  # a county department, a city list
    with pytest.raises(Forbidden, match="部门提出"):
        service.submit(db, agency(db, CITY), data, profile=zj, now=now)  # the agency does not apply for admission
    app = service.submit(db, city_dept(db), data, profile=zj, now=now)
    with pytest.raises(NotFound):  # a county agency does not see the city's applications
        service.review(db, agency(db, places.county), app.id, ReviewIn(), profile=zj, now=now)
    with pytest.raises(Forbidden, match="网格化机构"):
        service.review(db, city_dept(db), app.id, ReviewIn(), profile=zj, now=now)
    with pytest.raises(Invalid) as err:
        service.submit(db, city_dept(db), ApplicationCreate(kind="admission", list_id=cat_list.id, matter=MatterIn()),
                       profile=zj, now=now)
    assert {d["field"] for d in err.value.details} == {"reason", "matter.name"}
    # an exit may come from the agency itself (ZJ§8)
    matter = admit(db, zj, city_dept(db), agency(db, CITY), cat_list, "待退出事项", now=now, document="文1")
    exit_app = service.submit(db, agency(db, CITY), ApplicationCreate(kind="exit", list_id=cat_list.id,
                                                                      matter_id=matter.id, reason="不再需要"),
                              profile=zj, now=now)
    assert exit_app.status == "submitted" and exit_app.department_code is None


@pytest.mark.req("C1", "C2")
@pytest.mark.setting("catalogue.expert_review", "catalogue.admission_approved_by")
def test_under_luzhou_the_county_list_needs_expert_opinions_and_the_county_governments_approval(db, places):
    now, lz = utc_now(), load_profile("luzhou")
    assert service.ensure_lists(db, lz, CITY, now=now) == []
    cat_list = the_list(db, lz, places.county, "matters", now)
    dept, county = who(db, "dept_cg"), agency(db, places.county)
    app = service.submit(db, dept, ApplicationCreate(kind="admission", list_id=cat_list.id, reason="需要",
                                                     matter=proposal("占道经营劝导")), profile=lz, now=now)
    assert app.approver == "county_government"
    with pytest.raises(Forbidden):
        service.review(db, agency(db, CITY), app.id, ReviewIn(), profile=lz, now=now)  # not the county agency
    with pytest.raises(Invalid, match="专家"):
        service.review(db, county, app.id, ReviewIn(), profile=lz, now=now)
    service.review(db, county, app.id, ReviewIn(expert_opinions=[{"expert": "李教授", "opinion": "可以纳入"}]),
                   profile=lz, now=now)
    assert app.expert_opinions == [{"expert": "李教授", "opinion": "可以纳入"}]
    with pytest.raises(Invalid, match="县（区）人民政府"):
        service.approve(db, county, app.id, DecisionIn(), profile=lz, now=now)
    service.approve(db, county, app.id, DecisionIn(document="区府复〔2026〕8号"), profile=lz, now=now)
    code = db.get(Matter, app.matter_id).code
    assert code.startswith(places.county[:6] + "-M-")
    assert in_force(db, places.grid, code, today(now)) and not in_force(db, places.grid2, code, today(now))


@pytest.mark.req("C2")
def test_under_qinzhou_the_agency_approves_on_its_own_authority(db, places):
    now, qz = utc_now(), load_profile("qinzhou")
    cat_list = the_list(db, qz, CITY, "matters", now)
    assert service.ensure_lists(db, qz, places.county, now=now) == []
    matter = admit(db, qz, city_dept(db), agency(db, CITY), cat_list, "燃气安全入户宣传", now=now, code="QZ-TEST-001")
    assert matter.code == "QZ-TEST-001"
    app = db.scalar(select(CatalogueApplication).where(CatalogueApplication.matter_id == matter.id))
    assert app.approver == "same_level_agency" and app.decision_note == ""


def test_a_refusal_needs_a_reason_and_changes_nothing(db, places):
    now, qz = utc_now(), load_profile("qinzhou")
    cat_list = the_list(db, qz, CITY, "matters", now)
    count = db.scalar(select(func.count()).select_from(Matter))
    app = service.submit(db, city_dept(db), ApplicationCreate(kind="admission", list_id=cat_list.id, reason="需要",
                                                              matter=proposal("不该纳入的事项")), profile=qz, now=now)
    with pytest.raises(Invalid, match="理由"):
        service.refuse(db, agency(db, CITY), app.id, DecisionIn(), profile=qz, now=now)
    service.refuse(db, agency(db, CITY), app.id, DecisionIn(note="属部门自身职责"), profile=qz, now=now)
    assert app.status == "refused" and db.scalar(select(func.count()).select_from(Matter)) == count
    with pytest.raises(Conflict):
        service.review(db, agency(db, CITY), app.id, ReviewIn(), profile=qz, now=now)


# ---------------------------------------------------------------- never on the list


@pytest.mark.req("C4")
@pytest.mark.parametrize("profile_name", ["zhenjiang", "qinzhou"])
@pytest.mark.parametrize("power", ["licensing", "penalty", "compulsion"])
def test_licensing_penalty_or_compulsion_is_refused_at_submission_and_kept(db, places, profile_name, power):
    now, profile = utc_now(), load_profile(profile_name)
    kind = "admission" if profile_name == "zhenjiang" else "matters"
    cat_list = the_list(db, profile, CITY, kind, now)
    app = service.submit(db, city_dept(db), ApplicationCreate(kind="admission", list_id=cat_list.id, reason="需要",
                                                              matter=proposal("代为实施处罚", power_type=power)),
                         profile=profile, now=now)
    # ZJ and QZ are silent: their profiles keep these types off as a local default, and say so
    assert app.status == "refused" and "本地设置不纳入" in app.decision_note and app.matter_id is None
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "catalogue_application_refused",
                                              AuditEntry.object_id == str(app.id)))
    with pytest.raises(Conflict):
        service.review(db, agency(db, CITY), app.id, ReviewIn(), profile=profile, now=now)


@pytest.mark.req("C4")
def test_a_change_into_a_forbidden_power_type_is_refused_too(db, places):
    now, qz = utc_now(), load_profile("qinzhou")
    cat_list = the_list(db, qz, CITY, "matters", now)
    matter = admit(db, qz, city_dept(db), agency(db, CITY), cat_list, "市容巡查", now=now)
    app = service.submit(db, city_dept(db), ApplicationCreate(kind="change", list_id=cat_list.id, matter_id=matter.id,
                                                              reason="改", matter=MatterIn(power_type="penalty")),
                         profile=qz, now=now)
    assert app.status == "refused" and matter.power_type == "none"


# ---------------------------------------------------------------- temporary matters


@pytest.mark.req("C2")
def test_a_temporary_matter_leaves_the_list_at_its_end_date(db, places):
    now, qz = utc_now(), load_profile("qinzhou")
    cat_list = the_list(db, qz, CITY, "matters", now)
    dept, city = city_dept(db), agency(db, CITY)
    with pytest.raises(Invalid, match="期限"):
        service.submit(db, dept, ApplicationCreate(kind="temporary", list_id=cat_list.id, reason="防汛",
                                                   matter=proposal("汛期巡查")), profile=qz, now=now)
    end = today(now) + timedelta(days=5)
    matter = admit(db, qz, dept, city, cat_list, "汛期巡查", now=now, kind="temporary", end_date=end)
    assert matter.temporary_until == end
    number = db.get(type(cat_list), cat_list.id).current_version
    assert service.expire_catalogue(db, now + timedelta(days=5)) == []  # still in force on its end date
    later = now + timedelta(days=6)
    done = service.expire_catalogue(db, later)
    assert len(done) == 1 and matter.code in done[0]
    assert not in_force(db, places.grid, matter.code, today(later))
    db.refresh(matter)
    assert (matter.status, matter.exit_reason, matter.exited_on) == ("exited", "临时纳入期满", today(later))
    version = repo.get_version(db, cat_list.id, number + 1)
    assert "临时纳入期满" in version.summary and matter.code not in {m["code"] for m in version.snapshot}
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "matter_exited",
                                              AuditEntry.object_id == matter.code))
    assert service.expire_catalogue(db, later) == []  # idempotent


@pytest.mark.setting("catalogue.temporary_admission")
def test_temporary_admission_is_refused_where_the_profile_does_not_provide_it(db, places):
    now, zj = utc_now(), load_profile("zhenjiang")
    cat_list = the_list(db, zj, CITY, "admission", now)
    with pytest.raises(Invalid, match="未规定临时纳入"):
        service.submit(db, city_dept(db), ApplicationCreate(kind="temporary", list_id=cat_list.id, reason="急",
                                                            matter=proposal("急事"),
                                                            end_date=today(now) + timedelta(days=3)),
                       profile=zj, now=now)


# ---------------------------------------------------------------- forced exit


@pytest.mark.req("C3")
@pytest.mark.setting("catalogue.forced_exit")
def test_a_missed_rectification_deadline_forces_the_matter_out_and_an_answer_in_time_keeps_it(db, places):
    now, qz = utc_now(), load_profile("qinzhou")
    cat_list = the_list(db, qz, CITY, "matters", now)
    dept, city = city_dept(db), agency(db, CITY)
    kept = admit(db, qz, dept, city, cat_list, "消防通道巡查", now=now)
    lost = admit(db, qz, dept, city, cat_list, "违章广告牌排查", now=now)
    deadline = now + timedelta(days=3)
    with pytest.raises(Forbidden):
        rectification.issue(db, who(db, "dept_cg"), RectificationCreate(matter_id=kept.id, content="x",
                                                                         deadline=deadline), profile=qz, now=now)
    n1 = rectification.issue(db, city, RectificationCreate(matter_id=kept.id, content="未下沉经费", deadline=deadline),
                             profile=qz, now=now)
    n2 = rectification.issue(db, city, RectificationCreate(matter_id=lost.id, content="未开展业务指导",
                                                           deadline=deadline), profile=qz, now=now)
    assert n1.department_code == department_code(CITY, "chengguan")
    with pytest.raises(NotFound):  # another department does not see the notice
        rectification.answer(db, who(db, "dept_sc", scope=CITY, department=department_code(CITY, "shichang")),
                             n1.id, RectificationAnswer(answer="x"), now=now)
    rectification.answer(db, dept, n1.id, RectificationAnswer(answer="经费已拨付"), now=now + timedelta(days=1))
    assert n1.outcome == "answered"
    assert service.expire_catalogue(db, now + timedelta(days=2)) == []
    number = db.get(type(cat_list), cat_list.id).current_version
    after = now + timedelta(days=4)
    with pytest.raises(Conflict, match="超过整改期限"):
        rectification.answer(db, dept, n2.id, RectificationAnswer(answer="迟到"), now=after)
    done = service.expire_catalogue(db, after)
    assert len(done) == 1 and lost.code in done[0]
    db.refresh(lost), db.refresh(n2), db.refresh(kept)
    assert (lost.status, n2.outcome, kept.status) == ("exited", "forced_exit", "in_force")
    assert "逾期未整改" in lost.exit_reason
    assert not in_force(db, places.grid, lost.code, today(after)) and in_force(db, places.grid, kept.code, today(after))
    assert "逾期未整改" in repo.get_version(db, cat_list.id, number + 1).summary
    assert service.expire_catalogue(db, after) == []


@pytest.mark.req("C3")
@pytest.mark.setting("catalogue.forced_exit")
def test_no_rectification_notice_where_the_profile_has_no_forced_exit(db, places):
    now, zj = utc_now(), load_profile("zhenjiang")
    cat_list = the_list(db, zj, CITY, "admission", now)
    matter = admit(db, zj, city_dept(db), agency(db, CITY), cat_list, "某事项", now=now, document="文2")
    with pytest.raises(Forbidden, match="强制退出"):
        rectification.issue(db, agency(db, CITY), RectificationCreate(matter_id=matter.id, content="x",
                                                                      deadline=now + timedelta(days=1)),
                            profile=zj, now=now)


# ---------------------------------------------------------------- change, exit, versions


@pytest.mark.req("C3", "C5")
@pytest.mark.setting("catalogue.list_approved_by", "catalogue.exit_approved_by")
def test_change_and_exit_publish_versions_that_compare(db, places):
    now, qz = utc_now(), load_profile("qinzhou")
    cat_list = the_list(db, qz, CITY, "matters", now)
    dept, city = city_dept(db), agency(db, CITY)
    a = admit(db, qz, dept, city, cat_list, "出租屋巡查", now=now)
    first = db.get(type(cat_list), cat_list.id).current_version
    change = service.submit(db, dept, ApplicationCreate(kind="change", list_id=cat_list.id, matter_id=a.id,
                                                        reason="细化",
                                                        matter=MatterIn(name="出租屋安全巡查", on_site=False,
                                                                        evidence="照片")), profile=qz, now=now)
    assert change.matter == {"code": a.code, "name": "出租屋安全巡查", "evidence": "照片"}  # unchanged on_site dropped
    with pytest.raises(Invalid, match="未办结"):
        service.submit(db, dept, ApplicationCreate(kind="exit", list_id=cat_list.id, matter_id=a.id, reason="x"),
                       profile=qz, now=now)
    service.review(db, city, change.id, ReviewIn(), profile=qz, now=now)
    service.approve(db, city, change.id, DecisionIn(), profile=qz, now=now)
    assert a.name == "出租屋安全巡查"
    b = admit(db, qz, dept, city, cat_list, "门前三包检查", now=now)
    leave = service.submit(db, dept, ApplicationCreate(kind="exit", list_id=cat_list.id, matter_id=a.id,
                                                       reason="并入其他事项"), profile=qz, now=now)
    service.review(db, city, leave.id, ReviewIn(), profile=qz, now=now)
    service.approve(db, city, leave.id, DecisionIn(), profile=qz, now=now)
    assert (a.status, a.exit_reason) == ("exited", "并入其他事项")
    last = db.get(type(cat_list), cat_list.id).current_version
    assert last == first + 3
    diff = service.compare(db, cat_list.id, first, last)
    assert [m["code"] for m in diff.added] == [b.code] and [m["code"] for m in diff.removed] == [a.code]
    step = service.compare(db, cat_list.id, first, first + 1)
    assert [(c.code, c.fields) for c in step.changed] == [(a.code, ["name", "evidence"])]
    listed = service.versions(db, cat_list.id)
    assert [v.number for v in listed][:4] == [last, last - 1, last - 2, last - 3]
    with pytest.raises(NotFound):
        service.compare(db, cat_list.id, first, last + 5)
    read = publication.lists_in_force(db, places.grid[:12], now=now)
    codes = {m.code for x in read if x.id == cat_list.id for m in x.matters}
    assert b.code in codes and a.code not in codes


# ---------------------------------------------------------------- who sees which application


def test_a_department_sees_its_own_applications_and_an_agency_those_of_its_area(db, places):
    now, zj = utc_now(), load_profile("zhenjiang")
    county_list = the_list(db, zj, places.county, "matters", now)
    cg, sc = who(db, "dept_cg"), who(db, "dept_sc")
    mine = service.submit(db, cg, ApplicationCreate(kind="admission", list_id=county_list.id, reason="需要",
                                                    matter=proposal("城管事项")), profile=zj, now=now)
    assert mine.id in {a.id for a in service.list_applications(db, cg)}
    assert mine.id not in {a.id for a in service.list_applications(db, sc)}
    with pytest.raises(NotFound):
        service.get_application(db, sc, mine.id)
    assert mine.id in {a.id for a in service.list_applications(db, agency(db, places.county))}
    assert mine.id in {a.id for a in service.list_applications(db, agency(db, CITY))}
    assert mine.id not in {a.id for a in service.list_applications(db, agency(db, places.county2))}
    with pytest.raises(NotFound):
        service.review(db, agency(db, places.county2), mine.id, ReviewIn(), profile=zj, now=now)


@pytest.mark.setting("catalogue.admission_applicants")
def test_a_town_agency_applies_where_the_profile_lists_it(db, places):
    now, jm = utc_now(), load_profile("jiangmen")
    county_list = the_list(db, jm, places.county, "admission", now)
    town = who(db, "town_dispatcher")
    data = ApplicationCreate(kind="admission", list_id=county_list.id, reason="镇街需要", matter=proposal("镇街事项"))
    app = service.submit(db, town, data, profile=jm, now=now)
    assert app.area_code == places.town and app.approver == "county_agency"
    assert app.id in {a.id for a in service.list_applications(db, town)}
    with pytest.raises(Forbidden):
        service.submit(db, town, data, profile=load_profile("zhenjiang"), now=now)
    assert db.scalar(select(func.count()).select_from(ListVersion).where(ListVersion.list_id == county_list.id)) == \
        county_list.current_version
