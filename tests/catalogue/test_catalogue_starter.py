"""Starter lists: each profile ships the work its regulation enumerates, quoted from the text, and
the seeding publishes it as version 1 of the lists the profile keeps (both databases)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.catalogue import lookup
from gridgov.catalogue.starter import (
    load_starter,
    parse_starter,
    seed_catalogue,
    starter_path,
)
from gridgov.db import make_engine
from gridgov.errors import Invalid
from gridgov.kit.clock import local, utc_now
from gridgov.models import Area, AuditEntry, CatalogueList, ListVersion, Matter
from gridgov.policy.loader import load_profile
from gridgov.territory.demo import demo_city_of
from gridgov.territory.demo_loader import load_demo_city

PROFILES = ["zhenjiang", "luzhou", "jiangsu", "qinzhou", "jiangmen"]
EXPECTED = {"jiangsu": ("JS§9", 12), "qinzhou": ("QZ§10", 8), "zhenjiang": ("ZJ§12", 4), "jiangmen": ("JM§11", 7),
            "luzhou": ("LZ§14", 6)}
"""The article and its item count: JS 12 and QZ 8 as the issue states; ZJ§12 has four items, JM§11
seven; LZ§14's stored text keeps six fragments (its items are damaged, see luzhou.toml)."""
REGULATIONS = Path(__file__).resolve().parents[3] / "shared" / "regulations"
_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def article_text(profile, number: int) -> str:
    """The article's text from the stored regulation, with PDF page numbers and spaces removed."""
    text = (REGULATIONS / profile.regulation.text_file).read_text(encoding="utf-8")
    text = re.sub(r"\s+", "", re.sub(r"-\s*\d+\s*-", "", text))
    start = text.index(f"第{chinese_number(number)}条")
    end = text.find(f"第{chinese_number(number + 1)}条", start)
    return text[start:end if end > 0 else None]


