"""Starter lists (issue 5, item 6): the work each regulation itself enumerates, loaded as version 1.

Each profile ships ``catalogue/starter/<profile>.toml`` holding exactly the items of the article that
lists grid work (JS§9, QZ§10, ZJ§12, JM§11, LZ§14), quoted from the text — nothing invented — so a
new deployment has a real, published catalogue on day one instead of the profile's provisional case
categories. The files are data like the profiles: :func:`load_starter` checks them against their
profile (article, list kinds, department codes) and reports every problem in Chinese.

:func:`seed_catalogue` is the system loading that data, not an application: it creates the lists the
profile keeps (the city's, and each county's), puts the starter matters on them and publishes
version 1 ("初始清单（依据 …）") through the ordinary publication, so the version and its audit entry
look like any other. Lists already published are left alone, so it can run on every ``gridgov demo``.
It never commits.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.catalogue.rules import IN_FORCE, NEGATIVE
from gridgov.errors import Invalid, NotFound
from gridgov.kit.clock import local
from gridgov.models import Area, Matter
from gridgov.models.territory import AreaLevel
from gridgov.policy.schema import ListKind
from gridgov.territory import rules

STARTER_DIR = Path(__file__).parent / "starter"
ARTICLE_RE = r"^[A-Z]{2}§\d+$"
BASIS_RE = r"^[A-Z]{2}§\d+(\([一二三四五六七八九十]+\))?$"
CODE_MAX = 24
"""Room for the county suffix (``_`` + 6 digits) within ``matters.code`` (32)."""


class StarterMatter(BaseModel):
    """One enumerated item, as the file states it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(title="编码", pattern=r"^[a-z][a-z0-9_]*$", max_length=CODE_MAX)
    name: str = Field(title="名称", min_length=1, max_length=40)
    description: str = Field(title="条文原文", min_length=1)
    legal_basis: str = Field(title="依据", pattern=BASIS_RE)
    department_kind: str = Field("", title="主管部门")
    power_type: Literal["none"] = Field("none", title="权力类型")
    on_site: bool = Field(title="网格员可现场处置")
    list_kind: ListKind = Field(title="所列清单")
    note: str = Field("", title="说明")


