"""Special-group tags: the profile's table, who may see which tag, sealed storage, adding and ending
a tag, and jurisdiction (worker2 gets 404 for a person of another town; a department sees nothing)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gridgov.models import AuditEntry
from gridgov.models.registry import PersonAccess, PersonTag
from gridgov.policy.loader import load_profile
from gridgov.registry import care
from gridgov.registry import tags as rules
from gridgov.registry.care_schemas import PersonTagCreate

from .care_fixtures import days_ago, grids, household, principal, tag


@pytest.fixture
def home(db, app):
    grid, grid2 = grids(db)
    cipher, profile = app.state.cipher, app.state.profile
    here = household(db, cipher, grid, "解放路", ["王老伯", "王小明"])
    there = household(db, cipher, grid2, "中山路", ["赵大姐"])
    tag(db, cipher, profile, here.people[0], "severe_mental", since=days_ago(40))
    tag(db, cipher, profile, here.people[0], "elderly_alone", since=days_ago(3))
    tag(db, cipher, profile, there.people[0], "elderly_alone", since=days_ago(3))
    return here, there


@pytest.mark.req("E3")
@pytest.mark.setting("registry.special_groups.severe_mental", "registry.special_groups.community_correction",
                      "registry.special_groups.released_prisoner", "registry.special_groups.drug_user",
                      "registry.special_groups.left_behind_child", "registry.special_groups.child_in_difficulty",
                      "registry.special_groups.elderly_alone", "registry.special_groups.disabled",
                      "registry.special_groups.low_income")
@pytest.mark.parametrize("name", ["zhenjiang", "luzhou", "jiangsu", "qinzhou", "jiangmen"])
def test_the_tag_list_shows_each_role_only_the_groups_its_profile_names(app, client_as, name):
    profile = load_profile(name)
    app.state.profile = profile
    for username, role in (("city_admin", "agency_admin"), ("town_dispatcher", "agency_dispatcher"),
                           ("worker", "fulltime"), ("dept_cg", "dept_receiver")):
        r = client_as(username).get("/api/v1/registry/tags")
        assert r.status_code == 200, r.text
        shown = {t["code"]: t for t in r.json()}
        expected = {code for code, g in profile.registry.special_groups.items() if role in g.roles}
        assert set(shown) == expected, (name, username)
        for code, t in shown.items():
            group = profile.registry.special_groups[code]
            assert (t["name"], t["sensitivity"], t["visit_every_days"]) == (group.name, group.sensitivity,
                                                                           group.visit_every_days)
    # the effect of the roles: a group the profile no longer names the dispatcher for disappears for it
    low = next(c for c, g in profile.registry.special_groups.items() if "agency_dispatcher" in g.roles)
    groups = dict(profile.registry.special_groups)
    groups[low] = groups[low].model_copy(update={"roles": ["agency_admin"]})
    app.state.profile = profile.model_copy(update={"registry": profile.registry.model_copy(
        update={"special_groups": groups})})
    codes = {t["code"] for t in client_as("town_dispatcher").get("/api/v1/registry/tags").json()}
    assert low not in codes and codes


def test_the_dispatcher_does_not_see_high_sensitivity_groups(client_as):
    codes = {t["code"] for t in client_as("town_dispatcher").get("/api/v1/registry/tags").json()}
    assert "severe_mental" not in codes and "elderly_alone" in codes


@pytest.mark.req("E3")
def test_a_persons_tags_are_filtered_by_role_and_the_view_is_logged(db, client_as, home):
    here, _ = home
    person = here.people[0]
    r = client_as("worker").get(f"/api/v1/people/{person.id}/tags")
    assert r.status_code == 200
    assert {t["code"] for t in r.json()} == {"severe_mental", "elderly_alone"}
    r = client_as("town_dispatcher").get(f"/api/v1/people/{person.id}/tags")
    assert r.status_code == 200
    assert [t["code"] for t in r.json()] == ["elderly_alone"]
    assert "severe_mental" not in r.text and "严重精神障碍患者" not in r.text
    logged = db.scalars(select(PersonAccess).where(PersonAccess.person_id == person.id)).all()
    assert {(a.username, a.action, a.fields) for a in logged} == {("worker", "view", "special_groups"),
                                                                  ("town_dispatcher", "view", "special_groups")}
    # a person with no tag the role may see: nothing shown, nothing logged as shown
    assert client_as("worker").get(f"/api/v1/people/{here.people[1].id}/tags").json() == []


@pytest.mark.req("E3")
def test_worker2_and_departments_get_404_for_a_person_of_another_town(client_as, home):
    here, there = home
    for username in ("worker2", "dept_cg"):
        r = client_as(username).get(f"/api/v1/people/{here.people[0].id}/tags")
        assert r.status_code == 404 and r.json()["detail"] == "人员不存在"
        r = client_as(username).post(f"/api/v1/people/{here.people[0].id}/tags", json={"tag": "elderly_alone"})
        assert r.status_code in (403, 404)
    assert client_as("worker2").get(f"/api/v1/people/{there.people[0].id}/tags").status_code == 200
    missing = client_as("worker").get("/api/v1/people/2147483000/tags")
    assert missing.status_code == 404 and missing.json()["detail"] == "人员不存在"


def test_a_tag_is_stored_sealed_with_the_shared_blind_index(db, app, client_as, home):
    here, _ = home
    person = here.people[1]
    r = client_as("worker").post(f"/api/v1/people/{person.id}/tags", json={"tag": "left_behind_child",
                                                                            "since": str(days_ago(2))})
    assert r.status_code == 201, r.text
    assert r.json()["visit_due_on"] == str(days_ago(2) + (days_ago(0) - days_ago(30)))
    row = db.scalar(select(PersonTag).where(PersonTag.person_id == person.id))
    cipher = app.state.cipher
    assert b"left_behind_child" not in row.tag_enc and cipher.decrypt(row.tag_enc) == "left_behind_child"
    assert row.tag_index == cipher.blind_index("tag:left_behind_child") == rules.tag_index(cipher, "left_behind_child")
    again = client_as("worker").post(f"/api/v1/people/{person.id}/tags", json={"tag": "left_behind_child"})
    assert again.status_code == 409
    audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "registry_tag_added")).all()
    assert audit and all("left_behind_child" not in (a.detail or "") + str(a.after) for a in audit)
    # the dispatcher reads, it does not tag
    assert client_as("town_dispatcher").post(f"/api/v1/people/{person.id}/tags",
                                             json={"tag": "disabled"}).status_code == 403


def test_a_role_cannot_add_a_tag_it_may_not_see_and_hears_it_is_unknown(db, app, home):
    here, _ = home
    parttime = principal(db, "worker")
    parttime = parttime.__class__(**{**parttime.__dict__, "role": "parttime"})
    profile, cipher = app.state.profile, app.state.cipher
    from gridgov.errors import Invalid

    with pytest.raises(Invalid) as hidden:
        care.add_tag(db, parttime, here.people[1].id, PersonTagCreate(tag="drug_user"), profile=profile,
                     cipher=cipher, now=_now())
    with pytest.raises(Invalid) as unknown:
        care.add_tag(db, parttime, here.people[1].id, PersonTagCreate(tag="no_such_group"), profile=profile,
                     cipher=cipher, now=_now())
    assert hidden.value.message == unknown.value.message == "没有这个特殊人群标签"
    # and the part-time worker does not see the high-sensitivity tag already on the person
    shown = care.person_tags(db, parttime, here.people[0].id, profile=profile, cipher=cipher, now=_now())
    assert [t.code for t in shown] == ["elderly_alone"]


def test_ending_a_tag_keeps_the_row_and_hides_it(db, client_as, home):
    here, _ = home
    person = here.people[0]
    r = client_as("worker").delete(f"/api/v1/people/{person.id}/tags/elderly_alone")
    assert r.status_code == 204
    assert {t["code"] for t in client_as("worker").get(f"/api/v1/people/{person.id}/tags").json()} == {"severe_mental"}
    assert client_as("worker").delete(f"/api/v1/people/{person.id}/tags/elderly_alone").status_code == 404
    # a tag the role may not see cannot be ended by it either (same answer as none)
    assert client_as("worker2").delete(f"/api/v1/people/{person.id}/tags/severe_mental").status_code == 404
    ended = db.scalars(select(PersonTag).where(PersonTag.person_id == person.id, PersonTag.until.is_not(None))).all()
    assert len(ended) == 1 and ended[0].visit_due_on is None


def _now():
    from gridgov.kit.clock import utc_now

    return utc_now()
