"""Staff records, posts, eligibility, the training gate, masking, reveal and jurisdiction (both databases)."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.authz.scope import SYSTEM
from gridgov.errors import Conflict, Invalid
from gridgov.kit.clock import local, utc_now
from gridgov.kit.ids import with_check_digit
from gridgov.models import Area, AuditEntry, Grid, User
from gridgov.models.staff import Post, StaffMember
from gridgov.policy.loader import load_profile
from gridgov.staff import posts, service
from gridgov.staff.schemas import (
    ExclusionCreate,
    ExclusionLift,
    PostActivate,
    PostCreate,
    StaffCreate,
    TrainingCreate,
)
from gridgov.territory.demo import demo_city_of

TODAY = local(utc_now()).date()  # the service's "today" is Shanghai's, whatever the host's zone


def id_number(n: int, born: str = "19900101") -> str:
    return with_check_digit(f"320102{born}{n:03d}")


@pytest.fixture
def places(db):
    return demo_places(db, demo_city_of(load_profile("zhenjiang")).area_code)


def spare_grid(db, town: str) -> str:
    """An active comprehensive grid of a town with no post at all."""
    posted = select(Post.scope_code)
    return db.scalar(select(Grid.code).where(Grid.code.startswith(town[:9]), Grid.kind.in_(["urban", "rural"]),
                                             Grid.code.not_in(posted)).order_by(Grid.code).limit(1))


def new_person(client, area: str, n: int, **extra) -> dict:
    body = {"name": f"测试{n}", "gender": "女", "id_number": id_number(n), "phone": f"1880000{n:04d}",
            "work_phone": f"1880001{n:04d}", "area_code": area, **extra}
    r = client.post("/api/v1/staff", json=body)
    assert r.status_code == 201, r.text
    return r.json()


# ---------------------------------------------------------------- demo


def test_demo_staffs_the_demo_town_and_links_the_demo_users(db, places):
    users = {u.username: u for u in db.scalars(select(User).where(User.username.in_(["worker", "worker2", "leader"])))}
    for username, grid, role in (("worker", places.grid, "fulltime"), ("leader", places.grid, "leader"),
                                 ("worker2", places.grid2, "fulltime")):
        post = db.scalar(select(Post).where(Post.staff_id == users[username].staff_id))
        assert (post.grid_code, post.role, post.status) == (grid, role, "active")
    profile = load_profile("zhenjiang")
    town = posts.staffing_gaps(db, SYSTEM, places.town, profile=profile)
    assert town.grids_checked > 10 and not town.gaps
    town2 = posts.staffing_gaps(db, SYSTEM, places.town2, profile=profile)
    assert {(g.grid_code, g.kind) for g in town2.gaps if g.grid_code == places.grid2} == {(places.grid2, "no_leader")}
    assert town2.counts["no_fulltime"] == town2.grids_checked - 1


# ---------------------------------------------------------------- the training gate and staffing rules


@pytest.mark.req("B4")
@pytest.mark.setting("staff.training_before_posting")
def test_a_post_cannot_start_before_training_is_passed(client, db, places):
    grid = spare_grid(db, places.town2)
    person = new_person(client, places.town2, 1)
    start = TODAY.isoformat()
    post = client.post("/api/v1/posts", json={"staff_id": person["id"], "role": "fulltime", "grid_code": grid,
                                              "start_date": start}).json()
    assert post["status"] == "pending"
    r = client.post(f"/api/v1/posts/{post['id']}/activate")
    assert r.status_code == 409 and "岗前培训" in r.json()["detail"]
    failed = client.post(f"/api/v1/staff/{person['id']}/trainings",
                         json={"held_on": start, "passed": False, "score": 40})
    assert failed.status_code == 201
    assert client.post(f"/api/v1/posts/{post['id']}/activate").status_code == 409
    client.post(f"/api/v1/staff/{person['id']}/trainings", json={"held_on": start, "passed": True, "score": 88})
    r = client.post(f"/api/v1/posts/{post['id']}/activate")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "active"
    gaps = client.get("/api/v1/staff/gaps", params={"area": places.town2}).json()
    assert not [g for g in gaps["gaps"] if g["grid_code"] == grid and g["kind"] == "no_fulltime"]
    ended = client.post(f"/api/v1/posts/{post['id']}/end", json={"end_date": start})
    assert ended.json()["status"] == "ended"
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "post_activated",
                                              AuditEntry.object_id == str(post["id"])))


@pytest.mark.req("B2")
def test_a_second_leader_of_a_comprehensive_grid_is_refused(client, places):
    person = new_person(client, places.town, 2)
    client.post(f"/api/v1/staff/{person['id']}/trainings", json={"held_on": "2024-01-01", "passed": True})
    post = client.post("/api/v1/posts", json={"staff_id": person["id"], "role": "leader", "grid_code": places.grid,
                                              "start_date": TODAY.isoformat()}).json()
    r = client.post(f"/api/v1/posts/{post['id']}/activate")
    assert r.status_code == 409 and "网格长" in r.json()["detail"]


@pytest.mark.req("B1")
@pytest.mark.setting("staff.roles")
def test_a_role_the_profile_does_not_set_is_refused(client, places):
    person = new_person(client, places.town, 3)
    r = client.post("/api/v1/posts", json={"staff_id": person["id"], "role": "professional", "grid_code": places.grid,
                                           "start_date": TODAY.isoformat()})
    assert r.status_code == 422 and "专业网格员" in r.json()["detail"]


def _person(db, places, n: int, born: str = "19900101") -> StaffMember:
    from gridgov.kit.crypto import FieldCipher
    from tests.conftest import TEST_SECRET_KEY

    return service.create_staff(db, SYSTEM, StaffCreate(name=f"资格{n}", gender="男", id_number=id_number(n, born),
                                                      area_code=places.town2), cipher=FieldCipher(TEST_SECRET_KEY),
                                now=utc_now())


@pytest.mark.req("B3")
@pytest.mark.setting("staff.fulltime_eligibility.min_age")
def test_an_ineligible_fulltime_worker_cannot_be_posted_under_jiangsu(db, places):
    jiangsu = load_profile("jiangsu")
    grid = spare_grid(db, places.town2)
    young = _person(db, places, 10, born=f"{TODAY.year - 17}0101")
    with pytest.raises(Conflict, match="未满 18 周岁"):
        posts.create_post(db, SYSTEM, PostCreate(staff_id=young.id, role="fulltime", grid_code=grid, start_date=TODAY),
                          profile=jiangsu, now=utc_now())
    # a part-time post has no age condition; zhenjiang sets none at all
    posts.create_post(db, SYSTEM, PostCreate(staff_id=young.id, role="parttime", grid_code=grid, start_date=TODAY),
                      profile=jiangsu, now=utc_now())
    posts.create_post(db, SYSTEM, PostCreate(staff_id=young.id, role="fulltime", grid_code=grid, start_date=TODAY),
                      profile=load_profile("zhenjiang"), now=utc_now())


@pytest.mark.req("B3")
@pytest.mark.setting("staff.fulltime_eligibility.exclusions")
def test_an_exclusion_refuses_a_fulltime_post_until_lifted_under_qinzhou(db, places):
    qinzhou = load_profile("qinzhou")
    grid = spare_grid(db, places.town2)
    person = _person(db, places, 11)
    with pytest.raises(Invalid):
        service.record_exclusion(db, SYSTEM, person.id, ExclusionCreate(kind="criminal_record", evidence="x"),
                                 profile=qinzhou, now=utc_now())
    ex = service.record_exclusion(db, SYSTEM, person.id, ExclusionCreate(kind="dismissed_from_public_office",
                                                                       evidence="某局开除决定书 2020-12 号"),
                                  profile=qinzhou, now=utc_now())
    data = PostCreate(staff_id=person.id, role="fulltime", grid_code=grid, start_date=TODAY)
    with pytest.raises(Conflict, match="开除公职"):
        posts.create_post(db, SYSTEM, data, profile=qinzhou, now=utc_now())
    service.lift_exclusion(db, SYSTEM, person.id, ex.id, ExclusionLift(lifted_on=TODAY), now=utc_now())
    post = posts.create_post(db, SYSTEM, data, profile=qinzhou, now=utc_now())
    service.record_training(db, SYSTEM, person.id, TrainingCreate(held_on=TODAY, passed=True), now=utc_now())
    assert posts.activate_post(db, SYSTEM, post.id, PostActivate(), profile=qinzhou, now=utc_now()).status == "active"


@pytest.mark.setting("staff.fulltime_eligibility.exclusions")
def test_an_exclusion_kind_the_profile_does_not_list_is_422(client, places):
    person = new_person(client, places.town, 4)
    r = client.post(f"/api/v1/staff/{person['id']}/exclusions", json={"kind": "criminal_record", "evidence": "判决书"})
    assert r.status_code == 422 and "本地政策" in r.json()["detail"]


# ---------------------------------------------------------------- personal data


@pytest.mark.req("B7", "E5")
def test_lists_are_masked_and_each_reveal_is_audited_without_plain_values(client, db, places):
    person = new_person(client, places.town, 5)
    plain_id, plain_phone = id_number(5), "18800000005"
    listed = client.get("/api/v1/staff", params={"q": "测试5"})
    assert listed.status_code == 200
    assert plain_id not in listed.text and plain_phone not in listed.text
    assert listed.json()["items"][0]["id_number_mask"] == "*" * 14 + plain_id[-4:]  # no region digits
    assert client.get("/api/v1/staff", params={"q": plain_id}).json()["total"] == 1  # found by blind index
    page = client.get("/staff", params={"q": "测试5"}, headers={"accept": "text/html"})
    assert page.status_code == 200 and "测试5" in page.text and plain_id not in page.text
    detail = client.get(f"/staff/{person['id']}", headers={"accept": "text/html"})
    assert detail.status_code == 200 and plain_id not in detail.text
    for _ in range(2):
        r = client.post(f"/api/v1/staff/{person['id']}/reveal")
        assert r.json() == {"id": person["id"], "name": "测试5", "id_number": plain_id, "phone": plain_phone}
    reveals = db.scalars(select(AuditEntry).where(AuditEntry.action == "staff_revealed",
                                                  AuditEntry.object_id == str(person["id"]))).all()
    assert len(reveals) == 2 and reveals[0].actor == "city_admin"
    for entry in db.scalars(select(AuditEntry)):
        text = json.dumps([entry.before, entry.after, entry.detail], ensure_ascii=False)
        assert plain_id not in text and plain_phone not in text
    stored = db.get(StaffMember, person["id"])
    assert plain_id.encode() not in stored.id_number_enc and stored.id_number_mask != plain_id


def test_one_person_one_record(client, places):
    new_person(client, places.town, 6)
    r = client.post("/api/v1/staff", json={"name": "重复", "gender": "男", "id_number": id_number(6),
                                           "area_code": places.town})
    assert r.status_code == 409 and "身份证号码已有" in r.json()["detail"]
    bad = client.post("/api/v1/staff", json={"name": "错号", "gender": "男", "id_number": "320102199001010000",
                                             "area_code": places.town})
    assert bad.status_code == 422 and "校验位" in bad.json()["detail"]


# ---------------------------------------------------------------- jurisdiction and permissions


def test_outside_the_jurisdiction_a_record_does_not_exist(client_as, db, places):
    worker = db.scalar(select(User).where(User.username == "worker"))
    worker2 = db.scalar(select(User).where(User.username == "worker2"))
    town = client_as("town_dispatcher")
    assert town.get(f"/api/v1/staff/{worker.staff_id}").status_code == 200
    outside = town.get(f"/api/v1/staff/{worker2.staff_id}")
    assert outside.status_code == 404 and outside.json()["detail"] == "网格员档案不存在"
    assert town.get("/api/v1/staff/999999").json()["detail"] == "网格员档案不存在"
    assert all(item["area_code"].startswith(places.town[:9]) for item in town.get("/api/v1/staff").json()["items"])
    leader = client_as("leader")  # sees the people posted in its grid
    assert leader.get(f"/api/v1/staff/{worker.staff_id}").status_code == 200
    assert leader.get(f"/api/v1/staff/{worker2.staff_id}").status_code == 404
    assert client_as("worker2").get("/api/v1/staff").status_code == 403


def test_a_role_without_staff_write_gets_403(client_as, places):
    county = client_as("county_dispatcher")
    r = county.post("/api/v1/staff", json={"name": "某", "gender": "男", "area_code": places.town})
    assert r.status_code == 403
    assert county.get("/api/v1/staff").status_code == 200
    assert county.post("/api/v1/staff/1/reveal").status_code == 403


# ---------------------------------------------------------------- gaps and pages


@pytest.mark.req("B2")
def test_gaps_page_and_csv(client, places):
    report = client.get("/api/v1/staff/gaps", params={"area": places.town2}).json()
    assert report["counts"]["no_leader"] == report["grids_checked"]
    csv = client.get("/api/v1/staff/gaps.csv", params={"area": places.town2})
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    assert csv.text.lstrip("\ufeff").splitlines()[0].startswith("村（社区）代码,")
    page = client.get("/staff/gaps", params={"area": places.town2}, headers={"accept": "text/html"})
    assert page.status_code == 200 and "缺网格长" in page.text


def test_pages_render_and_a_bad_form_keeps_the_input(client, db, places):
    for path in ("/staff", "/staff/new", "/staff/gaps", "/staff/import"):
        assert client.get(path, headers={"accept": "text/html"}).status_code == 200, path
    r = client.post("/staff/new", data={"name": "表单测试", "gender": "女", "id_number": "12345",
                                        "area_code": places.town}, headers={"accept": "text/html"})
    assert r.status_code == 422 and 'value="表单测试"' in r.text
    assert "身份证号码应为 18 位（最后一位可为 X）" in r.text  # the refusal, not the form's label
    r = client.post("/staff/new", data={"name": "表单测试", "gender": "女", "id_number": id_number(7),
                                        "area_code": places.town}, headers={"accept": "text/html"},
                    follow_redirects=False)
    assert r.status_code == 303
    staff_id = int(r.headers["location"].rsplit("/", 1)[1])
    r = client.post(f"/staff/{staff_id}/posts", data={"role": "fulltime", "grid_code": places.grid,
                                                      "start_date": TODAY.isoformat()}, follow_redirects=False)
    assert r.status_code == 303
    post_id = db.scalar(select(Post.id).where(Post.staff_id == staff_id))
    r = client.post(f"/staff/posts/{post_id}/activate", data={}, headers={"accept": "text/html"})
    assert r.status_code == 409 and "尚未登记岗前培训合格的记录，岗位不能生效" in r.text
    assert db.scalar(select(Area).where(Area.code == places.town))


def _png(width: int = 30, height: int = 40) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (90, 30, 160)).save(buf, "PNG")
    return buf.getvalue()


PNG = _png()


def test_a_photo_is_stored_by_content_hash_and_served_to_readers(client, places):
    person = new_person(client, places.town, 8)
    r = client.post(f"/api/v1/staff/{person['id']}/photo", files={"file": ("a.png", PNG, "image/png")})
    assert r.status_code == 200 and r.json()["has_photo"]
    got = client.get(f"/api/v1/staff/{person['id']}/photo")
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(got.content)).size == (30, 40)  # re-encoded from its pixels (kit.media)
    bad = client.post(f"/api/v1/staff/{person['id']}/photo", files={"file": ("a.gif", b"GIF89a....", "image/gif")})
    assert bad.status_code == 422 and "JPEG、PNG 或 WebP" in bad.json()["detail"]
    fake = client.post(f"/api/v1/staff/{person['id']}/photo", files={"file": ("a.png", PNG[:8] + b"\0" * 64)})
    assert fake.status_code == 422  # a PNG signature is not a PNG


def test_a_decompression_bomb_is_refused_by_both_photo_routes(client, places):
    """A ~150 KB 6300×6300 PNG would take ~120 MB (RGB) to decode: refused from its header."""
    bomb = _png(6300, 6300)
    assert len(bomb) < 200_000
    person = new_person(client, places.town, 9)
    for url in (f"/api/v1/staff/{person['id']}/photo", "/api/v1/case-photos"):
        r = client.post(url, files={"file": ("bomb.png", bomb, "image/png")})
        assert r.status_code == 422, url
        assert "尺寸过大（6300×6300）" in r.json()["detail"]
    page = client.post(f"/staff/{person['id']}/photo", files={"photo": ("bomb.png", bomb, "image/png")},
                       headers={"accept": "text/html"})
    assert page.status_code == 422 and "尺寸过大" in page.text
    assert not client.get(f"/api/v1/staff/{person['id']}").json()["has_photo"]