class StarterFile(BaseModel):
    """A profile's starter list: the article it comes from and its items."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    profile: str = Field(title="政策配置")
    article: str = Field(title="条文", pattern=ARTICLE_RE)
    source: str = Field(title="出处", min_length=1)
    level: Literal["city", "county"] = Field(title="清单层级")
    matters: list[StarterMatter] = Field(title="事项", min_length=1)


def starter_path(profile_name: str) -> Path:
    return STARTER_DIR / f"{profile_name}.toml"


def parse_starter(data: dict[str, Any], profile, *, source: str = "起始清单") -> StarterFile:
    """Check parsed starter data against ``profile``; :class:`Invalid` lists every problem."""
    try:
        starter = StarterFile.model_validate(data)
    except ValidationError as exc:
        from gridgov.policy.loader import explain

        problems = explain(exc)
        raise Invalid(f"{source} 有误：" + "；".join(problems), details=[{"error": p} for p in problems]) from None
    problems = _cross_problems(starter, profile)
    if problems:
        raise Invalid(f"{source} 有误：" + "；".join(problems), details=[{"error": p} for p in problems])
    return starter


def _cross_problems(starter: StarterFile, profile) -> list[str]:
    found: list[str] = []
    if starter.profile != profile.name:
        found.append(f"profile: 应为 {profile.name}（而不是 {starter.profile}）")
    key = profile.regulation.key
    if not starter.article.startswith(f"{key}§"):
        found.append(f"article: 应引用本条例（{key}§…），而不是 {starter.article}")
    kinds = profile.catalogue.city_lists if starter.level == "city" else profile.catalogue.county_lists
    level_label = "市级" if starter.level == "city" else "县级"
    departments = {d.code for d in profile.departments}
    codes: set[str] = set()
    names: set[str] = set()
    for i, m in enumerate(starter.matters):
        where = f"matters[{i}]（{m.code}）"
        if m.code in codes:
            found.append(f"{where}.code: 编码重复")
        if m.name in names:
            found.append(f"{where}.name: 名称重复")
        codes.add(m.code)
        names.add(m.name)
        if not (m.legal_basis == starter.article or m.legal_basis.startswith(starter.article + "(")):
            found.append(f"{where}.legal_basis: 应出自 {starter.article}，而不是 {m.legal_basis}")
        if m.department_kind and m.department_kind not in departments:
            found.append(f"{where}.department_kind: 不是本配置的联动部门代码（{m.department_kind}）")
        if m.list_kind not in kinds:
            allowed = "、".join(kinds) or "（无）"
            found.append(f"{where}.list_kind: 本配置的{level_label}清单只有 {allowed}，没有 {m.list_kind}")
        if m.list_kind == NEGATIVE:
            found.append(f"{where}.list_kind: 起始清单列的是网格员承担的工作，不能列入负面清单")
    return found


def load_starter(profile) -> StarterFile:
    """The profile's starter list, checked against the profile (a small file, read each time)."""
    path = starter_path(profile.name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFound(f"政策配置 {profile.name} 没有起始清单文件（{path.name}）") from None
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(f"起始清单 {path.name} 有误：TOML 语法错误：{exc}") from None
    return parse_starter(data, profile, source=f"起始清单 {path.name}")


# ---------------------------------------------------------------------------------------------
# Seeding.


def _source_ref(profile, level: str) -> str:
    ref = str(profile.sources.get(f"catalogue.{level}_lists", "")).removeprefix("default").strip(" :：")
    return ref or profile.regulation.key


def seed_catalogue(session: Session, profile, city_code: str, *, now: datetime) -> str:
    """Creates the lists ``profile`` keeps for the city ``city_code`` and each of its counties
    (through :func:`repository.ensure_lists`, so names and ``follows_list_id`` are the ones the
    application side uses), puts the starter matters on the lists of the starter file's level and
    kind, and publishes version 1 of every list not yet published; says what it did in one line.
    Idempotent: a list already published (``current_version`` ≥ 1) is left as it is."""
    from gridgov.catalogue import repository as repo
    from gridgov.catalogue.publication import publish_version

    starter = load_starter(profile)
    if session.get(Area, city_code) is None:
        raise NotFound(f"找不到城市 {city_code}，请先导入区划")
    counties = session.scalars(
        select(Area.code)
        .where(Area.code.startswith(rules.area_prefix(city_code)), Area.level == AreaLevel.COUNTY)
        .order_by(Area.code)
    ).all()
    day = local(now).date()
    lists = [(cl, "city") for cl in repo.ensure_lists(session, profile, city_code, now=now)]
    for county in counties:
        lists += [(cl, "county") for cl in repo.ensure_lists(session, profile, county, now=now)]

    published = 0
    added = 0
    for cl, level in lists:
        if cl.current_version:
            continue
        matters = []
        if starter.level == level:
            for item in starter.matters:
                code = item.code if level == "city" else f"{item.code}_{cl.area_code[:6]}"
                if item.list_kind != cl.kind or repo.code_taken(session, code):
                    continue
                matters.append(Matter(
                    list_id=cl.id, code=code, name=item.name, class_code="", description=item.description,
                    department_kind=item.department_kind, legal_basis=item.legal_basis, power_type=item.power_type,
                    on_site=item.on_site, limits=None, evidence="", status=IN_FORCE, temporary_until=None,
                    admitted_on=day, exited_on=None, exit_reason="", created_at=now, updated_at=now,
                ))
        session.add_all(matters)
        session.flush()
        if matters:
            summary = f"初始清单（依据 {starter.article}，{len(matters)} 项）"
        else:
            summary = f"初始清单（依据 {_source_ref(profile, level)}；条文未列举本清单事项，暂无事项）"
        publish_version(session, cl, now=now, actor=None, summary=summary, profile=profile)
        published += 1
        added += len(matters)
    if not published:
        return "事项清单：已公布，沿用现有数据"
    return f"事项清单：公布 {published} 份清单的第 1 版，起始事项 {added} 项（依据 {starter.article}）"