@pytest.mark.parametrize("name", PROFILES)
def test_each_profile_ships_its_article_as_its_starter_list(name):
    profile = load_profile(name)
    starter = load_starter(profile)
    article, count = EXPECTED[name]
    assert starter.article == article
    assert len(starter.matters) == count
    assert starter.profile == name and starter_path(name).is_file()
    number = int(article.split("§")[1])
    assert f"第{chinese_number(number)}条" in starter.source
    assert all(m.legal_basis.startswith(article) for m in starter.matters)
    kinds = profile.catalogue.city_lists if starter.level == "city" else profile.catalogue.county_lists
    assert {m.list_kind for m in starter.matters} <= set(kinds) - {"negative"}
    assert "只收条文列举的事项" in starter_path(name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", PROFILES)
def test_descriptions_quote_the_article_word_for_word(name):
    profile = load_profile(name)
    if not (REGULATIONS / profile.regulation.text_file).is_file():
        pytest.skip("条例原文不在 shared/regulations/")
    starter = load_starter(profile)
    text = article_text(profile, int(starter.article.split("§")[1]))
    for m in starter.matters:
        assert m.description.replace("……", "") in text, m.code


def test_a_bad_starter_file_is_refused_with_every_problem_in_chinese():
    profile = load_profile("qinzhou")
    data = {"profile": "qinzhou", "article": "ZJ§12", "source": "x", "level": "city", "matters": [
        {"code": "a1", "name": "甲", "description": "甲", "legal_basis": "ZJ§12(一)", "on_site": True,
         "list_kind": "basic", "department_kind": "police"},
        {"code": "a1", "name": "甲", "description": "乙", "legal_basis": "QZ§10(二)", "on_site": False,
         "list_kind": "matters"},
    ]}
    with pytest.raises(Invalid) as caught:
        parse_starter(data, profile)
    message = caught.value.message
    for expected in ("应引用本条例", "没有 basic", "不是本配置的联动部门代码", "编码重复", "名称重复", "应出自 ZJ§12"):
        assert expected in message
    with pytest.raises(Invalid) as caught:
        parse_starter({"profile": "qinzhou", "article": "QZ§10", "source": "x", "level": "city",
                       "matters": [{"code": "A", "name": "甲", "on_site": "也许", "list_kind": "matters",
                                    "legal_basis": "QZ§10", "power_type": "penalty"}]}, profile)
    assert "缺少此项" in caught.value.message and "matters[0]" in caught.value.message


# ---------------------------------------------------------------- seeding the demo city (zhenjiang)


@pytest.mark.req("C5")
def test_seeding_the_demo_city_publishes_version_1_of_every_list(db):
    profile = load_profile("zhenjiang")
    city = demo_city_of(profile).area_code
    now = utc_now()
    line = seed_catalogue(db, profile, city, now=now)
    assert "事项清单" in line
    lists = {(cl.area_code, cl.kind): cl for cl in db.scalars(select(CatalogueList))}
    assert {k for (a, k) in lists if a == city} == {"basic", "admission", "negative"}
    counties = db.scalars(select(Area.code).where(Area.code.startswith(city[:4]), Area.level == "county")).all()
    basic = lists[(city, "basic")]
    for county in counties:
        assert lists[(county, "matters")].follows_list_id == basic.id
    assert all(cl.current_version >= 1 for cl in lists.values())

    v1 = db.scalar(select(ListVersion).where(ListVersion.list_id == basic.id, ListVersion.number == 1))
    assert v1.summary.startswith("初始清单（依据 ZJ§12")
    assert v1.published_on == local(now).date() and v1.published_by is None
    assert [m["code"] for m in v1.snapshot] == ["zj12_01", "zj12_02", "zj12_03", "zj12_04"]
    empty = db.scalar(select(ListVersion).where(ListVersion.list_id == lists[(city, "negative")].id))
    assert empty.snapshot == [] and "暂无事项" in empty.summary

    grid = db.scalar(select(Matter).where(Matter.code == "zj12_01"))
    assert grid.status == "in_force" and grid.power_type == "none" and grid.on_site is True
    assert grid.legal_basis == "ZJ§12(一)" and grid.description.startswith("依法采集")
    some_town = db.scalar(select(Area.code).where(Area.code.startswith(counties[0][:6]), Area.level == "town"))
    in_force = [m.code for m in lookup.matters_in_force(db, some_town, local(now).date())]
    assert in_force == ["zj12_01", "zj12_02", "zj12_03", "zj12_04"]
    assert lookup.has_catalogue(db, some_town)
    assert db.scalar(select(func.count()).select_from(AuditEntry)
                     .where(AuditEntry.action == "catalogue_version_published")) >= len(lists)

    counts = (db.scalar(select(func.count()).select_from(CatalogueList)),
              db.scalar(select(func.count()).select_from(Matter)),
              db.scalar(select(func.count()).select_from(ListVersion)))
    assert "沿用现有数据" in seed_catalogue(db, profile, city, now=now + timedelta(days=1))
    assert counts == (db.scalar(select(func.count()).select_from(CatalogueList)),
                      db.scalar(select(func.count()).select_from(Matter)),
                      db.scalar(select(func.count()).select_from(ListVersion)))


# ---------------------------------------------------------------- the other profiles, on fresh databases


@pytest.mark.req("C1")
@pytest.mark.setting("catalogue.city_lists", "catalogue.county_lists")
@pytest.mark.parametrize("name", ["luzhou", "jiangsu", "qinzhou", "jiangmen"])
def test_seeding_follows_each_profiles_lists(fresh_url, name):
    profile = load_profile(name)
    city = demo_city_of(profile).area_code
    starter = load_starter(profile)
    engine = make_engine(fresh_url)
    now = utc_now()
    try:
        with Session(engine) as session:
            load_demo_city(session, profile, grids=12, now=now)
            seed_catalogue(session, profile, city, now=now)
            counties = session.scalars(select(Area.code).where(Area.level == "county").order_by(Area.code)).all()
            lists = {(cl.area_code, cl.kind): cl for cl in session.scalars(select(CatalogueList))}
            expected = {(city, k) for k in profile.catalogue.city_lists}
            expected |= {(c, k) for c in counties for k in profile.catalogue.county_lists}
            assert set(lists) == expected
            assert all(cl.current_version == 1 for cl in lists.values())
            town = session.scalar(select(Area.code).where(Area.code.startswith(counties[0][:6]), Area.level == "town"))
            codes = [m.code for m in lookup.matters_in_force(session, town, local(now).date())]
            assert len(codes) == len(starter.matters)
            if starter.level == "county":  # LZ, JS: one copy per county, codes kept unique
                assert not profile.catalogue.city_lists
                assert codes == sorted(f"{m.code}_{counties[0][:6]}" for m in starter.matters)
                assert session.scalar(select(func.count()).select_from(Matter)) == len(starter.matters) * len(counties)
            else:  # QZ's city list, JM's city directory (county admission lists start empty)
                assert codes == sorted(m.code for m in starter.matters)
                for c in counties:
                    for k in profile.catalogue.county_lists:
                        assert lists[(c, k)].follows_list_id == lists[(city, profile.catalogue.city_lists[0])].id
            assert "沿用现有数据" in seed_catalogue(session, profile, city, now=now)
            session.rollback()
    finally:
        engine.dispose()
