"""Posting under each profile's staffing settings, through the service on both databases: micro-grid
volunteers (ZJ§9) and who may be grid leader (JS§12, QZ§11, JM§10); gaps worded by their source."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.authz.scope import SYSTEM
from gridgov.errors import Invalid
from gridgov.kit.clock import local, utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.ids import with_check_digit
from gridgov.models import Grid, MicroGrid, Post
from gridgov.policy.loader import load_profile
from gridgov.staff import posts, service
from gridgov.staff.schemas import PostCreate, StaffCreate, TrainingCreate
from gridgov.territory.demo import demo_city_of

from ..conftest import TEST_SECRET_KEY

TODAY = local(utc_now()).date()


@pytest.fixture
def places(db):
    return demo_places(db, demo_city_of(load_profile("zhenjiang")).area_code)


def _spare_grid(db, town: str) -> str:
    return db.scalar(select(Grid.code).where(Grid.code.startswith(town[:9]), Grid.kind.in_(["urban", "rural"]),
                                             Grid.code.not_in(select(Post.scope_code))).order_by(Grid.code).limit(1))


def _person(db, area: str, n: int):
    staff = service.create_staff(db, SYSTEM, StaffCreate(name=f"设置{n}", gender="女",
                                                         id_number=with_check_digit(f"32010219900101{n:03d}"),
                                                         area_code=area),
                                 cipher=FieldCipher(TEST_SECRET_KEY), now=utc_now())
    service.add_training(db, SYSTEM, staff, TrainingCreate(held_on=TODAY, passed=True, score=90), now=utc_now())
    return staff


def _post(db, profile_name: str, staff, role: str, **where):
    return posts.create_post(db, SYSTEM, PostCreate(staff_id=staff.id, role=role, start_date=TODAY, **where),
                             profile=load_profile(profile_name), now=utc_now())


@pytest.mark.setting("staff.volunteers_per_micro_grid")
@pytest.mark.req("A6")
def test_a_volunteer_serves_a_micro_grid_under_zj_and_is_refused_where_the_profile_has_none(db, places):
    grid = _spare_grid(db, places.town2)
    micro = MicroGrid(code=grid + "01", grid_code=grid, name="一号微网格", households=30, status="active",
                      created_at=utc_now())
    db.add(micro)
    db.flush()
    person = _person(db, places.town2, 901)
    post = _post(db, "zhenjiang", person, "volunteer", micro_grid_code=micro.code)
    posts.start_post(db, SYSTEM, post, profile=load_profile("zhenjiang"), now=utc_now())
    gaps = posts.staffing_gaps(db, SYSTEM, places.town2, profile=load_profile("zhenjiang"))
    (gap,) = [g for g in gaps.gaps if g.micro_grid_code == micro.code and g.kind == "no_volunteer"]
    assert (gap.severity_label, gap.basis) == ("应当配备", "ZJ§9")
    assert gap.detail == "一号微网格：在岗志愿者 1 名，应至少 2 名"
    other = _person(db, places.town2, 902)
    with pytest.raises(Invalid) as refused:
        _post(db, "jiangsu", other, "volunteer", micro_grid_code=micro.code)
    assert refused.value.status == 422 and "未设置微网格志愿者" in refused.value.message


@pytest.mark.setting("staff.leader_eligible_from")
@pytest.mark.req("B1")
def test_a_grid_leader_must_be_one_the_text_allows(db, places):
    grid = _spare_grid(db, places.town2)
    person = _person(db, places.town2, 903)
    with pytest.raises(Invalid) as missing:
        _post(db, "jiangsu", person, "leader", grid_code=grid)
    assert "须说明任职身份" in missing.value.message and "JS§12" in missing.value.message
    with pytest.raises(Invalid) as wrong:
        _post(db, "jiangmen", person, "leader", grid_code=grid, leader_basis="village_cadre")
    assert "不能担任网格长" in wrong.value.message and "JM§10" in wrong.value.message
    with pytest.raises(Invalid) as not_fulltime:
        _post(db, "jiangsu", person, "leader", grid_code=grid, leader_basis="fulltime_worker")
    assert "须先在岗担任专职网格员" in not_fulltime.value.message
    with pytest.raises(Invalid):
        _post(db, "zhenjiang", person, "fulltime", grid_code=grid, leader_basis="party_backbone")

    post = _post(db, "jiangsu", person, "leader", grid_code=grid, leader_basis="committee_member")
    assert (post.status, post.leader_basis) == ("pending", "committee_member")
    read = service.post_read(post)
    assert read.leader_basis_label == "城乡社区党组织、村（居）民委员会除主要负责人以外的组成人员"
    assert _post(db, "zhenjiang", _person(db, places.town2, 904), "leader", grid_code=grid).leader_basis is None


@pytest.mark.setting("staff.leader_per_comprehensive_grid")
def test_the_gaps_page_and_csv_word_a_local_rule_as_local(client, places):
    """ZJ names 网格长 (ZJ§30) but not one per grid: the missing leader is 本地要求, citing no article;
    ZJ§9's liaison rule stays 应当配备 (ZJ§9)."""
    report = client.get("/api/v1/staff/gaps", params={"area": places.town2}).json()
    leader = next(g for g in report["gaps"] if g["kind"] == "no_leader")
    assert (leader["severity"], leader["severity_label"], leader["basis"]) == ("local", "本地要求", "本地设置")
    assert "每个微网格配备 1 名联络员：应当配备（ZJ§9）" in report["policy"]
    assert any(line.startswith("每个综合网格设一名网格长：本地要求（本地设置，条例未规定，由本市确定）")
               for line in report["policy"])
    csv = client.get("/api/v1/staff/gaps.csv", params={"area": places.town2}).text
    assert "缺网格长,本地要求（本地设置）," in csv
    page = client.get("/staff/gaps", params={"area": places.town2}, headers={"accept": "text/html"}).text
    assert "条例未规定，由本市确定" in page and 'id="gap-rules"' in page
