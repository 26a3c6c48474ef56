"""Grid adjustments through the services: the steps, who may take them, the plan checks, the
effect on the grids table and the boundary history, and the profile differences. SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
import shapely
from sqlalchemy import func, select

from gridgov.authz.scope import SYSTEM
from gridgov.errors import Conflict, Forbidden, Invalid, NotFound
from gridgov.kit.clock import utc_now
from gridgov.models import AuditEntry, Grid, GridVersion
from gridgov.models.territory import GridAdjustment
from gridgov.policy.loader import load_profile
from gridgov.territory import adjustments, service
from gridgov.territory.schemas import AdjustmentCreate

from .adjustment_data import halves, next_codes, places, principal_of, split_plan, today


@pytest.fixture
def profile():
    return load_profile("zhenjiang")


def _who(db):
    p = places(db)
    return {
        "town": principal_of(db, "town_dispatcher"),
        "county_admin": principal_of(db, "county_dispatcher", role="agency_admin"),
        "city": principal_of(db, "city_admin"),
        "county2_admin": principal_of(db, "county_dispatcher", role="agency_admin", scope=p.county2),
    }


def _create(p, plan, *, kind="split", effective_on, trigger="population_change",
            opinion="村委会同意") -> AdjustmentCreate:
    return AdjustmentCreate(kind=kind, town_code=p.town, trigger=trigger, reason="人口增长，原网格过大",
                            committee_opinion=opinion, effective_on=effective_on, plan=plan)


def _count(db, model):
    return db.scalar(select(func.count()).select_from(model))


@pytest.mark.req("A3")
def test_a_future_split_goes_through_every_step_and_takes_effect_once_on_its_date(db, profile):
    now = utc_now()
    p, who = places(db), _who(db)
    plan, (west_code, east_code), _west, east = split_plan(db, p.grid)
    effective = today(now) + timedelta(days=10)
    adj = adjustments.propose(db, who["town"], _create(p, plan, effective_on=effective), profile=profile, now=now)
    assert adj.status == "proposed" and adj.plan["new"] == [west_code, east_code] and adj.plan["retire"] == [p.grid]

    adjustments.approve(db, who["county_admin"], adj.id, "同意", now=now)
    assert adj.status == "approved"
    adjustments.file(db, who["city"], adj.id, "已备案", now=now)
    assert adj.status == "filed"
    # Not yet due: the grids stay as they are.
    assert adjustments.apply_due_adjustments(db, now) == []
    assert db.get(Grid, p.grid).status == "active" and db.get(Grid, west_code) is None

    point = shapely.point_on_surface(east)
    before = service.locate(db, SYSTEM, point.x, point.y)
    assert before.grid_code == p.grid

    later = now + timedelta(days=10)
    assert adjustments.apply_due_adjustments(db, later) == [adj.id]
    assert adjustments.apply_due_adjustments(db, later) == []  # exactly once
    db.expire_all()
    assert db.get(GridAdjustment, adj.id).status == "effective"
    assert db.get(Grid, p.grid).status == "retired"
    assert {db.get(Grid, c).status for c in (west_code, east_code)} == {"active"}
    # The live locator follows: the point now lies in the east grid.
    assert service.locate(db, SYSTEM, point.x, point.y).grid_code == east_code
    # By date: the day before the effect the old grid held it, from the effective date the new one.
    assert service.locate(db, SYSTEM, point.x, point.y, on=effective - timedelta(days=1)).grid_code == p.grid
    on_day = service.locate(db, SYSTEM, point.x, point.y, on=effective)
    assert on_day.grid_code == east_code and on_day.grid_name.endswith("东")
    # The history: the old grid's version closed on the date, the new grid's opened on it.
    old = db.scalars(select(GridVersion).where(GridVersion.grid_code == p.grid)).all()
    assert [v.valid_to for v in old] == [effective]
    new = db.scalars(select(GridVersion).where(GridVersion.grid_code == east_code)).all()
    assert [(v.valid_from, v.valid_to, v.adjustment_id) for v in new] == [(effective, None, adj.id)]
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "grid_adjustment",
                                                        AuditEntry.object_id == str(adj.id))).all()
    assert sorted(actions) == sorted(["adjustment_proposed", "adjustment_approved", "adjustment_filed",
                                      "adjustment_applied"])


def test_an_adjustment_due_today_takes_effect_when_filed(db, profile):
    now = utc_now()
    p, who = places(db), _who(db)
    plan, codes, _west, east = split_plan(db, p.grid)
    adj = adjustments.propose(db, who["town"], _create(p, plan, effective_on=today(now)), profile=profile, now=now)
    adjustments.approve(db, who["county_admin"], adj.id, now=now)
    assert db.get(Grid, p.grid).status == "active"  # zhenjiang files with the city first
    adjustments.file(db, who["city"], adj.id, now=now)
    assert adj.status == "effective" and adj.applied_at is not None
    point = shapely.point_on_surface(east)
    assert service.locate(db, SYSTEM, point.x, point.y).grid_code == codes[1]
    assert adjustments.apply_due_adjustments(db, now) == []


@pytest.mark.req("A3")
def test_only_the_right_agency_level_may_take_each_step(db, profile):
    now = utc_now()
    p, who = places(db), _who(db)
    plan, *_ = split_plan(db, p.grid)
    data = _create(p, plan, effective_on=today(now) + timedelta(days=3))
    with pytest.raises(Forbidden):
        adjustments.propose(db, who["city"], data, profile=profile, now=now)  # the city files, never proposes
    adj = adjustments.propose(db, who["town"], data, profile=profile, now=now)
    town_admin = principal_of(db, "town_dispatcher", role="agency_admin")
    with pytest.raises(Forbidden):
        adjustments.approve(db, town_admin, adj.id, now=now)  # a town agency may not approve its own plan
    with pytest.raises(Forbidden):
        adjustments.approve(db, who["city"], adj.id, now=now)
    with pytest.raises(NotFound):
        adjustments.approve(db, who["county2_admin"], adj.id, now=now)  # another county's
    with pytest.raises(Conflict):
        adjustments.file(db, who["city"], adj.id, now=now)  # not approved yet
    with pytest.raises(Forbidden):
        adjustments.file(db, who["county_admin"], adj.id, now=now)
    adjustments.reject(db, who["county_admin"], adj.id, "边界与村界不符", now=now)
    assert adj.status == "rejected"
    with pytest.raises(Conflict):
        adjustments.approve(db, who["county_admin"], adj.id, now=now)
    # A rejected plan frees its grids for a new proposal.
    again = adjustments.propose(db, who["town"], data, profile=profile, now=now)
    assert again.id != adj.id


@pytest.mark.setting("territory.adjustment_triggers")
def test_a_bad_trigger_and_plan_are_all_reported_in_chinese_and_nothing_is_written(db, profile):
    now = utc_now()
    p, who = places(db), _who(db)
    _g, west, _east = halves(db, p.grid)
    a, _b = next_codes(db, p.grid[:12], 2)
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    plan = {
        "features": [
            {"type": "Feature", "properties": {"code": a, "name": "新网格", "kind": "urban", "households": 10},
             "geometry": shapely.geometry.mapping(shapely.buffer(west, 0.001))},  # spills over neighbours
            {"type": "Feature", "properties": {"code": p.grid2, "name": "外区网格", "kind": "urban", "households": 1},
             "geometry": bowtie},
        ],
        "retire": [p.grid, "123"],
    }
    data = _create(p, plan, trigger="flood", opinion="", effective_on=today(now) - timedelta(days=1))
    before = (_count(db, GridAdjustment), _count(db, Grid), _count(db, GridVersion))
    with pytest.raises(Invalid) as err:
        adjustments.propose(db, who["town"], data, profile=profile, now=now)
    reasons = " | ".join(d["reason"] for d in err.value.details)
    for expected in ("flood", "村（居）民委员会", "早于今天", "管辖范围", "应为 15 位", "应新设至少 2 个", "重叠"):
        assert expected in reasons, expected
    assert (_count(db, GridAdjustment), _count(db, Grid), _count(db, GridVersion)) == before


def test_a_grid_in_an_unfinished_adjustment_cannot_be_put_in_another(db, profile):
    now = utc_now()
    p, who = places(db), _who(db)
    plan, *_ = split_plan(db, p.grid)
    adjustments.propose(db, who["town"], _create(p, plan, effective_on=today(now)), profile=profile, now=now)
    retire = _create(p, {"retire": [p.grid]}, kind="retire", effective_on=today(now))
    with pytest.raises(Invalid) as err:
        adjustments.propose(db, who["town"], retire, profile=profile, now=now)
    assert "未完成的调整" in err.value.details[0]["reason"]


@pytest.mark.req("A3")
@pytest.mark.setting("territory.consult_village_committee", "territory.filed_with_city")
def test_profiles_decide_the_committee_opinion_and_the_filing_step(db):
    now = utc_now()
    p, who = places(db), _who(db)
    plan, codes, _west, _east = split_plan(db, p.grid)
    qinzhou = load_profile("qinzhou")
    assert not qinzhou.territory.consult_village_committee and qinzhou.territory.filed_with_city
    no_filing = qinzhou.model_copy(
        update={"territory": qinzhou.territory.model_copy(update={"filed_with_city": False})}
    )
    # No committee opinion needed, no filing: approval alone puts it into effect on its date.
    adj = adjustments.propose(db, who["town"], _create(p, plan, opinion="", effective_on=today(now)),
                              profile=no_filing, now=now)
    assert not adjustments.to_read(db, [adj])[0].requires_filing
    adjustments.approve(db, who["county_admin"], adj.id, now=now)
    assert adj.status == "effective" and db.get(Grid, codes[0]).status == "active"
    with pytest.raises(Conflict):
        adjustments.file(db, who["city"], adj.id, now=now)
    # zhenjiang asks the village committee (ZJ§6).
    other = places(db).grid2
    plan2, *_ = split_plan(db, other)
    data = AdjustmentCreate(kind="split", town_code=p.town2, trigger="other", reason="拆分", committee_opinion="",
                            effective_on=today(now), plan=plan2)
    county2 = principal_of(db, "county_dispatcher", scope=p.county2)
    with pytest.raises(Invalid) as err:
        adjustments.propose(db, county2, data, profile=load_profile("zhenjiang"), now=now)
    assert [d["field"] for d in err.value.details] == ["committee_opinion"]
    assert adjustments.propose(db, county2, data, profile=qinzhou, now=now).status == "proposed"


def test_a_retirement_and_a_merge_follow_their_kind_rules(db, profile):
    now = utc_now()
    p, who = places(db), _who(db)
    village = p.grid[:12]
    first, second = db.scalars(select(Grid.code).where(Grid.code.startswith(village)).order_by(Grid.code).limit(2))
    g1, g2 = db.get(Grid, first), db.get(Grid, second)
    union = shapely.union(shapely.from_wkb(g1.geom_wkb), shapely.from_wkb(g2.geom_wkb))
    (new,) = next_codes(db, village, 1)
    merged = {"type": "Feature", "properties": {"code": new, "name": "合并网格", "kind": g1.kind,
                                                "households": g1.households + g2.households},
              "geometry": shapely.geometry.mapping(union)}
    with pytest.raises(Invalid) as err:
        adjustments.propose(db, who["town"], _create(p, {"features": [merged], "retire": [first]}, kind="merge",
                                                     effective_on=today(now)), profile=profile, now=now)
    assert "至少 2 个" in err.value.details[0]["reason"]
    adj = adjustments.propose(db, who["town"], _create(p, {"features": [merged], "retire": [first, second]},
                                                       kind="merge", effective_on=today(now)), profile=profile, now=now)
    adjustments.approve(db, who["county_admin"], adj.id, now=now)
    adjustments.file(db, who["city"], adj.id, now=now)
    assert [db.get(Grid, c).status for c in (first, second, new)] == ["retired", "retired", "active"]
    with pytest.raises(Invalid) as err:
        adjustments.propose(db, who["town"], _create(p, {"retire": [first]}, kind="retire", effective_on=today(now)),
                            profile=profile, now=now)
    assert "已撤销" in err.value.details[0]["reason"]
